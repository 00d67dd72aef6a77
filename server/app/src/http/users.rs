//! `GET /api/v1/users`: who can be assigned a case (names and roles, no secrets).

use axum::Json;
use axum::extract::State;

use crate::auth::Operator;
use crate::http::error::{ApiError, ErrorBody};
use crate::server::AppState;
use crate::wire::UserBody;

/// Every operator account, by name.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "session",
    responses((status = 200, body = Vec<UserBody>), (status = 401, body = ErrorBody))
)]
pub async fn list_users(State(app): State<AppState>, _operator: Operator) -> Result<Json<Vec<UserBody>>, ApiError> {
    let users = app.store.users().await?;
    Ok(Json(users.into_iter().map(|u| UserBody { user_id: u.user_id, name: u.name, role: u.role }).collect()))
}
