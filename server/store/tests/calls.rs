//! The call log on both backends: a logged call is an event of its case and a row, written
//! together; a number's earlier calls come newest first, a page at a time, found by the number
//! in E.164 (that number only) or in national form (in any country).

use std::time::Duration;

use opsroom_domain::call::{CallDirection, CallIds, CallInput, CallOutcome, log_call};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::report::{PersonInput, ReportInput};
use opsroom_domain::search::PhoneQuery;
use opsroom_domain::user::{Role, UserName};
use opsroom_store::testing::{PHONE_REGIONS, TestDatabase, report_command};
use opsroom_store::{
    CallCursor, CallQuery, CallRow, LogCall, LogCallOutcome, NewUser, ReportOutcome, Store, StoreOptions, UserOutcome,
};
use uuid::Uuid;

const MINUTE: i64 = 60_000;
/// Late enough that every call below has ended before it.
const NOW: i64 = 1_700_000_000_000;

async fn operator(store: &Store, name: &str) -> Uuid {
    let user = NewUser {
        user_id: Uuid::now_v7(),
        name: UserName::parse(name).unwrap(),
        role: Role::Operator,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: 0,
    };
    assert!(matches!(store.create_user(user.clone()).await.unwrap(), UserOutcome::Created { .. }));
    user.user_id
}

async fn case(store: &Store, name: &str) -> (Uuid, String) {
    let command = report_command(&ReportInput {
        people: vec![PersonInput { name: Some(name.into()), ..Default::default() }],
        ..Default::default()
    });
    let (case_id, reference) = (command.event.case_id, command.event.reference.to_string());
    assert!(matches!(store.report_case(command).await.unwrap(), ReportOutcome::Created { .. }));
    (case_id, reference)
}

/// A call of `phone` on `case_id` that started `minutes_ago` and lasted two minutes.
fn call(case_id: Uuid, by: Uuid, phone: &str, minutes_ago: i64, outcome: CallOutcome) -> LogCall {
    let started = Timestamp(NOW - minutes_ago * MINUTE);
    let input = CallInput {
        phone: phone.into(),
        direction: Some(CallDirection::Incoming),
        outcome: Some(outcome),
        started_at: started.to_rfc3339(),
        ended_at: Timestamp(started.millis() + 2 * MINUTE).to_rfc3339(),
        note: Some("asked about her brother".into()),
    };
    let ids = CallIds { case_id, call_id: Uuid::now_v7(), by };
    LogCall { event: log_call(ids, &input, &PHONE_REGIONS, Timestamp(NOW)).expect("valid call") }
}

async fn logged(store: &Store, call: LogCall) -> u64 {
    match store.log_call(call).await.unwrap() {
        LogCallOutcome::Logged { seq } => seq,
        other => panic!("not logged: {other:?}"),
    }
}

fn lookup(raw: &str, before: Option<CallCursor>, limit: u32) -> CallQuery {
    CallQuery { phone: PhoneQuery::parse(raw).unwrap(), before, limit }
}

fn started(rows: &[CallRow]) -> Vec<i64> {
    rows.iter().map(|r| (NOW - r.started_at) / MINUTE).collect()
}

/// The event and the row are written together, the case's last update moves and its version
/// does not; an unknown case writes nothing.
async fn a_call_is_an_event_of_its_case(store: &Store) {
    let amal = operator(store, "amal").await;
    let (case_id, reference) = case(store, "Mona Osman").await;
    let before = store.case_detail(case_id).await.unwrap().unwrap();
    let the_call = call(case_id, amal, "+249 912 345 678", 10, CallOutcome::UpdateGiven);
    let seq = logged(store, the_call.clone()).await;
    assert_eq!(store.database_head().await.unwrap(), seq);

    let after = store.case_detail(case_id).await.unwrap().unwrap();
    let last = after.events.last().unwrap();
    assert_eq!((last.seq, last.kind.as_str(), last.case_id), (seq, "call_logged", Some(case_id)));
    assert_eq!(Event::from_parts(&last.kind, &last.data).unwrap(), Event::CallLogged(the_call.event.clone()));
    assert_eq!(after.summary.updated_seq, seq);
    assert_eq!(after.summary.version, before.summary.version, "a call is not an edit of the case");

    let rows = store.calls(&lookup("+249912345678", None, 10)).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (row.call_id, row.case_id, row.reference.as_str(), row.seq),
        (the_call.event.call_id, case_id, reference.as_str(), seq)
    );
    assert_eq!(
        (row.phone.as_str(), row.direction, row.outcome),
        ("+249912345678", CallDirection::Incoming, CallOutcome::UpdateGiven)
    );
    assert_eq!((row.started_at, row.ended_at), (NOW - 10 * MINUTE, NOW - 8 * MINUTE));
    assert_eq!(
        (row.note.as_deref(), row.operator.as_str(), row.logged_at),
        (Some("asked about her brother"), "amal", NOW)
    );

    let nowhere = call(Uuid::now_v7(), amal, "+249 912 345 678", 5, CallOutcome::Dropped);
    assert_eq!(store.log_call(nowhere).await.unwrap(), LogCallOutcome::UnknownCase);
    assert_eq!(store.database_head().await.unwrap(), seq, "nothing written for an unknown case");
    assert_eq!(store.calls(&lookup("0912345678", None, 10)).await.unwrap().len(), 1);
}

/// Newest first, paged without gaps or repeats (ties on the start broken by position); a
/// national number finds the same digits in every country, an E.164 one only its own.
async fn earlier_calls_of_a_number(store: &Store) {
    let karim = operator(store, "karim").await;
    let (first, _) = case(store, "منى عثمان").await;
    let (second, _) = case(store, "Ahmed Ali").await;
    for (case_id, phone, minutes_ago) in [
        (first, "+249 912 345 678", 300),
        (second, "00249 0912 345 678", 30),
        (first, "+20 912 345 678", 120),
        (second, "+249 912 345 678", 30),
        (first, "+249 912 345 679", 20),
        (second, "+249912345678", 5),
    ] {
        logged(store, call(case_id, karim, phone, minutes_ago, CallOutcome::ReportTaken)).await;
    }

    let all = store.calls(&lookup("0912 345 678", None, 50)).await.unwrap();
    assert_eq!(started(&all), [5, 30, 30, 120, 300], "both countries, newest first");
    assert!(all[1].seq > all[2].seq, "a tie on the start is broken by position, newest first");
    let sudan = store.calls(&lookup("+249 912 345 678", None, 50)).await.unwrap();
    assert_eq!(started(&sudan), [5, 30, 30, 300]);
    assert!(sudan.iter().all(|r| r.phone == "+249912345678"));

    let mut pages = Vec::new();
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.calls(&lookup("912345678", cursor, 2)).await.unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some(last.cursor());
        pages.push(started(&page));
        paged.extend(page.iter().map(|r| r.seq));
    }
    assert_eq!(pages, [vec![5, 30], vec![30, 120], vec![300]]);
    assert_eq!(paged, all.iter().map(|r| r.seq).collect::<Vec<_>>(), "pages hold every call once");

    assert!(store.calls(&lookup("0912 345 670", None, 50)).await.unwrap().is_empty());
}

async fn run_check<F: std::future::Future<Output = ()>>(backend: &str, check: impl FnOnce(Store) -> F) {
    let database = match backend {
        "sqlite" => TestDatabase::sqlite(),
        _ => match TestDatabase::postgres().await {
            Some(database) => database,
            None => return,
        },
    };
    let options = StoreOptions { read_connections: 2, ..StoreOptions::default() };
    let store = Store::open(&database.url, options).await.expect("open a fresh store");
    check(store.clone()).await;
    store.close(Duration::from_secs(5)).await;
    database.remove().await;
}

macro_rules! on_both_backends {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    super::run_check("sqlite", |store| async move { super::$check(&store).await }).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    super::run_check("postgres", |store| async move { super::$check(&store).await }).await;
                }
            )*
        }
    };
}

on_both_backends!(a_call_is_an_event_of_its_case, earlier_calls_of_a_number);
