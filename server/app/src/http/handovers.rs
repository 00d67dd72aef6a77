//! `/api/v1/handovers`: shift handover notes. Any staff member writes one as their shift ends;
//! all staff read them. The figures of what is open are counted by the server as the note is
//! written (and offered, for the caller, beside the list), never taken from the request.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::handover::NewHandover;
use opsroom_store::WriteHandover;
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::wire::{ErrorBody, HandoverBody, HandoverQuery, HandoverRequest, HandoversBody};

/// Notes on one page by default, and at most.
const DEFAULT_PAGE: u32 = 20;
const MAX_PAGE: u32 = 100;

/// The handover notes, newest first, and what is open now for the caller.
#[utoipa::path(
    get,
    path = "/api/v1/handovers",
    tag = "handovers",
    params(HandoverQuery),
    security(("session" = [])),
    responses(
        (status = 200, body = HandoversBody),
        (status = 400, description = "Bad parameter (`invalid_query`, naming the field)", body = ErrorBody),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn list_handovers(
    State(app): State<AppState>,
    operator: Operator,
    ApiQuery(query): ApiQuery<HandoverQuery>,
) -> Result<Json<HandoversBody>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid_query("limit", format!("limit must be from 1 to {MAX_PAGE}")));
    }
    let now = app.store.handover_figures(operator.user.user_id, app.now_ms(), &app.config.sla).await?;
    let rows = app.store.handovers(query.before, limit).await?;
    let next_before = (rows.len() == limit as usize).then(|| rows.last().map(|r| r.seq)).flatten();
    Ok(Json(HandoversBody { now: now.into(), handovers: rows.iter().map(HandoverBody::from).collect(), next_before }))
}

/// Write a handover note: what was promised, and anything else about what is open. The server
/// records the author, the time and the figures of what is open now.
#[utoipa::path(
    post,
    path = "/api/v1/handovers",
    tag = "handovers",
    request_body = HandoverRequest,
    security(("session" = [])),
    responses(
        (status = 201, body = HandoverBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "Missing or invalid text, with the field", body = ErrorBody),
    )
)]
pub async fn post_handover(
    State(app): State<AppState>,
    operator: Operator,
    ApiJson(request): ApiJson<HandoverRequest>,
) -> Result<(StatusCode, Json<HandoverBody>), ApiError> {
    let note = NewHandover::parse(request.promised.as_deref(), request.open_note.as_deref())?;
    let author = operator.user.user_id;
    let at = app.now_ms();
    let figures = app.store.handover_figures(author, at, &app.config.sla).await?;
    let handover_id = Uuid::now_v7();
    let seq = app.store.write_handover(WriteHandover { handover_id, author, at, figures, note: note.clone() }).await?;
    let body = HandoverBody {
        handover_id,
        seq,
        author_id: author,
        author: operator.user.name.clone(),
        written_at: crate::wire::rfc3339(at),
        figures: figures.into(),
        promised: note.promised.as_str().to_owned(),
        open_note: note.open_note.map(|m| m.as_str().to_owned()),
    };
    Ok((StatusCode::CREATED, Json(body)))
}
