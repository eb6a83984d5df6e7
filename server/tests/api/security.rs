//! Cross-site request refusal (docs/spec.md §9.3) on every state-changing route.

use crate::common::*;
use reqwest::StatusCode;

const CROSS_SITE: [&[(&str, &str)]; 4] = [
    &[("origin", "https://evil.example")],
    &[("origin", "null")],
    &[("sec-fetch-site", "cross-site")],
    &[
        ("sec-fetch-site", "same-site"),
        ("origin", "http://127.0.0.1:1"),
    ],
];

#[app_test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    app.logged_in_shopper("target").await;
    app.post_form("/shop/apple", &[]).await;
    for headers in CROSS_SITE {
        for path in [
            "/shop/apple",
            "/shop/checkout",
            "/shop/logout",
            "/api/shop/add_apple",
        ] {
            let response = app.post_form_with(path, &[], headers).await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} {headers:?}"
            );
        }
        let response = app
            .post_form_with(
                "/register",
                &[
                    ("username", "csrf_user"),
                    ("password", PASSWORD),
                    ("confirm", PASSWORD),
                ],
                headers,
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = app
            .post_form_with(
                "/shop/login",
                &[("username", "target"), ("password", PASSWORD)],
                headers,
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    // Still logged in, still one apple, and no account was made.
    assert!(app.apples_page().await.1.contains("You have 1 apple!"));
    assert_eq!(
        app.register("csrf_user").await.status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

#[app_test]
async fn same_origin_browser_posts_pass() {
    let app = spawn_app().await;
    app.register("friend").await;
    let origin = app.address.clone();
    let response = app
        .post_form_with(
            "/shop/login",
            &[("username", "friend"), ("password", PASSWORD)],
            &[("origin", &origin), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_is_redirect_to(&response, "/shop/login");
    // localhost is the same machine under another name: allowed in development.
    let port = origin.rsplit(':').next().unwrap();
    let localhost = format!("http://localhost:{port}");
    let response = app
        .post_form_with("/shop/apple", &[], &[("origin", &localhost)])
        .await;
    assert_is_redirect_to(&response, "/shop/apple");
    app.stop().await;
}

/// The refusal is the app's own error answer, like every other: a page with the reason off
/// the API, JSON with a stable code on it.
#[app_test]
async fn a_cross_site_refusal_says_why_as_a_page_or_as_json() {
    let app = spawn_app().await;
    let evil = [("origin", "https://evil.example")];
    let page = app.post_form_with("/shop/apple", &[], &evil).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let page = page.text().await.unwrap();
    assert!(page.contains("Refused"), "{page}");
    assert!(page.contains("came from another site"), "{page}");
    let api = app.post_form_with("/api/token", &[], &evil).await;
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"], "cross_site_request");
    app.stop().await;
}
