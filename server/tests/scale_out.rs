//! Two `session-lab` processes behind nginx, sharing Redis (sessions, carts, revocations) and
//! PostgreSQL (accounts), started by `scripts/services.sh run --scale-out -- …`: either
//! instance serves the same logged-in user, concurrent adds spread over both add up exactly,
//! a token logged out on one is refused by the other, and a password change on one revokes
//! logins on the other within the credentials cache's second, and a logout through one is
//! final on both while a thief replays the cookie.

mod common;

use common::app_test;
use reqwest::{header, redirect, Client, StatusCode};
use std::sync::atomic::{AtomicU32, Ordering};

const PASSWORD: &str = "correct horse battery";

struct Cluster {
    nginx: String,
    a: String,
    b: String,
    client: Client,
}

fn cluster() -> Cluster {
    let missing = "run with `scripts/services.sh run --scale-out -- cargo test -p session-lab --test scale_out`";
    let nginx = std::env::var("SESSION_LAB_SCALE_OUT_URL").expect(missing);
    let instances = std::env::var("SESSION_LAB_INSTANCE_URLS").expect(missing);
    let (a, b) = instances.split_once(',').expect(missing);
    Cluster {
        nginx,
        a: a.to_owned(),
        b: b.to_owned(),
        client: Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

fn username() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "scale_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl Cluster {
    /// A same-origin form POST (the origin browsers see is nginx's) with `cookie`; returns
    /// the response and the cookie pairs it set.
    async fn post(
        &self,
        base: &str,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Vec<String>) {
        let response = self
            .client
            .post(format!("{base}{path}"))
            .header("origin", &self.nginx)
            .header(header::COOKIE, cookie)
            .form(form)
            .send()
            .await
            .unwrap();
        let set: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect();
        (response.status(), set)
    }

    async fn get(&self, base: &str, path: &str, cookie: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(format!("{base}{path}"))
            .header(header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn register(&self, name: &str) {
        let form = [
            ("username", name),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ];
        assert_eq!(
            self.post(&self.nginx, "/register", "", &form).await.0,
            StatusCode::SEE_OTHER
        );
    }

    /// Logs in to `path` on `base`; returns the cookie pair set.
    async fn log_in(&self, base: &str, path: &str, name: &str) -> String {
        let (status, cookies) = self
            .post(
                base,
                path,
                "",
                &[("username", name), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        cookies.into_iter().next().expect("a login cookie")
    }
}

#[app_test]
async fn a_login_on_one_instance_is_a_login_on_the_other() {
    let cluster = cluster();
    let name = username();
    cluster.register(&name).await;
    let sid = cluster.log_in(&cluster.a, "/session/login", &name).await;
    for (base, count) in [
        (&cluster.b, 1),
        (&cluster.a, 2),
        (&cluster.nginx, 3),
        (&cluster.nginx, 4),
    ] {
        let (status, page) = cluster.get(base, "/session/profile", &sid).await;
        assert_eq!(status, StatusCode::OK, "{base}");
        assert!(
            page.contains(&format!("welcome {name} with the count: {count}")),
            "{base}: {page}"
        );
    }
}

#[app_test]
async fn a_hundred_concurrent_adds_over_both_instances_add_exactly_a_hundred() {
    let cluster = cluster();
    let name = username();
    cluster.register(&name).await;
    let sid = cluster.log_in(&cluster.nginx, "/shop/login", &name).await;
    let adds = (0..100).map(|i| {
        let base = match i % 3 {
            0 => &cluster.a,
            1 => &cluster.b,
            _ => &cluster.nginx,
        };
        cluster.post(base, "/shop/apple", &sid, &[])
    });
    for (status, _) in futures::future::join_all(adds).await {
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    for base in [&cluster.a, &cluster.b] {
        let (_, page) = cluster.get(base, "/shop/checkout", &sid).await;
        assert!(
            page.contains("You have 100 apples in your cart"),
            "{base}: {page}"
        );
    }
}

#[app_test]
async fn a_token_logged_out_on_one_instance_is_refused_by_the_other() {
    let cluster = cluster();
    let name = username();
    cluster.register(&name).await;
    let cookie = cluster.log_in(&cluster.a, "/jwt/login", &name).await;
    let token = cookie.trim_start_matches("token=").to_owned();
    let me = |base: String| {
        let client = cluster.client.clone();
        let token = token.clone();
        async move {
            client
                .get(format!("{base}/api/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(cluster.b.clone()).await, StatusCode::OK);
    assert_eq!(
        cluster
            .post(&cluster.b, "/jwt/logout", &cookie, &[])
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(me(cluster.a.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(cluster.nginx.clone()).await, StatusCode::UNAUTHORIZED);
}

/// Each instance remembers an account's credentials version for `credentials_cache_ttl` (1 s
/// by default), so a password change made on A reaches B's check within that time.
#[app_test]
async fn a_password_change_on_one_instance_revokes_logins_on_the_other_within_a_second() {
    let cluster = cluster();
    let name = username();
    cluster.register(&name).await;
    let sid = cluster.log_in(&cluster.b, "/session/login", &name).await;
    let (status, _) = cluster.get(&cluster.b, "/session/profile", &sid).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "B now remembers the current version"
    );
    let new_password = "another long passphrase";
    let form = [
        ("username", name.as_str()),
        ("current", PASSWORD),
        ("password", new_password),
        ("confirm", new_password),
    ];
    let (status, _) = cluster
        .post(&cluster.a, "/account/password", "", &form)
        .await;
    assert_eq!(status, StatusCode::OK);
    let changed = std::time::Instant::now();
    loop {
        let (status, _) = cluster.get(&cluster.b, "/session/profile", &sid).await;
        if status == StatusCode::SEE_OTHER {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            changed.elapsed() < std::time::Duration::from_secs(3),
            "B still accepts the login 3 s after the password changed on A"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A thief replays a stolen session cookie on both instances, 16 loops in parallel, while its
/// owner logs out through the other: no replay that was in flight brings the login back on
/// either instance. Several rounds, so a lucky schedule does not pass it.
#[app_test]
async fn a_logout_on_one_instance_is_final_on_both_while_a_thief_replays_the_cookie() {
    use std::sync::{atomic::AtomicBool, Arc};
    let cluster = Arc::new(cluster());
    for round in 0..4 {
        let name = username();
        cluster.register(&name).await;
        let sid = cluster.log_in(&cluster.a, "/session/login", &name).await;
        let stop = Arc::new(AtomicBool::new(false));
        let thieves: Vec<_> = (0..16)
            .map(|n| {
                let (cluster, sid, stop) = (cluster.clone(), sid.clone(), stop.clone());
                tokio::spawn(async move {
                    let base = if n % 2 == 0 { &cluster.a } else { &cluster.b };
                    let mut replays = 0;
                    while !stop.load(Ordering::Relaxed) && replays < 200 {
                        cluster.get(base, "/session/profile", &sid).await;
                        replays += 1;
                    }
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let (status, _) = cluster.post(&cluster.b, "/session/logout", &sid, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stop.store(true, Ordering::Relaxed);
        for thief in thieves {
            thief.await.unwrap();
        }
        for base in [&cluster.a, &cluster.b] {
            let (status, _) = cluster.get(base, "/session/profile", &sid).await;
            assert_eq!(
                status,
                StatusCode::SEE_OTHER,
                "round {round}: the stolen cookie still logs in on {base}"
            );
        }
    }
}

/// The value of the `login` field of the first "End" form on a sessions page.
fn first_end_id(page: &str) -> String {
    let at = page.find(r#"name="login""#).expect("an End button");
    let rest = &page[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    rest[start..start + rest[start..].find('"').unwrap()].to_owned()
}

/// A login made on instance A is listed on B's sessions page and ended from B; A refuses it
/// at once. An API refresh token issued by A rotates on B, and a replay on A revokes the family
/// for both.
#[app_test]
async fn a_login_on_one_instance_is_listed_and_ended_from_the_other() {
    let cluster = cluster();
    let name = username();
    cluster.register(&name).await;
    let on_a = cluster.log_in(&cluster.a, "/jwt/login", &name).await;
    let on_b = cluster.log_in(&cluster.b, "/session/login", &name).await;
    let (status, page) = cluster.get(&cluster.b, "/account/sessions", &on_b).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"data-kind="jwt""#), "{page}");
    let id = first_end_id(&page);
    let (status, _) = cluster
        .post(
            &cluster.b,
            "/account/sessions/end",
            &on_b,
            &[("login", &id)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = cluster.get(&cluster.a, "/jwt/profile", &on_a).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "A refuses the login B ended");

    let token = |base: &str, path: &str, body: serde_json::Value| {
        cluster
            .client
            .post(format!("{base}{path}"))
            .json(&body)
            .send()
    };
    let first: serde_json::Value = token(
        &cluster.a,
        "/api/token",
        serde_json::json!({"username": name, "password": PASSWORD}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let refresh = |base: &str, value: &serde_json::Value| {
        token(
            base,
            "/api/token/refresh",
            serde_json::json!({"refresh_token": value["refresh_token"]}),
        )
    };
    let second = refresh(&cluster.b, &first).await.unwrap();
    assert_eq!(
        second.status(),
        StatusCode::OK,
        "B rotates A's refresh token"
    );
    let second: serde_json::Value = second.json().await.unwrap();
    let replay = refresh(&cluster.a, &first).await.unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    let after = refresh(&cluster.b, &second).await.unwrap();
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "the family is revoked on B too"
    );
}
