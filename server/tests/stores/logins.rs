//! Where you're signed in, and refresh tokens, on every store (docs/spec.md §11).

use crate::{common::*, Store};
use reqwest::StatusCode;
use serde_json::Value;

/// The `error` and `message` of a JSON error answer.
async fn refusal(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// One account logged in five ways (session lab, shop, JWT lab, signed-cookie lab, API): the
/// sessions page of one lists them all, and "End" on each ends exactly that one, for the
/// reason the lab's login page then names.
pub async fn every_login_is_listed_and_ended_from_the_sessions_page(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    let name = username("where");
    let session = app.new_browser();
    session.logged_in_to("session", &name).await;
    let shop = app.new_browser();
    assert_is_redirect_to(&shop.shop_login(&name, PASSWORD).await, "/shop/login");
    let jwt = app.new_browser();
    assert_is_redirect_to(
        &jwt.mode_login("jwt", &name, PASSWORD).await,
        "/jwt/profile",
    );
    let signed = app.new_browser();
    assert_is_redirect_to(
        &signed.mode_login("signed-cookie", &name, PASSWORD).await,
        "/signed-cookie/profile",
    );
    let api = app.api_login(&name).await;

    let rows = session.login_rows().await;
    let mut kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        ["api", "jwt", "session", "shop", "signed-cookie"],
        "{store:?}"
    );
    let own: Vec<_> = rows.iter().filter(|r| r.this_browser).collect();
    assert_eq!(own.len(), 1, "{rows:?}");
    assert_eq!(own[0].kind, "session");
    assert_eq!(own[0].id, None, "this browser's row has no End button");

    // The JWT lab: its token's sid is denied.
    let id = session.login_id("jwt").await;
    assert_is_redirect_to(&session.end_login(&id).await, "/account/sessions?ended=1");
    assert_is_redirect_to(&jwt.get("/jwt/profile").await, "/jwt/login");
    let notice = jwt.get("/jwt/login").await.text().await.unwrap();
    assert!(notice.contains(r#"data-notice="revoked""#), "{store:?}");
    // The signed cookie: still sealed right, its login id refused.
    let id = session.login_id("signed-cookie").await;
    session.end_login(&id).await;
    assert_is_redirect_to(
        &signed.get("/signed-cookie/profile").await,
        "/signed-cookie/login",
    );
    let notice = signed
        .get("/signed-cookie/login")
        .await
        .text()
        .await
        .unwrap();
    assert!(notice.contains(r#"data-notice="ended""#), "{store:?}");
    // The shop's session entry.
    let id = session.login_id("shop").await;
    session.end_login(&id).await;
    assert_eq!(
        shop.apples_page().await.0,
        StatusCode::UNAUTHORIZED,
        "{store:?}"
    );
    // The API: its access token and its refresh token.
    let id = session.login_id("api").await;
    session.end_login(&id).await;
    let access = api["access_token"].as_str().unwrap();
    assert_eq!(app.bearer_status(access).await, StatusCode::UNAUTHORIZED);
    let refresh = api["refresh_token"].as_str().unwrap();
    let (status, error, _) = refusal(app.refresh(refresh).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_grant")
    );

    // Only this browser's login is left, and it still works.
    let rows = session.login_rows().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(session.profile("session").await.is_ok());
    app.stop().await;
}

/// Rotate three times, then replay the first refresh token: `401` with the reason, and the
/// newest pair of the family is dead too.
pub async fn a_replayed_refresh_token_revokes_its_family(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    let name = username("rotate");
    let owner = app.new_browser();
    owner.logged_in_to("session", &name).await;
    let first: Value = app.api_login(&name).await;
    let mut latest = first.clone();
    for _ in 0..3 {
        let response = app.refresh(latest["refresh_token"].as_str().unwrap()).await;
        assert_eq!(response.status(), StatusCode::OK, "{store:?}");
        let next: Value = response.json().await.unwrap();
        assert_ne!(next["refresh_token"], latest["refresh_token"]);
        assert_eq!(
            app.bearer_status(next["access_token"].as_str().unwrap())
                .await,
            StatusCode::OK
        );
        latest = next;
    }
    let (status, error, message) =
        refusal(app.refresh(first["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_grant")
    );
    assert!(message.contains("already used"), "{message}");
    let (status, _, message) =
        refusal(app.refresh(latest["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{store:?}");
    assert!(message.contains("was ended"), "{message}");
    assert_eq!(
        app.bearer_status(latest["access_token"].as_str().unwrap())
            .await,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

/// Two refreshes of the same token at the same moment, many times over: never two successes,
/// and whatever the order, every token of the family is dead afterwards — never two live
/// chains.
pub async fn two_simultaneous_refreshes_never_leave_two_live_chains(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    let name = username("race");
    app.register(&name).await;
    for run in 0..8 {
        let pair = app.api_login(&name).await;
        let token = pair["refresh_token"].as_str().unwrap();
        let (a, b) = tokio::join!(app.refresh(token), app.refresh(token));
        let mut successes = Vec::new();
        let mut reused = 0;
        for response in [a, b] {
            if response.status() == StatusCode::OK {
                successes.push(response.json::<Value>().await.unwrap());
            } else {
                let (status, error, message) = refusal(response).await;
                assert_eq!(
                    (status, error.as_str()),
                    (StatusCode::UNAUTHORIZED, "invalid_grant")
                );
                reused += usize::from(message.contains("already used"));
            }
        }
        assert!(
            successes.len() <= 1,
            "run {run}: two live chains on {store:?}"
        );
        assert_eq!(
            reused, 1,
            "run {run}: exactly one request found the token used"
        );
        for next in successes {
            let refreshed = app.refresh(next["refresh_token"].as_str().unwrap()).await;
            assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED, "run {run}");
            assert_eq!(
                app.bearer_status(next["access_token"].as_str().unwrap())
                    .await,
                StatusCode::UNAUTHORIZED,
                "run {run}"
            );
        }
    }
    app.stop().await;
}

/// A password change ends every login: the refresh token fails and the list forgets them.
pub async fn a_password_change_ends_refresh_tokens_and_empties_the_list(store: Store) {
    let app = spawn_app_with(store.options().await).await;
    let name = username("pwd");
    let browser = app.new_browser();
    browser.logged_in_to("session", &name).await;
    let api = app.api_login(&name).await;
    assert_eq!(browser.login_rows().await.len(), 2);
    assert_eq!(
        app.change_password(&name, "a much newer password")
            .await
            .status(),
        StatusCode::OK
    );
    let (status, _, message) =
        refusal(app.refresh(api["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("password changed"), "{message}");
    assert_eq!(browser.sessions_page().await.0, StatusCode::UNAUTHORIZED);
    // Logged in again with the new password, only the new login is listed.
    let again = app.new_browser();
    assert_is_redirect_to(
        &again
            .mode_login("session", &name, "a much newer password")
            .await,
        "/session/profile",
    );
    assert_eq!(again.login_rows().await.len(), 1, "{store:?}");
    app.stop().await;
}
