//! The JSON shapes of evacuation logistics: places, zones, movements, passengers, the seat
//! suggestion and the day's figures.

use opsroom_domain::evacuation::allocation::PriorityClass;
use opsroom_domain::evacuation::movement::{Mode, MovementStatus, PassengerStatus};
use opsroom_domain::evacuation::place::{Place, PlaceInput, PlaceKind};
use opsroom_domain::evacuation::zone::{ZoneInput, ZoneKind};
use opsroom_domain::report::Sex;
use opsroom_store::{PassengerCounts, PassengerRow, ZoneRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{BilingualInput, BilingualText};

/// A place as a supervisor submits it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceRequest {
    pub kind: Option<PlaceKind>,
    pub name: Option<BilingualInput>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl PlaceRequest {
    pub fn to_domain(&self) -> PlaceInput {
        PlaceInput { kind: self.kind, name: BilingualInput::pair(&self.name), lat: self.lat, lon: self.lon }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceBody {
    pub place_id: Uuid,
    pub kind: PlaceKind,
    pub name: BilingualText,
    pub lat: f64,
    pub lon: f64,
    /// The resolution-9 H3 cell.
    pub cell: String,
    pub version: u32,
}

impl From<&Place> for PlaceBody {
    fn from(p: &Place) -> Self {
        Self {
            place_id: p.place_id,
            kind: p.kind,
            name: BilingualText::from(&p.name),
            lat: p.position.lat(),
            lon: p.position.lon(),
            cell: p.cell.to_string(),
            version: p.version,
        }
    }
}

/// A zone as a supervisor draws it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneRequest {
    pub kind: Option<ZoneKind>,
    pub name: Option<BilingualInput>,
    /// A GeoJSON `Polygon` or `MultiPolygon` (`[lon, lat]`), at most 200,000 km².
    #[schema(value_type = Object)]
    pub area: Option<serde_json::Value>,
}

impl ZoneRequest {
    pub fn to_domain(&self) -> ZoneInput {
        ZoneInput { kind: self.kind, name: BilingualInput::pair(&self.name), area: self.area.clone() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneBody {
    pub zone_id: Uuid,
    pub kind: ZoneKind,
    pub name: BilingualText,
    /// The GeoJSON geometry as drawn.
    #[schema(value_type = Object)]
    pub area: serde_json::Value,
    pub version: u32,
    pub active: bool,
    /// Open cases the last declaration or change flagged.
    pub flagged: u32,
    /// Log position of the zone's last change.
    pub updated_seq: u64,
}

impl From<&ZoneRecord> for ZoneBody {
    fn from(r: &ZoneRecord) -> Self {
        Self {
            zone_id: r.zone.zone_id,
            kind: r.zone.kind,
            name: BilingualText::from(&r.zone.name),
            area: serde_json::to_value(&r.zone.area).unwrap_or_default(),
            version: r.zone.version,
            active: r.zone.active,
            flagged: r.flagged,
            updated_seq: r.updated_seq,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovementRequest {
    pub mode: Option<Mode>,
    /// What people call it: "Bus 3 Khartoum → Wadi Halfa".
    pub label: Option<String>,
    /// The same in Arabic, for Arabic pages and manifests (optional).
    pub label_ar: Option<String>,
    /// An assembly point.
    pub origin_place_id: Option<Uuid>,
    /// A border crossing, an airport or a port.
    pub destination_place_id: Option<Uuid>,
    /// RFC 3339.
    pub departure_at: Option<String>,
    pub seats: Option<u32>,
    /// Partner agencies whose feeds carry the movement and its passengers.
    #[serde(default)]
    pub shared_with: Vec<Uuid>,
}

/// A place as a movement names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceRef {
    pub place_id: Uuid,
    pub name: BilingualText,
}

#[derive(Debug, Serialize, ToSchema, Default)]
pub struct CountsBody {
    pub assigned: u32,
    pub boarded: u32,
    pub departed: u32,
    pub crossed: u32,
    pub arrived_home: u32,
    pub no_show: u32,
}

impl From<&PassengerCounts> for CountsBody {
    fn from(c: &PassengerCounts) -> Self {
        Self {
            assigned: c.assigned,
            boarded: c.boarded,
            departed: c.departed,
            crossed: c.crossed,
            arrived_home: c.arrived_home,
            no_show: c.no_show,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassengerBody {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub reference: String,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub passport: Option<String>,
    pub class: PriorityClass,
    pub status: PassengerStatus,
    /// The statuses an operator may set now (`PassengerStatus::next_by_hand`), so pages never
    /// re-type the passenger's state machine.
    pub next: Vec<PassengerStatus>,
}

impl PassengerBody {
    /// A passenger of a movement that is `movement` now.
    pub fn on(p: &PassengerRow, movement: MovementStatus) -> Self {
        Self {
            person_id: p.person_id,
            case_id: p.case_id,
            reference: p.reference.clone(),
            name: p.name.clone(),
            age: p.age,
            sex: p.sex,
            passport: p.passport.clone(),
            class: p.class,
            status: p.status,
            next: p.status.next_by_hand(movement),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovementBody {
    pub movement_id: Uuid,
    pub mode: Mode,
    pub label: String,
    /// The label in Arabic, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_ar: Option<String>,
    pub origin: PlaceRef,
    pub destination: PlaceRef,
    pub departure_at: String,
    pub seats: u32,
    pub status: MovementStatus,
    /// Where an operator may move it now (`MovementStatus::next`); empty once it is over.
    pub next: Vec<MovementStatus>,
    pub shared_with: Vec<Uuid>,
    pub counts: CountsBody,
    pub version: u32,
    /// Only when one movement is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passengers: Option<Vec<PassengerBody>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovementStatusRequest {
    pub to: MovementStatus,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionRequest {
    /// How far from the origin to look, in km (1 to 500).
    pub radius_km: f64,
    /// Fill seats left over by a family that does not fit with some of its members.
    #[serde(default)]
    pub split_families: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestedPassenger {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub reference: String,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub class: PriorityClass,
    pub waiting_since: String,
    pub distance_km: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    pub seats_left: u32,
    /// People awaiting evacuation within the radius, without a seat.
    pub considered: u32,
    /// In boarding order: priority class, then waiting time; families together.
    pub passengers: Vec<SuggestedPassenger>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassengersRequest {
    pub person_ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassengerStatusRequest {
    pub person_ids: Vec<Uuid>,
    /// boarded or no_show (while boarding), waiting (give the seat back), crossed, arrived_home.
    pub to: PassengerStatus,
}

#[derive(Debug, Deserialize)]
pub struct ManifestQuery {
    pub lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceCount {
    pub place_id: Uuid,
    pub name: BilingualText,
    /// People awaiting evacuation without a seat whose nearest assembly point this is.
    pub waiting: u32,
    /// People holding a seat on a movement from here that has not left.
    pub assigned: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvacuationSummaryBody {
    /// One entry per assembly point.
    pub places: Vec<PlaceCount>,
    /// Everyone awaiting evacuation without a seat (also those with no assembly point near).
    pub waiting: u32,
    /// Seats on movements planned or boarding.
    pub seats_planned: u32,
    pub boarded: u32,
    pub departed: u32,
    pub crossed: u32,
    pub arrived_home: u32,
    /// Departed, crossed or arrived home: the figure a ministry announces.
    pub evacuated: u32,
}
