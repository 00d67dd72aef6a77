//! Several PostgreSQL nodes: a slow transaction holding an earlier position is never skipped.
//!
//! With positions drawn from a sequence, a transaction that takes position N and commits late
//! lets N+1 become visible first, and a reader that tracks only "the last position I saw" skips N
//! for good. Here positions are handed out under the `log_head` row lock held until commit, so a
//! later transaction cannot take N+1 until N is committed. This test holds a position open on a
//! raw connection (standing in for a slow node) while two other nodes keep writing and reading.

use std::time::Duration;

use opsroom_domain::report::{PersonInput, ReportInput};
use opsroom_store::testing::{self, TestDatabase};
use opsroom_store::{ReportCase, ReportOutcome, Store, StoreOptions};

fn command(name: &str) -> ReportCase {
    testing::report_command(&ReportInput {
        people: vec![PersonInput { name: Some(name.into()), ..Default::default() }],
        ..Default::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_transaction_holding_a_position_is_never_skipped() {
    let Some(database) = TestDatabase::postgres().await else { return };
    let options = StoreOptions { read_connections: 2, poll_interval: Duration::from_millis(20), ..Default::default() };
    let node_a = Store::open(&database.url, options.clone()).await.unwrap();
    let node_b = Store::open(&database.url, options).await.unwrap();
    for n in 0..3 {
        assert!(matches!(
            node_a.report_case(command(&format!("before {n}"))).await.unwrap(),
            ReportOutcome::Created { .. }
        ));
    }

    // A reader on node B that follows the head the way the live hub does, remembering only the
    // last position it saw.
    let follower = {
        let node_b = node_b.clone();
        tokio::spawn(async move {
            let mut head = node_b.committed_head();
            let mut seen = Vec::new();
            let mut last = 0;
            while last < 3 + 1 + 10 {
                let _ = tokio::time::timeout(Duration::from_millis(50), head.changed()).await;
                for event in node_b.events_after(last, 100).await.unwrap() {
                    last = event.seq;
                    seen.push(event.seq);
                }
            }
            seen
        })
    };

    // The slow node: take the next position exactly as the writer does, and sit on it.
    let (slow, position) = testing::hold_next_position(&database.url).await;
    assert_eq!(position, 4);

    // Meanwhile both other nodes take reports; they must queue behind the open position.
    let pending: Vec<_> = (0..10)
        .map(|n| {
            let node = if n % 2 == 0 { node_a.clone() } else { node_b.clone() };
            tokio::spawn(async move { node.report_case(command(&format!("after {n}"))).await.unwrap() })
        })
        .collect();
    // The slow transaction stays open a while: this sleep is the slowness under test.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(node_b.events_after(3, 100).await.unwrap().is_empty(), "nothing after position 3 is visible yet");
    assert!(pending.iter().all(|p| !p.is_finished()), "later writers wait for the open position");

    testing::commit(slow).await;
    let mut positions = Vec::new();
    for p in pending {
        match p.await.unwrap() {
            ReportOutcome::Created { seq } => positions.push(seq),
            other => panic!("expected Created, got {other:?}"),
        }
    }
    positions.sort();
    assert_eq!(positions, (5..=14).collect::<Vec<u64>>(), "later writers took the positions after the slow one");

    let seen = tokio::time::timeout(Duration::from_secs(10), follower).await.expect("the follower caught up").unwrap();
    assert_eq!(
        seen,
        (1..=14).collect::<Vec<u64>>(),
        "the follower saw every position, the slow one included, in order"
    );
    let events = node_b.events_after(3, 100).await.unwrap();
    assert_eq!(events[0].kind, "user_created", "position 4 is the slow transaction's");

    node_a.close(Duration::from_secs(5)).await;
    node_b.close(Duration::from_secs(5)).await;
    database.remove().await;
}
