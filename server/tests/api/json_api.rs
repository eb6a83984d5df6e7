//! The JSON API of docs/spec.md §5: tokens, `/api/me`, `/api/echo`, OpenAPI, and JSON errors
//! for every kind of bad input (docs/spec.md §9.5).

use crate::common::*;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

async fn post_token(
    app: &TestApp,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/token"))
        .header("origin", &app.address)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn assert_json_error(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].is_string() && body["message"].is_string(),
        "{body}"
    );
    body
}

#[app_test]
async fn a_token_from_json_or_a_form_opens_api_me() {
    let app = spawn_app().await;
    let name = username("api");
    app.register(&name).await;
    let json_body = json!({"username": name, "password": PASSWORD}).to_string();
    let form_body = format!("username={name}&password=correct+horse+battery");
    for (content_type, body) in [
        ("application/json", json_body),
        ("application/x-www-form-urlencoded", form_body),
    ] {
        let response = post_token(&app, content_type, body).await;
        assert_eq!(response.status(), StatusCode::OK, "{content_type}");
        let token: Value = response.json().await.unwrap();
        assert_eq!(token["token_type"], "Bearer");
        assert_eq!(token["expires_in"], 300, "access_token_lifetime's default");
        assert_eq!(token["refresh_token"].as_str().unwrap().len(), 43);
        let me = app
            .client
            .get(app.url("/api/me"))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        let claims: Value = me.json().await.unwrap();
        assert_eq!(claims["name"], name.as_str());
        for claim in ["iss", "aud", "sub", "name", "count", "iat", "exp", "jti"] {
            assert!(!claims[claim].is_null(), "{claim} missing: {claims}");
        }
    }
    app.stop().await;
}

#[app_test]
async fn wrong_credentials_get_a_401_json_error() {
    let app = spawn_app().await;
    let name = username("apiwrong");
    app.register(&name).await;
    for body in [
        json!({"username": name, "password": "wrong password"}),
        json!({"username": "nobody_here", "password": PASSWORD}),
    ] {
        let response = post_token(&app, "application/json", body.to_string()).await;
        let error = assert_json_error(response, StatusCode::UNAUTHORIZED).await;
        assert_eq!(error["message"], "Invalid username or password");
    }
    app.stop().await;
}

#[app_test]
async fn bad_bodies_get_4xx_json_errors_never_5xx() {
    let app = spawn_app().await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "application/json",
            b"{\"username\": ".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            b"not json at all".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        // A struct field meets an array: a type error at depth 2, before any recursion.
        (
            "application/json",
            deep.into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            b"\xff\xfe\x00".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            br#"{"username": 5, "password": []}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            br#"{"username": "a"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/x-www-form-urlencoded",
            b"username=a".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "text/plain",
            b"username=a&password=b".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/json",
            vec![b' '; 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (content_type, body, status) in cases {
        let response = post_token(&app, content_type, body).await;
        assert_json_error(response, status).await;
    }
    app.stop().await;
}

#[app_test]
async fn api_me_without_a_bearer_token_is_401_with_www_authenticate() {
    let app = spawn_app().await;
    for authorization in [
        None,
        Some("Basic dXNlcjpwYXNz"),
        Some("Bearer"),
        Some("Bearer not.a.token"),
    ] {
        let mut request = app.client.get(app.url("/api/me"));
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Bearer error=\"invalid_token\""
        );
        assert_json_error(response, StatusCode::UNAUTHORIZED).await;
    }
    app.stop().await;
}

#[app_test]
async fn echo_explains_each_cookie_but_never_echoes_httponly_values_or_tokens() {
    let app = spawn_app().await;
    let name = username("echo");
    app.register(&name).await;
    for mode in ["cookie", "signed-cookie", "session", "jwt"] {
        app.mode_login(mode, &name, PASSWORD).await;
    }
    app.put_cookie("theme", Some("dark"));
    let response = app.get("/api/echo").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    for secret_cookie in ["sid", "signed_user", "token"] {
        let value = app.cookie_value(secret_cookie).unwrap();
        assert!(
            !text.contains(&value),
            "the value of {secret_cookie} was echoed"
        );
    }
    let echo: Value = serde_json::from_str(&text).unwrap();
    let cookie = |n: &str| {
        echo["cookies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(cookie("user")["visible_to_scripts"], true);
    assert_eq!(cookie("token")["visible_to_scripts"], false);
    assert_eq!(cookie("token")["attributes"]["http_only"], true);
    assert_eq!(cookie("sid")["attributes"]["persistent"], false);
    assert_eq!(cookie("theme")["set_by_server"], false);
    assert_eq!(cookie("theme")["size"], 9);
    assert_eq!(echo["token"]["valid"], true);
    assert_eq!(echo["token"]["claims"]["name"], name.as_str());
    assert_eq!(echo["signed_cookie"]["content"]["username"], name.as_str());
    assert_eq!(echo["plain_cookie"]["content"]["username"], name.as_str());
    assert_eq!(
        echo["session"]["entries"]["session"]["value"]["user"]["username"],
        name.as_str()
    );
    assert!(echo["session"]["expires_at"].is_i64());
    app.stop().await;
}

#[app_test]
async fn echo_of_an_anonymous_visitor_is_empty_and_says_why_a_token_failed() {
    let app = spawn_app().await;
    let echo: Value = app.get("/api/echo").await.json().await.unwrap();
    assert_eq!(echo["cookies"], json!([]));
    assert!(echo["session"].is_null() && echo["token"].is_null());
    app.put_cookie("token", Some("a.b.c"));
    let echo: Value = app.get("/api/echo").await.json().await.unwrap();
    assert_eq!(echo["token"]["valid"], false);
    assert!(echo["token"]["error"]
        .as_str()
        .unwrap()
        .contains("well-formed"));
    app.stop().await;
}

#[app_test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/token",
        "/api/me",
        "/api/echo",
        "/.well-known/jwks.json",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let token = &doc["paths"]["/api/token"]["post"];
    assert!(token["requestBody"]["content"]["application/json"].is_object());
    assert!(token["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    app.stop().await;
}

#[app_test]
async fn cross_site_token_requests_are_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/token"))
        .header("origin", "https://evil.example")
        .json(&json!({"username": "a", "password": "b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}
