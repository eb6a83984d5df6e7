//! `/account/sessions` (docs/spec.md §11): who may see and end which login, and what a request
//! in flight, a replay or a flood does to an ended one.

use crate::common::*;
use reqwest::StatusCode;

#[app_test]
async fn the_sessions_page_needs_a_login() {
    let app = spawn_app().await;
    let (status, page) = app.sessions_page().await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("You are not logged in"), "{page}");
    // The plain cookie proves nothing: it is no login to list.
    app.put_cookie("user", Some(r#"{"username":"mallory","count":1}"#));
    assert_eq!(app.sessions_page().await.0, StatusCode::UNAUTHORIZED);
    let ended = app.end_login("anything").await;
    assert_eq!(ended.status(), StatusCode::UNAUTHORIZED);
    let others = app.post_form("/account/sessions/end-others", &[]).await;
    assert_eq!(others.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/account/sessions/rows").await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

/// The island's refresh: the same rows as the page, alone, never cached.
#[app_test]
async fn the_rows_alone_are_the_pages_rows() {
    let app = spawn_app().await;
    let name = username("rows");
    app.logged_in_to("session", &name).await;
    app.api_login(&name).await;
    let (_, page) = app.sessions_page().await;
    let response = app.get("/account/sessions/rows").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let rows = response.text().await.unwrap();
    assert!(
        !rows.contains("<html") && !rows.contains("<tbody"),
        "{rows}"
    );
    assert_eq!(login_rows(&rows), login_rows(&page));
    assert_eq!(login_rows(&rows).len(), 2);
    assert!(page.contains(r#"<tbody id="login-rows">"#));
    app.stop().await;
}

#[app_test]
async fn the_page_lists_device_address_and_the_plain_cookie_it_cannot_end() {
    let app = spawn_app().await;
    let name = username("list");
    app.logged_in_to("session", &name).await;
    app.mode_login("cookie", &name, PASSWORD).await;
    app.api_login(&name).await;
    let (status, page) = app.sessions_page().await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("SessionLabTest"),
        "the API login's device line"
    );
    assert!(
        page.contains("<code>127.0.0.1</code>"),
        "the client address"
    );
    assert!(page.contains("The server cannot end this: it never knew about it."));
    let rows = login_rows(&page);
    let plain = rows.iter().find(|r| r.kind == "cookie").unwrap();
    assert!(plain.this_browser && plain.id.is_none(), "{rows:?}");
    // The refresh family of the API login, its one token live.
    assert!(page.contains("live: the next refresh uses it"), "{page}");
    app.stop().await;
}

#[app_test]
async fn a_cross_site_end_is_refused_and_ends_nothing() {
    let app = spawn_app().await;
    let name = username("csrf");
    app.logged_in_to("session", &name).await;
    let victim = app.new_browser();
    victim.mode_login("jwt", &name, PASSWORD).await;
    let id = app.login_id("jwt").await;
    for origin in ["https://evil.example", "null"] {
        let response = app
            .post_form_with(
                "/account/sessions/end",
                &[("login", &id)],
                &[("origin", origin)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        let response = app
            .post_form_with("/account/sessions/end-others", &[], &[("origin", origin)])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    assert!(victim.profile("jwt").await.is_ok());
    app.stop().await;
}

#[app_test]
async fn one_account_never_sees_or_ends_another_accounts_logins() {
    let app = spawn_app().await;
    let alice = app.new_browser();
    let alice_name = username("alice");
    alice.logged_in_to("jwt", &alice_name).await;
    let alice_id = alice.login_rows().await[0].clone();
    assert!(alice_id.this_browser);
    let alice_api = app.api_login(&alice_name).await;
    let alice_api_id = alice.login_id("api").await;

    let bob = app.new_browser();
    bob.logged_in_to("session", &username("bob")).await;
    let rows = bob.login_rows().await;
    assert_eq!(rows.len(), 1, "bob sees only his own login: {rows:?}");
    // Bob guesses (knows) the id of Alice's API login: not one of his.
    let response = bob.end_login(&alice_api_id).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("not a login of your account"));
    let ended = bob.post_form("/account/sessions/end-others", &[]).await;
    assert_is_redirect_to(&ended, "/account/sessions?ended=0");
    // Alice's logins all still work.
    assert!(alice.profile("jwt").await.is_ok());
    let access = alice_api["access_token"].as_str().unwrap();
    assert_eq!(app.bearer_status(access).await, StatusCode::OK);
    assert_eq!(alice.login_rows().await.len(), 2);
    // An empty form names nothing.
    assert_eq!(bob.end_login("").await.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

#[app_test]
async fn sign_out_everywhere_else_leaves_only_this_browser() {
    let app = spawn_app().await;
    let name = username("everywhere");
    let here = app.new_browser();
    here.logged_in_to("session", &name).await;
    let elsewhere: Vec<_> = (0..3).map(|_| app.new_browser()).collect();
    for browser in &elsewhere {
        assert_is_redirect_to(
            &browser.mode_login("session", &name, PASSWORD).await,
            "/session/profile",
        );
    }
    assert_eq!(here.login_rows().await.len(), 4);
    let response = here.post_form("/account/sessions/end-others", &[]).await;
    assert_is_redirect_to(&response, "/account/sessions?ended=3");
    let page = here
        .get("/account/sessions?ended=3")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Ended 3 logins."), "{page}");
    let rows = login_rows(&page);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].this_browser);
    for browser in &elsewhere {
        assert_is_redirect_to(&browser.get("/session/profile").await, "/session/login");
        let login = browser.get("/session/login").await.text().await.unwrap();
        assert!(login.contains(r#"data-notice="ended""#), "{login}");
        assert!(login.contains("This login was ended from your account"));
    }
    assert!(here.profile("session").await.is_ok());
    app.stop().await;
}

/// An "End" racing a flood of profile visits of the login it ends (which write the session
/// as they count): whatever the order, the login is ended afterwards, and a replayed "End"
/// finds nothing to end. Several runs, because the race decides the order.
#[app_test]
async fn an_end_racing_a_flood_of_visits_leaves_the_login_ended() {
    let app = spawn_app().await;
    let name = username("race");
    let owner = app.new_browser();
    owner.logged_in_to("jwt", &name).await;
    for run in 0..5 {
        let target = app.new_browser();
        target.mode_login("session", &name, PASSWORD).await;
        let id = owner.login_id("session").await;
        let visits: Vec<_> = (0..20).map(|_| target.get("/session/profile")).collect();
        let (ended, visits) = tokio::join!(owner.end_login(&id), futures::future::join_all(visits));
        assert_is_redirect_to(&ended, "/account/sessions?ended=1");
        for visit in visits {
            assert!(
                [StatusCode::OK, StatusCode::SEE_OTHER].contains(&visit.status()),
                "run {run}: {}",
                visit.status()
            );
        }
        assert_is_redirect_to(&target.get("/session/profile").await, "/session/login");
        assert_eq!(
            owner.end_login(&id).await.status(),
            StatusCode::NOT_FOUND,
            "run {run}"
        );
    }
    app.stop().await;
}

#[app_test]
async fn the_refresh_endpoint_answers_bad_input_clearly() {
    let app = spawn_app().await;
    let name = username("badrefresh");
    app.register(&name).await;
    let pair = app.api_login(&name).await;
    let send = |content_type: &'static str, body: String| {
        app.client
            .post(app.url("/api/token/refresh"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases = [
        ("application/json", "{".to_owned(), StatusCode::BAD_REQUEST),
        (
            "application/json",
            "{}".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            r#"{"refresh_token":""}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            format!(r#"{{"refresh_token":"{}"}}"#, "x".repeat(300)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "text/plain",
            "refresh_token=x".to_owned(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/json",
            r#"{"refresh_token":"not-one-of-ours"}"#.to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (content_type, body, expected) in cases {
        let response = send(content_type, body.clone()).await.unwrap();
        assert_eq!(response.status(), expected, "{content_type} {body}");
        let json: serde_json::Value = response.json().await.unwrap();
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A form works like JSON.
    let token = pair["refresh_token"].as_str().unwrap();
    let form = send(
        "application/x-www-form-urlencoded",
        format!("refresh_token={token}"),
    )
    .await
    .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    app.stop().await;
}

#[app_test]
async fn an_api_logout_ends_the_access_and_the_refresh_token() {
    let app = spawn_app().await;
    let name = username("apilogout");
    app.register(&name).await;
    let pair = app.api_login(&name).await;
    let access = pair["access_token"].as_str().unwrap();
    let logout = |token: &str| {
        app.client
            .post(app.url("/api/logout"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        logout(access).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.bearer_status(access).await, StatusCode::UNAUTHORIZED);
    let refreshed = app.refresh(pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    // Replayed: the token is refused now.
    assert_eq!(
        logout(access).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        logout("garbage").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

/// Ending a session-lab login deletes its entry at the browser's next request, and the record
/// with it when nothing else is in it: the cookie is cleared. A shop login in the same record
/// survives the end of the lab's.
#[app_test]
async fn an_ended_session_entry_goes_and_takes_an_empty_record_with_it() {
    let app = spawn_app().await;
    let name = username("flush");
    let owner = app.new_browser();
    owner.logged_in_to("jwt", &name).await;
    let target = app.new_browser();
    target.mode_login("session", &name, PASSWORD).await;
    owner.end_login(&owner.login_id("session").await).await;
    let next = target.get("/session/profile").await;
    assert_is_redirect_to(&next, "/session/login");
    let cleared = set_cookie_named(&next, "sid").expect("the session cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    let both = app.new_browser();
    assert_is_redirect_to(&both.shop_login(&name, PASSWORD).await, "/shop/login");
    both.mode_login("session", &name, PASSWORD).await;
    owner.end_login(&owner.login_id("session").await).await;
    assert_is_redirect_to(&both.get("/session/profile").await, "/session/login");
    assert_eq!(
        both.apples_page().await.0,
        StatusCode::OK,
        "the shop's login stays"
    );
    app.stop().await;
}

/// An API access token (5 minutes) sent as the JWT lab's cookie is refused: re-issued there it
/// would become a 30-minute lab token.
#[app_test]
async fn the_jwt_lab_refuses_an_api_access_token() {
    let app = spawn_app().await;
    let name = username("stretch");
    app.register(&name).await;
    let pair = app.api_login(&name).await;
    let access = pair["access_token"].as_str().unwrap();
    app.put_cookie("token", Some(access));
    assert_is_redirect_to(&app.get("/jwt/profile").await, "/jwt/login");
    let login = app.get("/jwt/login").await.text().await.unwrap();
    assert!(login.contains(r#"data-notice="token""#), "{login}");
    assert_eq!(
        app.bearer_status(access).await,
        StatusCode::OK,
        "still good for the API"
    );
    app.stop().await;
}

/// `/api/echo` judges a signed cookie as the lab does: an ended login is not valid there either.
#[app_test]
async fn the_echo_calls_an_ended_signed_cookie_invalid() {
    let app = spawn_app().await;
    let name = username("echo");
    let owner = app.new_browser();
    owner.logged_in_to("session", &name).await;
    let signed = app.new_browser();
    signed.mode_login("signed-cookie", &name, PASSWORD).await;
    let echo = || async {
        let body: serde_json::Value = signed.get("/api/echo").await.json().await.unwrap();
        body["signed_cookie"].clone()
    };
    assert_eq!(echo().await["valid"], true);
    owner
        .end_login(&owner.login_id("signed-cookie").await)
        .await;
    let judged = echo().await;
    assert_eq!(judged["valid"], false);
    assert_eq!(judged["error"], "its login was ended on the sessions page");
    app.stop().await;
}

/// A flood of "End" for one login: exactly one ends it, every other answers `404` and ends
/// nothing else.
#[app_test]
async fn a_flood_of_ends_for_one_login_ends_it_once() {
    let app = spawn_app().await;
    let name = username("endflood");
    let owner = app.new_browser();
    owner.logged_in_to("session", &name).await;
    let target = app.new_browser();
    target.mode_login("jwt", &name, PASSWORD).await;
    let other = app.new_browser();
    other.mode_login("signed-cookie", &name, PASSWORD).await;
    let id = owner.login_id("jwt").await;
    let ends: Vec<_> = (0..20).map(|_| owner.end_login(&id)).collect();
    let statuses: Vec<StatusCode> = futures::future::join_all(ends)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let ended = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let missing = statuses
        .iter()
        .filter(|s| **s == StatusCode::NOT_FOUND)
        .count();
    assert_eq!((ended, missing), (1, 19), "{statuses:?}");
    assert_is_redirect_to(&target.get("/jwt/profile").await, "/jwt/login");
    assert!(
        other.profile("signed-cookie").await.is_ok(),
        "only that login ended"
    );
    app.stop().await;
}

/// A flood of refreshes of one token: at most one new pair, the rest find it used, and no
/// token of the family works afterwards.
#[app_test]
async fn a_flood_of_refreshes_of_one_token_leaves_no_live_chain() {
    let app = spawn_app().await;
    let name = username("refreshflood");
    app.register(&name).await;
    let pair = app.api_login(&name).await;
    let token = pair["refresh_token"].as_str().unwrap();
    let answers = futures::future::join_all((0..20).map(|_| app.refresh(token))).await;
    let mut winners = Vec::new();
    for answer in answers {
        match answer.status() {
            StatusCode::OK => winners.push(answer.json::<serde_json::Value>().await.unwrap()),
            status => assert_eq!(status, StatusCode::UNAUTHORIZED),
        }
    }
    assert!(winners.len() <= 1, "{} live chains", winners.len());
    for next in winners.iter().chain([&pair]) {
        let access = next["access_token"].as_str().unwrap();
        assert_eq!(app.bearer_status(access).await, StatusCode::UNAUTHORIZED);
        let again = app.refresh(next["refresh_token"].as_str().unwrap()).await;
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    }
    app.stop().await;
}

/// An API logout racing a refresh of the same login, several runs: whichever comes first, no
/// token of the login works afterwards.
#[app_test]
async fn an_api_logout_racing_a_refresh_leaves_nothing_alive() {
    let app = spawn_app().await;
    let name = username("logoutrace");
    app.register(&name).await;
    for run in 0..5 {
        let pair = app.api_login(&name).await;
        let access = pair["access_token"].as_str().unwrap();
        let logout = app
            .client
            .post(app.url("/api/logout"))
            .bearer_auth(access)
            .send();
        let (logout, refreshed) =
            tokio::join!(logout, app.refresh(pair["refresh_token"].as_str().unwrap()));
        assert_eq!(
            logout.unwrap().status(),
            StatusCode::NO_CONTENT,
            "run {run}"
        );
        if refreshed.status() == StatusCode::OK {
            let next: serde_json::Value = refreshed.json().await.unwrap();
            let access = next["access_token"].as_str().unwrap();
            assert_eq!(
                app.bearer_status(access).await,
                StatusCode::UNAUTHORIZED,
                "run {run}"
            );
            let again = app.refresh(next["refresh_token"].as_str().unwrap()).await;
            assert_eq!(again.status(), StatusCode::UNAUTHORIZED, "run {run}");
        }
        assert_eq!(
            app.bearer_status(access).await,
            StatusCode::UNAUTHORIZED,
            "run {run}"
        );
    }
    app.stop().await;
}
