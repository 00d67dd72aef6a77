//! `GET /api/v1/live`: the operators' live event stream over a websocket.
//!
//! Owns the handshake checks: a signed-in operator, and an `Origin` that is allowed (same origin
//! by default), so a page on another site cannot ride an operator's cookie into the stream.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::live::socket;
use crate::state::AppState;
use crate::wire::Problem;

/// Open the live stream. After the upgrade, send `{"type":"subscribe","since":null}` (snapshot
/// position, then every later event) or `{"type":"subscribe","since":N}` (every event after N,
/// then live). Every event message: `{"type":"event","seq","kind","case_id","at","data"}`.
#[utoipa::path(
    get,
    path = "/api/v1/live",
    tag = "live",
    security(("session" = [])),
    responses(
        (status = 101, description = "Switching to the websocket protocol"),
        (status = 401, description = "Not signed in", body = crate::wire::ErrorBody),
        (status = 403, description = "Origin not allowed", body = crate::wire::ErrorBody),
    )
)]
pub async fn get_live(
    State(app): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let upgrade = checked_upgrade(&app, &headers, upgrade)?;
    let tasks = app.tasks.clone();
    Ok(upgrade.on_upgrade(move |socket| tasks.track_future(socket::serve(socket, app, operator.session_hash))))
}

/// The handshake checks every live stream makes: a websocket upgrade (400 otherwise) from an
/// allowed origin (403 otherwise).
pub fn checked_upgrade(
    app: &AppState,
    headers: &HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<WebSocketUpgrade, ApiError> {
    let upgrade = upgrade
        .map_err(|rejection| ApiError::BadRequest(Problem::new("websocket_required", rejection.body_text(), None)))?;
    if !crate::origin::origin_allowed(headers, &app.config) {
        return Err(ApiError::Forbidden("this origin may not open the live stream"));
    }
    // Clients only ever send a small `subscribe`: a 4 KiB read buffer instead of the default
    // 128 KiB keeps an idle subscriber cheap, and a 64 KiB cap stops anyone sending megabytes.
    Ok(upgrade.read_buffer_size(READ_BUFFER).max_message_size(MAX_CLIENT_MESSAGE).max_frame_size(MAX_CLIENT_MESSAGE))
}

/// Read buffer of a live connection, in bytes.
const READ_BUFFER: usize = 4 * 1024;
/// Largest message a live client may send, in bytes.
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;
