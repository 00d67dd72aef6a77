//! Places: assembly points, border crossings, airports and ports (supervisors and admins
//! declare them, every operator reads them).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::evacuation::place::Place;
use opsroom_store::EvacuationWrite;
use uuid::Uuid;

use super::outcome;
use crate::auth::{Operator, Supervisor};
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::state::AppState;
use crate::wire::{ErrorBody, PlaceBody, PlaceRequest};

/// Every place (operators).
#[utoipa::path(get, path = "/api/v1/places", tag = "evacuation",
    security(("session" = [])),
    responses((status = 200, body = [PlaceBody]), (status = 401, body = ErrorBody)))]
pub async fn list_places(State(app): State<AppState>, _operator: Operator) -> Result<Json<Vec<PlaceBody>>, ApiError> {
    Ok(Json(app.store.places().await?.iter().map(PlaceBody::from).collect()))
}

/// Register an assembly point, a border crossing, an airport or a port (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/places", tag = "evacuation", request_body = PlaceRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 201, description = "Registered; `place_saved` on the live stream", body = PlaceBody),
        (status = 403, description = "Not a supervisor or admin", body = ErrorBody),
        (status = 422, description = "Invalid (the field says which)", body = ErrorBody),
    ))]
pub async fn post_place(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiJson(request): ApiJson<PlaceRequest>,
) -> Result<(StatusCode, Json<PlaceBody>), ApiError> {
    let place = Place::parse(Uuid::now_v7(), 1, &request.to_domain())?;
    let write =
        EvacuationWrite::SavePlace { place: place.clone(), create: true, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok((StatusCode::CREATED, Json(PlaceBody::from(&place))))
}

/// Replace a place's kind, names and position (supervisors and admins).
#[utoipa::path(put, path = "/api/v1/places/{place_id}", tag = "evacuation", request_body = PlaceRequest,
    params(("place_id" = Uuid, Path)),
    security(("session" = ["supervisor"])),
    responses((status = 200, body = PlaceBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_place(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(place_id): UuidPath,
    ApiJson(request): ApiJson<PlaceRequest>,
) -> Result<Json<PlaceBody>, ApiError> {
    let place = Place::parse(place_id, 1, &request.to_domain())?;
    let write = EvacuationWrite::SavePlace { place, create: false, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    let saved = app.store.place(place_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(PlaceBody::from(&saved)))
}
