//! Registration rules, generic login errors, throttling and oversized input.

use crate::common::*;
use reqwest::{header, StatusCode};

#[app_test]
async fn register_creates_an_account_and_redirects_home_without_logging_in() {
    let app = spawn_app().await;
    let response = app.register("newcomer").await;
    assert_is_redirect_to(&response, "/");
    assert!(
        set_cookies(&response).is_empty(),
        "registering logs nobody in"
    );
    app.stop().await;
}

#[app_test]
async fn register_rejects_each_broken_rule_with_a_clear_message() {
    let app = spawn_app().await;
    let long = "x".repeat(33);
    let cases: [(&str, &str, &str, &str); 5] = [
        ("ab", PASSWORD, PASSWORD, "3 to 32 characters"),
        (&long, PASSWORD, PASSWORD, "3 to 32 characters"),
        ("bob smith", PASSWORD, PASSWORD, "only letters, digits"),
        ("bob", "short", "short", "8 to 128 characters"),
        ("bob", PASSWORD, "something else", "do not match"),
    ];
    for (username, password, confirm, message) in cases {
        let response = app
            .post_form(
                "/register",
                &[
                    ("username", username),
                    ("password", password),
                    ("confirm", confirm),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{username}/{password}"
        );
        assert!(
            response.text().await.unwrap().contains(message),
            "{message}"
        );
    }
    app.stop().await;
}

#[app_test]
async fn usernames_are_unique_regardless_of_case() {
    let app = spawn_app().await;
    assert_eq!(app.register("Carol").await.status(), StatusCode::SEE_OTHER);
    let again = app.register("cAROL").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("already taken"));
    // And the name logs in whatever its case.
    let response = app.shop_login("carol", PASSWORD).await;
    assert_is_redirect_to(&response, "/shop/login");
    app.stop().await;
}

#[app_test]
async fn missing_form_fields_are_a_4xx_not_a_500() {
    let app = spawn_app().await;
    let response = app.post_form("/register", &[("username", "dave")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app.post_form("/shop/login", &[]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[app_test]
async fn unknown_user_and_wrong_password_get_identical_answers() {
    let app = spawn_app().await;
    app.register("erin").await;
    let wrong_password = app.shop_login("erin", "not the password").await;
    let unknown_user = app
        .new_browser()
        .shop_login("frank", "not the password")
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status(), wrong_password.status());
    assert!(set_cookies(&wrong_password).is_empty() && set_cookies(&unknown_user).is_empty());
    // The pages differ only in the username echoed back into the form.
    let a = wrong_password.text().await.unwrap().replace("erin", "NAME");
    let b = unknown_user.text().await.unwrap().replace("frank", "NAME");
    assert!(a.contains("Invalid username or password"));
    assert_eq!(a, b);
    app.stop().await;
}

#[app_test]
async fn repeated_failures_on_one_account_are_throttled_with_retry_after() {
    let app = spawn_app().await;
    app.register("grace").await;
    for attempt in 1..=5 {
        let response = app.shop_login("grace", "wrong password").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let throttled = app.shop_login("grace", "wrong password").await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = throttled.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "Retry-After {retry}");
    // While throttled even the right password waits, and nothing about it is revealed.
    let right = app.shop_login("grace", PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are unaffected.
    app.register("heidi").await;
    assert_is_redirect_to(&app.shop_login("heidi", PASSWORD).await, "/shop/login");
    app.stop().await;
}

#[app_test]
async fn unknown_usernames_are_throttled_like_real_ones() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.shop_login("nobody_here", "wrong password").await;
    }
    let response = app.shop_login("nobody_here", "wrong password").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[app_test]
async fn a_one_megabyte_password_is_refused_with_a_4xx_without_hashing() {
    let app = spawn_app().await;
    let huge = "p".repeat(1_000_000);
    let started = std::time::Instant::now();
    let register = app
        .post_form(
            "/register",
            &[
                ("username", "ivan"),
                ("password", &huge),
                ("confirm", &huge),
            ],
        )
        .await;
    let login = app.shop_login("ivan", &huge).await;
    assert!(register.status().is_client_error(), "{}", register.status());
    assert!(login.status().is_client_error(), "{}", login.status());
    // Generous bound: hashing a megabyte would not fit, refusing it does.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // A password just over the limit, within the body limit, is refused by the rules.
    let long = "p".repeat(129);
    let response = app
        .post_form(
            "/register",
            &[
                ("username", "ivan"),
                ("password", &long),
                ("confirm", &long),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[app_test]
async fn passwords_are_stored_only_as_argon2id_hashes() {
    let app = spawn_app().await;
    app.register("judy").await;
    let db = app.data_dir.path().join("accounts.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE username_key = 'judy'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
    pool.close().await;
    app.stop().await;
}
