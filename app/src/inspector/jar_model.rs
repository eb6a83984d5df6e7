//! The cookie jar as a page sees it: what `document.cookie` shows, merged with what the server
//! received (`/api/echo`). The difference between the two lists is the lesson — HttpOnly
//! cookies travel with every request but page scripts never see them.

use serde_json::Value;

pub use crate::browser::MAX_COOKIE_BYTES;

/// One cookie of the jar.
#[derive(Clone, Debug, PartialEq)]
pub struct JarRow {
    pub name: String,
    /// The value, when page scripts can see it.
    pub script_value: Option<String>,
    /// Bytes of name plus value, as the server received it (or as scripts see it).
    pub size: usize,
    /// What the server said about it (`/api/echo`'s entry), if it received it.
    pub server: Option<Value>,
}

impl JarRow {
    /// HttpOnly cookies reach the server but not `document.cookie`.
    pub fn hidden_from_scripts(&self) -> bool {
        self.script_value.is_none() && self.server.is_some()
    }

    fn server_field(&self, key: &str) -> Option<&Value> {
        self.server.as_ref()?.get(key)
    }

    pub fn meaning(&self) -> String {
        self.server_field("meaning")
            .and_then(Value::as_str)
            .unwrap_or("Not received by the server yet: reload the jar.")
            .to_string()
    }

    /// DevTools' columns for this cookie: Path, Expires, HttpOnly, Secure, SameSite. Known
    /// for the server's own cookies; a script's cookie shows "?" where a page cannot tell.
    pub fn columns(&self) -> [String; 5] {
        let unknown = || "?".to_string();
        match self.server_field("attributes") {
            Some(Value::Object(a)) => {
                let flag = |k: &str| {
                    let on = a.get(k).and_then(Value::as_bool).unwrap_or(false);
                    (if on { "✓" } else { "—" }).to_string()
                };
                let text = |k: &str| {
                    a.get(k)
                        .and_then(Value::as_str)
                        .map_or_else(unknown, str::to_string)
                };
                let expires = match a.get("max_age_seconds").and_then(Value::as_u64) {
                    Some(seconds) => format!("Max-Age {seconds} s"),
                    None => "session".to_string(),
                };
                [
                    text("path"),
                    expires,
                    flag("http_only"),
                    flag("secure"),
                    text("same_site"),
                ]
            }
            // Visible to scripts, so certainly not HttpOnly; the rest a page cannot read.
            _ => [unknown(), unknown(), "—".to_string(), unknown(), unknown()],
        }
    }

    pub fn duplicated(&self) -> bool {
        self.server_field("duplicated")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// Splits `document.cookie` (`a=1; b=2`) into name/value pairs. A pair without `=` is a
/// cookie with an empty name, as browsers store it.
pub fn parse_document_cookie(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => (name.trim().to_string(), value.trim().to_string()),
            None => (String::new(), pair.to_string()),
        })
        .collect()
}

/// One row per cookie: in the order the browser sent them to the server, then any the
/// server did not receive (set since, or scoped to another path).
pub fn merge(script: &[(String, String)], echo_cookies: &[Value]) -> Vec<JarRow> {
    let mut rows: Vec<JarRow> = echo_cookies
        .iter()
        .filter_map(|entry| {
            let name = entry.get("name")?.as_str()?.to_string();
            let size = entry.get("size").and_then(Value::as_u64).unwrap_or(0) as usize;
            let script_value = script
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone());
            Some(JarRow {
                name,
                script_value,
                size,
                server: Some(entry.clone()),
            })
        })
        .collect();
    for (name, value) in script {
        if !rows.iter().any(|row| &row.name == name) {
            rows.push(JarRow {
                name: name.clone(),
                size: name.len() + value.len(),
                script_value: Some(value.clone()),
                server: None,
            });
        }
    }
    rows
}

/// The `Cookie` header the browser sends, rebuilt from the jar with HttpOnly values masked:
/// this page cannot know them, and should not.
pub fn cookie_header(rows: &[JarRow]) -> String {
    let pairs: Vec<String> = rows
        .iter()
        .filter(|row| row.server.is_some())
        .map(|row| match &row.script_value {
            Some(value) => format!("{}={}", row.name, value),
            None => format!(
                "{}=<{} bytes, HttpOnly>",
                row.name,
                row.size.saturating_sub(row.name.len())
            ),
        })
        .collect();
    if pairs.is_empty() {
        "(none: your browser holds no cookie for this site)".into()
    } else {
        format!("Cookie: {}", pairs.join("; "))
    }
}

/// What a cookie value says once decoded, when it is not plain text: percent-encoded text
/// (the plain lab's JSON), or a JWT (three base64url parts, the first starting `eyJ`).
pub fn decoded_value(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split('.').collect();
    if parts.len() == 3 && parts[0].starts_with("eyJ") {
        return Some("a JWT: paste it into the token decoder below to read it".into());
    }
    let decoded = percent_decode(value)?;
    (decoded != value).then_some(decoded)
}

/// `%XX` escapes decoded as UTF-8, as `decodeURIComponent` does; `None` if they are broken.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None; // `from_str_radix` would take "+A"
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What the browser did with a script's write of `name=wanted`, given what `document.cookie`
/// shows for `name` afterwards: kept it, kept something else, or refused it.
pub fn write_report(
    name: &str,
    wanted: &str,
    stored: Option<&str>,
    hidden_names: &[String],
) -> String {
    if stored == Some(wanted) {
        return format!("Saved {name}. Visit a profile to see what the server makes of it.");
    }
    // What is there may be the old value of a write the browser refused.
    match (refusal(name, wanted, hidden_names), stored) {
        (Some(reason), _) => reason,
        (None, Some(value)) => format!(
            "The browser stored {name}={value}, not what was typed: a ';' ends a cookie's \
             value, and spaces around it are dropped. Percent-encode such characters."
        ),
        (None, None) => UNEXPLAINED_REFUSAL.into(),
    }
}

const UNEXPLAINED_REFUSAL: &str =
    "The browser refused the cookie (check the name for spaces, ';' or '=')";

/// Why a cookie a script tried to write is not in the jar afterwards.
pub fn refused_write_reason(name: &str, value: &str, hidden_names: &[String]) -> String {
    refusal(name, value, hidden_names).unwrap_or_else(|| UNEXPLAINED_REFUSAL.into())
}

/// A rule that certainly makes the browser refuse this write, if one does.
fn refusal(name: &str, value: &str, hidden_names: &[String]) -> Option<String> {
    if name.len() + value.len() > MAX_COOKIE_BYTES {
        Some(format!(
            "The browser dropped it: {} bytes is over the 4096-byte limit for one cookie.",
            name.len() + value.len()
        ))
    } else if hidden_names.iter().any(|n| n == name) {
        Some("The browser refused: a page script cannot overwrite an HttpOnly cookie.".into())
    } else if name.starts_with("__Host-") || name.starts_with("__Secure-") {
        Some(
            "The browser refused: __Host- and __Secure- cookies must be set with Secure, over https."
                .into(),
        )
    } else {
        None
    }
}

/// The cookies page scripts can see, as Cookie-Editor exports them: a JSON array of
/// `{"name", "value"}`. HttpOnly cookies are not in it: no page can read them.
pub fn export(script: &[(String, String)]) -> String {
    let cookies: Vec<Value> = script
        .iter()
        .map(|(name, value)| serde_json::json!({"name": name, "value": value}))
        .collect();
    serde_json::to_string_pretty(&cookies).unwrap_or_default()
}

/// The cookies of an export (already parsed), or what is wrong with it.
pub fn import(json: &Value) -> Result<Vec<(String, String)>, String> {
    let Some(items) = json.as_array() else {
        return Err("Paste a JSON array of {\"name\": …, \"value\": …} objects.".into());
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let text = |key: &str| item.get(key).and_then(Value::as_str);
            match (text("name"), text("value")) {
                (Some(name), Some(value)) if !name.trim().is_empty() => {
                    Ok((name.to_owned(), value.to_owned()))
                }
                _ => Err(format!(
                    "Item {} needs a non-empty \"name\" and a \"value\", both strings.",
                    i + 1
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn echo() -> Vec<Value> {
        vec![
            json!({"name": "sid", "size": 29, "visible_to_scripts": false, "set_by_server": true,
                   "duplicated": false, "meaning": "A random session id.",
                   "attributes": {"http_only": true, "secure": false, "same_site": "Lax",
                                  "path": "/", "max_age_seconds": null, "persistent": false}}),
            json!({"name": "user", "size": 40, "visible_to_scripts": true, "set_by_server": true,
                   "duplicated": false, "meaning": "Plain JSON.",
                   "attributes": {"http_only": false, "secure": false, "same_site": "Lax",
                                  "path": "/", "max_age_seconds": null, "persistent": false}}),
            json!({"name": "token", "size": 300, "visible_to_scripts": false,
                   "set_by_server": true, "duplicated": false, "meaning": "A JWT.",
                   "attributes": {"http_only": true, "secure": true, "same_site": "Lax",
                                  "path": "/", "max_age_seconds": 1800, "persistent": true}}),
            json!({"name": "theme", "size": 9, "visible_to_scripts": true,
                   "set_by_server": false, "duplicated": true, "meaning": "Unknown.",
                   "attributes": null}),
        ]
    }

    #[test]
    fn values_are_decoded_inline_when_they_are_encoded() {
        assert_eq!(
            decoded_value("%7B%22username%22%3A%22ann%22%7D").as_deref(),
            Some("{\"username\":\"ann\"}")
        );
        assert_eq!(decoded_value("plain"), None);
        assert_eq!(
            decoded_value("100%"),
            None,
            "a broken escape is shown as is"
        );
        assert_eq!(decoded_value("%+A"), None, "as decodeURIComponent: not hex");
        assert_eq!(decoded_value("%é"), None);
        assert!(decoded_value("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")
            .unwrap()
            .contains("JWT"));
    }

    #[test]
    fn a_write_reports_what_the_browser_really_stored() {
        assert!(write_report("a", "1", Some("1"), &[]).starts_with("Saved a."));
        let cut = write_report("greeting", "hello world; x=1", Some("hello world"), &[]);
        assert!(cut.contains("stored greeting=hello world"), "{cut}");
        assert!(write_report("sid", "x", None, &["sid".into()]).contains("HttpOnly"));
        let big = "x".repeat(5000);
        let kept_old = write_report("theme", &big, Some("dark"), &[]);
        assert!(kept_old.contains("4096-byte limit"), "{kept_old}");
    }

    #[test]
    fn devtools_columns_come_from_the_servers_attributes() {
        let rows = merge(&[("theme".into(), "dark".into())], &echo());
        let token = rows.iter().find(|r| r.name == "token").unwrap();
        assert_eq!(
            token.columns(),
            ["/", "Max-Age 1800 s", "✓", "✓", "Lax"].map(String::from)
        );
        let sid = rows.iter().find(|r| r.name == "sid").unwrap();
        assert_eq!(sid.columns()[1], "session");
        let theme = rows.iter().find(|r| r.name == "theme").unwrap();
        assert_eq!(theme.columns()[2], "—");
    }

    #[test]
    fn document_cookie_is_split_into_pairs() {
        assert_eq!(
            parse_document_cookie("user=%7B%22a%22%7D; theme=dark;lonely"),
            [
                ("user".to_string(), "%7B%22a%22%7D".to_string()),
                ("theme".to_string(), "dark".to_string()),
                (String::new(), "lonely".to_string())
            ]
        );
        assert!(parse_document_cookie("").is_empty());
    }

    #[test]
    fn httponly_cookies_are_in_the_jar_but_hidden_from_scripts() {
        let script = parse_document_cookie("user=abc; theme=dark; fresh=1");
        let rows = merge(&script, &echo());
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["sid", "user", "token", "theme", "fresh"]);
        let hidden: Vec<bool> = rows.iter().map(JarRow::hidden_from_scripts).collect();
        assert_eq!(hidden, [true, false, true, false, false]);
        assert_eq!(rows[1].script_value.as_deref(), Some("abc"));
        assert_eq!(rows[4].size, 6);
        assert!(rows[4].meaning().contains("Not received"));
        assert!(rows[3].duplicated());
    }

    #[test]
    fn the_cookie_header_masks_what_scripts_cannot_see() {
        let rows = merge(&parse_document_cookie("user=abc; theme=dark"), &echo());
        assert_eq!(
            cookie_header(&rows),
            "Cookie: sid=<26 bytes, HttpOnly>; user=abc; token=<295 bytes, HttpOnly>; theme=dark"
        );
        assert!(cookie_header(&[]).starts_with("(none"));
    }

    #[test]
    fn refused_writes_are_explained() {
        let big = "x".repeat(4100);
        assert!(refused_write_reason("big", &big, &[]).contains("4096"));
        assert!(refused_write_reason("sid", "x", &["sid".into()]).contains("HttpOnly"));
        assert!(refused_write_reason("__Host-x", "1", &[]).contains("Secure"));
    }

    #[test]
    fn an_export_imports_back_and_bad_imports_say_why() {
        let jar = vec![
            ("user".to_owned(), "%7B%7D".to_owned()),
            ("x".to_owned(), "1".to_owned()),
        ];
        let exported = export(&jar);
        let parsed: Value = serde_json::from_str(&exported).unwrap();
        assert_eq!(import(&parsed).unwrap(), jar);
        assert!(import(&serde_json::json!({"name": "x"}))
            .unwrap_err()
            .contains("JSON array"));
        let missing = import(&serde_json::json!([{"name": "a", "value": "1"}, {"name": ""}]));
        assert!(missing.unwrap_err().starts_with("Item 2"));
    }
}
