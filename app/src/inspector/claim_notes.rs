//! What each claim of a token means, and what should worry you about a token: the lessons a
//! decoder teaches. Registered claims are the seven of RFC 7519; public claims have a name in
//! the IANA "JSON Web Token Claims" registry (or a collision-proof URI); everything else is a
//! private claim, meaningful only between the issuer and its readers.

use serde_json::{Map, Value};

/// RFC 7519's three classes of claim names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimClass {
    Registered,
    Public,
    Private,
}

impl ClaimClass {
    pub fn label(self) -> &'static str {
        match self {
            ClaimClass::Registered => "registered",
            ClaimClass::Public => "public",
            ClaimClass::Private => "private",
        }
    }
}

/// One claim of a payload, explained.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimNote {
    pub name: String,
    pub class: ClaimClass,
    pub meaning: String,
    /// For `iat`, `nbf`, `exp`: the claim as Unix seconds, to show as a local date.
    pub unix_time: Option<i64>,
}

const REGISTERED: [(&str, &str); 7] = [
    ("iss", "Issuer: who made and signed the token. A server refuses tokens from an issuer it does not expect."),
    ("sub", "Subject: whom the token is about — usually a user id that never changes."),
    ("aud", "Audience: who the token is for. A server refuses tokens meant for another audience, so a token for one app cannot be replayed at another."),
    ("exp", "Expiration time: after this moment the token must be refused. Without it a stolen token works forever."),
    ("nbf", "Not before: the token must be refused until this moment."),
    ("iat", "Issued at: when the token was made."),
    ("jti", "JWT ID: a unique id for this one token, which lets a server revoke it by putting the id on a denylist."),
];

/// A few names of the IANA registry, with what Session Lab uses them for where it does.
const PUBLIC: [(&str, &str); 12] = [
    ("name", "The user's display name (a public claim of OpenID Connect)."),
    ("sid", "Session ID: here, the login that every re-issued token of one login shares. Logging out puts it on the denylist, which kills the earlier tokens too."),
    ("email", "The user's e-mail address — personal data that anyone holding the token can read."),
    ("email_verified", "Whether the e-mail address was checked."),
    ("given_name", "The user's given name."),
    ("family_name", "The user's family name."),
    ("preferred_username", "The name the user likes to be called by."),
    ("nonce", "A value that ties an OpenID Connect token to one login request, against replays."),
    ("auth_time", "When the user last typed their credentials."),
    ("scope", "What the token allows (OAuth 2.0 scopes)."),
    ("roles", "The user's roles."),
    ("client_id", "The OAuth 2.0 client the token was issued to."),
];

/// Session Lab's own private claims.
const PRIVATE: [(&str, &str); 2] = [
    ("count", "Session Lab's visit counter: each profile visit re-signs the token with count + 1."),
    ("ver", "The credentials version: a password change bumps it, and tokens carrying the old one are refused."),
];

/// Explains every claim of a payload: the registered ones first, in RFC 7519's order, then
/// the rest by name.
pub fn explain(payload: &Map<String, Value>) -> Vec<ClaimNote> {
    // The map keeps its keys sorted, so picking the registered names out first, in the RFC's
    // order, gives the whole order without a sort.
    let registered = REGISTERED
        .iter()
        .filter_map(|(name, _)| payload.get_key_value(*name));
    let others = payload
        .iter()
        .filter(|(name, _)| !REGISTERED.iter().any(|(n, _)| n == name));
    registered
        .chain(others)
        .map(|(name, value)| {
            let lookup = |table: &[(&str, &str)]| {
                table
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, m)| m.to_string())
            };
            let (class, meaning) = if let Some(m) = lookup(&REGISTERED) {
                (ClaimClass::Registered, m)
            } else if let Some(m) = lookup(&PUBLIC) {
                (ClaimClass::Public, m)
            } else if name.contains(':') {
                (
                    ClaimClass::Public,
                    "A public claim named by a URI, so it cannot collide with anyone else's."
                        .to_string(),
                )
            } else {
                let m = lookup(&PRIVATE).unwrap_or_else(|| {
                    "A private claim: its meaning is agreed between the issuer and the readers of \
                     the token, nobody else."
                        .to_string()
                });
                (ClaimClass::Private, m)
            };
            let unix_time = matches!(name.as_str(), "iat" | "nbf" | "exp")
                .then(|| value.as_i64())
                .flatten();
            ClaimNote {
                name: name.clone(),
                class,
                meaning,
                unix_time,
            }
        })
        .collect()
}

/// How serious a warning is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The token would be (or should be) refused.
    Danger,
    /// Worth knowing: not wrong, but risky.
    Caution,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub severity: Severity,
    pub text: String,
}

fn danger(text: impl Into<String>) -> Warning {
    Warning {
        severity: Severity::Danger,
        text: text.into(),
    }
}

fn caution(text: impl Into<String>) -> Warning {
    Warning {
        severity: Severity::Caution,
        text: text.into(),
    }
}

/// Everything worrying about a token, as of `now` (Unix seconds).
pub fn warnings(
    header: Option<&Map<String, Value>>,
    payload: Option<&Map<String, Value>>,
    now: i64,
) -> Vec<Warning> {
    let mut found = Vec::new();
    if let Some(header) = header {
        match header.get("alg").and_then(Value::as_str) {
            Some(alg) if alg.eq_ignore_ascii_case("none") => found.push(danger(
                "alg is \"none\": the token is not signed at all. Anyone can write one; a server \
                 must refuse it (Session Lab does, in any spelling).",
            )),
            Some(_) => {}
            None => found.push(danger(
                "The header has no alg: nobody can check this token.",
            )),
        }
        for key in ["jku", "x5u", "jwk", "x5c"] {
            if header.contains_key(key) {
                found.push(danger(format!(
                    "The header carries \"{key}\": it tells the server where to find the key. A \
                     server that followed it would check the token with the attacker's key."
                )));
            }
        }
    }
    let Some(payload) = payload else {
        return found;
    };
    for name in ["exp", "nbf", "iat"] {
        if let Some(value) = payload.get(name) {
            if !value.is_number() {
                found.push(danger(format!(
                    "{name} is not a number of seconds: RFC 7519 servers refuse it."
                )));
            }
        }
    }
    match payload.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp <= now => found.push(danger(format!(
            "Expired {}: servers refuse it.",
            relative_time(exp - now)
        ))),
        Some(_) => {}
        None if !payload.contains_key("exp") => found.push(caution(
            "No exp: this token never expires. If it leaks, it works forever.",
        )),
        None => {}
    }
    if let Some(nbf) = payload.get("nbf").and_then(Value::as_i64) {
        if nbf > now {
            found.push(danger(format!(
                "Not valid yet: it becomes valid {}.",
                relative_time(nbf - now)
            )));
        }
    }
    for (name, value) in payload {
        if let Some(why) = looks_sensitive(name, value) {
            found.push(caution(format!(
                "\"{name}\" {why}. A JWT is only encoded, not encrypted: anyone holding it can \
                 read every claim. Never put secrets in a token."
            )));
        }
    }
    found
}

/// Why a claim looks like something that should not travel in a readable token.
fn looks_sensitive(name: &str, value: &Value) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    const SECRET_NAMES: [&str; 6] = ["password", "passwd", "pwd", "secret", "api_key", "apikey"];
    if SECRET_NAMES.iter().any(|s| lower.contains(s)) {
        return Some("looks like a password or secret");
    }
    if ["card", "cvv", "iban", "ssn"]
        .iter()
        .any(|s| lower.contains(s))
    {
        return Some("looks like payment or identity data");
    }
    let text = value.as_str()?;
    if looks_like_card_number(text) {
        return Some("holds what looks like a card number");
    }
    if lower != "email" && is_email_like(text) {
        return Some("holds an e-mail address");
    }
    if lower == "email" {
        return Some("is an e-mail address, personal data");
    }
    None
}

fn is_email_like(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// 13 to 19 digits (spaces and dashes allowed) that pass the Luhn check.
fn looks_like_card_number(text: &str) -> bool {
    if !text
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (!i.is_multiple_of(2), d * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// "in 29 min 5 s", "3 h 2 min ago", "now": a difference in seconds, for people.
pub fn relative_time(seconds: i64) -> String {
    if seconds == 0 {
        return "now".into();
    }
    let magnitude = seconds.unsigned_abs();
    let (days, hours, minutes, secs) = (
        magnitude / 86_400,
        magnitude % 86_400 / 3600,
        magnitude % 3600 / 60,
        magnitude % 60,
    );
    let amount = if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else if minutes > 0 {
        format!("{minutes} min {secs} s")
    } else {
        format!("{secs} s")
    };
    if seconds > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// HMAC secrets that guessing tools try first, and why a short secret is weak: an attacker
/// who has one token can test billions of guesses offline.
pub fn weak_secret_warning(secret: &[u8]) -> Option<String> {
    const COMMON: [&str; 8] = [
        "secret",
        "password",
        "123456",
        "changeme",
        "jwt",
        "key",
        "your-256-bit-secret",
        "test",
    ];
    let text = String::from_utf8_lossy(secret).to_ascii_lowercase();
    if COMMON.contains(&text.as_str()) {
        return Some(format!(
            "\"{text}\" is one of the first secrets any attacker tries: whoever guesses it can sign any token."
        ));
    }
    (secret.len() < 32).then(|| {
        format!(
            "A {}-byte secret is weak: HS256 needs at least 32 random bytes, or an attacker with \
             one token can find the secret offline by trying guesses.",
            secret.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn claims_are_classed_and_explained_registered_first() {
        let payload = map(json!({
            "iss": "session-lab", "sub": "7", "name": "alice", "count": 3,
            "https://example.com/role": "admin", "favourite": "apples", "exp": 1700000000
        }));
        let notes = explain(&payload);
        let classes: Vec<(&str, ClaimClass)> =
            notes.iter().map(|n| (n.name.as_str(), n.class)).collect();
        assert_eq!(
            classes,
            [
                ("iss", ClaimClass::Registered),
                ("sub", ClaimClass::Registered),
                ("exp", ClaimClass::Registered),
                ("count", ClaimClass::Private),
                ("favourite", ClaimClass::Private),
                ("https://example.com/role", ClaimClass::Public),
                ("name", ClaimClass::Public),
            ]
        );
        assert!(notes[0].meaning.starts_with("Issuer"));
        assert!(notes[3].meaning.contains("visit counter"));
        assert!(notes[4].meaning.contains("private claim"));
        assert_eq!(notes[2].unix_time, Some(1700000000));
        assert_eq!(notes[0].unix_time, None);
    }

    #[test]
    fn alg_none_in_any_spelling_and_key_pointing_headers_are_dangers() {
        for alg in ["none", "None", "NONE"] {
            let found = warnings(Some(&map(json!({ "alg": alg }))), None, 0);
            assert_eq!(found.len(), 1, "{alg}");
            assert_eq!(found[0].severity, Severity::Danger);
            assert!(found[0].text.contains("not signed"));
        }
        let found = warnings(
            Some(&map(json!({"alg": "HS256", "jku": "https://evil"}))),
            None,
            0,
        );
        assert!(found[0].text.contains("\"jku\""));
        assert!(warnings(Some(&map(json!({"alg": "HS256", "typ": "JWT"}))), None, 0).is_empty());
    }

    #[test]
    fn expiry_and_not_before_are_judged_against_now() {
        let now = 1_000_000;
        let payload = map(json!({"exp": now - 90, "nbf": now + 30}));
        let texts: Vec<String> = warnings(None, Some(&payload), now)
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(
            texts,
            [
                "Expired 1 min 30 s ago: servers refuse it.",
                "Not valid yet: it becomes valid in 30 s."
            ]
        );
        assert!(warnings(None, Some(&map(json!({"exp": now + 60, "nbf": now}))), now).is_empty());
        let missing = warnings(None, Some(&map(json!({"sub": "1"}))), now);
        assert_eq!(missing[0].severity, Severity::Caution);
        assert!(missing[0].text.starts_with("No exp"));
        let string_exp = warnings(None, Some(&map(json!({"exp": "9999999999"}))), now);
        assert!(string_exp[0].text.contains("exp is not a number"));
    }

    #[test]
    fn claims_that_look_sensitive_are_flagged() {
        let payload = map(json!({
            "sub": "1", "exp": 2_000_000_000,
            "password": "hunter2", "email": "a@example.com", "contact": "bob@example.org",
            "note": "4111 1111 1111 1111", "order": "4111 1111 1111 1112", "cvv": "123"
        }));
        let texts: Vec<String> = warnings(None, Some(&payload), 0)
            .into_iter()
            .map(|w| w.text)
            .collect();
        let flagged: Vec<&str> = texts.iter().map(|t| t.split('"').nth(1).unwrap()).collect();
        assert_eq!(flagged, ["contact", "cvv", "email", "note", "password"]);
        assert!(texts
            .iter()
            .all(|t| t.contains("Never put secrets in a token")));
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative_time(0), "now");
        assert_eq!(relative_time(5), "in 5 s");
        assert_eq!(relative_time(-65), "1 min 5 s ago");
        assert_eq!(relative_time(1800), "in 30 min 0 s");
        assert_eq!(relative_time(-7320), "2 h 2 min ago");
        assert_eq!(relative_time(90_000), "in 1 d 1 h");
    }

    #[test]
    fn weak_secrets_are_named() {
        assert!(weak_secret_warning(b"secret")
            .unwrap()
            .contains("first secrets"));
        assert!(weak_secret_warning(b"short but not common")
            .unwrap()
            .contains("20-byte"));
        assert_eq!(weak_secret_warning(&[7u8; 32]), None);
    }
}
