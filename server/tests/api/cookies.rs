//! Session cookie attributes (docs/spec.md §7) and session id handling (docs/spec.md §9.1, §9.2).

use crate::common::*;
use reqwest::{header, StatusCode};
use session_lab::config::Options;

fn session_set_cookie(response: &reqwest::Response) -> String {
    set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with("sid=") || c.starts_with("__Host-sid="))
        .expect("a session cookie is set")
}

#[app_test]
async fn the_session_cookie_is_httponly_lax_root_path_and_ends_with_the_browser() {
    let app = spawn_app().await;
    app.register("attr").await;
    let response = app.shop_login("attr", PASSWORD).await;
    let cookie = session_set_cookie(&response);
    assert!(cookie.starts_with("sid="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    for absent in ["Max-Age", "Expires", "Secure", "Domain"] {
        assert!(!cookie.contains(absent), "{absent} present: {cookie}");
    }
    app.stop().await;
}

#[app_test]
async fn over_https_the_cookie_is_secure_with_the_host_prefix() {
    let app = spawn_app_with(Options {
        public_url: Some("https://lab.example".into()),
        ..Options::default()
    })
    .await;
    let https = [("origin", "https://lab.example")];
    let registered = app
        .post_form_with(
            "/register",
            &[
                ("username", "secure"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
            &https,
        )
        .await;
    assert_is_redirect_to(&registered, "/");
    let response = app
        .post_form_with(
            "/shop/login",
            &[("username", "secure"), ("password", PASSWORD)],
            &https,
        )
        .await;
    let cookie = session_set_cookie(&response);
    assert!(cookie.starts_with("__Host-sid="), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && cookie.contains("HttpOnly"));
    let logout = app.post_form_with("/shop/logout", &[], &https).await;
    let deletion = session_set_cookie(&logout);
    for attribute in ["Max-Age=0", "Secure", "HttpOnly", "Path=/"] {
        assert!(
            deletion.contains(attribute),
            "{attribute} missing: {deletion}"
        );
    }
    app.stop().await;
}

#[app_test]
async fn logout_deletes_the_cookie_with_its_attributes_and_the_record_server_side() {
    let app = spawn_app().await;
    app.logged_in_shopper("leaver").await;
    let old_cookie = app.session_cookie().unwrap();
    let logout = app.post_form("/shop/logout", &[]).await;
    assert_is_redirect_to(&logout, "/shop");
    let deletion = session_set_cookie(&logout);
    for attribute in ["Max-Age=0", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            deletion.contains(attribute),
            "{attribute} missing: {deletion}"
        );
    }
    // Replaying the old cookie: the server has no record behind it any more.
    let replay = app.new_browser();
    replay.set_session_cookie(Some(&old_cookie));
    let (status, page) = replay.apples_page().await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("You are not logged in"));
    let replayed_add = replay.post_form("/shop/apple", &[]).await;
    assert_eq!(replayed_add.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[app_test]
async fn every_login_issues_a_new_session_id() {
    let app = spawn_app().await;
    app.logged_in_shopper("fixed").await;
    let first = app.session_cookie().unwrap();
    let again = app.shop_login("fixed", PASSWORD).await;
    assert_is_redirect_to(&again, "/shop/login");
    let second = app.session_cookie().unwrap();
    assert_ne!(first, second, "a login never keeps the previous id");
    // The previous id is gone, not merely replaced in this browser.
    let old = app.new_browser();
    old.set_session_cookie(Some(&first));
    assert_eq!(old.apples_page().await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[app_test]
async fn a_planted_session_id_is_never_adopted() {
    let app = spawn_app().await;
    app.register("victim").await;
    // An attacker plants a well-formed id of their choosing, then the victim logs in.
    let planted = "sid=AAAAAAAAAAAAAAAAAAAAAA";
    app.set_session_cookie(Some(planted));
    let response = app.shop_login("victim", PASSWORD).await;
    assert_is_redirect_to(&response, "/shop/login");
    let issued = app.session_cookie().unwrap();
    assert_ne!(issued, planted);
    let attacker = app.new_browser();
    attacker.set_session_cookie(Some(planted));
    assert_eq!(attacker.apples_page().await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[app_test]
async fn malformed_or_unknown_session_ids_are_anonymous_and_cleared() {
    let app = spawn_app().await;
    for cookie in [
        "sid=not-a-session-id",
        "sid=",
        "sid=AAAAAAAAAAAAAAAAAAAAAA",
        "sid=%00%ff",
        "sid=a; sid=b",
    ] {
        let response = app
            .client
            .get(app.url("/shop/apple"))
            .header(header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{cookie}");
    }
    // An unknown id is answered with a deletion of that cookie.
    let response = app
        .client
        .get(app.url("/shop/apple"))
        .header(header::COOKIE, "sid=AAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .unwrap();
    assert!(session_set_cookie(&response).contains("Max-Age=0"));
    app.stop().await;
}

#[app_test]
async fn personal_pages_are_never_cached() {
    let app = spawn_app().await;
    app.logged_in_shopper("cache").await;
    for path in ["/shop", "/shop/login", "/shop/apple", "/shop/checkout", "/"] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-store",
            "{path}"
        );
    }
    let post = app.post_form("/shop/checkout", &[]).await;
    assert_eq!(post.headers()[header::CACHE_CONTROL], "no-store");
    app.stop().await;
}
