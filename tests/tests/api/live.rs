//! The live stream: snapshot, delivery, resume without gaps or repeats, origin checks, shutdown.

use std::time::Duration;

use opsroom_tests::{Config, TestServer, sample_report};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Error as WsError;

fn seqs(events: &[Value]) -> Vec<u64> {
    events.iter().map(|e| e["seq"].as_u64().unwrap()).collect()
}

async fn snapshot_then_every_new_event(server: TestServer) {
    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let snapshot = live.next_json().await.unwrap().unwrap();
    assert_eq!(snapshot["type"], "snapshot");
    let start = snapshot["seq"].as_u64().unwrap();

    let mut case_ids = Vec::new();
    for n in 0..3 {
        let reply = server.api().post_report(&sample_report(n), None).await.unwrap();
        case_ids.push(reply.body["case_id"].clone());
    }
    let events = live.events_until(start + 3).await.unwrap();
    assert_eq!(seqs(&events), vec![start + 1, start + 2, start + 3]);
    for (event, case_id) in events.iter().zip(&case_ids) {
        assert_eq!(event["type"], "event");
        assert_eq!(event["kind"], "case_reported");
        assert_eq!(&event["case_id"], case_id);
        assert_eq!(&event["data"]["case_id"], case_id);
        assert!(event["at"].as_str().unwrap().ends_with('Z'));
    }
    server.stop().await.unwrap();
}

async fn a_reconnecting_client_misses_nothing_and_sees_nothing_twice(server: TestServer) {
    let admin = server.admin().await;
    let api = server.api();
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(Some(0)).await.unwrap();
    api.post_report(&sample_report(1), None).await.unwrap();
    let first = live.events_until(2).await.unwrap();
    assert_eq!(seqs(&first), vec![1, 2], "the admin's creation, then the report");
    drop(live);

    // While disconnected, more happens.
    for n in 2..12 {
        api.post_report(&sample_report(n), None).await.unwrap();
    }
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(Some(2)).await.unwrap();
    let missed = live.events_until(12).await.unwrap();
    assert_eq!(seqs(&missed), (3..=12).collect::<Vec<_>>());
    // And live again after the replay.
    api.post_report(&sample_report(99), None).await.unwrap();
    let next = live.events_until(13).await.unwrap();
    assert_eq!(seqs(&next), vec![13]);
    server.stop().await.unwrap();
}

async fn streams_stay_gap_free_under_bursts_with_a_tiny_ring(server: TestServer) {
    let admin = server.admin().await;
    let mut watchers = Vec::new();
    for _ in 0..3 {
        let mut live = admin.live(None).await.unwrap();
        live.subscribe(Some(0)).await.unwrap();
        watchers.push(live);
    }
    let api = server.api();
    let bursts: Vec<_> = (0..8)
        .map(|task| {
            let api = api.clone();
            tokio::spawn(async move {
                for n in 0..15 {
                    assert_eq!(api.post_report(&sample_report(task * 100 + n), None).await.unwrap().status, 201);
                }
            })
        })
        .collect();
    for burst in bursts {
        burst.await.unwrap();
    }
    let last = 1 + 8 * 15;
    for live in &mut watchers {
        let events = live.events_until(last).await.unwrap();
        assert_eq!(seqs(&events), (1..=last).collect::<Vec<_>>(), "every event once, in order");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn foreign_origins_are_refused() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    match admin.live(Some("http://evil.example")).await {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 403),
        Err(other) => panic!("expected a 403 handshake, got {other}"),
        Ok(_) => panic!("a foreign origin opened the live stream"),
    }
    let same_origin = server.base_url();
    let mut live = admin.live(Some(&same_origin)).await.expect("same origin is allowed");
    live.subscribe(None).await.unwrap();
    assert_eq!(live.next_json().await.unwrap().unwrap()["type"], "snapshot");
    server.stop().await.unwrap();

    let allowing = TestServer::start_with(|c| c.allowed_origins = vec!["https://ops.example.org".into()]).await;
    let admin = allowing.admin().await;
    assert!(admin.live(Some("https://ops.example.org")).await.is_ok());
    assert!(admin.live(Some(&allowing.base_url())).await.is_err(), "the allowlist replaces same-origin");
    allowing.stop().await.unwrap();
}

async fn bad_messages_get_an_error_and_the_stream_goes_on(server: TestServer) {
    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    use futures_util::SinkExt;
    live.socket.send(tokio_tungstenite::tungstenite::Message::text("{\"type\":\"dance\"}")).await.unwrap();
    let error = live.next_json().await.unwrap().unwrap();
    assert_eq!((error["type"].as_str(), error["error"]["code"].as_str()), (Some("error"), Some("invalid_message")));
    live.subscribe(Some(1_000_000)).await.unwrap();
    let ahead = live.next_json().await.unwrap().unwrap();
    assert_eq!(ahead["error"]["code"], "position_ahead");
    live.subscribe(Some(0)).await.unwrap();
    assert_eq!(live.next_json().await.unwrap().unwrap()["seq"], 1);
    server.stop().await.unwrap();
}

async fn signing_out_and_shutting_down_close_streams(server: TestServer) {
    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    live.next_json().await.unwrap();
    admin.sign_out().await.unwrap();
    assert_eq!(live.next_json().await.unwrap(), None, "closed after sign-out");

    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    live.next_json().await.unwrap();
    let stopping = tokio::spawn(server.stop());
    assert_eq!(live.next_json().await.unwrap(), None, "closed on shutdown");
    stopping.await.unwrap().unwrap();
}

/// A ring of 2 makes every burst overflow it, so sockets must fall back to the store.
fn tiny_ring(config: &mut Config) {
    config.live_ring = 2;
}

fn quick_session_recheck(config: &mut Config) {
    config.session_recheck = Duration::from_millis(100);
}

opsroom_tests::on_both_backends!(
    snapshot_then_every_new_event,
    a_reconnecting_client_misses_nothing_and_sees_nothing_twice,
    streams_stay_gap_free_under_bursts_with_a_tiny_ring with tiny_ring,
    bad_messages_get_an_error_and_the_stream_goes_on,
    signing_out_and_shutting_down_close_streams with quick_session_recheck,
);
