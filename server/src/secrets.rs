//! Server secrets: the cookie key and the JWT HMAC secret.
//!
//! In development a missing secret is generated on first start and kept under the data
//! directory, readable by its owner only (0600), so restarts keep cookies and tokens valid.
//! In production nothing is generated: a missing, short or low-entropy secret stops the start.

use crate::config::{Profile, Settings};
use rand::RngCore;
use std::{
    fs,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

/// Secret bytes that never print: `Debug` shows only the length.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret([redacted; {} bytes])", self.0.len())
    }
}

#[derive(Debug, Clone)]
pub struct Secrets {
    /// Signs and encrypts the cookies the server must trust.
    pub cookie_key: Secret,
    /// Signs HS256 JSON Web Tokens.
    pub jwt_secret: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{what} is missing at {path}: the production profile never generates secrets; create one with `head -c {min} /dev/urandom | xxd -p -c 256 > {path}` (then chmod 600)")]
    Missing {
        what: &'static str,
        path: PathBuf,
        min: usize,
    },
    #[error("{what} at {path} is weak: {reason}")]
    Weak {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{what} at {path} must be readable by its owner only (chmod 600)")]
    Exposed { what: &'static str, path: PathBuf },
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The cookie crate's `Key` needs 64 bytes (signing and encryption halves).
pub const COOKIE_KEY_BYTES: usize = 64;
/// RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output.
pub const JWT_SECRET_BYTES: usize = 32;

pub fn load_or_generate(settings: &Settings) -> Result<Secrets, SecretError> {
    Ok(Secrets {
        cookie_key: load_one(
            "cookie key",
            &settings.cookie_key_file,
            COOKIE_KEY_BYTES,
            settings.profile,
        )?,
        jwt_secret: load_one(
            "JWT secret",
            &settings.jwt_secret_file,
            JWT_SECRET_BYTES,
            settings.profile,
        )?,
    })
}

fn load_one(
    what: &'static str,
    path: &Path,
    min: usize,
    profile: Profile,
) -> Result<Secret, SecretError> {
    let io = |source| SecretError::Io {
        path: path.to_owned(),
        source,
    };
    match fs::read_to_string(path) {
        Ok(text) => {
            let mode = fs::metadata(path).map_err(io)?.permissions().mode();
            if mode & 0o077 != 0 {
                if profile == Profile::Production {
                    return Err(SecretError::Exposed {
                        what,
                        path: path.to_owned(),
                    });
                }
                tracing::warn!(path = %path.display(), "{what} is readable by other users; chmod 600 it");
            }
            let bytes = decode(&text).map_err(|reason| SecretError::Weak {
                what,
                path: path.to_owned(),
                reason,
            })?;
            check_strength(&bytes, min).map_err(|reason| SecretError::Weak {
                what,
                path: path.to_owned(),
                reason,
            })?;
            Ok(Secret(bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if profile == Profile::Production {
                return Err(SecretError::Missing {
                    what,
                    path: path.to_owned(),
                    min,
                });
            }
            let mut bytes = vec![0u8; min];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            write_private(path, &hex::encode(&bytes)).map_err(io)?;
            tracing::info!(path = %path.display(), "generated a new {what}");
            Ok(Secret(bytes))
        }
        Err(e) => Err(io(e)),
    }
}

fn decode(text: &str) -> Result<Vec<u8>, String> {
    hex::decode(text.trim()).map_err(|_| "it must be written as hexadecimal".to_owned())
}

/// Long enough, and not an obviously patterned value such as all zeros or "abab…".
fn check_strength(bytes: &[u8], min: usize) -> Result<(), String> {
    if bytes.len() < min {
        return Err(format!(
            "{} bytes, at least {min} random bytes are required",
            bytes.len()
        ));
    }
    let mut distinct = bytes.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < min / 4 {
        return Err(format!(
            "only {} distinct byte values: it does not look random",
            distinct.len()
        ));
    }
    Ok(())
}

/// Creates the file with mode 0600 from the start (never world-readable, not even briefly).
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{contents}")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_generates_private_secrets_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets/k");
        let first = load_one("k", &path, 32, Profile::Development).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = load_one("k", &path, 32, Profile::Development).unwrap();
        assert_eq!(first.expose(), again.expose());
        assert!(!format!("{first:?}").contains(&hex::encode(first.expose())));
    }

    #[test]
    fn production_refuses_missing_weak_or_exposed_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        assert!(matches!(
            load_one("k", &path, 32, Profile::Production),
            Err(SecretError::Missing { .. })
        ));
        write_private(&path, &"00".repeat(32)).unwrap();
        assert!(matches!(
            load_one("k", &path, 32, Profile::Production),
            Err(SecretError::Weak { .. })
        ));
        fs::remove_file(&path).unwrap();
        write_private(&path, "abcd").unwrap();
        assert!(matches!(
            load_one("k", &path, 32, Profile::Production),
            Err(SecretError::Weak { .. })
        ));
        fs::remove_file(&path).unwrap();
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        write_private(&path, &hex::encode(random)).unwrap();
        assert!(load_one("k", &path, 32, Profile::Production).is_ok());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            load_one("k", &path, 32, Profile::Production),
            Err(SecretError::Exposed { .. })
        ));
    }
}
