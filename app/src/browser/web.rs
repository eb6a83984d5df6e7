//! The browser side: web-sys calls for the clock, `document.cookie`, the page's text, `fetch`
//! to the server's JSON API (same origin, cookies included), and the browser's `JSON.parse`.

use js_sys::{Array, Date, Object, Reflect, JSON};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlDocument, RequestInit, Response};

/// Unix seconds, by the browser's clock.
pub fn now() -> i64 {
    (Date::now() / 1000.0) as i64
}

/// A Unix time as the browser's local date and time.
pub fn local_date(unix: i64) -> String {
    let date = Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    String::from(date.to_string())
}

fn document() -> Option<HtmlDocument> {
    web_sys::window()?.document()?.dyn_into().ok()
}

/// `document.cookie`: only the cookies page scripts may see (never the HttpOnly ones).
pub fn script_cookies() -> String {
    document().and_then(|d| d.cookie().ok()).unwrap_or_default()
}

/// Writes a cookie for one path only, as an attacker's script could, so it goes along with
/// requests to that path and leaves the cookie of the same name at `/` alone. `max_age` 0
/// deletes it. A `__Host-`/`__Secure-` name gets `Secure`, without which browsers refuse it.
pub fn write_cookie_at(name: &str, value: &str, path: &str, max_age: Option<u64>) {
    let prefixed = name.starts_with("__Host-") || name.starts_with("__Secure-");
    set_cookie(name, value, path, prefixed, max_age);
}

fn set_cookie(name: &str, value: &str, path: &str, secure: bool, max_age: Option<u64>) {
    let mut text = format!("{name}={value}; Path={path}; SameSite=Lax");
    if secure {
        text.push_str("; Secure");
    }
    if let Some(seconds) = max_age {
        text.push_str(&format!("; Max-Age={seconds}"));
    }
    if let Some(document) = document() {
        let _ = document.set_cookie(&text);
    }
}

/// Milliseconds since the page started, for rates.
pub fn millis() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(Date::now, |p| p.now())
}

/// Sends the browser to `url`.
pub fn navigate(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
}

/// What a page of HTML says: the notice of a login page (its code and words), the welcome of
/// a profile, or the heading and first paragraph of any other page.
pub fn page_says(html: &str) -> (Option<String>, String) {
    let Some(parsed) = web_sys::DomParser::new().ok().and_then(|parser| {
        parser
            .parse_from_string(html, web_sys::SupportedType::TextHtml)
            .ok()
    }) else {
        return (None, String::new());
    };
    let text = |selector: &str| {
        parsed
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|element| element.text_content())
            .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let notice = parsed
        .query_selector("[data-notice]")
        .ok()
        .flatten()
        .and_then(|element| element.get_attribute("data-notice"));
    let says = text("[data-testid=notice]")
        .or_else(|| text("[data-testid=welcome]"))
        .or_else(|| {
            let heading = text("main h1")?;
            Some(match text("main p") {
                Some(paragraph) => format!("{heading}: {paragraph}"),
                None => heading,
            })
        })
        .unwrap_or_default();
    (notice, says)
}

/// Writes a cookie as a page script can: `Path=/`, `SameSite=Lax`, a session cookie unless
/// `max_age` is given (0 deletes it). The browser ignores the write if the cookie is HttpOnly
/// or too big, which is the lesson, so the jar re-reads `document.cookie` afterwards.
pub fn write_cookie(name: &str, value: &str, max_age: Option<u64>) {
    // Never `Secure`: the jar shows the browser refusing a prefixed name without it.
    set_cookie(name, value, "/", false, max_age);
}

/// Replaces the text of the element with this id, if the page has one.
pub fn set_text(id: &str, text: &str) {
    if let Some(element) = document().and_then(|d| d.get_element_by_id(id)) {
        element.set_text_content(Some(text));
    }
}

/// Calls `f` on each submit of the form with this id, in place of sending it.
pub fn on_submit(id: &str, f: impl Fn() + 'static) {
    let Some(form) = document().and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    let handler = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        ev.prevent_default();
        f();
    });
    let _ = form.add_event_listener_with_callback("submit", handler.as_ref().unchecked_ref());
    // The form lives as long as the page.
    handler.forget();
}

/// Shows `message` in a `<p class="{class}" role="alert">` just before the element with this id,
/// in place of the one shown before; `None` takes it away.
pub fn show_alert_before(id: &str, class: &str, message: Option<&str>) {
    let Some(document) = document() else { return };
    let Some(anchor) = document.get_element_by_id(id) else {
        return;
    };
    if let Some(shown) = anchor
        .previous_element_sibling()
        .filter(|e| e.get_attribute("role").as_deref() == Some("alert"))
    {
        shown.remove();
    }
    if let (Some(message), Ok(alert)) = (message, document.create_element("p")) {
        alert.set_class_name(class);
        let _ = alert.set_attribute("role", "alert");
        alert.set_text_content(Some(message));
        let _ = anchor.before_with_node_1(&alert);
    }
}

/// Replaces the content of the element with this id by HTML the server rendered (its own
/// escaped markup, never text from elsewhere), if the page has the element.
pub fn set_html(id: &str, html: &str) {
    if let Some(element) = document().and_then(|d| d.get_element_by_id(id)) {
        element.set_inner_html(html);
    }
}

/// What came back from the server: the status and the body text, and where the browser was
/// redirected to (its path), if it was.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub redirected_to: Option<String>,
    pub retry_after: Option<String>,
}

/// A same-origin request. `body` is sent as JSON, unless `headers` give another Content-Type.
pub async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Result<Answer, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let header_object = js_sys::Object::new();
    for (name, value) in headers {
        let _ = Reflect::set(&header_object, &(*name).into(), &(*value).into());
    }
    if let Some(body) = body {
        // JSON unless the caller named another type (a form).
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        {
            let _ = Reflect::set(
                &header_object,
                &"Content-Type".into(),
                &"application/json".into(),
            );
        }
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&header_object);
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| "The server could not be reached.".to_string())?
        .dyn_into()
        .map_err(|_| "fetch returned no response".to_string())?;
    let text = JsFuture::from(response.text().map_err(|_| "unreadable body")?)
        .await
        .map_err(|_| "unreadable body")?;
    let redirected_to = response.redirected().then(|| {
        let url = response.url();
        // The path and query of a same-origin URL: what the server's Location named.
        url.splitn(4, '/')
            .nth(3)
            .map_or(url.clone(), |path| format!("/{path}"))
    });
    Ok(Answer {
        status: response.status(),
        body: text.as_string().unwrap_or_default(),
        redirected_to,
        retry_after: response.headers().get("retry-after").ok().flatten(),
    })
}

/// Calls `f` every second for as long as the page lives: the countdowns' heartbeat.
pub fn every_second(f: impl Fn() + 'static) {
    every(std::time::Duration::from_secs(1), f);
}

/// Calls `f` every `period` for as long as the page lives.
pub fn every(period: std::time::Duration, f: impl Fn() + 'static) {
    let _ = leptos::prelude::set_interval_with_handle(f, period);
}

/// Parses JSON with the browser's own `JSON.parse`. serde_json's parser would cost the bundle
/// about 30 KB (with float formatting for its error messages); its `Value` stays the model.
pub fn parse_json(text: &str) -> Result<Value, String> {
    JSON::parse(text).map(|js| to_value(&js)).map_err(|e| {
        e.dyn_into::<js_sys::Error>()
            .map_or_else(|_| "invalid JSON".into(), |e| e.message().into())
    })
}

fn to_value(js: &JsValue) -> Value {
    if let Some(b) = js.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = js.as_f64() {
        // JSON.parse reads every number as a double; whole ones within its exact range stay
        // integers, as serde_json would read them.
        if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
            Value::from(n as i64)
        } else {
            Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    } else if let Some(s) = js.as_string() {
        Value::String(s)
    } else if Array::is_array(js) {
        Value::Array(Array::from(js).iter().map(|item| to_value(&item)).collect())
    } else if js.is_object() {
        // Inserted one by one: collecting into the map would sort the entries first, and
        // link a stable sort (1.7 KB brotli).
        let mut map = Map::new();
        for entry in Object::entries(js.unchecked_ref()).iter() {
            let pair = Array::from(&entry);
            if let Some(key) = pair.get(0).as_string() {
                map.insert(key, to_value(&pair.get(1)));
            }
        }
        Value::Object(map)
    } else {
        Value::Null
    }
}
