//! Why the domain refuses an input or a command.
//!
//! Owns the refusal vocabulary: a stable machine `code`, a human `message` in English and the
//! `field` (a JSON-pointer-like path such as `people[0].name`) it concerns. It must not know about
//! HTTP status codes; the app decides those.

use std::fmt;

/// A refusal with enough detail for the person who typed the input to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Stable, machine-readable code, e.g. `too_long`, `out_of_range`.
    pub code: &'static str,
    /// Human-readable explanation in English.
    pub message: String,
    /// Path of the offending field in the request, if there is one.
    pub field: Option<String>,
}

impl Rejected {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: Some(field.into()) }
    }

    /// A refusal of a bare value; the caller names the field with [`Rejected::within`].
    pub fn value(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
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
