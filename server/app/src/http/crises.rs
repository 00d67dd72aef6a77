//! `/api/v1/crises`: supervisors declare crises, edit them and move their phase; anyone lists
//! the open ones (the citizen form names them), staff read each in full; operators put a case
//! in a crisis (`/api/v1/cases/{case_id}/crisis`).
//!
//! Owns who may change a crisis (supervisors and admins) and that this node places reports by
//! the change before it answers (other nodes follow through their hub). Every change is an
//! event on the live stream.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use opsroom_domain::crisis::Crisis;
use opsroom_store::{CrisisOutcome, CrisisWrite, PlaceCase, PlaceOutcome};
use uuid::Uuid;

use crate::auth::{Operator, Supervisor};
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::state::AppState;
use crate::wire::{
    CasePlacedBody, CasePlacementRequest, CrisisBody, CrisisPhaseRequest, CrisisRequest, ErrorBody, PublicCrisisBody,
};

async fn run(app: &AppState, write: CrisisWrite) -> Result<Crisis, ApiError> {
    match app.store.crisis_write(write).await? {
        CrisisOutcome::Applied { crisis, .. } => {
            app.crises.reload().await?;
            Ok(crisis)
        }
        CrisisOutcome::NotFound => Err(ApiError::NotFound),
        CrisisOutcome::Refused(r) => Err(r.into()),
    }
}

/// Declare a crisis (supervisors and admins).
#[utoipa::path(
    post,
    path = "/api/v1/crises",
    tag = "crises",
    request_body = CrisisRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 201, description = "Declared; on the live stream; reports from its ground are placed in it", body = CrisisBody),
        (status = 409, description = "The slug is taken", body = ErrorBody),
        (status = 422, description = "Invalid content (the field says which)", body = ErrorBody),
    )
)]
pub async fn post_crisis(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiJson(request): ApiJson<CrisisRequest>,
) -> Result<(StatusCode, Json<CrisisBody>), ApiError> {
    let write = CrisisWrite::Declare {
        crisis_id: Uuid::now_v7(),
        input: request.to_domain(),
        by: operator.user.user_id,
        at: app.now_ms(),
    };
    let crisis = run(&app, write).await?;
    Ok((StatusCode::CREATED, Json(CrisisBody::from(&crisis))))
}

/// The open crises (public), latest declared first: what the citizen form and partners name.
#[utoipa::path(
    get,
    path = "/api/v1/crises",
    tag = "crises",
    responses((status = 200, description = "Open crises, latest first", body = [PublicCrisisBody]))
)]
pub async fn list_crises(State(app): State<AppState>) -> Json<Vec<PublicCrisisBody>> {
    Json(app.crises.index().open().into_iter().map(PublicCrisisBody::from).collect())
}

/// Every crisis, open and closed, in full (operators).
#[utoipa::path(
    get,
    path = "/api/v1/crises/all",
    tag = "crises",
    security(("session" = [])),
    responses((status = 200, description = "Latest declared first", body = [CrisisBody]))
)]
pub async fn list_all_crises(
    State(app): State<AppState>,
    _operator: Operator,
) -> Result<Json<Vec<CrisisBody>>, ApiError> {
    Ok(Json(app.store.crises().await?.iter().map(CrisisBody::from).collect()))
}

/// One crisis in full (operators).
#[utoipa::path(
    get,
    path = "/api/v1/crises/{slug}",
    tag = "crises",
    params(("slug" = String, Path)),
    security(("session" = [])),
    responses((status = 200, body = CrisisBody), (status = 404, description = "No such crisis", body = ErrorBody))
)]
pub async fn get_crisis(
    State(app): State<AppState>,
    _operator: Operator,
    Path(slug): Path<String>,
) -> Result<Json<CrisisBody>, ApiError> {
    let index = app.crises.index();
    let crisis = index.by_slug(&slug).ok_or(ApiError::NotFound)?;
    Ok(Json(CrisisBody::from(crisis)))
}

/// Change a crisis's name, countries or ground (supervisors and admins); a new version.
#[utoipa::path(
    put,
    path = "/api/v1/crises/{slug}",
    tag = "crises",
    params(("slug" = String, Path)),
    request_body = CrisisRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, description = "The crisis as it now stands", body = CrisisBody),
        (status = 404, description = "No such crisis", body = ErrorBody),
        (status = 409, description = "The crisis is closed", body = ErrorBody),
        (status = 422, description = "Invalid content, or nothing to change", body = ErrorBody),
    )
)]
pub async fn put_crisis(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<CrisisRequest>,
) -> Result<Json<CrisisBody>, ApiError> {
    let write = CrisisWrite::Edit { slug, input: request.to_domain(), by: operator.user.user_id, at: app.now_ms() };
    Ok(Json(CrisisBody::from(&run(&app, write).await?)))
}

/// Move a crisis to another phase (supervisors and admins); `closed` ends it, and no report is
/// placed in it after.
#[utoipa::path(
    post,
    path = "/api/v1/crises/{slug}/phase",
    tag = "crises",
    params(("slug" = String, Path)),
    request_body = CrisisPhaseRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, description = "The crisis in its new phase", body = CrisisBody),
        (status = 404, description = "No such crisis", body = ErrorBody),
        (status = 409, description = "The crisis is closed", body = ErrorBody),
        (status = 422, description = "Already in that phase", body = ErrorBody),
    )
)]
pub async fn post_phase(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    Path(slug): Path<String>,
    ApiJson(request): ApiJson<CrisisPhaseRequest>,
) -> Result<Json<CrisisBody>, ApiError> {
    let write = CrisisWrite::ChangePhase { slug, to: request.phase, by: operator.user.user_id, at: app.now_ms() };
    Ok(Json(CrisisBody::from(&run(&app, write).await?)))
}

/// Put a case in a crisis, or back among the unplaced (operators sorting the unplaced queue, or
/// correcting where a report was placed). A closed crisis takes no case.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{case_id}/crisis",
    tag = "crises",
    params(("case_id" = Uuid, Path)),
    request_body = CasePlacementRequest,
    security(("session" = [])),
    responses(
        (status = 200, description = "The case's crisis now; a `case_placed` event unless it already was there", body = CasePlacedBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "The crisis is closed", body = ErrorBody),
        (status = 422, description = "No crisis of that name", body = ErrorBody),
    )
)]
pub async fn put_case_crisis(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<CasePlacementRequest>,
) -> Result<Json<CasePlacedBody>, ApiError> {
    let crisis_id = match request.crisis.as_deref() {
        None => None,
        Some(slug) => Some(crate::crises::open_named(&app.crises.index(), slug, "crisis")?.crisis_id),
    };
    let place = PlaceCase { case_id, crisis_id, by: operator.user.user_id, at: app.now_ms() };
    let seq = match app.store.place_case(place).await? {
        PlaceOutcome::Placed { seq } => Some(seq),
        PlaceOutcome::Unchanged => None,
        PlaceOutcome::NotFound => return Err(ApiError::NotFound),
    };
    Ok(Json(CasePlacedBody { case_id, crisis_id, seq }))
}
