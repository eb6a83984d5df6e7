//! Signatures while the server renders the token lab: they are only ever checked and made in
//! the browser, by WebCrypto (`crypto.rs`).

use super::check_keys::{CheckKey, Verdict};

pub async fn verify(_alg: &str, _key: CheckKey, _input: &str, _sig: &[u8]) -> Verdict {
    Verdict::CannotCheck("signatures are checked in the browser".into())
}
pub async fn sign_hmac(_alg: &str, _secret: Vec<u8>, _input: &str) -> Result<Vec<u8>, String> {
    Err("tokens are signed in the browser".into())
}
pub async fn sha256(_bytes: &[u8]) -> Result<Vec<u8>, String> {
    Err("hashed in the browser".into())
}
pub fn random_bytes(n: usize) -> Vec<u8> {
    vec![0; n]
}
