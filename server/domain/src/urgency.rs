//! "Worst first": the first-contact due time of a case and the urgency key the board sorts by.
//!
//! Owns the order the room works in: open cases nobody has reached yet come first, by when first
//! contact is due (in 5-minute buckets, so a case a minute later but far more severe is not
//! stuck behind a lighter one), then by priority score (vulnerabilities are part of it), then
//! by age; then open cases already reached (by score, then age); finished cases last. The key
//! is one integer so that the store keeps it in an index. Must not read a clock: the key does
//! not depend on the time, only the due time does the comparing (see [`is_overdue`]).

use crate::case::CaseStatus;
use crate::clock::Timestamp;
use crate::priority::PriorityLevel;
use crate::workflow::{SlaPolicy, is_finished};

/// Width of the due-time buckets.
pub const BUCKET_MS: i64 = 5 * 60_000;

/// What the urgency of a case depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrgencyFacts {
    pub status: CaseStatus,
    pub priority: PriorityLevel,
    pub score: u32,
    pub reported_at: Timestamp,
    pub first_contact_at: Option<Timestamp>,
    /// When the missed first contact was escalated, if it was.
    pub escalated_at: Option<Timestamp>,
}

/// Scores above this sort as this (no real score comes near it).
const MAX_SCORE: i64 = (1 << 12) - 1;
/// Classes, in the key's top bits: uncontacted open, contacted open, finished.
const CLASS_SHIFT: u32 = 60;
const BUCKET_SHIFT: u32 = 12;

/// When first contact is due: the policy's clock from the report for the case's priority while
/// it is open and nobody was reached; `None` otherwise. A case escalated for a missed contact
/// stays due at the escalation at the latest, even if its priority changed since (it is red
/// until someone is reached).
pub fn sla_due_at(policy: &SlaPolicy, facts: &UrgencyFacts) -> Option<Timestamp> {
    if facts.first_contact_at.is_some() || is_finished(facts.status) {
        return None;
    }
    let due = facts.reported_at.millis() + i64::from(policy.minutes(facts.priority)) * 60_000;
    Some(Timestamp::from_millis(match facts.escalated_at {
        Some(escalated) => due.min(escalated.millis()),
        None => due,
    }))
}

/// The bucket a due time falls in.
pub fn bucket(at: Timestamp) -> i64 {
    at.millis().div_euclid(BUCKET_MS)
}

/// Whether a case due at `due` counts as overdue at `now` for the order: its due time lies in an
/// earlier bucket than `now`.
pub fn is_overdue(due: Timestamp, now: Timestamp) -> bool {
    bucket(due) < bucket(now)
}

/// The urgency key: smaller is more urgent. Ties (same bucket and score) are broken by age by
/// the store (by the log position that opened the case).
pub fn urgency_key(policy: &SlaPolicy, facts: &UrgencyFacts) -> i64 {
    let severity = MAX_SCORE - i64::from(facts.score).min(MAX_SCORE);
    match sla_due_at(policy, facts) {
        // Buckets since the epoch fit in 48 bits for the next few million years.
        Some(due) => bucket(due).clamp(0, (1 << (CLASS_SHIFT - BUCKET_SHIFT)) - 1) << BUCKET_SHIFT | severity,
        None if !is_finished(facts.status) => 1 << CLASS_SHIFT | severity,
        None => 2 << CLASS_SHIFT,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MINUTE: i64 = 60_000;
    const T0: i64 = 1_700_000_000_000;

    fn open(priority: PriorityLevel, score: u32, reported_min: i64) -> UrgencyFacts {
        UrgencyFacts {
            status: CaseStatus::New,
            priority,
            score,
            reported_at: Timestamp(T0 + reported_min * MINUTE),
            first_contact_at: None,
            escalated_at: None,
        }
    }

    #[test]
    fn due_time_follows_the_policy_until_contact_or_finish() {
        let policy = SlaPolicy::default();
        let case = open(PriorityLevel::Critical, 90, 0);
        assert_eq!(sla_due_at(&policy, &case), Some(Timestamp(T0 + i64::from(policy.critical_minutes) * MINUTE)));
        let reached = UrgencyFacts { first_contact_at: Some(Timestamp(T0 + MINUTE)), ..case };
        assert_eq!(sla_due_at(&policy, &reached), None);
        let closed = UrgencyFacts { status: CaseStatus::Closed, ..case };
        assert_eq!(sla_due_at(&policy, &closed), None);
        // Escalated, then a supervisor lowered the priority: still due when it was escalated.
        let escalated =
            UrgencyFacts { priority: PriorityLevel::Low, escalated_at: Some(Timestamp(T0 + 20 * MINUTE)), ..case };
        assert_eq!(sla_due_at(&policy, &escalated), Some(Timestamp(T0 + 20 * MINUTE)));
    }

    #[test]
    fn uncontacted_then_contacted_then_finished() {
        let policy = SlaPolicy::default();
        let waiting = open(PriorityLevel::Low, 0, 0);
        let reached = UrgencyFacts { first_contact_at: Some(Timestamp(T0)), ..open(PriorityLevel::Critical, 999, 0) };
        let finished = UrgencyFacts { status: CaseStatus::Resolved, ..open(PriorityLevel::Critical, 999, 0) };
        assert!(urgency_key(&policy, &waiting) < urgency_key(&policy, &reached));
        assert!(urgency_key(&policy, &reached) < urgency_key(&policy, &finished));
    }

    #[test]
    fn in_one_bucket_the_higher_score_comes_first() {
        let policy = SlaPolicy::default();
        let light = open(PriorityLevel::High, 40, 0);
        let heavy = open(PriorityLevel::High, 70, 1);
        assert_eq!(bucket(sla_due_at(&policy, &light).unwrap()), bucket(sla_due_at(&policy, &heavy).unwrap()));
        assert!(urgency_key(&policy, &heavy) < urgency_key(&policy, &light));
        // A case due a bucket earlier comes first whatever its score.
        let earlier = open(PriorityLevel::High, 0, -10);
        assert!(urgency_key(&policy, &earlier) < urgency_key(&policy, &heavy));
    }

    fn level() -> impl Strategy<Value = PriorityLevel> {
        prop_oneof![
            Just(PriorityLevel::Critical),
            Just(PriorityLevel::High),
            Just(PriorityLevel::Normal),
            Just(PriorityLevel::Low)
        ]
    }

    proptest! {
        /// Every overdue case precedes every case not yet due, whatever their scores.
        #[test]
        fn every_overdue_case_precedes_every_not_yet_due_case(
            cases in proptest::collection::vec((level(), 0u32..5000, -3000i64..3000), 2..40),
            now_min in -1000i64..1000,
        ) {
            let policy = SlaPolicy::default();
            let now = Timestamp(T0 + now_min * MINUTE);
            let facts: Vec<UrgencyFacts> = cases.iter().map(|&(p, s, r)| open(p, s, r)).collect();
            for a in &facts {
                for b in &facts {
                    let (due_a, due_b) = (sla_due_at(&policy, a).unwrap(), sla_due_at(&policy, b).unwrap());
                    if is_overdue(due_a, now) && due_b >= now {
                        prop_assert!(urgency_key(&policy, a) < urgency_key(&policy, b), "{a:?} before {b:?}");
                    }
                }
            }
        }
    }
}
