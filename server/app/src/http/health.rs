//! `/healthz` and `/readyz`, for a load balancer in front of several nodes.
//!
//! `/healthz` answers while the process serves HTTP. `/readyz` answers 200 only when the
//! database is reachable, every migration this binary carries is applied, and this node follows
//! the log (its tailer polled the log head within the last two seconds). Neither
//! reveals anything but its verdict and log positions.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;
use crate::wire::{Health, Ready};

/// A PostgreSQL node whose tailer has not polled for this long is not following the log.
const TAILER_STALE: Duration = Duration::from_secs(2);

/// The process is alive and serving HTTP.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn get_healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// The node can take traffic: database reachable, migrated, log followed.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses((status = 200, description = "Ready", body = Ready), (status = 503, description = "Not ready", body = Ready))
)]
pub async fn get_readyz(State(app): State<AppState>) -> (StatusCode, Json<Ready>) {
    let published = app.hub.published();
    let not_ready = |status: &str, database_head| {
        (StatusCode::SERVICE_UNAVAILABLE, Json(Ready { status: status.into(), database_head, published }))
    };
    let readiness = match app.store.readiness().await {
        Ok(readiness) => readiness,
        Err(error) => {
            tracing::warn!(%error, "readiness: database unreachable");
            return not_ready("database unreachable", None);
        }
    };
    let head = Some(readiness.database_head);
    if !readiness.migrated {
        return not_ready("migrations not applied", head);
    }
    if readiness.since_last_poll > TAILER_STALE {
        return not_ready("not following the log", head);
    }
    (StatusCode::OK, Json(Ready { status: "ready".into(), database_head: head, published }))
}
