//! The viewer's token decoder (it runs in the browser, on whatever the user pastes), then the
//! claim explanations and warnings it shows, and the encoder's JSON reader.
#![no_main]

use app::inspector::{claim_notes, token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str, i64)| {
    let (pasted, edited, now) = input;
    if let Ok(decoded) = token::decode(pasted) {
        let header = decoded.header.as_ref().ok();
        let payload = decoded.payload.as_ref().ok();
        if let Some(payload) = payload {
            let _ = claim_notes::explain(payload);
        }
        let _ = claim_notes::warnings(header, payload, now);
        let _ = decoded.signing_input();
    }
    let _ = token::unsigned_from_json(edited, pasted);
    let _ = claim_notes::relative_time(now);
});
