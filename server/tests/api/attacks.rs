//! `/attacks` (docs/spec.md §12): every request the attack lab shows is sent to the server,
//! which must answer with the status and the reason written under it.

use crate::common::*;
use reqwest::{header, StatusCode};
use std::collections::HashMap;

/// The attributes of each `data-testid="variant"` element, HTML entities decoded.
fn variants(page: &str) -> Vec<HashMap<String, String>> {
    page.split(r#"<div data-testid="variant""#)
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            let mut attributes = HashMap::new();
            let mut text = tag;
            while let Some(eq) = text.find("=\"") {
                let name = text[..eq].trim().rsplit(' ').next().unwrap().to_owned();
                let value_start = eq + 2;
                let value_end = value_start + text[value_start..].find('"').unwrap();
                attributes.insert(name, unescape(&text[value_start..value_end]));
                text = &text[value_end + 1..];
            }
            attributes
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Sends every request on the page to the server and holds it to the answer written under it.
async fn every_request_gets_the_stated_answer(app: &TestApp) {
    let page = app.get("/attacks").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    for slug in [
        "alg-none",
        "signature",
        "weak-secret",
        "alg-confusion",
        "key-in-header",
        "kid",
        "claims",
        "replay-after-logout",
        "session-fixation",
        "cookie-tampering",
        "csrf",
        "brute-force",
    ] {
        assert!(page.contains(&format!(r#"id="{slug}""#)), "no {slug} card");
    }
    let variants = variants(&page);
    assert_eq!(variants.len(), 23, "every variant of every card");
    for variant in variants {
        let method = reqwest::Method::from_bytes(variant["data-method"].as_bytes()).unwrap();
        let mut request = app.client.request(method, app.url(&variant["data-path"]));
        for (attribute, name) in [
            ("data-authorization", header::AUTHORIZATION),
            ("data-cookie", header::COOKIE),
            ("data-origin", header::ORIGIN),
        ] {
            if let Some(value) = variant.get(attribute) {
                request = request.header(name, value);
            }
        }
        if let Some(form) = variant.get("data-form") {
            request = request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16().to_string();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body = response.text().await.unwrap();
        assert_eq!(status, variant["data-status"], "{variant:?}: {body}");
        let reason = &variant["data-reason"];
        // The JSON API's message, a page's text, or the notice cookie the answer sets.
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| json["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| unescape(&body));
        let notice = format!("notice={reason};");
        let said =
            message.contains(reason.as_str()) || set_cookies.iter().any(|c| c.starts_with(&notice));
        assert!(said, "{variant:?} answered {body} {set_cookies:?}");
    }
}

#[app_test]
async fn every_attack_on_the_page_gets_the_answer_the_page_states() {
    let app = spawn_app().await;
    every_request_gets_the_stated_answer(&app).await;
    app.stop().await;
}

/// Under EdDSA the same page holds: the forgeries carry the server's algorithm, and the
/// confusion card signs HS256 with the published key.
#[app_test]
async fn the_page_holds_under_eddsa_too() {
    let app = spawn_app_with(session_lab::config::Options {
        jwt_algorithm: Some("EdDSA".into()),
        ..Default::default()
    })
    .await;
    every_request_gets_the_stated_answer(&app).await;
    let page = app.get("/attacks").await.text().await.unwrap();
    let confusion = variants(&page)
        .into_iter()
        .find(|v| v["data-reason"].contains("not the one this server uses (EdDSA)"))
        .expect("the confusion card names EdDSA");
    let token = confusion["data-authorization"].trim_start_matches("Bearer ");
    assert!(
        token.starts_with("eyJhbGciOiJIUzI1NiI"),
        "an HS256 header: {token}"
    );
    app.stop().await;
}

/// The CSRF card's second origin: another loopback port that serves an attacker's page posting
/// to this server's own origin only; the post it makes is refused with `403`, from the same
/// site (the same host name) and from another (the other loopback name).
#[app_test]
async fn the_second_origin_posts_only_to_this_server_and_its_post_is_refused() {
    let app = spawn_app().await;
    let page = app.get("/attacks").await.text().await.unwrap();
    let runs: Vec<String> = variants(&page)
        .into_iter()
        .filter_map(|v| v.get("data-run").cloned())
        .collect();
    assert_eq!(runs.len(), 2, "a same-site and a cross-site page: {runs:?}");
    let own = app.url("");
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for run in &runs {
        let url = reqwest::Url::parse(run).unwrap();
        assert_ne!(url.port().unwrap().to_string(), port, "another port: {run}");
        assert!(run.ends_with(&format!("?to={own}")), "{run}");
        let evil = client.get(run).send().await.unwrap();
        assert_eq!(evil.status(), StatusCode::OK);
        let html = evil.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"action="{own}/session/logout""#)),
            "{html}"
        );
        // What the page's form sends, as the browser sends it from that origin.
        let origin = run[..run.find("/csrf").unwrap()].to_owned();
        let post = app
            .client
            .post(app.url("/session/logout"))
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), StatusCode::FORBIDDEN);
    }
    // Never a form to anywhere else: another site, another port, garbage, nothing.
    let base = &runs[0][..runs[0].find('?').unwrap()];
    for to in [
        "https://example.com",
        "http://127.0.0.1:1",
        "javascript:alert(1)",
        "",
    ] {
        let answer = client.get(format!("{base}?to={to}")).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "to={to}");
        assert!(!answer.text().await.unwrap().contains("<form"));
    }
    assert_eq!(
        client.get(base).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    app.stop().await;
}

/// Off loopback, or behind a public URL, there is no second origin, and the CSRF card shows a
/// made-up attacker origin instead.
#[app_test]
async fn with_a_public_url_there_is_no_second_origin() {
    let app = spawn_app_with(session_lab::config::Options {
        public_url: Some("http://lab.example".into()),
        ..Default::default()
    })
    .await;
    let page = app.get("/attacks").await.text().await.unwrap();
    assert!(!page.contains("data-run="), "no second-origin page");
    assert!(page.contains("https://attacker.example"));
    app.stop().await;
}

/// `/api/echo` tells sessions apart by a digest of the id, which the fixation run compares
/// with the id it planted: a planted id is never the one the login keeps.
#[app_test]
async fn a_planted_session_id_is_never_the_one_echo_reports_after_login() {
    let app = spawn_app().await;
    let name = username("fix");
    app.register(&name).await;
    let planted = "AAAAAAAAAAAAAAAAAAAAAA";
    for _ in 0..3 {
        app.put_cookie("sid", Some(planted));
        let login = app.mode_login("session", &name, PASSWORD).await;
        assert_is_redirect_to(&login, "/session/profile");
        let echo: serde_json::Value = app.get("/api/echo").await.json().await.unwrap();
        let digest = echo["session"]["id_digest"].as_str().unwrap().to_owned();
        let kept = app.cookie_value("sid").unwrap();
        assert_ne!(kept, planted);
        assert_eq!(digest, app::sessions::id_digest(&kept));
        assert_ne!(digest, app::sessions::id_digest(planted));
        assert_eq!(digest.len(), 16);
        assert!(!echo.to_string().contains(&kept), "never the id itself");
    }
    app.stop().await;
}
