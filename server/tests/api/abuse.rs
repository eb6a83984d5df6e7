//! Abuse that only shows under time, floods or odd requests (docs/security.md): nobody can
//! lock someone else out, slow clients are cut off, and nothing is revealed or picked that a
//! request did not clearly ask for.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;
use session_lab::config::Options;
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Twelve wrong passwords for the victim from client A make A wait, but the right password
/// from client B logs in at once: an attacker cannot lock the owner out.
#[app_test]
async fn wrong_passwords_from_one_client_do_not_lock_out_another() {
    let app = spawn_app_with(Options {
        client_address_header: Some("x-real-ip".into()),
        ..Options::default()
    })
    .await;
    let victim = username("victim");
    assert_eq!(app.register(&victim).await.status(), StatusCode::SEE_OTHER);
    let login = |address: &'static str, password: &'static str| {
        let (app, victim) = (&app, victim.clone());
        async move {
            app.new_browser()
                .post_form_with(
                    "/session/login",
                    &[("username", victim.as_str()), ("password", password)],
                    &[("origin", &app.address), ("x-real-ip", address)],
                )
                .await
        }
    };
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(login("192.0.2.66", "wrong password!").await.status());
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(
        statuses[11],
        StatusCode::TOO_MANY_REQUESTS,
        "the attacking client is throttled: {statuses:?}"
    );
    let started = Instant::now();
    let owner = login("198.51.100.7", PASSWORD).await;
    assert_is_redirect_to(&owner, "/session/profile");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the owner was held up for {:?}",
        started.elapsed()
    );
    // The right password from the attacking client is still refused until its wait is over.
    assert_eq!(
        login("192.0.2.66", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

/// A proxy that appends the address it saw puts it last, after whatever the client forged:
/// on the same line or on a line of its own. The last entry of the last line counts.
#[app_test]
async fn the_last_line_of_the_client_address_header_names_the_client() {
    let app = spawn_app_with(Options {
        password_checks_per_minute: Some(2),
        client_address_header: Some("x-forwarded-for".into()),
        ..Options::default()
    })
    .await;
    let mut statuses = Vec::new();
    for forged in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let status = app
            .client
            .post(app.url("/api/token"))
            .header("x-forwarded-for", forged)
            .header("x-forwarded-for", "192.0.2.1")
            .json(&serde_json::json!({"username": "nobody", "password": "wrong password"}))
            .send()
            .await
            .unwrap()
            .status();
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ],
        "a forged first line escaped the per-client limit"
    );
    app.stop().await;
}

/// Reads until the server closes the connection, which it must do within the test apps'
/// 2 s header-read timeout (8 s allowed for a loaded machine); returns what it answered.
async fn closed_within(
    reader: &mut (impl tokio::io::AsyncRead + Unpin),
    started: Instant,
    what: &str,
) -> Vec<u8> {
    let mut answer = Vec::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(15), reader.read_to_end(&mut answer)).await;
    assert!(
        closed.is_ok(),
        "{what}: the connection was still open after 15 s"
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{what}: {:?}",
        started.elapsed()
    );
    answer
}

/// A client that sends its headers one byte a second holds a connection only until the
/// header-read timeout.
#[app_test]
async fn a_connection_sending_one_header_byte_a_second_is_closed() {
    let app = spawn_app_with(Options {
        header_read_timeout: Some(2),
        ..Options::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    let trickle = tokio::spawn(async move {
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa".iter() {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let answer = closed_within(&mut reader, started, "one header byte a second").await;
    trickle.abort();
    assert!(
        !String::from_utf8_lossy(&answer).contains("200 OK"),
        "a request that never finished its headers was answered"
    );
    app.stop().await;
}

/// A client that connects and sends nothing, or only the start of an HTTP/2 preface, holds
/// the connection only until the header-read timeout.
#[app_test]
async fn a_connection_that_sends_nothing_or_an_h2_preface_is_closed() {
    let app = spawn_app_with(Options {
        header_read_timeout: Some(2),
        ..Options::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    for opening in [&b""[..], &b"PRI * HTTP/2.0"[..]] {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(opening).await.unwrap();
        let started = Instant::now();
        closed_within(&mut stream, started, &format!("{opening:?}")).await;
    }
    app.stop().await;
}

/// A body sent at one byte a second gets `408` when the request timeout runs out.
#[app_test]
async fn a_body_sent_one_byte_a_second_gets_408() {
    let app = spawn_app_with(Options {
        request_timeout: Some(2),
        ..Options::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /register HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60\r\n\r\n",
        app.address
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let trickle = tokio::spawn(async move {
        for _ in 0..60 {
            if writer.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let mut answer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), reader.read(&mut answer))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    trickle.abort();
    let status_line = String::from_utf8_lossy(&answer[..read]).to_string();
    assert!(
        status_line.starts_with("HTTP/1.1 408"),
        "answered {status_line:?}"
    );
    app.stop().await;
}

/// The profile's "on the wire" box shows the plain lab's `user` cookie, and no other value:
/// a cookie it does not recognise may be another app's HttpOnly secret on the same host.
#[app_test]
async fn on_the_wire_masks_every_value_but_the_plain_user_cookie() {
    let app = spawn_app().await;
    app.logged_in_to("cookie", &username("wire")).await;
    app.put_cookie("other_app_session", Some("s3cr3t-of-another-app"));
    let page = app.get("/cookie/profile").await.text().await.unwrap();
    assert!(
        !page.contains("s3cr3t-of-another-app"),
        "an unknown cookie's value is shown"
    );
    assert!(page.contains("not a Session Lab cookie"));
    assert!(
        page.contains("%22count%22"),
        "the lab's own user cookie is shown"
    );
    app.stop().await;
}

async fn echo(app: &TestApp) -> Value {
    app.get("/api/echo").await.json().await.unwrap()
}

/// `/api/echo` describes a session entry only if a real request would accept it: after a
/// password change the old session id reveals nothing.
#[app_test]
async fn echo_reveals_nothing_of_a_revoked_session() {
    let app = spawn_app().await;
    let name = username("echo");
    app.logged_in_to("session", &name).await;
    assert!(echo(&app).await["session"]["entries"]["session"].is_object());
    let new_password = "an entirely new passphrase";
    let changed = app
        .new_browser()
        .post_form_with(
            "/account/password",
            &[
                ("username", name.as_str()),
                ("current", PASSWORD),
                ("password", new_password),
                ("confirm", new_password),
            ],
            &[("origin", &app.address)],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let after = echo(&app).await;
    assert!(
        after["session"].is_null(),
        "a revoked session is described: {}",
        after["session"]
    );
    assert!(
        !after.to_string().contains(&name),
        "the username is revealed"
    );
    app.stop().await;
}

/// A signed cookie's login ends at the absolute timeout too, even when the signed cookie
/// lifetime is configured longer (contract 9.8: every login, whatever the mode).
#[app_test]
async fn a_signed_cookie_login_ends_at_the_absolute_timeout() {
    let app = spawn_app_with(Options {
        signed_cookie_lifetime: Some(3600),
        session_absolute_timeout: Some(2),
        session_idle_timeout: Some(2),
        ..Options::default()
    })
    .await;
    app.logged_in_to("signed-cookie", &username("sealed")).await;
    assert!(app.profile("signed-cookie").await.is_ok());
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let refused = app.profile("signed-cookie").await.unwrap_err();
    assert_is_redirect_to(&refused, "/signed-cookie/login");
    app.stop().await;
}

/// A client still sending a body the server refused reads the refusal, not a connection
/// reset: the server closes with a lingering close. Twenty rounds of 4 MiB, so a lucky
/// schedule does not pass it.
#[app_test]
async fn a_refused_large_body_gets_its_413_not_a_reset() {
    let app = spawn_app().await;
    let body = vec![b'a'; 4 * 1024 * 1024];
    for round in 0..20 {
        let response = app
            .client
            .post(app.url("/api/token"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|error| panic!("round {round}: {error:?}"));
        assert_eq!(
            response.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "round {round}"
        );
    }
    app.stop().await;
}

/// Two `user` cookies may be another app's: on the wire, neither value is printed.
#[app_test]
async fn on_the_wire_masks_a_user_cookie_sent_twice() {
    let app = spawn_app().await;
    app.logged_in_to("jwt", &username("twice")).await;
    let token = app.cookie_value("token").unwrap();
    let header = format!("token={token}; user=first-secret; user=second-secret");
    let page = app
        .get_with_cookie_bytes("/jwt/profile", header.as_bytes())
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("welcome "), "{page}");
    assert!(
        !page.contains("first-secret") && !page.contains("second-secret"),
        "{page}"
    );
    app.stop().await;
}
