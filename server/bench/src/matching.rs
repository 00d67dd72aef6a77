//! Matching at scale: the time to find and score the candidates for one new person among a
//! million stored persons, through the matcher's own code path (blocking keys looked up in the
//! store's index, then scoring), on the embedded SQLite store.
//!
//! The stored persons are `synthetic`'s: Sudanese and Egyptian naming chains in Arabic and
//! Latin letters, drawn from short lists so that common names collide as they do in a real
//! crisis (several hundred persons share each given-and-father pair).

use std::time::Instant;

use opsroom::matcher::{new_persons, suggestions_for};
use opsroom_domain::event::CaseReported;
use opsroom_domain::reference::Reference;
use opsroom_store::{RecordMatches, ReportCase, ReportOutcome, Store, StoreOptions};

use crate::synthetic::{Draw, command};
use crate::{Percentiles, percentiles};

pub struct MatchFigures {
    pub persons: usize,
    pub load_seconds: f64,
    pub latency: Percentiles,
    /// Suggestions found per probe, on average.
    pub mean_suggestions: f64,
}

/// Store `persons` synthetic persons, one case each (filed under their keys as the matcher files
/// them), in the SQLite database at `url`, then time `probes` new persons' candidate search and
/// scoring. The database is left for the capacity and evacuation phases (a million stored cases).
pub async fn matching_latency(url: &str, persons: usize, probes: usize) -> anyhow::Result<MatchFigures> {
    let store = Store::open(url, StoreOptions::default()).await?;
    let load_seconds = store_persons(&store, persons).await?;

    let mut samples = Vec::with_capacity(probes);
    let mut suggested = 0usize;
    let mut probe_draw = Draw(0x2545_F491_4F6C_DD1D);
    for i in 0..probes {
        let reported = command(&mut probe_draw, 10_000_000 + i as u64).event;
        let new = new_persons(&reported);
        let started = Instant::now();
        for person in &new {
            let found = suggestions_for(&store, person, &[], reported.reported_at).await?;
            suggested += found.len();
        }
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    store.close(std::time::Duration::from_secs(10)).await;
    Ok(MatchFigures {
        persons,
        load_seconds,
        latency: percentiles(samples),
        mean_suggestions: suggested as f64 / probes as f64,
    })
}

/// Store `persons` synthetic persons, one case each, in the SQLite database at `url` and file
/// them under their keys as the matcher does (so a server started on it has no matching
/// backlog); returns the seconds it took. What the evacuation phase stands on when it runs alone.
pub async fn store_cases(url: &str, persons: usize) -> anyhow::Result<f64> {
    let store = Store::open(url, StoreOptions::default()).await?;
    let seconds = store_persons(&store, persons).await?;
    store.close(std::time::Duration::from_secs(10)).await;
    Ok(seconds)
}

/// File everyone reported after the matcher's cursor under their keys, as the matcher does,
/// without matching them with each other (a synthetic load would only suggest noise), and move
/// the cursor past them: a server started on the database has no matching backlog.
pub async fn file_without_matching(store: &Store) -> anyhow::Result<()> {
    loop {
        let cursor = store.matcher_cursor().await?;
        let events = store.events_after(cursor, 5000).await?;
        let Some(last) = events.last() else { return Ok(()) };
        let mut keys = Vec::new();
        for event in events.iter().filter(|e| e.kind == "case_reported") {
            let reported: CaseReported = serde_json::from_str(&event.data)?;
            for person in new_persons(&reported) {
                keys.extend(person.filed_keys());
            }
        }
        let record = RecordMatches { from_seq: cursor, to_seq: last.seq, keys, suggestions: Vec::new() };
        store.record_matches(record).await?;
    }
}

/// Store and file `persons` synthetic persons; the seconds it took.
async fn store_persons(store: &Store, persons: usize) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    let mut n = 0u64;
    while (n as usize) < persons {
        let chunk = 512.min(persons - n as usize);
        let commands: Vec<ReportCase> = (0..chunk).map(|i| command(&mut draw, n + i as u64)).collect();
        n += chunk as u64;
        let outcomes = futures_util::future::join_all(commands.iter().cloned().map(|c| store.report_case(c))).await;
        for (mut command, outcome) in commands.into_iter().zip(outcomes) {
            // A random reference may be taken (a million references out of 32^8): draw again, as
            // the intake does.
            let mut outcome = outcome?;
            while outcome == ReportOutcome::ReferenceTaken {
                command.event.reference = Reference::from_random(draw.bits());
                outcome = store.report_case(command.clone()).await?;
            }
            anyhow::ensure!(matches!(outcome, ReportOutcome::Created { .. }), "a synthetic report was not stored");
        }
    }
    file_without_matching(store).await?;
    Ok(started.elapsed().as_secs_f64())
}
