//! The facts the event log records. Every change in Opsroom is one of these.
//!
//! Owns the event vocabulary (past tense: `case_reported`, `user_created`) and its JSON form,
//! which is what the log stores and the live stream carries. Events are never edited once
//! written, so a variant's shape may only grow optional fields.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::case::CaseStatus;
use crate::clock::Timestamp;
use crate::location::{Cell, Location};
use crate::need::{Flag, Need};
use crate::priority::Priority;
use crate::reference::Reference;
use crate::report::{Channel, Language, PersonDetails, ReporterDetails};
use crate::text::Message;
use crate::user::Role;

/// A change, as recorded in the log: a `kind` and its `data`, which is also how it is stored
/// (two columns) and streamed (two fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Event {
    CaseReported(Box<CaseReported>),
    UserCreated(UserCreated),
}

impl Event {
    /// The stable name of the event's kind, as stored and streamed.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::CaseReported(_) => "case_reported",
            Event::UserCreated(_) => "user_created",
        }
    }

    /// The event's data as JSON, without its kind.
    pub fn data_json(&self) -> String {
        let data = match self {
            Event::CaseReported(e) => serde_json::to_string(e.as_ref()),
            Event::UserCreated(e) => serde_json::to_string(e),
        };
        data.expect("events serialize: all keys are strings, all numbers finite")
    }

    /// Rebuild an event from its stored kind and data.
    pub fn from_parts(kind: &str, data: &str) -> Result<Self, serde_json::Error> {
        let data: &serde_json::value::RawValue = serde_json::from_str(data)?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "data": data }))
    }

    /// The case the event concerns, if any.
    pub fn case_id(&self) -> Option<Uuid> {
        match self {
            Event::CaseReported(e) => Some(e.case_id),
            Event::UserCreated(_) => None,
        }
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
}

/// An operator account was created. Carries no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreated {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_and_data_round_trip() {
        let event = Event::UserCreated(UserCreated {
            user_id: Uuid::from_u128(7),
            name: "amira".into(),
            role: Role::Supervisor,
        });
        let back = Event::from_parts(event.kind(), &event.data_json()).unwrap();
        assert_eq!(back, event);
        assert!(Event::from_parts("case_reported", &event.data_json()).is_err());
    }
}
