//! The JSON shape of every error answer: `{"error":{"code","message","field"}}`, with `errors` when
//! a request was checked whole.

use serde::Serialize;
use utoipa::ToSchema;

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: Problem,
}

/// A 409: the error and the case as it stands now, so the operator can redo their change on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictBody {
    pub error: Problem,
    pub case: crate::wire::CaseSummaryBody,
}

/// What went wrong, for a program (`code`) and for a person (`message`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable machine-readable code, e.g. `invalid_json`, `out_of_range`, `unauthenticated`.
    pub code: String,
    /// Human-readable explanation (English).
    pub message: String,
    /// The offending request field as a path (`people[0].phone`), or the header or query name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every refused field when the request was checked whole (a report), the first being the
    /// one above; absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One refused field of a request checked whole.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldProblem {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    pub fn new(code: impl Into<String>, message: impl Into<String>, field: Option<String>) -> Self {
        Self { code: code.into(), message: message.into(), field, errors: Vec::new() }
    }

    /// Several refusals as one problem: the first at the top, all of them in `errors`.
    /// `None` for an empty list.
    pub fn all(refusals: Vec<FieldProblem>) -> Option<Self> {
        let first = refusals.first()?.clone();
        Some(Self { code: first.code, message: first.message, field: first.field, errors: refusals })
    }

    /// Every refusal this problem carries: its list, or itself alone.
    pub fn each(&self) -> Vec<FieldProblem> {
        if self.errors.is_empty() {
            vec![FieldProblem { code: self.code.clone(), message: self.message.clone(), field: self.field.clone() }]
        } else {
            self.errors.clone()
        }
    }
}
