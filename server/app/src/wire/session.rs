//! The JSON shapes of signing in and of staff accounts: the session, users, an admin's changes and
//! the live sessions list.

use opsroom_domain::clock::{RoomTimeZone, Timestamp};
use opsroom_domain::user::Role;
use opsroom_store::SessionUser;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    pub name: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    /// RFC 3339, UTC.
    pub expires_at: String,
    /// The room's time zone (IANA name, e.g. `Africa/Cairo`): pages show local times in it.
    pub time_zone: String,
}

impl SessionInfo {
    pub fn new(u: &SessionUser, time_zone: &RoomTimeZone) -> Self {
        Self {
            user_id: u.user_id,
            name: u.name.clone(),
            role: u.role,
            expires_at: Timestamp::from_millis(u.expires_at).to_rfc3339(),
            time_zone: time_zone.name().to_owned(),
        }
    }
}

/// An operator account, as colleagues see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    /// A disabled account cannot sign in (and cannot be assigned cases).
    pub disabled: bool,
}

impl From<opsroom_store::UserSummary> for UserBody {
    fn from(u: opsroom_store::UserSummary) -> Self {
        Self { user_id: u.user_id, name: u.name, role: u.role, disabled: u.disabled }
    }
}

/// `PUT /api/v1/users/{name}`: a new role, disabling or re-enabling, or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeRequest {
    pub role: Option<Role>,
    /// `true` disables the account and ends its sessions and live streams at once.
    pub disabled: Option<bool>,
}

/// `POST /api/v1/users`: a new staff account; without a password the server generates one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub name: String,
    pub role: Role,
    pub password: Option<String>,
}

/// A staff account just opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewUserBody {
    pub user: UserBody,
    /// The password the server generated, shown this once; absent when the admin chose one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `POST /api/v1/users/{name}/password`: the new password, or none to have one generated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    pub password: Option<String>,
}

/// What an admin's change to an account did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountChangedBody {
    /// The account as it is now.
    pub user: UserBody,
    /// How many of its sessions (and their live streams) ended.
    pub sessions_ended: u64,
    /// The password the server generated, shown this once; absent when the admin chose one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A live session, as admins see it (never its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When it was last used, to about a minute.
    pub last_seen_at: String,
    /// When it ends however much it is used.
    pub expires_at: String,
    /// Where it was opened from (as the server or its trusted proxy saw it).
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// The session this list was asked for with.
    pub current: bool,
}

impl From<opsroom_store::SessionRow> for SessionBody {
    fn from(s: opsroom_store::SessionRow) -> Self {
        let time = |ms| Timestamp::from_millis(ms).to_rfc3339();
        Self {
            created_at: time(s.created_at),
            last_seen_at: time(s.last_seen_at),
            expires_at: time(s.expires_at),
            client_address: s.client_address,
            user_agent: s.user_agent,
            current: s.current,
        }
    }
}
