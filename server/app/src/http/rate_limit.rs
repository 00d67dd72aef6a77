//! Rate limits on the public endpoints (report intake, the form, tracking links, advisories,
//! sign-in): a middleware for the JSON API, and [`Admission`] for the pages, which answer
//! over-limit requests themselves in the page's language. The rule and the buckets are
//! `crate::limiter`'s; this module decides who is counted: signed-in staff are not.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{SESSION_HASH_DOMAIN, session_token};
use crate::http::error::ApiError;
use crate::secrets;
use crate::state::AppState;

/// Take one request of this client's allowance; over it, the 429 to answer.
fn admit(app: &AppState, extensions: &Extensions, headers: &HeaderMap) -> Result<(), ApiError> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    match app.rate_limiter.client(peer, headers) {
        Some(client) => app
            .rate_limiter
            .check(client, Instant::now())
            .map_err(|wait| ApiError::TooManyRequests(wait.as_secs().max(1))),
        None => Ok(()),
    }
}

/// Middleware for the public API routes: 429 (JSON) with `Retry-After` over the limit. Requests
/// with a live staff session are not counted: an ops room behind one address reads advisories
/// and its session often, and a forged cookie costs one indexed lookup before being counted.
pub async fn limit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let staff = match session_token(request.headers(), &app.config) {
        Some(token) => {
            let hash = secrets::token_hash(SESSION_HASH_DOMAIN, token);
            matches!(crate::auth::live_session(&app, &hash).await, Ok(Some(_)))
        }
        None => false,
    };
    if !staff && let Err(refusal) = admit(&app, request.extensions(), request.headers()) {
        return refusal.into_response();
    }
    next.run(request).await
}

/// The same limit for handlers that answer a refusal themselves (the public pages, which say it
/// in the page's language and keep what was typed): `Err` holds the 429 to render.
pub struct Admission(pub Result<(), ApiError>);

impl FromRequestParts<AppState> for Admission {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Admission(admit(app, &parts.extensions, &parts.headers)))
    }
}
