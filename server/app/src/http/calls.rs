//! The hotline's call log: `POST /api/v1/cases/{case_id}/calls` logs a call on a case (any
//! staff), `GET /api/v1/calls?phone=…` lists a number's earlier calls, newest first, paged.
//!
//! Owns the call log's routes (their JSON shapes are `wire::calls`'s). The domain validates a call (`opsroom_domain::call`), the
//! store writes its event and row together; this module must not do either.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::call::{CallIds, CallInput, log_call};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::search::PhoneQuery;
use opsroom_store::{CallCursor, CallQuery, LogCall, LogCallOutcome};
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiQuery, UuidPath};
use crate::state::AppState;
use crate::wire::{CallBody, CallList, CallLoggedBody, CallRequest, CallsQuery, ErrorBody};

const DEFAULT_PAGE: u32 = 20;
const MAX_PAGE: u32 = 100;

/// Log a call on a case: an event on the case's timeline and the live stream.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/calls",
    tag = "calls",
    params(("case_id" = Uuid, Path, description = "The case the call was about")),
    request_body = CallRequest,
    security(("session" = [])),
    responses(
        (status = 201, description = "Logged", body = CallLoggedBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 422, description = "Invalid call, with the field", body = ErrorBody),
    )
)]
pub async fn post_call(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<CallRequest>,
) -> Result<(StatusCode, Json<CallLoggedBody>), ApiError> {
    let input = CallInput {
        phone: request.phone,
        direction: request.direction,
        outcome: request.outcome,
        started_at: request.started_at,
        ended_at: request.ended_at,
        note: request.note,
    };
    let ids = CallIds { case_id, call_id: Uuid::now_v7(), by: operator.user.user_id };
    // A local number is read in the country of the case's crisis (the home country's if none).
    let crisis = app.store.case_crises(&[case_id]).await?.remove(&case_id).flatten();
    let index = app.crises.index();
    let country = crisis.and_then(|id| index.by_id(id)).and_then(|c| c.countries.first().copied());
    let event = log_call(ids, &input, &app.phone_regions(country), Timestamp::from_millis(app.now_ms()))?;
    match app.store.log_call(LogCall { event }).await? {
        LogCallOutcome::Logged { seq } => {
            Ok((StatusCode::CREATED, Json(CallLoggedBody { call_id: ids.call_id, case_id, seq })))
        }
        LogCallOutcome::UnknownCase => Err(ApiError::NotFound),
    }
}

/// Earlier calls of a number, newest first, paged.
#[utoipa::path(
    get,
    path = "/api/v1/calls",
    tag = "calls",
    params(CallsQuery),
    security(("session" = [])),
    responses(
        (status = 200, description = "A page of calls", body = CallList),
        (status = 400, description = "No number, or a bad one", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_calls(
    State(app): State<AppState>,
    _operator: Operator,
    ApiQuery(query): ApiQuery<CallsQuery>,
) -> Result<Json<CallList>, ApiError> {
    let phone = query.phone.as_deref().ok_or_else(|| ApiError::invalid_query("phone", "phone is required"))?;
    let phone = PhoneQuery::parse(phone).ok_or_else(|| {
        ApiError::invalid_query(
            "phone",
            "phone must be a number with its country code (+249 912 345 678) or as dialled at home (0912 345 678)",
        )
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid_query("limit", format!("limit must be from 1 to {MAX_PAGE}")));
    }
    let before = query
        .cursor
        .as_deref()
        .map(parse_cursor)
        .transpose()
        .map_err(|()| ApiError::invalid_query("cursor", "cursor must be a next_cursor from a previous page"))?;
    let calls = app.store.calls(&CallQuery { phone, before, limit }).await?;
    let next_cursor =
        (calls.len() == limit as usize).then(|| calls.last().map(|c| format_cursor(c.cursor()))).flatten();
    Ok(Json(CallList { calls: calls.iter().map(CallBody::from).collect(), next_cursor }))
}

/// A cursor as the API shows it: `started_at.seq`.
fn format_cursor(cursor: CallCursor) -> String {
    format!("{}.{}", cursor.started_at, cursor.seq)
}

fn parse_cursor(raw: &str) -> Result<CallCursor, ()> {
    let (started_at, seq) = raw.split_once('.').ok_or(())?;
    Ok(CallCursor { started_at: started_at.parse().map_err(drop)?, seq: seq.parse().map_err(drop)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let cursor = CallCursor { started_at: 1_681_550_400_000, seq: 42 };
        assert_eq!(parse_cursor(&format_cursor(cursor)), Ok(cursor));
        for raw in ["", "42", "a.b", "1.2.3", "1.-2"] {
            assert_eq!(parse_cursor(raw), Err(()), "{raw}");
        }
    }
}
