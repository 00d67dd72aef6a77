//! Several nodes on one PostgreSQL database: one log, one order, on every node; a node may die.
//! Also readiness and `opsroom migrate`, on both backends.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opsroom_tests::{ADMIN_PASSWORD, Api, ServerProcess, TestDatabase, TestServer, eventually_within, sample_report};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::BINARY;

/// Sign in on `node` and return its client.
async fn signed_in(node: &ServerProcess) -> Api {
    let mut api = node.api();
    let reply = api.sign_in("admin", ADMIN_PASSWORD).await.unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    api
}

/// Reports flowing into both nodes from four tasks each, until stopped or a node stops answering.
/// Records the case id of every `201`.
struct Load {
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(node_a: &Api, node_b: &Api) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for task in 0..8 {
            let api = if task % 2 == 0 { node_a.clone() } else { node_b.clone() };
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            tasks.push(tokio::spawn(async move {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match api.post_report(&sample_report(task * 10_000 + n), None).await {
                        Ok(reply) if reply.status == 201 => {
                            acknowledged.lock().await.push(reply.body["case_id"].as_str().unwrap().to_owned());
                        }
                        _ => return,
                    }
                }
            }));
        }
        Self { stop, acknowledged, tasks }
    }

    /// Stop and return every acknowledged case id.
    async fn stop(self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.await.unwrap();
        }
        self.acknowledged.lock().await.clone()
    }
}

async fn wait_for(acknowledged: &Mutex<Vec<String>>, count: usize) {
    eventually_within(Duration::from_secs(60), format!("{count} reports to be acknowledged"), async || {
        (acknowledged.lock().await.len() >= count).then_some(())
    })
    .await;
}

fn seq_and_case(events: &[Value]) -> Vec<(u64, String)> {
    events.iter().map(|e| (e["seq"].as_u64().unwrap(), e["case_id"].as_str().unwrap_or("").to_owned())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_stream_every_event_once_in_one_order() {
    let Some(database) = TestDatabase::postgres().await else { return };
    let node_a = ServerProcess::spawn(BINARY, &database.url).await.unwrap();
    let node_b = ServerProcess::spawn(BINARY, &database.url).await.unwrap();
    let api_a = signed_in(&node_a).await;
    // Sessions live in the database: the cookie from node A works on node B.
    let mut api_b = node_b.api();
    api_b.cookie = api_a.cookie.clone();
    assert_eq!(api_b.get("/api/v1/session").await.unwrap().status, 200);

    let mut live_a = api_a.live(None).await.unwrap();
    live_a.subscribe(Some(0)).await.unwrap();
    let mut live_b = api_b.live(None).await.unwrap();
    live_b.subscribe(Some(0)).await.unwrap();

    let load = Load::start(&api_a, &api_b);
    wait_for(&load.acknowledged, 200).await;
    let acknowledged: HashSet<String> = load.stop().await.into_iter().collect();
    let last = 1 + acknowledged.len() as u64; // the admin's creation, then one event per report

    let events_a = seq_and_case(&live_a.events_until(last).await.unwrap());
    let events_b = seq_and_case(&live_b.events_until(last).await.unwrap());
    let positions: Vec<u64> = (1..=last).collect();
    assert_eq!(
        events_a.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        positions,
        "node A: every event once, in order"
    );
    assert_eq!(events_a, events_b, "both nodes stream the same events in the same order");
    let streamed: HashSet<String> = events_a.iter().skip(1).map(|(_, case)| case.clone()).collect();
    assert_eq!(streamed, acknowledged, "every acknowledged report is on both streams");

    drop((node_a, node_b));
    database.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_node_loses_nothing_and_the_other_keeps_serving() {
    let Some(database) = TestDatabase::postgres().await else { return };
    let mut node_a = ServerProcess::spawn(BINARY, &database.url).await.unwrap();
    let node_b = ServerProcess::spawn(BINARY, &database.url).await.unwrap();
    let api_a = signed_in(&node_a).await;
    let api_b = signed_in(&node_b).await;
    let mut live_b = api_b.live(None).await.unwrap();
    live_b.subscribe(Some(0)).await.unwrap();
    // A client of node A, which will lose its node and move to node B.
    let mut live_a = api_a.live(None).await.unwrap();
    live_a.subscribe(Some(0)).await.unwrap();

    let load = Load::start(&api_a, &api_b);
    wait_for(&load.acknowledged, 100).await;
    let seen_on_a = live_a.events_until(50).await.unwrap();
    let resume_from = seen_on_a.last().unwrap()["seq"].as_u64().unwrap();
    node_a.child.start_kill().unwrap(); // SIGKILL, mid-run
    node_a.child.wait().await.unwrap();
    // The client of node A reconnects to node B with its position.
    let mut moved = api_b.live(None).await.unwrap();
    moved.subscribe(Some(resume_from)).await.unwrap();
    let at_kill = load.acknowledged.lock().await.len();
    wait_for(&load.acknowledged, at_kill + 100).await; // node B goes on taking reports
    let acknowledged = load.stop().await;

    let stored: HashSet<String> =
        api_b.all_cases("").await.unwrap().iter().map(|c| c["case_id"].as_str().unwrap().to_owned()).collect();
    let missing: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(missing.is_empty(), "{} acknowledged reports lost: {missing:?}", missing.len());
    // Node B's stream holds the whole log, gap-free, including what node A committed.
    let last = 1 + stored.len() as u64;
    let events = live_b.events_until(last).await.unwrap();
    assert_eq!(events.iter().map(|e| e["seq"].as_u64().unwrap()).collect::<Vec<_>>(), (1..=last).collect::<Vec<_>>());
    // The moved client misses nothing and sees nothing twice.
    let after_move = moved.events_until(last).await.unwrap();
    let mut positions: Vec<u64> = seen_on_a.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    positions.extend(after_move.iter().map(|e| e["seq"].as_u64().unwrap()));
    assert_eq!(positions, (1..=last).collect::<Vec<_>>());

    drop(node_b);
    database.remove().await;
}

#[tokio::test]
async fn health_and_readiness_on_sqlite() {
    let server = TestServer::start().await;
    let api = server.api();
    assert_eq!(api.get("/healthz").await.unwrap().body["status"], "ok");
    let ready = api.get("/readyz").await.unwrap();
    assert_eq!((ready.status, ready.body["status"].as_str()), (200, Some("ready")));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn health_and_readiness_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    let api = server.api();
    api.post_report(&sample_report(1), None).await.unwrap();
    let ready = api.get("/readyz").await.unwrap();
    assert_eq!((ready.status, ready.body["status"].as_str()), (200, Some("ready")), "{}", ready.body);
    assert!(ready.body["database_head"].as_u64().unwrap() >= 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn migrate_applies_migrations_without_serving() {
    for database in [Some(TestDatabase::sqlite()), TestDatabase::postgres().await].into_iter().flatten() {
        for _ in 0..2 {
            let output = tokio::process::Command::new(BINARY)
                .args(["migrate", "--database-url", &database.url])
                .output()
                .await
                .unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            assert!(String::from_utf8_lossy(&output.stdout).contains("migrations applied"));
        }
        database.remove().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_may_resume_on_a_node_that_has_not_seen_its_position_yet() {
    let Some(database) = TestDatabase::postgres().await else { return };
    // A node that polls rarely, and a commit that sends no notification: the node's own view
    // of the log head stays behind the database's for seconds.
    let node = TestServer::start_on(&database.url, |c| c.store.poll_interval = Duration::from_secs(30)).await;
    let admin = node.admin().await;
    let (other_node, position) = opsroom_store::testing::hold_next_position(&database.url).await;
    opsroom_store::testing::commit(other_node).await;

    // A client that saw that position on the other node resumes here.
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(Some(position)).await.unwrap();
    match live.next_json_within(Duration::from_millis(300)).await {
        Err(_) => {} // nothing after its position yet: the subscription was accepted
        Ok(message) => panic!("resuming at {position} was answered with {message:?}"),
    }
    // And a position beyond the database's head is still refused.
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(Some(position + 4)).await.unwrap();
    assert_eq!(live.next_json().await.unwrap().unwrap()["error"]["code"], "position_ahead");
    node.stop().await.unwrap();
    database.remove().await;
}

#[tokio::test]
async fn events_written_by_another_process_reach_open_streams_on_sqlite() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let start = live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap();
    // `opsroom user add` beside the running server: another writer on the same file.
    let output = tokio::process::Command::new(BINARY)
        .args(["user", "add", "bob", "--database-url", &server.database_url])
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let events = live.events_until(start + 1).await.unwrap();
    assert_eq!(events[0]["kind"], "user_created");
    assert_eq!(events[0]["data"]["name"], "bob");
    server.stop().await.unwrap();
}
