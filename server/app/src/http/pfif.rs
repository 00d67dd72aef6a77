//! PFIF 1.4 out and in: persons in danger for another agency (Google Person Finder, the Red
//! Crescent's tracing service), and another agency's persons into this ops room.
//!
//! Owns who may move persons across agencies (supervisors and admins: a list of people hiding in
//! a war zone is the most sensitive thing the system holds) and the import's rules: each
//! imported person is a report validated like everyone's, keyed by its record id, so a file
//! imported twice creates nothing twice; and a file is stored whole or not at all — every
//! person is validated first, then all of them go to the store as one command in one
//! transaction, so a client that gives up half-way (or a server that stops) never leaves half
//! a file behind.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use opsroom_domain::country::PhoneRegions;
use opsroom_domain::report::{Channel, NewReport};
use opsroom_store::ReportOutcome;
use serde_json::{Map, Value, json};

use crate::auth::Supervisor;
use crate::http::error::ApiError;
use crate::http::extract::{ApiQuery, JsonBody, unreadable_body};
use crate::http::reports::{ClaimedReport, store_reports};
use crate::pfif::ImportedPerson;
use crate::state::AppState;
use crate::wire::{ErrorBody, ExportQuery, ImportRefusal, ImportSummary, Problem};
use crate::{pfif, secrets};

const DEFAULT_PAGE: u32 = 1000;
const MAX_PAGE: u32 = 10_000;
/// Idempotency scope of imported records (their keys are hashes of their record ids).
const IMPORT_SCOPE: &str = "pfif";
/// Largest PFIF file accepted by the import.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

/// Persons in danger as PFIF 1.4 (supervisors and admins), a page at a time in id order.
#[utoipa::path(
    get,
    path = "/api/v1/pfif/persons",
    tag = "matching",
    params(ExportQuery),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, description = "PFIF 1.4 XML", content_type = "application/xml"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
pub async fn get_export(
    State(app): State<AppState>,
    _supervisor: Supervisor,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(Problem::new(
            "invalid_query",
            "limit must be from 1 to 10000",
            Some("limit".into()),
        )));
    }
    let persons = app.store.pfif_persons(query.after, limit).await?;
    let xml = pfif::export(&persons, &app.config.pfif_domain, app.now_ms());
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml))
}

/// Import another agency's PFIF 1.4 file (supervisors and admins): each person becomes a case
/// (channel `import`), its notes the report's message. All of the file's acceptable persons are
/// stored together or none is; importing the same records again creates nothing.
#[utoipa::path(
    post,
    path = "/api/v1/pfif/persons",
    tag = "matching",
    request_body(content = String, content_type = "application/xml", description = "A PFIF 1.4 document"),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, body = ImportSummary),
        (status = 400, description = "Not PFIF 1.4", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 503, description = "Nothing was stored; retry", body = ErrorBody),
    )
)]
pub async fn post_import(
    State(app): State<AppState>,
    _supervisor: Supervisor,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportSummary>, ApiError> {
    let body = body.map_err(unreadable_body)?;
    // Parsing and validating tens of thousands of persons is CPU work: off the async workers.
    let regions = app.phone_regions(None);
    let file = tokio::task::spawn_blocking(move || claim_file(&body, &regions))
        .await
        .map_err(|error| ApiError::Internal(format!("validating a PFIF import: {error}")))??;
    let outcomes = store_reports(&app, &file.reports).await?;
    let mut summary = ImportSummary { created: 0, already_imported: 0, refused: file.refused };
    for (record_id, outcome) in file.record_ids.into_iter().zip(outcomes) {
        match outcome {
            ReportOutcome::Created { .. } => summary.created += 1,
            ReportOutcome::Replayed { .. } => summary.already_imported += 1,
            ReportOutcome::KeyReused => summary.refused.push(ImportRefusal {
                person_record_id: record_id,
                error: Problem::new(
                    "changed_record",
                    "this record was imported before with other content; the earlier import stands",
                    None,
                ),
            }),
            ReportOutcome::ReferenceTaken => {
                unreachable!("an import is committed only when all its references were free")
            }
        }
    }
    tracing::info!(
        created = summary.created,
        again = summary.already_imported,
        refused = summary.refused.len(),
        "PFIF import"
    );
    Ok(Json(summary))
}

/// A file's persons as reports ready for the store, and the persons refused, with why.
struct ClaimedFile {
    /// The record id of each report, in the same order.
    record_ids: Vec<String>,
    reports: Vec<ClaimedReport>,
    refused: Vec<ImportRefusal>,
}

/// Parse and validate a whole file. Nothing is stored here.
fn claim_file(body: &[u8], regions: &PhoneRegions) -> Result<ClaimedFile, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::BadRequest(Problem::new("invalid_pfif", "the file is not UTF-8 text", None)))?;
    let persons = pfif::import(text).map_err(|e| ApiError::BadRequest(Problem::new("invalid_pfif", e.0, None)))?;
    let mut file = ClaimedFile { record_ids: Vec::new(), reports: Vec::new(), refused: Vec::new() };
    for person in persons {
        match claim_person(&person, regions) {
            Ok(report) => {
                file.record_ids.push(person.record_id);
                file.reports.push(report);
            }
            Err(error) => {
                let (_, problem) = error.status_and_problem();
                file.refused.push(ImportRefusal { person_record_id: person.record_id, error: problem });
            }
        }
    }
    Ok(file)
}

/// One imported person as a report, validated like any other and keyed by its record id.
fn claim_person(person: &ImportedPerson, regions: &PhoneRegions) -> Result<ClaimedReport, ApiError> {
    let mut subject = Map::new();
    if let Some(name) = &person.full_name {
        subject.insert("name".into(), json!(name));
    }
    if let Some(age) = person.age.as_deref().and_then(|a| a.trim().parse::<u32>().ok()) {
        subject.insert("age".into(), json!(age));
    }
    if let Some(sex) = person.sex.as_deref().filter(|s| *s == "female" || *s == "male") {
        subject.insert("sex".into(), json!(sex));
    }
    let source = person.source_name.as_deref().unwrap_or("another agency");
    let mut message = format!("Imported from {source} ({}).", person.record_id);
    for note in &person.notes {
        message.push('\n');
        message.push_str(note);
    }
    let mut report = json!({"language": "en", "people": [Value::Object(subject)], "message": message});
    if let Some(city) = &person.home_city {
        report["location"] = json!({ "place": city });
    }
    let body = JsonBody(report);
    let request: crate::wire::ReportRequest = body.parse()?;
    let new_report = NewReport::parse(&request.to_domain(), Channel::Import, regions)?;
    // The record id, hashed into a key of the allowed form, makes a re-import a replay.
    let key = secrets::hash("opsroom-pfif-record", person.record_id.as_bytes());
    Ok(ClaimedReport::new(new_report, Some(&key), &body, IMPORT_SCOPE))
}
