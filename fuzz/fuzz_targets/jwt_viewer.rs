//! The viewer's token decoder (it runs in the browser, on whatever the user pastes), then the
//! claim explanations and warnings it shows, the order-keeping JSON printer, and the encoder's
//! JSON reader and `alg: none` forgery.
#![no_main]

use app::inspector::{claim_notes, json_text, token};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|input: (&str, &str, i64)| {
    let (pasted, edited, now) = input;
    if let Ok(decoded) = token::decode(pasted) {
        let header = decoded.header.as_ref().ok().map(|json| &json.map);
        let payload = decoded.payload.as_ref().ok().map(|json| &json.map);
        if let Some(payload) = payload {
            let _ = claim_notes::explain(payload);
        }
        let _ = claim_notes::warnings(header, payload, now);
        let _ = decoded.signing_input();
        // What the page shows is the same JSON as what was decoded, only re-indented.
        for json in [&decoded.header, &decoded.payload].into_iter().flatten() {
            let shown: Value = serde_json::from_str(&json.pretty()).expect("pretty is JSON");
            assert_eq!(shown, Value::Object(json.map.clone()));
        }
    }
    if serde_json::from_str::<Value>(edited).is_ok() {
        let shown: Value = serde_json::from_str(&json_text::pretty(edited)).expect("pretty");
        assert_eq!(shown, serde_json::from_str::<Value>(edited).unwrap());
    }
    let _ = token::unsigned_from_json(edited, pasted);
    if let Ok(forged) = token::unsigned_none(edited, "{}") {
        let header = token::decode(&forged).unwrap().header.unwrap();
        assert_eq!(header.map["alg"], "none");
    }
    let _ = claim_notes::relative_time(now);
});
