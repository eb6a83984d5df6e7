//! The viewer's server side: the `/inspector` page and its islands, what `/api/echo` tells it
//! about the session store, and the "on the wire" lesson of each profile page.

use crate::common::{app_test, spawn_app, spawn_app_with, username};
use reqwest::StatusCode;
use serde_json::Value;
use session_lab::config::Options;

#[app_test]
async fn the_inspector_page_renders_its_islands_and_lessons() {
    let app = spawn_app().await;
    let response = app.get("/inspector").await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    for needle in [
        "<leptos-island data-component=\"CookieJar",
        "<leptos-island data-component=\"TokenLab",
        "Cookie jar",
        "Token decoder",
        "Encoder: the tamper lab",
        "Readable by anyone",
        "keeps a denylist",
    ] {
        assert!(page.contains(needle), "the page should contain {needle:?}");
    }
    app.stop().await;
}

#[app_test]
async fn echo_says_whether_the_session_store_survives_a_restart() {
    let app = spawn_app().await;
    let echo: Value = app.get("/api/echo").await.json().await.unwrap();
    assert_eq!(echo["session_store"]["kind"], "SQLite");
    assert_eq!(echo["session_store"]["survives_restart"], true);
    app.stop().await;

    let app = spawn_app_with(Options {
        session_store: Some("memory".into()),
        ..Options::default()
    })
    .await;
    let echo: Value = app.get("/api/echo").await.json().await.unwrap();
    assert_eq!(echo["session_store"]["kind"], "memory");
    assert_eq!(echo["session_store"]["survives_restart"], false);
    app.stop().await;
}

#[app_test]
async fn profiles_show_the_headers_on_the_wire_with_httponly_values_masked() {
    let app = spawn_app().await;
    let name = username("wire");
    app.logged_in_to("jwt", &name).await;
    let response = app
        .mode_login("cookie", &name, crate::common::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let token = app.cookie_value("token").expect("the jwt lab's cookie");
    let page = app.get("/jwt/profile").await.text().await.unwrap();
    assert!(page.contains("Set-Cookie: token=&lt;"), "{page}");
    assert!(
        page.contains("HttpOnly; SameSite=Lax; Path=/; Max-Age=1800"),
        "{page}"
    );
    assert!(page.contains("Cookie: "), "{page}");
    assert!(
        !page.contains(&token),
        "the HttpOnly token must not be printed into the page"
    );

    // The plain cookie is readable by scripts anyway: its value is shown, and it is the one
    // this very response sets (count 1), not the one the browser sent (count 0).
    let sent = app.cookie_value("user").expect("the cookie lab's cookie");
    let page = app.get("/cookie/profile").await.text().await.unwrap();
    let set = app.cookie_value("user").unwrap();
    assert_ne!(sent, set);
    assert!(set.contains("%22count%22%3A1"), "{set}");
    assert!(page.contains("with the count: 1"), "{page}");
    assert!(page.contains(&format!("Set-Cookie: user={set}")), "{page}");
    assert!(
        page.contains("This page's response sets the cookie again"),
        "{page}"
    );
    // The session lab too: its visit writes the entry, so the session layer re-sends the id.
    app.mode_login("session", &name, crate::common::PASSWORD)
        .await;
    let page = app.get("/session/profile").await.text().await.unwrap();
    assert!(
        page.contains("This page's response sets the cookie again"),
        "{page}"
    );
    assert!(page.contains("Set-Cookie: sid=&lt;"), "masked: {page}");
    app.stop().await;
}

/// Without JavaScript the viewer still tells the truth: the server lists the cookies it
/// received in this very request, the session record and the labs' verdicts.
#[app_test]
async fn the_viewer_says_what_the_server_received_without_javascript() {
    let app = spawn_app().await;
    let page = app.get("/inspector").await.text().await.unwrap();
    assert!(page.contains("<noscript>"), "{page}");
    assert!(page.contains("Your browser sent no cookie"), "{page}");
    assert!(
        !page.contains("your browser holds no cookie"),
        "never claimed before reading"
    );

    let name = username("noscript");
    app.logged_in_to("cookie", &name).await;
    app.mode_login("jwt", &name, crate::common::PASSWORD).await;
    app.shop_login(&name, crate::common::PASSWORD).await;
    let page = app.get("/inspector").await.text().await.unwrap();
    assert!(page.contains("Your browser sent 3 cookies"), "{page}");
    for cookie in [
        "<code>user</code>",
        "<code>token</code>",
        "<code>sid</code>",
    ] {
        assert!(page.contains(cookie), "{cookie} listed");
    }
    assert!(page.contains("HttpOnly: hidden from page scripts"));
    assert!(
        page.contains("plain cookie: {\n  \"valid\": true") && page.contains(&name),
        "the verdicts: {page}"
    );
    let token = app.cookie_value("token").unwrap();
    assert!(!page.contains(&token), "never an HttpOnly value");
    app.stop().await;
}
