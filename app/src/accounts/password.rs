//! Password hashing with argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane), done
//! on tokio's blocking pool so a login never stalls other requests.

use crate::error::AppError;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::sync::OnceLock;

fn argon2() -> Argon2<'static> {
    // Params::DEFAULT is m=19456 KiB, t=2, p=1: OWASP's first recommended configuration.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|e| AppError::internal("password hashing task failed", e))?
    .map_err(|e| AppError::internal("password hashing failed", e))
}

/// Checks a password against a stored hash. For an unknown user pass `None`: the password is
/// then checked against a dummy hash, so the answer takes as long as for a real account.
pub async fn verify(stored_hash: Option<String>, password: String) -> Result<bool, AppError> {
    let known_user = stored_hash.is_some();
    let hash = stored_hash.unwrap_or_else(|| dummy_hash().to_owned());
    let matches = tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| AppError::internal("stored password hash is malformed", e))?;
        Ok::<_, AppError>(
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| AppError::internal("password verification task failed", e))??;
    Ok(known_user && matches)
}

/// A hash of a random password with the same parameters as real ones, made once.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let unguessable = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(unguessable.as_str().as_bytes(), &salt)
            .expect("argon2 hashes a short password with default parameters")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(Some(stored.clone()), "correct horse battery".into())
            .await
            .unwrap());
        assert!(!verify(Some(stored), "correct horse batterY".into())
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify(None, "anything at all".into()).await.unwrap());
    }
}
