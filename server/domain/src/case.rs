//! Cases: one appeal for help, followed until the people are safe.
//!
//! Owns the case status vocabulary and the rule that turns a validated report into a new case
//! ([`report_case`]). Ids, the reference and the time come in as arguments.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Timestamp;
use crate::location::{Cell, Location};
use crate::need::{Flag, Need};
use crate::priority::{self, Priority, PriorityInput};
use crate::reference::Reference;
use crate::report::{Channel, Language, NewReport, PersonDetails, ReporterDetails};
use crate::text::Message;

/// How a person belongs to a case: one of the people it is about, or the one who reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PersonRole {
    Subject,
    Reporter,
}

/// Where a case stands in the ops room's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseStatus {
    New,
    Triaged,
    InProgress,
    AwaitingEvacuation,
    Evacuated,
    Resolved,
    Closed,
    Duplicate,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 8] = [
        CaseStatus::New,
        CaseStatus::Triaged,
        CaseStatus::InProgress,
        CaseStatus::AwaitingEvacuation,
        CaseStatus::Evacuated,
        CaseStatus::Resolved,
        CaseStatus::Closed,
        CaseStatus::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::New => "new",
            CaseStatus::Triaged => "triaged",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::AwaitingEvacuation => "awaiting_evacuation",
            CaseStatus::Evacuated => "evacuated",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
            CaseStatus::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// The ids a new case needs, chosen by the caller (random in production, seeded in scenarios).
#[derive(Debug, Clone)]
pub struct NewCaseIds {
    pub case_id: Uuid,
    pub report_id: Uuid,
    pub reference: Reference,
    /// One id per person in the report, in order.
    pub person_ids: Vec<Uuid>,
    pub reporter_person_id: Uuid,
}

/// Open a new case from a validated report.
///
/// # Panics
/// If `ids.person_ids` does not have one id per person: that is a caller bug, not bad input.
pub fn report_case(report: NewReport, ids: NewCaseIds, now: Timestamp) -> CaseReported {
    assert_eq!(ids.person_ids.len(), report.people.len(), "one person id per person in the report");
    let priority =
        priority::compute(PriorityInput { needs: &report.needs, flags: &report.flags, ages: &report.ages() });
    let cell = report.location.cell();
    let people = report
        .people
        .into_iter()
        .zip(ids.person_ids)
        .map(|(details, person_id)| PersonRecord { person_id, details })
        .collect();
    CaseReported {
        case_id: ids.case_id,
        report_id: ids.report_id,
        reference: ids.reference,
        status: CaseStatus::New,
        channel: report.channel,
        taken_by: report.taken_by,
        language: report.language,
        reporter: report.reporter.map(|details| ReporterRecord { person_id: ids.reporter_person_id, details }),
        people,
        location: report.location,
        cell,
        needs: report.needs,
        flags: report.flags,
        message: report.message,
        priority,
        reported_at: now,
        // Zones are the store's to look up at commit (`evacuation::zone::flag_on_arrival`).
        danger_zone: None,
        crisis_id: report.crisis_id,
    }
}

/// A person named in a report, with the id they are known by from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    pub person_id: Uuid,
    #[serde(flatten)]
    pub details: PersonDetails,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterRecord {
    pub person_id: Uuid,
    #[serde(flatten)]
    pub details: ReporterDetails,
}

/// A new case was opened from a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseReported {
    pub case_id: Uuid,
    pub report_id: Uuid,
    pub reference: Reference,
    pub status: CaseStatus,
    pub channel: Channel,
    /// The operator who took the report on behalf of a caller (absent for the public form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_by: Option<Uuid>,
    pub language: Language,
    pub reporter: Option<ReporterRecord>,
    pub people: Vec<PersonRecord>,
    pub location: Location,
    pub cell: Option<Cell>,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub message: Option<Message>,
    pub priority: Priority,
    pub reported_at: Timestamp,
    /// The danger zone the case lay in when it arrived (its priority then already carries the
    /// `danger_zone` reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub danger_zone: Option<Uuid>,
    /// The crisis the report was placed in; absent for a report no crisis held (unplaced) and
    /// for reports logged before crises existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crisis_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::country::{CountryCode, PhoneRegions};
    use crate::need::{Flag, Need};
    use crate::priority::PriorityLevel;
    use crate::report::{Channel, LocationInput, PersonInput, ReportInput};

    #[test]
    fn a_report_becomes_a_new_case_with_cell_and_priority() {
        let input = ReportInput {
            people: vec![PersonInput { name: Some("Mona".into()), age: Some(9), ..Default::default() }],
            location: Some(LocationInput { lat: Some(15.5518), lon: Some(32.5324), ..Default::default() }),
            needs: vec![Need::Medical],
            flags: vec![Flag::Injured, Flag::UnaccompaniedMinors],
            ..Default::default()
        };
        let regions = PhoneRegions { crisis: None, home: CountryCode::EGYPT };
        let report = NewReport::parse(&input, Channel::Web, &regions).unwrap();
        let ids = NewCaseIds {
            case_id: Uuid::from_u128(1),
            report_id: Uuid::from_u128(2),
            reference: Reference::from_random(42),
            person_ids: vec![Uuid::from_u128(3)],
            reporter_person_id: Uuid::from_u128(4),
        };
        let reported = report_case(report, ids, Timestamp(1_000));
        assert_eq!(reported.status, CaseStatus::New);
        assert_eq!(reported.priority.level, PriorityLevel::Critical);
        assert_eq!(reported.cell.unwrap().resolution(), 9);
        assert_eq!(reported.people[0].person_id, Uuid::from_u128(3));
        assert!(reported.reporter.is_none());
    }

    #[test]
    fn statuses_round_trip_their_names() {
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }
}
