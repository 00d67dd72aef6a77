//! Movements (a bus, a flight, a ship) and their passengers: planned by supervisors and admins,
//! worked by operators — statuses, the seat suggestion, passengers' steps.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use opsroom_domain::advisory::Bilingual;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::evacuation::allocation::{self, Group};
use opsroom_domain::evacuation::movement::{Movement, MovementInput};
use opsroom_domain::evacuation::place::Place;
use opsroom_domain::workflow::Actor;
use opsroom_store::{EvacuationWrite, MovementRecord, PassengerRow, WaitingCase};
use uuid::Uuid;

use super::outcome;
use crate::auth::{Operator, Supervisor};
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::state::AppState;
use crate::wire::{
    BilingualText, CountsBody, ErrorBody, MovementBody, MovementRequest, MovementStatusRequest, PassengerBody,
    PassengerStatusRequest, PassengersRequest, PlaceRef, Problem, SuggestedPassenger, Suggestion, SuggestionRequest,
};

fn place_ref(places: &[Place], place_id: Uuid) -> PlaceRef {
    let name = places.iter().find(|p| p.place_id == place_id).map(|p| p.name.clone());
    let name = name.unwrap_or_else(|| Bilingual { ar: String::new(), en: String::new() });
    PlaceRef { place_id, name: BilingualText::from(&name) }
}

fn movement_body(record: &MovementRecord, places: &[Place], passengers: Option<&[PassengerRow]>) -> MovementBody {
    let m = &record.movement;
    MovementBody {
        movement_id: m.movement_id,
        mode: m.mode,
        label: m.label.clone(),
        label_ar: m.label_ar.clone(),
        origin: place_ref(places, m.origin_place_id),
        destination: place_ref(places, m.destination_place_id),
        departure_at: m.departure_at.to_rfc3339(),
        seats: m.seats,
        status: m.status,
        next: m.status.next(),
        shared_with: m.shared_with.clone(),
        counts: CountsBody::from(&record.counts),
        version: record.version,
        passengers: passengers.map(|list| list.iter().map(|p| PassengerBody::on(p, m.status)).collect()),
    }
}

async fn one_movement(app: &AppState, movement_id: Uuid) -> Result<MovementBody, ApiError> {
    let (record, passengers) = app.store.movement(movement_id).await?.ok_or(ApiError::NotFound)?;
    let places = app.store.places().await?;
    Ok(movement_body(&record, &places, Some(&passengers)))
}

/// Every movement by departure (operators).
#[utoipa::path(get, path = "/api/v1/movements", tag = "evacuation",
    security(("session" = [])),
    responses((status = 200, body = [MovementBody]), (status = 401, body = ErrorBody)))]
pub async fn list_movements(
    State(app): State<AppState>,
    _operator: Operator,
) -> Result<Json<Vec<MovementBody>>, ApiError> {
    let places = app.store.places().await?;
    Ok(Json(app.store.movements().await?.iter().map(|m| movement_body(m, &places, None)).collect()))
}

/// Plan a convoy, flight, ship or train (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/movements", tag = "evacuation", request_body = MovementRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 201, description = "Planned; `movement_planned` on the live stream", body = MovementBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "Invalid (the field says which)", body = ErrorBody),
    ))]
pub async fn post_movement(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiJson(request): ApiJson<MovementRequest>,
) -> Result<(StatusCode, Json<MovementBody>), ApiError> {
    let place = |id: Option<Uuid>| {
        let app = app.clone();
        async move {
            Ok::<_, ApiError>(match id {
                Some(id) => app.store.place(id).await?,
                None => None,
            })
        }
    };
    let departure_at = request
        .departure_at
        .as_deref()
        .map(|raw| {
            Timestamp::parse_rfc3339(raw).ok_or_else(|| {
                ApiError::Unprocessable(Problem::new(
                    "invalid_time",
                    "departure_at must be an RFC 3339 time such as 2023-04-25T08:00:00+02:00",
                    Some("departure_at".into()),
                ))
            })
        })
        .transpose()?;
    for (i, partner_id) in request.shared_with.iter().enumerate() {
        if app.store.partner(*partner_id).await?.is_none() {
            return Err(ApiError::Unprocessable(Problem::new(
                "not_found",
                "no such partner",
                Some(format!("shared_with[{i}]")),
            )));
        }
    }
    let input = MovementInput {
        mode: request.mode,
        label: request.label.clone(),
        label_ar: request.label_ar.clone(),
        origin: place(request.origin_place_id).await?,
        destination: place(request.destination_place_id).await?,
        departure_at,
        seats: request.seats,
        shared_with: request.shared_with.clone(),
    };
    let movement = Movement::plan(Uuid::now_v7(), &input)?;
    let movement_id = movement.movement_id;
    let write = EvacuationWrite::PlanMovement { movement, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok((StatusCode::CREATED, Json(one_movement(&app, movement_id).await?)))
}

/// One movement with its passengers (operators).
#[utoipa::path(get, path = "/api/v1/movements/{movement_id}", tag = "evacuation",
    params(("movement_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = MovementBody), (status = 404, body = ErrorBody)))]
pub async fn get_movement(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(movement_id): UuidPath,
) -> Result<Json<MovementBody>, ApiError> {
    Ok(Json(one_movement(&app, movement_id).await?))
}

/// Move a movement on (operators): boarding, departed (the boarded depart with it, the assigned
/// who did not board become no-shows, and a case whose people have all departed becomes
/// `evacuated`), arrived, or cancelled (everyone holding a seat waits again).
#[utoipa::path(post, path = "/api/v1/movements/{movement_id}/status", tag = "evacuation",
    params(("movement_id" = Uuid, Path)), request_body = MovementStatusRequest,
    security(("session" = [])),
    responses(
        (status = 200, body = MovementBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed from the movement's status", body = ErrorBody),
    ))]
pub async fn post_movement_status(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(movement_id): UuidPath,
    ApiJson(request): ApiJson<MovementStatusRequest>,
) -> Result<Json<MovementBody>, ApiError> {
    let by = Actor { user_id: operator.user.user_id, role: operator.user.role };
    let write = EvacuationWrite::ChangeMovement { movement_id, to: request.to, by, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok(Json(one_movement(&app, movement_id).await?))
}

/// Suggest passengers for a movement's free seats from the people awaiting evacuation within
/// `radius_km` of its origin (operators). Nothing is written: the operator confirms with
/// `POST …/passengers`.
#[utoipa::path(post, path = "/api/v1/movements/{movement_id}/suggestion", tag = "evacuation",
    params(("movement_id" = Uuid, Path)), request_body = SuggestionRequest,
    security(("session" = [])),
    responses((status = 200, body = Suggestion), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_suggestion(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(movement_id): UuidPath,
    ApiJson(request): ApiJson<SuggestionRequest>,
) -> Result<Json<Suggestion>, ApiError> {
    if !request.radius_km.is_finite() || !(1.0..=allocation::MAX_RADIUS_KM).contains(&request.radius_km) {
        return Err(ApiError::Unprocessable(Problem::new(
            "out_of_range",
            format!("radius_km is from 1 to {}", allocation::MAX_RADIUS_KM),
            Some("radius_km".into()),
        )));
    }
    let (record, _) = app.store.movement(movement_id).await?.ok_or(ApiError::NotFound)?;
    let origin = app.store.place(record.movement.origin_place_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(suggest(&app, &record, &origin, request.radius_km, request.split_families).await?))
}

/// The allocation itself (also what the benchmark times): the disk's ranges, the waiting people
/// in them within the radius, then `allocate`.
pub async fn suggest(
    app: &AppState,
    record: &MovementRecord,
    origin: &Place,
    radius_km: f64,
    split_families: bool,
) -> Result<Suggestion, ApiError> {
    let movement = &record.movement;
    let free = movement.seats.saturating_sub(record.counts.seats_taken());
    let seats_left = if movement.status.takes_passengers() { free } else { 0 };
    // One index entry per waiting case decides who goes; only the chosen cases' people are read.
    let ranges = allocation::disk_ranges(origin.cell, radius_km);
    let mut waiting = app.store.waiting_cases(&ranges).await?;
    waiting.retain(|c| allocation::distance_km(origin.cell, c.cell) <= radius_km);
    let groups: Vec<Group> = waiting
        .iter()
        .map(|c| Group {
            id: c.case_id,
            class: c.class,
            waiting_since: Timestamp(c.waiting_since),
            size: c.waiting as usize,
        })
        .collect();
    let chosen = allocation::allocate_groups(&groups, seats_left as usize, split_families);
    let case_ids: Vec<Uuid> = chosen.iter().map(|(case_id, _)| *case_id).collect();
    let people = app.store.waiting_people(&case_ids).await?;
    let cases: HashMap<Uuid, &WaitingCase> = waiting.iter().map(|c| (c.case_id, c)).collect();
    let mut passengers = Vec::new();
    for (case_id, take) in &chosen {
        let case = cases[case_id];
        let members = people.iter().filter(|p| p.case_id == *case_id).take(*take);
        passengers.extend(members.map(|p| SuggestedPassenger {
            person_id: p.person_id,
            case_id: p.case_id,
            reference: p.reference.clone(),
            name: p.name.clone(),
            age: p.age,
            class: case.class,
            waiting_since: Timestamp(case.waiting_since).to_rfc3339(),
            distance_km: (allocation::distance_km(origin.cell, case.cell) * 10.0).round() / 10.0,
        }));
    }
    let considered = waiting.iter().map(|c| c.waiting).sum();
    Ok(Suggestion { seats_left, considered, passengers })
}

/// Most people in one passenger request.
const MAX_PASSENGERS_PER_REQUEST: usize = 1_000;

fn checked_people(person_ids: &[Uuid]) -> Result<(), ApiError> {
    if person_ids.is_empty() || person_ids.len() > MAX_PASSENGERS_PER_REQUEST {
        return Err(ApiError::Unprocessable(Problem::new(
            "out_of_range",
            format!("list from 1 to {MAX_PASSENGERS_PER_REQUEST} people"),
            Some("person_ids".into()),
        )));
    }
    Ok(())
}

/// Confirm passengers: each waiting person gets a seat (operators). All or none: a person who
/// is not waiting, or more people than free seats, refuses the whole request.
#[utoipa::path(post, path = "/api/v1/movements/{movement_id}/passengers", tag = "evacuation",
    params(("movement_id" = Uuid, Path)), request_body = PassengersRequest,
    security(("session" = [])),
    responses(
        (status = 200, body = MovementBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not enough seats, someone not waiting, or the movement left", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn post_passengers(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(movement_id): UuidPath,
    ApiJson(request): ApiJson<PassengersRequest>,
) -> Result<Json<MovementBody>, ApiError> {
    checked_people(&request.person_ids)?;
    let write = EvacuationWrite::AssignPassengers {
        movement_id,
        person_ids: request.person_ids,
        by: operator.user.user_id,
        at: app.now_ms(),
    };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok(Json(one_movement(&app, movement_id).await?))
}

/// Set passengers' evacuation status (operators). All or none.
#[utoipa::path(post, path = "/api/v1/movements/{movement_id}/passengers/status", tag = "evacuation",
    params(("movement_id" = Uuid, Path)), request_body = PassengerStatusRequest,
    security(("session" = [])),
    responses(
        (status = 200, body = MovementBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "A step the person's or the movement's status does not allow", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn post_passenger_status(
    State(app): State<AppState>,
    operator: Operator,
    UuidPath(movement_id): UuidPath,
    ApiJson(request): ApiJson<PassengerStatusRequest>,
) -> Result<Json<MovementBody>, ApiError> {
    checked_people(&request.person_ids)?;
    let write = EvacuationWrite::SetPassengers {
        movement_id,
        person_ids: request.person_ids,
        to: request.to,
        by: operator.user.user_id,
        at: app.now_ms(),
    };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok(Json(one_movement(&app, movement_id).await?))
}
