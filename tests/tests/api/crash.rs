//! A 201 survives `kill -9`: every acknowledged report is there after a restart.

use std::sync::Arc;
use std::time::Duration;

use opsroom_tests::{ServerProcess, eventually_within, sample_report};
use tokio::sync::Mutex;

use crate::BINARY;

/// Concurrent submitters, each sending reports one after another.
const SUBMITTERS: usize = 8;

#[tokio::test]
async fn every_acknowledged_report_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("crash.db").display());
    let server = ServerProcess::spawn(BINARY, &url).await.unwrap();
    let acknowledged = submit_until_killed(server, 0, 200).await;
    check_after_restart(&url, &acknowledged, SUBMITTERS).await;
}

/// A crash loop while the WAL is checkpointed and truncated several times a second (a 1 MiB
/// limit): killed during a checkpoint, a truncation or the commit after it, nothing
/// acknowledged is lost.
#[tokio::test]
async fn every_acknowledged_report_survives_sigkill_while_the_wal_restarts() {
    const ROUNDS: usize = 3;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("crash.db");
    let url = format!("sqlite://{}", database.display());
    let wal = dir.path().join("crash.db-wal");
    let mut acknowledged = Vec::new();
    let mut truncations = 0;
    for round in 0..ROUNDS {
        let server = ServerProcess::spawn_with(BINARY, &url, &["--sqlite-wal-limit-mib", "1"]).await.unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let (wal, stop) = (wal.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut last, mut shrank) = (0, 0);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
                    shrank += usize::from(size < last);
                    last = size;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                shrank
            })
        };
        acknowledged.extend(submit_until_killed(server, round * 100_000, 800).await);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        truncations += watcher.await.unwrap();
    }
    assert!(truncations >= ROUNDS, "the WAL was truncated only {truncations} times while reports were acknowledged");
    check_after_restart(&url, &acknowledged, ROUNDS * SUBMITTERS).await;
}

/// Submit reports from [`SUBMITTERS`] tasks (numbered from `first`), SIGKILL the server once
/// `before_kill` were acknowledged, and return the ids of every acknowledged case.
async fn submit_until_killed(mut server: ServerProcess, first: usize, before_kill: usize) -> Vec<String> {
    let api = server.api();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let submitters: Vec<_> = (0..SUBMITTERS)
        .map(|task| {
            let api = api.clone();
            let acknowledged = acknowledged.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    match api.post_report(&sample_report(first + task * 10_000 + n), None).await {
                        Ok(reply) if reply.status == 201 => {
                            acknowledged.lock().await.push(reply.body["case_id"].as_str().unwrap().to_owned());
                        }
                        // Once the process is gone, requests fail: stop.
                        _ => return,
                    }
                }
            })
        })
        .collect();
    // Kill in the middle of the stream of submissions, once enough have been acknowledged.
    eventually_within(Duration::from_secs(120), format!("{before_kill} reports to be acknowledged"), async || {
        (acknowledged.lock().await.len() >= before_kill).then_some(())
    })
    .await;
    server.child.start_kill().unwrap(); // SIGKILL on Unix
    server.child.wait().await.unwrap();
    for submitter in submitters {
        submitter.await.unwrap();
    }
    acknowledged.lock().await.clone()
}

/// Restart on `url` and check that every acknowledged case is there, that at most `in_flight`
/// others landed (one unanswered report per submitter and kill), and that the log is gap-free.
async fn check_after_restart(url: &str, acknowledged: &[String], in_flight: usize) {
    let restarted = ServerProcess::spawn(BINARY, url).await.unwrap();
    let mut admin = restarted.api();
    assert_eq!(admin.sign_in("admin", opsroom_tests::ADMIN_PASSWORD).await.unwrap().status, 201);
    let stored: std::collections::HashSet<String> =
        admin.all_cases("").await.unwrap().iter().map(|c| c["case_id"].as_str().unwrap().to_owned()).collect();
    let missing: Vec<_> = acknowledged.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(missing.is_empty(), "{} of {} acknowledged reports lost: {missing:?}", missing.len(), acknowledged.len());
    // Unacknowledged in-flight reports may or may not have landed; nothing else may appear.
    assert!(stored.len() >= acknowledged.len());
    assert!(stored.len() <= acknowledged.len() + in_flight, "at most one in-flight report per submitter");

    // And the log is still gap-free after the crash.
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(Some(0)).await.unwrap();
    let last = 1 + stored.len() as u64;
    let events = live.events_until(last).await.unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>());
}

#[tokio::test]
async fn user_add_creates_an_account_that_can_sign_in() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("users.db").display());
    let mut add = tokio::process::Command::new(BINARY)
        .args(["user", "add", "amira", "--role", "supervisor", "--password-stdin", "--database-url", &url])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"amira's long password\n").await.unwrap();
    let output = add.wait_with_output().await.unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("created supervisor amira"));

    let server = ServerProcess::spawn(BINARY, &url).await.unwrap();
    let mut api = server.api();
    let reply = api.sign_in("amira", "amira's long password").await.unwrap();
    assert_eq!((reply.status, reply.body["role"].as_str()), (201, Some("supervisor")));
    // Users existed, so no admin was created on first start.
    assert_eq!(api.sign_in("admin", opsroom_tests::ADMIN_PASSWORD).await.unwrap().status, 401);

    let duplicate = tokio::process::Command::new(BINARY)
        .args(["user", "add", "amira", "--database-url", &url])
        .output()
        .await
        .unwrap();
    assert!(!duplicate.status.success());
}
