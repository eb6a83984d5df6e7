//! Which WebCrypto algorithm checks which JWT `alg`, and turning what a user pastes (a secret,
//! a PEM public key, a JWK or a whole JWKS) into key bytes WebCrypto can import.
//!
//! HMAC (`HS*`) uses one shared secret to sign and to check, so whoever can check can also
//! forge. RSA, ECDSA and EdDSA sign with a private key and check with its public half, which a
//! server can publish (Session Lab does, at `/.well-known/jwks.json`, when it signs with EdDSA
//! or RS256).

use super::base64::{self, Alphabet};
use serde_json::Value;

/// The WebCrypto algorithm behind a JWT `alg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// HS256/384/512: `hash` is the WebCrypto hash name.
    Hmac { hash: &'static str },
    /// RS256/384/512 (RSASSA-PKCS1-v1_5).
    Rsa { hash: &'static str },
    /// PS256/384/512 (RSA-PSS, salt as long as the hash).
    RsaPss { hash: &'static str, salt: u32 },
    /// ES256/384/512: JWT signatures are the raw `r‖s` WebCrypto expects.
    Ecdsa {
        hash: &'static str,
        curve: &'static str,
    },
    /// EdDSA over Ed25519 (not in every browser's WebCrypto yet).
    Ed25519,
}

impl Algorithm {
    /// The algorithm for a JWT `alg`, or why there is none.
    pub fn from_jwt(alg: &str) -> Result<Self, String> {
        let sha = |bits: &str| match bits {
            "256" => Some("SHA-256"),
            "384" => Some("SHA-384"),
            "512" => Some("SHA-512"),
            _ => None,
        };
        let (family, bits) = alg.split_at(alg.len().min(2));
        let algorithm = match (family, sha(bits)) {
            ("HS", Some(hash)) => Algorithm::Hmac { hash },
            ("RS", Some(hash)) => Algorithm::Rsa { hash },
            ("PS", Some(hash)) => Algorithm::RsaPss {
                hash,
                salt: bits.parse::<u32>().unwrap_or(256) / 8,
            },
            ("ES", Some(hash)) => Algorithm::Ecdsa {
                hash,
                curve: match bits {
                    "256" => "P-256",
                    "384" => "P-384",
                    _ => "P-521",
                },
            },
            _ if alg == "EdDSA" || alg == "Ed25519" => Algorithm::Ed25519,
            _ if alg.eq_ignore_ascii_case("none") => {
                return Err("alg \"none\" has no signature to check: refuse the token.".into())
            }
            _ => return Err(format!("\"{alg}\" is not an algorithm this viewer knows.")),
        };
        Ok(algorithm)
    }

    pub fn uses_secret(self) -> bool {
        matches!(self, Algorithm::Hmac { .. })
    }
}

/// How the user typed an HMAC secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretEncoding {
    Utf8,
    Base64Url,
}

/// The secret's bytes.
pub fn secret_bytes(text: &str, encoding: SecretEncoding) -> Result<Vec<u8>, String> {
    let bytes = match encoding {
        SecretEncoding::Utf8 => text.as_bytes().to_vec(),
        SecretEncoding::Base64Url => {
            let trimmed = text.trim().trim_end_matches('=');
            base64::decode(trimmed, Alphabet::UrlSafe)
                .ok_or_else(|| "The secret is not valid base64url.".to_string())?
        }
    };
    if bytes.is_empty() {
        return Err("Type the secret first.".into());
    }
    Ok(bytes)
}

/// A public key as WebCrypto imports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// DER SubjectPublicKeyInfo, from a `-----BEGIN PUBLIC KEY-----` PEM (format `spki`).
    Spki(Vec<u8>),
    /// One JWK as JSON text (format `jwk`).
    Jwk(String),
}

/// Reads a PEM public key, a JWK, or a JWKS (picking the key whose `kid` the token names).
pub fn parse_public_key(text: &str, kid: Option<&str>) -> Result<PublicKey, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Paste the public key first (PEM or JWK).".into());
    }
    if text.starts_with('{') {
        return parse_jwk(text, kid);
    }
    if text.contains("PRIVATE KEY-----") {
        return Err(
            "That is a private key: keep it secret. A signature is checked with the \
                    public key only."
                .into(),
        );
    }
    if text.contains("BEGIN RSA PUBLIC KEY") {
        return Err("This is a PKCS#1 RSA key; WebCrypto wants SubjectPublicKeyInfo \
                    (\"BEGIN PUBLIC KEY\"): convert it with `openssl rsa -RSAPublicKey_in -pubout`."
            .into());
    }
    let body = text
        .strip_prefix("-----BEGIN PUBLIC KEY-----")
        .and_then(|rest| rest.trim_end().strip_suffix("-----END PUBLIC KEY-----"))
        .ok_or("Expected a PEM block from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----, or a JWK.")?;
    let text: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::decode(text.trim_end_matches('='), Alphabet::Standard)
        .map(PublicKey::Spki)
        .ok_or_else(|| "The PEM body is not valid base64.".into())
}

fn parse_jwk(text: &str, kid: Option<&str>) -> Result<PublicKey, String> {
    let value: Value =
        crate::browser::parse_json(text).map_err(|e| format!("The key is not valid JSON: {e}"))?;
    let key = match value.get("keys").and_then(Value::as_array) {
        Some(keys) => {
            let matching = keys
                .iter()
                .find(|k| kid.is_some() && k.get("kid").and_then(Value::as_str) == kid);
            match (matching, keys.as_slice()) {
                (Some(key), _) => key.clone(),
                (None, [only]) => only.clone(),
                (None, []) => {
                    return Err(
                        "This key set is empty: the server signs with a shared secret \
                                (HS256), which it never publishes."
                            .into(),
                    )
                }
                (None, _) => {
                    return Err(format!(
                        "The key set has {} keys and none with the token's kid.",
                        keys.len()
                    ))
                }
            }
        }
        None => value,
    };
    let Value::Object(mut key) = key else {
        return Err("A JWK is a JSON object.".into());
    };
    if !key.contains_key("kty") {
        return Err("A JWK needs a \"kty\" (key type).".into());
    }
    if key.contains_key("d") {
        return Err("This JWK holds a private key (\"d\"): keep it secret.".into());
    }
    // WebCrypto checks these against the import's algorithm and usages; the user chose both.
    for field in ["alg", "key_ops", "use"] {
        key.remove(field);
    }
    Ok(PublicKey::Jwk(Value::Object(key).to_string()))
}

/// The outcome of a signature check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    /// The check could not run: an unusable key, or a browser without the algorithm.
    CannotCheck(String),
}

/// What the signature is checked with.
pub enum CheckKey {
    Secret(Vec<u8>),
    Public(PublicKey),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_algorithms_map_to_webcrypto() {
        assert_eq!(
            Algorithm::from_jwt("HS384"),
            Ok(Algorithm::Hmac { hash: "SHA-384" })
        );
        assert_eq!(
            Algorithm::from_jwt("RS256"),
            Ok(Algorithm::Rsa { hash: "SHA-256" })
        );
        assert_eq!(
            Algorithm::from_jwt("PS512"),
            Ok(Algorithm::RsaPss {
                hash: "SHA-512",
                salt: 64
            })
        );
        assert_eq!(
            Algorithm::from_jwt("ES256"),
            Ok(Algorithm::Ecdsa {
                hash: "SHA-256",
                curve: "P-256"
            })
        );
        assert_eq!(Algorithm::from_jwt("EdDSA"), Ok(Algorithm::Ed25519));
        assert!(Algorithm::from_jwt("none").unwrap_err().contains("refuse"));
        assert!(Algorithm::from_jwt("HS1").is_err());
        assert!(Algorithm::from_jwt("").is_err());
    }

    #[test]
    fn secrets_are_read_as_text_or_base64url() {
        assert_eq!(secret_bytes("abc", SecretEncoding::Utf8).unwrap(), b"abc");
        assert_eq!(
            secret_bytes("AQID", SecretEncoding::Base64Url).unwrap(),
            [1, 2, 3]
        );
        assert_eq!(
            secret_bytes("AQ==", SecretEncoding::Base64Url).unwrap(),
            [1],
            "padding is tolerated"
        );
        assert!(secret_bytes("not base64!", SecretEncoding::Base64Url).is_err());
        assert!(secret_bytes("", SecretEncoding::Utf8).is_err());
    }

    #[test]
    fn pem_public_keys_are_read_and_private_keys_refused() {
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
        let PublicKey::Spki(der) = parse_public_key(pem, None).unwrap() else {
            panic!("expected SPKI")
        };
        assert_eq!(der.len(), 44, "an Ed25519 SubjectPublicKeyInfo");
        assert!(parse_public_key(
            "-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----",
            None
        )
        .unwrap_err()
        .contains("private key"));
        assert!(parse_public_key("-----BEGIN RSA PUBLIC KEY-----", None)
            .unwrap_err()
            .contains("PKCS#1"));
        assert!(parse_public_key("hello", None).is_err());
    }

    #[test]
    fn a_jwks_yields_the_key_the_token_names() {
        let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAA","kid":"one","use":"sig","alg":"EdDSA"},
                               {"kty":"OKP","crv":"Ed25519","x":"BBB","kid":"two"}]}"#;
        let PublicKey::Jwk(key) = parse_public_key(jwks, Some("two")).unwrap() else {
            panic!("expected a JWK")
        };
        assert!(key.contains("BBB"));
        assert!(parse_public_key(jwks, Some("three"))
            .unwrap_err()
            .contains("2 keys"));
        assert!(parse_public_key(r#"{"keys":[]}"#, None)
            .unwrap_err()
            .contains("empty"));
        let PublicKey::Jwk(single) = parse_public_key(
            r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAA","use":"sig","alg":"EdDSA"}]}"#,
            Some("other"),
        )
        .unwrap() else {
            panic!("expected a JWK")
        };
        assert!(!single.contains("alg") && !single.contains("use"));
        assert!(parse_public_key(r#"{"kty":"oct","k":"AA","d":"x"}"#, None).is_err());
        assert!(parse_public_key(r#"{"crv":"P-256"}"#, None).is_err());
    }
}
