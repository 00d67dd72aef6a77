//! `/api/v1/cases`: the case board's reads, for signed-in operators.

use axum::Json;
use axum::extract::State;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::location::Cell;
use opsroom_store::CaseFilter;

use crate::auth::Operator;
use crate::http::error::{ApiError, ErrorBody, Problem};
use crate::http::extract::{ApiQuery, UuidPath};
use crate::server::AppState;
use crate::wire::{CaseDetailBody, CaseList, CaseQuery, CaseSummaryBody};

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

/// Cases, newest first, filtered and paged.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(CaseQuery),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_cases(
    State(app): State<AppState>,
    _operator: Operator,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let bad =
        |field: &str, message: &str| ApiError::BadRequest(Problem::new("invalid_query", message, Some(field.into())));
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(bad("limit", "limit must be from 1 to 500"));
    }
    let cell = query
        .cell
        .as_deref()
        .map(|c| c.parse::<Cell>().map_err(|_| bad("cell", "cell must be an H3 index in hex")))
        .transpose()?;
    let before_seq = query
        .cursor
        .as_deref()
        .map(|c| c.parse::<u64>().map_err(|_| bad("cursor", "cursor must be a next_cursor from a previous page")))
        .transpose()?;
    let filter = CaseFilter {
        status: query.status,
        priority: query.priority,
        need: query.need,
        flag: query.flag,
        channel: query.channel,
        cell,
        before_seq,
        limit,
    };
    let cases = app.store.list_cases(&filter).await?;
    let next_cursor =
        (cases.len() == limit as usize).then(|| cases.last().map(|c| c.created_seq.to_string())).flatten();
    let now = Timestamp::from_millis(app.now_ms());
    let cases = cases.iter().map(|c| CaseSummaryBody::new(c, &app.config.sla, now)).collect();
    Ok(Json(CaseList { cases, next_cursor }))
}

/// One case with its persons, reports and events.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_id}",
    tag = "cases",
    params(("case_id" = Uuid, Path, description = "The case id")),
    responses(
        (status = 200, description = "The case", body = CaseDetailBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn get_case(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(case_id): UuidPath,
) -> Result<Json<CaseDetailBody>, ApiError> {
    let detail = app.store.case_detail(case_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(CaseDetailBody::new(&detail, &app.config.sla, Timestamp::from_millis(app.now_ms()))))
}
