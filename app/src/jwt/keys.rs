//! The keys and the validation rules, built once at start: one algorithm, chosen by
//! configuration, never by a token.
//!
//! - **HS256** (default): one shared secret (at least 32 random bytes) both signs and
//!   verifies. Simple, but every verifier could also forge tokens; the JWKS is empty.
//! - **EdDSA** (Ed25519) or **RS256**: a private key (PKCS#8 PEM) signs; the public half
//!   verifies and is published at `/.well-known/jwks.json`, so other services can check our
//!   tokens without being able to make them. The key id (`kid`) is the key's RFC 7638
//!   thumbprint; it is written into the tokens we issue, never used to look a key up.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{
    jwk::{
        AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
        OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse, ThumbprintHash,
    },
    Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use std::{str::FromStr, time::Duration};

/// Clock skew tolerated on `exp` and `nbf` (the issue allows at most 30 s).
pub const LEEWAY_SECS: u64 = 5;
/// RFC 7518 section 3.2: an HMAC key at least as long as the hash output.
pub const MIN_HMAC_SECRET_BYTES: usize = 32;

/// The algorithms this server can be configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    Hs256,
    EdDsa,
    Rs256,
}

impl JwtAlgorithm {
    pub fn as_jsonwebtoken(self) -> Algorithm {
        match self {
            JwtAlgorithm::Hs256 => Algorithm::HS256,
            JwtAlgorithm::EdDsa => Algorithm::EdDSA,
            JwtAlgorithm::Rs256 => Algorithm::RS256,
        }
    }

    /// The name used in JWT headers and in configuration.
    pub fn name(self) -> &'static str {
        match self {
            JwtAlgorithm::Hs256 => "HS256",
            JwtAlgorithm::EdDsa => "EdDSA",
            JwtAlgorithm::Rs256 => "RS256",
        }
    }

    pub fn is_symmetric(self) -> bool {
        self == JwtAlgorithm::Hs256
    }
}

impl FromStr for JwtAlgorithm {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.to_ascii_uppercase().as_str() {
            "HS256" => Ok(JwtAlgorithm::Hs256),
            "EDDSA" => Ok(JwtAlgorithm::EdDsa),
            "RS256" => Ok(JwtAlgorithm::Rs256),
            _ => Err(format!(
                "{raw:?} is not supported: use HS256, EdDSA or RS256"
            )),
        }
    }
}

/// What the configuration says about tokens.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub algorithm: JwtAlgorithm,
    pub issuer: String,
    pub audience: String,
    /// How long one token is valid (`exp - iat`).
    pub lifetime: Duration,
    /// How long a login lasts however often its token is re-issued (the session's absolute
    /// timeout): a token whose `auth_time` is older is refused.
    pub login_lifetime: Duration,
}

/// The secret or private key the configured algorithm needs.
pub enum KeyMaterial {
    HmacSecret(Vec<u8>),
    PrivateKeyPem(String),
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the HS256 secret has {0} bytes; at least {MIN_HMAC_SECRET_BYTES} are needed")]
    ShortSecret(usize),
    #[error("{algorithm} needs {needed}")]
    WrongMaterial {
        algorithm: &'static str,
        needed: &'static str,
    },
    #[error("the {algorithm} private key cannot be used: {reason}")]
    BadKey {
        algorithm: &'static str,
        reason: String,
    },
}

/// Everything needed to sign and verify, ready for use on every request.
pub struct JwtKeys {
    settings: JwtSettings,
    encoding: EncodingKey,
    decoding: DecodingKey,
    header: Header,
    validation: Validation,
    jwks: JwkSet,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("settings", &self.settings)
            .field("kid", &self.header.kid)
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    pub fn new(settings: JwtSettings, material: KeyMaterial) -> Result<Self, KeyError> {
        let algorithm = settings.algorithm;
        let bad_key = |reason: String| KeyError::BadKey {
            algorithm: algorithm.name(),
            reason,
        };
        let (encoding, decoding, public_jwk) = match (algorithm, material) {
            (JwtAlgorithm::Hs256, KeyMaterial::HmacSecret(secret)) => {
                if secret.len() < MIN_HMAC_SECRET_BYTES {
                    return Err(KeyError::ShortSecret(secret.len()));
                }
                (
                    EncodingKey::from_secret(&secret),
                    DecodingKey::from_secret(&secret),
                    None,
                )
            }
            (JwtAlgorithm::EdDsa, KeyMaterial::PrivateKeyPem(pem)) => {
                use ed25519_dalek::{pkcs8::DecodePrivateKey, SigningKey};
                let signing =
                    SigningKey::from_pkcs8_pem(&pem).map_err(|e| bad_key(e.to_string()))?;
                let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes());
                let encoding =
                    EncodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| bad_key(e.to_string()))?;
                let decoding =
                    DecodingKey::from_ed_components(&x).map_err(|e| bad_key(e.to_string()))?;
                let jwk = Jwk {
                    common: CommonParameters::default(),
                    algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                        key_type: OctetKeyPairType::OctetKeyPair,
                        curve: EllipticCurve::Ed25519,
                        x,
                    }),
                };
                (encoding, decoding, Some(jwk))
            }
            (JwtAlgorithm::Rs256, KeyMaterial::PrivateKeyPem(pem)) => {
                let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
                    .map_err(|e| bad_key(e.to_string()))?;
                let jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)
                    .map_err(|e| bad_key(e.to_string()))?;
                let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
                    return Err(bad_key("not an RSA key".into()));
                };
                let decoding = DecodingKey::from_rsa_components(&rsa.n, &rsa.e)
                    .map_err(|e| bad_key(e.to_string()))?;
                (encoding, decoding, Some(jwk))
            }
            (JwtAlgorithm::Hs256, _) => {
                return Err(KeyError::WrongMaterial {
                    algorithm: "HS256",
                    needed: "a secret",
                })
            }
            (other, _) => {
                return Err(KeyError::WrongMaterial {
                    algorithm: other.name(),
                    needed: "a PKCS#8 PEM private key file",
                })
            }
        };

        let mut header = Header::new(algorithm.as_jsonwebtoken());
        header.typ = Some("JWT".into());
        let mut jwks = JwkSet { keys: Vec::new() };
        if let Some(mut jwk) = public_jwk {
            let kid = jwk.thumbprint(ThumbprintHash::SHA256);
            jwk.common = CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(match algorithm {
                    JwtAlgorithm::EdDsa => KeyAlgorithm::EdDSA,
                    _ => KeyAlgorithm::RS256,
                }),
                key_id: Some(kid.clone()),
                ..CommonParameters::default()
            };
            header.kid = Some(kid);
            jwks.keys.push(jwk);
        }

        let mut validation = Validation::new(algorithm.as_jsonwebtoken());
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;

        Ok(Self {
            settings,
            encoding,
            decoding,
            header,
            validation,
            jwks,
        })
    }

    pub fn settings(&self) -> &JwtSettings {
        &self.settings
    }
    pub fn algorithm(&self) -> Algorithm {
        self.settings.algorithm.as_jsonwebtoken()
    }
    /// The `kid` our tokens carry; `None` for HS256.
    pub fn kid(&self) -> Option<&str> {
        self.header.kid.as_deref()
    }
    /// The header of every token we issue.
    pub fn header(&self) -> &Header {
        &self.header
    }
    pub fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }
    pub fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }
    pub fn validation(&self) -> &Validation {
        &self.validation
    }
    /// The public keys, for `/.well-known/jwks.json` (empty for HS256: a secret is not public).
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }
}
