//! The partner registry (admins): partners, their tokens, and their webhook dead letters.
//!
//! Owns who may change the registry (admins only; operators may list partners, to refer cases)
//! and the showing-once of secrets: a token or a webhook signing key is in one answer and then
//! only its hash (token) or the server's copy (signing key) remains.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::partner::Partner;
use opsroom_store::{DeadLetterReplayed, RegistryOutcome, RegistryWrite};
use uuid::Uuid;

use crate::auth::{Admin, Operator, PARTNER_HASH_DOMAIN};
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, OptionalJson, UuidPath, UuidPaths};
use crate::secrets;
use crate::state::AppState;
use crate::wire::{
    DeadLetterBody, ErrorBody, PartnerBody, PartnerRequest, PartnerSaved, Problem, TokenBody, TokenCreated,
    TokenRequest,
};

/// Days a token lives unless the admin says otherwise, and the most it may.
const DEFAULT_TOKEN_DAYS: u32 = 90;
const MAX_TOKEN_DAYS: u32 = 365;

fn outcome(outcome: RegistryOutcome) -> Result<u64, ApiError> {
    match outcome {
        RegistryOutcome::Applied { seq } => Ok(seq),
        RegistryOutcome::NotFound => Err(ApiError::NotFound),
        RegistryOutcome::NameTaken => Err(ApiError::StateConflict(Problem::new(
            "name_taken",
            "a partner with this name is already registered",
            Some("name".into()),
        ))),
    }
}

/// Every crisis a partner's profile names exists (a mistyped slug would keep every referral
/// away from the partner without anyone noticing).
fn check_crises(app: &AppState, partner: &Partner) -> Result<(), ApiError> {
    let index = app.crises.index();
    for (i, slug) in partner.profile.crises.iter().enumerate() {
        crate::crises::named(&index, slug.as_str(), &format!("profile.crises[{i}]"))?;
    }
    Ok(())
}

/// A webhook URL this server may call (`https` to a public address, unless private targets are
/// allowed).
fn check_webhook_url(app: &AppState, partner: &Partner) -> Result<(), ApiError> {
    match &partner.webhook_url {
        Some(url) if !crate::webhooks::url_allowed(url, app.config.webhook_private_targets) => {
            Err(ApiError::Unprocessable(Problem::new(
                "invalid_url",
                "webhooks go to https URLs on the public internet (this server does not allow http or private addresses)",
                Some("webhook_url".into()),
            )))
        }
        _ => Ok(()),
    }
}

/// A new signing key when the partner takes webhooks and had none or changed its URL.
fn new_webhook_secret(partner: &Partner, before: Option<&Partner>) -> Option<String> {
    let url = partner.webhook_url.as_ref()?;
    match before {
        Some(old) if old.webhook_url.as_ref() == Some(url) => None,
        _ => Some(secrets::new_token()),
    }
}

/// Register a partner agency (admins). A name and a kind are enough: the kind gives a default
/// data profile. With a `webhook_url`, the answer carries the signing key once.
#[utoipa::path(
    post,
    path = "/api/v1/partners",
    tag = "partners",
    request_body = PartnerRequest,
    security(("session" = ["admin"])),
    responses(
        (status = 201, body = PartnerSaved),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn post_partner(
    State(app): State<AppState>,
    Admin(admin): Admin,
    ApiJson(request): ApiJson<PartnerRequest>,
) -> Result<(StatusCode, Json<PartnerSaved>), ApiError> {
    let partner = Partner::register(Uuid::now_v7(), &request.to_domain())?;
    check_webhook_url(&app, &partner)?;
    check_crises(&app, &partner)?;
    let webhook_secret = new_webhook_secret(&partner, None);
    let write = RegistryWrite::Register {
        partner: partner.clone(),
        webhook_secret: webhook_secret.clone(),
        by: admin.user.user_id,
        at: app.now_ms(),
    };
    outcome(app.store.registry_write(write).await?)?;
    Ok((StatusCode::CREATED, Json(PartnerSaved { partner: PartnerBody::from(&partner), webhook_secret })))
}

/// Change a partner's registration (admins): what the body leaves out stays as it is (the
/// profile part by part), `null` removes the Arabic name, the contacts, the region or the
/// webhook URL. A profile change applies to every feed at once, including open websockets.
#[utoipa::path(
    put,
    path = "/api/v1/partners/{partner_id}",
    tag = "partners",
    params(("partner_id" = Uuid, Path)),
    request_body = PartnerRequest,
    security(("session" = ["admin"])),
    responses(
        (status = 200, body = PartnerSaved),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn put_partner(
    State(app): State<AppState>,
    Admin(admin): Admin,
    UuidPath(partner_id): UuidPath,
    ApiJson(request): ApiJson<PartnerRequest>,
) -> Result<Json<PartnerSaved>, ApiError> {
    let before = app.store.partner(partner_id).await?.ok_or(ApiError::NotFound)?;
    let partner = before.partner.amend(&request.to_domain())?;
    check_webhook_url(&app, &partner)?;
    check_crises(&app, &partner)?;
    let webhook_secret = new_webhook_secret(&partner, Some(&before.partner));
    let write = RegistryWrite::Update {
        partner: partner.clone(),
        webhook_secret: webhook_secret.clone(),
        by: admin.user.user_id,
        at: app.now_ms(),
    };
    outcome(app.store.registry_write(write).await?)?;
    Ok(Json(PartnerSaved { partner: PartnerBody::from(&partner), webhook_secret }))
}

/// Every partner (operators: they choose whom to refer a case to). Webhook URLs are shown to
/// admins only.
#[utoipa::path(
    get,
    path = "/api/v1/partners",
    tag = "partners",
    security(("session" = [])),
    responses((status = 200, body = [PartnerBody]), (status = 401, body = ErrorBody))
)]
pub async fn list_partners(
    State(app): State<AppState>,
    operator: Operator,
) -> Result<Json<Vec<PartnerBody>>, ApiError> {
    let role = operator.user.role;
    Ok(Json(app.store.partners().await?.iter().map(|r| PartnerBody::for_staff(&r.partner, role)).collect()))
}

#[utoipa::path(
    get,
    path = "/api/v1/partners/{partner_id}",
    tag = "partners",
    params(("partner_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = PartnerBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_partner(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(partner_id): UuidPath,
) -> Result<Json<PartnerBody>, ApiError> {
    let record = app.store.partner(partner_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(PartnerBody::for_staff(&record.partner, operator.user.role)))
}

/// Issue a token for a partner (admins). The token is in this answer only; it carries 256
/// random bits and only its hash is kept.
#[utoipa::path(
    post,
    path = "/api/v1/partners/{partner_id}/tokens",
    tag = "partners",
    params(("partner_id" = Uuid, Path)),
    request_body = TokenRequest,
    security(("session" = ["admin"])),
    responses(
        (status = 201, body = TokenCreated),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn post_token(
    State(app): State<AppState>,
    Admin(admin): Admin,
    UuidPath(partner_id): UuidPath,
    OptionalJson(request): OptionalJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let days = request.expires_in_days.unwrap_or(DEFAULT_TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(ApiError::Unprocessable(Problem::new(
            "out_of_range",
            format!("from 1 to {MAX_TOKEN_DAYS} days"),
            Some("expires_in_days".into()),
        )));
    }
    let token = secrets::new_token();
    let now = app.now_ms();
    let expires_at = now + i64::from(days) * 86_400_000;
    let token_id = Uuid::now_v7();
    let write = RegistryWrite::IssueToken {
        partner_id,
        token_id,
        token_hash: secrets::token_hash(PARTNER_HASH_DOMAIN, &token),
        expires_at,
        by: admin.user.user_id,
        at: now,
    };
    outcome(app.store.registry_write(write).await?)?;
    let expires_at = opsroom_domain::clock::Timestamp(expires_at).to_rfc3339();
    Ok((StatusCode::CREATED, Json(TokenCreated { token_id, token, expires_at })))
}

/// A partner's tokens (admins): ids and dates, never the tokens.
#[utoipa::path(
    get,
    path = "/api/v1/partners/{partner_id}/tokens",
    tag = "partners",
    params(("partner_id" = Uuid, Path)),
    security(("session" = ["admin"])),
    responses((status = 200, body = [TokenBody]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_tokens(
    State(app): State<AppState>,
    Admin(_admin): Admin,
    UuidPath(partner_id): UuidPath,
) -> Result<Json<Vec<TokenBody>>, ApiError> {
    app.store.partner(partner_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(app.store.partner_tokens(partner_id).await?.iter().map(TokenBody::from).collect()))
}

/// Revoke a token (admins). Its next request fails, and a websocket open with it closes within
/// a second.
#[utoipa::path(
    delete,
    path = "/api/v1/partners/{partner_id}/tokens/{token_id}",
    tag = "partners",
    params(("partner_id" = Uuid, Path), ("token_id" = Uuid, Path)),
    security(("session" = ["admin"])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn delete_token(
    State(app): State<AppState>,
    Admin(admin): Admin,
    UuidPaths(partner_id, token_id): UuidPaths,
) -> Result<StatusCode, ApiError> {
    let write = RegistryWrite::RevokeToken { partner_id, token_id, by: admin.user.user_id, at: app.now_ms() };
    outcome(app.store.registry_write(write).await?)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Webhook items given up on after every retry (admins), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/partners/{partner_id}/dead-letters",
    tag = "partners",
    params(("partner_id" = Uuid, Path)),
    security(("session" = ["admin"])),
    responses((status = 200, body = [DeadLetterBody]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_dead_letters(
    State(app): State<AppState>,
    Admin(_admin): Admin,
    UuidPath(partner_id): UuidPath,
) -> Result<Json<Vec<DeadLetterBody>>, ApiError> {
    app.store.partner(partner_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(app.store.dead_letters(partner_id).await?.iter().map(DeadLetterBody::from).collect()))
}

/// Deliver a dead letter again now (admins), rebuilt from the log under the partner's profile
/// and access now. 204 when the partner's endpoint took it; 502 with the reason when it still
/// fails (the letter stays); 409 when the partner may no longer see what it was about.
#[utoipa::path(
    post,
    path = "/api/v1/partners/{partner_id}/dead-letters/{dead_id}/replay",
    tag = "partners",
    params(("partner_id" = Uuid, Path), ("dead_id" = Uuid, Path)),
    security(("session" = ["admin"])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 502, body = ErrorBody))
)]
pub async fn post_replay(
    State(app): State<AppState>,
    Admin(_admin): Admin,
    UuidPaths(partner_id, dead_id): UuidPaths,
) -> Result<StatusCode, ApiError> {
    let letter =
        app.store.dead_letter(dead_id).await?.filter(|d| d.partner_id == partner_id).ok_or(ApiError::NotFound)?;
    crate::webhooks::replay(&app, &letter).await.map_err(|error| match error {
        crate::webhooks::ReplayError::Gone(why) => ApiError::StateConflict(Problem::new("gone", why, None)),
        crate::webhooks::ReplayError::Failed(why) => ApiError::BadGateway(why),
        crate::webhooks::ReplayError::Store(error) => error.into(),
    })?;
    if app.store.dead_letter_replayed(DeadLetterReplayed { dead_id, at: app.now_ms() }).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
