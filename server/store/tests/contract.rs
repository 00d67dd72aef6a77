//! The store contract: what every backend must do, written against the public `Store` API only.
//!
//! Each check is an `async fn(&Store)` (or a pair of them around a reopen) so that a second
//! backend runs the same checks unchanged; the wrappers at the bottom run every check on a fresh
//! SQLite file and on a fresh PostgreSQL database (see `opsroom_store::testing` for how the
//! PostgreSQL server is found). The checks assume an empty database: log positions start at 1.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opsroom_domain::case::{CaseStatus, NewCaseIds, report_case};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::{CaseReported, Event, UserCreated};
use opsroom_domain::location::{Cell, Coordinates};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::reference::Reference;
use opsroom_domain::report::{
    Channel, Language, LocationInput, NewReport, PersonInput, Relation, ReportInput, ReporterInput, Sex,
};
use opsroom_domain::staff::{AccountChange, Refusal, StaffActor, UserAccountChanged};
use opsroom_domain::user::{Role, UserName};
use opsroom_domain::wire_name;
use opsroom_store::testing::{PHONE_REGIONS, TestDatabase};
use opsroom_store::{
    AccountOutcome, AccountWrite, CaseDetail, CaseFilter, CaseSummary, IdempotencyClaim, ImportOutcome, NewSession,
    NewUser, ReportCase, ReportOutcome, SessionClock, Store, StoreError, StoreOptions, UserOutcome,
};
use tokio::sync::Barrier;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Building commands with the domain API
// ---------------------------------------------------------------------------------------------

/// A fixed "now" so every timestamp in a check is predictable.
const T0: i64 = 1_700_000_000_000;

/// Enough for every list in these checks.
const ALL: u32 = 10_000;

const KHARTOUM: (f64, f64) = (15.5518, 32.5324);
/// A few hundred metres from `KHARTOUM`: another block, same neighbourhood.
const KHARTOUM_NEARBY: (f64, f64) = (15.5541, 32.5302);
const PORT_SUDAN: (f64, f64) = (19.6158, 37.2164);
const CAIRO: (f64, f64) = (30.0444, 31.2357);

/// Random hex standing in for a SHA-256 (token hashes must be unique per case).
fn random_hex() -> String {
    format!("{:032x}{:032x}", Uuid::new_v4().as_u128(), Uuid::new_v4().as_u128())
}

/// A reference from 40 random bits, as the app draws them.
fn random_reference() -> Reference {
    Reference::from_random(Uuid::new_v4().as_u128() as u64)
}

fn named(name: &str) -> PersonInput {
    PersonInput { name: Some(name.to_owned()), ..Default::default() }
}

fn at((lat, lon): (f64, f64)) -> Option<LocationInput> {
    Some(LocationInput { lat: Some(lat), lon: Some(lon), ..Default::default() })
}

/// Validate `input` and open a case from it with fresh ids, as the app would.
fn case_command(input: &ReportInput, channel: Channel, now: i64) -> ReportCase {
    case_command_with_reference(input, channel, now, random_reference())
}

fn case_command_with_reference(input: &ReportInput, channel: Channel, now: i64, reference: Reference) -> ReportCase {
    let report = NewReport::parse(input, channel, &PHONE_REGIONS).expect("test reports are valid");
    let ids = NewCaseIds {
        case_id: Uuid::now_v7(),
        report_id: Uuid::now_v7(),
        reference,
        person_ids: report.people.iter().map(|_| Uuid::now_v7()).collect(),
        reporter_person_id: Uuid::now_v7(),
    };
    ReportCase {
        event: report_case(report, ids, Timestamp::from_millis(now)),
        tracking_token_hash: random_hex(),
        idempotency: None,
    }
}

/// The smallest valid report: one named person.
fn simple_command(name: &str) -> ReportCase {
    case_command(&ReportInput { people: vec![named(name)], ..Default::default() }, Channel::Web, T0)
}

fn with_key(mut command: ReportCase, key_hash: &str, request_hash: &str, token_sealed: &str) -> ReportCase {
    command.idempotency = Some(IdempotencyClaim {
        key_hash: key_hash.to_owned(),
        request_hash: request_hash.to_owned(),
        token_sealed: token_sealed.to_owned(),
    });
    command
}

/// A report that fills in every field the store keeps.
fn full_report_input() -> ReportInput {
    ReportInput {
        language: Some(Language::Ar),
        reporter: Some(ReporterInput {
            name: Some("Huda Osman".into()),
            phone: Some("+20 100 123 4567".into()),
            relation: Some(Relation::Parent),
            place: Some("Cairo".into()),
        }),
        location: Some(LocationInput {
            lat: Some(KHARTOUM.0),
            lon: Some(KHARTOUM.1),
            accuracy_m: Some(35.5),
            place: Some("الرياض، الخرطوم".into()),
        }),
        people: vec![
            PersonInput {
                name: Some("منى أحمد".into()),
                age: Some(9),
                sex: Some(Sex::Female),
                passport: Some("p0123456".into()),
                phone: None,
            },
            PersonInput {
                name: Some("Ali Ahmed".into()),
                age: Some(71),
                sex: Some(Sex::Male),
                passport: None,
                phone: Some("+249 912 345 678".into()),
            },
        ],
        needs: vec![Need::Water, Need::Medical],
        flags: vec![Flag::Injured, Flag::UnaccompaniedMinors],
        message: Some("Two people trapped on the second floor.\nNo water since Monday.".into()),
    }
}

async fn created(store: &Store, command: ReportCase) -> u64 {
    match store.report_case(command).await.expect("report_case") {
        ReportOutcome::Created { seq } => seq,
        other => panic!("expected Created, got {other:?}"),
    }
}

fn head(store: &Store) -> u64 {
    *store.committed_head().borrow()
}

/// The committed head settles at exactly `expected`: waits (bounded) for the writer to publish
/// it, then checks it did not go further. That the head is already there when a reply arrives is
/// checked on its own, by [`intake_is_durable_and_ordered`] and [`committed_head_covers_every_reply`].
async fn assert_head(store: &Store, expected: u64) {
    let mut rx = store.committed_head();
    // `wait_for` returns a borrow of the value; drop it at once (holding it blocks the writer).
    let reached = tokio::time::timeout(Duration::from_secs(5), rx.wait_for(|h| *h >= expected)).await.is_ok();
    assert!(reached, "the committed head is stuck at {} below {expected}", head(store));
    assert_eq!(head(store), expected, "the committed head went past the last position written");
}

async fn all_cases(store: &Store) -> Vec<CaseSummary> {
    store.list_cases(&CaseFilter { limit: ALL, ..Default::default() }).await.expect("list_cases").cases
}

/// The ids `list_cases` returns for `filter`; a `limit` of 0 here means "no limit".
async fn list(store: &Store, filter: CaseFilter) -> Vec<Uuid> {
    let filter = CaseFilter { limit: if filter.limit == 0 { ALL } else { filter.limit }, ..filter };
    store.list_cases(&filter).await.expect("list_cases").cases.into_iter().map(|c| c.case_id).collect()
}

async fn detail(store: &Store, case_id: Uuid) -> CaseDetail {
    store.case_detail(case_id).await.expect("case_detail").expect("the case exists")
}

/// Every committed event's position, in the order `events_after` returns them.
async fn event_seqs(store: &Store) -> Vec<u64> {
    store.events_after(0, ALL).await.expect("events_after").into_iter().map(|e| e.seq).collect()
}

/// Assert `seqs` is exactly 1, 2, ..., n.
fn assert_gap_free(seqs: &[u64]) {
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected.as_slice(), "positions must start at 1 with no gaps and no reordering");
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

/// A reported case is readable in full, listed, and its event is in the log at the next position.
pub async fn intake_is_durable_and_ordered(store: &Store) {
    assert_eq!(head(store), 0, "an empty store starts at position 0");
    assert!(store.events_after(0, ALL).await.unwrap().is_empty());

    let mut head_rx = store.committed_head();
    let command = case_command(&full_report_input(), Channel::Hotline, T0 + 5);
    let reported: CaseReported = command.event.clone();
    let tracking_token_hash = command.tracking_token_hash.clone();
    assert_eq!(store.report_case(command).await.unwrap(), ReportOutcome::Created { seq: 1 });
    assert_eq!(head(store), 1, "the committed head has moved by the time the reply arrives");
    tokio::time::timeout(Duration::from_secs(5), head_rx.wait_for(|h| *h == 1))
        .await
        .expect("watchers are told about the new head")
        .unwrap();

    let d = detail(store, reported.case_id).await;
    let s = &d.summary;
    assert_eq!(s.case_id, reported.case_id);
    assert_eq!(s.reference, reported.reference.as_str());
    assert_eq!(s.status, CaseStatus::New);
    assert_eq!(s.priority, reported.priority.level);
    assert_eq!(s.priority, PriorityLevel::Critical);
    assert_eq!(s.priority_score, reported.priority.score);
    assert_eq!(s.priority_reasons, reported.priority.reasons);
    assert_eq!(s.needs, [Need::Medical, Need::Water]);
    assert_eq!(s.flags, [Flag::UnaccompaniedMinors, Flag::Injured]);
    assert_eq!(s.channel, Channel::Hotline);
    assert_eq!(wire_name(s.language), "ar");
    assert_eq!(s.lat, Some(KHARTOUM.0), "coordinates are stored exactly");
    assert_eq!(s.lon, Some(KHARTOUM.1), "coordinates are stored exactly");
    assert_eq!(s.place.as_deref(), Some("الرياض، الخرطوم"));
    assert_eq!(s.cell, reported.cell);
    assert_eq!(s.cell, Some(Coordinates::parse(KHARTOUM.0, KHARTOUM.1).unwrap().cell()));
    assert_eq!(s.people_count, 2);
    assert_eq!(s.reported_at, T0 + 5);
    assert_eq!((s.created_seq, s.updated_seq, s.version), (1, 1, 1));
    assert_eq!(d.message.as_deref(), Some("Two people trapped on the second floor.\nNo water since Monday."));

    // People: the subjects in report order, then the reporter.
    let roles: Vec<(Uuid, String)> = d.persons.iter().map(|p| (p.person_id, wire_name(p.role))).collect();
    let roles: Vec<(Uuid, &str)> = roles.iter().map(|(id, role)| (*id, role.as_str())).collect();
    assert_eq!(
        roles,
        [
            (reported.people[0].person_id, "subject"),
            (reported.people[1].person_id, "subject"),
            (reported.reporter.as_ref().unwrap().person_id, "reporter"),
        ]
    );
    let mona = &d.persons[0];
    assert_eq!(mona.name.as_deref(), Some("منى أحمد"));
    assert_eq!(mona.age, Some(9));
    assert_eq!(mona.sex.map(wire_name).as_deref(), Some("female"));
    assert_eq!(mona.passport.as_deref(), Some("P0123456"));
    assert_eq!((mona.phone.as_deref(), mona.relation.map(wire_name).as_deref()), (None, None));
    let ali = &d.persons[1];
    assert_eq!(
        (ali.name.as_deref(), ali.age, ali.sex.map(wire_name).as_deref()),
        (Some("Ali Ahmed"), Some(71), Some("male"))
    );
    assert_eq!(ali.phone.as_deref(), Some("+249912345678"));
    let reporter = &d.persons[2];
    assert_eq!(reporter.name.as_deref(), Some("Huda Osman"));
    assert_eq!(reporter.phone.as_deref(), Some("+201001234567"));
    assert_eq!(reporter.relation.map(wire_name).as_deref(), Some("parent"));

    // The report that opened the case.
    assert_eq!(d.reports.len(), 1);
    let r = &d.reports[0];
    assert_eq!(r.report_id, reported.report_id);
    assert_eq!(r.seq, 1);
    assert_eq!(r.channel, Channel::Hotline);
    assert_eq!(wire_name(r.language), "ar");
    assert_eq!(r.message, d.message);
    assert_eq!(r.place.as_deref(), Some("الرياض، الخرطوم"));
    assert_eq!(r.reporter_place.as_deref(), Some("Cairo"));
    assert_eq!((r.lat, r.lon, r.accuracy_m), (Some(KHARTOUM.0), Some(KHARTOUM.1), Some(35.5)));
    assert_eq!(r.received_at, T0 + 5);

    // The event: the same fact that was submitted, to the last field.
    assert_eq!(d.events.len(), 1);
    let e = &d.events[0];
    assert_eq!(
        (e.seq, e.kind.as_str(), e.case_id, e.recorded_at),
        (1, "case_reported", Some(reported.case_id), T0 + 5)
    );
    assert_eq!(Event::from_parts(&e.kind, &e.data).unwrap(), Event::CaseReported(Box::new(reported.clone())));
    assert!(!e.data.contains(&tracking_token_hash), "the tracking token hash is not part of the event");

    // Two more cases, one without a location or people, continue the log.
    let message_only = case_command(
        &ReportInput { message: Some("four children alone in Riyadh".into()), ..Default::default() },
        Channel::Whatsapp,
        T0 + 6,
    );
    let second = message_only.event.case_id;
    assert_eq!(store.report_case(message_only).await.unwrap(), ReportOutcome::Created { seq: 2 });
    let third_command = simple_command("Sara");
    let third = third_command.event.case_id;
    assert_eq!(store.report_case(third_command).await.unwrap(), ReportOutcome::Created { seq: 3 });
    assert_head(store, 3).await;

    let d2 = detail(store, second).await;
    assert_eq!((d2.summary.lat, d2.summary.lon, d2.summary.cell, d2.summary.place), (None, None, None, None));
    assert_eq!(d2.summary.people_count, 0);
    assert!(d2.persons.is_empty());
    assert_eq!(d2.summary.priority, PriorityLevel::Low);
    assert!(d2.summary.needs.is_empty() && d2.summary.flags.is_empty());
    assert_eq!(d2.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);

    // Listed newest first, and the listing agrees with the detail.
    let listed = all_cases(store).await;
    assert_eq!(listed.iter().map(|c| c.case_id).collect::<Vec<_>>(), [third, second, reported.case_id]);
    assert_eq!(listed[2], d.summary);

    // The log: gap-free from 1, paged by position and limit.
    let events = store.events_after(0, ALL).await.unwrap();
    assert_gap_free(&events.iter().map(|e| e.seq).collect::<Vec<_>>());
    assert_eq!(
        events.iter().map(|e| e.case_id).collect::<Vec<_>>(),
        [Some(reported.case_id), Some(second), Some(third)]
    );
    assert!(events.iter().all(|e| e.kind == "case_reported"));
    assert_eq!(events[0], d.events[0]);
    let page = store.events_after(1, 1).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
    assert!(store.events_after(3, ALL).await.unwrap().is_empty());
    assert_eq!(*events.last().map(|e| &e.seq).unwrap(), head(store));

    assert!(store.case_detail(Uuid::now_v7()).await.unwrap().is_none(), "an unknown case is None, not an error");
}

/// The same key with the same body answers with the first case; with another body it is refused.
pub async fn idempotency_replays_and_refuses_reuse(store: &Store) {
    let key = random_hex();
    let request = random_hex();
    let input = ReportInput { people: vec![named("Khalid")], needs: vec![Need::Food], ..Default::default() };

    let first = with_key(case_command(&input, Channel::Web, T0), &key, &request, "sealed-first");
    let first_case = first.event.case_id;
    assert_eq!(store.report_case(first).await.unwrap(), ReportOutcome::Created { seq: 1 });

    // A retry draws new ids, a new reference and a new token: it must still get the first case.
    let retry = with_key(case_command(&input, Channel::Web, T0 + 1), &key, &request, "sealed-retry");
    let retry_case = retry.event.case_id;
    assert_eq!(
        store.report_case(retry).await.unwrap(),
        ReportOutcome::Replayed { case_id: first_case, token_sealed: "sealed-first".into() }
    );
    assert!(store.case_detail(retry_case).await.unwrap().is_none(), "a replay writes no case");

    // The same key on a different body.
    let other_input = ReportInput { people: vec![named("Someone else")], ..Default::default() };
    let reuse = with_key(case_command(&other_input, Channel::Web, T0 + 2), &key, &random_hex(), "sealed-other");
    let reuse_case = reuse.event.case_id;
    assert_eq!(store.report_case(reuse).await.unwrap(), ReportOutcome::KeyReused);
    assert!(store.case_detail(reuse_case).await.unwrap().is_none(), "a refused key writes no case");

    assert_head(store, 1).await; // neither a replay nor a refusal takes a position
    assert_eq!(event_seqs(store).await, [1]);
    assert_eq!(all_cases(store).await.iter().map(|c| c.case_id).collect::<Vec<_>>(), [first_case]);

    // The replay still answers after other writes, and another key is independent.
    let other_key = with_key(case_command(&input, Channel::Web, T0 + 3), &random_hex(), &request, "sealed-2");
    let other_case = other_key.event.case_id;
    assert_eq!(store.report_case(other_key).await.unwrap(), ReportOutcome::Created { seq: 2 });
    let again = with_key(case_command(&input, Channel::Web, T0 + 4), &key, &request, "sealed-again");
    assert_eq!(
        store.report_case(again).await.unwrap(),
        ReportOutcome::Replayed { case_id: first_case, token_sealed: "sealed-first".into() }
    );
    // A report without a key is never deduplicated, even with the same body.
    let unkeyed = case_command(&input, Channel::Web, T0 + 5);
    assert_eq!(store.report_case(unkeyed).await.unwrap(), ReportOutcome::Created { seq: 3 });

    assert_head(store, 3).await;
    assert_eq!(event_seqs(store).await, [1, 2, 3]);
    let listed: HashSet<Uuid> = all_cases(store).await.into_iter().map(|c| c.case_id).collect();
    assert_eq!(listed.len(), 3);
    assert!(listed.contains(&first_case) && listed.contains(&other_case));
}

/// Send the `contested` commands all at once, one task each, while the writer is kept busy with
/// a stream of unrelated reports from [`FILLER_TASKS`] other tasks. Contested commands then queue
/// up during a commit and tend to share the next batch (the in-batch checks), while some may meet
/// what an earlier batch committed (the database checks). Returns each contested command's case
/// id and outcome, in the order given, and the case ids of the unrelated reports (all Created).
async fn flood(store: &Store, contested: Vec<ReportCase>) -> (Vec<(Uuid, ReportOutcome)>, Vec<Uuid>) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut fillers = Vec::new();
    for t in 0..FILLER_TASKS {
        let store = store.clone();
        let stop = stop.clone();
        fillers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let filler = simple_command(&format!("Filler {t}-{}", ids.len()));
                ids.push(filler.event.case_id);
                let outcome = store.report_case(filler).await.expect("report_case");
                assert!(
                    matches!(outcome, ReportOutcome::Created { .. }),
                    "an unrelated report is Created: {outcome:?}"
                );
            }
            ids
        }));
    }
    // The writer is busy once the fillers have had a few batches committed.
    let mut head_rx = store.committed_head();
    let busy = tokio::time::timeout(Duration::from_secs(10), head_rx.wait_for(|h| *h >= 2 * FILLER_TASKS as u64));
    assert!(busy.await.is_ok(), "the fillers are being committed");

    let barrier = Arc::new(Barrier::new(contested.len()));
    let mut tasks = Vec::new();
    for command in contested {
        let store = store.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let case_id = command.event.case_id;
            barrier.wait().await;
            (case_id, store.report_case(command).await.expect("report_case"))
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    let mut filler_ids = Vec::new();
    for task in fillers {
        filler_ids.extend(task.await.unwrap());
    }
    (results, filler_ids)
}

/// Tasks sending unrelated reports during [`flood`].
const FILLER_TASKS: usize = 8;

/// Many simultaneous retries of one keyed request create exactly one case, also when they share
/// a batch with each other and with unrelated reports.
pub async fn concurrent_retries_create_one_case(store: &Store) {
    const RETRIES: usize = 50;
    let key = random_hex();
    let request = random_hex();
    let retries =
        (0..RETRIES).map(|i| with_key(simple_command("Retry"), &key, &request, &format!("sealed-{i}"))).collect();
    let (results, fillers) = flood(store, retries).await;
    assert_eq!(results.len(), RETRIES);

    let winners: Vec<usize> = (0..RETRIES).filter(|&i| matches!(results[i].1, ReportOutcome::Created { .. })).collect();
    assert_eq!(winners.len(), 1, "exactly one of {RETRIES} retries creates the case: {results:?}");
    let (winner_case, _) = results[winners[0]];
    let winner_sealed = format!("sealed-{}", winners[0]);
    for (case_id, outcome) in &results {
        if *case_id != winner_case {
            assert_eq!(
                outcome,
                &ReportOutcome::Replayed { case_id: winner_case, token_sealed: winner_sealed.clone() },
                "every other retry replays the winner, with the winner's sealed token"
            );
            assert!(store.case_detail(*case_id).await.unwrap().is_none(), "a replayed retry writes no case");
        }
    }

    let total = (fillers.len() + 1) as u64;
    assert_head(store, total).await;
    assert_gap_free(&event_seqs(store).await);
    let listed: HashSet<Uuid> = all_cases(store).await.into_iter().map(|c| c.case_id).collect();
    let expected: HashSet<Uuid> = fillers.into_iter().chain([winner_case]).collect();
    assert_eq!(listed, expected, "the fillers and the one retry that won, nothing else");
}

/// An import: thousands of reports (more than one lookup's worth of keys and references)
/// committed together, or — when one drawn reference is taken — nothing of it at all.
pub async fn an_import_is_written_whole_or_not_at_all(store: &Store) {
    const PERSONS: usize = 2500;
    let taken = random_reference();
    let first = case_command_with_reference(
        &ReportInput { people: vec![named("Amal")], ..Default::default() },
        Channel::Web,
        T0,
        taken.clone(),
    );
    assert_eq!(store.report_case(first).await.unwrap(), ReportOutcome::Created { seq: 1 });
    let record = |n: usize, reference: Reference| {
        let input = ReportInput { people: vec![named(&format!("Imported person {n}"))], ..Default::default() };
        let command = case_command_with_reference(&input, Channel::Import, T0 + 1, reference);
        with_key(command, &format!("{n:064x}"), &format!("record {n}"), "sealed")
    };

    // The last reference of the file is taken: nothing of the import is written.
    let mut file: Vec<ReportCase> = (0..PERSONS).map(|n| record(n, random_reference())).collect();
    file[PERSONS - 1] = record(PERSONS - 1, taken);
    assert_eq!(store.import_reports(file).await.unwrap(), ImportOutcome::ReferenceTaken);
    assert_head(store, 1).await;
    assert_eq!(all_cases(store).await.len(), 1);

    // Drawn again: every report, in order, in one commit.
    let file = (0..PERSONS).map(|n| record(n, random_reference())).collect();
    let created: Vec<ReportOutcome> = (0..PERSONS).map(|n| ReportOutcome::Created { seq: n as u64 + 2 }).collect();
    assert_eq!(store.import_reports(file).await.unwrap(), ImportOutcome::Committed(created));
    assert_head(store, PERSONS as u64 + 1).await;
    assert_gap_free(&event_seqs(store).await);

    // The same file again replays every record and writes nothing; a changed record is refused.
    let mut again: Vec<ReportCase> = (0..PERSONS).map(|n| record(n, random_reference())).collect();
    again[0].idempotency.as_mut().unwrap().request_hash = "changed".into();
    let ImportOutcome::Committed(outcomes) = store.import_reports(again).await.unwrap() else {
        panic!("a replayed import needs no new reference")
    };
    assert_eq!(outcomes[0], ReportOutcome::KeyReused);
    assert!(outcomes[1..].iter().all(|o| matches!(o, ReportOutcome::Replayed { .. })));
    assert_head(store, PERSONS as u64 + 1).await;
    assert_eq!(all_cases(store).await.len(), PERSONS + 1);
}

/// A reference already in use is refused and nothing of the refused command is written.
pub async fn reference_collision_writes_nothing(store: &Store) {
    let reference = random_reference();
    let input = ReportInput { people: vec![named("Amal")], ..Default::default() };
    let first = case_command_with_reference(&input, Channel::Web, T0, reference.clone());
    let first_case = first.event.case_id;
    assert_eq!(store.report_case(first).await.unwrap(), ReportOutcome::Created { seq: 1 });

    // The loser carries a key: the key must not be claimed by a command that wrote nothing.
    let key = random_hex();
    let request = random_hex();
    let loser =
        with_key(case_command_with_reference(&input, Channel::Web, T0 + 1, reference.clone()), &key, &request, "s");
    let loser_case = loser.event.case_id;
    assert_eq!(store.report_case(loser).await.unwrap(), ReportOutcome::ReferenceTaken);
    assert_head(store, 1).await;
    assert_eq!(event_seqs(store).await, [1]);
    assert!(store.case_detail(loser_case).await.unwrap().is_none());
    let listed = all_cases(store).await;
    assert_eq!(listed.iter().map(|c| c.case_id).collect::<Vec<_>>(), [first_case]);
    assert_eq!(listed[0].reference, reference.as_str());

    // The app draws a fresh reference and retries with the same key: this creates the case.
    let retry = with_key(case_command(&input, Channel::Web, T0 + 2), &key, &request, "s");
    let retry_case = retry.event.case_id;
    assert_eq!(store.report_case(retry).await.unwrap(), ReportOutcome::Created { seq: 2 });
    assert_eq!(detail(store, retry_case).await.summary.created_seq, 2);

    // Many commands racing for one new reference, among unrelated reports: exactly one wins,
    // whether or not they share a batch.
    const RIVALS: usize = 20;
    let contested = random_reference();
    let rivals = (0..RIVALS)
        .map(|i| case_command_with_reference(&input, Channel::Web, T0 + 3 + i as i64, contested.clone()))
        .collect();
    let (results, fillers) = flood(store, rivals).await;
    let winners: Vec<Uuid> =
        results.iter().filter(|(_, o)| matches!(o, ReportOutcome::Created { .. })).map(|(id, _)| *id).collect();
    assert_eq!(winners.len(), 1, "exactly one of {RIVALS} commands with one reference wins: {results:?}");
    for (case_id, outcome) in &results {
        if *case_id != winners[0] {
            assert_eq!(outcome, &ReportOutcome::ReferenceTaken);
            assert!(store.case_detail(*case_id).await.unwrap().is_none());
        }
    }
    assert_eq!(detail(store, winners[0]).await.summary.reference, contested.as_str());
    let total = (2 + 1 + fillers.len()) as u64;
    assert_head(store, total).await;
    assert_gap_free(&event_seqs(store).await);
    let listed: HashSet<Uuid> = all_cases(store).await.into_iter().map(|c| c.case_id).collect();
    let expected: HashSet<Uuid> = fillers.into_iter().chain([first_case, retry_case, winners[0]]).collect();
    assert_eq!(listed, expected, "the fillers and the three cases that won, nothing else");
}

/// Many tasks reporting at once: every report is created, at unique gap-free positions, and listed.
pub async fn concurrent_intake_is_gap_free(store: &Store) {
    const TASKS: usize = 20;
    const PER_TASK: usize = 25;
    let barrier = Arc::new(Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = store.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut done = Vec::new();
            for i in 0..PER_TASK {
                let command = simple_command(&format!("Person {t}-{i}"));
                let case_id = command.event.case_id;
                done.push((case_id, store.report_case(command).await.expect("report_case")));
            }
            done
        }));
    }
    let mut by_seq: HashMap<u64, Uuid> = HashMap::new();
    for task in tasks {
        let mut previous = 0;
        for (case_id, outcome) in task.await.unwrap() {
            let ReportOutcome::Created { seq } = outcome else { panic!("expected Created, got {outcome:?}") };
            assert!(seq > previous, "one task's commands are committed in the order it sent them");
            previous = seq;
            assert!(by_seq.insert(seq, case_id).is_none(), "position {seq} was given twice");
        }
    }
    let total = (TASKS * PER_TASK) as u64;
    let seqs: BTreeSet<u64> = by_seq.keys().copied().collect();
    assert_eq!(seqs, (1..=total).collect::<BTreeSet<_>>(), "positions are exactly 1..={total}");
    assert_head(store, total).await;

    let events = store.events_after(0, ALL).await.unwrap();
    assert_gap_free(&events.iter().map(|e| e.seq).collect::<Vec<_>>());
    for event in &events {
        assert_eq!(event.case_id, Some(by_seq[&event.seq]), "event {} belongs to the case created there", event.seq);
    }

    let listed = all_cases(store).await;
    assert_eq!(listed.len(), total as usize);
    for case in &listed {
        assert_eq!(by_seq.get(&case.created_seq), Some(&case.case_id));
    }
    let created_seqs: Vec<u64> = listed.iter().map(|c| c.created_seq).collect();
    assert!(created_seqs.windows(2).all(|w| w[0] > w[1]), "listed newest first");
}

/// The committed head already covers a command when its reply arrives, even under concurrency:
/// a caller that got `Created { seq }` and then reads `committed_head()` sees at least `seq`.
/// (Regression: the SQLite writer once answered before moving the head.)
pub async fn committed_head_covers_every_reply(store: &Store) {
    const TASKS: usize = 40;
    const PER_TASK: usize = 50;
    let barrier = Arc::new(Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = store.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut stale = Vec::new();
            for i in 0..PER_TASK {
                let seq = created(&store, simple_command(&format!("Person {t}-{i}"))).await;
                // Read the head right after the reply: it must already cover this command.
                let head_after_reply = head(&store);
                if head_after_reply < seq {
                    stale.push((seq, head_after_reply));
                }
            }
            stale
        }));
    }
    let mut stale = Vec::new();
    for task in tasks {
        stale.extend(task.await.unwrap());
    }
    let total = TASKS * PER_TASK;
    assert_head(store, total as u64).await;
    assert!(
        stale.is_empty(),
        "{} of {total} replies arrived before committed_head() covered them, e.g. (seq, head) = {:?}",
        stale.len(),
        &stale[..stale.len().min(5)]
    );
}

/// Positions are `u64`: a cursor beyond the last event (even beyond `i64::MAX`) is above every
/// event, and a cursor beyond the last case is after every case.
/// (Regression: cursors above `i64::MAX` once wrapped to negative numbers.)
pub async fn cursors_beyond_i64_are_not_wrapped(store: &Store) {
    for i in 0..3 {
        created(store, simple_command(&format!("P{i}"))).await;
    }
    assert!(store.events_after(3, ALL).await.unwrap().is_empty());
    assert!(store.events_after(1_000_000, ALL).await.unwrap().is_empty());
    assert_eq!(list(store, CaseFilter { cursor: Some(newest_before(1_000_000)), ..Default::default() }).await.len(), 3);
    for cursor in [i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX] {
        let events = store.events_after(cursor, ALL).await.unwrap();
        assert!(
            events.is_empty(),
            "events_after({cursor}) must be empty, got positions {:?}",
            event_positions(&events)
        );
        let cases = list(store, CaseFilter { cursor: Some(newest_before(cursor)), ..Default::default() }).await;
        assert_eq!(cases.len(), 3, "every case was created before position {cursor}");
    }
}

/// The cursor of a newest-first page that ended at position `seq` (the bare position of
/// earlier releases' cursors).
fn newest_before(seq: u64) -> opsroom_store::CaseCursor {
    seq.to_string().parse().expect("a bare position is a cursor")
}

fn event_positions(events: &[opsroom_store::StoredEvent]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

/// Coordinates and accuracy come back bit for bit, in the tables and in the logged event.
pub async fn coordinates_round_trip_exactly(store: &Store) {
    // A fixed pseudo-random sequence (64-bit LCG), plus values that are awkward in decimal.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut points = vec![
        (0.1 + 0.2, -(0.1 + 0.2), 1e-7),
        (-89.999_999_999_999_99, 179.999_999_999_999_97, 0.0),
        (90.0, -180.0, 1_000_000.0),
        (15.551_812_345_678_912, 32.532_487_654_321_09, 12.345_678_901_234_567),
        (5e-324, -5e-324, f64::MIN_POSITIVE),
    ];
    for _ in 0..100 {
        points.push((next() * 180.0 - 90.0, next() * 360.0 - 180.0, next() * 5_000.0));
    }
    let mut commands = Vec::new();
    for &(lat, lon, accuracy_m) in &points {
        let input = ReportInput {
            people: vec![named("Somewhere")],
            location: Some(LocationInput { lat: Some(lat), lon: Some(lon), accuracy_m: Some(accuracy_m), place: None }),
            ..Default::default()
        };
        let command = case_command(&input, Channel::Web, T0);
        commands.push(command.event.clone());
        created(store, command).await;
    }
    for (reported, &(lat, lon, accuracy_m)) in commands.iter().zip(&points) {
        let d = detail(store, reported.case_id).await;
        assert_eq!((d.summary.lat, d.summary.lon), (Some(lat), Some(lon)), "case_file coordinates");
        assert_eq!(
            (d.reports[0].lat, d.reports[0].lon, d.reports[0].accuracy_m),
            (Some(lat), Some(lon), Some(accuracy_m))
        );
        assert_eq!(d.summary.cell, reported.cell);
        // Compared as JSON values parsed by the same parser from both texts: the stored number
        // literals must be the submitted ones. (Comparing `Event::from_parts` with the submitted
        // event would test serde_json instead, which without its `float_roundtrip` feature parses
        // some 17-digit literals 1 ulp off.)
        let submitted = Event::CaseReported(Box::new(reported.clone())).data_json();
        let stored: serde_json::Value = serde_json::from_str(&d.events[0].data).unwrap();
        assert_eq!(stored, serde_json::from_str::<serde_json::Value>(&submitted).unwrap(), "event at ({lat}, {lon})");
    }
}

/// Every filter narrows to exactly the matching cases; paging visits every case once.
pub async fn list_filters_and_paging(store: &Store) {
    // a: Khartoum, injured and in need of medical care, by hotline: critical.
    let a = case_command(
        &ReportInput {
            people: vec![named("A")],
            location: at(KHARTOUM),
            needs: vec![Need::Medical],
            flags: vec![Flag::Injured],
            ..Default::default()
        },
        Channel::Hotline,
        T0,
    );
    // b: a nearby block in Khartoum, needs food, by web: normal.
    let b = case_command(
        &ReportInput {
            people: vec![named("B")],
            location: at(KHARTOUM_NEARBY),
            needs: vec![Need::Food],
            ..Default::default()
        },
        Channel::Web,
        T0 + 1,
    );
    // c: Port Sudan, no water and elderly, by WhatsApp: high.
    let c = case_command(
        &ReportInput {
            people: vec![named("C")],
            location: at(PORT_SUDAN),
            needs: vec![Need::Water],
            flags: vec![Flag::Elderly],
            ..Default::default()
        },
        Channel::Whatsapp,
        T0 + 2,
    );
    // d: no location, nothing ticked, by email: low.
    let d = case_command(
        &ReportInput { message: Some("my brother has not called".into()), ..Default::default() },
        Channel::Email,
        T0 + 3,
    );
    let (ca, cb, cc, cd) = (a.event.clone(), b.event.clone(), c.event.clone(), d.event.clone());
    for command in [a, b, c, d] {
        created(store, command).await;
    }
    let (a, b, c, d) = (ca.case_id, cb.case_id, cc.case_id, cd.case_id);
    assert_eq!(
        [ca.priority.level, cb.priority.level, cc.priority.level, cd.priority.level],
        [PriorityLevel::Critical, PriorityLevel::Normal, PriorityLevel::High, PriorityLevel::Low],
        "fixture: the four cases have four different priorities"
    );

    let f = CaseFilter::default;
    assert_eq!(list(store, f()).await, [d, c, b, a], "no filter: everything, newest first");

    assert_eq!(list(store, CaseFilter { status: Some(CaseStatus::New), ..f() }).await, [d, c, b, a]);
    assert!(list(store, CaseFilter { status: Some(CaseStatus::Closed), ..f() }).await.is_empty());

    assert_eq!(list(store, CaseFilter { priority: Some(PriorityLevel::Critical), ..f() }).await, [a]);
    assert_eq!(list(store, CaseFilter { priority: Some(PriorityLevel::High), ..f() }).await, [c]);
    assert_eq!(list(store, CaseFilter { priority: Some(PriorityLevel::Normal), ..f() }).await, [b]);
    assert_eq!(list(store, CaseFilter { priority: Some(PriorityLevel::Low), ..f() }).await, [d]);

    assert_eq!(list(store, CaseFilter { need: Some(Need::Medical), ..f() }).await, [a]);
    assert_eq!(list(store, CaseFilter { need: Some(Need::Food), ..f() }).await, [b]);
    assert_eq!(list(store, CaseFilter { need: Some(Need::Water), ..f() }).await, [c]);
    assert!(list(store, CaseFilter { need: Some(Need::Shelter), ..f() }).await.is_empty());
    assert!(list(store, CaseFilter { need: Some(Need::Other), ..f() }).await.is_empty());

    assert_eq!(list(store, CaseFilter { flag: Some(Flag::Injured), ..f() }).await, [a]);
    assert_eq!(list(store, CaseFilter { flag: Some(Flag::Elderly), ..f() }).await, [c]);
    assert!(list(store, CaseFilter { flag: Some(Flag::Pregnant), ..f() }).await.is_empty());
    assert!(list(store, CaseFilter { flag: Some(Flag::ChronicIllness), ..f() }).await.is_empty());

    assert_eq!(list(store, CaseFilter { channel: Some(Channel::Hotline), ..f() }).await, [a]);
    assert_eq!(list(store, CaseFilter { channel: Some(Channel::Web), ..f() }).await, [b]);
    assert_eq!(list(store, CaseFilter { channel: Some(Channel::Whatsapp), ..f() }).await, [c]);
    assert_eq!(list(store, CaseFilter { channel: Some(Channel::Email), ..f() }).await, [d]);
    assert!(list(store, CaseFilter { channel: Some(Channel::WalkIn), ..f() }).await.is_empty());

    // Cells: the stored resolution-9 cell, its resolution-7 parent, and far away.
    let (res7, res8) = (7, 8);
    let a_cell = ca.cell.unwrap();
    let b_cell = cb.cell.unwrap();
    assert_eq!(a_cell.resolution(), 9);
    assert_ne!(a_cell, b_cell, "fixture: a and b are in different blocks");
    let a_district = a_cell.parent(res7).unwrap();
    assert_eq!(a_district.resolution(), 7);
    assert_eq!(b_cell.parent(res7), Some(a_district), "fixture: a and b are in the same district");
    let cairo: Cell = Coordinates::parse(CAIRO.0, CAIRO.1).unwrap().cell().parent(res7).unwrap();

    assert_eq!(list(store, CaseFilter { cell: Some(a_cell), ..f() }).await, [a], "the exact cell");
    assert_eq!(list(store, CaseFilter { cell: Some(b_cell), ..f() }).await, [b]);
    assert_eq!(list(store, CaseFilter { cell: Some(a_district), ..f() }).await, [b, a], "a resolution-7 parent");
    let a_parent8 = a_cell.parent(res8).unwrap();
    let in_a_parent8: Vec<Uuid> = [(b, b_cell), (a, a_cell)]
        .into_iter()
        .filter(|(_, cell)| cell.parent(res8) == Some(a_parent8))
        .map(|(id, _)| id)
        .collect();
    assert!(in_a_parent8.contains(&a));
    assert_eq!(list(store, CaseFilter { cell: Some(a_parent8), ..f() }).await, in_a_parent8, "a resolution-8 parent");
    assert_eq!(list(store, CaseFilter { cell: Some(cc.cell.unwrap().parent(res7).unwrap()), ..f() }).await, [c]);
    assert!(list(store, CaseFilter { cell: Some(cairo), ..f() }).await.is_empty(), "a far away district");

    // Filters combine.
    assert_eq!(list(store, CaseFilter { cell: Some(a_district), need: Some(Need::Food), ..f() }).await, [b]);
    assert!(list(store, CaseFilter { need: Some(Need::Medical), channel: Some(Channel::Web), ..f() }).await.is_empty());
    assert_eq!(list(store, CaseFilter { status: Some(CaseStatus::New), flag: Some(Flag::Injured), ..f() }).await, [a]);

    // The limit keeps the newest.
    assert_eq!(list(store, CaseFilter { limit: 2, ..f() }).await, [d, c]);

    // Paging: add more cases, then walk backwards with before_seq = the last case of each page.
    let mut everyone = vec![a, b, c, d];
    for i in 0..13 {
        let command = case_command(
            &ReportInput { people: vec![named(&format!("P{i}"))], location: at(KHARTOUM), ..Default::default() },
            Channel::Web,
            T0 + 10 + i,
        );
        everyone.push(command.event.case_id);
        created(store, command).await;
    }
    for limit in [1, 3, 5, 17, 100] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list_cases(&CaseFilter { cursor, limit, ..f() }).await.unwrap();
            assert!(page.cases.len() <= limit as usize);
            assert_eq!(page.total, everyone.len() as u64, "the total counts every page");
            if let Some(cursor) = cursor {
                assert!(
                    page.cases.iter().all(|c| c.created_seq < cursor.seq),
                    "a page holds only cases before its cursor"
                );
            }
            seen.extend(page.cases.iter().map(|c| c.case_id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let expected: Vec<Uuid> = everyone.iter().rev().copied().collect();
        assert_eq!(seen, expected, "paging by {limit} visits every case exactly once, newest first");
    }
    // Paging with a filter: the 13 extra cases are in Khartoum too.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.list_cases(&CaseFilter { cell: Some(a_district), cursor, limit: 4, ..f() }).await.unwrap();
        seen.extend(page.cases.iter().map(|c| c.case_id));
        let Some(next) = page.next_cursor else { break };
        cursor = Some(next);
    }
    let expected: Vec<Uuid> = everyone.iter().rev().copied().filter(|id| ![c, d].contains(id)).collect();
    assert_eq!(seen, expected);
}

/// A session of `user` opened at `T0` with the password it was created with.
fn session_of(user: &NewUser, token_hash: &str, expires_at: i64) -> NewSession {
    NewSession {
        token_hash: token_hash.to_owned(),
        user_id: user.user_id,
        password_hash: user.password_hash.clone(),
        created_at: T0,
        expires_at,
        client_address: None,
        user_agent: None,
    }
}

/// Sessions checked at `now` with no idle timeout.
fn at_time(now: i64) -> SessionClock {
    SessionClock { now, idle_before: i64::MIN }
}

fn new_user(name: &str, role: Role) -> NewUser {
    NewUser {
        user_id: Uuid::now_v7(),
        name: UserName::parse(name).unwrap(),
        role,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${}", random_hex()),
        created_at: T0,
    }
}

/// Users have unique names and are in the log; sessions find their user until they expire.
pub async fn users_and_sessions(store: &Store) {
    assert_eq!(store.user_count().await.unwrap(), 0);
    let amira = new_user("amira", Role::Supervisor);
    assert_eq!(store.create_user(amira.clone()).await.unwrap(), UserOutcome::Created { seq: 1 });
    assert_head(store, 1).await;
    assert_eq!(store.user_count().await.unwrap(), 1);

    let twin = new_user("amira", Role::Admin);
    assert_eq!(store.create_user(twin.clone()).await.unwrap(), UserOutcome::NameTaken);
    assert_eq!(store.user_count().await.unwrap(), 1);
    assert_head(store, 1).await; // a refused user takes no position

    let omar = new_user("omar", Role::Operator);
    assert_eq!(store.create_user(omar.clone()).await.unwrap(), UserOutcome::Created { seq: 2 });
    assert_eq!(store.user_count().await.unwrap(), 2);

    let record = store.user_by_name("amira").await.unwrap().expect("amira exists");
    assert_eq!(record.user_id, amira.user_id, "the first amira, not the refused twin");
    assert_eq!(record.name, "amira");
    assert_eq!(record.role, Role::Supervisor);
    assert_eq!(record.password_hash, amira.password_hash);
    assert_eq!(store.user_by_name("omar").await.unwrap().unwrap().role, Role::Operator);
    assert!(store.user_by_name("nobody").await.unwrap().is_none());

    // The log records the users, without their password hashes.
    let events = store.events_after(0, ALL).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert!(events.iter().all(|e| e.kind == "user_created" && e.case_id.is_none()));
    assert_eq!(events[0].recorded_at, T0);
    assert_eq!(
        Event::from_parts(&events[0].kind, &events[0].data).unwrap(),
        Event::UserCreated(UserCreated { user_id: amira.user_id, name: "amira".into(), role: Role::Supervisor })
    );
    assert!(!events.iter().any(|e| e.data.contains(&amira.password_hash) || e.data.contains(&omar.password_hash)));

    // Sessions.
    let token = random_hex();
    let expires_at = T0 + 60_000;
    assert!(store.open_session(session_of(&amira, &token, expires_at)).await.unwrap());
    for now in [T0, T0 + 1, expires_at - 1] {
        let user = store.session_user(&token, at_time(now)).await.unwrap().expect("a live session finds its user");
        assert_eq!(
            (user.user_id, user.name.as_str(), user.role, user.expires_at),
            (amira.user_id, "amira", Role::Supervisor, expires_at)
        );
    }
    for now in [expires_at, expires_at + 1, expires_at + 86_400_000] {
        assert!(store.session_user(&token, at_time(now)).await.unwrap().is_none(), "expired at {now}");
    }
    assert!(store.session_user(&random_hex(), at_time(T0)).await.unwrap().is_none(), "an unknown token");

    let omar_token = random_hex();
    assert!(store.open_session(session_of(&omar, &omar_token, expires_at)).await.unwrap());
    assert_eq!(store.session_user(&omar_token, at_time(T0)).await.unwrap().unwrap().user_id, omar.user_id);

    store.close_session(token.clone()).await.unwrap();
    assert!(store.session_user(&token, at_time(T0)).await.unwrap().is_none(), "a closed session is gone");
    assert!(
        store.session_user(&omar_token, at_time(T0)).await.unwrap().is_some(),
        "closing one session keeps the others"
    );
    store.close_session(random_hex()).await.unwrap();
    store.close_session(token).await.unwrap();

    assert_head(store, 2).await; // sessions are not events

    // Users and cases share one log.
    assert_eq!(created(store, simple_command("After users")).await, 3);
    assert_gap_free(&event_seqs(store).await);
}

/// Staff lifecycle: a disabled account has no live session and cannot open one; a password
/// reset and ending sessions end them; sessions idle out; nobody disables or demotes the last
/// enabled admin, even when two admins disable each other at once; every change is an event.
pub async fn staff_lifecycle(store: &Store) {
    let nadia = new_user("nadia", Role::Admin);
    let omar = new_user("omar", Role::Operator);
    for user in [&nadia, &omar] {
        assert!(matches!(store.create_user(user.clone()).await.unwrap(), UserOutcome::Created { .. }));
    }
    let as_nadia = StaffActor::Admin(nadia.user_id);
    let write = |write: AccountWrite| async move { store.account_write(write).await.unwrap() };
    let change = |name: &str, role: Option<Role>, disabled: Option<bool>, actor: StaffActor| AccountWrite::Change {
        name: name.to_owned(),
        change: AccountChange { role, disabled },
        actor,
        at: T0 + 5,
    };
    let live = |token: String, clock: SessionClock| async move { store.session_user(&token, clock).await.unwrap() };

    // Sessions idle out unless used; using one moves its last use forward.
    let (laptop, phone) = (random_hex(), random_hex());
    let expires_at = T0 + 3_600_000;
    let mut from_laptop = session_of(&omar, &laptop, expires_at);
    from_laptop.client_address = Some("192.0.2.7".into());
    from_laptop.user_agent = Some("Firefox".into());
    assert!(store.open_session(from_laptop).await.unwrap());
    assert!(store.open_session(session_of(&omar, &phone, expires_at)).await.unwrap());
    let idle_since = |t: i64| SessionClock { now: T0 + 2_000, idle_before: t };
    assert_eq!(live(laptop.clone(), idle_since(T0 - 1)).await.unwrap().last_seen_at, T0);
    assert!(live(laptop.clone(), idle_since(T0)).await.is_none(), "unused since the idle limit");
    store.touch_session(laptop.clone(), T0 + 1_000).await.unwrap();
    store.touch_session(laptop.clone(), T0 + 500).await.unwrap(); // a late, older mark moves nothing
    assert_eq!(live(laptop.clone(), idle_since(T0)).await.unwrap().last_seen_at, T0 + 1_000);
    assert!(live(phone.clone(), idle_since(T0)).await.is_none(), "marking one session leaves the others");

    // Admins see the live sessions, the one they asked with marked, and never a hash.
    let listed = store.sessions(omar.user_id, idle_since(T0 - 1), &laptop).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (
            listed[0].current,
            listed[0].last_seen_at,
            listed[0].client_address.as_deref(),
            listed[0].user_agent.as_deref()
        ),
        (true, T0 + 1_000, Some("192.0.2.7"), Some("Firefox"))
    );
    assert!(!listed[1].current);
    assert_eq!(store.sessions(omar.user_id, idle_since(T0), &laptop).await.unwrap().len(), 1, "idle ones are not live");

    // Disabling ends every session; the account cannot open one, and is listed as disabled.
    let head_before = head(store);
    let AccountOutcome::Applied { account, events: 1, sessions_ended: 2 } =
        write(change("omar", None, Some(true), as_nadia)).await
    else {
        panic!("omar is disabled")
    };
    assert!(account.disabled);
    assert!(live(laptop.clone(), at_time(T0)).await.is_none());
    assert!(!store.open_session(session_of(&omar, &random_hex(), expires_at)).await.unwrap(), "disabled");
    assert!(store.user_by_name("omar").await.unwrap().unwrap().disabled);
    assert_eq!(
        store.users().await.unwrap().iter().map(|u| (u.name.as_str(), u.disabled)).collect::<Vec<_>>(),
        [("nadia", false), ("omar", true)]
    );
    let disabled = store.events_after(head_before, ALL).await.unwrap();
    assert_eq!(
        Event::from_parts(&disabled[0].kind, &disabled[0].data).unwrap(),
        Event::UserDisabled(UserAccountChanged {
            user_id: omar.user_id,
            name: "omar".into(),
            by: Some(nadia.user_id),
            at: Timestamp(T0 + 5)
        })
    );
    // Asking again records nothing; enabling lets the account sign in again.
    let again = write(change("omar", None, Some(true), as_nadia)).await;
    assert!(matches!(again, AccountOutcome::Applied { events: 0, sessions_ended: 0, .. }), "{again:?}");
    assert!(matches!(
        write(change("omar", None, Some(false), as_nadia)).await,
        AccountOutcome::Applied { events: 1, .. }
    ));
    assert!(store.open_session(session_of(&omar, &laptop, expires_at)).await.unwrap());
    assert!(store.open_session(session_of(&omar, &phone, expires_at)).await.unwrap());

    // A sign-in that verified a password replaced meanwhile opens nothing. A reset ends the
    // account's sessions but the one kept (an admin resetting their own password).
    let reset = AccountWrite::ResetPassword {
        name: "omar".into(),
        password_hash: "$argon2id$new".into(),
        keep_session: Some(phone.clone()),
        actor: as_nadia,
        at: T0 + 6,
    };
    assert!(matches!(write(reset).await, AccountOutcome::Applied { events: 1, sessions_ended: 1, .. }));
    assert!(live(laptop.clone(), at_time(T0)).await.is_none());
    assert!(live(phone.clone(), at_time(T0)).await.is_some(), "the kept session");
    assert_eq!(store.user_by_name("omar").await.unwrap().unwrap().password_hash, "$argon2id$new");
    assert!(!store.open_session(session_of(&omar, &random_hex(), expires_at)).await.unwrap(), "the old password");
    let end = AccountWrite::EndSessions { name: "omar".into(), actor: as_nadia, at: T0 + 7 };
    assert!(matches!(write(end).await, AccountOutcome::Applied { events: 1, sessions_ended: 1, .. }));
    assert!(live(phone.clone(), at_time(T0)).await.is_none());
    let nobody = AccountWrite::EndSessions { name: "nobody".into(), actor: as_nadia, at: T0 + 7 };
    assert_eq!(write(nobody).await, AccountOutcome::NotFound);

    // The last enabled admin stays, whoever asks; an admin does not disable themselves.
    assert_eq!(write(change("nadia", None, Some(true), as_nadia)).await, AccountOutcome::Refused(Refusal::OwnAccount));
    for asked in [
        change("nadia", None, Some(true), StaffActor::CommandLine),
        change("nadia", Some(Role::Operator), None, StaffActor::CommandLine),
    ] {
        assert_eq!(write(asked).await, AccountOutcome::Refused(Refusal::LastAdmin));
    }
    assert!(matches!(
        write(change("omar", Some(Role::Admin), None, StaffActor::CommandLine)).await,
        AccountOutcome::Applied { events: 1, .. }
    ));
    // Two admins disabling each other at once: one wins, the other is the last admin.
    let as_omar = StaffActor::Admin(omar.user_id);
    let (first, second) = tokio::join!(
        store.account_write(change("omar", None, Some(true), as_nadia)),
        store.account_write(change("nadia", None, Some(true), as_omar)),
    );
    let outcomes = [first.unwrap(), second.unwrap()];
    assert_eq!(outcomes.iter().filter(|o| matches!(o, AccountOutcome::Applied { events: 1, .. })).count(), 1);
    assert_eq!(outcomes.iter().filter(|o| **o == AccountOutcome::Refused(Refusal::LastAdmin)).count(), 1);
    assert_eq!(store.users().await.unwrap().iter().filter(|u| u.role == Role::Admin && !u.disabled).count(), 1);

    // Every change above is in the log, gap-free, and none carries a password hash.
    let events = store.events_after(0, ALL).await.unwrap();
    assert_gap_free(&events.iter().map(|e| e.seq).collect::<Vec<_>>());
    let kinds: Vec<&str> = events.iter().skip(2).map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "user_disabled",
            "user_enabled",
            "user_password_reset",
            "user_sessions_ended",
            "user_role_changed",
            "user_disabled"
        ]
    );
    assert!(!events.iter().any(|e| e.data.contains("argon2")));
}

/// What the first life of a store wrote, for [`everything_survives_reopen`] to check.
#[derive(Debug)]
pub struct Written {
    /// Every case answered Created (the burst's in no particular order).
    case_ids: Vec<Uuid>,
    /// The first two cases as read back before close.
    details: Vec<CaseDetail>,
    head: u64,
    key: (String, String),
    keyed_case: Uuid,
    taken_reference: Reference,
    user: NewUser,
    session_token: String,
    session_expires_at: i64,
}

/// First life: write cases, a keyed case, a user and a session, and commit a burst during close.
pub async fn write_before_reopen(store: &Store) -> Written {
    let full = case_command(&full_report_input(), Channel::Hotline, T0);
    let taken_reference = full.event.reference.clone();
    let mut ids = vec![full.event.case_id];
    created(store, full).await;

    let key = (random_hex(), random_hex());
    let keyed = with_key(simple_command("Keyed"), &key.0, &key.1, "sealed-keyed");
    let keyed_case = keyed.event.case_id;
    ids.push(keyed_case);
    created(store, keyed).await;

    let user = new_user("nadia", Role::Admin);
    assert!(matches!(store.create_user(user.clone()).await.unwrap(), UserOutcome::Created { .. }));
    let session_token = random_hex();
    let session_expires_at = T0 + 3_600_000;
    assert!(store.open_session(session_of(&user, &session_token, session_expires_at)).await.unwrap());
    let details = vec![detail(store, ids[0]).await, detail(store, ids[1]).await];

    // A burst still in flight when the store closes: whatever was answered Created must survive,
    // and whatever was refused must be refused as Closed.
    let mut burst = Vec::new();
    for i in 0..200 {
        let store = store.clone();
        let command = simple_command(&format!("Burst {i}"));
        let case_id = command.event.case_id;
        burst.push(tokio::spawn(async move { (case_id, store.report_case(command).await) }));
    }
    // Let part of the burst reach the queue first; either way every outcome is checked below.
    tokio::task::yield_now().await;
    store.close(Duration::from_secs(5)).await;
    for task in burst {
        match task.await.unwrap() {
            (case_id, Ok(ReportOutcome::Created { .. })) => ids.push(case_id),
            (_, Err(StoreError::Closed)) => {}
            (_, other) => panic!("a command racing close is either committed or refused as Closed: {other:?}"),
        }
    }

    // Closed means closed.
    match store.report_case(simple_command("Too late")).await {
        Err(StoreError::Closed) => {}
        other => panic!("a closed store refuses commands with Closed, got {other:?}"),
    }
    match store.create_user(new_user("late", Role::Operator)).await {
        Err(StoreError::Closed) => {}
        other => panic!("a closed store refuses commands with Closed, got {other:?}"),
    }
    let head = head(store);
    assert_eq!(head as usize, ids.len() + 1, "every Created case and the one user are below the head");
    Written { case_ids: ids, details, head, key, keyed_case, taken_reference, user, session_token, session_expires_at }
}

/// Second life: everything the first life committed is there, and the log continues at head + 1.
pub async fn everything_survives_reopen(store: &Store, written: Written) {
    assert_eq!(head(store), written.head, "the head is recovered from the log");
    let events = store.events_after(0, ALL).await.unwrap();
    assert_gap_free(&events.iter().map(|e| e.seq).collect::<Vec<_>>());
    assert_eq!(events.len() as u64, written.head);

    let listed = all_cases(store).await;
    assert_eq!(listed.len(), written.case_ids.len());
    let listed_ids: HashSet<Uuid> = listed.iter().map(|c| c.case_id).collect();
    for &id in &written.case_ids {
        assert!(listed_ids.contains(&id), "case {id} was answered Created before close and must survive it");
        let d = detail(store, id).await;
        assert_eq!(d.events.len(), 1);
        assert_eq!(d.events[0], events[(d.summary.created_seq - 1) as usize]);
        assert_eq!(d.reports.len(), 1);
        assert_eq!(Some(&d.summary), listed.iter().find(|c| c.case_id == id));
    }
    // The cases read before close read back the same, field for field.
    for before in &written.details {
        assert_eq!(&detail(store, before.summary.case_id).await, before);
    }
    assert_eq!(written.details[0].summary.reference, written.taken_reference.as_str());
    assert_eq!(written.details[0].persons.len(), 3);

    // Users and sessions.
    assert_eq!(store.user_count().await.unwrap(), 1);
    let user = store.user_by_name("nadia").await.unwrap().expect("the user survives");
    assert_eq!(
        (user.user_id, user.role, user.password_hash),
        (written.user.user_id, Role::Admin, written.user.password_hash)
    );
    let session =
        store.session_user(&written.session_token, at_time(T0 + 1)).await.unwrap().expect("the session survives");
    assert_eq!((session.user_id, session.expires_at), (written.user.user_id, written.session_expires_at));
    assert_eq!(store.create_user(new_user("nadia", Role::Operator)).await.unwrap(), UserOutcome::NameTaken);

    // Claims survive: the key still replays, the reference is still taken.
    let retry = with_key(simple_command("Keyed"), &written.key.0, &written.key.1, "sealed-after-restart");
    assert_eq!(
        store.report_case(retry).await.unwrap(),
        ReportOutcome::Replayed { case_id: written.keyed_case, token_sealed: "sealed-keyed".into() }
    );
    let input = ReportInput { people: vec![named("Clash")], ..Default::default() };
    let clash = case_command_with_reference(&input, Channel::Web, T0, written.taken_reference.clone());
    assert_eq!(store.report_case(clash).await.unwrap(), ReportOutcome::ReferenceTaken);
    assert_head(store, written.head).await;

    // New writes continue the log.
    assert_eq!(created(store, simple_command("After restart")).await, written.head + 1);
    assert_eq!(
        store.create_user(new_user("yusuf", Role::Operator)).await.unwrap(),
        UserOutcome::Created { seq: written.head + 2 }
    );
    assert_head(store, written.head + 2).await;
    assert_gap_free(&event_seqs(store).await);
}

/// Operators' actions: versioned, checked by the workflow, recorded as events with their rows;
/// the SLA sweep escalates an overdue case once.
pub async fn workflow_actions_are_versioned(store: &Store) {
    use opsroom_domain::workflow::{Actor, CaseCommand, ContactChannel, ContactOutcome, SlaPolicy};
    use opsroom_store::{ActionOutcome, CaseAction, EscalateOverdue};

    let operator = new_user("amira", Role::Operator);
    let actor = Actor { user_id: operator.user_id, role: Role::Operator };
    assert!(matches!(store.create_user(operator.clone()).await.unwrap(), UserOutcome::Created { .. }));
    let command = simple_command("Huda");
    let case_id = command.event.case_id;
    created(store, command).await;
    let act = |version: u32, command: CaseCommand| CaseAction {
        case_id,
        expected_version: version,
        actor,
        command,
        at: T0 + 60_000,
    };

    let take = store.apply_to_case(act(1, CaseCommand::Assign { to: Some(operator.user_id) })).await.unwrap();
    assert!(matches!(take, ActionOutcome::Applied { version: 2, .. }), "{take:?}");
    let stale =
        store.apply_to_case(act(1, CaseCommand::AddNote { note_id: Uuid::now_v7(), text: "x".into() })).await.unwrap();
    assert_eq!(stale, ActionOutcome::Conflict { current_version: 2 });
    let refused = store
        .apply_to_case(act(
            2,
            CaseCommand::ChangeStatus { to: CaseStatus::Evacuated, reason: None, duplicate_of: None },
        ))
        .await
        .unwrap();
    assert!(matches!(refused, ActionOutcome::Refused(ref r) if r.code == "transition_not_allowed"), "{refused:?}");
    let reached = CaseCommand::RecordContact {
        contact_id: Uuid::now_v7(),
        channel: ContactChannel::InPerson,
        outcome: ContactOutcome::Reached,
        note: Some("at the consulate".into()),
    };
    assert!(matches!(store.apply_to_case(act(2, reached)).await.unwrap(), ActionOutcome::Applied { version: 3, .. }));
    let note = CaseCommand::AddNote { note_id: Uuid::now_v7(), text: "family of four".into() };
    assert!(matches!(store.apply_to_case(act(3, note)).await.unwrap(), ActionOutcome::Applied { version: 4, .. }));
    let unknown = CaseAction { case_id: Uuid::now_v7(), ..act(1, CaseCommand::Assign { to: None }) };
    assert_eq!(store.apply_to_case(unknown).await.unwrap(), ActionOutcome::NotFound);

    let case = detail(store, case_id).await;
    assert_eq!((case.summary.version, case.summary.assigned_to), (4, Some(operator.user_id)));
    assert_eq!(case.summary.first_contact_at, Some(T0 + 60_000));
    assert_eq!((case.notes.len(), case.notes[0].author.as_str()), (1, "amira"));
    assert_eq!(
        (wire_name(case.contacts[0].channel), wire_name(case.contacts[0].outcome)),
        ("in_person".into(), "reached".into())
    );
    let kinds: Vec<&str> = case.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["case_reported", "case_assigned", "contact_recorded", "note_added"]);
    assert_eq!(case.summary.updated_seq, case.events.last().unwrap().seq);

    // A second case nobody reached: the sweep escalates it once, and not the contacted one.
    let waiting = simple_command("Omar");
    let waiting_id = waiting.event.case_id;
    let waiting_score = waiting.event.priority.score;
    created(store, waiting).await;
    let sweep = EscalateOverdue { policy: SlaPolicy::default(), now: T0 + 48 * 3_600_000, limit: 100 };
    assert_eq!(store.escalate_overdue(sweep).await.unwrap(), 1);
    assert_eq!(store.escalate_overdue(sweep).await.unwrap(), 0, "escalated once");
    let escalated = detail(store, waiting_id).await;
    assert_eq!(escalated.summary.escalated_at, Some(sweep.now));
    assert_eq!(escalated.summary.version, 1, "escalation is not an operator's edit");
    assert!(escalated.summary.priority_reasons.iter().any(|r| r.code == opsroom_domain::priority::ReasonCode::Waiting));
    assert_eq!(escalated.summary.priority_score, waiting_score + opsroom_domain::priority::WAITING_POINTS);
    assert_eq!(escalated.events.last().unwrap().kind, "sla_breached");
    assert_eq!(event_seqs(store).await, (1..=7).collect::<Vec<u64>>(), "positions stay gap-free");
}

// ---------------------------------------------------------------------------------------------
// Citizens' updates, tracking links and advisories
// ---------------------------------------------------------------------------------------------

async fn citizens_update_links_and_advisories(store: &Store) {
    use opsroom_domain::advisory::{Advisory, AdvisoryContent, AdvisoryInput, Severity};
    use opsroom_domain::citizen::{CitizenUpdate, UpdateInput, UpdateKind};
    use opsroom_store::{AdvisoryCommand, AdvisoryOutcome, CitizenOutcome, CitizenUpdateCommand, TrackingLinkChange};

    let mut command = case_command(
        &ReportInput { people: vec![named("Hawa")], location: at((15.5518, 32.5324)), ..Default::default() },
        Channel::Web,
        T0,
    );
    let token_hash = random_hex();
    command.tracking_token_hash = token_hash.clone();
    let case_id = command.event.case_id;
    created(store, command).await;
    assert_eq!(store.case_by_tracking_hash(&token_hash).await.unwrap(), Some(case_id));
    let before = detail(store, case_id).await.summary;

    // We moved, and someone is injured now: the cell follows, the priority rises, both reported.
    let moved = CitizenUpdate::parse(&UpdateInput {
        kind: UpdateKind::Moved,
        location: at((19.6158, 37.2164)),
        needs: vec![],
        flags: vec![],
        message: Some("we reached Port Sudan".into()),
    })
    .unwrap();
    let update = |update: CitizenUpdate, hash: &str| CitizenUpdateCommand {
        token_hash: hash.to_owned(),
        update,
        report_id: Uuid::now_v7(),
        at: T0 + 1000,
    };
    let applied = store.citizen_update(update(moved, &token_hash)).await.unwrap();
    assert!(matches!(applied, CitizenOutcome::Applied { case_id: id, .. } if id == case_id));
    let injured = CitizenUpdate::parse(&UpdateInput {
        kind: UpdateKind::Needs,
        location: None,
        needs: vec![Need::Medical],
        flags: vec![Flag::Injured],
        message: None,
    })
    .unwrap();
    store.citizen_update(update(injured, &token_hash)).await.unwrap();
    let after = detail(store, case_id).await;
    assert_ne!(after.summary.cell, before.cell);
    assert_eq!(after.summary.lat, Some(19.6158));
    assert!(after.summary.priority > before.priority, "{:?} → {:?}", before.priority, after.summary.priority);
    assert_eq!(after.summary.version, before.version + 2);
    let kinds: Vec<Option<String>> = after.reports.iter().map(|r| r.update_kind.map(wire_name)).collect();
    assert_eq!(kinds, vec![None, Some("moved".to_owned()), Some("needs".to_owned())]);
    assert_eq!(after.reports[1].message.as_deref(), Some("we reached Port Sudan"));

    // A wrong token changes nothing and writes no event.
    let head_before = head(store);
    let safe = CitizenUpdate::parse(&UpdateInput {
        kind: UpdateKind::Safe,
        location: None,
        needs: vec![],
        flags: vec![],
        message: None,
    })
    .unwrap();
    assert_eq!(store.citizen_update(update(safe.clone(), &random_hex())).await.unwrap(), CitizenOutcome::NotFound);
    assert_head(store, head_before).await;

    // Revoking replaces the hash: the old token finds nothing.
    let new_hash = random_hex();
    let change =
        TrackingLinkChange { case_id, new_token_hash: new_hash.clone(), reissued: true, by: Uuid::nil(), at: T0 };
    assert!(store.change_tracking_link(change).await.unwrap());
    assert_eq!(store.case_by_tracking_hash(&token_hash).await.unwrap(), None);
    assert_eq!(store.case_by_tracking_hash(&new_hash).await.unwrap(), Some(case_id));
    assert_eq!(store.citizen_update(update(safe, &token_hash)).await.unwrap(), CitizenOutcome::NotFound);
    let unknown = TrackingLinkChange {
        case_id: Uuid::now_v7(),
        new_token_hash: random_hex(),
        reissued: false,
        by: Uuid::nil(),
        at: T0,
    };
    assert!(!store.change_tracking_link(unknown).await.unwrap());

    // Advisories: published, updated, withdrawn; every version kept.
    let input = AdvisoryInput {
        severity: Some(Severity::Severe),
        headline: Some((Some("تنبيه".into()), Some("Notice".into()))),
        body: Some((Some("نص".into()), Some("Text".into()))),
        ..Default::default()
    };
    let content = AdvisoryContent::parse(&input, Timestamp::from_millis(T0)).unwrap();
    let advisory = Advisory::publish(Uuid::now_v7(), content.clone(), Uuid::nil(), Timestamp::from_millis(T0));
    let id = advisory.advisory_id;
    assert!(matches!(
        store.advisory(AdvisoryCommand::Publish(advisory)).await.unwrap(),
        AdvisoryOutcome::Applied { .. }
    ));
    store.advisory(AdvisoryCommand::Update { advisory_id: id, content, by: Uuid::nil(), at: T0 + 1 }).await.unwrap();
    assert_eq!(store.advisories().await.unwrap()[0].version, 2);
    store.advisory(AdvisoryCommand::Withdraw { advisory_id: id, by: Uuid::nil(), at: T0 + 2 }).await.unwrap();
    assert!(store.advisories().await.unwrap().is_empty());
    assert!(store.advisory_versions(id).await.unwrap().last().unwrap().withdrawn);
    let again =
        store.advisory(AdvisoryCommand::Withdraw { advisory_id: id, by: Uuid::nil(), at: T0 + 3 }).await.unwrap();
    assert!(matches!(again, AdvisoryOutcome::Refused(_)));
    let versions: Vec<u32> = store.advisory_versions(id).await.unwrap().iter().map(|a| a.version).collect();
    assert_eq!(versions, vec![1, 2, 3]);
    let missing =
        store.advisory(AdvisoryCommand::Withdraw { advisory_id: Uuid::now_v7(), by: Uuid::nil(), at: T0 }).await;
    assert_eq!(missing.unwrap(), AdvisoryOutcome::NotFound);
    assert_gap_free(&event_seqs(store).await);
}

// ---------------------------------------------------------------------------------------------
// Every check on both backends, each on a fresh database
/// The shift's records: a handover note is an event and a row, listed newest first with its
/// author; its figures count what is open; the situation report's facts are exactly those of
/// the window (cases by report time, workflow events by record time); a case is found by its
/// reference.
pub async fn handovers_and_sitrep_facts(store: &Store) {
    use opsroom_domain::handover::{HandoverFigures, NewHandover};
    use opsroom_domain::sitrep::{Window, WorkflowFact};
    use opsroom_domain::workflow::{Actor, CaseCommand, ContactChannel, ContactOutcome, SlaPolicy};
    use opsroom_store::{ActionOutcome, CaseAction, WriteHandover};

    let operator = new_user("amal", Role::Operator);
    assert!(matches!(store.create_user(operator.clone()).await.unwrap(), UserOutcome::Created { .. }));
    let first = simple_command("Huda");
    let (first_id, first_reference) = (first.event.case_id, first.event.reference.clone());
    created(store, first).await;
    let input = ReportInput { people: vec![named("Omar")], location: at(KHARTOUM), ..Default::default() };
    let later = case_command(&input, Channel::Hotline, T0 + 2 * 3_600_000);
    created(store, later).await;
    let act = |version: u32, at: i64, command: CaseCommand| CaseAction {
        case_id: first_id,
        expected_version: version,
        actor: Actor { user_id: operator.user_id, role: Role::Operator },
        command,
        at,
    };
    let take = act(1, T0 + 60_000, CaseCommand::Assign { to: Some(operator.user_id) });
    assert!(matches!(store.apply_to_case(take).await.unwrap(), ActionOutcome::Applied { .. }));
    let reach = CaseCommand::RecordContact {
        contact_id: Uuid::now_v7(),
        channel: ContactChannel::Phone,
        outcome: ContactOutcome::Reached,
        note: None,
    };
    assert!(matches!(store.apply_to_case(act(2, T0 + 600_000, reach)).await.unwrap(), ActionOutcome::Applied { .. }));
    let triage = CaseCommand::ChangeStatus { to: CaseStatus::Triaged, reason: None, duplicate_of: None };
    assert!(matches!(
        store.apply_to_case(act(3, T0 + 3 * 3_600_000, triage)).await.unwrap(),
        ActionOutcome::Applied { .. }
    ));

    assert_eq!(store.case_id_by_reference(&first_reference).await.unwrap(), Some(first_id));
    assert_eq!(store.case_id_by_reference(&random_reference()).await.unwrap(), None);

    // The first hour holds the first case and its first contact, not the later case or the triage.
    let hour = Window::new(Timestamp::from_millis(T0), Timestamp::from_millis(T0 + 3_600_000)).unwrap();
    let (cases, facts) = store.sitrep_facts(hour).await.unwrap();
    assert_eq!(cases.iter().map(|c| c.reported_at.millis()).collect::<Vec<_>>(), [T0]);
    assert_eq!(
        facts,
        [WorkflowFact::FirstContact { case_id: first_id, at: Timestamp::from_millis(T0 + 600_000), after_ms: 600_000 }]
    );
    let day = Window::new(Timestamp::from_millis(T0), Timestamp::from_millis(T0 + 86_400_000)).unwrap();
    let (cases, facts) = store.sitrep_facts(day).await.unwrap();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[1].channel, "hotline");
    assert!(cases[1].cell.is_some());
    assert!(facts.contains(&WorkflowFact::StatusReached {
        case_id: first_id,
        to: CaseStatus::Triaged,
        at: Timestamp::from_millis(T0 + 3 * 3_600_000)
    }));

    // Two open cases, one of them Amal's; two days on both are past any first-contact time, but
    // the first was reached.
    let now = T0 + 2 * 86_400_000;
    let figures = store.handover_figures(operator.user_id, now, &SlaPolicy::default()).await.unwrap();
    assert_eq!(figures.open_cases, 2);
    assert_eq!(figures.assigned_to_author, 1);
    assert_eq!(figures.overdue, 1);
    let write = |promised: &str, at: i64, figures: HandoverFigures| WriteHandover {
        handover_id: Uuid::now_v7(),
        author: operator.user_id,
        at,
        figures,
        note: NewHandover::parse(Some(promised), None).unwrap(),
    };
    let before = head(store);
    let seq = store.write_handover(write("call Huda's mother at six", now, figures)).await.unwrap();
    assert_eq!(seq, before + 1);
    store.write_handover(write("nothing", now + 1, HandoverFigures::default())).await.unwrap();
    let notes = store.handovers(None, 10).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.promised.as_str()).collect::<Vec<_>>(), ["nothing", "call Huda's mother at six"]);
    assert_eq!((notes[1].author.as_str(), notes[1].written_at, notes[1].figures), ("amal", now, figures));
    assert_eq!(store.handovers(Some(notes[0].seq), 10).await.unwrap().len(), 1);
    let events = store.events_after(before, 10).await.unwrap();
    assert_eq!(events[0].kind, "handover_written");
    assert_eq!(events[0].case_id, None, "a note is about the shift, not a case: partners never hear of it");
}

// ---------------------------------------------------------------------------------------------

/// Open a store on a fresh database of `backend`; `None` when PostgreSQL is not configured
/// (outside CI), after saying so on stderr.
async fn fresh(backend: &str) -> Option<(TestDatabase, Store)> {
    let database = match backend {
        "sqlite" => TestDatabase::sqlite(),
        _ => TestDatabase::postgres_migrated().await?,
    };
    let store = Store::open(&database.url, options()).await.expect("open a fresh store");
    assert_eq!(store.backend_name(), backend);
    Some((database, store))
}

/// Small read pools: PostgreSQL allows 100 connections and the tests run in parallel.
fn options() -> StoreOptions {
    StoreOptions { read_connections: 2, ..StoreOptions::default() }
}

async fn run_check<F: std::future::Future<Output = ()>>(backend: &str, check: impl FnOnce(Store) -> F) {
    let Some((database, store)) = fresh(backend).await else { return };
    check(store.clone()).await;
    store.close(Duration::from_secs(5)).await;
    database.remove().await;
}

/// A write, a close and a reopen of the same database, then the checks on what survived.
async fn reopen_check(backend: &str) {
    let Some((database, store)) = fresh(backend).await else { return };
    let written = write_before_reopen(&store).await;
    drop(store);
    let reopened = Store::open(&database.url, options()).await.expect("reopen the same database");
    everything_survives_reopen(&reopened, written).await;
    reopened.close(Duration::from_secs(5)).await;
    database.remove().await;
}

macro_rules! on_both_backends {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $check() {
                    super::run_check("sqlite", |store| async move { super::$check(&store).await }).await;
                }
            )*
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn everything_survives_reopen() {
                super::reopen_check("sqlite").await;
            }
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $check() {
                    super::run_check("postgres", |store| async move { super::$check(&store).await }).await;
                }
            )*
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn everything_survives_reopen() {
                super::reopen_check("postgres").await;
            }
        }
    };
}

on_both_backends!(
    intake_is_durable_and_ordered,
    idempotency_replays_and_refuses_reuse,
    concurrent_retries_create_one_case,
    reference_collision_writes_nothing,
    an_import_is_written_whole_or_not_at_all,
    concurrent_intake_is_gap_free,
    list_filters_and_paging,
    users_and_sessions,
    staff_lifecycle,
    committed_head_covers_every_reply,
    cursors_beyond_i64_are_not_wrapped,
    coordinates_round_trip_exactly,
    workflow_actions_are_versioned,
    citizens_update_links_and_advisories,
    handovers_and_sitrep_facts,
);
