//! The JSON shapes around PFIF 1.4 (the XML itself is `crate::pfif`'s): the export's query and the
//! import's summary.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Problem;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Persons after this person id (the last one of the previous page).
    pub after: Option<Uuid>,
    /// Persons per page, 1 to 10,000 (1,000 by default).
    pub limit: Option<u32>,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Persons that opened a new case.
    pub created: usize,
    /// Persons imported before (same record id): nothing new.
    pub already_imported: usize,
    /// Persons refused, with why.
    pub refused: Vec<ImportRefusal>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRefusal {
    pub person_record_id: String,
    pub error: Problem,
}
