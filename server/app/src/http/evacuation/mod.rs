//! Evacuation logistics: places, danger zones and safe corridors, movements, seat allocation,
//! passengers, manifests and the day's figures.
//!
//! Owns who may do what (supervisors and admins declare places, zones and movements; every
//! operator reads them, suggests and confirms passengers and moves statuses); the JSON shapes
//! are `wire::evacuation`'s. One file per seam: `places`, `zones`, `movements` (passengers and
//! the seat suggestion too), `manifests`; here what they share and the day's figures.
//! Must not decide what the domain decides: validation is `Place::parse`, `Zone::parse`,
//! `Movement::plan`; who goes first is `allocation::allocate`; the store applies transitions.

use axum::Json;
use axum::extract::State;
use opsroom_domain::evacuation::allocation;
use opsroom_domain::evacuation::place::{Place, PlaceKind};
use opsroom_store::EvacuationOutcome;

use crate::auth::Operator;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::wire::{BilingualText, ErrorBody, EvacuationSummaryBody, PlaceCount};

mod manifests;
mod movements;
mod places;
mod zones;

pub use manifests::*;
pub use movements::*;
pub use places::*;
pub use zones::*;

fn outcome(done: EvacuationOutcome) -> Result<(), ApiError> {
    match done {
        EvacuationOutcome::Applied { .. } => Ok(()),
        EvacuationOutcome::NotFound => Err(ApiError::NotFound),
        EvacuationOutcome::Refused(r) => Err(r.into()),
    }
}

// ---- the day's figures

/// The day's figures (operators): waiting per assembly point, seats planned, departed, crossed,
/// arrived home.
#[utoipa::path(get, path = "/api/v1/evacuation/summary", tag = "evacuation",
    security(("session" = [])),
    responses((status = 200, body = EvacuationSummaryBody), (status = 401, body = ErrorBody)))]
pub async fn get_summary(
    State(app): State<AppState>,
    _operator: Operator,
) -> Result<Json<EvacuationSummaryBody>, ApiError> {
    let summary = app.store.evacuation_summary().await?;
    let points: Vec<Place> =
        app.store.places().await?.into_iter().filter(|p| p.kind == PlaceKind::AssemblyPoint).collect();
    let mut waiting_at = vec![0u32; points.len()];
    let mut waiting = 0;
    for (cell, people) in &summary.waiting_by_cell {
        waiting += people;
        let nearest = points
            .iter()
            .enumerate()
            .min_by(|a, b| {
                allocation::distance_km(a.1.cell, *cell).total_cmp(&allocation::distance_km(b.1.cell, *cell))
            })
            .map(|(i, _)| i);
        if let Some(i) = nearest {
            waiting_at[i] += people;
        }
    }
    let places = points
        .iter()
        .zip(waiting_at)
        .map(|(p, waiting)| PlaceCount {
            place_id: p.place_id,
            name: BilingualText::from(&p.name),
            waiting,
            assigned: summary.assigned_by_origin.iter().find(|(id, _)| *id == p.place_id).map_or(0, |(_, n)| *n),
        })
        .collect();
    let c = &summary.counts;
    Ok(Json(EvacuationSummaryBody {
        places,
        waiting,
        seats_planned: summary.seats_planned,
        boarded: c.boarded,
        departed: c.departed,
        crossed: c.crossed,
        arrived_home: c.arrived_home,
        evacuated: c.departed + c.crossed + c.arrived_home,
    }))
}
