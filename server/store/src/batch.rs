//! Planning one group commit, independent of the backend.
//!
//! Given the report commands waiting in the queue, what the database already holds for their
//! idempotency keys and references, and the next free log position, decide each command's
//! outcome and produce the rows every table receives. Backends then write each table's rows with
//! one set-based statement, so a batch of a thousand reports costs a handful of statements.
//!
//! Must not touch the database itself: that keeps the rules (one case per key, no reference
//! twice, positions gap-free and in queue order) testable without one.

use opsroom_domain::evacuation::allocation::AgeMarks;
use std::collections::{HashMap, HashSet};

use opsroom_domain::event::CaseReported;
use opsroom_domain::urgency::UrgencyFacts;
use opsroom_domain::workflow::SlaPolicy;

use crate::masks::{flags_mask, needs_mask};
use crate::model::{ReportCase, ReportOutcome};

/// `Event::CaseReported(..).kind()`, without building the event to ask.
const CASE_REPORTED: &str = "case_reported";

/// What the database already holds for one idempotency key.
#[derive(Debug, Clone)]
pub struct KnownKey {
    pub request_hash: String,
    pub case_id: uuid::Uuid,
    pub token_sealed: String,
}

#[derive(Debug)]
pub struct EventRow {
    pub seq: u64,
    pub kind: &'static str,
    pub case_id: Option<String>,
    pub recorded_at: i64,
    /// The event's data as JSON (see `Event::data_json`).
    pub data: String,
}

#[derive(Debug)]
pub struct CaseRow<'a> {
    pub case_id: String,
    pub reference: &'a str,
    pub tracking_token_hash: &'a str,
    pub status: &'static str,
    pub priority_level: &'static str,
    pub priority_score: u32,
    pub priority_reasons: String,
    pub needs: i64,
    pub flags: i64,
    pub channel: &'static str,
    pub language: &'static str,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub place: Option<&'a str>,
    pub cell: Option<i64>,
    pub message: Option<&'a str>,
    pub people_count: usize,
    pub reported_at: i64,
    pub seq: u64,
    /// The danger zone the report arrived in.
    pub danger_zone: Option<String>,
    pub crisis_id: Option<String>,
    /// `evacuation::allocation::AgeMarks` of its people, as stored.
    pub age_marks: i64,
    /// When first contact is due (`opsroom_domain::urgency`).
    pub sla_due_at: Option<i64>,
    /// `opsroom_domain::urgency::urgency_key`.
    pub urgency: i64,
}

#[derive(Debug)]
pub struct PersonInsert<'a> {
    pub person_id: String,
    pub case_id: String,
    pub role: &'static str,
    pub relation: Option<&'static str>,
    /// Order within the report (subjects first as listed, then the reporter).
    pub position: usize,
    pub name: Option<&'a str>,
    pub age: Option<u8>,
    pub sex: Option<&'static str>,
    pub passport: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub seq: u64,
}

#[derive(Debug)]
pub struct ReportInsert<'a> {
    pub report_id: String,
    pub taken_by: Option<String>,
    pub case_id: String,
    pub seq: u64,
    pub channel: &'static str,
    pub language: &'static str,
    pub reporter_person_id: Option<String>,
    pub reporter_place: Option<&'a str>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub place: Option<&'a str>,
    pub cell: Option<i64>,
    pub needs: i64,
    pub flags: i64,
    pub message: Option<&'a str>,
    pub received_at: i64,
}

#[derive(Debug)]
pub struct IdempotencyInsert<'a> {
    pub key_hash: &'a str,
    pub request_hash: &'a str,
    pub case_id: String,
    pub token_sealed: &'a str,
    pub created_at: i64,
}

/// The rows of one batch, table by table, and each command's outcome in queue order.
#[derive(Debug, Default)]
pub struct ReportBatch<'a> {
    pub outcomes: Vec<ReportOutcome>,
    pub events: Vec<EventRow>,
    pub cases: Vec<CaseRow<'a>>,
    pub persons: Vec<PersonInsert<'a>>,
    pub reports: Vec<ReportInsert<'a>>,
    pub idempotency: Vec<IdempotencyInsert<'a>>,
    /// The search terms of the cases' people's names.
    pub terms: Vec<crate::search::TermRow>,
    /// Position of the last event in the batch, if it has any.
    pub last_seq: Option<u64>,
}

fn relation_name(relation: opsroom_domain::report::Relation) -> &'static str {
    use opsroom_domain::report::Relation::*;
    match relation {
        Myself => "self",
        Parent => "parent",
        Child => "child",
        Spouse => "spouse",
        Sibling => "sibling",
        Guardian => "guardian",
        Relative => "relative",
        Friend => "friend",
        Other => "other",
    }
}

fn sex_name(sex: opsroom_domain::report::Sex) -> &'static str {
    use opsroom_domain::report::Sex::*;
    match sex {
        Female => "female",
        Male => "male",
        Unknown => "unknown",
    }
}

/// Plan a batch. `known_keys` and `taken_references` are what the database already holds;
/// `policy` sets each case's first-contact due time and urgency.
pub fn plan_reports<'a>(
    commands: &[&'a ReportCase],
    known_keys: &HashMap<String, KnownKey>,
    taken_references: &HashSet<String>,
    first_seq: u64,
    policy: &SlaPolicy,
) -> ReportBatch<'a> {
    let mut batch = ReportBatch::default();
    let mut keys_in_batch: HashMap<&str, KnownKey> = HashMap::new();
    let mut references_in_batch: HashSet<&str> = HashSet::new();
    let mut next_seq = first_seq;

    for &command in commands {
        if let Some(claim) = &command.idempotency {
            let earlier = known_keys.get(&claim.key_hash).or_else(|| keys_in_batch.get(claim.key_hash.as_str()));
            if let Some(earlier) = earlier {
                batch.outcomes.push(if earlier.request_hash == claim.request_hash {
                    ReportOutcome::Replayed { case_id: earlier.case_id, token_sealed: earlier.token_sealed.clone() }
                } else {
                    ReportOutcome::KeyReused
                });
                continue;
            }
        }
        let c: &CaseReported = &command.event;
        let reference = c.reference.as_str();
        if taken_references.contains(reference) || !references_in_batch.insert(reference) {
            batch.outcomes.push(ReportOutcome::ReferenceTaken);
            continue;
        }

        let seq = next_seq;
        next_seq += 1;
        let case_id = c.case_id.to_string();
        let needs = needs_mask(&c.needs);
        let flags = flags_mask(&c.flags);
        let coordinates = c.location.coordinates;
        let cell = c.cell.map(|cell| cell.to_u64() as i64);
        let place = c.location.place.as_ref().map(|p| p.as_str());
        let message = c.message.as_ref().map(|m| m.as_str());
        let (sla_due_at, urgency) = crate::search::new_case_urgency(
            policy,
            &UrgencyFacts {
                status: c.status,
                priority: c.priority.level,
                score: c.priority.score,
                reported_at: c.reported_at,
                first_contact_at: None,
                escalated_at: None,
            },
        );

        batch.events.push(EventRow {
            seq,
            kind: CASE_REPORTED,
            case_id: Some(case_id.clone()),
            recorded_at: c.reported_at.millis(),
            data: serde_json::to_string(c).expect("events serialize"),
        });
        batch.cases.push(CaseRow {
            case_id: case_id.clone(),
            reference,
            tracking_token_hash: &command.tracking_token_hash,
            status: c.status.as_str(),
            priority_level: c.priority.level.as_str(),
            priority_score: c.priority.score,
            priority_reasons: serde_json::to_string(&c.priority.reasons).expect("reasons serialize"),
            needs,
            flags,
            channel: c.channel.as_str(),
            language: c.language.as_str(),
            lat: coordinates.map(|x| x.lat()),
            lon: coordinates.map(|x| x.lon()),
            accuracy_m: c.location.accuracy_m,
            place,
            cell,
            message,
            people_count: c.people.len(),
            reported_at: c.reported_at.millis(),
            seq,
            danger_zone: c.danger_zone.map(|zone| zone.to_string()),
            crisis_id: c.crisis_id.map(|crisis| crisis.to_string()),
            age_marks: AgeMarks::of(&c.people.iter().filter_map(|p| p.details.age).collect::<Vec<_>>()).bits(),
            sla_due_at,
            urgency,
        });
        for (position, person) in c.people.iter().enumerate() {
            let d = &person.details;
            batch.persons.push(PersonInsert {
                person_id: person.person_id.to_string(),
                case_id: case_id.clone(),
                role: "subject",
                relation: None,
                position,
                name: d.name.as_ref().map(|n| n.as_str()),
                age: d.age,
                sex: d.sex.map(sex_name),
                passport: d.passport.as_ref().map(|p| p.as_str()),
                phone: d.phone.as_ref().map(|p| p.as_str()),
                seq,
            });
        }
        if let Some(reporter) = &c.reporter {
            let d = &reporter.details;
            batch.persons.push(PersonInsert {
                person_id: reporter.person_id.to_string(),
                case_id: case_id.clone(),
                role: "reporter",
                relation: d.relation.map(relation_name),
                position: c.people.len(),
                name: d.name.as_ref().map(|n| n.as_str()),
                age: None,
                sex: None,
                passport: None,
                phone: d.phone.as_ref().map(|p| p.as_str()),
                seq,
            });
        }
        batch.reports.push(ReportInsert {
            report_id: c.report_id.to_string(),
            taken_by: c.taken_by.map(|u| u.to_string()),
            case_id: case_id.clone(),
            seq,
            channel: c.channel.as_str(),
            language: c.language.as_str(),
            reporter_person_id: c.reporter.as_ref().map(|r| r.person_id.to_string()),
            reporter_place: c.reporter.as_ref().and_then(|r| r.details.place.as_ref()).map(|p| p.as_str()),
            lat: coordinates.map(|x| x.lat()),
            lon: coordinates.map(|x| x.lon()),
            accuracy_m: c.location.accuracy_m,
            place,
            cell,
            needs,
            flags,
            message,
            received_at: c.reported_at.millis(),
        });
        if let Some(claim) = &command.idempotency {
            batch.idempotency.push(IdempotencyInsert {
                key_hash: &claim.key_hash,
                request_hash: &claim.request_hash,
                case_id: case_id.clone(),
                token_sealed: &claim.token_sealed,
                created_at: c.reported_at.millis(),
            });
            keys_in_batch.insert(
                &claim.key_hash,
                KnownKey {
                    request_hash: claim.request_hash.clone(),
                    case_id: c.case_id,
                    token_sealed: claim.token_sealed.clone(),
                },
            );
        }
        batch.outcomes.push(ReportOutcome::Created { seq });
        batch.last_seq = Some(seq);
    }
    batch.terms = crate::search::terms_of(batch.persons.iter().filter_map(|p| Some((p.case_id.as_str(), p.name?))));
    batch
}

#[cfg(test)]
mod tests {
    use opsroom_domain::case::{NewCaseIds, report_case};
    use opsroom_domain::clock::Timestamp;
    use opsroom_domain::need::{Flag, Need};
    use opsroom_domain::reference::Reference;
    use opsroom_domain::report::{Channel, NewReport, PersonInput, ReportInput, ReporterInput};
    use uuid::Uuid;

    use super::*;
    use crate::model::IdempotencyClaim;

    /// A valid report command with ids derived from `n`, so every plan is deterministic.
    fn command(n: u128, reference: u64, key: Option<(&str, &str)>) -> ReportCase {
        let input = ReportInput {
            people: vec![PersonInput { name: Some(format!("Person {n}")), ..Default::default() }],
            reporter: Some(ReporterInput { name: Some("Reporter".into()), ..Default::default() }),
            needs: vec![Need::Water, Need::Medical],
            flags: vec![Flag::Elderly],
            ..Default::default()
        };
        let report = NewReport::parse(&input, Channel::Web, &crate::testing::PHONE_REGIONS).unwrap();
        let ids = NewCaseIds {
            case_id: Uuid::from_u128(n * 10 + 1),
            report_id: Uuid::from_u128(n * 10 + 2),
            reference: Reference::from_random(reference),
            person_ids: vec![Uuid::from_u128(n * 10 + 3)],
            reporter_person_id: Uuid::from_u128(n * 10 + 4),
        };
        ReportCase {
            event: report_case(report, ids, Timestamp(1_000 + n as i64)),
            tracking_token_hash: format!("token-{n}"),
            idempotency: key.map(|(key_hash, request_hash)| IdempotencyClaim {
                key_hash: key_hash.into(),
                request_hash: request_hash.into(),
                token_sealed: format!("sealed-{n}"),
            }),
        }
    }

    fn plan<'a>(commands: &[&'a ReportCase], first_seq: u64) -> ReportBatch<'a> {
        plan_reports(commands, &HashMap::new(), &HashSet::new(), first_seq, &SlaPolicy::default())
    }

    fn created_case_ids(batch: &ReportBatch<'_>) -> Vec<String> {
        batch.cases.iter().map(|c| c.case_id.clone()).collect()
    }

    #[test]
    fn positions_are_consecutive_from_first_seq_in_queue_order() {
        let commands: Vec<ReportCase> = (1..=4).map(|n| command(n, n as u64, None)).collect();
        let refs: Vec<&ReportCase> = commands.iter().collect();
        let batch = plan(&refs, 41);
        assert_eq!(
            batch.outcomes,
            (41..=44).map(|seq| ReportOutcome::Created { seq }).collect::<Vec<_>>(),
            "one Created per command, at consecutive positions in queue order"
        );
        assert_eq!(batch.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [41, 42, 43, 44]);
        assert_eq!(batch.last_seq, Some(44));
        let ids: Vec<String> = commands.iter().map(|c| c.event.case_id.to_string()).collect();
        assert_eq!(batch.events.iter().map(|e| e.case_id.clone().unwrap()).collect::<Vec<_>>(), ids);
        assert_eq!(created_case_ids(&batch), ids);
        assert_eq!(batch.cases.iter().map(|c| c.seq).collect::<Vec<_>>(), [41, 42, 43, 44]);
        assert_eq!(batch.reports.iter().map(|r| r.seq).collect::<Vec<_>>(), [41, 42, 43, 44]);
        // One subject and one reporter per case, at the case's position.
        assert_eq!(batch.persons.len(), 8);
        assert_eq!(batch.persons.iter().filter(|p| p.role == "reporter").count(), 4);
        for p in &batch.persons {
            let case = batch.cases.iter().find(|c| c.case_id == p.case_id).unwrap();
            assert_eq!(p.seq, case.seq);
        }
        assert!(batch.idempotency.is_empty());
        assert!(batch.events.iter().all(|e| e.kind == "case_reported"));
    }

    #[test]
    fn only_created_commands_take_positions() {
        let taken = command(1, 7, None);
        let fresh = command(2, 8, None);
        let known = command(3, 9, Some(("k-known", "r")));
        let reused = command(4, 10, Some(("k-known", "other body")));
        let last = command(5, 11, None);
        let known_keys = HashMap::from([(
            "k-known".to_owned(),
            KnownKey { request_hash: "r".into(), case_id: Uuid::from_u128(999), token_sealed: "sealed-old".into() },
        )]);
        let taken_references = HashSet::from([Reference::from_random(7).as_str().to_owned()]);
        let batch = plan_reports(
            &[&taken, &fresh, &known, &reused, &last],
            &known_keys,
            &taken_references,
            10,
            &SlaPolicy::default(),
        );
        assert_eq!(
            batch.outcomes,
            [
                ReportOutcome::ReferenceTaken,
                ReportOutcome::Created { seq: 10 },
                ReportOutcome::Replayed { case_id: Uuid::from_u128(999), token_sealed: "sealed-old".into() },
                ReportOutcome::KeyReused,
                ReportOutcome::Created { seq: 11 },
            ]
        );
        assert_eq!(batch.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [10, 11]);
        assert_eq!(created_case_ids(&batch), [fresh.event.case_id.to_string(), last.event.case_id.to_string()]);
        assert_eq!(batch.reports.len(), 2);
        assert_eq!(batch.persons.len(), 4);
        assert!(batch.idempotency.is_empty(), "a known key is never claimed again");
        assert_eq!(batch.last_seq, Some(11));
    }

    #[test]
    fn a_batch_with_nothing_created_has_no_rows_and_no_last_seq() {
        let taken = command(1, 7, None);
        let taken_references = HashSet::from([Reference::from_random(7).as_str().to_owned()]);
        let batch = plan_reports(&[&taken], &HashMap::new(), &taken_references, 5, &SlaPolicy::default());
        assert_eq!(batch.outcomes, [ReportOutcome::ReferenceTaken]);
        assert!(batch.events.is_empty() && batch.cases.is_empty() && batch.persons.is_empty());
        assert!(batch.reports.is_empty() && batch.idempotency.is_empty());
        assert_eq!(batch.last_seq, None);
        assert!(plan(&[], 5).outcomes.is_empty());
        assert_eq!(plan(&[], 5).last_seq, None);
    }

    #[test]
    fn a_key_seen_earlier_in_the_batch_replays_or_is_refused() {
        let first = command(1, 1, Some(("k", "body")));
        let retry = command(2, 2, Some(("k", "body")));
        let other_body = command(3, 3, Some(("k", "another body")));
        let other_key = command(4, 4, Some(("k2", "body")));
        let batch = plan(&[&first, &retry, &other_body, &other_key], 1);
        assert_eq!(
            batch.outcomes,
            [
                ReportOutcome::Created { seq: 1 },
                ReportOutcome::Replayed { case_id: first.event.case_id, token_sealed: "sealed-1".into() },
                ReportOutcome::KeyReused,
                ReportOutcome::Created { seq: 2 },
            ]
        );
        assert_eq!(created_case_ids(&batch), [first.event.case_id.to_string(), other_key.event.case_id.to_string()]);
        let claims: Vec<(&str, &str, &str, &str)> = batch
            .idempotency
            .iter()
            .map(|i| (i.key_hash, i.request_hash, i.case_id.as_str(), i.token_sealed))
            .collect();
        let (first_id, other_id) = (first.event.case_id.to_string(), other_key.event.case_id.to_string());
        assert_eq!(
            claims,
            [("k", "body", first_id.as_str(), "sealed-1"), ("k2", "body", other_id.as_str(), "sealed-4")]
        );
        assert_eq!(batch.idempotency[0].created_at, first.event.reported_at.millis());
    }

    #[test]
    fn a_key_whose_first_use_lost_its_reference_is_free_for_the_next() {
        let loser = command(1, 7, Some(("k", "body")));
        let retry = command(2, 8, Some(("k", "body")));
        let taken_references = HashSet::from([Reference::from_random(7).as_str().to_owned()]);
        let batch = plan_reports(&[&loser, &retry], &HashMap::new(), &taken_references, 3, &SlaPolicy::default());
        assert_eq!(batch.outcomes, [ReportOutcome::ReferenceTaken, ReportOutcome::Created { seq: 3 }]);
        assert_eq!(batch.idempotency.len(), 1);
        assert_eq!(batch.idempotency[0].case_id, retry.event.case_id.to_string());
    }

    #[test]
    fn a_reference_twice_in_one_batch_is_taken_the_second_time() {
        let first = command(1, 77, None);
        let second = command(2, 77, None);
        let third = command(3, 78, None);
        let batch = plan(&[&first, &second, &third], 1);
        assert_eq!(
            batch.outcomes,
            [ReportOutcome::Created { seq: 1 }, ReportOutcome::ReferenceTaken, ReportOutcome::Created { seq: 2 }]
        );
        assert_eq!(created_case_ids(&batch), [first.event.case_id.to_string(), third.event.case_id.to_string()]);
        assert_eq!(
            batch.cases.iter().map(|c| c.reference).collect::<Vec<_>>(),
            [Reference::from_random(77).as_str(), Reference::from_random(78).as_str()]
        );
    }

    #[test]
    fn rows_carry_the_report() {
        let c = command(1, 1, Some(("k", "body")));
        let batch = plan(&[&c], 1);
        let case = &batch.cases[0];
        assert_eq!(case.tracking_token_hash, "token-1");
        assert_eq!((case.status, case.channel, case.language), ("new", "web", "ar"));
        assert_eq!(case.priority_level, c.event.priority.level.as_str());
        assert_eq!(case.priority_score, c.event.priority.score);
        assert_eq!(case.needs, needs_mask(&[Need::Medical, Need::Water]));
        assert_eq!(case.flags, flags_mask(&[Flag::Elderly]));
        assert_eq!(case.people_count, 1);
        assert_eq!(batch.persons.iter().map(|p| p.role).collect::<Vec<_>>(), ["subject", "reporter"]);
        assert_eq!(batch.reports[0].reporter_person_id, Some(Uuid::from_u128(14).to_string()));
        let data: CaseReported = serde_json::from_str(&batch.events[0].data).unwrap();
        assert_eq!(data, c.event, "the event row holds the event itself");
        assert_eq!(batch.events[0].recorded_at, c.event.reported_at.millis());
    }
}
