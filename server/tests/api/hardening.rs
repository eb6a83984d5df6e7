//! Security headers and abuse limits (issue "Hardening"): every response carries the headers
//! and a Content-Security-Policy whose nonce is the one on the page's inline script; oversized
//! headers and bodies, too many password checks and too many new sessions from one client are
//! refused with a 4xx before they cost anything.

use crate::common::*;
use reqwest::{header, StatusCode};
use session_lab::config::Options;

const PAGES: [&str; 8] = [
    "/",
    "/inspector",
    "/shop/apple",
    "/jwt/login",
    "/no/such/page",
    "/api/echo",
    "/healthz",
    "/pkg/session-lab.css",
];

fn header_of(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} on {}", response.url()))
        .to_str()
        .unwrap()
        .to_owned()
}

#[app_test]
async fn every_response_carries_the_security_headers_and_no_hsts_on_http() {
    let app = spawn_app().await;
    app.logged_in_shopper("headers").await;
    for path in PAGES {
        let response = app.get(path).await;
        assert_eq!(header_of(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header_of(&response, "referrer-policy"), "same-origin");
        assert_eq!(
            header_of(&response, "cross-origin-opener-policy"),
            "same-origin"
        );
        let csp = header_of(&response, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_none(),
            "{path}: HSTS over plain http"
        );
    }
    // Refusals get them too.
    let refused = app
        .post_form_with("/shop/apple", &[], &[("origin", "https://evil.example")])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.headers().contains_key("content-security-policy"));
    app.stop().await;
}

#[app_test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let app = spawn_app_with(Options {
        public_url: Some("https://lab.example".into()),
        ..Options::default()
    })
    .await;
    let response = app.get("/healthz").await;
    assert!(header_of(&response, "strict-transport-security").starts_with("max-age="));
    app.stop().await;
}

/// The `nonce-…` source of a policy.
fn policy_nonce(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce in the policy") + "'nonce-".len();
    csp[start..].split('\'').next().unwrap().to_owned()
}

/// The nonces on the page's `<script>` elements.
fn script_nonces(html: &str) -> Vec<String> {
    html.split("<script")
        .skip(1)
        .map(|script| {
            let tag = script.split('>').next().unwrap();
            let start = tag
                .find("nonce=\"")
                .expect("an inline script without a nonce")
                + 7;
            tag[start..].split('"').next().unwrap().to_owned()
        })
        .collect()
}

#[app_test]
async fn each_page_s_scripts_carry_the_nonce_its_policy_allows_and_it_changes_every_time() {
    let app = spawn_app().await;
    app.logged_in_shopper("nonces").await;
    let mut seen = Vec::new();
    for path in ["/", "/inspector", "/shop/apple", "/no/such/page", "/"] {
        let response = app.get(path).await;
        let nonce = policy_nonce(&header_of(&response, "content-security-policy"));
        let html = response.text().await.unwrap();
        let scripts = script_nonces(&html);
        assert!(!scripts.is_empty(), "{path} has no script");
        assert!(
            scripts.iter().all(|n| *n == nonce),
            "{path}: scripts {scripts:?}, policy {nonce}"
        );
        assert!(!seen.contains(&nonce), "a nonce was used twice");
        seen.push(nonce);
    }
    app.stop().await;
}

#[app_test]
async fn oversized_headers_and_bodies_get_a_4xx() {
    let app = spawn_app().await;
    let huge = "x".repeat(40 * 1024);
    let response = app
        .client
        .get(app.url("/shop/apple"))
        .header("x-padding", &huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let page = response.text().await.unwrap();
    assert!(
        page.contains("The request headers are larger than"),
        "{page}"
    );
    let response = app
        .client
        .post(app.url("/api/token"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-padding", &huge)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "headers_too_large", "{body}");
    // A body over the limit is refused whatever the route, server functions included.
    for path in ["/api/token", "/shop/login", "/api/shop/add_apple"] {
        let response = app
            .client
            .post(app.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(vec![b'a'; 100 * 1024])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let text = response.text().await.unwrap();
        if path.starts_with("/api/") {
            let body: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(body["error"], "payload_too_large", "{body}");
        } else {
            assert!(text.contains("The request body is larger than"), "{path}");
        }
    }
    app.stop().await;
}

#[app_test]
async fn one_client_s_password_checks_are_limited_per_minute_across_accounts_and_routes() {
    let app = spawn_app_with(Options {
        password_checks_per_minute: Some(4),
        ..Options::default()
    })
    .await;
    // Four checks on four different accounts and routes: each passes the per-client limit.
    for (index, path) in ["/shop/login", "/jwt/login", "/cookie/login", "/api/token"]
        .into_iter()
        .enumerate()
    {
        let response = app
            .post_form(
                path,
                &[
                    ("username", &format!("nobody{index}")),
                    ("password", "wrong password"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let page = app.shop_login("someone_else", "wrong password").await;
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header_of(&page, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(page.text().await.unwrap().contains("from your address"));
    let api = app
        .post_form(
            "/api/token",
            &[("username", "nobody"), ("password", "wrong password")],
        )
        .await;
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(api.text().await.unwrap().contains("too_many_requests"));
    // Pages that check no password are not limited.
    assert_eq!(app.get("/shop/login").await.status(), StatusCode::OK);
    app.stop().await;
}

#[app_test]
async fn one_client_creates_at_most_its_new_sessions_per_minute() {
    let app = spawn_app_with(Options {
        new_sessions_per_minute: Some(3),
        ..Options::default()
    })
    .await;
    app.register("flooder").await;
    for _ in 0..3 {
        let browser = app.new_browser();
        let response = browser.shop_login("flooder", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(browser.session_cookie().is_some());
    }
    let browser = app.new_browser();
    let refused = browser.mode_login("session", "flooder", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        set_cookie_named(&refused, "sid").is_none(),
        "a refused login created a session"
    );
    // Logins that create no session (the token labs) still work.
    let jwt = browser.mode_login("jwt", "flooder", PASSWORD).await;
    assert_eq!(jwt.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[app_test]
async fn behind_a_proxy_the_configured_header_names_the_client() {
    let app = spawn_app_with(Options {
        password_checks_per_minute: Some(2),
        client_address_header: Some("x-real-ip".into()),
        ..Options::default()
    })
    .await;
    let proxy = &app;
    let attempt = |address: &'static str| async move {
        proxy
            .post_form_with(
                "/api/token",
                &[("username", "nobody"), ("password", "wrong password")],
                &[("x-real-ip", address)],
            )
            .await
            .status()
    };
    assert_eq!(attempt("192.0.2.1").await, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt("192.0.2.1").await, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt("192.0.2.1").await, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy (the same TCP peer) still gets its own allowance.
    assert_eq!(attempt("192.0.2.2").await, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// Every route that hashes a password spends its client's allowance (its handler takes the
/// `PasswordCheck` extractor); routes that do not, never do.
#[app_test]
async fn every_password_route_and_no_other_spends_the_password_check_allowance() {
    let app = spawn_app_with(Options {
        password_checks_per_minute: Some(1),
        client_address_header: Some("x-real-ip".into()),
        ..Options::default()
    })
    .await;
    let form = [
        ("username", "nobody"),
        ("password", "wrong password"),
        ("confirm", "wrong password"),
        ("current", "wrong password"),
    ];
    let password_routes = [
        "/shop/login",
        "/cookie/login",
        "/signed-cookie/login",
        "/session/login",
        "/jwt/login",
        "/api/token",
        "/register",
        "/account/password",
    ];
    for (n, path) in password_routes.into_iter().enumerate() {
        let client = format!("192.0.2.{}", n + 1);
        let headers = [
            ("origin", app.address.as_str()),
            ("x-real-ip", client.as_str()),
        ];
        let send = || app.post_form_with(path, &form, &headers);
        assert_ne!(
            send().await.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{path}"
        );
        assert_eq!(
            send().await.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{path}"
        );
    }
    for path in [
        "/shop/apple",
        "/jwt/logout",
        "/shop/logout",
        "/session/logout",
    ] {
        for _ in 0..3 {
            let response = app
                .post_form_with(
                    path,
                    &[],
                    &[("origin", &app.address), ("x-real-ip", "198.51.100.9")],
                )
                .await;
            assert_ne!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        }
    }
    app.stop().await;
}

/// The navigation marks the section of the page being shown, on handler-rendered pages and
/// Leptos-rendered ones alike, and nothing on the home page.
#[app_test]
async fn the_navigation_marks_the_current_section() {
    let app = spawn_app().await;
    for (path, current) in [
        ("/cookie/login", Some("/cookie/login")),
        ("/jwt/profile", None), // a redirect: no page
        ("/shop/apple", Some("/shop")),
        ("/inspector", Some("/inspector")),
        ("/register", Some("/register")),
        ("/", None),
    ] {
        let page = app.get(path).await.text().await.unwrap();
        let marked: Vec<&str> = page
            .match_indices(r#"aria-current="page""#)
            .map(|(at, _)| {
                let link = &page[page[..at].rfind("<a ").unwrap()..at];
                link.split('"').nth(1).unwrap_or_default()
            })
            .collect();
        assert_eq!(marked, current.into_iter().collect::<Vec<_>>(), "{path}");
    }
    app.stop().await;
}
