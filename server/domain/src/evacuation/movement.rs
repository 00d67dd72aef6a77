//! Movements (convoys, flights, ships, trains) and each passenger's evacuation status: the
//! vocabularies and which changes are allowed.
//!
//! Owns the two state machines. A movement is planned, boards, departs and arrives, or is
//! cancelled before it departs. A person waits, is assigned a seat, boards, departs, crosses the
//! border and arrives home — or does not show up, and waits again.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::clock::Timestamp;
use crate::evacuation::place::{MAX_NAME_CHARS, Place, PlaceKind};
use crate::text::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Mode {
    Bus,
    Flight,
    Ship,
    Train,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MovementStatus {
    Planned,
    Boarding,
    Departed,
    Arrived,
    Cancelled,
}

impl MovementStatus {
    pub const ALL: [MovementStatus; 5] = [
        MovementStatus::Planned,
        MovementStatus::Boarding,
        MovementStatus::Departed,
        MovementStatus::Arrived,
        MovementStatus::Cancelled,
    ];

    /// Where an operator may move a movement from here, in order (what the pages offer).
    pub fn next(self) -> Vec<MovementStatus> {
        Self::ALL.into_iter().filter(|to| self.may_become(*to)).collect()
    }

    /// Whether a movement may go from `self` to `to`. Boarding may go back to planned (the bus
    /// did not come); nothing comes back from departed, arrived or cancelled.
    pub fn may_become(self, to: MovementStatus) -> bool {
        use MovementStatus::*;
        matches!(
            (self, to),
            (Planned, Boarding)
                | (Planned, Cancelled)
                | (Boarding, Departed)
                | (Boarding, Planned)
                | (Boarding, Cancelled)
                | (Departed, Arrived)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PassengerStatus {
    Waiting,
    Assigned,
    Boarded,
    Departed,
    Crossed,
    ArrivedHome,
    NoShow,
}

impl PassengerStatus {
    pub const ALL: [PassengerStatus; 7] = [
        PassengerStatus::Waiting,
        PassengerStatus::Assigned,
        PassengerStatus::Boarded,
        PassengerStatus::Departed,
        PassengerStatus::Crossed,
        PassengerStatus::ArrivedHome,
        PassengerStatus::NoShow,
    ];

    /// Whether a person's evacuation may go from `self` to `to`: forward one step at a time; an
    /// assigned or boarded person may give the seat back (waiting again: taken off the bus before
    /// it leaves) or an assigned one not show up; a no-show waits again.
    pub fn may_become(self, to: PassengerStatus) -> bool {
        use PassengerStatus::*;
        matches!(
            (self, to),
            (Waiting, Assigned)
                | (Assigned, Waiting)
                | (Assigned, Boarded)
                | (Boarded, Waiting)
                | (Assigned, NoShow)
                | (Boarded, Departed)
                | (Departed, Crossed)
                | (Crossed, ArrivedHome)
                | (NoShow, Waiting)
        )
    }
}

impl MovementStatus {
    /// The passenger change a movement's change brings to each passenger in `from`: departing
    /// takes the boarded along and leaves the assigned who did not board as no-shows; a
    /// cancellation sends everyone holding a seat back to waiting.
    pub fn carries(self, from: PassengerStatus) -> Option<PassengerStatus> {
        use PassengerStatus as P;
        match (self, from) {
            (MovementStatus::Departed, P::Boarded) => Some(P::Departed),
            (MovementStatus::Departed, P::Assigned) => Some(P::NoShow),
            (MovementStatus::Cancelled, P::Assigned | P::Boarded) => Some(P::Waiting),
            _ => None,
        }
    }

    /// Whether passengers may still be assigned or unassigned.
    pub fn takes_passengers(self) -> bool {
        matches!(self, MovementStatus::Planned | MovementStatus::Boarding)
    }
}

impl PassengerStatus {
    /// Whether the person has left on their movement (departed, crossed, or home).
    pub fn has_left(self) -> bool {
        matches!(self, PassengerStatus::Departed | PassengerStatus::Crossed | PassengerStatus::ArrivedHome)
    }

    /// Whether the person holds (or held and used) a seat on their movement.
    pub fn holds_seat(self) -> bool {
        !matches!(self, PassengerStatus::Waiting | PassengerStatus::NoShow)
    }

    /// Whether an operator may set this status by hand, person by person (departing comes with
    /// the movement's departure).
    /// The statuses an operator may set by hand for a passenger in `self` while the movement is
    /// `movement`, in order (what the pages offer).
    pub fn next_by_hand(self, movement: MovementStatus) -> Vec<PassengerStatus> {
        Self::ALL.into_iter().filter(|to| Self::set_by_hand(self, *to, movement)).collect()
    }

    pub fn set_by_hand(from: PassengerStatus, to: PassengerStatus, movement: MovementStatus) -> bool {
        use PassengerStatus as P;
        let movement_allows = match to {
            P::Boarded | P::NoShow => movement == MovementStatus::Boarding,
            // A seat is given back before departure; a no-show waits again whenever.
            P::Waiting => from == P::NoShow || movement.takes_passengers(),
            P::Crossed | P::ArrivedHome => matches!(movement, MovementStatus::Departed | MovementStatus::Arrived),
            P::Assigned | P::Departed => false,
        };
        movement_allows && from.may_become(to)
    }
}

/// Most seats on one movement (a chartered ship is the largest).
pub const MAX_SEATS: u32 = 5_000;

/// A movement as a supervisor submits it, before validation.
#[derive(Debug, Clone, Default)]
pub struct MovementInput {
    pub mode: Option<Mode>,
    pub label: Option<String>,
    /// The label in Arabic, when the one above is not (optional).
    pub label_ar: Option<String>,
    pub origin: Option<Place>,
    pub destination: Option<Place>,
    pub departure_at: Option<Timestamp>,
    pub seats: Option<u32>,
    pub shared_with: Vec<Uuid>,
}

/// A planned movement. Its status moves by [`MovementStatus::may_become`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub movement_id: Uuid,
    pub mode: Mode,
    pub label: String,
    /// The label in Arabic, for the Arabic manifest and pages (absent in movements planned
    /// before it existed, and when the label needs no translation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_ar: Option<String>,
    pub origin_place_id: Uuid,
    pub destination_place_id: Uuid,
    pub departure_at: Timestamp,
    pub seats: u32,
    /// The partner agencies whose feeds carry this movement and its passengers.
    pub shared_with: Vec<Uuid>,
    pub status: MovementStatus,
}

impl Movement {
    /// The label to show in a page's language: the Arabic one on an Arabic page when there is
    /// one, else the label as typed.
    pub fn label_in(&self, english: bool) -> &str {
        match (&self.label_ar, english) {
            (Some(arabic), false) => arabic,
            _ => &self.label,
        }
    }

    /// The label in the page's other language, when there is a second one.
    pub fn label_other(&self, english: bool) -> Option<&str> {
        self.label_ar.as_deref().map(|arabic| if english { arabic } else { self.label.as_str() })
    }

    /// Validate a plan: the origin an assembly point, the destination a crossing, an airport or
    /// a port, a label, a departure and from 1 to [`MAX_SEATS`] seats.
    pub fn plan(movement_id: Uuid, input: &MovementInput) -> Result<Self, Rejected> {
        let mode = input.mode.ok_or_else(|| Rejected::new("missing", "mode", "choose bus, flight, ship or train"))?;
        let label = Message::parse_field(input.label.as_deref(), "label")?
            .ok_or_else(|| Rejected::new("missing", "label", "give the movement a name people will recognise"))?;
        if label.as_str().chars().count() > MAX_NAME_CHARS {
            return Err(Rejected::new("too_long", "label", format!("at most {MAX_NAME_CHARS} characters")));
        }
        let label_ar = Message::parse_field(input.label_ar.as_deref(), "label_ar")?;
        if label_ar.as_ref().is_some_and(|l| l.as_str().chars().count() > MAX_NAME_CHARS) {
            return Err(Rejected::new("too_long", "label_ar", format!("at most {MAX_NAME_CHARS} characters")));
        }
        let origin =
            input.origin.as_ref().ok_or_else(|| Rejected::new("not_found", "origin_place_id", "no such place"))?;
        if origin.kind != PlaceKind::AssemblyPoint {
            return Err(Rejected::new("invalid_place", "origin_place_id", "a movement starts at an assembly point"));
        }
        let destination = input
            .destination
            .as_ref()
            .ok_or_else(|| Rejected::new("not_found", "destination_place_id", "no such place"))?;
        if !destination.kind.is_destination() {
            return Err(Rejected::new(
                "invalid_place",
                "destination_place_id",
                "a movement goes to a border crossing, an airport or a port",
            ));
        }
        let departure_at =
            input.departure_at.ok_or_else(|| Rejected::new("missing", "departure_at", "give the planned departure"))?;
        let seats = input.seats.ok_or_else(|| Rejected::new("missing", "seats", "give the number of seats"))?;
        if !(1..=MAX_SEATS).contains(&seats) {
            return Err(Rejected::new("out_of_range", "seats", format!("from 1 to {MAX_SEATS} seats")));
        }
        let mut shared_with = input.shared_with.clone();
        shared_with.sort_unstable();
        shared_with.dedup();
        Ok(Self {
            movement_id,
            mode,
            label: label.as_str().to_owned(),
            label_ar: label_ar.map(|l| l.as_str().to_owned()),
            origin_place_id: origin.place_id,
            destination_place_id: destination.place_id,
            departure_at,
            seats,
            shared_with,
            status: MovementStatus::Planned,
        })
    }
}

/// A movement was planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementPlanned {
    #[serde(flatten)]
    pub movement: Movement,
    pub by: Uuid,
    pub at: Timestamp,
}

/// A movement's status changed. The passengers it carried along are each a
/// [`PassengerChanged`] event right after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementChanged {
    pub movement_id: Uuid,
    pub from: MovementStatus,
    pub to: MovementStatus,
    pub by: Uuid,
    pub at: Timestamp,
}

/// One person's evacuation status changed on a movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassengerChanged {
    pub movement_id: Uuid,
    pub case_id: Uuid,
    pub person_id: Uuid,
    pub from: PassengerStatus,
    pub to: PassengerStatus,
    pub by: Uuid,
    pub at: Timestamp,
}

/// Refuse a change the state machine does not allow, naming both ends.
pub fn check<T: Copy + Serialize>(from: T, to: T, allowed: bool) -> Result<(), Rejected> {
    if allowed {
        return Ok(());
    }
    let (from, to) = (crate::wire_name(from), crate::wire_name(to));
    Err(Rejected::conflict("invalid_transition", "status", format!("cannot go from {from} to {to}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_offered_are_exactly_the_allowed_ones() {
        for from in MovementStatus::ALL {
            let allowed: Vec<_> =
                MovementStatus::ALL.into_iter().filter(|to| check(from, *to, from.may_become(*to)).is_ok()).collect();
            assert_eq!(from.next(), allowed, "{from:?}");
            for movement in MovementStatus::ALL {
                for passenger in PassengerStatus::ALL {
                    let by_hand = from_passenger(passenger, movement);
                    assert_eq!(passenger.next_by_hand(movement), by_hand, "{passenger:?} on a {movement:?} movement");
                }
            }
        }
        assert_eq!(MovementStatus::Arrived.next(), vec![], "nothing follows an arrival");
        assert_eq!(
            PassengerStatus::Assigned.next_by_hand(MovementStatus::Boarding),
            vec![PassengerStatus::Waiting, PassengerStatus::Boarded, PassengerStatus::NoShow]
        );
    }

    fn from_passenger(from: PassengerStatus, movement: MovementStatus) -> Vec<PassengerStatus> {
        PassengerStatus::ALL.into_iter().filter(|to| PassengerStatus::set_by_hand(from, *to, movement)).collect()
    }

    #[test]
    fn a_movement_departs_once_and_is_cancelled_only_before() {
        use MovementStatus::*;
        assert!(Planned.may_become(Boarding) && Boarding.may_become(Departed) && Departed.may_become(Arrived));
        assert!(Boarding.may_become(Planned), "the bus did not come");
        assert!(!Departed.may_become(Cancelled) && !Arrived.may_become(Departed) && !Cancelled.may_become(Planned));
        assert!(!Planned.may_become(Departed), "boarding comes first");
    }

    #[test]
    fn a_person_moves_forward_one_step_or_waits_again() {
        use PassengerStatus::*;
        let path = [Waiting, Assigned, Boarded, Departed, Crossed, ArrivedHome];
        assert!(path.windows(2).all(|w| w[0].may_become(w[1])));
        assert!(Assigned.may_become(NoShow) && NoShow.may_become(Waiting) && Assigned.may_become(Waiting));
        assert!(!Waiting.may_become(Boarded) && !Departed.may_become(Waiting) && !ArrivedHome.may_become(Waiting));
        let refused = check(Departed, Waiting, Departed.may_become(Waiting)).unwrap_err();
        assert_eq!(
            (refused.code, refused.message.as_str()),
            ("invalid_transition", "cannot go from departed to waiting")
        );
    }

    #[test]
    fn what_a_movement_does_to_its_passengers_is_a_step_they_may_take() {
        use PassengerStatus as P;
        let every = [P::Waiting, P::Assigned, P::Boarded, P::Departed, P::Crossed, P::ArrivedHome, P::NoShow];
        let movements = [
            MovementStatus::Planned,
            MovementStatus::Boarding,
            MovementStatus::Departed,
            MovementStatus::Arrived,
            MovementStatus::Cancelled,
        ];
        for movement in movements {
            for from in every {
                if let Some(to) = movement.carries(from) {
                    assert!(from.may_become(to), "{movement:?} carries {from:?} to {to:?}");
                }
            }
        }
    }

    #[test]
    fn a_departure_takes_the_boarded_and_leaves_the_rest_as_no_shows() {
        use PassengerStatus as P;
        assert_eq!(MovementStatus::Departed.carries(P::Boarded), Some(P::Departed));
        assert_eq!(MovementStatus::Departed.carries(P::Assigned), Some(P::NoShow));
        assert_eq!(MovementStatus::Cancelled.carries(P::Boarded), Some(P::Waiting));
        assert_eq!(MovementStatus::Arrived.carries(P::Departed), None, "crossing is recorded person by person");
        assert!(PassengerStatus::set_by_hand(P::Assigned, P::Boarded, MovementStatus::Boarding));
        assert!(!PassengerStatus::set_by_hand(P::Assigned, P::Boarded, MovementStatus::Planned), "not before boarding");
        assert!(PassengerStatus::set_by_hand(P::Departed, P::Crossed, MovementStatus::Departed));
        assert!(!PassengerStatus::set_by_hand(P::Boarded, P::Departed, MovementStatus::Boarding), "the bus departs");
        assert!(PassengerStatus::set_by_hand(P::NoShow, P::Waiting, MovementStatus::Departed), "waits for the next");
        assert!(!PassengerStatus::set_by_hand(P::Assigned, P::Waiting, MovementStatus::Departed));
    }

    #[test]
    fn a_movement_goes_from_an_assembly_point_to_a_crossing() {
        use crate::evacuation::place::PlaceInput;
        let place = |kind, lat| {
            let input = PlaceInput {
                kind: Some(kind),
                name: Some((Some("م".into()), Some("P".into()))),
                lat: Some(lat),
                lon: Some(32.5),
            };
            Place::parse(Uuid::new_v4(), 1, &input).unwrap()
        };
        let input = MovementInput {
            mode: Some(Mode::Bus),
            label: Some("Bus 1 Khartoum → Wadi Halfa".into()),
            label_ar: None,
            origin: Some(place(PlaceKind::AssemblyPoint, 15.6)),
            destination: Some(place(PlaceKind::BorderCrossing, 21.8)),
            departure_at: Some(Timestamp(0)),
            seats: Some(50),
            shared_with: vec![Uuid::from_u128(2), Uuid::from_u128(1), Uuid::from_u128(2)],
        };
        let planned = Movement::plan(Uuid::nil(), &input).unwrap();
        assert_eq!((planned.status, planned.shared_with.len()), (MovementStatus::Planned, 2));
        let backwards =
            MovementInput { origin: input.destination.clone(), destination: input.origin.clone(), ..input.clone() };
        assert_eq!(Movement::plan(Uuid::nil(), &backwards).unwrap_err().field.as_deref(), Some("origin_place_id"));
        let empty = MovementInput { seats: Some(0), ..input.clone() };
        assert_eq!(Movement::plan(Uuid::nil(), &empty).unwrap_err().field.as_deref(), Some("seats"));
    }

    #[test]
    fn a_movement_may_carry_its_label_in_arabic_too() {
        use crate::evacuation::place::PlaceInput;
        let place = |kind| {
            let input = PlaceInput {
                kind: Some(kind),
                name: Some((Some("م".into()), Some("P".into()))),
                lat: Some(15.6),
                lon: Some(32.5),
            };
            Place::parse(Uuid::new_v4(), 1, &input).unwrap()
        };
        let input = MovementInput {
            mode: Some(Mode::Bus),
            label: Some("Bus 1".into()),
            label_ar: Some("الحافلة 1".into()),
            origin: Some(place(PlaceKind::AssemblyPoint)),
            destination: Some(place(PlaceKind::BorderCrossing)),
            departure_at: Some(Timestamp(0)),
            seats: Some(50),
            shared_with: vec![],
        };
        let planned = Movement::plan(Uuid::nil(), &input).unwrap();
        assert_eq!((planned.label_in(false), planned.label_other(false)), ("الحافلة 1", Some("Bus 1")));
        assert_eq!((planned.label_in(true), planned.label_other(true)), ("Bus 1", Some("الحافلة 1")));
        let english_only = Movement::plan(Uuid::nil(), &MovementInput { label_ar: None, ..input.clone() }).unwrap();
        assert_eq!((english_only.label_in(false), english_only.label_other(false)), ("Bus 1", None));
        let hidden = MovementInput { label_ar: Some("\u{202E}1".into()), ..input };
        assert_eq!(Movement::plan(Uuid::nil(), &hidden).unwrap_err().field.as_deref(), Some("label_ar"));
        // Movements stored before the Arabic label existed still read.
        let mut stored = serde_json::to_value(&english_only).unwrap();
        stored.as_object_mut().unwrap().remove("label_ar");
        assert_eq!(serde_json::from_value::<Movement>(stored).unwrap(), english_only);
    }
}
