//! Staff accounts and their sessions in the database: opening, using and closing sessions, and
//! the lifecycle writes (disable, enable, role, password reset, ending a user's sessions).
//!
//! Writes run inside the writer's transaction, so the rules that depend on other accounts (the
//! last enabled admin) are checked against the database as it is at commit, on every node. Must
//! not decide what the domain decides: which changes are allowed and which events they record
//! is `staff::decide`. Sessions are credentials, not facts about the crisis: opening, using and
//! closing one records no event, but an admin's action on someone's account does.

use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::staff::{self, Account, AccountChange, Refusal, StaffActor, UserAccountChanged};
use opsroom_domain::user::Role;
use uuid::Uuid;

use crate::Result;
use crate::model::{NewSession, UserSummary};
use crate::reads::{role_col, uuid_col};
use crate::sql::{Conn, Pool};
use crate::writer::insert_event;

/// One write about staff accounts or sessions (one writer command for all of them).
#[derive(Debug, Clone)]
pub enum StaffWrite {
    /// Open a session, unless the account was disabled or its password changed since the caller
    /// verified `NewSession::password_hash` (a sign-in racing a disable or a reset loses).
    /// Sessions expired at `created_at` are removed.
    OpenSession(NewSession),
    CloseSession {
        token_hash: String,
    },
    /// The session was used at `at` (the idle timeout counts from its last use).
    TouchSession {
        token_hash: String,
        at: i64,
    },
    /// Change an account's role and/or disabled state; disabling ends its sessions.
    Change {
        name: String,
        change: AccountChange,
        actor: StaffActor,
        at: i64,
    },
    /// Set a new password (already hashed) and end the account's sessions, except
    /// `keep_session` (the hash of the caller's own, when admins reset their own password).
    ResetPassword {
        name: String,
        password_hash: String,
        keep_session: Option<String>,
        actor: StaffActor,
        at: i64,
    },
    /// End every session of an account.
    EndSessions {
        name: String,
        actor: StaffActor,
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffOutcome {
    /// Done, without an event (a session opened, closed or used).
    Done,
    /// The session was not opened: the account is disabled, or its password changed meanwhile.
    NotOpened,
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

impl StaffOutcome {
    /// How many log positions the outcome used.
    pub(crate) fn events(&self) -> u64 {
        match self {
            StaffOutcome::Applied { events, .. } => *events,
            _ => 0,
        }
    }
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

/// Apply one staff write at `seq`.
pub(crate) async fn write(conn: &mut Conn<'_>, op: &StaffWrite, seq: u64) -> Result<StaffOutcome> {
    match op {
        StaffWrite::OpenSession(session) => open_session(conn, session).await,
        StaffWrite::CloseSession { token_hash } => {
            let delete = conn.statement("delete from session where token_hash = $1").bind(token_hash.as_str());
            conn.execute(delete).await?;
            Ok(StaffOutcome::Done)
        }
        StaffWrite::TouchSession { token_hash, at } => {
            let touch = conn
                .statement("update session set last_seen_at = $1 where token_hash = $2 and last_seen_at < $1")
                .bind(*at)
                .bind(token_hash.as_str());
            conn.execute(touch).await?;
            Ok(StaffOutcome::Done)
        }
        StaffWrite::Change { name, change, actor, at } => change_account(conn, name, *change, *actor, *at, seq).await,
        StaffWrite::ResetPassword { name, password_hash, keep_session, actor, at } => {
            let Some(account) = account(conn, name).await? else { return Ok(StaffOutcome::NotFound) };
            let update = conn
                .statement("update app_user set password_hash = $1 where user_id = $2")
                .bind(password_hash.as_str())
                .bind(account.user_id.to_string());
            conn.execute(update).await?;
            let sessions_ended = end_sessions(conn, account.user_id, keep_session.as_deref()).await?;
            let event = Event::UserPasswordReset(UserAccountChanged::new(&account, *actor, Timestamp(*at)));
            insert_event(conn, seq, &event, *at).await?;
            Ok(StaffOutcome::Applied { account: summary(account), events: 1, sessions_ended })
        }
        StaffWrite::EndSessions { name, actor, at } => {
            let Some(account) = account(conn, name).await? else { return Ok(StaffOutcome::NotFound) };
            let sessions_ended = end_sessions(conn, account.user_id, None).await?;
            let event = Event::UserSessionsEnded(UserAccountChanged::new(&account, *actor, Timestamp(*at)));
            insert_event(conn, seq, &event, *at).await?;
            Ok(StaffOutcome::Applied { account: summary(account), events: 1, sessions_ended })
        }
    }
}

async fn open_session(conn: &mut Conn<'_>, session: &NewSession) -> Result<StaffOutcome> {
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
    Ok(if conn.execute(insert).await? == 1 { StaffOutcome::Done } else { StaffOutcome::NotOpened })
}

async fn change_account(
    conn: &mut Conn<'_>,
    name: &str,
    change: AccountChange,
    actor: StaffActor,
    at: i64,
    seq: u64,
) -> Result<StaffOutcome> {
    let Some(account) = account(conn, name).await? else { return Ok(StaffOutcome::NotFound) };
    let admins = conn.statement("select count(*) as n from app_user where role = $1 and disabled_at is null");
    let enabled_admins = conn.fetch_one(admins.bind(Role::Admin.as_str())).await?.get::<i64>("n")?;
    let events = match staff::decide(actor, &account, enabled_admins as u64, change, Timestamp(at)) {
        Ok(events) => events,
        Err(refusal) => return Ok(StaffOutcome::Refused(refusal)),
    };
    let mut now = account.clone();
    let mut sessions_ended = 0;
    for (event, seq) in events.iter().zip(seq..) {
        insert_event(conn, seq, event, at).await?;
        let user_id = account.user_id.to_string();
        match event {
            Event::UserRoleChanged(changed) => {
                let update = conn.statement("update app_user set role = $1 where user_id = $2");
                conn.execute(update.bind(changed.to.as_str()).bind(user_id)).await?;
                now.role = changed.to;
            }
            Event::UserDisabled(_) => {
                let update = conn.statement("update app_user set disabled_at = $1 where user_id = $2");
                conn.execute(update.bind(at).bind(user_id)).await?;
                sessions_ended = end_sessions(conn, account.user_id, None).await?;
                now.disabled = true;
            }
            Event::UserEnabled(_) => {
                let update = conn.statement("update app_user set disabled_at = null where user_id = $1");
                conn.execute(update.bind(user_id)).await?;
                now.disabled = false;
            }
            other => unreachable!("staff::decide records no {}", other.kind()),
        }
    }
    Ok(StaffOutcome::Applied { account: summary(now), events: events.len() as u64, sessions_ended })
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
