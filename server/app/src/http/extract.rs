//! Request extractors whose rejections use the API's error shape.
//!
//! axum's own `Json` and `Query` answer rejections as `text/plain`; these answer with
//! [`ApiError`] and name the offending field (via `serde_path_to_error`).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::wire::Problem;

/// A JSON body. 415 if not `application/json`, 413 if over the route's body limit, 400 if not
/// JSON, 422 if the JSON does not fit `T` (with the field path).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = JsonBody::from_request(req, state).await?;
        body.parse().map(ApiJson)
    }
}

/// A JSON body that may be left out: an empty body (with or without a content type) is `T`'s
/// default; anything else is read like [`ApiJson`].
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes =
            Bytes::from_request(Request::from_parts(parts.clone(), body), state).await.map_err(unreadable_body)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::from_request(request, state).await.map(|ApiJson(value)| OptionalJson(value))
    }
}

/// A body that could not be read: over the route's size limit (413), too slow (408), or broken
/// (400).
pub fn unreadable_body(rejection: axum::extract::rejection::BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else if crate::http::guard::is_body_timeout(&rejection) {
        ApiError::RequestTimeout
    } else {
        ApiError::BadRequest(Problem::new("unreadable_body", rejection.body_text(), None))
    }
}

/// A JSON body that has passed the content-type and size checks and parses as JSON, kept as a
/// value so a handler can both hash it and read it.
#[derive(Debug)]
pub struct JsonBody(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(unreadable_body)?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::BadRequest(Problem::new("invalid_json", format!("the body is not valid JSON: {e}"), None))
        })
    }
}

impl JsonBody {
    /// Read the value as `T`; a mismatch is a 422 naming the field. Every body of this API is
    /// an object, so anything else is refused up front with a plain message.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.0.is_object() {
            return Err(ApiError::Unprocessable(Problem::new("invalid_body", "the body must be a JSON object", None)));
        }
        serde_path_to_error::deserialize(&self.0).map_err(|e| {
            let path = e.path().to_string();
            let field = (path != ".").then_some(path);
            ApiError::Unprocessable(Problem::new("invalid_field", e.inner().to_string(), field))
        })
    }

    /// The body in canonical form (object keys sorted, no whitespace): two requests with the same
    /// content have the same canonical form however the client spaced or ordered them.
    pub fn canonical(&self) -> String {
        // serde_json's Map is a BTreeMap (the `preserve_order` feature is off), so keys are sorted.
        self.0.to_string()
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// A query string. 400 if it does not fit `T` (serde's message names the parameter).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query).map(ApiQuery).map_err(|e| {
            // Name the parameter at fault: the first one that fails on its own (a missing
            // required one fails every pair alone, so it is not blamed on any of them).
            let field = query.split('&').find_map(|pair| {
                let fails_alone =
                    serde_urlencoded::from_str::<T>(pair).is_err_and(|e| !e.to_string().starts_with("missing field"));
                let name = serde_urlencoded::from_str::<Vec<(String, String)>>(pair).ok()?.pop()?.0;
                fails_alone.then_some(name)
            });
            ApiError::BadRequest(Problem::new("invalid_query", e.to_string(), field))
        })
    }
}

/// An id (case, advisory) in the path. Anything that is not a UUID (including bytes that are not UTF-8)
/// is a 404 like an unknown id: no way to tell malformed from missing.
#[derive(Debug, Clone, Copy)]
pub struct UuidPath(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for UuidPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound)?;
        uuid::Uuid::parse_str(&raw).map(UuidPath).map_err(|_| ApiError::NotFound)
    }
}

/// Two ids in the path (`/partners/{partner_id}/tokens/{token_id}`), with [`UuidPath`]'s rule.
#[derive(Debug, Clone, Copy)]
pub struct UuidPaths(pub uuid::Uuid, pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for UuidPaths {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((first, second)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::NotFound)?;
        let parse = |raw: &str| uuid::Uuid::parse_str(raw).map_err(|_| ApiError::NotFound);
        Ok(UuidPaths(parse(&first)?, parse(&second)?))
    }
}

/// A user's name in the path (`/users/{name}`), read as names are (trimmed, lower-cased). A name
/// that could not exist is a 404 like an unknown one.
#[derive(Debug, Clone)]
pub struct UserNamePath(pub opsroom_domain::user::UserName);

impl<S: Send + Sync> FromRequestParts<S> for UserNamePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound)?;
        opsroom_domain::user::UserName::parse(&raw).map(UserNamePath).map_err(|_| ApiError::NotFound)
    }
}
