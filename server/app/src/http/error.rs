//! The one error type of the HTTP API (its JSON shape is `wire::errors`'s).
//!
//! Every handler returns `Result<_, ApiError>`; this module is the only place that decides a
//! status code for a failure. Body: `{"error":{"code","message","field"}}`, and for a request
//! checked whole (a report) also `errors`, every refused field; `code`, `message` and `field` stay
//! the first one's, so clients that read only those keep working. A 5xx is logged with its cause
//! and answered without it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use opsroom_domain::{Rejected, RejectionKind};
use opsroom_store::StoreError;

use crate::wire::{ConflictBody, ErrorBody, FieldProblem, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is not well-formed (not JSON, bad header or query syntax).
    #[error("bad request: {}", .0.message)]
    BadRequest(Problem),
    /// 401: no valid session or token.
    #[error("not signed in")]
    Unauthenticated,
    /// 403: signed in, but this is not allowed (also: a websocket from a foreign origin).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 403: a state-changing request carrying our cookie (or a form post) came from another
    /// site; see `http::guard`.
    #[error("cross-origin request refused")]
    CrossOrigin,
    /// 408: the request's body did not arrive within the body deadline.
    #[error("request body timed out")]
    RequestTimeout,
    /// 404: no such thing, or not yours to see; the two are never distinguished.
    #[error("not found")]
    NotFound,
    /// 405: the path exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the case changed since the caller saw it; the answer carries it as it is now.
    #[error("version conflict")]
    Conflict(Box<crate::wire::CaseSummaryBody>),
    /// 409: the thing is in a state that does not allow this (e.g. an advisory already withdrawn).
    #[error("conflict: {}", .0.message)]
    StateConflict(Problem),
    /// 413: the body is larger than this endpoint accepts.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: well-formed, but the content is refused (validation, reused idempotency key).
    #[error("unprocessable: {}", .0.message)]
    Unprocessable(Problem),
    /// 429: this client sent too many requests; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests(u64),
    /// 502: a partner's endpoint did not take what we sent it (a webhook replay).
    #[error("bad gateway: {0}")]
    BadGateway(String),
    /// 503: the store is failing, busy or shutting down; retry (with the same Idempotency-Key for
    /// reports: on PostgreSQL a connection lost during COMMIT leaves the outcome unknown).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug. Logged with its cause; answered without it.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A domain refusal by its kind: invalid input is a 422, a conflicting state a 409.
impl From<Rejected> for ApiError {
    fn from(r: Rejected) -> Self {
        let problem = Problem::new(r.code, r.message, r.field);
        match r.kind {
            RejectionKind::Invalid => ApiError::Unprocessable(problem),
            RejectionKind::Conflict => ApiError::StateConflict(problem),
        }
    }
}

/// Every refusal of a request the domain checked whole (never an empty list).
impl From<Vec<Rejected>> for ApiError {
    fn from(refusals: Vec<Rejected>) -> Self {
        let each =
            refusals.into_iter().map(|r| FieldProblem { code: r.code.into(), message: r.message, field: r.field });
        match Problem::all(each.collect()) {
            Some(problem) => ApiError::Unprocessable(problem),
            None => ApiError::Internal("a refusal without a reason".into()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Closed => ApiError::Unavailable("the server is shutting down".into()),
            StoreError::Database(_) | StoreError::Corrupt(_) | StoreError::BatchFailed(_) => {
                ApiError::Unavailable(error.to_string())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// 400 `invalid_query`: a query parameter (`field`) the route cannot take, the same answer
    /// on every list route.
    pub fn invalid_query(field: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest(Problem::new("invalid_query", message, Some(field.into())))
    }

    pub fn status_and_problem(&self) -> (StatusCode, Problem) {
        let plain = |code: &str, message: &str| Problem::new(code, message, None);
        match self {
            ApiError::BadRequest(p) => (StatusCode::BAD_REQUEST, p.clone()),
            ApiError::Unauthenticated => {
                (StatusCode::UNAUTHORIZED, plain("unauthenticated", "sign in to use this endpoint"))
            }
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, plain("forbidden", why)),
            ApiError::CrossOrigin => (
                StatusCode::FORBIDDEN,
                plain("cross_origin", "this request came from another site; use Opsroom's own pages"),
            ),
            ApiError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                plain("request_timeout", "the request's body did not arrive in time; send it again"),
            ),
            ApiError::NotFound => (StatusCode::NOT_FOUND, plain("not_found", "no such resource")),
            ApiError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, plain("method_not_allowed", "this method is not allowed here"))
            }
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, plain("payload_too_large", "the request body is too large"))
            }
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                plain("unsupported_media_type", "send the body as application/json"),
            ),
            ApiError::Unprocessable(p) => (StatusCode::UNPROCESSABLE_ENTITY, p.clone()),
            ApiError::StateConflict(p) => (StatusCode::CONFLICT, p.clone()),
            ApiError::Conflict(_) => (
                StatusCode::CONFLICT,
                Problem::new(
                    "version_conflict",
                    "someone changed this case since you loaded it; here it is as it stands now",
                    Some("version".into()),
                ),
            ),
            ApiError::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                plain("rate_limited", "too many requests from your address; wait a minute and try again"),
            ),
            ApiError::BadGateway(why) => (
                StatusCode::BAD_GATEWAY,
                Problem::new("endpoint_failed", format!("the partner's endpoint did not take it: {why}"), None),
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                plain("unavailable", "this was not carried out; please try again in a moment"),
            ),
            ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, plain("internal", "something went wrong on our side"))
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, problem) = self.status_and_problem();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        if let ApiError::Conflict(case) = self {
            return (status, Json(ConflictBody { error: problem, case: *case })).into_response();
        }
        if let ApiError::TooManyRequests(seconds) = self {
            return (
                status,
                [(axum::http::header::RETRY_AFTER, seconds.to_string())],
                Json(ErrorBody { error: problem }),
            )
                .into_response();
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            return (status, [(axum::http::header::RETRY_AFTER, "2")], Json(ErrorBody { error: problem }))
                .into_response();
        }
        (status, Json(ErrorBody { error: problem })).into_response()
    }
}
