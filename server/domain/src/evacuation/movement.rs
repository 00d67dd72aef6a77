//! Movements (convoys, flights, ships, trains) and each passenger's evacuation status: the
//! vocabularies and which changes are allowed.
//!
//! Owns the two state machines. A movement is planned, boards, departs and arrives, or is
//! cancelled before it departs. A person waits, is assigned a seat, boards, departs, crosses the
//! border and arrives home — or does not show up, and waits again.

use serde::{Deserialize, Serialize};

use crate::Rejected;

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
    /// Whether a person's evacuation may go from `self` to `to`: forward one step at a time; an
    /// assigned person may be unassigned (back to waiting) or not show up; a no-show waits again.
    pub fn may_become(self, to: PassengerStatus) -> bool {
        use PassengerStatus::*;
        matches!(
            (self, to),
            (Waiting, Assigned)
                | (Assigned, Waiting)
                | (Assigned, Boarded)
                | (Assigned, NoShow)
                | (Boarded, Departed)
                | (Departed, Crossed)
                | (Crossed, ArrivedHome)
                | (NoShow, Waiting)
        )
    }
}

/// Refuse a change the state machine does not allow, naming both ends.
pub fn check<T: Copy + Serialize>(from: T, to: T, allowed: bool) -> Result<(), Rejected> {
    if allowed {
        return Ok(());
    }
    let name = |v: T| serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    Err(Rejected::new("invalid_transition", "status", format!("cannot go from {} to {}", name(from), name(to))))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
