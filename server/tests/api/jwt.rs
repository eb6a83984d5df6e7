//! docs/spec.md §9.4: every JWT trick is refused, one test per attack. Tokens are forged the way an
//! attacker would, and — to prove it is the *rule* that refuses them, not a broken signature —
//! many are signed with the server's real secret, read from its data directory.

use crate::common::*;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{crypto::sign, Algorithm, EncodingKey};
use reqwest::{header, StatusCode};
use serde_json::{json, Map, Value};
use session_lab::config::Options;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Claims exactly like the server's own, for account 1.
fn good_claims() -> Value {
    let now = now();
    json!({
        "iss": "session-lab", "aud": "session-lab", "sub": "1", "name": "forged",
        "count": 0, "iat": now, "exp": now + 600, "auth_time": now, "jti": "test-jti",
        "sid": "test-sid", "ver": 1
    })
}

fn hs256_header() -> Value {
    json!({"typ": "JWT", "alg": "HS256"})
}

/// `header.payload.signature` with the signature computed by `alg` over the first two parts.
fn forge(header: &Value, claims: &Value, secret: &[u8], alg: Algorithm) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = sign(
        signing_input.as_bytes(),
        &EncodingKey::from_secret(secret),
        alg,
    )
    .unwrap();
    format!("{signing_input}.{signature}")
}

/// A token like the server's own, signed with its real secret: accepted as it is.
fn honest_token(app: &TestApp) -> String {
    forge(
        &hs256_header(),
        &good_claims(),
        &app.jwt_secret(),
        Algorithm::HS256,
    )
}

/// A fresh app with account 1 registered.
async fn app_with_account() -> TestApp {
    let app = spawn_app().await;
    assert_eq!(
        app.register(&username("jwt")).await.status(),
        StatusCode::SEE_OTHER
    );
    app
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/me"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
}

/// Refused by the API (401 + `WWW-Authenticate`) and by the JWT lab (back to its login page,
/// cookie cleared); returns the API's message.
async fn assert_refused(app: &TestApp, token: &str) -> String {
    let response = me(app, token).await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "accepted: {token}"
    );
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\""
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");
    let page = app
        .get_with_cookie_bytes("/jwt/profile", format!("token={token}").as_bytes())
        .await;
    assert_is_redirect_to(&page, "/jwt/login");
    assert!(set_cookie_named(&page, "token")
        .unwrap()
        .contains("Max-Age=0"));
    body["message"].as_str().unwrap().to_owned()
}

#[app_test]
async fn control_a_token_forged_with_the_real_secret_and_honest_claims_is_accepted() {
    let app = app_with_account().await;
    let token = honest_token(&app);
    let response = me(&app, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["name"], "forged");
    app.stop().await;
}

#[app_test]
async fn alg_none_in_any_spelling_is_refused() {
    let app = app_with_account().await;
    let payload = b64(good_claims().to_string().as_bytes());
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64(json!({"typ": "JWT", "alg": alg}).to_string().as_bytes());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
        ] {
            let message = assert_refused(&app, &token).await;
            assert!(
                message.contains("none") || message.contains("well-formed"),
                "{message}"
            );
        }
    }
    app.stop().await;
}

#[app_test]
async fn stripped_padded_and_flipped_signatures_are_refused() {
    let app = app_with_account().await;
    let token = honest_token(&app);
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let flipped = {
        let mut chars: Vec<char> = signature.chars().collect();
        chars[5] = if chars[5] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    for bad in [
        format!("{signing_input}."),
        signing_input.to_owned(),
        format!("{signing_input}.{signature}="),
        format!("{signing_input}.{signature}AA"),
        format!("{signing_input}.{flipped}"),
        format!("{signing_input}.{}", &signature[..signature.len() - 2]),
    ] {
        assert_refused(&app, &bad).await;
    }
    app.stop().await;
}

#[app_test]
async fn a_payload_edited_under_the_original_signature_is_refused() {
    let app = app_with_account().await;
    let token = honest_token(&app);
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = good_claims();
    claims["name"] = json!("admin");
    claims["count"] = json!(1000);
    let edited = format!(
        "{}.{}.{}",
        parts[0],
        b64(claims.to_string().as_bytes()),
        parts[2]
    );
    assert!(assert_refused(&app, &edited).await.contains("signature"));
    app.stop().await;
}

/// The API's refusal message for a token signed with the server's real secret whose honest
/// claims were changed by `edit`.
async fn refusal_for_claims(app: &TestApp, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut claims = good_claims();
    edit(claims.as_object_mut().unwrap());
    let token = forge(
        &hs256_header(),
        &claims,
        &app.jwt_secret(),
        Algorithm::HS256,
    );
    assert_refused(app, &token).await
}

#[app_test]
async fn wrong_or_missing_issuer_and_audience_are_refused() {
    let app = app_with_account().await;
    for (claim, value) in [
        ("iss", Some(json!("https://attacker.example"))),
        ("iss", None),
        ("aud", Some(json!("another-service"))),
        ("aud", None),
    ] {
        let message = refusal_for_claims(&app, |claims| match value {
            Some(v) => drop(claims.insert(claim.into(), v)),
            None => drop(claims.remove(claim)),
        })
        .await;
        assert!(message.contains(claim), "{claim}: {message}");
    }
    app.stop().await;
}

#[app_test]
async fn an_expired_token_is_refused() {
    let app = app_with_account().await;
    let message = refusal_for_claims(&app, |claims| {
        claims.insert("iat".into(), json!(now() - 3600));
        claims.insert("exp".into(), json!(now() - 60));
    })
    .await;
    assert!(message.contains("expired"), "{message}");
    app.stop().await;
}

#[app_test]
async fn a_token_not_valid_yet_is_refused() {
    let app = app_with_account().await;
    let message = refusal_for_claims(&app, |claims| {
        claims.insert("nbf".into(), json!(now() + 600));
    })
    .await;
    assert!(message.contains("nbf"), "{message}");
    app.stop().await;
}

#[app_test]
async fn exp_given_as_a_string_is_refused() {
    let app = app_with_account().await;
    let message = refusal_for_claims(&app, |claims| {
        claims.insert("exp".into(), json!((now() + 600).to_string()));
    })
    .await;
    assert!(message.contains("exp"), "{message}");
    app.stop().await;
}

#[app_test]
async fn a_token_without_exp_is_refused() {
    let app = app_with_account().await;
    let message = refusal_for_claims(&app, |claims| drop(claims.remove("exp"))).await;
    assert!(message.contains("exp"), "{message}");
    app.stop().await;
}

#[app_test]
async fn kid_path_traversal_and_sql_text_are_refused() {
    let app = app_with_account().await;
    for kid in [
        "../../../../../../dev/null",
        "/etc/passwd",
        "' OR '1'='1' --",
        "x' UNION SELECT 'secret",
    ] {
        let header = json!({"typ": "JWT", "alg": "HS256", "kid": kid});
        // What a vulnerable server would use as the key: an empty file, or a chosen string.
        for secret in [b"".as_slice(), b"secret", &app.jwt_secret()] {
            let token = forge(&header, &good_claims(), secret, Algorithm::HS256);
            assert_refused(&app, &token).await;
        }
    }
    app.stop().await;
}

#[app_test]
async fn jku_x5u_and_embedded_jwk_headers_are_refused() {
    let app = app_with_account().await;
    let secret = app.jwt_secret();
    let jwk = json!({"kty": "oct", "k": b64(b"attacker key that is long enough!")});
    for (name, value) in [
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("jwk", jwk),
        ("x5c", json!(["MIIBszCCAVmgAwIBAgIU"])),
        ("x5t", json!("bm90LWEtdGh1bWJwcmludA")),
        ("crit", json!(["exp"])),
    ] {
        let mut header = hs256_header();
        header[name] = value;
        // Even signed with the real secret: the header must not choose the key.
        let token = forge(&header, &good_claims(), &secret, Algorithm::HS256);
        assert!(assert_refused(&app, &token).await.contains(name), "{name}");
    }
    app.stop().await;
}

#[app_test]
async fn a_token_signed_with_a_common_weak_secret_is_refused() {
    let app = app_with_account().await;
    for weak in [
        "secret",
        "password",
        "123456",
        "changeme",
        "your-256-bit-secret",
        "session-lab",
    ] {
        let token = forge(
            &hs256_header(),
            &good_claims(),
            weak.as_bytes(),
            Algorithm::HS256,
        );
        assert!(
            assert_refused(&app, &token).await.contains("signature"),
            "{weak}"
        );
    }
    app.stop().await;
}

#[app_test]
async fn another_algorithm_with_the_real_secret_is_refused() {
    let app = app_with_account().await;
    let secret = app.jwt_secret();
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let header = json!({"typ": "JWT", "alg": format!("{alg:?}")});
        let token = forge(&header, &good_claims(), &secret, alg);
        assert!(
            assert_refused(&app, &token).await.contains("algorithm"),
            "{alg:?}"
        );
    }
    app.stop().await;
}

#[app_test]
async fn a_missing_or_wrong_typ_is_refused() {
    let app = app_with_account().await;
    for header in [
        json!({"alg": "HS256"}),
        json!({"alg": "HS256", "typ": "at+jwt"}),
    ] {
        let token = forge(&header, &good_claims(), &app.jwt_secret(), Algorithm::HS256);
        assert!(assert_refused(&app, &token).await.contains("typ"));
    }
    app.stop().await;
}

#[app_test]
async fn a_token_replayed_after_logout_is_refused_with_every_earlier_token_of_its_login() {
    let app = spawn_app().await;
    app.logged_in_to("jwt", &username("replay")).await;
    let first = app.cookie_value("token").unwrap();
    app.profile("jwt").await.unwrap();
    let latest = app.cookie_value("token").unwrap();
    assert_ne!(first, latest, "each visit re-issues the token");
    assert_eq!(
        me(&app, &latest).await.status(),
        StatusCode::OK,
        "the cookie's token works as a Bearer token"
    );
    assert_is_redirect_to(&app.post_form("/jwt/logout", &[]).await, "/jwt/login");
    assert!(assert_refused(&app, &latest).await.contains("revoked"));
    assert!(assert_refused(&app, &first).await.contains("revoked"));
    app.stop().await;
}

#[app_test]
async fn revocations_survive_a_restart_on_sqlite() {
    let app = spawn_app().await;
    app.logged_in_to("jwt", &username("restart")).await;
    let token = app.cookie_value("token").unwrap();
    app.post_form("/jwt/logout", &[]).await;
    let data_dir = app.data_dir.clone();
    app.stop().await;
    let restarted = spawn_in(data_dir, Options::default()).await;
    assert!(assert_refused(&restarted, &token).await.contains("revoked"));
    restarted.stop().await;
}

#[app_test]
async fn eddsa_publishes_its_key_and_refuses_hmac_confusion() {
    let app = spawn_app_with(Options {
        jwt_algorithm: Some("EdDSA".into()),
        ..Options::default()
    })
    .await;
    app.logged_in_to("jwt", &username("ed")).await;
    assert!(app.profile("jwt").await.unwrap().ends_with("count: 1"));
    let token = app.cookie_value("token").unwrap();

    let jwks: Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());

    // Anyone can verify with the published key.
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.clone()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["session-lab"]);
    jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .unwrap();

    // Algorithm confusion: HS256 "signed" with the public key as the HMAC secret.
    let public = URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap();
    for secret in [public.as_slice(), key["x"].as_str().unwrap().as_bytes()] {
        let forged = forge(&hs256_header(), &good_claims(), secret, Algorithm::HS256);
        assert!(assert_refused(&app, &forged).await.contains("algorithm"));
    }
    app.stop().await;
}

#[app_test]
async fn hs256_publishes_an_empty_key_set() {
    let app = spawn_app().await;
    let jwks: Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jwks, json!({"keys": []}));
    app.stop().await;
}

/// The payload of a token, as JSON.
fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// A token re-issued at every visit still ends with its login: `auth_time` rides along
/// unchanged, and a token whose login is older than the absolute timeout is refused.
#[app_test]
async fn a_login_ends_at_its_absolute_timeout_however_often_its_token_is_reissued() {
    let app = spawn_app_with(Options {
        jwt_lifetime: Some(4),
        session_absolute_timeout: Some(6),
        session_idle_timeout: Some(6),
        ..Options::default()
    })
    .await;
    let name = username("forever");
    app.logged_in_to("jwt", &name).await;
    let first = app.cookie_value("token").unwrap();
    let auth_time = payload(&first)["auth_time"].as_u64().expect("auth_time");
    let started = std::time::Instant::now();
    let mut last_welcome = None;
    let mut last_token = first.clone();
    while started.elapsed() < std::time::Duration::from_secs(10) {
        match app.profile("jwt").await {
            Ok(_) => {
                let token = app.cookie_value("token").unwrap();
                let claims = payload(&token);
                assert_eq!(claims["auth_time"], auth_time, "re-issues keep auth_time");
                assert!(
                    claims["exp"].as_u64().unwrap() <= auth_time + 6,
                    "exp within the login"
                );
                last_welcome = Some(started.elapsed());
                last_token = token;
            }
            Err(response) => {
                assert_is_redirect_to(&response, "/jwt/login");
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    let last = last_welcome.expect("the fresh login was welcomed");
    assert!(
        last >= std::time::Duration::from_secs(4),
        "re-issues kept the login past one token lifetime ({last:?})"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the login was still accepted 10 s after it started (absolute timeout 6 s)"
    );
    // The last token the lab handed out is still within its `exp` leeway, and is refused
    // for its login's age, by name.
    let reason = assert_refused(&app, &last_token).await;
    assert!(reason.contains("auth_time"), "{reason}");
    app.stop().await;
}

#[app_test]
async fn an_api_token_carries_its_login_time_and_ends_with_the_login() {
    let app = spawn_app_with(Options {
        session_absolute_timeout: Some(600),
        ..Options::default()
    })
    .await;
    let name = username("api");
    assert_eq!(app.register(&name).await.status(), StatusCode::SEE_OTHER);
    let answer: Value = app
        .client
        .post(app.url("/api/token"))
        .json(&json!({"username": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claims = payload(answer["access_token"].as_str().unwrap());
    let auth_time = claims["auth_time"].as_u64().expect("auth_time");
    assert!(claims["exp"].as_u64().unwrap() <= auth_time + 600);
    app.stop().await;
}

#[app_test]
async fn a_token_whose_login_is_too_old_or_unknown_is_refused() {
    let app = app_with_account().await;
    let secret = app.jwt_secret();
    let mut old = good_claims();
    old["auth_time"] = json!(now() - 13 * 3600);
    let reason = assert_refused(
        &app,
        &forge(&hs256_header(), &old, &secret, Algorithm::HS256),
    )
    .await;
    assert!(reason.contains("auth_time"), "{reason}");
    let mut missing = good_claims();
    missing.as_object_mut().unwrap().remove("auth_time");
    let reason = assert_refused(
        &app,
        &forge(&hs256_header(), &missing, &secret, Algorithm::HS256),
    )
    .await;
    assert!(reason.contains("auth_time"), "{reason}");
    app.stop().await;
}

#[app_test]
async fn several_authorization_headers_are_refused() {
    let app = app_with_account().await;
    let token = honest_token(&app);
    let response = app
        .client
        .get(app.url("/api/me"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::AUTHORIZATION, "Bearer another")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}
