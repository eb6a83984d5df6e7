//! The apple shop's routes, statuses and texts (docs/spec.md §3).

use crate::common::*;
use reqwest::{header, StatusCode};

#[app_test]
async fn the_whole_shop_flow_works() {
    let app = spawn_app().await;
    let home = app.get("/shop").await;
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();
    for link in ["/shop/login", "/shop/apple", "/shop/checkout"] {
        assert!(home.contains(&format!("href=\"{link}\"")), "{link}");
    }

    app.logged_in_shopper(&username("flow")).await;
    let login_page = app.get("/shop/login").await.text().await.unwrap();
    assert!(login_page.contains("You are now logged in"));

    let (status, page) = app.apples_page().await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("You have 0 apples!"));
    for _ in 0..3 {
        assert_is_redirect_to(&app.post_form("/shop/apple", &[]).await, "/shop/apple");
    }
    assert!(app.apples_page().await.1.contains("You have 3 apples!"));

    let cart = app.get("/shop/checkout").await.text().await.unwrap();
    assert!(cart.contains("You have 3 apples in your cart"));
    assert!(cart.contains(">Pay<"));
    let paid = app.post_form("/shop/checkout", &[]).await;
    assert_eq!(paid.status(), StatusCode::OK);
    assert!(paid
        .text()
        .await
        .unwrap()
        .contains("You paid for your 3 apples!"));
    assert!(
        app.apples_page().await.1.contains("You have 0 apples!"),
        "the cart is emptied"
    );

    assert_is_redirect_to(&app.post_form("/shop/logout", &[]).await, "/shop");
    let (status, page) = app.apples_page().await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Error!") && page.contains("You are not logged in"));
    app.stop().await;
}

#[app_test]
async fn apple_and_checkout_pages_need_a_login() {
    let app = spawn_app().await;
    for (method, path) in [
        ("GET", "/shop/apple"),
        ("POST", "/shop/apple"),
        ("GET", "/shop/checkout"),
        ("POST", "/shop/checkout"),
    ] {
        let response = if method == "GET" {
            app.get(path).await
        } else {
            app.post_form(path, &[]).await
        };
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        let body = response.text().await.unwrap();
        assert!(body.contains("<h1>Error!</h1>"), "{method} {path}");
        assert!(body.contains("You are not logged in"), "{method} {path}");
    }
    app.stop().await;
}

#[app_test]
async fn get_requests_never_change_the_cart() {
    let app = spawn_app().await;
    app.logged_in_shopper(&username("get")).await;
    app.post_form("/shop/apple", &[]).await;
    for path in ["/shop/apple", "/shop/checkout", "/shop", "/shop/login"] {
        for _ in 0..3 {
            app.get(path).await;
        }
    }
    assert!(app.apples_page().await.1.contains("You have 1 apple!"));
    // The state-changing routes answer GET only with their page, never with the action.
    let logout_by_get = app.get("/shop/logout").await;
    assert_ne!(logout_by_get.status(), StatusCode::SEE_OTHER);
    assert!(
        app.apples_page().await.1.contains("You have 1 apple!"),
        "still logged in"
    );
    app.stop().await;
}

#[app_test]
async fn a_hundred_concurrent_adds_from_one_session_add_exactly_a_hundred() {
    let app = spawn_app().await;
    app.logged_in_shopper(&username("burst")).await;
    let cookie = app.session_cookie().unwrap();
    let adds = (0..100).map(|_| {
        app.client
            .post(app.url("/shop/apple"))
            .header(header::COOKIE, cookie.clone())
            .header(header::ORIGIN, app.address.clone())
            .send()
    });
    for response in futures::future::join_all(adds).await {
        assert_eq!(response.unwrap().status(), StatusCode::SEE_OTHER);
    }
    assert!(app.apples_page().await.1.contains("You have 100 apples!"));
    app.stop().await;
}

/// The apple island's call: its server function, with this browser's cookies, if any.
async fn call_add_apple(app: &TestApp) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/shop/add_apple"))
        .header(header::ORIGIN, app.address.clone())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("");
    if let Some(cookie) = app.session_cookie() {
        request = request.header(header::COOKIE, cookie);
    }
    request.send().await.unwrap()
}

#[app_test]
async fn the_add_apple_server_function_returns_the_new_count() {
    let app = spawn_app().await;
    app.logged_in_shopper(&username("fn")).await;
    let response = call_add_apple(&app).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap().trim(), "1");
    assert!(app.apples_page().await.1.contains("You have 1 apple!"));
    app.stop().await;
}

#[app_test]
async fn two_tabs_of_one_browser_share_the_cart() {
    let app = spawn_app().await;
    app.logged_in_shopper(&username("tabs")).await;
    // A second tab sends the same cookie: that is what sharing a browser means.
    let tab = app.new_browser();
    tab.set_session_cookie(app.session_cookie().as_deref());
    app.post_form("/shop/apple", &[]).await;
    tab.post_form("/shop/apple", &[]).await;
    assert!(app.apples_page().await.1.contains("You have 2 apples!"));
    // Another browser (another cookie) has its own session.
    let other = app.new_browser();
    assert_eq!(other.apples_page().await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[app_test]
async fn the_add_apple_server_function_answers_401_when_nobody_is_logged_in() {
    let app = spawn_app().await;
    let response = call_add_apple(&app).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.text().await.unwrap().contains("NotLoggedIn"));
    app.stop().await;
}

#[app_test]
async fn counts_read_naturally_and_an_empty_cart_offers_nothing_to_pay() {
    let app = spawn_app().await;
    app.logged_in_shopper(&username("words")).await;
    let cart = app.get("/shop/checkout").await.text().await.unwrap();
    assert!(cart.contains("You have 0 apples in your cart"), "{cart}");
    assert!(!cart.contains(">Pay<"), "no Pay button for an empty cart");
    let paid = app.post_form("/shop/checkout", &[]).await;
    assert_eq!(paid.status(), StatusCode::OK);
    let paid = paid.text().await.unwrap();
    assert!(paid.contains("nothing to pay"), "{paid}");
    assert!(!paid.contains("You paid for your 0"), "{paid}");

    app.post_form("/shop/apple", &[]).await;
    assert!(app.apples_page().await.1.contains("You have 1 apple!"));
    let cart = app.get("/shop/checkout").await.text().await.unwrap();
    assert!(cart.contains("You have 1 apple in your cart"), "{cart}");
    assert!(cart.contains(">Pay<"));
    let paid = app
        .post_form("/shop/checkout", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(paid.contains("You paid for your 1 apple!"), "{paid}");
    app.stop().await;
}

#[app_test]
async fn a_logged_out_shop_page_links_to_the_login() {
    let app = spawn_app().await;
    for path in ["/shop/apple", "/shop/checkout"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Error!") && page.contains("You are not logged in"),
            "{page}"
        );
        assert!(
            page.contains("href=\"/shop/login\""),
            "{path}: a way to log in"
        );
    }
    app.stop().await;
}
