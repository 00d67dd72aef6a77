//! `/api/v1/cases/{case_id}/…`: the operators' changes to a case.
//!
//! Each handler turns its request into a domain `CaseCommand` based on the `version` the operator
//! saw; the store checks the version and the domain's rules, then records the event, which every
//! operator's live stream receives. A stale version is a 409 carrying the case as it is now.

use axum::Json;
use axum::extract::State;
use opsroom_domain::Rejected;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::reference::Reference;
use opsroom_domain::workflow::{Actor, CaseCommand};
use opsroom_store::{ActionOutcome, CaseAction};
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::state::AppState;
use crate::wire::{
    ActionApplied, AssignmentRequest, CaseSummaryBody, ConflictBody, ContactRequest, ErrorBody, NoteRequest,
    PriorityRequest, StatusRequest,
};

/// The answers every workflow change may get, for the handlers' OpenAPI descriptions (the
/// handlers answer with `ActionApplied` or an `ApiError`; this type only describes them).
#[derive(utoipa::IntoResponses)]
pub enum ActionResponses {
    /// Recorded; the case as it now stands.
    #[response(status = 200)]
    Applied(#[to_schema] ActionApplied),
    /// Not signed in.
    #[response(status = 401)]
    Unauthenticated(#[to_schema] ErrorBody),
    /// No such case.
    #[response(status = 404)]
    NotFound(#[to_schema] ErrorBody),
    /// The case changed since the version sent; the answer carries it as it is now.
    #[response(status = 409)]
    Conflict(#[to_schema] ConflictBody),
    /// Refused by the workflow's rules (or invalid), with the field.
    #[response(status = 422)]
    Refused(#[to_schema] ErrorBody),
}

/// Apply `command` to the case as `operator`, based on `version`.
async fn apply(
    app: &AppState,
    operator: &Operator,
    case_id: Uuid,
    version: u32,
    command: CaseCommand,
) -> Result<Json<ActionApplied>, ApiError> {
    let actor = Actor { user_id: operator.user.user_id, role: operator.user.role };
    let action = CaseAction { case_id, expected_version: version, actor, command, at: app.now_ms() };
    let outcome = app.store.apply_to_case(action).await?;
    let current = || async {
        let detail = app.store.case_detail(case_id).await?.ok_or(ApiError::NotFound)?;
        Ok::<_, ApiError>(CaseSummaryBody::new(&detail.summary, &app.config.sla, Timestamp::from_millis(app.now_ms())))
    };
    match outcome {
        ActionOutcome::Applied { seq, .. } => Ok(Json(ActionApplied { seq, case: current().await? })),
        ActionOutcome::Conflict { .. } => Err(ApiError::Conflict(Box::new(current().await?))),
        ActionOutcome::Refused(rejected) => Err(rejected.into()),
        ActionOutcome::NotFound => Err(ApiError::NotFound),
    }
}

/// Move a case to another status (reopening needs a reason; a duplicate names its original).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/status",
    tag = "workflow",
    params(("case_id" = Uuid, Path)),
    request_body = StatusRequest,
    security(("session" = [])),
    responses(ActionResponses)
)]
pub async fn post_status(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<StatusRequest>,
) -> Result<Json<ActionApplied>, ApiError> {
    let duplicate_of = match request.duplicate_of.as_deref() {
        Some(original) => Some(original_case(&app, original).await?),
        None => None,
    };
    let command = CaseCommand::ChangeStatus { to: request.status, reason: request.reason, duplicate_of };
    apply(&app, &operator, case_id, request.version, command).await
}

/// The case a duplicate names: by its id, or by the reference operators see everywhere (case,
/// spaces and dashes forgiven). Refused with the field named: `invalid_reference` for text that
/// is neither, `unknown_case` for a reference no case has.
async fn original_case(app: &AppState, original: &str) -> Result<Uuid, ApiError> {
    if let Ok(case_id) = Uuid::try_parse(original.trim()) {
        return Ok(case_id);
    }
    let reference = Reference::parse(original).map_err(|refused| refused.within("duplicate_of"))?;
    app.store.case_id_by_reference(&reference).await?.ok_or_else(|| {
        Rejected::new("unknown_case", "duplicate_of", format!("no case has the reference {reference}")).into()
    })
}

/// Assign the case (`user_id`), or unassign it (`null`). Operators take free cases and release
/// their own; supervisors reassign.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/assignment",
    tag = "workflow",
    params(("case_id" = Uuid, Path)),
    request_body = AssignmentRequest,
    security(("session" = [])),
    responses(ActionResponses)
)]
pub async fn post_assignment(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<AssignmentRequest>,
) -> Result<Json<ActionApplied>, ApiError> {
    apply(&app, &operator, case_id, request.version, CaseCommand::Assign { to: request.user_id }).await
}

/// Add an operator's note (never shown to citizens).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/notes",
    tag = "workflow",
    params(("case_id" = Uuid, Path)),
    request_body = NoteRequest,
    security(("session" = [])),
    responses(ActionResponses)
)]
pub async fn post_note(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<NoteRequest>,
) -> Result<Json<ActionApplied>, ApiError> {
    let command = CaseCommand::AddNote { note_id: Uuid::now_v7(), text: request.text };
    apply(&app, &operator, case_id, request.version, command).await
}

/// Record a contact attempt. The first one that reaches someone stamps time to first contact.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/contacts",
    tag = "workflow",
    params(("case_id" = Uuid, Path)),
    request_body = ContactRequest,
    security(("session" = [])),
    responses(ActionResponses)
)]
pub async fn post_contact(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<ContactRequest>,
) -> Result<Json<ActionApplied>, ApiError> {
    let command = CaseCommand::RecordContact {
        contact_id: Uuid::now_v7(),
        channel: request.channel,
        outcome: request.outcome,
        note: request.note,
    };
    apply(&app, &operator, case_id, request.version, command).await
}

/// Override the computed priority level, with a reason (supervisors and admins).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/priority",
    tag = "workflow",
    params(("case_id" = Uuid, Path)),
    request_body = PriorityRequest,
    security(("session" = [])),
    responses(ActionResponses)
)]
pub async fn post_priority(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<PriorityRequest>,
) -> Result<Json<ActionApplied>, ApiError> {
    let command = CaseCommand::OverridePriority { level: request.level, reason: request.reason };
    apply(&app, &operator, case_id, request.version, command).await
}
