//! The browser helpers off the browser: while the server renders an island, the event handlers
//! and effects that would call them never run; `parse_json` is real (serde_json), since the
//! viewer's plain-Rust logic uses it in native tests too.

#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub redirected_to: Option<String>,
    pub retry_after: Option<String>,
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
pub fn local_date(unix: i64) -> String {
    format!("{unix} (Unix seconds)")
}
pub fn script_cookies() -> String {
    String::new()
}
pub fn set_text(_id: &str, _text: &str) {}
pub fn set_html(_id: &str, _html: &str) {}
pub fn on_submit(_id: &str, _f: impl Fn() + 'static) {}
pub fn show_alert_before(_id: &str, _class: &str, _message: Option<&str>) {}
pub fn write_cookie(_name: &str, _value: &str, _max_age: Option<u64>) {}
pub fn write_cookie_at(_name: &str, _value: &str, _path: &str, _max_age: Option<u64>) {}
pub fn millis() -> f64 {
    0.0
}
pub fn navigate(_url: &str) {}
pub fn page_says(_html: &str) -> (Option<String>, String) {
    (None, String::new())
}
pub async fn fetch(
    _method: &str,
    _url: &str,
    _headers: &[(&str, &str)],
    _body: Option<String>,
) -> Result<Answer, String> {
    Err("only in the browser".into())
}
pub fn every_second(_f: impl Fn() + 'static) {}
pub fn every(_period: std::time::Duration, _f: impl Fn() + 'static) {}
/// serde_json off the browser; the wasm build asks the browser's `JSON.parse` instead.
pub fn parse_json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}
