//! `POST /api/token`'s body, as JSON, as a form or as anything else: a username and password,
//! or a 4xx (`400`, `415`, `422`), never a panic or a 5xx.
#![no_main]

use app::api::tokens::parse_token_request;
use http::{header, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

const MEDIA_TYPES: [&str; 5] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/jwt+json; charset=utf-8",
    "text/plain",
    "APPLICATION/JSON",
];

fuzz_target!(|input: (u8, &[u8])| {
    let (media, body) = input;
    let mut headers = HeaderMap::new();
    let media_type = MEDIA_TYPES[usize::from(media) % MEDIA_TYPES.len()];
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Err(error) = parse_token_request(&headers, body) {
        assert!(error.status().is_client_error(), "{}", error.status());
    }
});
