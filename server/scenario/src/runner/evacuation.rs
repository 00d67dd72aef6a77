//! The evacuation's actors: a supervisor registers the places before the clock starts and
//! declares (and lifts) danger zones on time; for each planned movement, operators ask for the
//! suggested passengers two hours before departure, confirm them, board them (some do not show
//! up, and go back on the waiting list once it has left), send it off, and record the crossing
//! and the arrival home.
//!
//! Owns nothing the server decides: who gets a seat is the server's suggestion, taken as it is.

use std::collections::HashMap;

use anyhow::bail;
use rand::Rng;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Clock, Shared, choices, count_error, failure};
use crate::client::Client;
use crate::format::{DangerZonePlan, EvacuationPlace, MovementPlan};

/// What the evacuation's actors did, for the summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvacuationTally {
    pub zones: u64,
    pub movements: u64,
    pub assigned: u64,
    pub departed: u64,
    pub arrived_home: u64,
}

/// Register each place (or find it, by English name, on a server that has it); returns their
/// ids by English name.
pub(crate) async fn register_places(
    admin: &Client,
    places: &[EvacuationPlace],
) -> anyhow::Result<HashMap<String, Uuid>> {
    let existing = admin.get("/api/v1/places").await?.body;
    let mut ids = HashMap::new();
    for place in places {
        let found = existing.as_array().into_iter().flatten().find(|p| p["name"]["en"] == place.name_en.as_str());
        let id = match found {
            Some(known) => known["place_id"].as_str().unwrap_or_default().to_owned(),
            None => {
                let body = json!({"kind": place.kind, "name": {"ar": place.name_ar, "en": place.name_en},
                                  "lat": place.lat, "lon": place.lon});
                let reply = admin.post("/api/v1/places", &body).await?;
                if reply.status != 201 {
                    bail!("registering place {}: {} {}", place.name_en, reply.status, reply.body);
                }
                reply.body["place_id"].as_str().unwrap_or_default().to_owned()
            }
        };
        ids.insert(place.name_en.clone(), id.parse()?);
    }
    Ok(ids)
}

/// Declare each danger zone at its hour, and lift it at its lifting hour.
pub(crate) async fn declare_zones(zones: Vec<DangerZonePlan>, admin: Client, clock: Clock, tally: Shared) {
    let mut order: Vec<(f64, usize, bool)> = zones.iter().enumerate().map(|(i, z)| (z.at_hour, i, true)).collect();
    order.extend(zones.iter().enumerate().filter_map(|(i, z)| z.lifted_at_hour.map(|h| (h, i, false))));
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut declared: HashMap<usize, String> = HashMap::new();
    for (hour, i, declare) in order {
        clock.until_hours(hour).await;
        let zone = &zones[i];
        let reply = if declare {
            let mut ring = zone.outline.clone();
            if ring.first() != ring.last() {
                ring.push(ring[0]);
            }
            let body = json!({"kind": "danger", "name": {"ar": zone.name_ar, "en": zone.name_en},
                              "area": {"type": "Polygon", "coordinates": [ring]}});
            admin.post("/api/v1/zones", &body).await
        } else {
            let Some(id) = declared.get(&i) else { continue };
            admin.post(&format!("/api/v1/zones/{id}/lifting"), &json!({})).await
        };
        match reply {
            Ok(reply) if reply.status == 201 => {
                declared.insert(i, reply.body["zone_id"].as_str().unwrap_or_default().to_owned());
                tally.lock().unwrap().evacuation.zones += 1;
            }
            Ok(reply) if reply.status == 200 => {}
            Ok(reply) => count_error(&tally, failure(&reply)),
            Err(_) => count_error(&tally, "network".into()),
        }
    }
}

/// Suggest-and-confirm rounds before a movement gives up on its passengers.
const CONFIRM_ATTEMPTS: usize = 5;

/// What the movement actors share.
pub(crate) struct Movers {
    pub admin: Client,
    pub places: HashMap<String, Uuid>,
    pub partners: HashMap<String, Uuid>,
    pub clock: Clock,
    pub seed: u64,
    pub tally: Shared,
    /// Hour 0 on the calendar (the scenario's `starts_at`).
    pub starts_at: opsroom_domain::clock::Timestamp,
}

/// Play every movement, each on its own schedule — or, when the clock has no hours (`--speed
/// max`), one after the other in order of departure, as the hours would have had them.
pub(crate) async fn play_movements(mut movements: Vec<MovementPlan>, movers: Movers, in_turn: bool) {
    movements.sort_by(|a, b| a.departure_hour.total_cmp(&b.departure_hour));
    let movers = std::sync::Arc::new(movers);
    let mut tasks = tokio::task::JoinSet::new();
    for (index, plan) in movements.into_iter().enumerate() {
        let movers = movers.clone();
        let play = async move {
            if let Err(kind) = play_movement(&plan, index, &movers).await {
                count_error(&movers.tally, format!("movement {}: {kind}", plan.label));
            }
        };
        if in_turn {
            play.await;
        } else {
            tasks.spawn(play);
        }
    }
    while tasks.join_next().await.is_some() {}
}

async fn play_movement(plan: &MovementPlan, index: usize, movers: &Movers) -> Result<(), String> {
    let Movers { admin, places, partners, clock, seed, tally, starts_at } = movers;
    let post = async |path: &str, body: Value, expect: u16| -> Result<Value, String> {
        let reply = admin.post(path, &body).await.map_err(|_| "network".to_owned())?;
        if reply.status != expect {
            return Err(failure(&reply));
        }
        Ok(reply.body)
    };
    clock.until_hours(plan.planned_at_hour).await;
    let shared: Vec<Uuid> = plan.share_with.iter().filter_map(|name| partners.get(name).copied()).collect();
    let departure_ms = starts_at.millis() + (plan.departure_hour * 3_600_000.0) as i64;
    let departure = opsroom_domain::clock::Timestamp(departure_ms).to_rfc3339();
    let body = json!({"mode": plan.mode, "label": plan.label, "origin_place_id": places[&plan.origin],
                      "destination_place_id": places[&plan.destination], "departure_at": departure,
                      "seats": plan.seats, "shared_with": shared});
    let movement = post("/api/v1/movements", body, 201).await?;
    let id = movement["movement_id"].as_str().unwrap_or_default().to_owned();
    tally.lock().unwrap().evacuation.movements += 1;

    // Two hours before departure: take the suggestion as it is and confirm it. Another movement
    // may have seated someone in between (the confirmation is refused whole): ask again.
    clock.until_hours((plan.departure_hour - 2.0).max(plan.planned_at_hour)).await;
    let mut chosen: Vec<String> = Vec::new();
    for attempt in 1..=CONFIRM_ATTEMPTS {
        let suggestion = json!({"radius_km": plan.radius_km});
        let suggested = post(&format!("/api/v1/movements/{id}/suggestion"), suggestion, 200).await?;
        chosen = suggested["passengers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["person_id"].as_str().map(str::to_owned))
            .collect();
        if chosen.is_empty() {
            break;
        }
        match post(&format!("/api/v1/movements/{id}/passengers"), json!({"person_ids": chosen}), 200).await {
            Ok(_) => {
                tally.lock().unwrap().evacuation.assigned += chosen.len() as u64;
                break;
            }
            Err(kind) if kind == "http 409 not_waiting" && attempt < CONFIRM_ATTEMPTS => continue,
            Err(kind) => return Err(kind),
        }
    }
    post(&format!("/api/v1/movements/{id}/status"), json!({"to": "boarding"}), 200).await?;
    let mut rng = choices(*seed, index, "movement");
    let boarding: Vec<&String> = chosen.iter().filter(|_| !rng.random_bool(plan.no_show_share)).collect();
    if !boarding.is_empty() {
        post(
            &format!("/api/v1/movements/{id}/passengers/status"),
            json!({"person_ids": boarding, "to": "boarded"}),
            200,
        )
        .await?;
    }
    clock.until_hours(plan.departure_hour).await;
    post(&format!("/api/v1/movements/{id}/status"), json!({"to": "departed"}), 200).await?;
    tally.lock().unwrap().evacuation.departed += boarding.len() as u64;
    // Those who did not show up are put back on the waiting list for the next movement (the
    // server seats no one marked no-show until an operator does so).
    let missed: Vec<&String> = chosen.iter().filter(|p| !boarding.contains(p)).collect();
    if !missed.is_empty() {
        post(&format!("/api/v1/movements/{id}/passengers/status"), json!({"person_ids": missed, "to": "waiting"}), 200)
            .await?;
    }

    clock.until_hours(plan.departure_hour + plan.travel_hours).await;
    if !boarding.is_empty() {
        post(
            &format!("/api/v1/movements/{id}/passengers/status"),
            json!({"person_ids": boarding, "to": "crossed"}),
            200,
        )
        .await?;
    }
    post(&format!("/api/v1/movements/{id}/status"), json!({"to": "arrived"}), 200).await?;
    // Home a few hours later (Aswan to Cairo by train, or the flight's arrival).
    clock.until_hours(plan.departure_hour + plan.travel_hours + plan.home_after_hours).await;
    if !boarding.is_empty() {
        post(
            &format!("/api/v1/movements/{id}/passengers/status"),
            json!({"person_ids": boarding, "to": "arrived_home"}),
            200,
        )
        .await?;
        tally.lock().unwrap().evacuation.arrived_home += boarding.len() as u64;
    }
    Ok(())
}
