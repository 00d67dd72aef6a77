//! Shift handover: the note an outgoing shift leaves for the next — what is open, what was
//! promised to whom, and by whom.
//!
//! Owns the note's rules (what it must say, how long it may be) and its event. The figures of
//! what is open are counted by the store at the moment of writing, never taken from the page,
//! so a note cannot claim a quieter room than the one handed over.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::clock::Timestamp;
use crate::text::Message;

/// What was open when the note was written, as the store counted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverFigures {
    /// Open cases (not evacuated, resolved, closed or duplicate).
    pub open_cases: u64,
    /// Open cases nobody has reached that are past their first-contact time, or escalated.
    pub overdue: u64,
    /// Open critical cases assigned to nobody.
    pub unassigned_critical: u64,
    /// Open cases assigned to the note's author.
    pub assigned_to_author: u64,
}

/// A handover note as written (validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHandover {
    /// What was promised, to whom (a callback at six, a bus for a family): required.
    pub promised: Message,
    /// Anything else the next shift must know about what is open.
    pub open_note: Option<Message>,
}

impl NewHandover {
    /// Parse what the author typed; `promised` is required (write "nothing" if so).
    pub fn parse(promised: Option<&str>, open_note: Option<&str>) -> Result<Self, Rejected> {
        let promised = Message::parse_field(promised, "promised")?
            .ok_or_else(|| Rejected::new("missing", "promised", "say what was promised, and to whom"))?;
        let open_note = Message::parse_field(open_note, "open_note")?;
        Ok(Self { promised, open_note })
    }
}

/// A shift's handover note was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverWritten {
    pub handover_id: Uuid,
    pub figures: HandoverFigures,
    pub promised: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_note: Option<String>,
    pub by: Uuid,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_says_what_was_promised() {
        assert_eq!(NewHandover::parse(None, Some("x")).unwrap_err().field.as_deref(), Some("promised"));
        assert_eq!(NewHandover::parse(Some("  "), None).unwrap_err().field.as_deref(), Some("promised"));
        let bidi = NewHandover::parse(Some("call back \u{202E}K7QM"), None).unwrap_err();
        assert_eq!((bidi.code, bidi.field.as_deref()), ("invalid_characters", Some("promised")));
        let note = NewHandover::parse(Some("اتصال بأسرة K7QM-2XPD الساعة ٦"), Some("الطريق مغلق")).unwrap();
        assert_eq!(note.open_note.unwrap().as_str(), "الطريق مغلق");
    }
}
