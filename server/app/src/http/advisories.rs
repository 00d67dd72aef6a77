//! Advisories: supervisors publish, update and withdraw them; everyone reads the current ones,
//! as JSON or as CAP 1.2.
//!
//! Owns who may publish (supervisors and admins) and the public reads. Every change is an event
//! on the live stream, so operators see it at once; versions are kept (`/history`).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use opsroom_domain::advisory::{Advisory, AdvisoryContent};
use opsroom_domain::clock::Timestamp;
use opsroom_store::{AdvisoryCommand, AdvisoryOutcome};
use uuid::Uuid;

use crate::auth::{Operator, Supervisor};
use crate::cap;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiQuery, UuidPath};
use crate::state::AppState;
use crate::wire::{AdvisoryBody, AdvisoryQuery, AdvisoryRequest, ErrorBody};

fn content(app: &AppState, request: &AdvisoryRequest) -> Result<AdvisoryContent, ApiError> {
    let mut input = request.to_domain().map_err(ApiError::Unprocessable)?;
    if let Some(slug) = request.crisis.as_deref() {
        input.crisis_id = Some(crate::crises::named(&app.crises.index(), slug, "crisis")?.crisis_id);
    }
    Ok(AdvisoryContent::parse(&input, Timestamp::from_millis(app.now_ms()))?)
}

async fn run(app: &AppState, command: AdvisoryCommand) -> Result<Advisory, ApiError> {
    match app.store.advisory(command).await? {
        AdvisoryOutcome::Applied { advisory, .. } => Ok(*advisory),
        AdvisoryOutcome::NotFound => Err(ApiError::NotFound),
        AdvisoryOutcome::Refused(r) => Err(r.into()),
    }
}

/// Publish an advisory (supervisors and admins).
#[utoipa::path(
    post,
    path = "/api/v1/advisories",
    tag = "advisories",
    request_body = AdvisoryRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 201, description = "Published; on the live stream", body = AdvisoryBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a supervisor or admin", body = ErrorBody),
        (status = 422, description = "Invalid content (the field says which)", body = ErrorBody),
    )
)]
pub async fn post_advisory(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiJson(request): ApiJson<AdvisoryRequest>,
) -> Result<(StatusCode, Json<AdvisoryBody>), ApiError> {
    let content = content(&app, &request)?;
    let now = Timestamp::from_millis(app.now_ms());
    let advisory = Advisory::publish(Uuid::now_v7(), content, operator.user.user_id, now);
    let advisory = run(&app, AdvisoryCommand::Publish(advisory)).await?;
    Ok((StatusCode::CREATED, Json(AdvisoryBody::from(&advisory))))
}

/// The current advisories (public): not withdrawn, not expired; with `crisis`, those that
/// speak to it (its own and those for every crisis).
#[utoipa::path(
    get,
    path = "/api/v1/advisories",
    tag = "advisories",
    params(AdvisoryQuery),
    responses((status = 200, description = "Newest first", body = [AdvisoryBody]), (status = 400, body = ErrorBody))
)]
pub async fn list_advisories(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<AdvisoryQuery>,
) -> Result<Json<Vec<AdvisoryBody>>, ApiError> {
    let crisis = match query.crisis.as_deref() {
        None => None,
        Some(slug) => Some(
            app.crises
                .index()
                .by_slug(slug)
                .map(|c| c.crisis_id)
                .ok_or_else(|| ApiError::invalid_query("crisis", "crisis must be a crisis's slug"))?,
        ),
    };
    let current = current_advisories(&app).await?;
    let speaks_to = |a: &&Advisory| crisis.is_none() || a.content.crisis_id.is_none_or(|mine| Some(mine) == crisis);
    Ok(Json(current.iter().filter(speaks_to).map(AdvisoryBody::from).collect()))
}

/// Advisories shown to the public now.
pub async fn current_advisories(app: &AppState) -> Result<Vec<Advisory>, ApiError> {
    let now = Timestamp::from_millis(app.now_ms());
    Ok(app.store.advisories().await?.into_iter().filter(|a| a.is_current(now)).collect())
}

/// Replace an advisory's content (supervisors and admins); a new version.
#[utoipa::path(
    put,
    path = "/api/v1/advisories/{advisory_id}",
    tag = "advisories",
    params(("advisory_id" = Uuid, Path)),
    request_body = AdvisoryRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, description = "The new version", body = AdvisoryBody),
        (status = 404, description = "No such advisory", body = ErrorBody),
        (status = 409, description = "Withdrawn advisories cannot be updated", body = ErrorBody),
        (status = 422, description = "Invalid content", body = ErrorBody),
    )
)]
pub async fn put_advisory(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(advisory_id): UuidPath,
    ApiJson(request): ApiJson<AdvisoryRequest>,
) -> Result<Json<AdvisoryBody>, ApiError> {
    let content = content(&app, &request)?;
    let command = AdvisoryCommand::Update { advisory_id, content, by: operator.user.user_id, at: app.now_ms() };
    Ok(Json(AdvisoryBody::from(&run(&app, command).await?)))
}

/// Withdraw an advisory (supervisors and admins). It stops being shown; its history stays.
#[utoipa::path(
    post,
    path = "/api/v1/advisories/{advisory_id}/withdrawal",
    tag = "advisories",
    params(("advisory_id" = Uuid, Path)),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, description = "Withdrawn (a new version)", body = AdvisoryBody),
        (status = 404, description = "No such advisory", body = ErrorBody),
        (status = 409, description = "Already withdrawn", body = ErrorBody),
    )
)]
pub async fn post_withdrawal(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(advisory_id): UuidPath,
) -> Result<Json<AdvisoryBody>, ApiError> {
    let command = AdvisoryCommand::Withdraw { advisory_id, by: operator.user.user_id, at: app.now_ms() };
    Ok(Json(AdvisoryBody::from(&run(&app, command).await?)))
}

/// Every version of an advisory, oldest first (operators).
#[utoipa::path(
    get,
    path = "/api/v1/advisories/{advisory_id}/history",
    tag = "advisories",
    params(("advisory_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = [AdvisoryBody]), (status = 404, body = ErrorBody))
)]
pub async fn get_history(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(advisory_id): UuidPath,
) -> Result<Json<Vec<AdvisoryBody>>, ApiError> {
    let versions = app.store.advisory_versions(advisory_id).await?;
    if versions.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(versions.iter().map(AdvisoryBody::from).collect()))
}

/// The advisory's latest version as a CAP 1.2 `alert` (public; a withdrawn one is a `Cancel`).
#[utoipa::path(
    get,
    path = "/api/v1/advisories/{advisory_id}/cap",
    tag = "advisories",
    params(("advisory_id" = Uuid, Path)),
    responses(
        (status = 200, description = "CAP 1.2 XML", content_type = "application/xml"),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn get_cap(
    State(app): State<AppState>,
    UuidPath(advisory_id): UuidPath,
) -> Result<impl IntoResponse, ApiError> {
    let mut versions = app.store.advisory_versions(advisory_id).await?;
    let latest = versions.pop().ok_or(ApiError::NotFound)?;
    let xml = cap::render(&latest, &versions, &app.config.cap_sender);
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml))
}
