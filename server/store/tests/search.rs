//! Search, server-side lists, counts and the urgency columns (migration 0008), on both backends:
//! what is found by reference, phone, passport and names in either script and how it ranks;
//! the assignee and SLA filters; keyset pages in every sort visiting every case once, also
//! while cases arrive; counts equal to the rows; the backfill of a database from before 0008
//! and a changed SLA policy; and the index written in the report's own transaction.

use std::collections::HashSet;
use std::time::Duration;

use opsroom_domain::case::{CaseStatus, NewCaseIds, report_case};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::reference::Reference;
use opsroom_domain::report::{Channel, NewReport, PersonInput, ReportInput, ReporterInput};
use opsroom_domain::search::SearchMatch;
use opsroom_domain::user::{Role, UserName};
use opsroom_domain::workflow::{Actor, CaseCommand, ContactChannel, ContactOutcome, SlaPolicy};
use opsroom_store::testing::{PHONE_REGIONS, TestDatabase};
use opsroom_store::{
    ActionOutcome, AssigneeFilter, CaseAction, CaseFilter, CaseSort, CaseSummary, NewUser, ReportCase, ReportOutcome,
    SlaFilter, Store, StoreOptions, UserOutcome,
};
use uuid::Uuid;

/// A fixed "now": cases are reported before it.
const NOW: i64 = 1_700_000_000_000;
const MINUTE: i64 = 60_000;
const ALL: u32 = 500;

fn person(name: &str, phone: Option<&str>, passport: Option<&str>) -> PersonInput {
    PersonInput {
        name: Some(name.to_owned()),
        phone: phone.map(str::to_owned),
        passport: passport.map(str::to_owned),
        ..Default::default()
    }
}

fn command(input: ReportInput, reported_at: i64) -> ReportCase {
    let report = NewReport::parse(&input, Channel::Web, &PHONE_REGIONS).expect("test reports are valid");
    let ids = NewCaseIds {
        case_id: Uuid::now_v7(),
        report_id: Uuid::now_v7(),
        reference: Reference::from_random(Uuid::new_v4().as_u128() as u64),
        person_ids: report.people.iter().map(|_| Uuid::now_v7()).collect(),
        reporter_person_id: Uuid::now_v7(),
    };
    ReportCase {
        event: report_case(report, ids, Timestamp::from_millis(reported_at)),
        tracking_token_hash: format!("{:032x}", Uuid::new_v4().as_u128()),
        idempotency: None,
    }
}

async fn stored(store: &Store, command: ReportCase) -> ReportCase {
    let outcome = store.report_case(command.clone()).await.expect("report_case");
    assert!(matches!(outcome, ReportOutcome::Created { .. }), "{outcome:?}");
    command
}

async fn search(store: &Store, q: &str) -> Vec<(Uuid, Option<SearchMatch>)> {
    let filter =
        CaseFilter { q: Some(q.into()), sort: CaseSort::Relevance, now_ms: NOW, limit: ALL, ..Default::default() };
    let page = store.list_cases(&filter).await.expect("list_cases");
    assert_eq!(page.total, page.cases.len() as u64, "one page holds every match of {q:?}");
    page.cases.iter().map(|c| (c.case_id, c.matched)).collect()
}

async fn user(store: &Store, name: &str, role: Role) -> Actor {
    let user_id = Uuid::now_v7();
    let new = NewUser {
        user_id,
        name: UserName::parse(name).unwrap(),
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        created_at: NOW,
    };
    assert!(matches!(store.create_user(new).await.unwrap(), UserOutcome::Created { .. }));
    Actor { user_id, role }
}

/// Apply `command` to a case at its current version.
async fn act(store: &Store, case_id: Uuid, actor: Actor, command: CaseCommand) {
    let version = store.case_detail(case_id).await.unwrap().unwrap().summary.version;
    let action = CaseAction { case_id, expected_version: version, actor, command, at: NOW };
    let outcome = store.apply_to_case(action).await.unwrap();
    assert!(matches!(outcome, ActionOutcome::Applied { .. }), "{outcome:?}");
}

pub async fn search_finds_references_phones_passports_and_names(store: &Store) {
    let a = stored(
        store,
        command(
            ReportInput {
                people: vec![person("أحمد عثمان بابكر", Some("+249912345678"), Some("P01234567"))],
                reporter: Some(ReporterInput {
                    name: Some("Huda Osman".into()),
                    phone: Some("+201001234567".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            NOW - 30 * MINUTE,
        ),
    )
    .await;
    let b = stored(
        store,
        command(
            ReportInput { people: vec![person("Mohamed Ali", None, None)], ..Default::default() },
            NOW - 20 * MINUTE,
        ),
    )
    .await;
    let c = stored(
        store,
        command(
            ReportInput { people: vec![person("Ahmed Hassan", None, None)], ..Default::default() },
            NOW - 10 * MINUTE,
        ),
    )
    .await;
    let (a, b, c) = (a.event, b.event.case_id, c.event.case_id);
    let reference = a.reference.as_str().replace('-', "").to_lowercase();
    assert_eq!(search(store, &reference).await, [(a.case_id, Some(SearchMatch::Reference))]);
    assert_eq!(
        search(store, &format!(" {} ", a.reference.as_str())).await,
        [(a.case_id, Some(SearchMatch::Reference))]
    );
    for phone in ["0912345678", "912345678", "+249 912 345 678", "00249912345678", "٠٩١٢٣٤٥٦٧٨", "01001234567"]
    {
        assert_eq!(search(store, phone).await, [(a.case_id, Some(SearchMatch::Phone))], "{phone}");
    }
    assert_eq!(search(store, "p0123-4567").await, [(a.case_id, Some(SearchMatch::Passport))]);
    // The Latin spelling finds the Arabic one (the same common name: as good as exact), newest
    // first among equals.
    assert_eq!(
        search(store, "ahmed").await,
        [(c, Some(SearchMatch::NameExact)), (a.case_id, Some(SearchMatch::NameExact))]
    );
    assert_eq!(
        search(store, "أحمد").await,
        [(c, Some(SearchMatch::NameExact)), (a.case_id, Some(SearchMatch::NameExact))]
    );
    // A spelling the dictionary does not know meets by its skeleton, after whole matches.
    assert_eq!(search(store, "Bobaker").await, [(a.case_id, Some(SearchMatch::NameSimilar { loose_words: 1 }))]);
    assert_eq!(search(store, "Moh").await, [(b, Some(SearchMatch::NameSimilar { loose_words: 1 }))], "a prefix");
    assert_eq!(search(store, "Ahmed Osman").await, [(a.case_id, Some(SearchMatch::NameExact))], "every word");
    assert_eq!(
        search(store, "Ahmed Osman Bobaker").await,
        [(a.case_id, Some(SearchMatch::NameSimilar { loose_words: 1 }))]
    );
    assert!(search(store, "Ahmed Zeinab").await.is_empty(), "every word must match");
    assert_eq!(search(store, "huda").await, [(a.case_id, Some(SearchMatch::NameExact))], "the reporter too");
    assert!(search(store, "Zeinab").await.is_empty());
    assert!(search(store, "0999999999").await.is_empty());
}

pub async fn filters_by_assignee_and_sla(store: &Store) {
    let supervisor = user(store, "sam", Role::Supervisor).await;
    let policy = store.sla_policy();
    let critical = || ReportInput {
        people: vec![person("Amna Idris", None, None)],
        needs: vec![Need::Medical],
        flags: vec![Flag::Injured, Flag::UnaccompaniedMinors],
        ..Default::default()
    };
    let minutes = |level| i64::from(policy.minutes(level));
    // Red: reported longer ago than its clock. Green: just now. Met: reached.
    let red = stored(
        store,
        command(critical(), NOW - 2 * minutes(opsroom_domain::priority::PriorityLevel::Critical) * MINUTE),
    )
    .await;
    let red_level = red.event.priority.level;
    let green = stored(store, command(critical(), NOW - MINUTE)).await;
    let met = stored(store, command(critical(), NOW - 5 * MINUTE)).await;
    let amber_at = NOW - (minutes(red_level) * MINUTE * 3) / 4;
    let amber = stored(store, command(critical(), amber_at)).await;
    let reached = CaseCommand::RecordContact {
        contact_id: Uuid::now_v7(),
        channel: ContactChannel::Phone,
        outcome: ContactOutcome::Reached,
        note: None,
    };
    act(store, met.event.case_id, supervisor, reached).await;
    act(store, green.event.case_id, supervisor, CaseCommand::Assign { to: Some(supervisor.user_id) }).await;
    let ids = |page: Vec<CaseSummary>| page.into_iter().map(|c| c.case_id).collect::<HashSet<_>>();
    let list = async |filter: CaseFilter| {
        let page = store.list_cases(&CaseFilter { now_ms: NOW, limit: ALL, ..filter }).await.unwrap();
        assert_eq!(page.total, page.cases.len() as u64);
        ids(page.cases)
    };
    let only = |c: &ReportCase| HashSet::from([c.event.case_id]);
    assert_eq!(list(CaseFilter { sla: Some(SlaFilter::Red), ..Default::default() }).await, only(&red));
    assert_eq!(list(CaseFilter { sla: Some(SlaFilter::Amber), ..Default::default() }).await, only(&amber));
    assert_eq!(list(CaseFilter { sla: Some(SlaFilter::Green), ..Default::default() }).await, only(&green));
    assert_eq!(list(CaseFilter { sla: Some(SlaFilter::Met), ..Default::default() }).await, only(&met));
    let mine = CaseFilter { assignee: Some(AssigneeFilter::User(supervisor.user_id)), ..Default::default() };
    assert_eq!(list(mine).await, only(&green));
    let nobodys = list(CaseFilter { assignee: Some(AssigneeFilter::Unassigned), ..Default::default() }).await;
    assert_eq!(nobodys.len(), 3);
    assert!(!nobodys.contains(&green.event.case_id));
    let counts = store.case_counts(&CaseFilter { now_ms: NOW, ..Default::default() }).await.unwrap();
    assert_eq!(counts.overdue, 1, "the red case");
    // The assignee's name comes with the list.
    let page = store
        .list_cases(&CaseFilter {
            assignee: Some(AssigneeFilter::User(supervisor.user_id)),
            now_ms: NOW,
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.cases[0].assignee_name.as_deref(), Some("sam"));
    assert_eq!(page.cases[0].lead_name.as_deref(), Some("Amna Idris"));
}

/// Every sort's order as the store promises it, from the cases it returns.
fn in_order(sort: CaseSort, a: &CaseSummary, b: &CaseSummary) -> bool {
    let key = |c: &CaseSummary| match sort {
        CaseSort::Newest | CaseSort::Relevance => (-(c.created_seq as i64), 0),
        CaseSort::Urgency => (c.urgency, c.created_seq as i64),
        CaseSort::Waiting => (c.reported_at, c.created_seq as i64),
        CaseSort::SlaDue => (c.sla_due_at.unwrap_or(i64::MAX), c.created_seq as i64),
        CaseSort::Score => (-i64::from(c.priority_score), -(c.created_seq as i64)),
        CaseSort::Updated => (-(c.updated_seq as i64), -(c.created_seq as i64)),
    };
    key(a) < key(b)
}

pub async fn keyset_pages_visit_every_case_once_in_every_sort(store: &Store) {
    let supervisor = user(store, "pat", Role::Supervisor).await;
    let needs = [vec![Need::Food], vec![Need::Medical], vec![Need::Water, Need::Evacuation], vec![]];
    let mut everyone = Vec::new();
    for i in 0..24i64 {
        let input = ReportInput {
            people: vec![person(&format!("Person {}", i % 5), None, None)],
            needs: needs[(i % 4) as usize].clone(),
            flags: if i % 3 == 0 { vec![Flag::Elderly] } else { vec![] },
            ..Default::default()
        };
        // Reported out of creation order, and some at the same moment.
        everyone.push(stored(store, command(input, NOW - ((i * 37) % 11) * 20 * MINUTE)).await.event.case_id);
    }
    for (i, case_id) in everyone.iter().enumerate().take(8) {
        let command = match i % 3 {
            0 => CaseCommand::ChangeStatus { to: CaseStatus::Triaged, reason: None, duplicate_of: None },
            1 => CaseCommand::Assign { to: Some(supervisor.user_id) },
            _ => CaseCommand::RecordContact {
                contact_id: Uuid::now_v7(),
                channel: ContactChannel::Phone,
                outcome: ContactOutcome::Reached,
                note: None,
            },
        };
        act(store, *case_id, supervisor, command).await;
    }
    for sort in CaseSort::ALL {
        for status in [None, Some(CaseStatus::New)] {
            for limit in [1, 5, 7] {
                let filter = CaseFilter { status, sort, now_ms: NOW, limit, ..Default::default() };
                let mut seen: Vec<CaseSummary> = Vec::new();
                let mut cursor = None;
                let mut arrived = Vec::new();
                loop {
                    let page = store.list_cases(&CaseFilter { cursor, ..filter.clone() }).await.unwrap();
                    assert!(page.cases.len() <= limit as usize);
                    seen.extend(page.cases);
                    // Cases arrive while the pages are read.
                    if arrived.len() < 2 {
                        let input =
                            ReportInput { people: vec![person("Late Comer", None, None)], ..Default::default() };
                        arrived.push(stored(store, command(input, NOW - 7 * MINUTE)).await.event.case_id);
                    }
                    let Some(next) = page.next_cursor else { break };
                    cursor = Some(next);
                }
                let ids: Vec<Uuid> = seen.iter().map(|c| c.case_id).collect();
                let unique: HashSet<Uuid> = ids.iter().copied().collect();
                assert_eq!(unique.len(), ids.len(), "{sort:?}/{status:?}/{limit}: no case twice");
                let expected: HashSet<Uuid> = everyone
                    .iter()
                    .copied()
                    .filter(|id| status.is_none() || !everyone[..8].iter().step_by(3).any(|t| t == id))
                    .collect();
                assert!(
                    expected.is_subset(&unique),
                    "{sort:?}/{status:?}/{limit}: every case that was there is visited"
                );
                // Cases that arrive behind the cursor are not visited, those ahead of it are, in
                // their place: the whole walk is in the sort's order.
                assert!(
                    seen.windows(2).all(|w| in_order(sort, &w[0], &w[1])),
                    "{sort:?}/{status:?}/{limit}: in the sort's order"
                );
                everyone.extend(arrived);
            }
        }
    }
}

pub async fn counts_equal_the_rows(store: &Store) {
    let supervisor = user(store, "kim", Role::Supervisor).await;
    let mut ids = Vec::new();
    for i in 0..12i64 {
        let input = ReportInput {
            people: vec![person("Sara Musa", None, None)],
            needs: match i % 3 {
                0 => vec![Need::Medical, Need::Water],
                1 => vec![Need::Medical],
                _ => vec![Need::Food],
            },
            flags: if i % 4 == 0 { vec![Flag::Injured, Flag::UnaccompaniedMinors] } else { vec![] },
            ..Default::default()
        };
        ids.push(stored(store, command(input, NOW - i * 30 * MINUTE)).await.event.case_id);
    }
    for (i, to) in [CaseStatus::Triaged, CaseStatus::InProgress, CaseStatus::Closed].into_iter().enumerate() {
        act(store, ids[i], supervisor, CaseCommand::ChangeStatus { to, reason: None, duplicate_of: None }).await;
    }
    // Moves between the tally's rows (migration 0011): assigned, then unassigned again; a
    // contact stops the clock; an override changes the priority.
    act(store, ids[4], supervisor, CaseCommand::Assign { to: Some(supervisor.user_id) }).await;
    act(store, ids[5], supervisor, CaseCommand::Assign { to: Some(supervisor.user_id) }).await;
    act(store, ids[5], supervisor, CaseCommand::Assign { to: None }).await;
    let reached = |contact_id| CaseCommand::RecordContact {
        contact_id,
        channel: ContactChannel::Phone,
        outcome: ContactOutcome::Reached,
        note: None,
    };
    act(store, ids[6], supervisor, reached(Uuid::now_v7())).await;
    act(
        store,
        ids[7],
        supervisor,
        CaseCommand::OverridePriority {
            level: opsroom_domain::priority::PriorityLevel::Low,
            reason: "checked by phone".into(),
        },
    )
    .await;
    let mine = AssigneeFilter::User(supervisor.user_id);
    for filter in [
        CaseFilter::default(),
        CaseFilter { need: Some(Need::Medical), ..Default::default() },
        CaseFilter { need: Some(Need::Water), assignee: Some(AssigneeFilter::Unassigned), ..Default::default() },
        CaseFilter { flag: Some(Flag::UnaccompaniedMinors), ..Default::default() },
        CaseFilter { need: Some(Need::Medical), flag: Some(Flag::Injured), ..Default::default() },
        CaseFilter { priority: Some(opsroom_domain::priority::PriorityLevel::Low), ..Default::default() },
        CaseFilter { channel: Some(Channel::Web), ..Default::default() },
        CaseFilter { channel: Some(Channel::Hotline), ..Default::default() },
        CaseFilter { assignee: Some(AssigneeFilter::Unassigned), ..Default::default() },
        CaseFilter { assignee: Some(mine), ..Default::default() },
        CaseFilter { q: Some("sara".into()), ..Default::default() },
        CaseFilter { sla: Some(SlaFilter::Red), ..Default::default() },
        CaseFilter { sla: Some(SlaFilter::Red), need: Some(Need::Food), ..Default::default() },
        CaseFilter { sla: Some(SlaFilter::Green), ..Default::default() },
        CaseFilter { sla: Some(SlaFilter::Met), ..Default::default() },
    ] {
        let filter = CaseFilter { now_ms: NOW, limit: ALL, ..filter };
        let counts = store.case_counts(&filter).await.unwrap();
        let rows = store.list_cases(&filter).await.unwrap().cases;
        for (status, count) in &counts.by_status {
            let listed = store.list_cases(&CaseFilter { status: Some(*status), ..filter.clone() }).await.unwrap();
            assert_eq!(listed.total, *count, "{status:?} for {filter:?}");
            assert_eq!(rows.iter().filter(|c| c.status == *status).count() as u64, *count);
        }
        let overdue = rows.iter().filter(|c| c.sla_due_at.is_some_and(|due| due <= NOW)).count() as u64;
        assert_eq!(counts.overdue, overdue);
        let unassigned_critical = rows
            .iter()
            .filter(|c| {
                c.priority == opsroom_domain::priority::PriorityLevel::Critical
                    && c.assigned_to.is_none()
                    && !opsroom_domain::workflow::is_finished(c.status)
            })
            .count() as u64;
        assert_eq!(counts.unassigned_critical, unassigned_critical);
    }
    let all = store.case_counts(&CaseFilter { now_ms: NOW, ..Default::default() }).await.unwrap();
    assert_eq!(all.by_status.iter().map(|(_, n)| n).sum::<u64>(), 12);
    assert!(all.overdue > 0 && all.unassigned_critical > 0, "the check above compared something: {all:?}");
    let not_yet = store
        .case_counts(&CaseFilter { now_ms: NOW, sla: Some(SlaFilter::Green), ..Default::default() })
        .await
        .unwrap();
    assert!(
        not_yet.by_status.iter().any(|(_, n)| *n > 0),
        "some cases are due after NOW, so the red count subtracts something: {not_yet:?}"
    );
}

/// A batch that fails after the terms were written leaves none of them.
pub async fn a_failed_report_leaves_no_terms(store: &Store) {
    let mut doomed =
        command(ReportInput { people: vec![person("Zuhal Elmubarak", None, None)], ..Default::default() }, NOW);
    // Taken by nobody: the report row's reference to the user fails, after the terms.
    doomed.event.taken_by = Some(Uuid::now_v7());
    assert!(store.report_case(doomed).await.is_err());
    assert!(search(store, "Zuhal").await.is_empty());
    stored(
        store,
        command(ReportInput { people: vec![person("Zuhal Elmubarak", None, None)], ..Default::default() }, NOW),
    )
    .await;
    assert_eq!(search(store, "Zuhal").await.len(), 1, "the same name written for real is found");
}

/// Open a store on a fresh database of `backend`; `None` when PostgreSQL is not configured.
async fn fresh(backend: &str) -> Option<(TestDatabase, Store)> {
    let database = match backend {
        "sqlite" => TestDatabase::sqlite(),
        _ => TestDatabase::postgres().await?,
    };
    let store = Store::open(&database.url, options(None)).await.expect("open a fresh store");
    Some((database, store))
}

fn options(sla: Option<SlaPolicy>) -> StoreOptions {
    StoreOptions { read_connections: 2, sla, ..StoreOptions::default() }
}

async fn run_check<F: std::future::Future<Output = ()>>(backend: &str, check: impl FnOnce(Store) -> F) {
    let Some((database, store)) = fresh(backend).await else { return };
    check(store.clone()).await;
    store.close(Duration::from_secs(5)).await;
    database.remove().await;
}

/// A database as a release before migration 0008 left it: the first seven migrations and a
/// case written as that release wrote them; then the store opens it.
async fn backfill_check(backend: &str) {
    let database = match backend {
        "sqlite" => TestDatabase::sqlite(),
        _ => match TestDatabase::postgres().await {
            Some(database) => database,
            None => return,
        },
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(backend);
    let old = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if name.as_str() < "0008" {
            std::fs::copy(entry.path(), old.path().join(name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(old.path()).await.unwrap();
    let case_id = Uuid::now_v7().to_string();
    let person_id = Uuid::now_v7().to_string();
    let rows = [
        format!("insert into event (seq, kind, case_id, recorded_at, data) values (1, 'case_reported', '{case_id}', {NOW}, '{{}}')"),
        format!(
            "insert into case_file (case_id, reference, tracking_token_hash, status, priority_level, priority_score,
                 priority_reasons, needs, flags, channel, language, people_count, reported_at, created_seq, updated_seq, version)
             values ('{case_id}', 'K7QM-2XPD', 'hash', 'new', 'high', 50, '[]', 0, 0, 'web', 'ar', 1, {NOW}, 1, 1, 1)"
        ),
        format!("insert into person (person_id, name, created_seq) values ('{person_id}', 'فاطمة حامد', 1)"),
        format!("insert into case_person (case_id, person_id, role, position) values ('{case_id}', '{person_id}', 'subject', 0)"),
        "update log_head set seq = 1".to_owned(),
    ];
    if backend == "sqlite" {
        use sqlx::ConnectOptions;
        let mut conn = database
            .url
            .parse::<sqlx::sqlite::SqliteConnectOptions>()
            .unwrap()
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        migrator.run_direct(&mut conn).await.unwrap();
        for sql in &rows {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
    } else {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&database.url).await.unwrap();
        migrator.run_direct(&mut conn).await.unwrap();
        for sql in &rows {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
    }

    let store = Store::open(&database.url, options(None)).await.expect("open the old database");
    let policy = store.sla_policy();
    assert_eq!(policy, SlaPolicy::default(), "a database that never had a policy follows the default");
    let found = search(&store, "Fatima Hamid").await;
    assert_eq!(found.len(), 1, "the backfill filed the old case's names");
    let case = store.case_detail(Uuid::parse_str(&case_id).unwrap()).await.unwrap().unwrap().summary;
    let due = NOW + i64::from(policy.high_minutes) * MINUTE;
    assert_eq!(case.sla_due_at, Some(due));
    assert!(case.urgency < i64::MAX, "the backfill set the urgency");
    store.close(Duration::from_secs(5)).await;

    // Another policy: the due time follows it; opening again without one keeps it.
    let longer = SlaPolicy { high_minutes: policy.high_minutes * 2, ..policy };
    for (wanted, expected) in [(Some(longer), longer), (None, longer), (Some(policy), policy)] {
        let store = Store::open(&database.url, options(wanted)).await.unwrap();
        assert_eq!(store.sla_policy(), expected);
        let case = store.case_detail(Uuid::parse_str(&case_id).unwrap()).await.unwrap().unwrap().summary;
        assert_eq!(case.sla_due_at, Some(NOW + i64::from(expected.high_minutes) * MINUTE));
        assert_eq!(search(&store, "فاطمة").await.len(), 1, "terms are filed once, whatever the reopenings");
        store.close(Duration::from_secs(5)).await;
    }
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
            async fn a_database_from_before_0008_is_backfilled() {
                super::backfill_check("sqlite").await;
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
            async fn a_database_from_before_0008_is_backfilled() {
                super::backfill_check("postgres").await;
            }
        }
    };
}

on_both_backends!(
    search_finds_references_phones_passports_and_names,
    filters_by_assignee_and_sla,
    keyset_pages_visit_every_case_once_in_every_sort,
    counts_equal_the_rows,
    a_failed_report_leaves_no_terms,
);
