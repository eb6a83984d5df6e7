//! Server secrets: the cookie key and the JWT HMAC secret.
//!
//! In development a missing secret is generated on first start and kept under the data
//! directory, readable by its owner only (0600), so restarts keep cookies and tokens valid.
//! In production nothing is generated: a missing, short or low-entropy secret stops the start.

use crate::config::{Profile, Settings};
use app::jwt::keys::JwtAlgorithm;
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
    /// What signs JSON Web Tokens: the HS256 secret, or the EdDSA/RS256 private key (PEM).
    pub jwt_key: Secret,
}

impl Secrets {
    /// A name for the deployment these secrets belong to: every instance that shares them is
    /// one deployment. The first 8 bytes of a SHA-256 of the cookie key, in hex: it says
    /// nothing about the key.
    pub fn deployment(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(&Sha256::digest(self.cookie_key.expose())[..8])
    }
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
    #[error("the JWT private key is missing at {path}; create one with `{command} -out {path}` (then chmod 600), or set jwt_private_key_file")]
    MissingKey {
        path: PathBuf,
        command: &'static str,
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
        jwt_key: match settings.jwt.algorithm {
            JwtAlgorithm::Hs256 => load_one(
                "JWT secret",
                &settings.jwt_secret_file,
                JWT_SECRET_BYTES,
                settings.profile,
            )?,
            algorithm => {
                load_private_key(algorithm, &settings.jwt_private_key_file, settings.profile)?
            }
        },
    })
}

/// Reads a secret file, refusing (production) or warning about (development) one that other
/// users can read. `None` when it does not exist.
fn read_private(
    what: &'static str,
    path: &Path,
    profile: Profile,
) -> Result<Option<String>, SecretError> {
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
            Ok(Some(text))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

/// The EdDSA or RS256 private key. A missing Ed25519 key is generated in development; RSA
/// keys are slow to generate and production never generates anything, so those must exist.
fn load_private_key(
    algorithm: JwtAlgorithm,
    path: &Path,
    profile: Profile,
) -> Result<Secret, SecretError> {
    const WHAT: &str = "JWT private key";
    if let Some(pem) = read_private(WHAT, path, profile)? {
        return Ok(Secret(pem.into_bytes()));
    }
    if profile == Profile::Production || algorithm != JwtAlgorithm::EdDsa {
        return Err(SecretError::MissingKey {
            path: path.to_owned(),
            command: match algorithm {
                JwtAlgorithm::Rs256 => {
                    "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072"
                }
                _ => "openssl genpkey -algorithm ed25519",
            },
        });
    }
    use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey};
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| SecretError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })?;
    write_private(path, pem.trim_end()).map_err(|source| SecretError::Io {
        path: path.to_owned(),
        source,
    })?;
    tracing::info!(path = %path.display(), "generated a new Ed25519 {WHAT}");
    Ok(Secret(pem.as_bytes().to_vec()))
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
    match read_private(what, path, profile)? {
        Some(text) => {
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
        None => {
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
    fn an_ed25519_key_is_generated_in_development_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets/jwt-eddsa.pem");
        assert!(matches!(
            load_private_key(JwtAlgorithm::EdDsa, &path, Profile::Production),
            Err(SecretError::MissingKey { .. })
        ));
        assert!(matches!(
            load_private_key(JwtAlgorithm::Rs256, &path, Profile::Development),
            Err(SecretError::MissingKey { .. })
        ));
        let key = load_private_key(JwtAlgorithm::EdDsa, &path, Profile::Development).unwrap();
        assert!(String::from_utf8_lossy(key.expose()).starts_with("-----BEGIN PRIVATE KEY-----"));
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = load_private_key(JwtAlgorithm::EdDsa, &path, Profile::Production).unwrap();
        assert_eq!(key.expose(), again.expose());
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
