//! JSON kept as text, so a token's keys stay in the order its issuer wrote them. The parsed
//! `Map` sorts its keys; jwt.io, and anyone comparing with it, expects the token's own order.
//! These functions only reshape whitespace and top-level members of text that already parsed
//! as JSON (every caller parses first); they never judge validity themselves, and on text that
//! is not JSON their output means nothing.

/// Visits `text` character by character, telling `f` whether each one is inside a string
/// (quotes included).
fn scan(text: &str, mut f: impl FnMut(char, bool)) {
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        let quoted = in_string || c == '"';
        f(c, quoted);
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        }
    }
}

/// The text without the whitespace between tokens: what goes into a token's base64url.
pub fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    scan(text, |c, quoted| {
        if quoted || !c.is_whitespace() {
            out.push(c);
        }
    });
    out
}

/// Indented by two spaces per level, members in their original order.
pub fn pretty(text: &str) -> String {
    let mut chars = Vec::with_capacity(text.len());
    scan(&compact(text), |c, quoted| chars.push((c, quoted)));
    let mut out = String::with_capacity(chars.len() * 2);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let (mut depth, mut i) = (0usize, 0);
    while let Some(&(c, quoted)) = chars.get(i) {
        i += 1;
        match c {
            _ if quoted => out.push(c),
            '{' | '[' => {
                out.push(c);
                // An empty object or array stays on one line, as serde_json prints it.
                if let Some(&(close @ ('}' | ']'), false)) = chars.get(i) {
                    out.push(close);
                    i += 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// The top-level members of a compact object, as `"key":value` slices in order.
fn members(compact: &str) -> Vec<&str> {
    let inner = compact
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or_default();
    let (mut out, mut start, mut depth) = (Vec::new(), 0, 0i32);
    let mut offset = 0;
    scan(inner, |c, quoted| {
        if !quoted {
            match c {
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&inner[start..offset]);
                    start = offset + 1;
                }
                _ => {}
            }
        }
        offset += c.len_utf8();
    });
    if !inner.is_empty() {
        out.push(&inner[start..]);
    }
    out
}

/// The key of a `"key":value` member, decoded (escapes and all).
fn key_of(member: &str) -> Option<String> {
    let (mut colon, mut offset) = (None, 0);
    scan(member, |c, quoted| {
        if colon.is_none() && !quoted && c == ':' {
            colon = Some(offset);
        }
        offset += c.len_utf8();
    });
    match crate::browser::parse_json(&member[..colon?]) {
        Ok(serde_json::Value::String(key)) => Some(key),
        _ => None,
    }
}

/// The object with its top-level `key` set to `value` (JSON text): where it first stood, or
/// first when it was missing. A repeated key goes too, since a parser keeps the last one. Used
/// to forge `alg: none` without reordering the header.
pub fn with_member(object: &str, key: &str, value: &str) -> String {
    let compact = compact(object);
    let quoted_key = serde_json::to_string(key).unwrap_or_default();
    let member = format!("{quoted_key}:{value}");
    let mut out: Vec<String> = Vec::new();
    let mut placed = false;
    for existing in members(&compact) {
        if key_of(existing).as_deref() != Some(key) {
            out.push(existing.to_string());
        } else if !placed {
            out.push(member.clone());
            placed = true;
        }
    }
    if !placed {
        out.insert(0, member);
    }
    format!("{{{}}}", out.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const PAYLOAD: &str = r#"{"sub": "1234567890", "name":"John \"JD\" Doe, Jr.",
        "admin":true,"roles":["a", "b"],"address":{"city":"Köln","zip":"50667"},"empty":{},"none":[]}"#;

    #[test]
    fn compact_keeps_strings_and_drops_whitespace_between_tokens() {
        let out = compact(PAYLOAD);
        assert!(out.starts_with(r#"{"sub":"1234567890","name":"John \"JD\" Doe, Jr.","#));
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed, serde_json::from_str::<Value>(PAYLOAD).unwrap());
    }

    #[test]
    fn pretty_keeps_the_key_order_and_matches_serde_json_layout() {
        let out = pretty(PAYLOAD);
        let keys: Vec<usize> = [
            "\"sub\"",
            "\"name\"",
            "\"admin\"",
            "\"roles\"",
            "\"address\"",
        ]
        .iter()
        .map(|k| out.find(k).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{out}");
        // On sorted input the layout is exactly serde_json's.
        let sorted: Value = serde_json::from_str(PAYLOAD).unwrap();
        let serde_pretty = serde_json::to_string_pretty(&sorted).unwrap();
        assert_eq!(
            pretty(&serde_json::to_string(&sorted).unwrap()),
            serde_pretty
        );
        assert_eq!(pretty("{}"), "{}");
    }

    #[test]
    fn with_member_replaces_in_place_or_puts_first() {
        let header = r#"{"typ":"JWT", "alg":"HS256","kid":"a,b"}"#;
        assert_eq!(
            with_member(header, "alg", r#""none""#),
            r#"{"typ":"JWT","alg":"none","kid":"a,b"}"#
        );
        assert_eq!(
            with_member(r#"{"typ":"JWT"}"#, "alg", r#""none""#),
            r#"{"alg":"none","typ":"JWT"}"#
        );
        assert_eq!(with_member("{}", "alg", r#""none""#), r#"{"alg":"none"}"#);
        // Escaped or repeated, the key is still the one a parser reads.
        assert_eq!(
            with_member(
                r#"{"\u0061lg":"HS256","typ":"JWT","alg":"RS256"}"#,
                "alg",
                r#""none""#
            ),
            r#"{"alg":"none","typ":"JWT"}"#
        );
        let nested = r#"{"x":{"alg":"HS256"},"alg":"RS256"}"#;
        assert_eq!(
            with_member(nested, "alg", r#""none""#),
            r#"{"x":{"alg":"HS256"},"alg":"none"}"#
        );
    }
}
