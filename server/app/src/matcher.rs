//! The matcher: follows the committed log and, for each person in a newly reported case (the
//! people in danger and the relative who reported them), finds the known persons who may be the
//! same person or a relative, and records a suggestion for each (an event operators see live).
//! A relative who reports twice links the two cases this way.
//!
//! Owns the candidate search (blocking keys from the domain, looked up in the store; persons of
//! the same batch compared in memory) and the batching. The position it has covered is stored
//! and moved in the same transaction as what it found, so a restart resumes where it stopped and
//! several nodes never match a person twice: the node that loses the race re-reads and goes on.
//! Must not decide anything: suggestions only; operators decide.

use std::collections::HashMap;
use std::time::Duration;

use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::{CaseReported, Event};
use opsroom_domain::matching::{
    MatchKind, MatchSuggested, PersonFacts, blocking_keys, compare, is_broad_key, relative_hint,
};
use opsroom_store::{CandidatePerson, FiledKey, RecordMatches, RecordOutcome, Store};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Events read per round.
const BATCH: u32 = 500;
/// Most known persons compared with one new person.
const MAX_CANDIDATES: u32 = 100;
/// Most suggestions kept per new person (the best ones).
const MAX_SUGGESTIONS: usize = 10;

/// Run until `shutdown`.
pub async fn run(store: Store, shutdown: CancellationToken) {
    let mut head = store.committed_head();
    loop {
        match step(&store).await {
            Ok(true) => continue,
            Ok(false) => {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    changed = head.changed() => if changed.is_err() { return },
                }
            }
            Err(error) => {
                tracing::warn!(%error, "matching new reports; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
        }
    }
}

/// A person of a new report, as the matcher knows them.
pub struct NewPerson {
    pub case_id: Uuid,
    pub person_id: Uuid,
    pub facts: PersonFacts,
    /// The keys the person is filed under.
    pub keys: Vec<String>,
}

impl NewPerson {
    /// The keys to file the person under, with their case and cell.
    pub fn filed_keys(&self) -> impl Iterator<Item = FiledKey> + '_ {
        self.keys.iter().map(|key| FiledKey {
            key: key.clone(),
            person_id: self.person_id,
            case_id: self.case_id,
            cell: self.facts.cell,
        })
    }
}

/// Match the next batch of the log; `false` when there was nothing new.
pub async fn step(store: &Store) -> opsroom_store::Result<bool> {
    let cursor = store.matcher_cursor().await?;
    let events = store.events_after(cursor, BATCH).await?;
    let Some(last) = events.last() else { return Ok(false) };
    let to_seq = last.seq;
    let mut round: Vec<(NewPerson, Timestamp)> = Vec::new();
    for stored in events.iter().filter(|e| e.kind == "case_reported") {
        let Ok(Event::CaseReported(reported)) = Event::from_parts(&stored.kind, &stored.data) else { continue };
        round.extend(new_persons(&reported).into_iter().map(|p| (p, reported.reported_at)));
    }
    // One query for the whole round; only when it is too big to answer for every person within
    // the per-person bound, each person asks on their own.
    let mut keys: Vec<String> = round.iter().flat_map(|(p, _)| p.keys.iter().cloned()).collect();
    keys.sort();
    keys.dedup();
    let bound = (round.len() * MAX_CANDIDATES as usize).min(ROUND_ROWS) as u32;
    let rows = store.match_candidates_by_key(&keys, bound).await?;
    let complete = (rows.len() as u32) < bound;
    let mut by_key: HashMap<&str, Vec<&CandidatePerson>> = HashMap::new();
    for (key, candidate) in &rows {
        by_key.entry(key.as_str()).or_default().push(candidate);
    }
    let mut suggestions = Vec::new();
    let persons: Vec<&NewPerson> = round.iter().map(|(p, _)| p).collect();
    for (i, (person, at)) in round.iter().enumerate() {
        let known = if complete { from_round(person, &by_key) } else { candidates_for(store, person).await? };
        suggestions.extend(score_candidates(person, &known, &persons[..i], *at));
    }
    let keys = round.iter().flat_map(|(p, _)| p.filed_keys()).collect();
    let record = RecordMatches { from_seq: cursor, to_seq, keys, suggestions };
    match store.record_matches(record).await? {
        RecordOutcome::Recorded { suggested } => {
            if suggested > 0 {
                tracing::debug!(suggested, to_seq, "match suggestions recorded");
            }
        }
        RecordOutcome::Stale { cursor } => {
            // Another node is matching the same stretch of the log: let it lead for a moment
            // rather than both doing every round twice.
            tracing::debug!(cursor, "another matcher moved first");
            tokio::time::sleep(YIELD_AFTER_LOSING).await;
        }
    }
    Ok(true)
}

/// How long a matcher that lost a round to another node's stands back.
const YIELD_AFTER_LOSING: Duration = Duration::from_millis(250);

/// Most rows the round's one candidate query may return.
const ROUND_ROWS: usize = 50_000;

/// A person's candidates out of the round's query: specific keys first, as `candidates_for`.
fn from_round(person: &NewPerson, by_key: &HashMap<&str, Vec<&CandidatePerson>>) -> Vec<CandidatePerson> {
    let mut known: Vec<CandidatePerson> = Vec::new();
    let (broad, specific): (Vec<&String>, Vec<&String>) = person.keys.iter().partition(|k| is_broad_key(k));
    for key in specific.into_iter().chain(broad) {
        for candidate in by_key.get(key.as_str()).into_iter().flatten() {
            if known.len() as u32 >= MAX_CANDIDATES {
                return known;
            }
            if candidate.case_id != person.case_id && !known.iter().any(|k| k.person_id == candidate.person_id) {
                known.push((*candidate).clone());
            }
        }
    }
    known
}

/// A person's candidates from the store: the specific keys first (phone, passport, three names,
/// the family name first); the given-and-father pair, which common names share by the thousand,
/// fills what is left.
async fn candidates_for(store: &Store, person: &NewPerson) -> opsroom_store::Result<Vec<CandidatePerson>> {
    let (broad, specific): (Vec<String>, Vec<String>) = person.keys.iter().cloned().partition(|k| is_broad_key(k));
    let mut known = store.match_candidates(&specific, person.case_id, MAX_CANDIDATES).await?;
    let room = MAX_CANDIDATES.saturating_sub(known.len() as u32);
    if room > 0 && !broad.is_empty() {
        for candidate in store.match_candidates(&broad, person.case_id, room + known.len() as u32).await? {
            if known.len() as u32 >= MAX_CANDIDATES {
                break;
            }
            if !known.iter().any(|k| k.person_id == candidate.person_id) {
                known.push(candidate);
            }
        }
    }
    Ok(known)
}

/// The best suggestions for one new person, from the store: the path a single new person takes
/// (and the one the benchmark times).
pub async fn suggestions_for(
    store: &Store,
    person: &NewPerson,
    earlier: &[&NewPerson],
    at: Timestamp,
) -> opsroom_store::Result<Vec<MatchSuggested>> {
    let known = candidates_for(store, person).await?;
    Ok(score_candidates(person, &known, earlier, at))
}

/// Score a new person against known candidates and against `earlier` persons of the same
/// round (not filed yet) that share a key; keep the best.
fn score_candidates(
    person: &NewPerson,
    known: &[CandidatePerson],
    earlier: &[&NewPerson],
    at: Timestamp,
) -> Vec<MatchSuggested> {
    let earlier = earlier
        .iter()
        .filter(|other| other.case_id != person.case_id && other.keys.iter().any(|k| person.keys.contains(k)))
        .map(|other| (other.case_id, other.person_id, other.facts.clone()));
    let candidates = known.iter().map(|c| (c.case_id, c.person_id, candidate_facts(c))).chain(earlier);
    let mut found: Vec<MatchSuggested> = Vec::new();
    for (other_case_id, other_person_id, other) in candidates {
        let score = compare(&person.facts, &other);
        let kind = if score.is_suggested() {
            MatchKind::Duplicate
        } else if relative_hint(&person.facts, &other, &score) {
            MatchKind::Relative
        } else {
            continue;
        };
        found.push(MatchSuggested {
            suggestion_id: Uuid::now_v7(),
            case_id: person.case_id,
            person_id: person.person_id,
            other_case_id,
            other_person_id,
            kind,
            score: (score.score * 1000.0).round() / 1000.0,
            reasons: score.reasons,
            at,
        });
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.dedup_by_key(|s| s.other_person_id);
    found.truncate(MAX_SUGGESTIONS);
    found
}

/// The persons of a new case — its people in danger and the relative who reported them — with
/// what the matcher compares. A reporter has no place of their own on the grid (they are often
/// abroad), so their cell is left out.
pub fn new_persons(reported: &CaseReported) -> Vec<NewPerson> {
    let subjects = reported.people.iter().map(|person| {
        let d = &person.details;
        let facts = PersonFacts::new(
            d.name.as_ref().map(|n| n.as_str()),
            d.age,
            d.sex,
            d.phone.as_ref().map(|p| p.as_str()),
            d.passport.as_ref().map(|p| p.as_str()),
            reported.cell,
        );
        (person.person_id, facts)
    });
    let reporter = reported.reporter.iter().map(|r| {
        let d = &r.details;
        let facts = PersonFacts::new(
            d.name.as_ref().map(|n| n.as_str()),
            None,
            None,
            d.phone.as_ref().map(|p| p.as_str()),
            None,
            None,
        );
        (r.person_id, facts)
    });
    let subjects = subjects.map(|(person_id, facts)| (person_id, blocking_keys(&facts), facts));
    // A reporter is found by their phone alone: names such as "Umm Ahmed" are shared by
    // thousands of mothers, and the same phone is what says one relative reported twice.
    let reporter = reporter.map(|(person_id, facts)| {
        let keys = blocking_keys(&facts).into_iter().filter(|k| k.starts_with("p:")).collect();
        (person_id, keys, facts)
    });
    subjects
        .chain(reporter)
        .map(|(person_id, keys, facts)| NewPerson { case_id: reported.case_id, person_id, keys, facts })
        .filter(|p| !p.keys.is_empty())
        .collect()
}

fn candidate_facts(c: &CandidatePerson) -> PersonFacts {
    let sex = c.sex;
    PersonFacts::new(c.name.as_deref(), c.age, sex, c.phone.as_deref(), c.passport.as_deref(), c.cell)
}
