//! The signed cookie lab decrypts and authenticates its cookie. A value that was not sealed by
//! the server's key must be refused (the fuzzer cannot forge AES-GCM), never panic; one that was
//! sealed must open to exactly what was sealed.
#![no_main]

use app::labs::signed_cookie::{open, seal, SignedUser};
use libfuzzer_sys::fuzz_target;
use session_lab_fuzz::{cookie_key, NOW};

fuzz_target!(|input: (&str, &str, u64)| {
    let (raw, name, count) = input;
    assert!(open(cookie_key(), "signed_user", raw, NOW).is_err());
    let user = SignedUser {
        username: name.to_owned(),
        count,
        exp: NOW + 60,
        uid: 1,
        ver: 1,
        lid: name.to_owned(),
        seen: NOW,
    };
    let sealed = seal(cookie_key(), "signed_user", &user).expect("sealing works");
    let opened = open(cookie_key(), "signed_user", &sealed, NOW).expect("our own value opens");
    assert_eq!(opened, user);
    // Bound to its name: the same value under another cookie's name is refused.
    assert!(open(cookie_key(), "user", &sealed, NOW).is_err());
});
