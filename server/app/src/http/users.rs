//! `/api/v1/users`: who can be assigned a case (names and roles, no secrets), and the admins'
//! side of staff accounts: creating them, disabling and re-enabling them, changing roles,
//! resetting passwords, ending and listing sessions.
//!
//! Owns how an account change is answered. The rules (nobody disables or demotes themselves or
//! the last enabled admin) are the domain's `staff::decide`, checked by the store inside the
//! write so two admins acting at once cannot both pass them. Every change is an event; the
//! ones that end sessions close the user's live streams at once on every node (the hub's
//! notice). Must not show a session's token or its hash.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::staff::{AccountChange, Refusal, StaffActor};
use opsroom_domain::user::UserName;
use opsroom_store::{AccountOutcome, AccountWrite, NewUser, UserOutcome};

use crate::auth::{Admin, Operator};
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UserNamePath};
use crate::state::AppState;
use crate::wire::{
    AccountChangedBody, ErrorBody, NewUserBody, NewUserRequest, PasswordRequest, Problem, SessionBody, UserBody,
    UserChangeRequest,
};
use crate::{auth, secrets, server};

/// Every operator account, by name.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "session",
    security(("session" = [])),
    responses((status = 200, body = Vec<UserBody>), (status = 401, body = ErrorBody))
)]
pub async fn list_users(State(app): State<AppState>, _operator: Operator) -> Result<Json<Vec<UserBody>>, ApiError> {
    let users = app.store.users().await?;
    Ok(Json(users.into_iter().map(UserBody::from).collect()))
}

/// Open a staff account (admins) with the password sent, or one generated and shown in this
/// answer only. The name and the password meet the same rules as `opsroom user add`.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = NewUserRequest,
    security(("session" = ["admin"])),
    responses(
        (status = 201, body = NewUserBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "The name or the password does not meet the rules", body = ErrorBody),
    )
)]
pub async fn post_user(
    State(app): State<AppState>,
    _admin: Admin,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<NewUserBody>), ApiError> {
    let name = UserName::parse(&request.name)?;
    let generated = request.password.is_none().then(secrets::new_token);
    let password = request.password.or_else(|| generated.clone()).expect("one of the two is set");
    let password_hash =
        server::hash_new_password(password, &name).await.map_err(|busy| ApiError::Unavailable(busy.to_string()))??;
    let user =
        NewUser { user_id: uuid::Uuid::now_v7(), name, role: request.role, password_hash, created_at: app.now_ms() };
    let body =
        UserBody { user_id: user.user_id, name: user.name.as_str().to_owned(), role: user.role, disabled: false };
    match app.store.create_user(user).await? {
        UserOutcome::Created { .. } => Ok((StatusCode::CREATED, Json(NewUserBody { user: body, password: generated }))),
        UserOutcome::NameTaken => Err(ApiError::StateConflict(Problem::new(
            "name_taken",
            "an account with this name exists",
            Some("name".into()),
        ))),
    }
}

/// The answer to an account change, or why it was refused.
fn answer(outcome: AccountOutcome, password: Option<String>) -> Result<Json<AccountChangedBody>, ApiError> {
    match outcome {
        AccountOutcome::Applied { account, sessions_ended, .. } => {
            Ok(Json(AccountChangedBody { user: UserBody::from(account), sessions_ended, password }))
        }
        AccountOutcome::NotFound => Err(ApiError::NotFound),
        AccountOutcome::Refused(refusal) => {
            let problem = Problem::new(refusal.code(), refusal.message(), None);
            Err(match refusal {
                Refusal::LastAdmin => ApiError::StateConflict(problem),
                Refusal::NothingToChange | Refusal::OwnAccount => ApiError::Unprocessable(problem),
            })
        }
    }
}

/// Change an account's role or disable or re-enable it (admins). Disabling ends the account's
/// sessions and live streams at once; a disabled account cannot sign in. Nobody disables or
/// demotes their own account (422 `own_account`) or the last enabled admin (409 `last_admin`).
#[utoipa::path(
    put,
    path = "/api/v1/users/{name}",
    tag = "users",
    params(("name" = String, Path)),
    request_body = UserChangeRequest,
    security(("session" = ["admin"])),
    responses(
        (status = 200, body = AccountChangedBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "It would leave no enabled admin", body = ErrorBody),
        (status = 422, description = "Nothing to change, or your own account", body = ErrorBody),
    )
)]
pub async fn put_user(
    State(app): State<AppState>,
    Admin(admin): Admin,
    UserNamePath(name): UserNamePath,
    ApiJson(request): ApiJson<UserChangeRequest>,
) -> Result<Json<AccountChangedBody>, ApiError> {
    let change = AccountChange { role: request.role, disabled: request.disabled };
    let write = AccountWrite::Change {
        name: name.as_str().to_owned(),
        change,
        actor: StaffActor::Admin(admin.user.user_id),
        at: app.now_ms(),
    };
    answer(app.store.account_write(write).await?, None)
}

/// Give an account a new password (admins): the one sent, or one generated and shown in this
/// answer only. Ends the account's sessions and live streams — all but the caller's own, when
/// admins reset their own password.
#[utoipa::path(
    post,
    path = "/api/v1/users/{name}/password",
    tag = "users",
    params(("name" = String, Path)),
    request_body = PasswordRequest,
    security(("session" = ["admin"])),
    responses(
        (status = 200, body = AccountChangedBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "The password does not meet the policy", body = ErrorBody),
    )
)]
pub async fn post_password(
    State(app): State<AppState>,
    Admin(admin): Admin,
    UserNamePath(name): UserNamePath,
    ApiJson(request): ApiJson<PasswordRequest>,
) -> Result<Json<AccountChangedBody>, ApiError> {
    let generated = request.password.is_none().then(secrets::new_token);
    let password = request.password.or_else(|| generated.clone()).expect("one of the two is set");
    let password_hash =
        server::hash_new_password(password, &name).await.map_err(|busy| ApiError::Unavailable(busy.to_string()))??;
    let write = AccountWrite::ResetPassword {
        name: name.as_str().to_owned(),
        password_hash,
        keep_session: Some(admin.session_hash.clone()),
        actor: StaffActor::Admin(admin.user.user_id),
        at: app.now_ms(),
    };
    answer(app.store.account_write(write).await?, generated)
}

/// End every session of an account (admins), and with them its live streams, on every node.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{name}/sessions",
    tag = "users",
    params(("name" = String, Path)),
    security(("session" = ["admin"])),
    responses(
        (status = 200, body = AccountChangedBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn delete_sessions(
    State(app): State<AppState>,
    Admin(admin): Admin,
    UserNamePath(name): UserNamePath,
) -> Result<Json<AccountChangedBody>, ApiError> {
    let write = AccountWrite::EndSessions {
        name: name.as_str().to_owned(),
        actor: StaffActor::Admin(admin.user.user_id),
        at: app.now_ms(),
    };
    answer(app.store.account_write(write).await?, None)
}

/// An account's live sessions (admins), most recently used first: when each was opened and
/// last used, and from where. Never a token.
#[utoipa::path(
    get,
    path = "/api/v1/users/{name}/sessions",
    tag = "users",
    params(("name" = String, Path)),
    security(("session" = ["admin"])),
    responses(
        (status = 200, body = [SessionBody]),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn list_sessions(
    State(app): State<AppState>,
    Admin(admin): Admin,
    UserNamePath(name): UserNamePath,
) -> Result<Json<Vec<SessionBody>>, ApiError> {
    let user = app.store.user_by_name(name.as_str()).await?.ok_or(ApiError::NotFound)?;
    let sessions = app.store.sessions(user.user_id, auth::session_clock(&app), &admin.session_hash).await?;
    Ok(Json(sessions.into_iter().map(SessionBody::from).collect()))
}
