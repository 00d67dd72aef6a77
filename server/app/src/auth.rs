//! Who is asking: passwords, operator sessions and the extractor that requires one.
//!
//! Owns password hashing (argon2id into standard PHC strings, off the async runtime, in a fixed
//! pool of reused memory), the session cookie (HttpOnly, SameSite=Strict, its value stored only
//! as a hash; on HTTPS deployments `Secure` and named `__Host-…`, so a page served over plain
//! HTTP on the way cannot plant or read it), when a session is live (not expired, not idle for
//! longer than `Config::session_idle`, of an enabled account) and [`Operator`], which every
//! non-public handler takes. A present-but-invalid cookie is a 401 like a missing one.

use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use opsroom_domain::user::Role;
use opsroom_store::{SessionClock, SessionUser};
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::http::error::ApiError;
use crate::secrets;
use crate::state::{App, AppState};

/// The session cookie's name over plain HTTP (development, a closed network).
pub const SESSION_COOKIE: &str = "opsroom_session";
/// Its name on HTTPS deployments: browsers keep a `__Host-` cookie only if it is `Secure`, for
/// this host alone and for every path, so no sibling site or plain-HTTP page can set it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-opsroom_session";
/// Hash domain of session tokens (see [`secrets::token_hash`]).
pub const SESSION_HASH_DOMAIN: &str = "opsroom-session";

/// Cost of new hashes: argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane; OWASP's
/// recommended minimum). Stored hashes whose memory fits a slot verify whatever their cost.
const HASH_PARAMS: Params = Params::DEFAULT;
/// Argon2 memory blocks (1 KiB each) of one password slot.
const SLOT_BLOCKS: usize = HASH_PARAMS.block_count();

/// Password work is slow and needs [`SLOT_BLOCKS`] KiB of memory, so only a few run at once,
/// each in memory of its own that is kept and reused. Without the bound a flood of sign-ins for
/// made-up names filled every blocking thread; with memory allocated per hash, glibc kept a
/// freed copy in each blocking thread's arena (400 sign-ins left a server holding 850 MB).
static PASSWORD_SLOTS: LazyLock<PasswordSlots> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    PasswordSlots::new((2 * cores).min(MAX_PASSWORD_SLOTS))
});

/// A hash keeps one core busy (one lane), so more slots add no speed past the cores, only
/// memory: four bound it at 76 MiB on any machine and still check a few hundred sign-ins a
/// second in a release build.
const MAX_PASSWORD_SLOTS: usize = 4;

/// How long a sign-in waits for a free slot before it is told to come back later.
const PASSWORD_QUEUE_WAIT: Duration = Duration::from_secs(5);

struct PasswordSlots {
    permits: Semaphore,
    /// Memory of the slots not working now: allocated on first need, at most one per permit,
    /// never freed.
    idle_memory: Mutex<Vec<Box<[Block]>>>,
}

impl PasswordSlots {
    fn new(slots: usize) -> Self {
        Self { permits: Semaphore::new(slots), idle_memory: Mutex::new(Vec::with_capacity(slots)) }
    }

    /// Memory for the holder of a permit.
    fn take_memory(&self) -> Box<[Block]> {
        let idle = self.idle_memory.lock().expect("no panic while holding the lock").pop();
        idle.unwrap_or_else(|| vec![Block::new(); SLOT_BLOCKS].into_boxed_slice())
    }

    fn return_memory(&self, memory: Box<[Block]>) {
        self.idle_memory.lock().expect("no panic while holding the lock").push(memory);
    }
}

/// Every password slot stayed busy for [`PASSWORD_QUEUE_WAIT`].
#[derive(Debug, thiserror::Error)]
#[error("too many sign-ins at once; try again in a few seconds")]
pub struct PasswordWorkBusy;

/// Run `work` on a blocking thread with a slot's memory. The permit moves into the blocking task,
/// so a caller that stops waiting (a client gone) does not free the slot while its hash still runs.
async fn password_work<T: Send + 'static>(
    work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
) -> Result<T, PasswordWorkBusy> {
    let permit = tokio::time::timeout(PASSWORD_QUEUE_WAIT, PASSWORD_SLOTS.permits.acquire())
        .await
        .map_err(|_| PasswordWorkBusy)?
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut memory = PASSWORD_SLOTS.take_memory();
        let result = work(&mut memory);
        PASSWORD_SLOTS.return_memory(memory);
        result
    })
    .await
    .map_err(|_| PasswordWorkBusy)
}

/// Hash a password with argon2id and a random salt into a standard PHC string, off the async
/// runtime (it takes tens of ms).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    password_work(move |memory| hash_in(memory, password.as_bytes())).await?
}

/// Check a password against a PHC string, off the async runtime. A stored hash that cannot be
/// checked (malformed, not argon2, or needing more memory than a slot has) matches nothing and
/// is logged.
pub async fn verify_password(password: String, phc: String) -> Result<bool, PasswordWorkBusy> {
    password_work(move |memory| {
        verify_in(memory, password.as_bytes(), &phc).unwrap_or_else(|error| {
            tracing::warn!(error = format!("{error:#}"), "a stored password hash cannot be checked");
            false
        })
    })
    .await
}

/// A new argon2id PHC string of `password`, computed in `memory`.
fn hash_in(memory: &mut [Block], password: &[u8]) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
    let argon2 = Argon2::new(algorithm, version, HASH_PARAMS);
    let output_len = HASH_PARAMS.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let hash = argon2_output(&argon2, memory, password, salt.as_salt(), output_len)?;
    let phc = PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&HASH_PARAMS)?,
        salt: Some(salt.as_salt()),
        hash: Some(hash),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `phc`, computed in `memory`; an error when `phc`
/// cannot be checked there.
fn verify_in(memory: &mut [Block], password: &[u8], phc: &str) -> anyhow::Result<bool> {
    let phc = PasswordHash::new(phc)?;
    let algorithm = Algorithm::try_from(phc.algorithm)?;
    // Without `v=`, the version the argon2 crate assumes, so both verify the same strings.
    let version = phc.version.map(Version::try_from).transpose()?.unwrap_or_default();
    let params = Params::try_from(&phc)?;
    anyhow::ensure!(
        params.block_count() <= memory.len(),
        "it needs {} KiB of memory; a password slot has {} KiB",
        params.block_count(),
        memory.len()
    );
    let (salt, expected) = phc.salt.zip(phc.hash).context("it has no salt or no hash")?;
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = argon2_output(&argon2, memory, password, salt, expected.len())?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

/// Argon2 of `password` computed in `memory` (at least the blocks `argon2`'s parameters need).
fn argon2_output(
    argon2: &Argon2,
    memory: &mut [Block],
    password: &[u8],
    salt: Salt,
    output_len: usize,
) -> anyhow::Result<Output> {
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    Ok(Output::init_with(output_len, |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt, out, &mut *memory)?)
    })?)
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

/// A request marks its session used only when the mark is older than this (or than a quarter
/// of the idle timeout, if that is shorter): the idle timeout costs one write per active session
/// a minute, not one per request.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

fn touch_after(config: &Config) -> i64 {
    millis(TOUCH_EVERY.min(config.session_idle / 4))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Which sessions are live now: not expired, and used within the idle timeout.
pub fn session_clock(app: &App) -> SessionClock {
    let now = app.now_ms();
    SessionClock { now, idle_before: now.saturating_sub(millis(app.config.session_idle)) }
}

/// The user behind a live session, by the hash of its token. Only reads: checking a session
/// (a live stream's re-check, the rate limiter) is not using it.
pub async fn live_session(app: &App, session_hash: &str) -> opsroom_store::Result<Option<SessionUser>> {
    app.store.session_user(session_hash, session_clock(app)).await
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
        let clock = session_clock(app);
        let user = app.store.session_user(&session_hash, clock).await?.ok_or(ApiError::Unauthenticated)?;
        if clock.now - user.last_seen_at >= touch_after(&app.config) {
            // The request is answered either way; a lost mark costs at most an early idle end.
            if let Err(error) = app.store.touch_session(session_hash.clone(), clock.now).await {
                tracing::warn!(%error, "marking a session used");
            }
        }
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
                let from_here = crate::origin::origin_allowed(&parts.headers, &app.config);
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

    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[tokio::test]
    async fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), hash.clone()).await.unwrap());
        assert!(!verify_password("wrong horse battery".into(), hash).await.unwrap());
        assert!(!verify_password("x".into(), "not a hash".into()).await.unwrap());
    }

    fn slot_memory() -> Vec<Block> {
        vec![Block::new(); SLOT_BLOCKS]
    }

    #[test]
    fn a_hash_is_a_standard_argon2id_phc_string_that_verifies_in_reused_memory() {
        let mut memory = slot_memory();
        let first = hash_in(&mut memory, b"correct horse battery").unwrap();
        // The same memory, now full of the first hash's blocks, serves the next ones.
        let second = hash_in(&mut memory, b"correct horse battery").unwrap();
        assert_ne!(first, second, "each hash has its own salt");
        let phc = PasswordHash::new(&first).unwrap();
        assert_eq!(phc.algorithm, Algorithm::Argon2id.ident());
        assert_eq!(phc.version, Some(0x13));
        assert_eq!(phc.params.to_string(), "m=19456,t=2,p=1");
        assert_eq!(phc.salt.unwrap().len(), 22, "16 bytes of salt");
        assert_eq!(phc.hash.unwrap().len(), 32);
        for hash in [&first, &second] {
            assert!(verify_in(&mut memory, b"correct horse battery", hash).unwrap());
            assert!(!verify_in(&mut memory, b"correct horse battery!", hash).unwrap());
        }
    }

    #[test]
    fn hashes_agree_with_the_stock_argon2_hasher_both_ways() {
        let mut memory = slot_memory();
        let ours = hash_in(&mut memory, b"correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong horse battery", &parsed).is_err());

        let salt = SaltString::generate(&mut OsRng);
        let stock = Argon2::default().hash_password(b"correct horse battery", &salt).unwrap().to_string();
        assert!(verify_in(&mut memory, b"correct horse battery", &stock).unwrap());
        assert!(!verify_in(&mut memory, b"wrong horse battery", &stock).unwrap());

        // Other algorithms, versions and costs that fit a slot verify too (hashes made elsewhere).
        for (algorithm, version, params) in [
            (Algorithm::Argon2i, Version::V0x10, Params::new(4096, 3, 2, Some(16)).unwrap()),
            (Algorithm::Argon2d, Version::V0x13, Params::new(SLOT_BLOCKS as u32, 1, 4, Some(64)).unwrap()),
        ] {
            let stock = Argon2::new(algorithm, version, params).hash_password(b"pass phrase", &salt).unwrap();
            assert!(verify_in(&mut memory, b"pass phrase", &stock.to_string()).unwrap(), "{stock}");
            assert!(!verify_in(&mut memory, b"pass phrasE", &stock.to_string()).unwrap(), "{stock}");
        }
    }

    #[test]
    fn hashes_that_cannot_be_checked_in_a_slot_are_refused() {
        let mut memory = slot_memory();
        let salt = SaltString::generate(&mut OsRng);
        let costly = Params::new(2 * SLOT_BLOCKS as u32, 1, 1, None).unwrap();
        let costly = Argon2::from(costly).hash_password(b"pass phrase", &salt).unwrap().to_string();
        let good = hash_in(&mut memory, b"pass phrase").unwrap();
        let (head, hash) = good.rsplit_once('$').unwrap();
        let malformed = [
            "",
            "not a hash",
            head,                                                           // no hash
            &format!("{head}$"),                                            // empty hash
            &good.replacen("argon2id", "scrypt", 1),                        // not argon2
            &good.replacen("v=19", "v=18", 1),                              // no such version
            &good.replacen("m=19456", "m=abc", 1),                          // bad parameter
            &good.replacen("p=1", "p=1,x=2", 1),                            // unknown parameter
            &format!("{head}${}", &hash[..hash.len() - 2]),                 // hash cut short
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", // bcrypt
        ];
        for phc in malformed {
            assert!(verify_in(&mut memory, b"pass phrase", phc).is_err(), "{phc:?}");
        }
        let error = verify_in(&mut memory, b"pass phrase", &costly).unwrap_err().to_string();
        assert!(error.contains("memory"), "{error}");
        assert!(verify_in(&mut memory, b"pass phrase", &good).unwrap(), "the buffer is still usable");
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
