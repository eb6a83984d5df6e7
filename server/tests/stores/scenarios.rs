//! The scenarios every store must pass.

use crate::{helpers::*, Store};
use reqwest::StatusCode;

pub async fn shop_flow_loses_no_concurrent_apple(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    app.logged_in_shopper(&username("shopper")).await;
    let adds: Vec<_> = (0..100)
        .map(|_| app.post_form("/shop/apple", &[]))
        .collect();
    for response in futures::future::join_all(adds).await {
        assert_is_redirect_to(&response, "/shop/apple");
    }
    let (status, page) = app.apples_page().await;
    assert_eq!(status, StatusCode::OK, "{store:?}");
    assert!(page.contains("You have 100 apples!"), "{store:?}");
    let paid = app
        .post_form("/shop/checkout", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(paid.contains("You paid for your 100 apples!"), "{store:?}");
    app.post_form("/shop/logout", &[]).await;
    assert_eq!(app.apples_page().await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

pub async fn every_login_mode_counts_and_logs_out(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    for mode in ["cookie", "signed-cookie", "session", "jwt"] {
        let browser = app.new_browser();
        let name = username("mode");
        browser.logged_in_to(mode, &name).await;
        for count in 1..=3 {
            let greeting = browser.profile(mode).await.unwrap();
            assert_eq!(
                greeting,
                format!("welcome {name} with the count: {count}"),
                "{store:?}"
            );
        }
        browser.post_form(&format!("/{mode}/logout"), &[]).await;
        assert_is_redirect_to(
            &browser.get(&format!("/{mode}/profile")).await,
            &format!("/{mode}/login"),
        );
    }
    app.stop().await;
}

pub async fn a_logged_out_token_is_refused(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    app.logged_in_to("jwt", &username("token")).await;
    let token = app.cookie_value("token").unwrap();
    app.post_form("/jwt/logout", &[]).await;
    assert_eq!(
        app.bearer_status(&token).await,
        StatusCode::UNAUTHORIZED,
        "{store:?}"
    );
    app.stop().await;
}

pub async fn a_password_change_revokes_sessions_and_tokens(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    let name = username("change");
    app.logged_in_to("session", &name).await;
    app.mode_login("jwt", &name, PASSWORD).await;
    let token = app.cookie_value("token").unwrap();
    let new_password = "another long passphrase";
    let form = [
        ("username", name.as_str()),
        ("current", PASSWORD),
        ("password", new_password),
        ("confirm", new_password),
    ];
    assert_eq!(
        app.post_form("/account/password", &form).await.status(),
        StatusCode::OK
    );
    assert_is_redirect_to(&app.get("/session/profile").await, "/session/login");
    assert_eq!(
        app.bearer_status(&token).await,
        StatusCode::UNAUTHORIZED,
        "{store:?}"
    );
    app.stop().await;
}

pub async fn a_restart_loses_nothing_on_a_persistent_store(store: Store) {
    let options = store.options().await;
    let app = spawn_app_with(options.clone()).await;
    let name = username("restart");
    app.logged_in_shopper(&name).await;
    app.post_form("/shop/apple", &[]).await;
    app.post_form("/shop/apple", &[]).await;
    app.mode_login("session", &name, PASSWORD).await;
    app.profile("session").await.unwrap();
    let revoked = {
        let other = app.new_browser();
        other.mode_login("jwt", &name, PASSWORD).await;
        let token = other.cookie_value("token").unwrap();
        other.post_form("/jwt/logout", &[]).await;
        token
    };
    let cookies = app.session_cookie();
    let data_dir = app.data_dir.clone();
    app.stop().await;

    let restarted = spawn_in(data_dir, options).await;
    restarted.set_session_cookie(cookies.as_deref());
    let (status, page) = restarted.apples_page().await;
    let me = restarted
        .client
        .get(restarted.url("/api/me"))
        .bearer_auth(&revoked)
        .send()
        .await
        .unwrap();
    let account = restarted
        .new_browser()
        .mode_login("cookie", &name, PASSWORD)
        .await;
    if store.is_persistent() {
        assert_eq!(
            status,
            StatusCode::OK,
            "{store:?}: the shop session survived"
        );
        assert!(
            page.contains("You have 2 apples!"),
            "{store:?}: the cart survived"
        );
        assert_eq!(
            restarted.profile("session").await.unwrap(),
            format!("welcome {name} with the count: 2")
        );
        assert_eq!(
            me.status(),
            StatusCode::UNAUTHORIZED,
            "{store:?}: the revocation survived"
        );
        assert_is_redirect_to(&account, "/cookie/profile");
    } else {
        // Memory forgets sessions and carts (the tutorial's lesson); accounts are in SQLite.
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_is_redirect_to(&account, "/cookie/profile");
    }
    restarted.stop().await;
}
