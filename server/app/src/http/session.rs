//! `/api/v1/session`: operator sign-in, the current user, sign-out.
//!
//! Owns the login answer's timing: an unknown name costs the same argon2 verification as a wrong
//! password, and both get the same 401, so the answer does not reveal which names exist.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use opsroom_store::{NewSession, SessionUser};

use crate::auth::{self, Operator, SESSION_HASH_DOMAIN};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::ApiJson;
use crate::secrets;
use crate::server::AppState;
use crate::wire::{SessionInfo, SessionRequest};

/// Sign in. Sets an HttpOnly, SameSite=Strict session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = SessionRequest,
    responses(
        (status = 201, description = "Signed in; the cookie is set", body = SessionInfo),
        (status = 401, description = "Wrong name or password", body = ErrorBody),
        (status = 422, description = "Missing fields", body = ErrorBody),
    )
)]
pub async fn post_session(
    State(app): State<AppState>,
    ApiJson(request): ApiJson<SessionRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let name = request.name.trim().to_ascii_lowercase();
    let user =
        if name.is_empty() || request.password.len() > 1024 { None } else { app.store.user_by_name(&name).await? };
    let phc = user.as_ref().map_or_else(|| app.decoy_password_hash.clone(), |u| u.password_hash.clone());
    let verified =
        auth::verify_password(request.password, phc).await.map_err(|busy| ApiError::Unavailable(busy.to_string()))?;
    let Some(user) = user.filter(|_| verified) else {
        tracing::info!(name = %name, "failed sign-in");
        return Err(ApiError::Unauthenticated);
    };

    let token = secrets::new_token();
    let now = app.now_ms();
    let ttl = app.config.session_ttl;
    let expires_at = now + ttl.as_millis() as i64;
    app.store
        .open_session(NewSession {
            token_hash: secrets::token_hash(SESSION_HASH_DOMAIN, &token),
            user_id: user.user_id,
            created_at: now,
            expires_at,
        })
        .await?;
    tracing::info!(user = %user.name, "signed in");
    let info = SessionInfo::from(&SessionUser { user_id: user.user_id, name: user.name, role: user.role, expires_at });
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, auth::session_cookie(&token, ttl.as_secs(), &app.config))]),
        Json(info),
    ))
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "session",
    responses(
        (status = 200, description = "Signed in", body = SessionInfo),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn get_session(operator: Operator) -> Json<SessionInfo> {
    Json(SessionInfo::from(&operator.user))
}

/// Sign out: the session ends everywhere it is used, including open live streams.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn delete_session(State(app): State<AppState>, operator: Operator) -> Result<impl IntoResponse, ApiError> {
    app.store.close_session(operator.session_hash).await?;
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(SET_COOKIE, auth::expired_session_cookie(&app.config))])))
}
