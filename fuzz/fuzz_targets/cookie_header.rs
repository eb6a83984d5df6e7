//! A whole `Cookie` header, as raw bytes (not always UTF-8, names repeated, `=` and `;`
//! anywhere), through what every lab does with it: split into pairs, detect duplicates, then
//! read each lab's cookie (plain JSON, signed, session id, JWT).
#![no_main]

use app::{
    cookies::jar::{RequestCookies, Sent},
    jwt::service::check_signed,
    labs::{plain_cookie::PlainUser, signed_cookie},
};
use http::{header, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use session_lab_fuzz::{cookie_key, jwt_keys, NOW};
use std::str::FromStr;

fuzz_target!(|bytes: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(bytes) else {
        return; // hyper refuses such a header before any handler runs
    };
    let mut headers = HeaderMap::new();
    headers.append(header::COOKIE, value);
    let cookies = RequestCookies::from_headers(&headers);
    for (name, value) in cookies.iter() {
        assert!(!name.is_empty());
        assert!(!matches!(cookies.get(name), Sent::Absent));
        let _ = PlainUser::parse(value);
        assert!(signed_cookie::open(cookie_key(), name, value, NOW).is_err());
        // tower-sessions reads the session cookie with `Id::from_str`; an id it does not
        // know is never adopted (the store is asked), so parsing must only never panic.
        let _ = tower_sessions::session::Id::from_str(value);
        assert!(check_signed(jwt_keys(), value).is_err());
    }
});
