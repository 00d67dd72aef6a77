//! Operators: sign-in, sessions, and 401 on every non-public endpoint.

use std::time::Duration;

use futures_util::future::join_all;
use opsroom_tests::{ADMIN_PASSWORD, ServerProcess, TestServer, sample_report};
use tokio_tungstenite::tungstenite::Error as WsError;

use crate::BINARY;

#[tokio::test]
async fn every_non_public_endpoint_needs_a_session() {
    let server = TestServer::start().await;
    let case_id =
        server.api().post_report(&sample_report(1), None).await.unwrap().body["case_id"].as_str().unwrap().to_owned();
    let mut anonymous = server.api();
    let forged = {
        let mut api = server.api();
        api.cookie = Some("opsroom_session=forged-token".into());
        api
    };
    for api in [&mut anonymous, &mut forged.clone()] {
        for path in ["/api/v1/cases", &format!("/api/v1/cases/{case_id}"), "/api/v1/session"] {
            let reply = api.get(path).await.unwrap();
            assert_eq!((reply.status, reply.error_code()), (401, "unauthenticated"), "{path}");
        }
        assert_eq!(api.sign_out().await.unwrap().status, 401);
        match api.live(None).await {
            Err(WsError::Http(response)) => assert_eq!(response.status(), 401),
            Err(other) => panic!("expected a 401 handshake, got {other}"),
            Ok(_) => panic!("the live stream opened without a session"),
        }
    }
    // The public endpoints stay public.
    assert_eq!(anonymous.get("/api/v1/openapi.json").await.unwrap().status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn sign_in_sign_out() {
    let server = TestServer::start().await;
    let mut api = server.api();
    let wrong = api.sign_in("admin", "not the password").await.unwrap();
    let unknown = api.sign_in("nobody", "not the password").await.unwrap();
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.body, unknown.body, "an unknown name and a wrong password look the same");
    assert!(api.cookie.is_none());

    let ok = api.sign_in("Admin", ADMIN_PASSWORD).await.unwrap();
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.body["role"], "admin");
    let set_cookie = ok.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert_eq!(api.get("/api/v1/session").await.unwrap().body["name"], "admin");
    assert_eq!(api.get("/api/v1/cases").await.unwrap().status, 200);

    assert_eq!(api.sign_out().await.unwrap().status, 204);
    assert_eq!(api.get("/api/v1/cases").await.unwrap().status, 401, "the old cookie is dead");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn openapi_describes_every_route_and_the_error_shape() {
    let server = TestServer::start().await;
    let doc = server.api().get("/api/v1/openapi.json").await.unwrap().body;
    let paths = doc["paths"].as_object().unwrap();
    for path in ["/api/v1/reports", "/api/v1/session", "/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/live"] {
        assert!(paths.contains_key(path), "{path} is missing from the OpenAPI document");
    }
    for method in ["post", "get", "delete"] {
        assert!(paths["/api/v1/session"].get(method).is_some(), "session {method}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let status = &paths["/api/v1/cases/{case_id}/status"]["post"]["responses"];
    for code in ["200", "401", "404", "409", "422"] {
        assert!(status.get(code).is_some(), "workflow answers {code} are described: {status}");
    }
    assert!(doc["components"]["schemas"]["ReportRequest"].is_object());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn user_add_refuses_a_guessable_password_and_says_why() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("users.db").display());
    for (password, why) in [
        ("password1234", "This is a very common password."),
        ("amira.hassan1990", "Add another word or two."), // the user's own name and a year
    ] {
        let mut add = tokio::process::Command::new(BINARY)
            .args(["user", "add", "amira.hassan", "--password-stdin", "--database-url", &url])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        add.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).await.unwrap();
        let output = add.wait_with_output().await.unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{password} was accepted");
        assert!(stderr.contains("password: this password is too easy to guess.") && stderr.contains(why), "{stderr}");
    }
}

/// A flood of failed sign-ins must not leave the server holding memory: every argon2 hash needs
/// 19 MiB, and allocating it per sign-in let glibc keep a copy in each blocking thread's arena
/// (400 sign-ins grew a release build from 44 MB to 854 MB, never returned). The real binary
/// runs as a child so its own resident memory can be read.
#[tokio::test]
async fn a_sign_in_flood_leaves_memory_bounded() {
    const SIGN_INS: usize = 400;
    const LIMIT_KIB: u64 = 150 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("flood.db").display());
    let server = ServerProcess::spawn(BINARY, &url).await.unwrap();
    let pid = server.child.id().expect("the server is running");
    let api = server.api();

    let sign_ins = (0..SIGN_INS).map(|n| {
        let mut api = api.clone();
        // Half for a real account with a wrong password, half for names that do not exist: both
        // cost a full verification.
        let name = if n % 2 == 0 { "admin".to_owned() } else { format!("nobody{n}") };
        async move { api.sign_in(&name, &format!("wrong password {n}")).await }
    });
    let replies =
        tokio::time::timeout(Duration::from_secs(60), join_all(sign_ins)).await.expect("every sign-in answered");
    let mut busy = 0;
    for reply in replies {
        let reply = reply.unwrap();
        // 503: no password slot came free within the queue wait; the client is told to retry.
        assert!([401, 503].contains(&reply.status), "{} {}", reply.status, reply.body);
        busy += usize::from(reply.status == 503);
    }

    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib = |field: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("{field} in {status}"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let (peak, now) = (kib("VmHWM:"), kib("VmRSS:"));
    eprintln!(
        "{SIGN_INS} concurrent failed sign-ins ({busy} told to retry): resident memory peak {peak} KiB, now {now} KiB"
    );
    assert!(peak <= LIMIT_KIB && now <= LIMIT_KIB, "resident memory peaked at {peak} KiB and is now {now} KiB");
    // The server still signs people in.
    assert_eq!(api.clone().sign_in("admin", ADMIN_PASSWORD).await.unwrap().status, 201);
}
