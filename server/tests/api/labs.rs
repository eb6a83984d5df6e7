//! The four labs, four ways to stay logged in (docs/spec.md §4): the shared flow of every lab, the
//! cookies each sets (docs/spec.md §7), and bad cookies on every profile route (docs/spec.md §9.5).

use crate::common::*;
use reqwest::StatusCode;
use session_lab::config::Options;

const MODES: [&str; 4] = ["cookie", "signed-cookie", "session", "jwt"];

/// The cookie each mode keeps its login in (plain http names).
fn cookie_of(mode: &str) -> &'static str {
    match mode {
        "cookie" => "user",
        "signed-cookie" => "signed_user",
        "session" => "sid",
        _ => "token",
    }
}

#[app_test]
async fn every_mode_counts_profile_visits_from_one_and_logs_out() {
    let app = spawn_app().await;
    for mode in MODES {
        let browser = app.new_browser();
        let name = username("flow");
        browser.logged_in_to(mode, &name).await;
        for count in 1..=3 {
            assert_eq!(
                browser.profile(mode).await.unwrap(),
                format!("welcome {name} with the count: {count}"),
                "{mode}"
            );
        }
        // Already logged in: the login page sends you to the profile, without counting.
        assert_is_redirect_to(
            &browser.get(&format!("/{mode}/login")).await,
            &format!("/{mode}/profile"),
        );
        assert!(
            browser.profile(mode).await.unwrap().ends_with("count: 4"),
            "{mode}"
        );

        let logout = browser.post_form(&format!("/{mode}/logout"), &[]).await;
        assert_is_redirect_to(&logout, &format!("/{mode}/login"));
        let gone = browser.get(&format!("/{mode}/profile")).await;
        assert_is_redirect_to(&gone, &format!("/{mode}/login"));
        let page = browser.get(&format!("/{mode}/login")).await;
        assert_eq!(page.status(), StatusCode::OK, "{mode}");
        assert!(
            page.text().await.unwrap().contains("action=\"/"),
            "{mode}: a login form"
        );
    }
    app.stop().await;
}

#[app_test]
async fn not_logged_in_profiles_redirect_to_their_login_page() {
    let app = spawn_app().await;
    for mode in MODES {
        let response = app.get(&format!("/{mode}/profile")).await;
        assert_is_redirect_to(&response, &format!("/{mode}/login"));
    }
    app.stop().await;
}

#[app_test]
async fn a_wrong_password_gets_the_generic_error_and_no_cookie() {
    let app = spawn_app().await;
    let name = username("wrong");
    app.register(&name).await;
    for mode in MODES {
        let response = app.mode_login(mode, &name, "not the password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{mode}");
        assert!(
            set_cookie_named(&response, cookie_of(mode)).is_none(),
            "{mode}"
        );
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("Invalid username or password"));
    }
    app.stop().await;
}

#[app_test]
async fn each_login_cookie_has_the_attributes_of_spec_section_7() {
    let app = spawn_app().await;
    for mode in MODES {
        let browser = app.new_browser();
        let name = username("attrs");
        browser.register(&name).await;
        let response = browser.mode_login(mode, &name, PASSWORD).await;
        let cookie = set_cookie_named(&response, cookie_of(mode)).expect("login sets a cookie");
        let (pair, _) = cookie.split_once(';').unwrap();
        assert!(pair.len() <= 4096, "{mode}: {} bytes", pair.len());
        assert!(
            cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(
            !cookie.contains("Secure") && !cookie.contains("Domain"),
            "{cookie}"
        );
        match mode {
            "cookie" => assert!(
                !cookie.contains("HttpOnly") && !cookie.contains("Max-Age"),
                "{cookie}"
            ),
            "session" => assert!(
                cookie.contains("HttpOnly") && !cookie.contains("Max-Age"),
                "{cookie}"
            ),
            "signed-cookie" => assert!(
                cookie.contains("HttpOnly") && cookie.contains("Max-Age=3600"),
                "{cookie}"
            ),
            _ => assert!(
                cookie.contains("HttpOnly") && cookie.contains("Max-Age=1800"),
                "{cookie}"
            ),
        }
        let logout = browser.post_form(&format!("/{mode}/logout"), &[]).await;
        let removal = set_cookie_named(&logout, cookie_of(mode)).expect("logout clears the cookie");
        assert!(
            removal.contains("Max-Age=0") && removal.contains("Path=/"),
            "{removal}"
        );
        assert_eq!(removal.contains("HttpOnly"), mode != "cookie", "{removal}");
    }
    app.stop().await;
}

#[app_test]
async fn over_https_the_servers_cookies_are_secure_and_host_prefixed() {
    let app = spawn_app_with(Options {
        public_url: Some("https://lab.example".into()),
        ..Options::default()
    })
    .await;
    let https = [("origin", "https://lab.example")];
    let name = username("tls");
    let form = [
        ("username", name.as_str()),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
    ];
    app.post_form_with("/register", &form, &https).await;
    for (mode, cookie) in [
        ("signed-cookie", "__Host-signed_user"),
        ("jwt", "__Host-token"),
        ("cookie", "user"),
    ] {
        let response = app
            .post_form_with(&format!("/{mode}/login"), &form[..2], &https)
            .await;
        let set = set_cookie_named(&response, cookie).expect(cookie);
        assert_eq!(set.contains("Secure"), mode != "cookie", "{set}");
    }
    app.stop().await;
}

#[app_test]
async fn bad_cookies_on_every_profile_route_are_anonymous_never_5xx() {
    let app = spawn_app().await;
    let huge = "x".repeat(16 * 1024);
    for mode in MODES {
        let name = cookie_of(mode);
        let cases: Vec<Vec<u8>> = vec![
            format!("{name}=garbage").into_bytes(),
            format!("{name}=").into_bytes(),
            format!("{name}=%7B%22username%22").into_bytes(),
            format!("{name}=a; {name}=b").into_bytes(),
            format!("{name}={huge}").into_bytes(),
            [format!("{name}=").as_bytes(), b"\xff\xfe\x80"].concat(),
            b";;; = ; ==; \t".to_vec(),
        ];
        for cookie in cases {
            let response = app
                .get_with_cookie_bytes(&format!("/{mode}/profile"), &cookie)
                .await;
            assert!(
                !response.status().is_server_error(),
                "{mode}: {:?}",
                String::from_utf8_lossy(&cookie[..cookie.len().min(40)])
            );
            assert_is_redirect_to(&response, &format!("/{mode}/login"));
            let login = app
                .get_with_cookie_bytes(&format!("/{mode}/login"), &cookie)
                .await;
            assert_eq!(login.status(), StatusCode::OK, "{mode}");
        }
    }
    app.stop().await;
}

#[app_test]
async fn a_bad_lab_cookie_is_cleared() {
    let app = spawn_app().await;
    for mode in ["cookie", "signed-cookie", "jwt"] {
        let name = cookie_of(mode);
        let response = app
            .get_with_cookie_bytes(
                &format!("/{mode}/profile"),
                format!("{name}=tampered").as_bytes(),
            )
            .await;
        let removal = set_cookie_named(&response, name).expect("the bad cookie is cleared");
        assert!(removal.contains("Max-Age=0"), "{removal}");
    }
    app.stop().await;
}

#[app_test]
async fn editing_the_plain_cookie_impersonates_anyone() {
    let app = spawn_app().await;
    app.logged_in_to("cookie", &username("honest")).await;
    assert!(app.profile("cookie").await.unwrap().ends_with("count: 1"));
    app.put_cookie(
        "user",
        Some("%7B%22username%22%3A%22mallory%22%2C%22count%22%3A41%7D"),
    );
    assert_eq!(
        app.profile("cookie").await.unwrap(),
        "welcome mallory with the count: 42"
    );
    // Written by hand from nothing, without ever logging in, in raw JSON:
    let stranger = app.new_browser();
    stranger.put_cookie("user", Some(r#"{"username":"admin","count":0}"#));
    assert_eq!(
        stranger.profile("cookie").await.unwrap(),
        "welcome admin with the count: 1"
    );
    app.stop().await;
}

#[app_test]
async fn the_plain_cookie_authorises_nothing_outside_its_lab() {
    let app = spawn_app().await;
    let name = username("victim");
    app.register(&name).await;
    let forged = app.new_browser();
    forged.put_cookie(
        "user",
        Some(&format!(r#"{{"username":"{name}","count":1}}"#)),
    );
    assert_eq!(forged.apples_page().await.0, StatusCode::UNAUTHORIZED);
    for mode in ["signed-cookie", "session", "jwt"] {
        assert_is_redirect_to(
            &forged.get(&format!("/{mode}/profile")).await,
            &format!("/{mode}/login"),
        );
    }
    let me = forged.get("/api/me").await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[app_test]
async fn the_session_lab_gets_a_new_id_at_login_and_logout_kills_the_old_one() {
    let app = spawn_app().await;
    let name = username("sess");
    app.register(&name).await;
    app.get("/shop/login").await; // an anonymous session is possible; it must not survive
    let before = app.cookie_value("sid");
    app.mode_login("session", &name, PASSWORD).await;
    let issued = app.cookie_value("sid").expect("a session cookie");
    assert_ne!(Some(issued.clone()), before);
    app.profile("session").await.unwrap();
    app.post_form("/session/logout", &[]).await;
    let replay = app.new_browser();
    replay.put_cookie("sid", Some(&issued));
    assert_is_redirect_to(&replay.get("/session/profile").await, "/session/login");
    app.stop().await;
}

#[app_test]
async fn logging_out_of_one_session_lab_keeps_the_other_under_a_new_id() {
    let app = spawn_app().await;
    let name = username("both");
    app.logged_in_to("session", &name).await;
    let response = app.shop_login(&name, PASSWORD).await;
    assert_is_redirect_to(&response, "/shop/login");
    let shared = app.cookie_value("sid").unwrap();
    app.post_form("/session/logout", &[]).await;
    // Still in the shop, under a new id; the old id is anonymous everywhere.
    assert_eq!(app.apples_page().await.0, StatusCode::OK);
    assert_ne!(app.cookie_value("sid").unwrap(), shared);
    let replay = app.new_browser();
    replay.put_cookie("sid", Some(&shared));
    assert_eq!(replay.apples_page().await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[app_test]
async fn a_password_change_revokes_every_earlier_login() {
    let app = spawn_app().await;
    let name = username("change");
    app.register(&name).await;
    for mode in MODES {
        assert_is_redirect_to(
            &app.mode_login(mode, &name, PASSWORD).await,
            &format!("/{mode}/profile"),
        );
    }
    app.shop_login(&name, PASSWORD).await;
    let before = app.session_cookie().unwrap();
    let token = app.cookie_value("token").unwrap();

    let new_password = "a brand new passphrase";
    let changed = app.change_password(&name, new_password).await;
    assert_eq!(changed.status(), StatusCode::OK);

    let replay = app.new_browser();
    replay.set_session_cookie(Some(&before));
    for mode in ["signed-cookie", "session", "jwt"] {
        assert_is_redirect_to(
            &replay.get(&format!("/{mode}/profile")).await,
            &format!("/{mode}/login"),
        );
    }
    assert_eq!(replay.apples_page().await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.bearer_status(&token).await, StatusCode::UNAUTHORIZED);
    // The plain cookie has nothing to revoke: that is its lesson.
    assert!(replay.profile("cookie").await.is_ok());
    // The new password works; the old one does not.
    assert_eq!(
        app.mode_login("jwt", &name, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_is_redirect_to(
        &app.mode_login("jwt", &name, new_password).await,
        "/jwt/profile",
    );
    app.stop().await;
}

#[app_test]
async fn a_password_change_needs_the_current_password() {
    let app = spawn_app().await;
    let name = username("guard");
    app.register(&name).await;
    let refused = app
        .post_form(
            "/account/password",
            &[
                ("username", &name),
                ("current", "wrong password"),
                ("password", "another passphrase"),
                ("confirm", "another passphrase"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_is_redirect_to(
        &app.mode_login("session", &name, PASSWORD).await,
        "/session/profile",
    );
    app.stop().await;
}

/// Seals a signed-cookie payload with the server's own key, as only the server could.
fn seal(app: &TestApp, cookie_name: &str, payload: &str) -> String {
    let mut jar = cookie::CookieJar::new();
    jar.private_mut(&app.cookie_key()).add(cookie::Cookie::new(
        cookie_name.to_owned(),
        payload.to_owned(),
    ));
    jar.get(cookie_name).unwrap().value().to_owned()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[app_test]
async fn signed_cookie_edits_and_truncations_are_rejected() {
    let app = spawn_app().await;
    app.logged_in_to("signed-cookie", &username("sealed")).await;
    let sealed = app.cookie_value("signed_user").unwrap();
    let mut attempts = Vec::new();
    for i in [0, sealed.len() / 2, sealed.len() - 3] {
        let mut bytes = sealed.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        attempts.push(String::from_utf8(bytes).unwrap());
    }
    attempts.push(sealed[..sealed.len() - 8].to_owned());
    attempts.push(sealed[8..].to_owned());
    for attempt in attempts {
        let browser = app.new_browser();
        browser.put_cookie("signed_user", Some(&attempt));
        assert_is_redirect_to(
            &browser.get("/signed-cookie/profile").await,
            "/signed-cookie/login",
        );
    }
    // The untouched cookie still works: the rejections above are about the edits.
    assert!(app
        .profile("signed-cookie")
        .await
        .unwrap()
        .ends_with("count: 1"));
    app.stop().await;
}

#[app_test]
async fn a_signed_value_moved_from_another_cookie_or_expired_is_rejected() {
    let app = spawn_app().await;
    app.logged_in_to("signed-cookie", &username("swap")).await; // account id 1
    let payload = |exp: u64| {
        format!(
            r#"{{"username":"forger","count":5,"exp":{exp},"uid":1,"ver":1,"lid":"forged","seen":0}}"#
        )
    };
    let browser = app.new_browser();
    // Control: sealed for the right name and in date, the server accepts it.
    browser.put_cookie(
        "signed_user",
        Some(&seal(&app, "signed_user", &payload(now() + 600))),
    );
    assert_eq!(
        browser.profile("signed-cookie").await.unwrap(),
        "welcome forger with the count: 6"
    );
    // The same payload sealed for another cookie name: the name is part of the seal.
    browser.put_cookie(
        "signed_user",
        Some(&seal(&app, "token", &payload(now() + 600))),
    );
    assert_is_redirect_to(
        &browser.get("/signed-cookie/profile").await,
        "/signed-cookie/login",
    );
    // Sealed correctly, but its expiry has passed.
    browser.put_cookie(
        "signed_user",
        Some(&seal(&app, "signed_user", &payload(now() - 1))),
    );
    assert_is_redirect_to(
        &browser.get("/signed-cookie/profile").await,
        "/signed-cookie/login",
    );
    app.stop().await;
}
