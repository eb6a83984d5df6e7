//! The same route tests against every store (docs/spec.md §10): memory, SQLite, Redis and
//! PostgreSQL. Redis and PostgreSQL come from `scripts/services.sh run -- …`, which the README
//! test command uses; without them these tests fail and say how to start them.

mod common;

mod stores {
    pub use logins::*;
    pub use scenarios::*;

    pub mod logins;
    pub mod outage;
    pub mod scenarios;
}

use common::*;
use session_lab::config::Options;

/// Where a test app keeps sessions, carts and revocations (and, for PostgreSQL, accounts).
#[derive(Clone, Copy, Debug)]
pub enum Store {
    Memory,
    Sqlite,
    Redis,
    Postgres,
}

fn service_url(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        panic!(
            "{variable} is not set: run these tests with the servers started, e.g. \
             `scripts/services.sh run -- cargo test -p session-lab --test stores`"
        )
    })
}

/// A fresh PostgreSQL database per test, so tests share nothing.
async fn fresh_postgres_database() -> String {
    use sqlx::Connection;
    let admin = service_url("SESSION_LAB_TEST_POSTGRES_URL");
    let name = format!("lab_{}", username("db").replace('_', "").to_lowercase());
    let name = format!("{name}_{}", std::process::id());
    let mut connection = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

impl Store {
    pub async fn options(self) -> Options {
        match self {
            Store::Memory => Options {
                session_store: Some("memory".into()),
                ..Options::default()
            },
            Store::Sqlite => Options::default(),
            Store::Redis => Options {
                session_store: Some(service_url("SESSION_LAB_TEST_REDIS_URL")),
                ..Options::default()
            },
            Store::Postgres => {
                let url = fresh_postgres_database().await;
                Options {
                    session_store: Some(url.clone()),
                    account_db: Some(url),
                    ..Options::default()
                }
            }
        }
    }

    pub fn is_persistent(self) -> bool {
        !matches!(self, Store::Memory)
    }
}

/// One `#[app_test]` per scenario and store.
macro_rules! every_store {
    ($($scenario:ident),* $(,)?) => {
        every_store!(@store memory, Memory, $($scenario),*);
        every_store!(@store sqlite, Sqlite, $($scenario),*);
        every_store!(@store redis, Redis, $($scenario),*);
        every_store!(@store postgres, Postgres, $($scenario),*);
    };
    (@store $module:ident, $store:ident, $($scenario:ident),*) => {
        mod $module {
            $(
                #[crate::common::app_test]
                async fn $scenario() {
                    crate::stores::$scenario(crate::Store::$store).await;
                }
            )*
        }
    };
}

every_store!(
    shop_flow_loses_no_concurrent_apple,
    every_login_mode_counts_and_logs_out,
    a_logged_out_token_is_refused,
    a_password_change_revokes_sessions_and_tokens,
    a_restart_loses_nothing_on_a_persistent_store,
    a_save_after_a_delete_brings_nothing_back,
    a_logout_is_final_while_a_thief_replays_the_cookie,
    a_logged_out_token_stays_refused_through_the_leeway,
    a_token_reissued_during_logout_is_refused,
    a_new_cart_expires_when_idle,
    a_password_change_is_final_while_a_thief_replays_and_floods_logouts,
    every_login_is_listed_and_ended_from_the_sessions_page,
    a_replayed_refresh_token_revokes_its_family,
    two_simultaneous_refreshes_never_leave_two_live_chains,
    a_password_change_ends_refresh_tokens_and_empties_the_list,
);
