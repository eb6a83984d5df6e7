//! Forging tokens by hand, as an attacker does: base64url JSON for the header and payload, and
//! a signature made with a key the attacker has (none, a guessed word, a public key), never
//! with this server's secret.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{crypto, Algorithm, EncodingKey};
use serde_json::Value;

/// `base64url(header).base64url(payload).signature`, the signature given as is.
pub fn with_signature(header: &Value, payload: &Value, signature: &str) -> String {
    format!("{}.{signature}", signing_input(header, payload))
}

/// A token signed with HMAC-SHA256 under `secret`, whatever its header says.
pub fn hs256(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let input = signing_input(header, payload);
    let signature = crypto::sign(
        input.as_bytes(),
        &EncodingKey::from_secret(secret),
        Algorithm::HS256,
    )
    .unwrap_or_default();
    format!("{input}.{signature}")
}

fn signing_input(header: &Value, payload: &Value) -> String {
    let part = |json: &Value| URL_SAFE_NO_PAD.encode(json.to_string());
    format!("{}.{}", part(header), part(payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forged_tokens_have_three_parts_and_verify_under_the_attackers_key() {
        let header = json!({"alg": "HS256", "typ": "JWT"});
        let payload = json!({"sub": "1"});
        let token = hs256(&header, &payload, b"secret");
        assert_eq!(token.split('.').count(), 3);
        let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let key = jsonwebtoken::DecodingKey::from_secret(b"secret");
        assert!(jsonwebtoken::decode::<Value>(&token, &key, &validation).is_ok());
        assert!(with_signature(&header, &payload, "").ends_with('.'));
    }
}
