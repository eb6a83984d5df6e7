//! The scenarios every store must pass.

use crate::{common::*, Store};
use reqwest::StatusCode;
use session_lab::config::Options;

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

/// The store itself: a save that comes after a delete (a request that loaded the session
/// before its logout and saves after it) must not bring the record back.
pub async fn a_save_after_a_delete_brings_nothing_back(store: Store) {
    use session_lab::stores::Stores;
    use tower_sessions::{
        session::{Id, Record},
        SessionStore,
    };
    let dir = tempfile::tempdir().unwrap();
    let stores = Stores::open(&settings_for(dir.path(), store.options().await), "test")
        .await
        .unwrap();
    let sessions = &stores.sessions;
    let mut record = Record {
        id: Id::default(),
        data: [("count".to_string(), serde_json::json!(1))].into(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    sessions.create(&mut record).await.unwrap();
    let loaded = sessions.load(&record.id).await.unwrap().expect("created");
    sessions.delete(&record.id).await.unwrap();
    sessions.save(&loaded).await.unwrap();
    assert!(
        sessions.load(&record.id).await.unwrap().is_none(),
        "{store:?}: the deleted record came back"
    );
    // A save of a live record still updates it.
    let mut live = Record {
        id: Id::default(),
        ..loaded
    };
    sessions.create(&mut live).await.unwrap();
    live.data.insert("count".into(), serde_json::json!(2));
    sessions.save(&live).await.unwrap();
    let stored = sessions.load(&live.id).await.unwrap().expect("still there");
    assert_eq!(stored.data["count"], 2, "{store:?}");
    stores.close().await;
}

/// A thief replays a stolen session cookie from 16 parallel loops while its owner logs out.
/// Requests that loaded the session before the logout save after it; none of them may bring
/// the login back. Several rounds, so a lucky schedule does not pass it.
pub async fn a_logout_is_final_while_a_thief_replays_the_cookie(store: Store) {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    let app = spawn_app_with(store.options().await).await;
    for (round, (lab, page, logout)) in [
        ("session", "/session/profile", "/session/logout"),
        ("shop", "/shop/apple", "/shop/logout"),
    ]
    .into_iter()
    .cycle()
    .take(6)
    .enumerate()
    {
        let victim = app.new_browser();
        if lab == "shop" {
            victim.logged_in_shopper(&username("victim")).await;
        } else {
            victim.logged_in_to(lab, &username("victim")).await;
        }
        let stolen = victim.session_cookie().expect("a session cookie");
        let stop = Arc::new(AtomicBool::new(false));
        let thieves: Vec<_> = (0..16)
            .map(|_| {
                let thief = app.new_browser();
                let (stolen, stop) = (stolen.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut replays = 0u32;
                    while !stop.load(Ordering::Relaxed) && replays < 200 {
                        thief.get_with_cookie_bytes(page, stolen.as_bytes()).await;
                        replays += 1;
                    }
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let response = victim.post_form(logout, &[]).await;
        assert!(response.status().is_redirection(), "{store:?}: logout");
        // Replays already in flight finish after the logout.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stop.store(true, Ordering::Relaxed);
        for thief in thieves {
            thief.await.unwrap();
        }
        let replay = app
            .new_browser()
            .get_with_cookie_bytes(page, stolen.as_bytes())
            .await;
        let status = replay.status();
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::SEE_OTHER,
            "{store:?}, round {round} ({lab}): the stolen cookie still logs in ({status})"
        );
    }
    app.stop().await;
}

/// A JWT login on the denylist stays there as long as any of its tokens could pass, the
/// verifier's leeway included: checked after the token's own lifetime has passed.
pub async fn a_logged_out_token_stays_refused_through_the_leeway(store: Store) {
    let app = spawn_app_with(Options {
        jwt_lifetime: Some(2),
        ..store.options().await
    })
    .await;
    app.logged_in_to("jwt", &username("leeway")).await;
    let token = app.cookie_value("token").unwrap();
    app.post_form("/jwt/logout", &[]).await;
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_eq!(
        app.bearer_status(&token).await,
        StatusCode::UNAUTHORIZED,
        "{store:?}: accepted after its revocation lapsed, within the exp leeway"
    );
    app.stop().await;
}

/// Profile visits that verified the token just before its logout re-issue it just after;
/// none of those fresh tokens may log in, not even once the logged-out token's own entry has
/// lapsed: the login's entry lasts until the login's end. The race starts 2 s after login, so
/// the re-issued tokens outlive the logged-out one, and they are checked 10 s after login,
/// when the logged-out token's entry (its `exp` plus leeway) is gone but they are still
/// within theirs.
pub async fn a_token_reissued_during_logout_is_refused(store: Store) {
    use std::time::{Duration, Instant};
    let app = spawn_app_with(Options {
        jwt_lifetime: Some(4),
        ..store.options().await
    })
    .await;
    let owner = app.new_browser();
    owner.logged_in_to("jwt", &username("race")).await;
    let logged_in = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cookie = owner.session_cookie().unwrap();
    let visits: Vec<_> = (0..8)
        .map(|_| {
            let visitor = app.new_browser();
            let cookie = cookie.clone();
            tokio::spawn(async move {
                let response = visitor
                    .get_with_cookie_bytes("/jwt/profile", cookie.as_bytes())
                    .await;
                set_cookie_named(&response, "token")
                    .filter(|c| !c.contains("Max-Age=0"))
                    .map(|c| c["token=".len()..c.find(';').unwrap()].to_owned())
            })
        })
        .collect();
    // Give the visits a head start, so some verify before the logout and finish after it.
    tokio::time::sleep(Duration::from_millis(5)).await;
    owner.post_form("/jwt/logout", &[]).await;
    let mut minted = Vec::new();
    for visit in visits {
        minted.extend(visit.await.unwrap());
    }
    // Without a re-issue to check, the test would pass without testing anything.
    assert!(!minted.is_empty(), "{store:?}: no visit re-issued a token");
    tokio::time::sleep(
        (logged_in + Duration::from_millis(10_200)).saturating_duration_since(Instant::now()),
    )
    .await;
    for token in minted {
        assert_eq!(
            app.bearer_status(&token).await,
            StatusCode::UNAUTHORIZED,
            "{store:?}: a token re-issued around its logout is accepted"
        );
    }
    app.stop().await;
}

/// A cart gets its idle expiry with its first apple, in the same step (Redis: one script).
pub async fn a_new_cart_expires_when_idle(store: Store) {
    use session_lab::stores::Stores;
    let dir = tempfile::tempdir().unwrap();
    let stores = Stores::open(&settings_for(dir.path(), store.options().await), "test")
        .await
        .unwrap();
    let cart = format!("cart-{}", username("ttl"));
    assert_eq!(stores.carts.add_apple(&cart).await.unwrap(), 1);
    assert_eq!(stores.carts.add_apple(&cart).await.unwrap(), 2);
    if let Store::Redis = store {
        use tower_sessions_redis_store::fred::{
            self,
            prelude::{ClientLike, KeysInterface},
        };
        let client = fred::prelude::Builder::from_config(
            fred::prelude::Config::from_url(&std::env::var("SESSION_LAB_TEST_REDIS_URL").unwrap())
                .unwrap(),
        )
        .build()
        .unwrap();
        client.init().await.unwrap();
        let ttl: i64 = client.ttl(format!("cart:{cart}")).await.unwrap();
        assert!(ttl > 0, "the cart has no expiry (TTL {ttl})");
    } else {
        // SQL and memory carts are swept by age: an idle cart is deleted, a fresh one kept.
        assert_eq!(
            stores
                .carts
                .delete_idle(std::time::Duration::from_secs(3600))
                .await
                .unwrap(),
            0
        );
        assert_eq!(stores.carts.apples(&cart).await.unwrap(), 2);
    }
    stores.close().await;
}

/// A password change is final too: a thief replays the owner's stolen session cookie and token
/// in 8 loops, and floods both labs' logouts with a second login of the same account in 8
/// more, while the owner changes the password. Afterwards the stolen cookie and token are
/// refused (only the password change can have ended them), and nothing in the flood was
/// answered with a 5xx.
pub async fn a_password_change_is_final_while_a_thief_replays_and_floods_logouts(store: Store) {
    use std::sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    };
    let app = spawn_app_with(store.options().await).await;
    let owner = app.new_browser();
    let name = username("changed");
    owner.logged_in_to("session", &name).await;
    owner.mode_login("jwt", &name, PASSWORD).await;
    let stolen = owner.session_cookie().expect("sid and token");
    let second = app.new_browser();
    second.mode_login("session", &name, PASSWORD).await;
    second.mode_login("jwt", &name, PASSWORD).await;
    let second = second.session_cookie().expect("sid and token");
    let stop = Arc::new(AtomicBool::new(false));
    let server_errors = Arc::new(AtomicUsize::new(0));
    let thieves: Vec<_> = (0..16)
        .map(|n| {
            let thief = app.new_browser();
            let (stolen, stop, errors) = (stolen.clone(), stop.clone(), server_errors.clone());
            // Logouts go out with the second login, replays with the owner's.
            let sent_cookie = if n % 4 < 2 {
                second.clone()
            } else {
                stolen.clone()
            };
            tokio::spawn(async move {
                thief.set_session_cookie(Some(&sent_cookie));
                let mut sent = 0;
                while !stop.load(Ordering::Relaxed) && sent < 200 {
                    let response = match n % 4 {
                        0 => thief.post_form("/session/logout", &[]).await,
                        1 => thief.post_form("/jwt/logout", &[]).await,
                        2 => {
                            thief
                                .get_with_cookie_bytes("/jwt/profile", stolen.as_bytes())
                                .await
                        }
                        _ => {
                            thief
                                .get_with_cookie_bytes("/session/profile", stolen.as_bytes())
                                .await
                        }
                    };
                    if response.status().is_server_error() {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    // Every request carries the same cookies, whatever the last answer set.
                    thief.set_session_cookie(Some(&sent_cookie));
                    sent += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let new_password = "a brand new passphrase";
    let changed = owner.change_password(&name, new_password).await;
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "{store:?}: password change"
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.store(true, Ordering::Relaxed);
    for thief in thieves {
        thief.await.unwrap();
    }
    assert_eq!(
        server_errors.load(Ordering::Relaxed),
        0,
        "{store:?}: 5xx under the flood"
    );
    // The version cache of another process would take up to a second; this one knows at once.
    for page in ["/session/profile", "/jwt/profile"] {
        let replay = app
            .new_browser()
            .get_with_cookie_bytes(page, stolen.as_bytes())
            .await;
        assert_eq!(
            replay.status(),
            StatusCode::SEE_OTHER,
            "{store:?}: {page} still logs in after the password change"
        );
    }
    app.stop().await;
}
