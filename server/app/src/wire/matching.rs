//! The JSON shapes of matching and families: suggestions, operators' decisions, the family view and
//! tracing status.

use opsroom_domain::case::{CaseStatus, PersonRole};
use opsroom_domain::matching::{Decision, MatchKind, MatchReason};
use opsroom_domain::report::{Relation, Sex};
use opsroom_domain::tracing::TracingStatus;
use opsroom_store::FamilyMember;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::BilingualText;

/// A suggestion that a person of this case and a person of another case are the same, or
/// relatives; seen from the case it was asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchBody {
    pub suggestion_id: Uuid,
    /// The other case and its person.
    pub case_id: Uuid,
    pub person_id: Uuid,
    /// The other case's reference, and the other person's name as reported.
    pub reference: Option<String>,
    pub name: Option<String>,
    /// The person of the asked-for case it concerns.
    pub of_person_id: Uuid,
    pub kind: MatchKind,
    /// 0 to 1.
    pub score: f64,
    pub reasons: Vec<MatchReasonBody>,
    /// `open`, `same`, `related` or `not_related`.
    pub status: String,
    pub relation: Option<Relation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchReasonBody {
    pub code: String,
    pub text: BilingualText,
}

impl From<&MatchReason> for MatchReasonBody {
    fn from(r: &MatchReason) -> Self {
        Self { code: r.code.clone(), text: BilingualText { ar: r.ar.clone(), en: r.en.clone() } }
    }
}

/// An operator's answer to a suggestion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub decision: Decision,
    /// For `related`: what the person of the suggestion's new report is to the other person.
    pub relation: Option<Relation>,
}

/// Everyone linked to a case: its people in danger and reporters, and through operators'
/// confirmed decisions, the same persons in other cases and their relatives.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyBody {
    pub members: Vec<FamilyMemberBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyMemberBody {
    pub person_id: Uuid,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub tracing_status: TracingStatus,
    pub cases: Vec<FamilyCaseBody>,
    pub links: Vec<FamilyLinkBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyCaseBody {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    /// `subject` (in danger) or `reporter`.
    pub role: PersonRole,
    pub relation: Option<Relation>,
    pub place: Option<String>,
    pub cell: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyLinkBody {
    pub person_id: Uuid,
    /// `same` or `related`.
    pub decision: Decision,
    pub relation: Option<Relation>,
}

impl From<&FamilyMember> for FamilyMemberBody {
    fn from(m: &FamilyMember) -> Self {
        Self {
            person_id: m.person_id,
            name: m.name.clone(),
            age: m.age,
            sex: m.sex,
            tracing_status: m.tracing_status,
            cases: m
                .cases
                .iter()
                .map(|c| FamilyCaseBody {
                    case_id: c.case_id,
                    reference: c.reference.clone(),
                    status: c.status,
                    role: c.role,
                    relation: c.relation,
                    place: c.place.clone(),
                    cell: c.cell.map(|cell| cell.to_string()),
                })
                .collect(),
            links: m
                .links
                .iter()
                .map(|l| FamilyLinkBody { person_id: l.other_person_id, decision: l.decision, relation: l.relation })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TracingRequest {
    pub status: TracingStatus,
}
