//! Store failures (docs/spec.md §10, issue 5): Redis goes away in the middle of a run. Requests
//! that need it get a clear `503`, `/readyz` fails, nothing stored is lost, and when Redis is
//! back the app recovers by itself, without a restart.

use crate::common::*;
use reqwest::StatusCode;
use session_lab::config::Options;
use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A private redis-server this test can stop and start; killed on drop, also on panic.
struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    fn start_on(port: u16, dir: tempfile::TempDir) -> Self {
        let mut server = RedisServer {
            child: None,
            port,
            dir,
        };
        server.start();
        server
    }

    fn start(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--appendonly", "yes", "--save", ""])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/services.sh install)");
        self.child = Some(child);
        wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
    }

    /// SIGTERM: Redis writes its append-only file and exits, as in a planned restart.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "not ready within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[app_test]
async fn a_redis_outage_answers_503_loses_nothing_and_recovers_without_a_restart() {
    assert!(
        Path::new("/usr/bin/redis-server").exists() || which_redis(),
        "redis-server missing"
    );
    let mut redis = RedisServer::start_on(free_port(), tempfile::tempdir().unwrap());
    let app = spawn_app_with(Options {
        session_store: Some(redis.url()),
        ..Options::default()
    })
    .await;
    let name = username("outage");
    app.logged_in_shopper(&name).await;
    for _ in 0..3 {
        app.post_form("/shop/apple", &[]).await;
    }
    let jwt = app.new_browser();
    jwt.mode_login("jwt", &name, PASSWORD).await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);

    // A run of adds goes on while Redis stops: each answer is a redirect (added) or a 503
    // (not added, or not known to be), never anything else.
    let adder = app.new_browser();
    adder.set_session_cookie(app.session_cookie().as_deref());
    let run = tokio::spawn(async move {
        let (mut added, mut refused) = (0u64, 0u64);
        // Until the outage has been seen a few times (each refusal waits for the timeout).
        while refused < 3 {
            assert!(added < 1000, "Redis never stopped");
            match adder.post_form("/shop/apple", &[]).await.status() {
                StatusCode::SEE_OTHER => added += 1,
                StatusCode::SERVICE_UNAVAILABLE => refused += 1,
                other => panic!("an add answered {other}"),
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        (added, refused)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    redis.stop();
    let (added, refused) = run.await.unwrap();
    assert!(
        added > 0 && refused > 0,
        "the run straddled the outage: {added} added, {refused} refused"
    );
    let (status, page) = app.apples_page().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains("temporarily unavailable"), "{page}");
    assert_eq!(
        app.post_form("/shop/apple", &[]).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        jwt.get("/jwt/profile").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    // A new login cannot save its session: the same 503, not the session layer's bare 500.
    let newcomer = app.new_browser().shop_login(&name, PASSWORD).await;
    assert_eq!(newcomer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(newcomer
        .text()
        .await
        .unwrap()
        .contains("temporarily unavailable"));
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready
        .text()
        .await
        .unwrap()
        .contains("\"sessions\":\"unavailable\""));
    let api = app
        .client
        .get(app.url("/api/echo"))
        .header("cookie", app.session_cookie().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        api.json::<serde_json::Value>().await.unwrap()["error"],
        "unavailable"
    );

    redis.start();
    wait_until_ready(&app).await;
    let (status, page) = app.apples_page().await;
    assert_eq!(status, StatusCode::OK);
    // Every acknowledged add is there; an add whose answer was lost in the outage may be too.
    let apples: u64 = apple_text(&page)
        .trim_start_matches("You have ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("an apple count");
    println!(
        "outage run: {added} adds acknowledged, {refused} refused, {apples} apples after recovery"
    );
    assert!(
        (3 + added..=3 + added + refused).contains(&apples),
        "the cart is intact: {apples} apples after {added} acknowledged adds, {refused} refused"
    );
    assert!(jwt.profile("jwt").await.unwrap().ends_with("count: 1"));
    app.stop().await;
}

fn which_redis() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok()
}

/// A private PostgreSQL this test can stop and start (as the `postgres` user when root, since
/// PostgreSQL refuses to run as root); stopped on drop, also on panic.
struct PostgresServer {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    running: bool,
}

fn as_postgres(program: &Path) -> Command {
    let root = std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

impl PostgresServer {
    fn start_new() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (scripts/services.sh install)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .max()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let _ = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(dir.path())
            .status();
        let status = as_postgres(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "lab", "--auth=trust"])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "initdb failed");
        let mut server = PostgresServer {
            bin,
            dir,
            port: free_port(),
            running: false,
        };
        server.start();
        server
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn start(&mut self) {
        let status = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .arg("-o")
            .arg(format!(
                "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={}",
                self.port,
                self.data().display()
            ))
            .args(["-w", "-l"])
            .arg(self.dir.path().join("log"))
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctl start failed");
        self.running = true;
    }

    /// A fast shutdown: connections are cut, committed data is on disk.
    fn stop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .status();
        self.running = false;
    }

    fn url(&self) -> String {
        format!("postgres://lab@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        if self.running {
            self.stop();
        }
    }
}

#[app_test]
async fn a_postgres_outage_answers_503_loses_nothing_and_recovers_without_a_restart() {
    let mut postgres = PostgresServer::start_new();
    let app = spawn_app_with(Options {
        session_store: Some(postgres.url()),
        account_db: Some(postgres.url()),
        ..Options::default()
    })
    .await;
    let name = username("pgoutage");
    app.logged_in_shopper(&name).await;
    for _ in 0..2 {
        app.post_form("/shop/apple", &[]).await;
    }

    postgres.stop();
    assert_eq!(app.apples_page().await.0, StatusCode::SERVICE_UNAVAILABLE);
    let login = app
        .new_browser()
        .mode_login("session", &name, PASSWORD)
        .await;
    assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        app.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    postgres.start();
    wait_until_ready(&app).await;
    let (status, page) = app.apples_page().await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("You have 2 apples!"),
        "the cart is intact: {}",
        apple_text(&page)
    );
    let again = app
        .new_browser()
        .mode_login("session", &name, PASSWORD)
        .await;
    assert_is_redirect_to(&again, "/session/profile");
    app.stop().await;
}

/// The apple sentence of a page, for failure messages.
fn apple_text(page: &str) -> &str {
    page.find("You have")
        .map(|start| &page[start..(start + 40).min(page.len())])
        .unwrap_or("no apple count on the page")
}

/// Polls `/readyz` until the app has recovered by itself (at most 20 s).
async fn wait_until_ready(app: &TestApp) {
    let start = Instant::now();
    while app.get("/readyz").await.status() != StatusCode::OK {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no recovery within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
