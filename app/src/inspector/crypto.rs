//! Checking and making JWT signatures with the browser's own WebCrypto (`crypto.subtle`), so
//! no crypto library ships in the wasm bundle and a pasted secret never leaves the page.

use super::check_keys::{Algorithm, CheckKey, PublicKey, Verdict};
use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

fn subtle() -> Result<SubtleCrypto, String> {
    let crypto = web_sys::window()
        .ok_or("no window")?
        .crypto()
        .map_err(|_| "this page has no WebCrypto")?;
    Ok(crypto.subtle())
}

/// A plain JavaScript object from key/value pairs.
fn object(pairs: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// A rejected promise's reason as text: `DOMException`s carry a name and a message.
fn describe(error: JsValue) -> String {
    let field = |name: &str| {
        Reflect::get(&error, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    match (field("name"), field("message")) {
        (Some(name), Some(message)) if !message.is_empty() => format!("{name}: {message}"),
        (Some(name), _) => name,
        _ => error.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}

async fn resolve(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(promise.map_err(describe)?)
        .await
        .map_err(describe)
}

/// The `{name, …}` object WebCrypto wants when importing a key for `algorithm`.
fn import_params(algorithm: Algorithm) -> Object {
    let name = |n: &str| ("name", JsValue::from_str(n));
    let hash = |h: &str| ("hash", JsValue::from_str(h));
    match algorithm {
        Algorithm::Hmac { hash: h } => object(&[name("HMAC"), hash(h)]),
        Algorithm::Rsa { hash: h } => object(&[name("RSASSA-PKCS1-v1_5"), hash(h)]),
        Algorithm::RsaPss { hash: h, .. } => object(&[name("RSA-PSS"), hash(h)]),
        Algorithm::Ecdsa { curve, .. } => {
            object(&[name("ECDSA"), ("namedCurve", JsValue::from_str(curve))])
        }
        Algorithm::Ed25519 => object(&[name("Ed25519")]),
    }
}

/// The object `verify`/`sign` take.
fn operation_params(algorithm: Algorithm) -> Object {
    let name = |n: &str| ("name", JsValue::from_str(n));
    match algorithm {
        Algorithm::Hmac { .. } => object(&[name("HMAC")]),
        Algorithm::Rsa { .. } => object(&[name("RSASSA-PKCS1-v1_5")]),
        Algorithm::RsaPss { salt, .. } => {
            object(&[name("RSA-PSS"), ("saltLength", JsValue::from(salt))])
        }
        Algorithm::Ecdsa { hash, .. } => {
            object(&[name("ECDSA"), ("hash", JsValue::from_str(hash))])
        }
        Algorithm::Ed25519 => object(&[name("Ed25519")]),
    }
}

async fn import(algorithm: Algorithm, key: &CheckKey, usage: &str) -> Result<CryptoKey, String> {
    let subtle = subtle()?;
    let usages = Array::of1(&JsValue::from_str(usage));
    let params = import_params(algorithm);
    let promise = match key {
        CheckKey::Secret(bytes) => subtle.import_key_with_object(
            "raw",
            &Uint8Array::from(&bytes[..]),
            &params,
            false,
            &usages,
        ),
        CheckKey::Public(PublicKey::Spki(der)) => subtle.import_key_with_object(
            "spki",
            &Uint8Array::from(&der[..]),
            &params,
            false,
            &usages,
        ),
        CheckKey::Public(PublicKey::Jwk(json)) => {
            let jwk: Object = JSON::parse(json)
                .map_err(describe)?
                .dyn_into()
                .map_err(|_| "the JWK is not an object".to_string())?;
            subtle.import_key_with_object("jwk", &jwk, &params, false, &usages)
        }
    };
    match resolve(promise).await {
        Ok(key) => key.dyn_into().map_err(|_| "WebCrypto returned no key".into()),
        Err(e) if algorithm == Algorithm::Ed25519 && e.starts_with("NotSupportedError") => Err(
            "This browser's WebCrypto has no Ed25519 yet, so EdDSA signatures cannot be checked here."
                .into(),
        ),
        Err(e) => Err(format!("The key could not be used: {e}")),
    }
}

/// Checks `signature` over `signing_input` (the token's `header.payload`).
pub async fn verify(alg: &str, key: CheckKey, signing_input: &str, signature: &[u8]) -> Verdict {
    let algorithm = match Algorithm::from_jwt(alg) {
        Ok(a) => a,
        Err(why) => return Verdict::CannotCheck(why),
    };
    match (algorithm.uses_secret(), &key) {
        (true, CheckKey::Public(_)) => {
            return Verdict::CannotCheck(format!(
                "{alg} is checked with the shared secret, not a public key."
            ))
        }
        (false, CheckKey::Secret(_)) => {
            return Verdict::CannotCheck(format!(
                "{alg} is checked with the signer's public key (PEM or JWK), not a secret."
            ))
        }
        _ => {}
    }
    let crypto_key = match import(algorithm, &key, "verify").await {
        Ok(k) => k,
        Err(why) => return Verdict::CannotCheck(why),
    };
    let subtle = match subtle() {
        Ok(s) => s,
        Err(why) => return Verdict::CannotCheck(why),
    };
    let promise = subtle.verify_with_object_and_u8_array_and_u8_array(
        &operation_params(algorithm),
        &crypto_key,
        signature,
        signing_input.as_bytes(),
    );
    match resolve(promise).await {
        Ok(result) if result.as_bool() == Some(true) => Verdict::Valid,
        Ok(_) => Verdict::Invalid,
        Err(why) => Verdict::CannotCheck(why),
    }
}

/// Signs `signing_input` with an HMAC secret: the encoder's half of the tamper lab.
pub async fn sign_hmac(alg: &str, secret: Vec<u8>, signing_input: &str) -> Result<Vec<u8>, String> {
    let algorithm = Algorithm::from_jwt(alg)?;
    if !algorithm.uses_secret() {
        return Err(format!(
            "The encoder signs with a secret (HS256, HS384, HS512), not {alg}."
        ));
    }
    let key = import(algorithm, &CheckKey::Secret(secret), "sign").await?;
    let promise = subtle()?.sign_with_object_and_u8_array(
        &operation_params(algorithm),
        &key,
        signing_input.as_bytes(),
    );
    let signature = resolve(promise).await?;
    Ok(Uint8Array::new(&signature).to_vec())
}

/// SHA-256 of `bytes`.
pub async fn sha256(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let promise = subtle()?.digest_with_str_and_u8_array("SHA-256", bytes);
    Ok(Uint8Array::new(&resolve(promise).await?).to_vec())
}

/// `n` bytes from the browser's cryptographic random generator.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0; n];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
}
