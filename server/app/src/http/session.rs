//! `/api/v1/session`: operator sign-in, the current user, sign-out.
//!
//! Owns the login answer's timing: an unknown name or a disabled account costs the same argon2
//! verification as a wrong password, and all get the same 401, so the answer reveals neither
//! which names exist nor which are disabled.

use axum::Json;
use axum::extract::State;
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use opsroom_store::{NewSession, SessionUser};

use crate::auth::{Operator, SESSION_HASH_DOMAIN};
use crate::http::error::ApiError;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::wire::{ErrorBody, SessionInfo, SessionRequest};
use crate::{auth, secrets};

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
    extensions: Extensions,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SessionRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let name = request.name.trim().to_ascii_lowercase();
    let user =
        if name.is_empty() || request.password.len() > 1024 { None } else { app.store.user_by_name(&name).await? };
    // A disabled account is verified like any other, so its answer takes as long as a wrong
    // password's and looks the same.
    let user = user.filter(|u| !u.disabled);
    let phc = user.as_ref().map_or_else(|| app.decoy_password_hash.clone(), |u| u.password_hash.clone());
    let verified = auth::verify_password(request.password, phc.clone())
        .await
        .map_err(|busy| ApiError::Unavailable(busy.to_string()))?;
    let Some(user) = user.filter(|_| verified) else {
        tracing::info!(name = %name, "failed sign-in");
        return Err(ApiError::Unauthenticated);
    };

    let token = secrets::new_token();
    let now = app.now_ms();
    let ttl = app.config.session_ttl;
    let expires_at = now + ttl.as_millis() as i64;
    let peer = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let opened = app
        .store
        .open_session(NewSession {
            token_hash: secrets::token_hash(SESSION_HASH_DOMAIN, &token),
            user_id: user.user_id,
            password_hash: phc,
            created_at: now,
            expires_at,
            client_address: app.rate_limiter.address(peer, &headers).map(|ip| ip.to_string()),
            user_agent: headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(stored_user_agent),
        })
        .await?;
    if !opened {
        // Disabled, or given a new password, while the password was being checked.
        tracing::info!(name = %name, "sign-in lost a race with an account change");
        return Err(ApiError::Unauthenticated);
    }
    tracing::info!(user = %user.name, "signed in");
    let info = SessionInfo::new(
        &SessionUser { user_id: user.user_id, name: user.name, role: user.role, expires_at, last_seen_at: now },
        &app.config.time_zone,
    );
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, auth::session_cookie(&token, ttl.as_secs(), &app.config))]),
        Json(info),
    ))
}

/// Longest user agent kept with a session (they are for people to recognise a device by).
const MAX_USER_AGENT_CHARS: usize = 200;

/// A user agent as it is kept: printable characters only, cut to a length people read.
fn stored_user_agent(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT_CHARS).collect()
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "session",
    security(("session" = [])),
    responses(
        (status = 200, description = "Signed in", body = SessionInfo),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn get_session(State(app): State<AppState>, operator: Operator) -> Json<SessionInfo> {
    Json(SessionInfo::new(&operator.user, &app.config.time_zone))
}

/// Sign out: the session ends everywhere it is used, including open live streams.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    security(("session" = [])),
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn delete_session(State(app): State<AppState>, operator: Operator) -> Result<impl IntoResponse, ApiError> {
    app.store.close_session(operator.session_hash).await?;
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(SET_COOKIE, auth::expired_session_cookie(&app.config))])))
}
