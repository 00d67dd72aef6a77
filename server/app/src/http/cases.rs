//! `/api/v1/cases`: the case board's reads, for signed-in operators.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::crisis::CrisisIndex;
use opsroom_domain::location::Cell;
use opsroom_domain::partner::view::push_csv_row;
use opsroom_domain::wire_name;
use opsroom_store::{AssigneeFilter, CaseCursor, CaseFilter, CaseSort, SlaFilter};
use uuid::Uuid;

use crate::auth::{Operator, Supervisor};
use crate::http::csv_attachment;
use crate::http::error::ApiError;
use crate::http::extract::{ApiQuery, UuidPath};
use crate::state::AppState;
use crate::wire::{CaseCountsBody, CaseDetailBody, CaseList, CaseQuery, CaseSummaryBody, ErrorBody};

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;
/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Most rows an export holds.
const MAX_EXPORT_ROWS: usize = 100_000;

/// The store's filter for a query, checked field by field, evaluated at `now_ms` for `me`.
pub(crate) fn case_filter(
    query: CaseQuery,
    me: Uuid,
    now_ms: i64,
    crises: &CrisisIndex,
) -> Result<CaseFilter, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid_query("limit", "limit must be from 1 to 500"));
    }
    let cell = query
        .cell
        .as_deref()
        .map(|c| c.parse::<Cell>().map_err(|_| ApiError::invalid_query("cell", "cell must be an H3 index in hex")))
        .transpose()?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<CaseCursor>()
                .map_err(|_| ApiError::invalid_query("cursor", "cursor must be a next_cursor from a previous page"))
        })
        .transpose()?;
    let q = match query.q.as_deref().map(str::trim) {
        None => None,
        Some(q) if q.is_empty() || q.chars().count() > MAX_QUERY_CHARS => {
            return Err(ApiError::invalid_query("q", "q must be 1 to 200 characters"));
        }
        Some(q) => Some(q.to_owned()),
    };
    let sort = match query.sort.as_deref() {
        None if q.is_some() => CaseSort::Relevance,
        None => CaseSort::Newest,
        Some(sort) => CaseSort::parse(sort).ok_or_else(|| {
            ApiError::invalid_query(
                "sort",
                "sort must be one of newest, relevance, urgency, waiting, sla_due, score, updated",
            )
        })?,
    };
    let assignee = match query.assignee.as_deref() {
        None => None,
        Some("me") => Some(AssigneeFilter::User(me)),
        Some("none") => Some(AssigneeFilter::Unassigned),
        Some(id) => Some(AssigneeFilter::User(
            Uuid::parse_str(id)
                .map_err(|_| ApiError::invalid_query("assignee", "assignee must be a user id, me or none"))?,
        )),
    };
    let sla = match query.sla.as_deref() {
        None => None,
        Some("red") => Some(SlaFilter::Red),
        Some("amber") => Some(SlaFilter::Amber),
        Some("green") => Some(SlaFilter::Green),
        Some("met") => Some(SlaFilter::Met),
        Some(_) => return Err(ApiError::invalid_query("sla", "sla must be one of red, amber, green, met")),
    };
    let partner = query
        .partner
        .as_deref()
        .map(|p| Uuid::parse_str(p).map_err(|_| ApiError::invalid_query("partner", "partner must be a partner id")))
        .transpose()?;
    let crisis = query
        .crisis
        .as_deref()
        .map(|raw| {
            crate::crises::filter(crises, raw)
                .ok_or_else(|| ApiError::invalid_query("crisis", "crisis must be a crisis's slug or unplaced"))
        })
        .transpose()?;
    Ok(CaseFilter {
        status: query.status,
        priority: query.priority,
        need: query.need,
        flag: query.flag,
        channel: query.channel,
        cell,
        q,
        assignee,
        sla,
        partner,
        crisis,
        now_ms,
        sort,
        cursor,
        limit,
    })
}

/// Cases, filtered, searched, sorted and paged (keyset), with the total matching.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(CaseQuery),
    security(("session" = [])),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "Bad parameter (`invalid_query`, naming the field)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list_cases(
    State(app): State<AppState>,
    operator: Operator,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let now = Timestamp::from_millis(app.now_ms());
    let filter = case_filter(query, operator.user.user_id, now.millis(), &app.crises.index())?;
    let page = app.store.list_cases(&filter).await?;
    let cases = page.cases.iter().map(|c| CaseSummaryBody::new(c, &app.config.sla, now)).collect();
    Ok(Json(CaseList {
        cases,
        next_cursor: page.next_cursor.map(|c| c.to_string()),
        total: page.total,
        total_capped: page.total_capped,
    }))
}

/// True counts for the filters: cases per status, overdue, unassigned critical.
#[utoipa::path(
    get,
    path = "/api/v1/cases/counts",
    tag = "cases",
    params(CaseQuery),
    security(("session" = [])),
    responses(
        (status = 200, description = "Counts (status, sort, cursor and limit are ignored)", body = CaseCountsBody),
        (status = 400, description = "Bad parameter (`invalid_query`, naming the field)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn case_counts(
    State(app): State<AppState>,
    operator: Operator,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> Result<Json<CaseCountsBody>, ApiError> {
    let filter = case_filter(query, operator.user.user_id, app.now_ms(), &app.crises.index())?;
    let counts = app.store.case_counts(&filter).await?;
    Ok(Json(CaseCountsBody {
        by_status: counts.by_status.iter().map(|(s, n)| (s.as_str().to_owned(), *n)).collect(),
        overdue: counts.overdue,
        unassigned_critical: counts.unassigned_critical,
    }))
}

/// The cases of a query as CSV (supervisors and admins): UTF-8 with a BOM so spreadsheets read
/// Arabic, one row per case in the query's order, at most 100,000 (`X-Opsroom-Truncated: true`
/// when cut). No cell is read as a formula.
#[utoipa::path(
    get,
    path = "/api/v1/cases/export.csv",
    tag = "cases",
    params(CaseQuery),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, description = "CSV (cursor and limit are ignored)", content_type = "text/csv", body = String),
        (status = 400, description = "Bad parameter (`invalid_query`, naming the field)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a supervisor or admin", body = ErrorBody),
    )
)]
pub async fn export_cases(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> Result<Response, ApiError> {
    let now = Timestamp::from_millis(app.now_ms());
    let filter = case_filter(query, operator.user.user_id, now.millis(), &app.crises.index())?;
    let (cases, truncated) = app.store.export_cases(&filter, MAX_EXPORT_ROWS).await?;
    let mut csv = String::from(
        "\u{FEFF}reference,status,priority,priority_score,lead_name,people_count,place,lat,lon,needs,flags,channel,\
         reported_at,sla_due_at,minutes_waiting,minutes_overdue,assignee,first_contact_at,case_id\r\n",
    );
    let time = |ms: i64| Timestamp::from_millis(ms).to_rfc3339();
    for case in &cases {
        let body = CaseSummaryBody::new(case, &app.config.sla, now);
        let list = |names: Vec<String>| names.join(" ");
        let cells = [
            case.reference.clone(),
            case.status.as_str().to_owned(),
            case.priority.as_str().to_owned(),
            case.priority_score.to_string(),
            case.lead_name.clone().unwrap_or_default(),
            case.people_count.to_string(),
            case.place.clone().unwrap_or_default(),
            case.lat.map(|v| v.to_string()).unwrap_or_default(),
            case.lon.map(|v| v.to_string()).unwrap_or_default(),
            list(case.needs.iter().map(|n| wire_name(*n)).collect()),
            list(case.flags.iter().map(|f| wire_name(*f)).collect()),
            case.channel.as_str().to_owned(),
            time(case.reported_at),
            case.sla_due_at.map(time).unwrap_or_default(),
            body.minutes_waiting.map(|m| m.to_string()).unwrap_or_default(),
            body.minutes_overdue.map(|m| m.to_string()).unwrap_or_default(),
            case.assignee_name.clone().unwrap_or_default(),
            case.first_contact_at.map(time).unwrap_or_default(),
            case.case_id.to_string(),
        ];
        push_csv_row(&mut csv, &cells);
    }
    let mut response = csv_attachment(&format!("cases-{}.csv", now.to_rfc3339().replace(':', "")), csv);
    if truncated {
        response.headers_mut().insert("x-opsroom-truncated", header::HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// One case with its persons, reports and events.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_id}",
    tag = "cases",
    params(("case_id" = Uuid, Path, description = "The case id")),
    security(("session" = [])),
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
