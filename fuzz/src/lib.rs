//! What the fuzz targets share: one server's keys, built once per process.

use app::jwt::keys::{JwtAlgorithm, JwtKeys, JwtSettings, KeyMaterial};
use std::{sync::OnceLock, time::Duration};

/// The JWT keys of a server configured with the defaults (HS256, issuer and audience
/// `session-lab`) and a fixed 32-byte secret.
pub fn jwt_keys() -> &'static JwtKeys {
    static KEYS: OnceLock<JwtKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let settings = JwtSettings {
            algorithm: JwtAlgorithm::Hs256,
            issuer: "session-lab".into(),
            audience: "session-lab".into(),
            lifetime: Duration::from_secs(1800),
            login_lifetime: Duration::from_secs(12 * 3600),
        };
        JwtKeys::new(settings, KeyMaterial::HmacSecret(vec![7; 32])).expect("HS256 keys")
    })
}

/// The signed-cookie lab's key (64 fixed bytes).
pub fn cookie_key() -> &'static cookie::Key {
    static KEY: OnceLock<cookie::Key> = OnceLock::new();
    KEY.get_or_init(|| cookie::Key::from(&[9; 64]))
}

/// A time inside every token's and cookie's lifetime that the targets make.
pub const NOW: u64 = 1_800_000_000;
