//! Staff accounts and their sessions in the database: opening, using and closing sessions, and
//! the lifecycle writes (disable, enable, role, password reset, ending a user's sessions).
//!
//! Writes run inside the writer's transaction, so the rules that depend on other accounts (the
//! last enabled admin) are checked against the database as it is at commit, on every node. Must
//! not decide what the domain decides: which changes are allowed and which events they record
//! is `staff::decide`. Sessions are credentials, not facts about the crisis: opening, using and
//! closing one records no event, but an admin's action on someone's account does.

use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::{Event, UserCreated};
use opsroom_domain::staff::{self, Account, AccountChange, AccountEvent, Refusal, StaffActor, UserAccountChanged};
use opsroom_domain::user::Role;
use uuid::Uuid;

use crate::Result;
use crate::model::{NewSession, NewUser, SessionUser, UserOutcome, UserSummary};
use crate::reads::{role_col, uuid_col};
use crate::rows::record;
use crate::sql::{Conn, Pool};
use crate::write::{Positions, Write};

/// An admin's write about a staff account.
#[derive(Debug, Clone)]
pub enum AccountWrite {
    /// Change an account's role and/or disabled state; disabling ends its sessions.
    Change { name: String, change: AccountChange, actor: StaffActor, at: i64 },
    /// Set a new password (already hashed) and end the account's sessions, except
    /// `keep_session` (the hash of the caller's own, when admins reset their own password).
    ResetPassword { name: String, password_hash: String, keep_session: Option<String>, actor: StaffActor, at: i64 },
    /// End every session of an account.
    EndSessions { name: String, actor: StaffActor, at: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountOutcome {
    /// Done: the account as it is now, the events recorded (none when it already was as asked)
    /// and how many sessions ended.
    Applied {
        account: UserSummary,
        events: u64,
        sessions_ended: u64,
    },
    NotFound,
    Refused(Refusal),
}

/// A live session as admins see it: never its token or the token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// The session the list was asked with.
    pub current: bool,
}

/// When a session counts as live: before `expires_at`, and used after `idle_before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionClock {
    pub now: i64,
    /// Sessions last used at or before this instant have idled out.
    pub idle_before: i64,
}

// ---- writes

impl Write for NewUser {
    type Outcome = UserOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<UserOutcome> {
        let taken = conn.statement("select count(*) as n from app_user where name = $1").bind(self.name.as_str());
        if conn.fetch_one(taken).await?.get::<i64>("n")? > 0 {
            return Ok(UserOutcome::NameTaken);
        }
        let event = Event::UserCreated(UserCreated {
            user_id: self.user_id,
            name: self.name.as_str().to_owned(),
            role: self.role,
        });
        let seq = record(conn, positions, &event, self.created_at).await?;
        let insert = conn
            .statement(
                "insert into app_user (user_id, name, role, password_hash, created_at, created_seq)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(self.user_id.to_string())
            .bind(self.name.as_str())
            .bind(self.role.as_str())
            .bind(self.password_hash.as_str())
            .bind(self.created_at)
            .bind(seq as i64);
        conn.execute(insert).await?;
        Ok(UserOutcome::Created { seq })
    }
}

/// Close a session.
pub(crate) struct CloseSession {
    pub(crate) token_hash: String,
}

/// The session was used at `at` (the idle timeout counts from its last use).
pub(crate) struct TouchSession {
    pub(crate) token_hash: String,
    pub(crate) at: i64,
}

impl Write for NewSession {
    /// Whether it opened: not when the account was disabled or its password changed since the
    /// caller verified `NewSession::password_hash` (a sign-in racing a disable or a reset loses).
    type Outcome = bool;

    /// Sessions expired at `created_at` are removed first.
    async fn write(&mut self, conn: &mut Conn<'_>, _positions: &mut Positions) -> Result<bool> {
        open_session(conn, self).await
    }
}

impl Write for CloseSession {
    type Outcome = ();

    async fn write(&mut self, conn: &mut Conn<'_>, _positions: &mut Positions) -> Result<()> {
        let delete = conn.statement("delete from session where token_hash = $1").bind(self.token_hash.as_str());
        conn.execute(delete).await.map(drop)
    }
}

impl Write for TouchSession {
    type Outcome = ();

    async fn write(&mut self, conn: &mut Conn<'_>, _positions: &mut Positions) -> Result<()> {
        let touch = conn
            .statement("update session set last_seen_at = $1 where token_hash = $2 and last_seen_at < $1")
            .bind(self.at)
            .bind(self.token_hash.as_str());
        conn.execute(touch).await.map(drop)
    }
}

impl Write for AccountWrite {
    type Outcome = AccountOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<AccountOutcome> {
        write(conn, self, positions).await
    }
}

async fn write(conn: &mut Conn<'_>, op: &AccountWrite, positions: &mut Positions) -> Result<AccountOutcome> {
    match op {
        AccountWrite::Change { name, change, actor, at } => {
            change_account(conn, name, *change, *actor, *at, positions).await
        }
        AccountWrite::ResetPassword { name, password_hash, keep_session, actor, at } => {
            let Some(account) = account(conn, name).await? else { return Ok(AccountOutcome::NotFound) };
            let update = conn
                .statement("update app_user set password_hash = $1 where user_id = $2")
                .bind(password_hash.as_str())
                .bind(account.user_id.to_string());
            conn.execute(update).await?;
            let sessions_ended = end_sessions(conn, account.user_id, keep_session.as_deref()).await?;
            let event = Event::UserPasswordReset(UserAccountChanged::new(&account, *actor, Timestamp(*at)));
            record(conn, positions, &event, *at).await?;
            Ok(AccountOutcome::Applied { account: summary(account), events: 1, sessions_ended })
        }
        AccountWrite::EndSessions { name, actor, at } => {
            let Some(account) = account(conn, name).await? else { return Ok(AccountOutcome::NotFound) };
            let sessions_ended = end_sessions(conn, account.user_id, None).await?;
            let event = Event::UserSessionsEnded(UserAccountChanged::new(&account, *actor, Timestamp(*at)));
            record(conn, positions, &event, *at).await?;
            Ok(AccountOutcome::Applied { account: summary(account), events: 1, sessions_ended })
        }
    }
}

async fn open_session(conn: &mut Conn<'_>, session: &NewSession) -> Result<bool> {
    let expired = conn.statement("delete from session where expires_at <= $1").bind(session.created_at);
    conn.execute(expired).await?;
    // One statement decides and writes: the account must still be enabled and still have the
    // password the caller verified.
    let insert = conn
        .statement(
            "insert into session (token_hash, user_id, created_at, expires_at, last_seen_at, client_address, user_agent)
             select $1, user_id, $2, $3, $2, $4, $5 from app_user
              where user_id = $6 and disabled_at is null and password_hash = $7",
        )
        .bind(session.token_hash.as_str())
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(session.client_address.as_deref())
        .bind(session.user_agent.as_deref())
        .bind(session.user_id.to_string())
        .bind(session.password_hash.as_str());
    Ok(conn.execute(insert).await? == 1)
}

async fn change_account(
    conn: &mut Conn<'_>,
    name: &str,
    change: AccountChange,
    actor: StaffActor,
    at: i64,
    positions: &mut Positions,
) -> Result<AccountOutcome> {
    let Some(account) = account(conn, name).await? else { return Ok(AccountOutcome::NotFound) };
    let admins = conn.statement("select count(*) as n from app_user where role = $1 and disabled_at is null");
    let enabled_admins = conn.fetch_one(admins.bind(Role::Admin.as_str())).await?.get::<i64>("n")?;
    let events = match staff::decide(actor, &account, enabled_admins as u64, change, Timestamp(at)) {
        Ok(events) => events,
        Err(refusal) => return Ok(AccountOutcome::Refused(refusal)),
    };
    let mut now = account.clone();
    let mut sessions_ended = 0;
    let count = events.len() as u64;
    for event in events {
        let user_id = account.user_id.to_string();
        match &event {
            AccountEvent::RoleChanged(changed) => {
                let update = conn.statement("update app_user set role = $1 where user_id = $2");
                conn.execute(update.bind(changed.to.as_str()).bind(user_id)).await?;
                now.role = changed.to;
            }
            AccountEvent::Disabled(_) => {
                let update = conn.statement("update app_user set disabled_at = $1 where user_id = $2");
                conn.execute(update.bind(at).bind(user_id)).await?;
                sessions_ended = end_sessions(conn, account.user_id, None).await?;
                now.disabled = true;
            }
            AccountEvent::Enabled(_) => {
                let update = conn.statement("update app_user set disabled_at = null where user_id = $1");
                conn.execute(update.bind(user_id)).await?;
                now.disabled = false;
            }
        }
        record(conn, positions, &Event::from(event), at).await?;
    }
    Ok(AccountOutcome::Applied { account: summary(now), events: count, sessions_ended })
}

/// Delete an account's sessions, but `keep`; returns how many ended.
async fn end_sessions(conn: &mut Conn<'_>, user_id: Uuid, keep: Option<&str>) -> Result<u64> {
    let delete = conn
        .statement("delete from session where user_id = $1 and token_hash <> $2")
        .bind(user_id.to_string())
        .bind(keep.unwrap_or(""));
    conn.execute(delete).await
}

async fn account(conn: &mut Conn<'_>, name: &str) -> Result<Option<Account>> {
    let statement = conn.statement("select user_id, name, role, disabled_at from app_user where name = $1").bind(name);
    conn.fetch_optional(statement)
        .await?
        .map(|r| {
            Ok(Account {
                user_id: uuid_col(&r, "user_id")?,
                name: r.get("name")?,
                role: role_col(&r)?,
                disabled: r.get::<Option<i64>>("disabled_at")?.is_some(),
            })
        })
        .transpose()
}

fn summary(account: Account) -> UserSummary {
    UserSummary { user_id: account.user_id, name: account.name, role: account.role, disabled: account.disabled }
}

// ---- reads

/// The user behind a live session: not expired, not idle, of an enabled account.
pub(crate) async fn session_user(pool: &Pool, token_hash: &str, clock: SessionClock) -> Result<Option<SessionUser>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select u.user_id, u.name, u.role, s.expires_at, s.last_seen_at
               from session s join app_user u on u.user_id = s.user_id
              where s.token_hash = $1 and s.expires_at > $2 and s.last_seen_at > $3 and u.disabled_at is null",
        )
        .bind(token_hash)
        .bind(clock.now)
        .bind(clock.idle_before);
    conn.fetch_optional(statement)
        .await?
        .map(|r| {
            Ok(SessionUser {
                user_id: uuid_col(&r, "user_id")?,
                name: r.get("name")?,
                role: role_col(&r)?,
                expires_at: r.get("expires_at")?,
                last_seen_at: r.get("last_seen_at")?,
            })
        })
        .transpose()
}

/// The live sessions of an account, most recently used first; `current` marks the session
/// whose hash is `asked_with`. The hashes never leave this function.
pub(crate) async fn sessions(
    pool: &Pool,
    user_id: Uuid,
    clock: SessionClock,
    asked_with: &str,
) -> Result<Vec<SessionRow>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select token_hash, created_at, last_seen_at, expires_at, client_address, user_agent from session
              where user_id = $1 and expires_at > $2 and last_seen_at > $3
              order by last_seen_at desc, created_at desc",
        )
        .bind(user_id.to_string())
        .bind(clock.now)
        .bind(clock.idle_before);
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(SessionRow {
                created_at: r.get("created_at")?,
                last_seen_at: r.get("last_seen_at")?,
                expires_at: r.get("expires_at")?,
                client_address: r.get("client_address")?,
                user_agent: r.get("user_agent")?,
                current: r.get::<String>("token_hash")? == asked_with,
            })
        })
        .collect()
}
