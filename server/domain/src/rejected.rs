//! Why the domain refuses an input or a command.
//!
//! Owns the refusal vocabulary: its [`RejectionKind`] (the input is invalid, or the thing is in
//! a state that does not allow it), a stable machine `code`, a human `message` in English and
//! the `field` (a JSON-pointer-like path such as `people[0].name`) it concerns. It must not know
//! about HTTP status codes; the app maps each kind to one, in one place.

use std::fmt;

/// Why something was refused, as a caller must react to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    /// The input is wrong: fix it and send it again.
    Invalid,
    /// The input is fine, but the thing it acts on is in a state that does not allow it (a
    /// step out of order, something already done): look at it as it is now.
    Conflict,
}

/// A refusal with enough detail for the person who typed the input to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub kind: RejectionKind,
    /// Stable, machine-readable code, e.g. `too_long`, `out_of_range`.
    pub code: &'static str,
    /// Human-readable explanation in English.
    pub message: String,
    /// Path of the offending field in the request, if there is one.
    pub field: Option<String>,
}

impl Rejected {
    /// Invalid input in `field`.
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { kind: RejectionKind::Invalid, code, message: message.into(), field: Some(field.into()) }
    }

    /// An invalid bare value; the caller names the field with [`Rejected::within`].
    pub fn value(code: &'static str, message: impl Into<String>) -> Self {
        Self { kind: RejectionKind::Invalid, code, message: message.into(), field: None }
    }

    /// Refused because of the state of what `field` acts on (see [`RejectionKind::Conflict`]).
    pub fn conflict(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { kind: RejectionKind::Conflict, ..Self::new(code, field, message) }
    }

    /// The same refusal, of a conflicting state.
    pub fn in_conflict(self) -> Self {
        Self { kind: RejectionKind::Conflict, ..self }
    }

    /// Prefix the field path, so nested parsers can report `people[2].name` while only knowing `name`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = Some(match self.field {
            Some(f) if f.starts_with('[') => format!("{parent}{f}"),
            Some(f) => format!("{parent}.{f}"),
            None => parent.to_owned(),
        });
        self
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Rejected {}
