//! Referrals from the ops room's side: an operator refers a case to a partner, sees the case's
//! referrals, and may withdraw one. Each step is an event on the live stream and in the timeline.
//!
//! Owns the operators' referral endpoints; the partner's side (accept, decline, progress) is in
//! `partner_api`. The rules are the domain's (`partner::referral`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::partner::referral::{ReferralActor, ReferralCommand};
use opsroom_domain::text::Message;
use opsroom_store::{ReferralOutcome, ReferralWrite};
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, OptionalJson, UuidPath};
use crate::state::AppState;
use crate::wire::{ErrorBody, OptionalText, ReferralBody, ReferralRequest};

/// The answer to a referral write, shared with the partner's side.
pub fn referral_outcome(outcome: ReferralOutcome) -> Result<Json<serde_json::Value>, ApiError> {
    match outcome {
        ReferralOutcome::Applied { seq } => Ok(Json(serde_json::json!({ "seq": seq }))),
        ReferralOutcome::NotFound => Err(ApiError::NotFound),
        ReferralOutcome::Refused(r) => Err(ApiError::from(r)),
    }
}

/// Refer a case to a partner for one kind of help. The partner sees the case from now on, cut to
/// its data profile; it must accept within the configured time or the referral is escalated.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_id}/referrals",
    tag = "referrals",
    params(("case_id" = Uuid, Path)),
    request_body = ReferralRequest,
    security(("session" = [])),
    responses(
        (status = 201, description = "Referred; on the live stream and the partner's feed"),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "The same request is already open with this partner", body = ErrorBody),
        (status = 422, description = "Unknown partner, outside its region, or a bad note", body = ErrorBody),
    )
)]
pub async fn post_referral(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(case_id): UuidPath,
    ApiJson(request): ApiJson<ReferralRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let note = Message::parse_field(request.note.as_deref(), "note")?;
    let referral_id = Uuid::now_v7();
    let write = ReferralWrite::Refer {
        referral_id,
        case_id,
        partner_id: request.partner_id,
        request_type: request.request_type,
        note,
        by: operator.user.user_id,
        at: app.now_ms(),
    };
    let Json(mut body) = referral_outcome(app.store.referral_write(write).await?)?;
    body["referral_id"] = serde_json::json!(referral_id);
    Ok((StatusCode::CREATED, Json(body)))
}

/// Every referral of a case, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_id}/referrals",
    tag = "referrals",
    params(("case_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = [ReferralBody]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_referrals(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(case_id): UuidPath,
) -> Result<Json<Vec<ReferralBody>>, ApiError> {
    let referrals = app.store.referrals_for_case(case_id).await?;
    if referrals.is_empty() && app.store.case_detail(case_id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(referrals.iter().map(ReferralBody::from).collect()))
}

/// Take a referral back (the partner loses access to the case at once).
#[utoipa::path(
    post,
    path = "/api/v1/referrals/{referral_id}/withdrawal",
    tag = "referrals",
    params(("referral_id" = Uuid, Path)),
    request_body = OptionalText,
    security(("session" = [])),
    responses((status = 200), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn post_withdrawal(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(referral_id): UuidPath,
    OptionalJson(request): OptionalJson<OptionalText>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reason = Message::parse_field(request.text.as_deref(), "text")?;
    let write = ReferralWrite::Change {
        referral_id,
        command: ReferralCommand::Withdraw { reason },
        actor: ReferralActor::Operator(operator.user.user_id),
        at: app.now_ms(),
    };
    referral_outcome(app.store.referral_write(write).await?)
}
