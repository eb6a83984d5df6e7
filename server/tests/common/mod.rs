//! What the integration tests share: `spawn_app()` and a `TestApp` that behaves like one browser
//! (it keeps the session cookie, sends the app's own `Origin` on POSTs, and never follows
//! redirects, so tests see them), and the `#[app_test]` attribute every test carries.

// Each test binary (api, stores, logs) uses part of these.
#![allow(dead_code)]

pub use test_macros::app_test;

use reqwest::{header, redirect, Response, StatusCode};
use session_lab::{
    config::{Options, Settings},
    startup::Application,
};
use std::{
    net::SocketAddr,
    path::Path,
    sync::{Arc, Mutex},
};
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The cookies this "browser" keeps, as name and value, in the order first set.
    pub cookie: Arc<Mutex<Vec<(String, String)>>>,
    pub data_dir: Arc<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// Starts the app with default options (SQLite store) in a fresh data directory.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// Starts the app with these options; address and data directory are filled in.
pub async fn spawn_app_with(options: Options) -> TestApp {
    let data_dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    spawn_in(data_dir, options).await
}

/// Starts the app on an existing data directory (to test restarts).
pub async fn spawn_in(data_dir: Arc<TempDir>, options: Options) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        session_lab::telemetry::init(session_lab::config::LogFormat::Text);
    }
    let settings = settings_for(data_dir.path(), options);
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://{}", app.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            // A stuck request fails the test instead of hanging the whole run.
            .timeout(std::time::Duration::from_secs(60))
            // No idle keep-alive connections: `stop()`'s graceful shutdown waits for open
            // connections, and one once hung a heavily loaded CI run there.
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        cookie: Arc::default(),
        data_dir,
        stop: Some(stop),
        server: Some(server),
    }
}

pub fn settings_for(data_dir: &Path, options: Options) -> Settings {
    Settings::resolve(Options {
        addr: Some(
            options
                .addr
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0))),
        ),
        data_dir: Some(data_dir.to_owned()),
        ..options
    })
    .expect("valid test settings")
}

impl TestApp {
    /// Stops the server gracefully and waits until its stores are closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(std::time::Duration::from_secs(30), server)
                .await
                .expect("the server stops within 30 s of the shutdown signal")
                .unwrap()
                .unwrap();
        }
    }

    /// Another "browser" on the same server, with no cookies.
    pub fn new_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            client: self.client.clone(),
            cookie: Arc::default(),
            data_dir: self.data_dir.clone(),
            stop: None,
            server: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The `Cookie` header this browser sends, if it has any cookie.
    pub fn session_cookie(&self) -> Option<String> {
        let jar = self.cookie.lock().unwrap();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Replaces every cookie of this browser with the pairs of a `Cookie` header.
    pub fn set_session_cookie(&self, header: Option<&str>) {
        let mut jar = self.cookie.lock().unwrap();
        jar.clear();
        for pair in header.unwrap_or_default().split(';') {
            if let Some((name, value)) = pair.trim().split_once('=') {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// The value of one cookie this browser keeps.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        let jar = self.cookie.lock().unwrap();
        jar.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    /// Sets (or, with `None`, deletes) one cookie, as a page script could.
    pub fn put_cookie(&self, name: &str, value: Option<&str>) {
        let mut jar = self.cookie.lock().unwrap();
        jar.retain(|(n, _)| n != name);
        if let Some(value) = value {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }

    /// A GET with exactly this `Cookie` header (bytes, so tests can send anything).
    pub async fn get_with_cookie_bytes(&self, path: &str, cookie: &[u8]) -> Response {
        self.client
            .get(self.url(path))
            .header(
                header::COOKIE,
                header::HeaderValue::from_bytes(cookie).unwrap(),
            )
            .send()
            .await
            .expect("GET reaches the server")
    }

    /// Registers `username` and logs this browser in to one mode (`cookie`, `jwt`, …).
    pub async fn logged_in_to(&self, mode: &str, username: &str) {
        assert_eq!(
            self.register(username).await.status(),
            StatusCode::SEE_OTHER
        );
        let response = self.mode_login(mode, username, PASSWORD).await;
        assert_is_redirect_to(&response, &format!("/{mode}/profile"));
    }

    pub async fn mode_login(&self, mode: &str, username: &str, password: &str) -> Response {
        self.post_form(
            &format!("/{mode}/login"),
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// The profile page's greeting, or the response when it is not a page.
    pub async fn profile(&self, mode: &str) -> Result<String, Response> {
        let response = self.get(&format!("/{mode}/profile")).await;
        if response.status() != StatusCode::OK {
            return Err(response);
        }
        let page = response.text().await.unwrap();
        let start = page.find("welcome ").expect("a greeting");
        let end = start + page[start..].find('<').unwrap();
        Ok(page[start..end].to_owned())
    }

    /// The status `GET /api/me` answers with this Bearer token.
    pub async fn bearer_status(&self, token: &str) -> StatusCode {
        self.client
            .get(self.url("/api/me"))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET reaches the server")
            .status()
    }

    /// The server's HS256 JWT secret, as a test with access to the machine could read it.
    pub fn jwt_secret(&self) -> Vec<u8> {
        let path = self.data_dir.path().join("secrets/jwt-hs256.key");
        hex_decode(std::fs::read_to_string(path).unwrap().trim())
    }

    /// The server's cookie key.
    pub fn cookie_key(&self) -> cookie::Key {
        let path = self.data_dir.path().join("secrets/cookie.key");
        cookie::Key::from(&hex_decode(std::fs::read_to_string(path).unwrap().trim()))
    }

    pub async fn get(&self, path: &str) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(cookie) = self.session_cookie() {
            request = request.header(header::COOKIE, cookie);
        }
        self.remember(request.send().await.expect("GET reaches the server"))
    }

    /// A same-origin form POST, as the app's own pages send it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.post_form_with(path, form, &[("origin", &self.address.clone())])
            .await
    }

    pub async fn post_form_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self.client.post(self.url(path)).form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(cookie) = self.session_cookie() {
            request = request.header(header::COOKIE, cookie);
        }
        self.remember(request.send().await.expect("POST reaches the server"))
    }

    pub async fn register(&self, username: &str) -> Response {
        self.post_form(
            "/register",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await
    }

    /// `POST /account/password` from `PASSWORD` to `new_password`.
    pub async fn change_password(&self, username: &str, new_password: &str) -> Response {
        self.post_form(
            "/account/password",
            &[
                ("username", username),
                ("current", PASSWORD),
                ("password", new_password),
                ("confirm", new_password),
            ],
        )
        .await
    }

    pub async fn shop_login(&self, username: &str, password: &str) -> Response {
        self.post_form(
            "/shop/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Registers `username` and logs this browser in to the shop.
    pub async fn logged_in_shopper(&self, username: &str) {
        assert_eq!(
            self.register(username).await.status(),
            StatusCode::SEE_OTHER
        );
        let response = self.shop_login(username, PASSWORD).await;
        assert_is_redirect_to(&response, "/shop/login");
    }

    pub async fn apples_page(&self) -> (StatusCode, String) {
        let response = self.get("/shop/apple").await;
        (response.status(), response.text().await.unwrap())
    }

    /// Keeps cookies as a browser would: set, replaced, or deleted by Max-Age=0.
    fn remember(&self, response: Response) -> Response {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap().trim();
            let (name, value) = pair.split_once('=').unwrap();
            let deleted = text.contains("Max-Age=0");
            self.put_cookie(name, (!deleted).then_some(value));
        }
        response
    }
}

pub fn assert_is_redirect_to(response: &Response, location: &str) {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "expected a 303");
    assert_eq!(response.headers()[header::LOCATION], location);
}

/// The `Set-Cookie` headers of a response, as text.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// A fresh, valid username per test: tests share nothing, not even names.
pub fn username(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}_{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

pub fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The one `Set-Cookie` header for cookie `name`.
pub fn set_cookie_named(response: &Response, name: &str) -> Option<String> {
    set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// One row of the sessions page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRow {
    /// `session`, `shop`, `signed-cookie`, `jwt`, `api`, or `cookie` (the plain cookie).
    pub kind: String,
    /// The id its "End" button sends; `None` for this browser's own logins and ended ones.
    pub id: Option<String>,
    pub this_browser: bool,
}

/// The rows of a sessions page, in page order.
pub fn login_rows(page: &str) -> Vec<LoginRow> {
    page.split(r#"<tr data-testid="login""#)
        .skip(1)
        .map(|row| {
            let row = row.split("</tr>").next().unwrap();
            let attribute = |name: &str| {
                let start = row.find(&format!("{name}=\""))? + name.len() + 2;
                Some(row[start..start + row[start..].find('"')?].to_owned())
            };
            let id = row.find(r#"name="login""#).and_then(|at| {
                let rest = &row[at..];
                let start = rest.find("value=\"")? + 7;
                Some(rest[start..start + rest[start..].find('"')?].to_owned())
            });
            LoginRow {
                kind: attribute("data-kind").unwrap(),
                id,
                this_browser: attribute("data-this-browser").is_some(),
            }
        })
        .collect()
}

impl TestApp {
    /// `POST /api/token` for `username` (with `PASSWORD`): the JSON answer.
    pub async fn api_login(&self, username: &str) -> serde_json::Value {
        let response = self
            .client
            .post(self.url("/api/token"))
            .header("user-agent", "SessionLabTest/1.0")
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// `POST /api/token/refresh` with this refresh token, as JSON.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.client
            .post(self.url("/api/token/refresh"))
            .json(&serde_json::json!({ "refresh_token": refresh_token }))
            .send()
            .await
            .unwrap()
    }

    /// `GET /account/sessions`: its status and page.
    pub async fn sessions_page(&self) -> (StatusCode, String) {
        let response = self.get("/account/sessions").await;
        (response.status(), response.text().await.unwrap())
    }

    /// This browser's sessions page's rows (the page must answer `200`).
    pub async fn login_rows(&self) -> Vec<LoginRow> {
        let (status, page) = self.sessions_page().await;
        assert_eq!(status, StatusCode::OK, "{page}");
        login_rows(&page)
    }

    /// "End" on the sessions page for the login `id`.
    pub async fn end_login(&self, id: &str) -> Response {
        self.post_form("/account/sessions/end", &[("login", id)])
            .await
    }

    /// The id of the only row of `kind` that this browser can end.
    pub async fn login_id(&self, kind: &str) -> String {
        let rows = self.login_rows().await;
        let mut ids = rows
            .iter()
            .filter(|r| r.kind == kind)
            .filter_map(|r| r.id.clone());
        let id = ids
            .next()
            .unwrap_or_else(|| panic!("no {kind} row in {rows:?}"));
        assert!(ids.next().is_none(), "several {kind} rows in {rows:?}");
        id
    }
}
