//! `spawn_app()` and a `TestApp` that behaves like one browser: it keeps the session cookie,
//! sends the app's own `Origin` on POSTs, and never follows redirects, so tests see them.

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
    /// The `Cookie` header this "browser" sends (the session cookie, as last set).
    pub cookie: Arc<Mutex<Option<String>>>,
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
            server.await.unwrap().unwrap();
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

    pub fn session_cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    pub fn set_session_cookie(&self, value: Option<&str>) {
        *self.cookie.lock().unwrap() = value.map(str::to_owned);
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

    /// Keeps the session cookie as a browser would: set, replaced, or deleted by Max-Age=0.
    fn remember(&self, response: Response) -> Response {
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap().trim();
            let deleted = text.contains("Max-Age=0");
            *self.cookie.lock().unwrap() = if deleted { None } else { Some(pair.to_owned()) };
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
