//! Evacuation logistics in the database: places, zones (and the cases they flag), movements,
//! each person's evacuation status, and the reads the ops room, manifests and partners use —
//! one file each (`places`, `zones`, `movements`, `reads`); this one dispatches the writes and
//! holds the helpers they share.
//!
//! Writes run inside the writer's transaction at a given log position: one event per change,
//! then the rows it changes, and every movement event's position in `movement_log`. Must not
//! decide what the domain decides: transitions are `MovementStatus::may_become` and
//! `PassengerStatus::set_by_hand`, priorities `priority::raise_for_danger`, membership the
//! zone's compacted cells (as index ranges, never a table scan).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::evacuation::allocation::{AgeMarks, class_of, class_of_marks};
use opsroom_domain::evacuation::movement::{
    Movement, MovementChanged, MovementPlanned, MovementStatus, PassengerChanged, PassengerStatus, check,
};
use opsroom_domain::evacuation::place::{Place, PlaceSaved};
use opsroom_domain::evacuation::zone::{
    CaseZone, DangerZoneFlagged, Zone, ZoneChanged, ZoneCover, ZoneKind, flag_on_arrival,
};
use opsroom_domain::event::{CaseReported, Event};
use opsroom_domain::location::{Cell, stored_ranges};
use opsroom_domain::priority::{self, Priority, PriorityLevel};
use opsroom_domain::workflow::{Actor, CaseCommand};
use opsroom_domain::{Rejected, wire_name};
use uuid::Uuid;

use crate::model::*;
use crate::reads::{
    cell_col, corrupt, optional_vocabulary, stored_event, uuid_col, uuid_from, vocabulary, vocabulary_of,
};
use crate::rows::{VALUES, insert_rows, per_chunk, record};
use crate::sql::{Conn, Pool, Row, listed};
use crate::workflow::apply_to_case;
use crate::write::{Positions, Write};
use crate::{Result, masks};

mod movements;
mod places;
mod reads;
mod zones;

use movements::{assign, change_movement, plan_movement, set_passengers};
pub(crate) use movements::{movement, movements};
use places::save_place;
pub(crate) use places::{place, places};
pub(crate) use reads::{manifest, movement_shared, shared_movement_ids, summary, waiting_cases, waiting_people};
use zones::{change_zone, declare_zone, lift_zone};
pub(crate) use zones::{flag_arrivals, zones};

impl Write for EvacuationWrite {
    type Outcome = EvacuationOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<EvacuationOutcome> {
        write(conn, self, positions).await
    }
}

async fn write(conn: &mut Conn<'_>, op: &EvacuationWrite, positions: &mut Positions) -> Result<EvacuationOutcome> {
    match op {
        EvacuationWrite::SavePlace { place, create, by, at } => {
            save_place(conn, place, *create, *by, *at, positions).await
        }
        EvacuationWrite::DeclareZone { zone, cover, by, at } => {
            declare_zone(conn, zone, cover, *by, *at, positions).await
        }
        EvacuationWrite::ChangeZone { zone, cover, by, at } => {
            change_zone(conn, zone, cover, *by, *at, positions).await
        }
        EvacuationWrite::LiftZone { zone_id, by, at } => lift_zone(conn, *zone_id, *by, *at, positions).await,
        EvacuationWrite::PlanMovement { movement, by, at } => plan_movement(conn, movement, *by, *at, positions).await,
        EvacuationWrite::ChangeMovement { movement_id, to, by, at } => {
            change_movement(conn, *movement_id, *to, *by, *at, positions).await
        }
        EvacuationWrite::AssignPassengers { movement_id, person_ids, by, at } => {
            assign(conn, *movement_id, person_ids, *by, *at, positions).await
        }
        EvacuationWrite::SetPassengers { movement_id, person_ids, to, by, at } => {
            set_passengers(conn, *movement_id, person_ids, *to, *by, *at, positions).await
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("evacuation records serialize")
}

fn parse<T: serde::de::DeserializeOwned>(row: &Row, column: &str) -> Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|e| corrupt(column, e))
}

/// The passenger statuses for which `rule` holds, as a list of SQL literals (the rule is the
/// domain's; the SQL only lists its outcome).
fn passenger_statuses(rule: fn(PassengerStatus) -> bool) -> String {
    listed(PassengerStatus::ALL, rule, wire_name)
}

/// The seam for evacuation logistics.
impl crate::Store {
    /// Any write about evacuation logistics (see [`EvacuationWrite`]).
    pub async fn evacuation_write(&self, write: EvacuationWrite) -> Result<EvacuationOutcome> {
        self.submit(write).await
    }

    pub async fn places(&self) -> Result<Vec<Place>> {
        self::places(&self.inner.reads).await
    }

    pub async fn place(&self, place_id: Uuid) -> Result<Option<Place>> {
        self::place(&self.inner.reads, place_id).await
    }

    /// Every zone, newest first (lifted ones too).
    pub async fn zones(&self) -> Result<Vec<ZoneRecord>> {
        self::zones(&self.inner.reads).await
    }

    /// Every movement by departure, with its passengers counted per status.
    pub async fn movements(&self) -> Result<Vec<MovementRecord>> {
        self::movements(&self.inner.reads).await
    }

    pub async fn movement(&self, movement_id: Uuid) -> Result<Option<(MovementRecord, Vec<PassengerRow>)>> {
        self::movement(&self.inner.reads, movement_id).await
    }

    /// The cases awaiting evacuation in the cell ranges given (see
    /// `self::allocation::disk_ranges`), with how many of their people hold no seat.
    pub async fn waiting_cases(&self, ranges: &[(u64, u64)]) -> Result<Vec<WaitingCase>> {
        self::waiting_cases(&self.inner.reads, ranges).await
    }

    /// The people of these cases who hold no seat.
    pub async fn waiting_people(&self, case_ids: &[Uuid]) -> Result<Vec<WaitingPerson>> {
        self::waiting_people(&self.inner.reads, case_ids).await
    }

    /// Whether a movement is shared with a partner.
    pub async fn movement_shared(&self, partner_id: Uuid, movement_id: Uuid) -> Result<bool> {
        self::movement_shared(&self.inner.reads, partner_id, movement_id).await
    }

    /// The movements shared with a partner, by departure.
    pub async fn shared_movement_ids(&self, partner_id: Uuid) -> Result<Vec<Uuid>> {
        self::shared_movement_ids(&self.inner.reads, partner_id).await
    }

    pub async fn evacuation_summary(&self) -> Result<EvacuationSummary> {
        self::summary(&self.inner.reads).await
    }

    /// A movement's passengers rebuilt from the log.
    pub async fn manifest(&self, movement_id: Uuid) -> Result<Option<(Movement, Vec<ManifestLine>)>> {
        self::manifest(&self.inner.reads, movement_id).await
    }
}
