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
