//! docs/spec.md §9.6: secrets, tokens, passwords and session ids never appear in logs. This binary
//! captures every log line at debug level while the shop, the four login labs and the token
//! API run, then searches it.
//! (Its own binary: the capturing subscriber is global.)

mod common;

use common::*;
use std::{
    io::Write,
    sync::{Arc, Mutex},
};
use tracing_subscriber::{fmt::MakeWriter, EnvFilter};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[app_test]
async fn no_password_session_id_or_secret_reaches_the_logs() {
    let logs = Captured::default();
    // The HTTP client in this same process logs too; its lines are not the server's.
    let filter = EnvFilter::new("debug,hyper=info,hyper_util=info,reqwest=info,h2=info");
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(logs.clone())
        .with_ansi(false)
        .init();

    let app = spawn_app().await;
    let password = "a very distinctive passphrase";
    let registration = [
        ("username", "logged"),
        ("password", password),
        ("confirm", password),
    ];
    app.post_form("/register", &registration).await;
    app.shop_login("logged", "another distinctive guess").await;
    app.shop_login("logged", password).await;
    let session_id = app.session_cookie().expect("logged in");
    app.post_form("/shop/apple", &[]).await;
    app.get("/shop/apple").await;
    app.post_form("/shop/checkout", &[]).await;
    app.post_form("/shop/logout", &[]).await;

    let mut lab_values = Vec::new();
    for (mode, cookie) in [
        ("cookie", "user"),
        ("signed-cookie", "signed_user"),
        ("session", "sid"),
        ("jwt", "token"),
    ] {
        app.mode_login(mode, "logged", password).await;
        app.get(&format!("/{mode}/profile")).await;
        lab_values.push((cookie, app.cookie_value(cookie).expect("logged in")));
        app.get("/api/echo").await;
        app.post_form(&format!("/{mode}/logout"), &[]).await;
        app.get(&format!("/{mode}/profile")).await;
    }
    // Replaying the logged-out token logs the refusal (and must not log the token).
    let revoked = &lab_values.last().unwrap().1;
    app.get_with_cookie_bytes("/jwt/profile", format!("token={revoked}").as_bytes())
        .await;
    let token = app
        .client
        .post(app.url("/api/token"))
        .header("origin", &app.address)
        .form(&[("username", "logged"), ("password", password)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let access_token = token.split('"').nth(3).expect("an access token").to_owned();
    app.client
        .get(app.url("/api/me"))
        .bearer_auth(&access_token)
        .send()
        .await
        .unwrap();
    let secrets = app.data_dir.path().join("secrets");
    let cookie_key = std::fs::read_to_string(secrets.join("cookie.key")).unwrap();
    let jwt_secret = std::fs::read_to_string(secrets.join("jwt-hs256.key")).unwrap();
    app.stop().await;

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("shop login"), "the flow was logged:\n{text}");
    let id = session_id.trim_start_matches("sid=");
    for (what, secret) in [
        ("password", password),
        ("failed password", "another distinctive guess"),
        ("session id", id),
        ("cookie key", cookie_key.trim()),
        ("JWT secret", jwt_secret.trim()),
    ] {
        assert!(!text.contains(secret), "{what} appears in the logs");
    }
    assert!(
        text.contains("token refused"),
        "the JWT lab was logged:\n{text}"
    );
    for (cookie, value) in &lab_values {
        assert!(
            !text.contains(value.as_str()),
            "the {cookie} cookie's value appears in the logs"
        );
    }
    assert!(
        !text.contains(&access_token),
        "an API token appears in the logs"
    );
    // A token's signature alone would let nobody in, but its payload is personal data.
    let payload = access_token.split('.').nth(1).unwrap();
    assert!(
        !text.contains(payload),
        "a token payload appears in the logs"
    );
}
