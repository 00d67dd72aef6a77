//! `Idempotency-Key`: retries never duplicate, a reused key with another body is refused.

use opsroom_tests::{TestServer, sample_report};

#[tokio::test]
async fn a_retry_returns_the_same_answer_and_creates_nothing() {
    let server = TestServer::start().await;
    let api = server.api();
    let first = api.post_report(&sample_report(1), Some("key-1")).await.unwrap();
    assert_eq!(first.status, 201, "{}", first.body);
    let again = api.post_report(&sample_report(1), Some("key-1")).await.unwrap();
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "same case, same reference, same tracking token");

    // Same content, other spacing and key order: still the same request.
    let reordered = serde_json::to_string_pretty(&sample_report(1)).unwrap().replace("\"language\": \"ar\",", "");
    let mut reordered: serde_json::Value = serde_json::from_str(&reordered).unwrap();
    reordered["language"] = "ar".into();
    let third = api.post_report(&reordered, Some("key-1")).await.unwrap();
    assert_eq!(third.body["case_id"], first.body["case_id"]);

    let admin = server.admin().await;
    assert_eq!(admin.all_cases("").await.unwrap().len(), 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let server = TestServer::start().await;
    let api = server.api();
    assert_eq!(api.post_report(&sample_report(1), Some("key-x")).await.unwrap().status, 201);
    let other = api.post_report(&sample_report(2), Some("key-x")).await.unwrap();
    assert_eq!(other.status, 422);
    assert_eq!(other.error_code(), "idempotency_key_reused");
    assert_eq!(other.body["error"]["field"], "Idempotency-Key");
    let admin = server.admin().await;
    assert_eq!(admin.all_cases("").await.unwrap().len(), 1);

    for bad_key in ["", &"k".repeat(256), "has space"] {
        let reply = api.post_report(&sample_report(3), Some(bad_key)).await.unwrap();
        assert_eq!((reply.status, reply.error_code()), (400, "invalid_idempotency_key"), "{bad_key:?}");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_case() {
    let server = TestServer::start().await;
    let api = server.api();
    let attempts: Vec<_> = (0..24)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move { api.post_report(&sample_report(7), Some("one-key")).await.unwrap() })
        })
        .collect();
    let mut case_ids = Vec::new();
    let mut tokens = Vec::new();
    for attempt in attempts {
        let reply = attempt.await.unwrap();
        assert_eq!(reply.status, 201, "{}", reply.body);
        case_ids.push(reply.body["case_id"].clone());
        tokens.push(reply.body["tracking_token"].clone());
    }
    case_ids.dedup();
    tokens.dedup();
    assert_eq!(case_ids.len(), 1, "every attempt answered with the one case");
    assert_eq!(tokens.len(), 1);
    let admin = server.admin().await;
    assert_eq!(admin.all_cases("").await.unwrap().len(), 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_retry_after_restart_still_finds_its_case() {
    let server = TestServer::start().await;
    let first = server.api().post_report(&sample_report(1), Some("survives-restart")).await.unwrap();
    let url = server.database_url.clone();
    let database = server.stop_keep_database().await.unwrap();
    let server = TestServer::start_on(&url, |_| {}).await;
    let again = server.api().post_report(&sample_report(1), Some("survives-restart")).await.unwrap();
    assert_eq!(again.body, first.body);
    server.stop().await.unwrap();
    database.expect("the server owned its database").remove().await;
}
