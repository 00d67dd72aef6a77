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

/// A change, as recorded in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    CaseReported(CaseReported),
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
