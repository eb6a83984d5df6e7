//! The server's token check before any store is asked: header rules, signature, registered
//! claims. Nothing the fuzzer makes can carry a valid HS256 signature, so everything must be
//! refused with a reason, never a panic.
#![no_main]

use app::jwt::service::check_signed;
use libfuzzer_sys::fuzz_target;
use session_lab_fuzz::jwt_keys;

fuzz_target!(|token: &str| {
    if let Ok(claims) = check_signed(jwt_keys(), token) {
        panic!("a forged token was accepted: {claims:?}");
    }
});
