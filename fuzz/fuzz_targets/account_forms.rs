//! The account forms (registration, login, password change) as form bodies, then the rules a
//! username and password must follow. A name the rules accept must be one the database key
//! and the pages can hold.
#![no_main]

use app::accounts::{
    service::{Credentials, PasswordChange, Registration},
    validation::{check_password, check_username, username_key},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(form) = serde_urlencoded::from_bytes::<Registration>(body) {
        if check_username(&form.username).is_ok() {
            assert!((3..=32).contains(&form.username.len()));
            assert!(form
                .username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)));
            assert_eq!(
                username_key(&form.username),
                form.username.to_ascii_lowercase()
            );
        }
        if check_password(&form.password).is_ok() {
            assert!((8..=128).contains(&form.password.chars().count()));
        }
    }
    let _ = serde_urlencoded::from_bytes::<Credentials>(body);
    let _ = serde_urlencoded::from_bytes::<PasswordChange>(body);
});
