//! Who is asking: passwords, operator sessions and the extractor that requires one.
//!
//! Owns password hashing (argon2id, off the async runtime), the session cookie (HttpOnly,
//! SameSite=Strict, its value stored only as a hash; on HTTPS deployments `Secure` and named
//! `__Host-…`, so a page served over plain HTTP on the way cannot plant or read it) and
//! [`Operator`], which every non-public handler takes. A present-but-invalid cookie is a 401 like
//! a missing one.

use std::sync::LazyLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use opsroom_store::SessionUser;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::http::error::ApiError;
use crate::secrets;
use crate::server::AppState;
use opsroom_domain::user::Role;

/// The session cookie's name over plain HTTP (development, a closed network).
pub const SESSION_COOKIE: &str = "opsroom_session";
/// Its name on HTTPS deployments: browsers keep a `__Host-` cookie only if it is `Secure`, for
/// this host alone and for every path, so no sibling site or plain-HTTP page can set it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-opsroom_session";
/// Hash domain of session tokens (see [`secrets::token_hash`]).
pub const SESSION_HASH_DOMAIN: &str = "opsroom-session";

/// Password work is slow and takes ~19 MiB per hash (argon2id's default memory cost), so only a
/// few run at once: without a bound, a flood of sign-ins for made-up names would fill every
/// blocking thread and gigabytes of memory.
static PASSWORD_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    Semaphore::new(2 * cores)
});

/// How long a sign-in waits for a free slot before it is told to come back later.
const PASSWORD_QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Every password slot stayed busy for [`PASSWORD_QUEUE_WAIT`].
#[derive(Debug, thiserror::Error)]
#[error("too many sign-ins at once; try again in a few seconds")]
pub struct PasswordWorkBusy;

async fn password_work<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, PasswordWorkBusy> {
    let _slot = tokio::time::timeout(PASSWORD_QUEUE_WAIT, PASSWORD_SLOTS.acquire())
        .await
        .map_err(|_| PasswordWorkBusy)?
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(work).await.map_err(|_| PasswordWorkBusy)
}

/// Hash a password with argon2id and a random salt, off the async runtime (it takes tens of ms).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    password_work(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// Check a password against a PHC string, off the async runtime.
pub async fn verify_password(password: String, phc: String) -> Result<bool, PasswordWorkBusy> {
    password_work(move || {
        PasswordHash::new(&phc).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
    })
    .await
}

fn session_cookie_name(config: &Config) -> &'static str {
    if config.https() { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// The session token in the request's cookie, if any (only under the name this deployment sets).
pub fn session_token<'h>(headers: &'h HeaderMap, config: &Config) -> Option<&'h str> {
    cookie(headers, session_cookie_name(config))
}

fn cookie<'h>(headers: &'h HeaderMap, wanted: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value)
}

/// `; Secure` on HTTPS deployments.
fn secure_attribute(config: &Config) -> &'static str {
    if config.https() { "; Secure" } else { "" }
}

/// `Set-Cookie` value for a new session.
pub fn session_cookie(token: &str, max_age_secs: u64, config: &Config) -> String {
    let (name, secure) = (session_cookie_name(config), secure_attribute(config));
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// `Set-Cookie` value that removes the session cookie.
pub fn expired_session_cookie(config: &Config) -> String {
    session_cookie("", 0, config)
}

/// A signed-in operator, supervisor or admin. Extracting it answers 401 when there is no valid
/// session.
#[derive(Debug, Clone)]
pub struct Operator {
    pub user: SessionUser,
    /// Hash of the session token, to re-check the session later (long-lived websockets).
    pub session_hash: String,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers, &app.config).ok_or(ApiError::Unauthenticated)?;
        let session_hash = secrets::token_hash(SESSION_HASH_DOMAIN, token);
        let user = app.store.session_user(&session_hash, app.now_ms()).await?.ok_or(ApiError::Unauthenticated)?;
        Ok(Operator { user, session_hash })
    }
}

/// A signed-in supervisor or admin. Any other signed-in user gets 403 before anything else of the
/// request is read, so the answer says nothing about the path or the body.
#[derive(Debug, Clone)]
pub struct Supervisor(pub Operator);

impl FromRequestParts<AppState> for Supervisor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let operator = Operator::from_request_parts(parts, app).await?;
        match operator.user.role {
            Role::Supervisor | Role::Admin => Ok(Supervisor(operator)),
            Role::Operator => Err(ApiError::Forbidden("this needs a supervisor or an admin")),
        }
    }
}

/// A signed-in admin. Anyone else signed in gets 403 before the request is read further.
#[derive(Debug, Clone)]
pub struct Admin(pub Operator);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let operator = Operator::from_request_parts(parts, app).await?;
        match operator.user.role {
            Role::Admin => Ok(Admin(operator)),
            Role::Operator | Role::Supervisor => Err(ApiError::Forbidden("this needs an admin")),
        }
    }
}

/// Cookie of the partner page's session (HttpOnly, SameSite=Strict, only sent to the partner
/// API): a short-lived token of its own, opened with an API token and ending with it, so the
/// browser never holds the long-lived API token.
pub const PARTNER_COOKIE: &str = "opsroom_partner";
/// Its name on HTTPS deployments (`__Secure-`: it has a path, so it cannot be `__Host-`).
pub const SECURE_PARTNER_COOKIE: &str = "__Secure-opsroom_partner";

fn partner_cookie_name(config: &Config) -> &'static str {
    if config.https() { SECURE_PARTNER_COOKIE } else { PARTNER_COOKIE }
}
/// Hash domains of partner API tokens and of partner page sessions.
pub const PARTNER_HASH_DOMAIN: &str = "opsroom-partner";
pub const PARTNER_SESSION_HASH_DOMAIN: &str = "opsroom-partner-session";

/// How a partner proved who it is; kept so a long-lived websocket can re-check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerCredential {
    /// The hash of an API token sent as `Authorization: Bearer …`.
    Token(String),
    /// The hash of a partner page session (the cookie).
    PageSession(String),
}

/// A partner agency, by its bearer token (`Authorization: Bearer …`) or the partner page's
/// session cookie. A missing, unknown, revoked or expired credential is a 401, all alike. The
/// cookie counts only on requests from this site (an `Origin`, when sent, must be allowed), so
/// another page cannot act with it.
#[derive(Debug, Clone)]
pub struct PartnerCaller {
    pub session: opsroom_store::PartnerSession,
    pub credential: PartnerCredential,
}

impl PartnerCredential {
    /// The partner as registered now, if the credential is live.
    pub async fn session(&self, app: &AppState) -> opsroom_store::Result<Option<opsroom_store::PartnerSession>> {
        match self {
            PartnerCredential::Token(hash) => app.store.partner_session(hash, app.now_ms()).await,
            PartnerCredential::PageSession(hash) => app.store.partner_web_session(hash, app.now_ms()).await,
        }
    }
}

impl PartnerCaller {
    pub fn partner_id(&self) -> uuid::Uuid {
        self.session.partner.partner_id
    }
}

/// The bearer token a request carries, if any (the scheme's case does not matter).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for PartnerCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let credential = match bearer_token(&parts.headers) {
            Some(token) => PartnerCredential::Token(secrets::token_hash(PARTNER_HASH_DOMAIN, token)),
            None => {
                let from_here = crate::http::guard::origin_allowed(&parts.headers, &app.config);
                let cookie = partner_page_cookie(&parts.headers, &app.config).filter(|_| from_here);
                let cookie = cookie.ok_or(ApiError::Unauthenticated)?;
                PartnerCredential::PageSession(secrets::token_hash(PARTNER_SESSION_HASH_DOMAIN, cookie))
            }
        };
        let session = credential.session(app).await?.ok_or(ApiError::Unauthenticated)?;
        Ok(PartnerCaller { session, credential })
    }
}

/// The partner page's session cookie, if the request carries one.
pub fn partner_page_cookie<'h>(headers: &'h HeaderMap, config: &Config) -> Option<&'h str> {
    cookie(headers, partner_cookie_name(config))
}

/// `Set-Cookie` value for the partner page's session, sent only to the partner API.
pub fn partner_cookie(session_token: &str, max_age_secs: u64, config: &Config) -> String {
    let (name, secure) = (partner_cookie_name(config), secure_attribute(config));
    format!("{name}={session_token}; Path=/api/v1/partner; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// `Set-Cookie` value that removes the partner page's session cookie.
pub fn expired_partner_cookie(config: &Config) -> String {
    partner_cookie("", 0, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), hash.clone()).await.unwrap());
        assert!(!verify_password("wrong horse battery".into(), hash).await.unwrap());
        assert!(!verify_password("x".into(), "not a hash".into()).await.unwrap());
    }

    #[test]
    fn the_bearer_scheme_is_read_whatever_its_case() {
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::AUTHORIZATION, "bearer abc ".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(axum::http::header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "theme=dark; opsroom_session=abc; x=y".parse().unwrap());
        let mut config = Config::new("sqlite://x");
        assert_eq!(session_token(&headers, &config), Some("abc"));
        // On HTTPS only the __Host- cookie counts: one planted over plain HTTP has the plain name.
        config.public_url = Some("https://opsroom.example.org".into());
        assert_eq!(session_token(&headers, &config), None);
        headers.insert(COOKIE, "__Host-opsroom_session=def; opsroom_session=abc".parse().unwrap());
        assert_eq!(session_token(&headers, &config), Some("def"));
    }
}
