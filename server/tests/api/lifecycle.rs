//! Health, readiness, restarts, store choice and start-up refusals.

use crate::common::*;
use reqwest::StatusCode;
use session_lab::{
    config::{Options, Profile},
    startup::Application,
};

#[app_test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["sessions"], "ok");
    app.stop().await;
}

#[app_test]
async fn a_restart_loses_no_session_and_no_cart() {
    let app = spawn_app().await;
    app.logged_in_shopper("durable").await;
    for _ in 0..2 {
        app.post_form("/shop/apple", &[]).await;
    }
    let cookie = app.session_cookie();
    let data_dir = app.data_dir.clone();
    app.stop().await;

    let restarted = spawn_in(data_dir, Options::default()).await;
    restarted.set_session_cookie(cookie.as_deref());
    let (status, page) = restarted.apples_page().await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("You have 2 apples!"));
    restarted.stop().await;
}

#[app_test]
async fn the_memory_store_works_and_forgets_on_restart() {
    let options = Options {
        session_store: Some("memory".into()),
        ..Options::default()
    };
    let app = spawn_app_with(options.clone()).await;
    app.logged_in_shopper("forgetful").await;
    app.post_form("/shop/apple", &[]).await;
    assert!(app.apples_page().await.1.contains("You have 1 apple!"));
    let cookie = app.session_cookie();
    let data_dir = app.data_dir.clone();
    app.stop().await;

    let restarted = spawn_in(data_dir, options).await;
    restarted.set_session_cookie(cookie.as_deref());
    assert_eq!(restarted.apples_page().await.0, StatusCode::UNAUTHORIZED);
    restarted.stop().await;
}

#[app_test]
async fn secrets_are_generated_once_with_owner_only_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    for name in ["cookie.key", "jwt-hs256.key"] {
        let path = app.data_dir.path().join("secrets").join(name);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    app.stop().await;
}

#[app_test]
async fn the_production_profile_refuses_to_start_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_for(
        dir.path(),
        Options {
            profile: Some(Profile::Production),
            public_url: Some("https://lab.example.com".into()),
            ..Options::default()
        },
    );
    let error = Application::build(settings)
        .await
        .err()
        .expect("start refused");
    assert!(
        error
            .to_string()
            .contains("production profile never generates"),
        "{error}"
    );
}

#[app_test]
async fn unknown_pages_are_404() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
