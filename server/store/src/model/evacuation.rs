//! Evacuation logistics: the writes (places, zones, movements, passengers) with their outcome,
//! and what the evacuation reads return.

use super::*;

/// One write about evacuation logistics (places, zones, movements, passengers).
#[derive(Debug, Clone)]
pub enum EvacuationWrite {
    /// Register a place (`create`) or replace one (its version is the store's to count).
    SavePlace {
        place: opsroom_domain::evacuation::place::Place,
        create: bool,
        by: Uuid,
        at: i64,
    },
    /// Declare a zone: a danger zone flags every open case inside it.
    DeclareZone {
        zone: opsroom_domain::evacuation::zone::Zone,
        cover: opsroom_domain::evacuation::zone::ZoneCover,
        by: Uuid,
        at: i64,
    },
    /// Replace a zone's kind, names and area: cases newly inside a danger zone are flagged, those
    /// no longer inside are cleared. Refused once the zone was lifted.
    ChangeZone {
        zone: opsroom_domain::evacuation::zone::Zone,
        cover: opsroom_domain::evacuation::zone::ZoneCover,
        by: Uuid,
        at: i64,
    },
    /// Lift a zone: its cases' flags are cleared (their priority stays; a supervisor may lower it).
    LiftZone {
        zone_id: Uuid,
        by: Uuid,
        at: i64,
    },
    PlanMovement {
        movement: opsroom_domain::evacuation::movement::Movement,
        by: Uuid,
        at: i64,
    },
    /// Move a movement on; a departure also moves each case whose people have all departed to
    /// `evacuated`, through the workflow, as `by` (hence an actor).
    ChangeMovement {
        movement_id: Uuid,
        to: opsroom_domain::evacuation::movement::MovementStatus,
        by: opsroom_domain::workflow::Actor,
        at: i64,
    },
    /// Give waiting people seats on a movement (all or none).
    AssignPassengers {
        movement_id: Uuid,
        person_ids: Vec<Uuid>,
        by: Uuid,
        at: i64,
    },
    /// Set passengers' status by hand (all or none).
    SetPassengers {
        movement_id: Uuid,
        person_ids: Vec<Uuid>,
        to: opsroom_domain::evacuation::movement::PassengerStatus,
        by: Uuid,
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum EvacuationOutcome {
    /// Done; its first event at `seq`.
    Applied {
        seq: u64,
    },
    NotFound,
    /// A rule refused it (the field says which part).
    Refused(Rejected),
}

/// A zone and how many cases its last declaration or change flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneRecord {
    pub zone: opsroom_domain::evacuation::zone::Zone,
    pub flagged: u32,
    pub updated_seq: u64,
}

/// How many people a movement's passengers count per status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassengerCounts {
    pub assigned: u32,
    pub boarded: u32,
    pub departed: u32,
    pub crossed: u32,
    pub arrived_home: u32,
    pub no_show: u32,
}

impl PassengerCounts {
    /// Seats taken: everyone who holds (or held and used) one.
    pub fn seats_taken(&self) -> u32 {
        self.assigned + self.boarded + self.departed + self.crossed + self.arrived_home
    }

    pub(crate) fn add(&mut self, status: opsroom_domain::evacuation::movement::PassengerStatus, n: u32) {
        use opsroom_domain::evacuation::movement::PassengerStatus as P;
        match status {
            P::Assigned => self.assigned += n,
            P::Boarded => self.boarded += n,
            P::Departed => self.departed += n,
            P::Crossed => self.crossed += n,
            P::ArrivedHome => self.arrived_home += n,
            P::NoShow => self.no_show += n,
            P::Waiting => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MovementRecord {
    pub movement: opsroom_domain::evacuation::movement::Movement,
    pub version: u32,
    pub counts: PassengerCounts,
}

/// A person as a movement's lists show them.
#[derive(Debug, Clone, PartialEq)]
pub struct PassengerRow {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub reference: String,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub passport: Option<String>,
    pub phone: Option<String>,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub class: opsroom_domain::evacuation::allocation::PriorityClass,
    pub status: opsroom_domain::evacuation::movement::PassengerStatus,
}

/// A case awaiting evacuation near an origin: what allocation weighs, from one index entry.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingCase {
    pub case_id: Uuid,
    pub cell: Cell,
    pub class: opsroom_domain::evacuation::allocation::PriorityClass,
    pub waiting_since: i64,
    /// Its people without a seat.
    pub waiting: u32,
}

/// A person of a waiting case without a seat.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingPerson {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub reference: String,
    pub name: Option<String>,
    pub age: Option<u8>,
}

/// The day's evacuation figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvacuationSummary {
    /// People in cases awaiting evacuation without a seat, per cell (the app counts them at
    /// their nearest assembly point).
    pub waiting_by_cell: Vec<(Cell, u32)>,
    /// People holding a seat not yet departed, per origin place.
    pub assigned_by_origin: Vec<(Uuid, u32)>,
    /// Seats on movements not yet departed (planned or boarding).
    pub seats_planned: u32,
    pub counts: PassengerCounts,
}

/// A passenger's line on a manifest, rebuilt from the log.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestLine {
    pub person: opsroom_domain::event::PersonRecord,
    pub case_id: Uuid,
    pub reference: String,
    pub status: opsroom_domain::evacuation::movement::PassengerStatus,
    /// Log position of the person's last change on this movement.
    pub seq: u64,
    /// What the person's case reported: its needs and flags (the manifest's classes).
    pub needs: Vec<opsroom_domain::need::Need>,
    pub flags: Vec<opsroom_domain::need::Flag>,
}
