//! Every state change says why (issue #20): a lab that refuses the login a request carried
//! tells the login page it redirects to, in the words of the check that failed, and a logout
//! says what it destroyed. The note rides in the one-minute `notice` cookie.

use crate::common::*;
use reqwest::StatusCode;

/// Follows a profile visit's redirect to the login page, as a browser would, and returns the
/// notice that page shows (its `data-notice` code and its text), if any.
async fn notice_after(
    browser: &TestApp,
    response: reqwest::Response,
    lab: &str,
) -> Option<(String, String)> {
    assert_is_redirect_to(&response, &format!("/{lab}/login"));
    let page = browser.get(&format!("/{lab}/login")).await;
    assert_eq!(page.status(), StatusCode::OK, "{lab}");
    notice_on(page).await
}

async fn notice_on(page: reqwest::Response) -> Option<(String, String)> {
    let html = page.text().await.unwrap();
    let start = html.find("data-notice=\"")? + "data-notice=\"".len();
    let code = html[start..start + html[start..].find('"')?].to_owned();
    let text_start = start + html[start..].find('>')? + 1;
    let text = html[text_start..text_start + html[text_start..].find('<')?].to_owned();
    Some((code, text))
}

#[app_test]
async fn a_tampered_signed_cookie_is_refused_with_the_seal_check_message() {
    let app = spawn_app().await;
    app.logged_in_to("signed-cookie", &username("seal")).await;
    let sealed = app.cookie_value("signed_user").unwrap();
    // One character of the sealed value changed, as a learner would in the viewer.
    let mut bytes = sealed.into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    app.put_cookie("signed_user", Some(std::str::from_utf8(&bytes).unwrap()));

    let response = app.get("/signed-cookie/profile").await;
    assert!(
        set_cookie_named(&response, "signed_user").is_some_and(|c| c.contains("Max-Age=0")),
        "the forged cookie is deleted"
    );
    let (code, text) = notice_after(&app, response, "signed-cookie")
        .await
        .expect("a notice");
    assert_eq!(code, "seal");
    assert!(text.contains("failed its seal check"), "{text}");
    // Shown once: the login page deleted the notice.
    assert_eq!(app.cookie_value("notice"), None);
    assert_eq!(notice_on(app.get("/signed-cookie/login").await).await, None);
    app.stop().await;
}

#[app_test]
async fn a_garbled_plain_cookie_and_a_stale_password_say_so() {
    let app = spawn_app().await;
    let name = username("stale");
    app.logged_in_to("cookie", &name).await;
    app.put_cookie("user", Some("not%20json"));
    let response = app.get("/cookie/profile").await;
    let (code, text) = notice_after(&app, response, "cookie")
        .await
        .expect("a notice");
    assert_eq!(code, "unreadable");
    assert!(text.contains("user cookie"), "{text}");

    for lab in ["signed-cookie", "session", "jwt"] {
        app.mode_login(lab, &name, PASSWORD).await;
    }
    let new_password = "another long passphrase";
    let changed = app.change_password(&name, new_password).await;
    assert_eq!(changed.status(), StatusCode::OK);
    for lab in ["signed-cookie", "session", "jwt"] {
        let response = app.get(&format!("/{lab}/profile")).await;
        let notice = notice_after(&app, response, lab).await;
        let (code, text) = notice.unwrap_or_else(|| panic!("{lab}: a notice"));
        assert_eq!(code, "password", "{lab}");
        assert!(
            text.contains("Your password changed since this login"),
            "{lab}: {text}"
        );
    }
    app.stop().await;
}

#[app_test]
async fn a_logged_out_token_replayed_is_refused_as_logged_out() {
    let app = spawn_app().await;
    app.logged_in_to("jwt", &username("replay")).await;
    let token = app.cookie_value("token").unwrap();
    let logout = app.post_form("/jwt/logout", &[]).await;
    let (code, text) = notice_after(&app, logout, "jwt").await.expect("a notice");
    assert_eq!(code, "logged-out");
    assert!(text.starts_with("You are logged out."), "{text}");
    assert!(text.contains("denylist"), "{text}");

    let thief = app.new_browser();
    thief.put_cookie("token", Some(&token));
    let response = thief.get("/jwt/profile").await;
    let (code, text) = notice_after(&thief, response, "jwt")
        .await
        .expect("a notice");
    assert_eq!(code, "revoked");
    assert!(text.contains("logged out"), "{text}");
    app.stop().await;
}

#[app_test]
async fn every_lab_confirms_a_logout_with_what_it_destroyed() {
    let app = spawn_app().await;
    let name = username("bye");
    app.register(&name).await;
    for (lab, destroyed) in [
        ("cookie", "the server had nothing to forget"),
        ("signed-cookie", "until its sealed expiry"),
        ("session", "deleted your session record"),
        ("jwt", "denylist"),
    ] {
        app.mode_login(lab, &name, PASSWORD).await;
        let logout = app.post_form(&format!("/{lab}/logout"), &[]).await;
        let (code, text) = notice_after(&app, logout, lab).await.expect("a notice");
        assert_eq!(code, "logged-out", "{lab}");
        assert!(text.contains(destroyed), "{lab}: {text}");
    }
    app.stop().await;
}

#[app_test]
async fn a_notice_shows_only_on_its_own_lab_and_forged_ones_say_nothing() {
    let app = spawn_app().await;
    for (value, lab) in [
        ("jwt:logged-out", "cookie"),
        ("cookie:no-such-code", "cookie"),
        ("cookie", "cookie"),
        ("%00%ff:seal", "signed-cookie"),
        ("", "session"),
    ] {
        app.put_cookie("notice", Some(value));
        let page = app.get(&format!("/{lab}/login")).await;
        assert_eq!(page.status(), StatusCode::OK, "{value}");
        assert!(
            set_cookie_named(&page, "notice").is_some_and(|c| c.contains("Max-Age=0")),
            "{value}: deleted"
        );
        assert_eq!(notice_on(page).await, None, "{value}");
    }
    // Twice: neither is trusted, both go.
    let page = app
        .get_with_cookie_bytes(
            "/cookie/login",
            b"notice=cookie:logged-out; notice=cookie:seal",
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(notice_on(page).await, None);
    app.stop().await;
}

#[app_test]
async fn a_cookie_sent_twice_is_named_as_such_in_every_lab_that_reads_one() {
    let app = spawn_app().await;
    for (lab, cookie) in [
        ("cookie", "user"),
        ("signed-cookie", "signed_user"),
        ("jwt", "token"),
    ] {
        let twice = format!("{cookie}=a; {cookie}=b");
        let response = app
            .get_with_cookie_bytes(&format!("/{lab}/profile"), twice.as_bytes())
            .await;
        assert_is_redirect_to(&response, &format!("/{lab}/login"));
        let notice = set_cookie_named(&response, "notice").unwrap_or_default();
        assert!(
            notice.starts_with(&format!("notice={lab}:twice;")),
            "{lab}: {notice}"
        );
    }
    app.stop().await;
}

/// The notice is the one state change this issue adds, and it lives only in the browser: a
/// replayed notice, a flood of it, and a logout in flight beside it change nothing on the
/// server. Each answer shows the same sentence and deletes the cookie; a login made since
/// still stands.
#[app_test]
async fn a_replayed_or_flooded_notice_changes_nothing_and_never_fails() {
    let app = spawn_app().await;
    let name = username("replay_notice");
    app.logged_in_to("session", &name).await;
    let logout = app.post_form("/session/logout", &[]).await;
    let notice = set_cookie_named(&logout, "notice").expect("the logout's notice");
    let notice = notice.split(';').next().unwrap().to_owned(); // notice=session:logged-out
                                                               // Logged in again: a replayed "logged out" must not end this login.
    assert_is_redirect_to(
        &app.mode_login("session", &name, PASSWORD).await,
        "/session/profile",
    );
    let session = app.session_cookie().unwrap();
    for round in 0..3 {
        let replays = (0..16).map(|_| {
            let header = format!("{session}; {notice}");
            let app = &app;
            async move {
                let page = app
                    .get_with_cookie_bytes("/session/login", header.as_bytes())
                    .await;
                // Still logged in: the login page sends the visitor on to the profile; the
                // notice waits (a minute at most) for a login page that shows it.
                assert_is_redirect_to(&page, "/session/profile");
            }
        });
        // A logout of another browser in flight at the same moment.
        let other = app.new_browser();
        other.logged_in_to("session", &username("bystander")).await;
        let (_, gone) = tokio::join!(
            futures::future::join_all(replays),
            other.post_form("/session/logout", &[])
        );
        assert_is_redirect_to(&gone, "/session/login");
        let count = app.profile("session").await.expect("the login stands");
        assert!(count.ends_with(&format!("count: {}", round + 1)), "{count}");
    }
    // Without the session, the replayed notice shows its sentence, once per request, 200.
    let stranger = app.new_browser();
    let page = stranger
        .get_with_cookie_bytes("/session/login", notice.as_bytes())
        .await;
    assert!(
        set_cookie_named(&page, "notice").is_some_and(|c| c.contains("Max-Age=0")),
        "deleted"
    );
    let (code, _) = notice_on(page).await.expect("the sentence");
    assert_eq!(code, "logged-out");
    app.stop().await;
}
