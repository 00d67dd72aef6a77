//! What a partner agency calls, with its token: its cases (poll with a cursor, one case,
//! GeoJSON, CSV with HXL), its answers to referrals (accept, decline, progress), the live
//! websocket, and the partner page's sign-in (token in, HttpOnly cookie out).
//!
//! Owns the partner's side of the API and its one security rule: a case, referral or anything
//! else not referred to the calling partner is a 404 — the same 404 as for something that does
//! not exist — on every route. What a partner may see of a case is `partner_feed`'s (and, below
//! it, the domain's `partner::view`).

use axum::Json;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use opsroom_domain::partner::referral::{ReferralActor, ReferralCommand};
use opsroom_domain::partner::view;
use opsroom_domain::text::Message;
use opsroom_store::{PartnerSessionWrite, ReferralWrite};
use uuid::Uuid;

use crate::auth::{PARTNER_HASH_DOMAIN, PARTNER_SESSION_HASH_DOMAIN, PartnerCaller};
use crate::http::csv_attachment;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, ApiQuery, OptionalJson, UuidPath};
use crate::http::live::checked_upgrade;
use crate::http::referrals::referral_outcome;
use crate::state::AppState;
use crate::wire::{
    DeclineRequest, ErrorBody, FeedQuery, OptionalText, PartnerBody, PartnerCaseBody, PartnerFeedBody,
    PartnerMovementBody, PartnerSignIn, Problem, ProgressRequest,
};
use crate::{auth, partner_feed, secrets};

/// Most cases in one answer without a cursor, and in an export.
const MAX_CASES: u32 = 10_000;

/// The partner page's sign-in: exchange an API token for a page session of its own (an
/// HttpOnly cookie sent only to the partner API, at most 12 hours, ending with the token), so
/// the browser never holds the long-lived token. Rate-limited like every public route.
#[utoipa::path(
    post,
    path = "/api/v1/partner/session",
    tag = "partner",
    request_body = PartnerSignIn,
    responses((status = 200, body = PartnerBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn post_session(
    State(app): State<AppState>,
    ApiJson(request): ApiJson<PartnerSignIn>,
) -> Result<Response, ApiError> {
    let hash = secrets::token_hash(PARTNER_HASH_DOMAIN, request.token.trim());
    let now = app.now_ms();
    let session = app.store.partner_session(&hash, now).await?.ok_or(ApiError::Unauthenticated)?;
    // A working shift at most, and never beyond the token.
    let expires_at = session.expires_at.min(now + PAGE_SESSION.as_millis() as i64);
    let page_token = secrets::new_token();
    let write = PartnerSessionWrite::Open {
        session_hash: secrets::token_hash(PARTNER_SESSION_HASH_DOMAIN, &page_token),
        token_id: session.token_id,
        expires_at,
        now,
    };
    app.store.partner_session_write(write).await?;
    let cookie = auth::partner_cookie(&page_token, ((expires_at - now) / 1000).max(0) as u64, &app.config);
    Ok(([(SET_COOKIE, cookie)], Json(PartnerBody::from(&session.partner))).into_response())
}

/// How long a partner page session lasts at most.
const PAGE_SESSION: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// Sign the partner page out: its session ends and the cookie is removed (the API token stays
/// valid; an admin revokes that).
#[utoipa::path(delete, path = "/api/v1/partner/session", tag = "partner", responses((status = 204)))]
pub async fn delete_session(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(cookie) = auth::partner_page_cookie(&headers, &app.config) {
        let session_hash = secrets::token_hash(PARTNER_SESSION_HASH_DOMAIN, cookie);
        app.store.partner_session_write(PartnerSessionWrite::Close { session_hash }).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, auth::expired_partner_cookie(&app.config))]).into_response())
}

/// Who the token belongs to, and the data profile its feeds are cut to.
#[utoipa::path(
    get,
    path = "/api/v1/partner/me",
    tag = "partner",
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200, body = PartnerBody), (status = 401, body = ErrorBody))
)]
pub async fn get_me(caller: PartnerCaller) -> Json<PartnerBody> {
    Json(PartnerBody::from(&caller.session.partner))
}

/// Poll the partner's feed. Without `since`: every case referred to the partner as it may see it
/// now, and `next`. With `since`: the items after that position (each carries its `case_id` and
/// the case as the partner may see it now), and `next` to poll from.
#[utoipa::path(
    get,
    path = "/api/v1/partner/cases",
    tag = "partner",
    params(("since" = Option<u64>, Query, description = "A position from an earlier answer's `next`")),
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200, body = PartnerFeedBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn get_cases(
    State(app): State<AppState>,
    caller: PartnerCaller,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> Result<Json<PartnerFeedBody>, ApiError> {
    let partner = &caller.session.partner;
    let head = app.store.database_head().await?;
    match query.since {
        None => {
            let cases = partner_feed::current_cases(&app.store, partner, MAX_CASES).await?;
            let cases = cases.iter().map(PartnerCaseBody::from).collect();
            Ok(Json(PartnerFeedBody { cases: Some(cases), items: None, next: head }))
        }
        Some(since) if since > head => Err(ApiError::Unprocessable(Problem::new(
            "position_ahead",
            format!("position {since} is beyond the end of the log ({head})"),
            Some("since".into()),
        ))),
        Some(since) => {
            let (items, next) = partner_feed::items_after(&app.store, partner, since, head).await?;
            Ok(Json(PartnerFeedBody { cases: None, items: Some(items), next }))
        }
    }
}

/// One case referred to the partner; 404 for any other (or none).
#[utoipa::path(
    get,
    path = "/api/v1/partner/cases/{case_id}",
    tag = "partner",
    params(("case_id" = Uuid, Path)),
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200, description = "The case as the partner may see it"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_case(
    State(app): State<AppState>,
    caller: PartnerCaller,
    UuidPath(case_id): UuidPath,
) -> Result<Json<PartnerCaseBody>, ApiError> {
    let case = partner_feed::case_view(&app.store, &caller.session.partner, case_id).await?;
    case.as_ref().map(|case| Json(PartnerCaseBody::from(case))).ok_or(ApiError::NotFound)
}

/// The movements shared with the partner (convoys, flights, ships, trains), each with its
/// passengers' evacuation status cut to the partner's profile. Changes come on the feed as
/// `movement_planned`, `movement_changed` and `passenger_changed` items carrying the movement.
#[utoipa::path(
    get,
    path = "/api/v1/partner/movements",
    tag = "partner",
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200, description = "The movements as the partner may see them, by departure"), (status = 401, body = ErrorBody))
)]
pub async fn get_movements(
    State(app): State<AppState>,
    caller: PartnerCaller,
) -> Result<Json<Vec<PartnerMovementBody>>, ApiError> {
    let movements = partner_feed::current_movements(&app.store, &caller.session.partner).await?;
    Ok(Json(movements.iter().map(PartnerMovementBody::from).collect()))
}

/// One movement shared with the partner; 404 for any other (or none).
#[utoipa::path(
    get,
    path = "/api/v1/partner/movements/{movement_id}",
    tag = "partner",
    params(("movement_id" = Uuid, Path)),
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200, description = "The movement as the partner may see it"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_movement(
    State(app): State<AppState>,
    caller: PartnerCaller,
    UuidPath(movement_id): UuidPath,
) -> Result<Json<PartnerMovementBody>, ApiError> {
    let movement = partner_feed::movement_view(&app.store, &caller.session.partner, movement_id).await?;
    movement.as_ref().map(|movement| Json(PartnerMovementBody::from(movement))).ok_or(ApiError::NotFound)
}

/// The partner's cases as an RFC 7946 FeatureCollection: a point at each case's coarse cell.
#[utoipa::path(
    get,
    path = "/api/v1/partner/cases.geojson",
    tag = "partner",
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200, description = "application/geo+json"), (status = 401, body = ErrorBody))
)]
pub async fn get_geojson(State(app): State<AppState>, caller: PartnerCaller) -> Result<Response, ApiError> {
    let cases = partner_feed::current_cases(&app.store, &caller.session.partner, MAX_CASES).await?;
    let body = view::to_geojson(&cases).to_string();
    Ok(([(CONTENT_TYPE, "application/geo+json")], body).into_response())
}

/// The partner's cases as CSV (UTF-8 with a byte order mark, so spreadsheets read Arabic): a
/// header row, an HXL hashtag row, one row per person; only the profile's columns.
#[utoipa::path(
    get,
    path = "/api/v1/partner/cases.csv",
    tag = "partner",
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200, description = "UTF-8 CSV with a byte order mark and an HXL hashtag row", content_type = "text/csv"), (status = 401, body = ErrorBody))
)]
pub async fn get_csv(State(app): State<AppState>, caller: PartnerCaller) -> Result<Response, ApiError> {
    let partner = &caller.session.partner;
    let cases = partner_feed::current_cases(&app.store, partner, MAX_CASES).await?;
    Ok(csv_attachment("cases.csv", view::to_csv(&cases, &partner.profile)))
}

async fn act(
    app: &AppState,
    caller: &PartnerCaller,
    referral_id: Uuid,
    command: ReferralCommand,
) -> Result<Json<serde_json::Value>, ApiError> {
    let write = ReferralWrite::Change {
        referral_id,
        command,
        actor: ReferralActor::Partner(caller.partner_id()),
        at: app.now_ms(),
    };
    referral_outcome(app.store.referral_write(write).await?)
}

/// Accept a referral (optional note). 404 for a referral that is not the partner's.
#[utoipa::path(
    post,
    path = "/api/v1/partner/referrals/{referral_id}/acceptance",
    tag = "partner",
    params(("referral_id" = Uuid, Path)),
    request_body = OptionalText,
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn post_acceptance(
    State(app): State<AppState>,
    caller: PartnerCaller,
    UuidPath(referral_id): UuidPath,
    OptionalJson(request): OptionalJson<OptionalText>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let note = Message::parse_field(request.text.as_deref(), "text")?;
    act(&app, &caller, referral_id, ReferralCommand::Accept { note }).await
}

/// Decline a referral, with the reason (the ops room must find someone else).
#[utoipa::path(
    post,
    path = "/api/v1/partner/referrals/{referral_id}/decline",
    tag = "partner",
    params(("referral_id" = Uuid, Path)),
    request_body = DeclineRequest,
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn post_decline(
    State(app): State<AppState>,
    caller: PartnerCaller,
    UuidPath(referral_id): UuidPath,
    ApiJson(request): ApiJson<DeclineRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reason = Message::parse_field(Some(&request.reason), "reason")?
        .ok_or_else(|| opsroom_domain::Rejected::new("required", "reason", "say why the referral is declined"))?;
    act(&app, &caller, referral_id, ReferralCommand::Decline { reason }).await
}

/// Report progress on an accepted referral, forward only, with the steps of its request
/// (`RequestType::steps`: transport and medical evacuation en_route, reached, picked_up,
/// handed_over; family tracing contacted, located, reunited; consular documents
/// appointment_set, issued), then completed, or unable (with the reason). Another request's
/// step is a 422 `step_not_for_request` on `step`.
#[utoipa::path(
    post,
    path = "/api/v1/partner/referrals/{referral_id}/progress",
    tag = "partner",
    params(("referral_id" = Uuid, Path)),
    request_body = ProgressRequest,
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 200), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn post_progress(
    State(app): State<AppState>,
    caller: PartnerCaller,
    UuidPath(referral_id): UuidPath,
    ApiJson(request): ApiJson<ProgressRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let text = Message::parse_field(request.text.as_deref(), "text")?;
    act(&app, &caller, referral_id, ReferralCommand::Progress { step: request.step, text }).await
}

/// The partner's live feed over a websocket: send `{"type":"subscribe","since":null|N}`, as on
/// the operators' stream; then `{"type":"snapshot","seq"}` (for `null`) and every item after the
/// position, in order, each once. A revoked token closes it within a second. A partner may keep
/// at most `seats::MAX_SOCKETS_PER_PARTNER` open at once (429 beyond).
#[utoipa::path(
    get,
    path = "/api/v1/partner/live",
    tag = "partner",
    security(("partner_token" = []), ("partner_page" = [])),
    responses((status = 101), (status = 401, body = ErrorBody), (status = 403, description = "Origin not allowed", body = ErrorBody), (status = 429, description = "Too many open streams for this partner", body = ErrorBody))
)]
pub async fn get_live(
    State(app): State<AppState>,
    caller: PartnerCaller,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let upgrade = checked_upgrade(&app, &headers, upgrade)?;
    let seat = app.partner_sockets.take(caller.partner_id()).ok_or(ApiError::TooManyRequests(30))?;
    let tasks = app.tasks.clone();
    Ok(upgrade.on_upgrade(move |socket| {
        tasks.track_future(async move {
            crate::live::partner_socket::serve(socket, app, caller).await;
            drop(seat);
        })
    }))
}
