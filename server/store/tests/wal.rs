//! The SQLite WAL stays bounded while writes never stop and readers keep overlapping read
//! transactions open, as the live hub, the matcher and the read pool do under a surge.
//!
//! SQLite starts its WAL over only once every frame has been copied back into the database and
//! no reader is still reading an old one. Passive checkpoints beside a writer that never pauses
//! reach neither, so without a restart the WAL grows by every page every commit writes (the CI
//! size of the surge the benchmark runs at full size: `opsroom bench --only ingest`). And a
//! clean close leaves no WAL behind for the next start to read back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use opsroom_domain::report::{LocationInput, PersonInput, ReportInput};
use opsroom_store::testing::{self, TestDatabase};
use opsroom_store::{ReportCase, ReportOutcome, Store, StoreOptions};
use sqlx::Connection;

const MIB: u64 = 1024 * 1024;
/// The restart size the store is given here (the default is larger).
const LIMIT: u64 = 4 * MIB;
/// What the WAL may reach: the limit, plus what is written before a checkpoint notices and the
/// restart gets its turn between two batches (4–7 MiB here in a debug build; these small
/// batches write about 40 KB of WAL per report).
const BOUND: u64 = 6 * LIMIT;
/// Reports written: without restarts, about 150 MiB of WAL.
const WRITERS: usize = 8;
const REPORTS_PER_WRITER: usize = 500;

fn command(n: usize) -> ReportCase {
    testing::report_command(&ReportInput {
        people: vec![PersonInput {
            name: Some(format!("Person {n}")),
            phone: Some(format!("+2499{n:08}")),
            ..Default::default()
        }],
        location: Some(LocationInput {
            lat: Some(15.5 + (n % 100) as f64 * 0.001),
            lon: Some(32.5),
            ..Default::default()
        }),
        ..Default::default()
    })
}

fn wal_path(url: &str) -> PathBuf {
    PathBuf::from(format!("{}-wal", url.strip_prefix("sqlite://").unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_wal_stays_bounded_under_nonstop_writes_and_overlapping_reads() {
    let database = TestDatabase::sqlite();
    let store =
        Store::open(&database.url, StoreOptions { sqlite_wal_limit: LIMIT, ..Default::default() }).await.unwrap();
    let wal = wal_path(&database.url);
    let done = Arc::new(AtomicBool::new(false));

    // Two raw readers, each holding a read transaction for 20 ms and starting the next at once,
    // staggered, so that at every moment some read transaction is open on an older snapshot.
    let holders: Vec<_> = (0..2u64)
        .map(|i| {
            let (url, done) = (database.url.clone(), done.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(10 * i)).await;
                let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
                let mut transactions = 0u64;
                while !done.load(Ordering::Relaxed) {
                    sqlx::query("begin").execute(&mut conn).await.unwrap();
                    let _: i64 = sqlx::query_scalar("select count(*) from event").fetch_one(&mut conn).await.unwrap();
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    sqlx::query("commit").execute(&mut conn).await.unwrap();
                    transactions += 1;
                }
                transactions
            })
        })
        .collect();
    // And a follower reading every event as it commits, as the live hub does.
    let follower = {
        let (store, done) = (store.clone(), done.clone());
        tokio::spawn(async move {
            let mut head = store.committed_head();
            let mut last = 0;
            while !done.load(Ordering::Relaxed) {
                let events = store.events_after(last, 1000).await.unwrap();
                match events.last() {
                    Some(event) => last = event.seq,
                    None => {
                        let _ = tokio::time::timeout(Duration::from_millis(50), head.changed()).await;
                    }
                }
            }
            last
        })
    };
    let largest = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (wal, done, largest) = (wal.clone(), done.clone(), largest.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                largest.fetch_max(std::fs::metadata(&wal).map_or(0, |m| m.len()), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..REPORTS_PER_WRITER {
                    let outcome = store.report_case(command(w * REPORTS_PER_WRITER + n)).await.unwrap();
                    assert!(matches!(outcome, ReportOutcome::Created { .. }), "{outcome:?}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let at_end = std::fs::metadata(&wal).map_or(0, |m| m.len());
    done.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    let followed = follower.await.unwrap();
    for holder in holders {
        assert!(holder.await.unwrap() > 0, "the readers held transactions throughout");
    }
    let largest = largest.load(Ordering::Relaxed).max(at_end);
    let written = (WRITERS * REPORTS_PER_WRITER) as u64;
    assert!(followed > 0);
    assert_eq!(store.database_head().await.unwrap(), written);
    assert!(
        largest <= BOUND,
        "the WAL reached {:.1} MiB (bound {} MiB, restart at {} MiB) writing {written} reports",
        largest as f64 / MIB as f64,
        BOUND / MIB,
        LIMIT / MIB
    );

    // A clean close leaves no WAL for the next start to read back.
    store.close(Duration::from_secs(10)).await;
    assert_eq!(std::fs::metadata(&wal).map_or(0, |m| m.len()), 0, "the WAL after close");
}
