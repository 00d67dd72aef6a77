//! Starting and stopping a server: open the store, create the first admin, start the live hub,
//! serve HTTP until the shutdown token fires, then close websockets and the store in order.
//!
//! Owns the shared [`App`] state and the shutdown sequence. axum's graceful shutdown does not
//! wait for upgraded websockets, so every socket task is tracked and told to close.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use opsroom_domain::Rejected;
use opsroom_domain::user::{Role, UserName, check_new_password};
use opsroom_store::{EscalateOverdue, EscalateReferrals, NewUser, Store, StoreOptions, UserOutcome};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::connections::Serving;
use crate::crises::Crises;
use crate::limiter::RateLimiter;
use crate::live::Hub;
pub use crate::state::now_ms;
use crate::state::{App, AppState};
use crate::{auth, connections, http, secrets};

/// Serve on `listener` until `shutdown` fires. Prints `listening on http://HOST:PORT` (https
/// with native TLS) once ready.
pub async fn run(listener: TcpListener, config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    // A certificate that cannot be read stops the start, before anything else is opened.
    let tls = config.tls.as_ref().map(|files| connections::tls_acceptor(&files.cert, &files.key)).transpose()?;
    // The store keeps due times and urgency keys by the clock this server runs.
    let store = Store::open(&config.database_url, StoreOptions { sla: Some(config.sla), ..config.store.clone() })
        .await
        .with_context(|| format!("opening the database {}", config.database_url))?;
    tracing::info!(backend = store.backend_name(), "store open");
    create_first_admin(&store, config.admin_password.clone()).await?;

    let tasks = TaskTracker::new();
    let rate_limiter = RateLimiter::new(config.public_rate_limit, config.trusted_proxies.clone());
    let hub = Hub::start(store.clone(), config.live_ring, shutdown.clone(), &tasks).await?;
    let crises = Arc::new(Crises::load(store.clone()).await?);
    tasks.spawn(crate::crises::follow(crises.clone(), hub.crisis_changes(), shutdown.clone()));
    let app = Arc::new(App {
        store: store.clone(),
        hub,
        config,
        shutdown: shutdown.clone(),
        tasks: tasks.clone(),
        decoy_password_hash: auth::hash_password(secrets::new_token()).await?,
        rate_limiter,
        partner_sockets: Default::default(),
        crises,
    });
    tasks.spawn(escalate_overdue_cases(app.clone()));
    tasks.spawn(crate::matcher::run(store.clone(), shutdown.clone()));
    tasks.spawn(crate::webhooks::run(app.clone()));
    let router = http::router(app.clone());

    let address = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{address}");
    tracing::info!(%address, scheme, "listening");
    let serving = Serving {
        limits: app.config.connections.clone(),
        tls,
        trusted_proxies: app.config.trusted_proxies.clone(),
        shutdown: shutdown.clone(),
    };
    connections::serve(listener, router, serving, Duration::from_secs(10)).await;

    // HTTP has stopped; websockets saw the token and are sending their close frames.
    tasks.close();
    if tokio::time::timeout(Duration::from_secs(5), tasks.wait()).await.is_err() {
        tracing::warn!("some live connections did not close within 5 s");
    }
    drop(app);
    store.close(Duration::from_secs(10)).await;
    tracing::info!("stopped");
    Ok(())
}

/// The SLA clock: every `sla_tick`, record an escalation for each open case whose first-contact
/// time ran out, and for each referral not accepted in time. On several nodes each does this;
/// the store records each breach once.
async fn escalate_overdue_cases(app: AppState) {
    let mut tick = tokio::time::interval(app.config.sla_tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = app.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let sweep = EscalateOverdue { policy: app.config.sla, now: app.now_ms(), limit: 500 };
        match app.store.escalate_overdue(sweep).await {
            Ok(0) => {}
            Ok(escalated) => tracing::info!(escalated, "escalated cases past their first-contact time"),
            Err(opsroom_store::StoreError::Closed) => return,
            Err(error) => tracing::warn!(%error, "escalating overdue cases"),
        }
        let accept_ms = i64::try_from(app.config.referral_accept_time.as_millis()).unwrap_or(i64::MAX);
        let now = app.now_ms();
        let sweep = EscalateReferrals { referred_before: now.saturating_sub(accept_ms), at: now };
        match app.store.escalate_referrals(sweep).await {
            Ok(0) => {}
            Ok(escalated) => tracing::info!(escalated, "escalated unanswered referrals"),
            Err(opsroom_store::StoreError::Closed) => return,
            Err(error) => tracing::warn!(%error, "escalating unanswered referrals"),
        }
    }
}

/// On an empty database, create user `admin` with the configured password, or a generated one
/// printed once.
async fn create_first_admin(store: &Store, password: Option<String>) -> anyhow::Result<()> {
    if store.user_count().await? > 0 {
        return Ok(());
    }
    let generated = password.is_none();
    let password = password.unwrap_or_else(secrets::new_token);
    let admin = UserName::parse("admin").expect("a valid name");
    check_new_password(&password, &admin).map_err(|r| anyhow::anyhow!("OPSROOM_ADMIN_PASSWORD: {}", r.message))?;
    let outcome = create_user(store, admin.as_str(), Role::Admin, password.clone()).await?;
    if outcome == UserOutcome::NameTaken {
        return Ok(());
    }
    if generated {
        println!("created user admin with password: {password}");
        println!("(shown once; set OPSROOM_ADMIN_PASSWORD on first start to choose it)");
    } else {
        println!("created user admin with the configured password (OPSROOM_ADMIN_PASSWORD)");
    }
    Ok(())
}

/// Create an operator account. The password must satisfy the policy.
pub async fn create_user(store: &Store, name: &str, role: Role, password: String) -> anyhow::Result<UserOutcome> {
    let name = UserName::parse(name).map_err(|r| anyhow::anyhow!("user name: {}", r.message))?;
    let password_hash =
        hash_new_password(password, &name).await?.map_err(|r| anyhow::anyhow!("password: {}", r.message))?;
    Ok(store
        .create_user(NewUser { user_id: uuid::Uuid::now_v7(), name, role, password_hash, created_at: now_ms() })
        .await?)
}

/// Check a new password against the policy, then hash it: the refusal, or the PHC string.
pub async fn hash_new_password(password: String, name: &UserName) -> anyhow::Result<Result<String, Rejected>> {
    if let Err(refused) = check_new_password(&password, name) {
        return Ok(Err(refused));
    }
    Ok(Ok(auth::hash_password(password).await?))
}
