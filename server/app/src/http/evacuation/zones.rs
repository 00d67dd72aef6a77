//! Danger zones and safe corridors: declared, changed and lifted by supervisors and admins;
//! declaring one flags the open cases inside it (the store does, by the zone's cells).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::evacuation::zone::{Zone, ZoneCover};
use opsroom_store::EvacuationWrite;
use uuid::Uuid;

use super::outcome;
use crate::auth::{Operator, Supervisor};
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::state::AppState;
use crate::wire::{ErrorBody, ZoneBody, ZoneRequest};

/// Validate and tile a zone off the async runtime: a zone of 200,000 km² takes a third of a
/// second to tile, which would stall every other request on this thread.
async fn tiled(zone_id: Uuid, request: &ZoneRequest) -> Result<(Zone, ZoneCover), ApiError> {
    let input = request.to_domain();
    let tiling = tokio::task::spawn_blocking(move || Zone::parse(zone_id, 1, &input));
    Ok(tiling.await.map_err(|e| ApiError::Unavailable(format!("tiling the zone: {e}")))??)
}

async fn zone_body(app: &AppState, zone_id: Uuid) -> Result<ZoneBody, ApiError> {
    let zones = app.store.zones().await?;
    zones.iter().find(|z| z.zone.zone_id == zone_id).map(ZoneBody::from).ok_or(ApiError::NotFound)
}

/// Every zone, newest first, lifted ones too (operators).
#[utoipa::path(get, path = "/api/v1/zones", tag = "evacuation",
    security(("session" = [])),
    responses((status = 200, body = [ZoneBody]), (status = 401, body = ErrorBody)))]
pub async fn list_zones(State(app): State<AppState>, _operator: Operator) -> Result<Json<Vec<ZoneBody>>, ApiError> {
    Ok(Json(app.store.zones().await?.iter().map(ZoneBody::from).collect()))
}

/// Declare a danger zone or a safe corridor (supervisors and admins). A danger zone flags every
/// open case inside it and raises its priority with the reason `danger_zone`, each a
/// `danger_zone_flagged` event; reports that arrive inside it later are flagged on arrival.
#[utoipa::path(post, path = "/api/v1/zones", tag = "evacuation", request_body = ZoneRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 201, description = "Declared; on the live stream with every case it flagged", body = ZoneBody),
        (status = 403, description = "Not a supervisor or admin", body = ErrorBody),
        (status = 422, description = "Invalid polygon, too large, or missing names (field `area`, `name.ar`…)", body = ErrorBody),
    ))]
pub async fn post_zone(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiJson(request): ApiJson<ZoneRequest>,
) -> Result<(StatusCode, Json<ZoneBody>), ApiError> {
    let (zone, cover) = tiled(Uuid::now_v7(), &request).await?;
    let zone_id = zone.zone_id;
    let write = EvacuationWrite::DeclareZone { zone, cover, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok((StatusCode::CREATED, Json(zone_body(&app, zone_id).await?)))
}

/// Redraw or rename a zone (supervisors and admins): cases newly inside a danger zone are
/// flagged, cases no longer inside lose the flag (listed in the event's `cleared`).
#[utoipa::path(put, path = "/api/v1/zones/{zone_id}", tag = "evacuation", request_body = ZoneRequest,
    params(("zone_id" = Uuid, Path)),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, body = ZoneBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The zone was lifted", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn put_zone(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(zone_id): UuidPath,
    ApiJson(request): ApiJson<ZoneRequest>,
) -> Result<Json<ZoneBody>, ApiError> {
    let (zone, cover) = tiled(zone_id, &request).await?;
    let write = EvacuationWrite::ChangeZone { zone, cover, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok(Json(zone_body(&app, zone_id).await?))
}

/// Lift a zone (supervisors and admins): its cases lose the flag; their priority stays (a
/// supervisor may lower it by hand).
#[utoipa::path(post, path = "/api/v1/zones/{zone_id}/lifting", tag = "evacuation",
    params(("zone_id" = Uuid, Path)),
    security(("session" = ["supervisor"])),
    responses((status = 200, body = ZoneBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn post_lifting(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(zone_id): UuidPath,
) -> Result<Json<ZoneBody>, ApiError> {
    let write = EvacuationWrite::LiftZone { zone_id, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok(Json(zone_body(&app, zone_id).await?))
}
