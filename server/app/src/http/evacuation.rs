//! Evacuation logistics: places, danger zones and safe corridors, movements, seat allocation,
//! passengers, manifests and the day's figures.
//!
//! Owns who may do what (supervisors and admins declare places, zones and movements; every
//! operator reads them, suggests and confirms passengers and moves statuses); the JSON shapes are `wire::evacuation`'s.
//! Must not decide what the domain decides: validation is `Place::parse`, `Zone::parse`,
//! `Movement::plan`; who goes first is `allocation::allocate`; the store applies transitions.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use opsroom_domain::advisory::Bilingual;
use opsroom_domain::clock::{RoomTimeZone, Timestamp};
use opsroom_domain::evacuation::allocation::Group;
use opsroom_domain::evacuation::manifest::{Aboard, PassengerClass, Travelling};
use opsroom_domain::evacuation::movement::{Mode, Movement, MovementInput, PassengerStatus};
use opsroom_domain::evacuation::place::{Place, PlaceKind};
use opsroom_domain::evacuation::zone::{Zone, ZoneCover};
use opsroom_domain::evacuation::{allocation, manifest};
use opsroom_domain::partner::view::{CSV_BOM, push_csv_row};
use opsroom_domain::wire_name;
use opsroom_domain::workflow::Actor;
use opsroom_store::{EvacuationOutcome, EvacuationWrite, ManifestLine, MovementRecord, PassengerRow, WaitingCase};
use uuid::Uuid;

use crate::auth::{Operator, Supervisor};
use crate::http::csv_attachment;
use crate::http::error::ApiError;
use crate::http::extract::{ApiJson, UuidPath};
use crate::http::pages::asset_url;
use crate::state::AppState;
use crate::wire::{
    BilingualText, CountsBody, ErrorBody, EvacuationSummaryBody, ManifestQuery, MovementBody, MovementRequest,
    MovementStatusRequest, PassengerBody, PassengerStatusRequest, PassengersRequest, PlaceBody, PlaceCount, PlaceRef,
    PlaceRequest, Problem, SuggestedPassenger, Suggestion, SuggestionRequest, ZoneBody, ZoneRequest,
};

fn outcome(done: EvacuationOutcome) -> Result<(), ApiError> {
    match done {
        EvacuationOutcome::Applied { .. } => Ok(()),
        EvacuationOutcome::NotFound => Err(ApiError::NotFound),
        EvacuationOutcome::Refused(r) if r.code == "not_found" => Err(r.into()),
        EvacuationOutcome::Refused(r) => Err(ApiError::StateConflict(Problem::new(r.code, r.message, r.field))),
    }
}

// ---- places

/// Every place (operators).
#[utoipa::path(get, path = "/api/v1/places", tag = "evacuation",
    security(("session" = [])),
    responses((status = 200, body = [PlaceBody]), (status = 401, body = ErrorBody)))]
pub async fn list_places(State(app): State<AppState>, _operator: Operator) -> Result<Json<Vec<PlaceBody>>, ApiError> {
    Ok(Json(app.store.places().await?.iter().map(PlaceBody::from).collect()))
}

/// Register an assembly point, a border crossing, an airport or a port (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/places", tag = "evacuation", request_body = PlaceRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 201, description = "Registered; `place_saved` on the live stream", body = PlaceBody),
        (status = 403, description = "Not a supervisor or admin", body = ErrorBody),
        (status = 422, description = "Invalid (the field says which)", body = ErrorBody),
    ))]
pub async fn post_place(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiJson(request): ApiJson<PlaceRequest>,
) -> Result<(StatusCode, Json<PlaceBody>), ApiError> {
    let place = Place::parse(Uuid::now_v7(), 1, &request.to_domain())?;
    let write =
        EvacuationWrite::SavePlace { place: place.clone(), create: true, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok((StatusCode::CREATED, Json(PlaceBody::from(&place))))
}

/// Replace a place's kind, names and position (supervisors and admins).
#[utoipa::path(put, path = "/api/v1/places/{place_id}", tag = "evacuation", request_body = PlaceRequest,
    params(("place_id" = Uuid, Path)),
    security(("session" = ["supervisor"])),
    responses((status = 200, body = PlaceBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_place(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(place_id): UuidPath,
    ApiJson(request): ApiJson<PlaceRequest>,
) -> Result<Json<PlaceBody>, ApiError> {
    let place = Place::parse(place_id, 1, &request.to_domain())?;
    let write = EvacuationWrite::SavePlace { place, create: false, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    let saved = app.store.place(place_id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(PlaceBody::from(&saved)))
}

// ---- zones

/// Validate and tile a zone off the async runtime: a zone of 200,000 km² takes a third of a
/// second to tile, which would stall every other request on this thread.
async fn tiled(zone_id: Uuid, request: &ZoneRequest) -> Result<(Zone, ZoneCover), ApiError> {
    let input = request.to_domain();
    let tiling = tokio::task::spawn_blocking(move || Zone::parse(zone_id, 1, &input));
    Ok(tiling.await.map_err(|e| ApiError::Unavailable(format!("tiling the zone: {e}")))??)
}

async fn zone_body(app: &AppState, zone_id: Uuid) -> Result<ZoneBody, ApiError> {
    let zones = app.store.zones().await?;
    zones.iter().find(|z| z.zone.zone_id == zone_id).map(ZoneBody::from).ok_or(ApiError::NotFound)
}

/// Every zone, newest first, lifted ones too (operators).
#[utoipa::path(get, path = "/api/v1/zones", tag = "evacuation",
    security(("session" = [])),
    responses((status = 200, body = [ZoneBody]), (status = 401, body = ErrorBody)))]
pub async fn list_zones(State(app): State<AppState>, _operator: Operator) -> Result<Json<Vec<ZoneBody>>, ApiError> {
    Ok(Json(app.store.zones().await?.iter().map(ZoneBody::from).collect()))
}

/// Declare a danger zone or a safe corridor (supervisors and admins). A danger zone flags every
/// open case inside it and raises its priority with the reason `danger_zone`, each a
/// `danger_zone_flagged` event; reports that arrive inside it later are flagged on arrival.
#[utoipa::path(post, path = "/api/v1/zones", tag = "evacuation", request_body = ZoneRequest,
    security(("session" = ["supervisor"])),
    responses(
        (status = 201, description = "Declared; on the live stream with every case it flagged", body = ZoneBody),
        (status = 403, description = "Not a supervisor or admin", body = ErrorBody),
        (status = 422, description = "Invalid polygon, too large, or missing names (field `area`, `name.ar`…)", body = ErrorBody),
    ))]
pub async fn post_zone(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    ApiJson(request): ApiJson<ZoneRequest>,
) -> Result<(StatusCode, Json<ZoneBody>), ApiError> {
    let (zone, cover) = tiled(Uuid::now_v7(), &request).await?;
    let zone_id = zone.zone_id;
    let write = EvacuationWrite::DeclareZone { zone, cover, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok((StatusCode::CREATED, Json(zone_body(&app, zone_id).await?)))
}

/// Redraw or rename a zone (supervisors and admins): cases newly inside a danger zone are
/// flagged, cases no longer inside lose the flag (listed in the event's `cleared`).
#[utoipa::path(put, path = "/api/v1/zones/{zone_id}", tag = "evacuation", request_body = ZoneRequest,
    params(("zone_id" = Uuid, Path)),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, body = ZoneBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The zone was lifted", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn put_zone(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(zone_id): UuidPath,
    ApiJson(request): ApiJson<ZoneRequest>,
) -> Result<Json<ZoneBody>, ApiError> {
    let (zone, cover) = tiled(zone_id, &request).await?;
    let write = EvacuationWrite::ChangeZone { zone, cover, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok(Json(zone_body(&app, zone_id).await?))
}

/// Lift a zone (supervisors and admins): its cases lose the flag; their priority stays (a
/// supervisor may lower it by hand).
#[utoipa::path(post, path = "/api/v1/zones/{zone_id}/lifting", tag = "evacuation",
    params(("zone_id" = Uuid, Path)),
    security(("session" = ["supervisor"])),
    responses((status = 200, body = ZoneBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn post_lifting(
    State(app): State<AppState>,
    Supervisor(operator): Supervisor,
    UuidPath(zone_id): UuidPath,
) -> Result<Json<ZoneBody>, ApiError> {
    let write = EvacuationWrite::LiftZone { zone_id, by: operator.user.user_id, at: app.now_ms() };
    outcome(app.store.evacuation_write(write).await?)?;
    Ok(Json(zone_body(&app, zone_id).await?))
}

// ---- movements

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
        shared_with: m.shared_with.clone(),
        counts: CountsBody::from(&record.counts),
        version: record.version,
        passengers: passengers.map(|list| list.iter().map(PassengerBody::from).collect()),
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

// ---- manifests

/// Whether a name is written in Arabic script.
fn is_arabic(name: &str) -> bool {
    name.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// A manifest line's name in the column of its script: (Arabic, Latin).
fn names(line: &ManifestLine) -> (String, String) {
    let name = line.person.details.name.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default();
    if is_arabic(&name) { (name, String::new()) } else { (String::new(), name) }
}

fn sex_of(line: &ManifestLine) -> String {
    line.person.details.sex.map(wire_name).unwrap_or_default()
}

/// The people a manifest lists: those holding a seat on the movement (not the ones who gave it
/// back or did not show up).
fn on_board(lines: &[ManifestLine]) -> impl Iterator<Item = &ManifestLine> {
    lines.iter().filter(|l| l.status.holds_seat())
}

/// The passengers holding a seat, each with its class and escorts (the domain's
/// `manifest::classify`), in the sheet's order.
fn classified(lines: &[ManifestLine]) -> Vec<(&ManifestLine, Travelling)> {
    let passengers: Vec<&ManifestLine> = on_board(lines).collect();
    let aboard: Vec<Aboard> = passengers
        .iter()
        .map(|l| Aboard {
            person_id: l.person.person_id,
            case_id: l.case_id,
            age: l.person.details.age,
            needs: l.needs.clone(),
            flags: l.flags.clone(),
        })
        .collect();
    passengers.into_iter().zip(manifest::classify(&aboard)).collect()
}

/// A local time of the room for a sheet read by people: `2023-04-25 06:30 (UTC+02:00)`.
fn local_time(zone: &RoomTimeZone, at: Timestamp) -> String {
    let local = zone.local_rfc3339(at); // 2023-04-25T06:30:00+02:00
    match (local.get(..10), local.get(11..16), local.get(19..)) {
        (Some(day), Some(time), Some(offset)) => format!("{day} {time} (UTC{offset})"),
        _ => local,
    }
}

/// The name a passenger is listed under, in any script (for an escort's cell).
fn listed_name(line: &ManifestLine) -> String {
    let (arabic, latin) = names(line);
    if arabic.is_empty() { latin } else { arabic }
}

/// A movement's manifest as CSV (operators): UTF-8 with a byte order mark, one row per
/// passenger holding a seat, built from the log, with the fields border authorities and the
/// Foreign Ministry ask for, each passenger's class and a child's escorts (their names and
/// person ids; none for an unaccompanied child).
#[utoipa::path(get, path = "/api/v1/movements/{movement_id}/manifest.csv", tag = "evacuation",
    params(("movement_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn get_manifest_csv(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(movement_id): UuidPath,
) -> Result<Response, ApiError> {
    let (movement, lines) = app.store.manifest(movement_id).await?.ok_or(ApiError::NotFound)?;
    let passengers = classified(&lines);
    let by_person: HashMap<Uuid, &ManifestLine> = passengers.iter().map(|(l, _)| (l.person.person_id, *l)).collect();
    let mut csv = String::from(CSV_BOM);
    push_csv_row(
        &mut csv,
        &[
            "reference",
            "name_ar",
            "name_latin",
            "passport",
            "age",
            "sex",
            "class",
            "escort_names",
            "escort_person_ids",
            "status",
            "case_id",
            "person_id",
        ],
    );
    for (line, travelling) in &passengers {
        let (arabic, latin) = names(line);
        let d = &line.person.details;
        let escorts: Vec<&ManifestLine> =
            travelling.escorts.iter().filter_map(|id| by_person.get(id).copied()).collect();
        let cells = [
            line.reference.clone(),
            arabic,
            latin,
            d.passport.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            d.age.map(|a| a.to_string()).unwrap_or_default(),
            sex_of(line),
            travelling.class.as_str().to_owned(),
            escorts.iter().map(|e| listed_name(e)).collect::<Vec<_>>().join(";"),
            escorts.iter().map(|e| e.person.person_id.to_string()).collect::<Vec<_>>().join(";"),
            wire_name(line.status),
            line.case_id.to_string(),
            line.person.person_id.to_string(),
        ];
        push_csv_row(&mut csv, &cells);
    }
    Ok(csv_attachment(&format!("manifest-{}.csv", movement.movement_id), csv))
}

/// The printable manifest page (operators), in Arabic (right to left, the default) or English.
pub async fn get_manifest_page(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(movement_id): UuidPath,
    Query(query): Query<ManifestQuery>,
) -> Result<Response, ApiError> {
    let english = query.lang.as_deref() == Some("en");
    let (movement, lines) = app.store.manifest(movement_id).await?.ok_or(ApiError::NotFound)?;
    let places = app.store.places().await?;
    let printed_at = Timestamp(app.now_ms());
    let page = manifest_page(&movement, &places, &lines, &app.config.time_zone, printed_at, english);
    let response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.into_string()).into_response();
    Ok(crate::http::pages::with_csp(&app, response))
}

fn manifest_page(
    movement: &Movement,
    places: &[Place],
    lines: &[ManifestLine],
    zone: &RoomTimeZone,
    printed_at: Timestamp,
    english: bool,
) -> Markup {
    let t = |en: &'static str, ar: &'static str| if english { en } else { ar };
    let place_name = |id: Uuid| {
        places.iter().find(|p| p.place_id == id).map(|p| if english { p.name.en.clone() } else { p.name.ar.clone() })
    };
    let mode = match (movement.mode, english) {
        (Mode::Bus, true) => "Bus",
        (Mode::Bus, false) => "حافلة",
        (Mode::Flight, true) => "Flight",
        (Mode::Flight, false) => "رحلة جوية",
        (Mode::Ship, true) => "Ship",
        (Mode::Ship, false) => "سفينة",
        (Mode::Train, true) => "Train",
        (Mode::Train, false) => "قطار",
    };
    let class_word = |class: PassengerClass| if english { class.words().0 } else { class.words().1 };
    let passengers = classified(lines);
    let number_of: HashMap<Uuid, usize> =
        passengers.iter().enumerate().map(|(i, (l, _))| (l.person.person_id, i + 1)).collect();
    let by_person: HashMap<Uuid, &ManifestLine> = passengers.iter().map(|(l, _)| (l.person.person_id, *l)).collect();
    let travelling: Vec<Travelling> = passengers.iter().map(|(_, t)| t.clone()).collect();
    let totals = manifest::totals(&travelling);
    html! {
        (DOCTYPE)
        html lang=(t("en", "ar")) dir=(t("ltr", "rtl")) {
            head {
                meta charset="utf-8";
                link rel="icon" href="data:,";
                title { (t("Manifest", "كشف الركاب")) " — " (movement.label_in(english)) }
                link rel="stylesheet" href=(asset_url("/ops/manifest.css"));
            }
            body {
                header {
                    h1 { (t("Passenger manifest", "كشف الركاب")) }
                    a.lang href=(format!("?lang={}", t("ar", "en"))) { (t("العربية", "English")) }
                }
                dl.movement {
                    dt { (t("Movement", "الرحلة")) }
                    dd.label {
                        bdi lang=(t("en", "ar")) { (movement.label_in(english)) }
                        @if let Some(other) = movement.label_other(english) {
                            " / " bdi.other-language lang=(t("ar", "en")) { (other) }
                        }
                        " (" (mode) ")"
                    }
                    dt { (t("From", "من")) } dd { bdi { (place_name(movement.origin_place_id).unwrap_or_default()) } }
                    dt { (t("To", "إلى")) } dd { bdi { (place_name(movement.destination_place_id).unwrap_or_default()) } }
                    dt { (t("Planned departure", "موعد المغادرة المخطط")) }
                    dd.departure { bdi dir="ltr" { (local_time(zone, movement.departure_at)) } " " bdi dir="ltr" { (zone.name()) } }
                    dt { (t("Passengers / seats", "الركاب / المقاعد")) }
                    dd { bdi dir="ltr" { (passengers.len()) " / " (movement.seats) } }
                    dt { (t("Printed", "طُبع في")) }
                    dd.printed-at { bdi dir="ltr" { (local_time(zone, printed_at)) } }
                }
                table.totals {
                    caption { (t("Passengers by class", "الركاب حسب الفئة")) }
                    tbody {
                        @for (class, n) in &totals {
                            tr data-class=(class.as_str()) class=[(*class == PassengerClass::UnaccompaniedChild && *n > 0).then_some("alert")] {
                                th scope="row" { (class_word(*class)) } td { (n) }
                            }
                        }
                        tr.all { th scope="row" { (t("All passengers", "كل الركاب")) } td { (passengers.len()) } }
                    }
                }
                table.passengers {
                    thead { tr {
                        th { "#" }
                        th { (t("Reference", "المرجع")) }
                        th { (t("Name (Arabic)", "الاسم بالعربية")) }
                        th { (t("Name (Latin)", "الاسم بالحروف اللاتينية")) }
                        th { (t("Passport", "رقم الجواز")) }
                        th { (t("Age", "العمر")) }
                        th { (t("Sex", "الجنس")) }
                        th { (t("Class", "الفئة")) }
                        th { (t("Escort", "المرافق")) }
                        th { (t("Status", "الحالة")) }
                        th.boarded { (t("Boarded", "صعد")) }
                        th.signature { (t("Signature", "التوقيع")) }
                    } }
                    tbody {
                        @for (i, (line, travelling)) in passengers.iter().enumerate() {
                            @let (arabic, latin) = names(line);
                            @let unaccompanied = travelling.class == PassengerClass::UnaccompaniedChild;
                            tr data-class=(travelling.class.as_str()) class=[unaccompanied.then_some("alert")] {
                                td { (i + 1) }
                                td { bdi dir="ltr" { (line.reference) } }
                                td lang="ar" dir="rtl" { (arabic) }
                                td lang="en" dir="ltr" { (latin) }
                                td { bdi dir="ltr" { (line.person.details.passport.as_ref().map(|p| p.as_str()).unwrap_or("")) } }
                                td { (line.person.details.age.map(|a| a.to_string()).unwrap_or_default()) }
                                td { (sex_word(&sex_of(line), english)) }
                                td.class { (class_word(travelling.class)) }
                                td.escort {
                                    @if unaccompanied {
                                        strong { (t("No adult of the family on board", "لا يرافقه بالغ من أسرته")) }
                                    } @else {
                                        @for (k, escort) in travelling.escorts.iter().enumerate() {
                                            @if k > 0 { "، " }
                                            bdi dir="ltr" { "#" (number_of.get(escort).copied().unwrap_or_default()) } " "
                                            bdi { (by_person.get(escort).map(|e| listed_name(e)).unwrap_or_default()) }
                                        }
                                    }
                                }
                                td { (passenger_word(line.status, english)) }
                                td.boarded { span.tick role="img" aria-label=(t("boarded: tick by hand", "صعد: ضع علامة باليد")) {} }
                                td.signature {}
                            }
                        }
                    }
                }
                @if passengers.is_empty() { p { (t("No passengers yet.", "لا يوجد ركاب بعد.")) } }
                section.sign-off {
                    div { (t("Boarded, counted:", "عدد من صعدوا:")) span.blank {} }
                    div { (t("Escort officer — name and signature:", "مسؤول المرافقة — الاسم والتوقيع:")) span.blank {} }
                    div { (t("Driver or captain — name and signature:", "السائق أو القائد — الاسم والتوقيع:")) span.blank {} }
                    div { (t("Border officer — signature and stamp:", "ضابط الحدود — التوقيع والختم:")) span.blank {} }
                }
                footer { p { (t(
                    "Generated from the operations room's log: every line is a recorded change. Times are the room's local time.",
                    "أُعدّ من سجل غرفة العمليات: كل سطر تغيير مسجّل. الأوقات بالتوقيت المحلي لغرفة العمليات."
                )) } }
            }
        }
    }
}

fn sex_word(sex: &str, english: bool) -> &'static str {
    match (sex, english) {
        ("female", true) => "F",
        ("female", false) => "أنثى",
        ("male", true) => "M",
        ("male", false) => "ذكر",
        _ => "",
    }
}

fn passenger_word(status: PassengerStatus, english: bool) -> &'static str {
    use PassengerStatus as P;
    match (status, english) {
        (P::Waiting, true) => "waiting",
        (P::Waiting, false) => "في الانتظار",
        (P::Assigned, true) => "seat assigned",
        (P::Assigned, false) => "خُصص له مقعد",
        (P::Boarded, true) => "boarded",
        (P::Boarded, false) => "صعد",
        (P::Departed, true) => "departed",
        (P::Departed, false) => "غادر",
        (P::Crossed, true) => "crossed the border",
        (P::Crossed, false) => "عبر الحدود",
        (P::ArrivedHome, true) => "arrived home",
        (P::ArrivedHome, false) => "وصل إلى الوطن",
        (P::NoShow, true) => "did not show up",
        (P::NoShow, false) => "لم يحضر",
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
