//! Tracking links: what a citizen holding one may see and send, and how operators revoke or
//! reissue them.
//!
//! Owns the token rule: whatever is presented is hashed and looked up, always the same way, so a
//! malformed token, an unknown one and a revoked one get the same answer after the same work (a
//! case read even when nothing was found). The view is citizen-safe by construction: built from
//! `timeline::timeline`, which never passes notes, names or priorities.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use opsroom_domain::citizen::{CitizenUpdate, UpdateInput};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::location::Coordinates;
use opsroom_domain::timeline;
use opsroom_domain::user::Role;
use opsroom_store::{CaseDetail, CitizenOutcome, CitizenUpdateCommand, TrackingLinkChange};
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::advisories::current_advisories;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::http::reports::TRACKING_HASH_DOMAIN;
use crate::secrets;
use crate::state::AppState;
use crate::wire::{
    AdvisoryBody, BilingualText, ErrorBody, PublicCrisisBody, TimelineItem, TrackingLinkIssued, TrackingUpdateAccepted,
    TrackingUpdateRequest, TrackingView,
};

/// A tracking token from the path. Whatever the path holds is taken as presented — bytes that
/// are not UTF-8 become a token that matches nothing — so every wrong token meets the same
/// lookup and the same answer.
pub struct TokenPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for TokenPath {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(TokenPath(Path::<String>::from_request_parts(parts, state).await.map(|Path(t)| t).unwrap_or_default()))
    }
}

/// The case behind a presented token, or `NotFound` for any token that is not a live one.
pub async fn tracked_case(app: &AppState, token: &str) -> Result<CaseDetail, ApiError> {
    let hash = secrets::token_hash(TRACKING_HASH_DOMAIN, token);
    let found = app.store.case_by_tracking_hash(&hash).await?;
    // Read a case either way, so a wrong token costs what a right one does.
    let detail = app.store.case_detail(found.unwrap_or(Uuid::nil())).await?;
    detail.filter(|_| found.is_some()).ok_or(ApiError::NotFound)
}

pub async fn tracking_view(app: &AppState, detail: &CaseDetail) -> Result<TrackingView, ApiError> {
    let summary = &detail.summary;
    let coordinates = summary.lat.zip(summary.lon).and_then(|(lat, lon)| Coordinates::parse(lat, lon).ok());
    let advisories = current_advisories(app)
        .await?
        .iter()
        .filter(|a| a.concerns(coordinates, summary.cell, summary.crisis_id))
        .map(AdvisoryBody::from)
        .collect();
    let events: Vec<Event> =
        detail.events.iter().filter_map(|stored| Event::from_parts(&stored.kind, &stored.data).ok()).collect();
    let timeline = timeline::timeline(&events)
        .into_iter()
        .map(|entry| TimelineItem {
            at: entry.at.to_rfc3339(),
            code: entry.code,
            text: BilingualText { ar: entry.ar.to_owned(), en: entry.en.to_owned() },
        })
        .collect();
    let (en, ar) = timeline::status_words(summary.status);
    Ok(TrackingView {
        reference: summary.reference.clone(),
        status: summary.status.as_str().to_owned(),
        status_text: BilingualText { ar: ar.to_owned(), en: en.to_owned() },
        language: summary.language,
        reported_at: Timestamp::from_millis(summary.reported_at).to_rfc3339(),
        people_count: summary.people_count,
        needs: summary.needs.clone(),
        flags: summary.flags.clone(),
        timeline,
        advisories,
        crisis: summary.crisis_id.and_then(|id| app.crises.index().by_id(id).map(PublicCrisisBody::from)),
    })
}

/// Record an update sent with `token`.
pub async fn send_update(app: &AppState, token: &str, input: &UpdateInput) -> Result<TrackingUpdateAccepted, ApiError> {
    let update = CitizenUpdate::parse(input)?;
    let command = CitizenUpdateCommand {
        token_hash: secrets::token_hash(TRACKING_HASH_DOMAIN, token),
        update,
        report_id: Uuid::now_v7(),
        at: app.now_ms(),
    };
    match app.store.citizen_update(command.clone()).await? {
        CitizenOutcome::Applied { .. } => Ok(TrackingUpdateAccepted { report_id: command.report_id }),
        CitizenOutcome::NotFound => Err(ApiError::NotFound),
    }
}

/// A case as its tracking link shows it (no login; the token is the key).
#[utoipa::path(
    get,
    path = "/api/v1/track/{token}",
    tag = "tracking",
    params(("token" = String, Path, description = "The tracking token given when the report was accepted")),
    responses(
        (status = 200, body = TrackingView),
        (status = 404, description = "Unknown or revoked token (the two are not told apart)", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    )
)]
pub async fn get_tracking(
    State(app): State<AppState>,
    TokenPath(token): TokenPath,
) -> Result<Json<TrackingView>, ApiError> {
    let detail = tracked_case(&app, &token).await?;
    Ok(Json(tracking_view(&app, &detail).await?))
}

/// Send an update on a case: we moved, we are safe, our needs changed, or a message. Each is a
/// report on the same case and an event operators see live.
#[utoipa::path(
    post,
    path = "/api/v1/track/{token}/updates",
    tag = "tracking",
    params(("token" = String, Path)),
    request_body = TrackingUpdateRequest,
    responses(
        (status = 201, body = TrackingUpdateAccepted),
        (status = 404, description = "Unknown or revoked token", body = ErrorBody),
        (status = 422, description = "Invalid update (the field says which)", body = ErrorBody),
    )
)]
pub async fn post_update(
    State(app): State<AppState>,
    TokenPath(token): TokenPath,
    ApiJson(request): ApiJson<TrackingUpdateRequest>,
) -> Result<(StatusCode, Json<TrackingUpdateAccepted>), ApiError> {
    let accepted = send_update(&app, &token, &request.to_domain()).await?;
    Ok((StatusCode::CREATED, Json(accepted)))
}

/// Issue a new tracking link for a case; the old one stops working at once. The new token is
/// shown only in this answer, for the operator to pass on (by phone, SMS) to the right person.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/tracking-link",
    tag = "workflow",
    params(("case_id" = Uuid, Path)),
    security(("session" = [])),
    responses(
        (status = 201, body = TrackingLinkIssued),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Neither assigned to the case nor a supervisor", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn post_tracking_link(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
) -> Result<(StatusCode, Json<TrackingLinkIssued>), ApiError> {
    let token = secrets::new_token();
    change_link(&app, &operator, case_id, &token, true).await?;
    Ok((
        StatusCode::CREATED,
        Json(TrackingLinkIssued { tracking_path: format!("/track/{token}"), tracking_token: token }),
    ))
}

/// Revoke a case's tracking link (e.g. the phone holding it was taken). Nobody can use it again.
#[utoipa::path(
    delete,
    path = "/api/v1/cases/{case_id}/tracking-link",
    tag = "workflow",
    params(("case_id" = Uuid, Path)),
    security(("session" = [])),
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Neither assigned to the case nor a supervisor", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn delete_tracking_link(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
) -> Result<StatusCode, ApiError> {
    // A token nobody is given: the link is dead, and the column keeps its not-null invariant.
    change_link(&app, &operator, case_id, &secrets::new_token(), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revoking or reissuing a link cuts the citizen off (and a reissue hands its holder the case's
/// updates): the case's assigned operator, a supervisor or an admin may, no one else.
async fn change_link(
    app: &AppState,
    operator: &Operator,
    case_id: Uuid,
    token: &str,
    reissued: bool,
) -> Result<(), ApiError> {
    let detail = app.store.case_detail(case_id).await?.ok_or(ApiError::NotFound)?;
    let assigned = detail.summary.assigned_to == Some(operator.user.user_id);
    if operator.user.role == Role::Operator && !assigned {
        return Err(ApiError::Forbidden("assign the case to yourself first, or ask a supervisor"));
    }
    let change = TrackingLinkChange {
        case_id,
        new_token_hash: secrets::token_hash(TRACKING_HASH_DOMAIN, token),
        reissued,
        by: operator.user.user_id,
        at: app.now_ms(),
    };
    if app.store.change_tracking_link(change).await? { Ok(()) } else { Err(ApiError::NotFound) }
}
