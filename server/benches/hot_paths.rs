//! Criterion benchmarks of the work every logged-in request does: verify and sign a JWT, load
//! and save a session record in each store, render a profile page, check a POST's origin.
//!
//! ```text
//! cargo bench -p session-lab --bench hot_paths                # memory and SQLite stores
//! BENCH_REDIS_URL=redis://127.0.0.1:6379 BENCH_POSTGRES_URL=postgres://… cargo bench …
//! scripts/services.sh run -- cargo bench -p session-lab --bench hot_paths   # all four
//! ```
//!
//! The server-side stores (Redis, PostgreSQL) are measured when their URL is set; without it
//! the benchmark says so and measures the embedded ones only.

use app::{
    accounts::service::{Accounts, AuthenticatedUser, Credentials, Registration},
    cookies::jar::Wire,
    jwt::{
        keys::{JwtAlgorithm, JwtKeys, JwtSettings, KeyMaterial},
        service::Tokens,
    },
    labs::server_session::ServerSessionLab,
    labs::{pages, Profile},
};
use axum::http::{HeaderMap, HeaderValue};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use session_lab::{
    config::{Options, Settings},
    security::origin::{refusal, AllowedOrigins},
    stores::Stores,
};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Stores opened as the server opens them, in a fresh data directory.
async fn open_stores(data_dir: &std::path::Path, session_store: &str) -> Stores {
    let settings = Settings::resolve(Options {
        data_dir: Some(data_dir.to_owned()),
        session_store: Some(session_store.to_owned()),
        ..Options::default()
    })
    .expect("valid benchmark settings");
    Stores::open(&settings, "bench")
        .await
        .expect("the stores open")
}

/// Tokens as the server builds them: HS256, the memory denylist, an SQLite account database
/// with one account, and the default one-second credentials cache.
fn token_service(
    rt: &tokio::runtime::Runtime,
    data_dir: &std::path::Path,
) -> (Tokens, AuthenticatedUser) {
    rt.block_on(async {
        let stores = open_stores(data_dir, "memory").await;
        let accounts = Accounts::new(
            stores.account_store(),
            Arc::default(),
            app::accounts::versions::VersionCache::new(Duration::from_secs(1)),
        );
        let password = "correct horse battery".to_owned();
        accounts
            .register(
                Registration {
                    username: "alice".into(),
                    password: password.clone(),
                    confirm: password.clone(),
                },
                app::limits::PasswordCheck::default(),
            )
            .await
            .expect("registered");
        let user = accounts
            .authenticate(
                Credentials {
                    username: "alice".into(),
                    password,
                },
                app::limits::PasswordCheck::default(),
            )
            .await
            .expect("logged in");
        let keys = JwtKeys::new(
            JwtSettings {
                algorithm: JwtAlgorithm::Hs256,
                issuer: "session-lab".into(),
                audience: "session-lab".into(),
                lifetime: Duration::from_secs(1800),
                login_lifetime: Duration::from_secs(12 * 3600),
            },
            KeyMaterial::HmacSecret(vec![7; 32]),
        )
        .expect("HS256 keys");
        let tokens = Tokens::new(Arc::new(keys), stores.revocations.clone(), accounts);
        (tokens, user)
    })
}

fn jwt(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (tokens, user) = token_service(&rt, dir.path());
    let issued = tokens.issue(&user).expect("signed");
    let mut group = c.benchmark_group("jwt");
    group.bench_function("sign (re-issue with count + 1)", |b| {
        b.iter(|| tokens.reissue(&issued.claims).expect("signed"))
    });
    group.bench_function(
        "verify (header, signature, claims, denylist, version)",
        |b| {
            b.to_async(&rt).iter(|| async {
                let verdict = tokens.verify(&issued.token).await.expect("stores answer");
                assert!(verdict.is_ok(), "a fresh token verifies");
            })
        },
    );
    group.finish();
}

/// A session record like the session lab's: one stamped entry.
fn session_record() -> Record {
    let entry = serde_json::json!({
        "value": {"user": {"id": 1, "username": "alice", "version": 0}, "count": 41},
        "logged_in_at": 1_790_000_000u64,
        "last_seen": 1_790_000_000u64,
    });
    Record {
        id: Id::default(),
        data: HashMap::from([("session".to_owned(), entry)]),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    }
}

fn sessions(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![
        ("memory", "memory".to_owned()),
        ("sqlite", "sqlite".to_owned()),
    ];
    for (name, variable) in [
        ("redis", "BENCH_REDIS_URL"),
        ("postgres", "BENCH_POSTGRES_URL"),
    ] {
        match std::env::var(variable) {
            Ok(url) => stores.push((name, url)),
            Err(_) => eprintln!("{name}: not measured ({variable} is not set)"),
        }
    }
    let mut group = c.benchmark_group("session");
    for (name, location) in stores {
        let opened = rt.block_on(open_stores(&dir.path().join(name), &location));
        let store = opened.sessions.clone();
        let mut record = session_record();
        rt.block_on(store.create(&mut record)).expect("created");
        group.bench_function(format!("load/{name}"), |b| {
            b.to_async(&rt).iter(|| async {
                let loaded = store.load(&record.id).await.expect("store answers");
                assert!(loaded.is_some(), "the record is there");
            })
        });
        group.bench_function(format!("save/{name}"), |b| {
            b.to_async(&rt)
                .iter(|| async { store.save(&record).await.expect("saved") })
        });
    }
    group.finish();
}

fn profile_page(c: &mut Criterion) {
    c.bench_function("render the session lab's profile page", |b| {
        b.iter_batched(
            || {
                (
                    Profile {
                        username: "alice".into(),
                        count: 41,
                    },
                    Wire {
                        set_cookie: "id=…; HttpOnly; SameSite=Lax; Path=/".into(),
                        cookie_header: "id=…".into(),
                        this_response: false,
                    },
                )
            },
            |(profile, wire)| pages::profile::<ServerSessionLab>(profile, wire),
            BatchSize::SmallInput,
        )
    });
}

fn origin_check(c: &mut Criterion) {
    let allowed = AllowedOrigins::new(None, "127.0.0.1:3000".parse().unwrap());
    let mut same_site = HeaderMap::new();
    same_site.insert("origin", HeaderValue::from_static("http://localhost:3000"));
    same_site.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    let mut cross_site = HeaderMap::new();
    cross_site.insert("origin", HeaderValue::from_static("https://evil.example"));
    let mut group = c.benchmark_group("origin check");
    group.bench_function("same-origin POST", |b| {
        b.iter(|| assert_eq!(refusal(&allowed, &same_site), None))
    });
    group.bench_function("cross-site POST", |b| {
        b.iter(|| assert!(refusal(&allowed, &cross_site).is_some()))
    });
    group.finish();
}

criterion_group!(hot_paths, jwt, sessions, profile_page, origin_check);
criterion_main!(hot_paths);
