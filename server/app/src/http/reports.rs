//! `POST /api/v1/reports`: public intake of a distress report, no login.
//!
//! Owns the intake sequence: parse, validate in the domain, draw ids and secrets, store, and
//! answer 201 only after the store has committed. With an `Idempotency-Key`, a retry of the same
//! body gets the same answer and creates nothing; the key with another body is a 422.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use opsroom_domain::case::{NewCaseIds, report_case};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::country::PhoneRegions;
use opsroom_domain::location::Coordinates;
use opsroom_domain::reference::Reference;
use opsroom_domain::report::{Channel, NewReport, ReportInput};
use opsroom_store::{IdempotencyClaim, ImportOutcome, ReportCase, ReportOutcome};
use rand::Rng;
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::JsonBody;
use crate::secrets;
use crate::state::AppState;
use crate::wire::{ErrorBody, OperatorReportRequest, PriorityBody, Problem, ReportAccepted, ReportRequest};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// The `field` of refusals about the key.
pub const IDEMPOTENCY_FIELD: &str = "Idempotency-Key";
/// Idempotency scope of citizens' reports (the API and the web form share it).
pub const PUBLIC_SCOPE: &str = "public";
/// Hash domain of citizens' tracking tokens.
pub const TRACKING_HASH_DOMAIN: &str = "opsroom-tracking";
/// Draws of a fresh reference before giving up (each collision has odds below 1 in 10^6).
const REFERENCE_ATTEMPTS: usize = 8;

/// Report a distress case. Partial reports are welcome: at least one person's name or a message.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    tag = "intake",
    request_body = ReportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string up to 255 characters; retries with the same key and body create nothing new")),
    responses(
        (status = 201, description = "Stored durably", body = ReportAccepted),
        (status = 400, description = "Not JSON, or a bad Idempotency-Key", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "Invalid content (every refused field in `error.errors`), or the key was used with another body", body = ErrorBody),
        (status = 503, description = "Not stored; retry", body = ErrorBody),
    )
)]
pub async fn post_report(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<(StatusCode, Json<ReportAccepted>), ApiError> {
    let request: ReportRequest = body.parse()?;
    let input = request.to_domain();
    let placed = Placement::of(&app, &input, request.crisis.as_deref(), "crisis")?;
    let report = placed.report(NewReport::parse_all(&input, Channel::Web, &placed.regions)?);
    intake(&app, idempotency_key(&headers)?, &body, report, PUBLIC_SCOPE).await
}

/// Take a report on behalf of a caller (hotline, WhatsApp, Facebook, email, walk-in). The same
/// report shape as the public form, the channel it came through, and the operator who took it.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = OperatorReportRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "As for public reports")),
    security(("session" = [])),
    responses(
        (status = 201, description = "Stored durably", body = ReportAccepted),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Invalid content, or channel `web`", body = ErrorBody),
    )
)]
pub async fn post_case(
    State(app): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<(StatusCode, Json<ReportAccepted>), ApiError> {
    let request: OperatorReportRequest = body.parse()?;
    if matches!(request.channel, Channel::Web | Channel::Import) {
        return Err(ApiError::Unprocessable(Problem::new(
            "invalid_channel",
            "web is the public form's channel and import the PFIF import's; choose hotline, whatsapp, facebook, email or walk_in",
            Some("channel".into()),
        )));
    }
    let input = request.report.to_domain();
    let placed = Placement::of(&app, &input, request.report.crisis.as_deref(), "report.crisis")?;
    let mut report = placed.report(
        NewReport::parse_all(&input, request.channel, &placed.regions)
            .map_err(|refusals| refusals.into_iter().map(|r| r.within("report")).collect::<Vec<_>>())?,
    );
    report.taken_by = Some(operator.user.user_id);
    intake(&app, idempotency_key(&headers)?, &body, report, "operator").await
}

/// Where a report belongs, decided before it is read, since its crisis says in which country's
/// numbering a local phone number is read.
pub struct Placement {
    /// The open crisis `chosen` names, else the one whose ground holds the position the report
    /// gives, else none (unplaced).
    pub crisis_id: Option<Uuid>,
    /// The crisis's (first) country for the people in danger, the home country for relatives.
    pub regions: PhoneRegions,
}

impl Placement {
    /// Place `input`; a `chosen` slug that names no open crisis is refused at `field`.
    pub fn of(app: &AppState, input: &ReportInput, chosen: Option<&str>, field: &str) -> Result<Self, ApiError> {
        let position = input.location.as_ref().and_then(|l| l.lat.zip(l.lon));
        let cell = position.and_then(|(lat, lon)| Coordinates::parse(lat, lon).ok()).map(Coordinates::cell);
        let crisis = app.crises.place(chosen, cell, field)?;
        let country = crisis.as_ref().and_then(|c| c.countries.first().copied());
        Ok(Self { crisis_id: crisis.map(|c| c.crisis_id), regions: app.phone_regions(country) })
    }

    /// The validated report, placed.
    pub fn report(&self, mut report: NewReport) -> NewReport {
        report.crisis_id = self.crisis_id;
        report
    }
}

/// Store a validated report as a new case and answer 201 once it is durable. `scope` keeps the
/// idempotency keys of different endpoints apart.
pub async fn intake(
    app: &AppState,
    key: Option<&str>,
    body: &JsonBody,
    report: NewReport,
    scope: &str,
) -> Result<(StatusCode, Json<ReportAccepted>), ApiError> {
    let stored = store_report(app, key, body, report, scope).await?;
    Ok((StatusCode::CREATED, Json(stored.accepted)))
}

/// A report stored, or found stored before under the same key.
pub struct Stored {
    pub accepted: ReportAccepted,
    /// `false` when the key was seen before with the same body (nothing new was written).
    pub created: bool,
}

/// A validated report with its secrets drawn and its key claimed: all the store needs but the
/// case's ids, which are drawn afresh for each attempt (a drawn reference may be taken).
pub struct ClaimedReport {
    report: NewReport,
    tracking_token: String,
    tracking_token_hash: String,
    idempotency: Option<IdempotencyClaim>,
}

impl ClaimedReport {
    /// Draw the tracking token and, with a key, claim it (scoped by `scope`) for this body.
    pub fn new(report: NewReport, key: Option<&str>, body: &JsonBody, scope: &str) -> Self {
        let tracking_token = secrets::new_token();
        // Hashing the canonical body costs a re-serialisation: only keyed requests need it.
        let idempotency = key.map(|key| IdempotencyClaim {
            key_hash: secrets::hash(&format!("opsroom-idempotency-key:{scope}"), key.as_bytes()),
            request_hash: secrets::hash("opsroom-report-body", body.canonical().as_bytes()),
            token_sealed: secrets::seal_with_key(&tracking_token, key),
        });
        let tracking_token_hash = secrets::token_hash(TRACKING_HASH_DOMAIN, &tracking_token);
        Self { report, tracking_token, tracking_token_hash, idempotency }
    }

    /// The store's command, with fresh ids.
    fn command(&self, now: Timestamp) -> ReportCase {
        ReportCase {
            event: report_case(self.report.clone(), new_case_ids(&self.report), now),
            tracking_token_hash: self.tracking_token_hash.clone(),
            idempotency: self.idempotency.clone(),
        }
    }
}

/// Store a validated report as a new case, or replay the answer for a key seen before.
pub async fn store_report(
    app: &AppState,
    key: Option<&str>,
    body: &JsonBody,
    report: NewReport,
    scope: &str,
) -> Result<Stored, ApiError> {
    let claimed = ClaimedReport::new(report, key, body, scope);
    let now = Timestamp::from_millis(app.now_ms());
    for _ in 0..REFERENCE_ATTEMPTS {
        let command = claimed.command(now);
        let event = &command.event;
        let accepted = ReportAccepted {
            case_id: event.case_id,
            reference: event.reference.to_string(),
            tracking_token: claimed.tracking_token.clone(),
            cell: event.cell.map(|c| c.to_string()),
            priority: PriorityBody::from(&event.priority),
        };
        match app.store.report_case(command).await? {
            ReportOutcome::Created { seq } => {
                tracing::debug!(case_id = %accepted.case_id, seq, "case reported");
                return Ok(Stored { accepted, created: true });
            }
            ReportOutcome::Replayed { case_id, token_sealed } => {
                let key = key.expect("only keyed reports are replayed");
                let accepted = replay(app, case_id, &token_sealed, key).await?;
                return Ok(Stored { accepted, created: false });
            }
            ReportOutcome::KeyReused => {
                return Err(ApiError::Unprocessable(Problem::new(
                    "idempotency_key_reused",
                    "this Idempotency-Key was already used for a different report",
                    Some(IDEMPOTENCY_FIELD.into()),
                )));
            }
            ReportOutcome::ReferenceTaken => continue,
        }
    }
    Err(ApiError::Internal("could not draw a free case reference".into()))
}

/// Store many validated reports together, all or nothing (an import): one outcome per report,
/// in order — `Created`, `Replayed` or `KeyReused`. When a drawn reference is taken nothing was
/// written, and every reference is drawn again (tens of thousands of reports among a million
/// cases collide about one time in twenty; eight draws in a row, practically never).
pub async fn store_reports(app: &AppState, claimed: &[ClaimedReport]) -> Result<Vec<ReportOutcome>, ApiError> {
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let now = Timestamp::from_millis(app.now_ms());
    for _ in 0..REFERENCE_ATTEMPTS {
        let commands = claimed.iter().map(|c| c.command(now)).collect();
        match app.store.import_reports(commands).await? {
            ImportOutcome::Committed(outcomes) => return Ok(outcomes),
            ImportOutcome::ReferenceTaken => continue,
        }
    }
    Err(ApiError::Internal("could not draw free case references".into()))
}

/// The answer the first request with this key got.
async fn replay(app: &AppState, case_id: Uuid, token_sealed: &str, key: &str) -> Result<ReportAccepted, ApiError> {
    let detail = app
        .store
        .case_detail(case_id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("idempotency record points at missing case {case_id}")))?;
    let tracking_token = secrets::unseal_with_key(token_sealed, key)
        .ok_or_else(|| ApiError::Internal("idempotency record holds a malformed token".into()))?;
    let summary = &detail.summary;
    Ok(ReportAccepted {
        case_id,
        reference: summary.reference.clone(),
        tracking_token,
        cell: summary.cell.map(|c| c.to_string()),
        priority: PriorityBody::new(summary.priority, summary.priority_score, &summary.priority_reasons),
    })
}

/// Fresh random ids for a case opened from `report`.
pub fn new_case_ids(report: &NewReport) -> NewCaseIds {
    NewCaseIds {
        case_id: Uuid::now_v7(),
        report_id: Uuid::now_v7(),
        reference: Reference::from_random(rand::rng().random()),
        person_ids: report.people.iter().map(|_| Uuid::now_v7()).collect(),
        reporter_person_id: Uuid::now_v7(),
    }
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters, or absent.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else { return Ok(None) };
    checked_key(value.to_str().ok())
}

/// An idempotency key from a header or a form field: 1 to 255 visible ASCII characters.
pub fn checked_key(key: Option<&str>) -> Result<Option<&str>, ApiError> {
    let bad = || {
        ApiError::BadRequest(Problem::new(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
            Some(IDEMPOTENCY_FIELD.into()),
        ))
    };
    let key = key.ok_or_else(bad)?;
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(Some(key))
}
