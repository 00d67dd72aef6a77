//! A movement as a partner agency it is shared with sees it: where and when it goes, its
//! status, and the people holding a seat on it, each cut to the partner's data profile — the
//! same minimisation as a referred case (`view::person_view`; needs and flags only if the
//! profile allows them). Someone who gave their seat back or did not show up is no longer the
//! partner's business: a change that takes them off shows only their id and new status.
//!
//! Owns the only way a movement reaches a partner. Must not show a movement that is not shared
//! with the partner, or a field its profile does not allow.

use serde::Serialize;
use uuid::Uuid;

use super::DataProfile;
use super::ProfileField;
use super::view::{PersonFacts, PersonView, person_view};
use crate::advisory::Bilingual;
use crate::clock::{Timestamp, as_rfc3339};
use crate::evacuation::movement::{Mode, Movement, MovementStatus, PassengerStatus};
use crate::evacuation::place::{Place, PlaceKind};
use crate::need::{Flag, Need};

/// What the store knows of one passenger.
#[derive(Debug, Clone, PartialEq)]
pub struct PassengerFacts {
    pub person_id: Uuid,
    pub reference: String,
    pub person: PersonFacts,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub status: PassengerStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerPassenger {
    pub person_id: Uuid,
    /// The case's reference, to quote on the phone with the ops room.
    pub reference: String,
    pub status: PassengerStatus,
    #[serde(flatten)]
    pub person: PersonView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<Vec<Need>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<Flag>>,
}

/// A place as movements name it (places are public: consulates, crossings, airports).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceView {
    pub kind: PlaceKind,
    pub name: Bilingual,
    pub lat: f64,
    pub lon: f64,
}

impl From<&Place> for PlaceView {
    fn from(p: &Place) -> Self {
        Self { kind: p.kind, name: p.name.clone(), lat: p.position.lat(), lon: p.position.lon() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerMovement {
    pub movement_id: Uuid,
    pub mode: Mode,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_ar: Option<String>,
    pub origin: PlaceView,
    pub destination: PlaceView,
    #[serde(serialize_with = "as_rfc3339")]
    pub departure_at: Timestamp,
    pub seats: u32,
    pub status: MovementStatus,
    /// The whole movement: everyone holding a seat. A feed item: only the people its event
    /// changed.
    pub passengers: Vec<PartnerPassenger>,
}

/// One passenger as the partner may see them: the profile's fields while they hold a seat,
/// only who and what status once they do not.
fn passenger_view(p: &PassengerFacts, profile: &DataProfile) -> PartnerPassenger {
    let seated = p.status.holds_seat();
    PartnerPassenger {
        person_id: p.person_id,
        reference: if seated { p.reference.clone() } else { String::new() },
        status: p.status,
        person: if seated { person_view(&p.person, profile) } else { PersonView::default() },
        needs: (seated && profile.allows(ProfileField::Needs)).then(|| p.needs.clone()),
        flags: (seated && profile.allows(ProfileField::Flags)).then(|| p.flags.clone()),
    }
}

/// The movement as `partner_id` may see it, with everyone holding a seat; `None` unless it is
/// shared with the partner.
pub fn project_movement(
    movement: &Movement,
    origin: &Place,
    destination: &Place,
    passengers: &[PassengerFacts],
    partner_id: Uuid,
    profile: &DataProfile,
) -> Option<PartnerMovement> {
    let seated: Vec<&PassengerFacts> = passengers.iter().filter(|p| p.status.holds_seat()).collect();
    project_change(movement, origin, destination, &seated, partner_id, profile)
}

/// The movement as `partner_id` may see it, with only the passengers a change concerns (a
/// feed item stays small however many seats the movement has); `None` unless it is shared.
pub fn project_change(
    movement: &Movement,
    origin: &Place,
    destination: &Place,
    changed: &[&PassengerFacts],
    partner_id: Uuid,
    profile: &DataProfile,
) -> Option<PartnerMovement> {
    if !movement.shared_with.contains(&partner_id) {
        return None;
    }
    let passengers = changed.iter().map(|p| passenger_view(p, profile)).collect();
    Some(PartnerMovement {
        movement_id: movement.movement_id,
        mode: movement.mode,
        label: movement.label.clone(),
        label_ar: movement.label_ar.clone(),
        origin: PlaceView::from(origin),
        destination: PlaceView::from(destination),
        departure_at: movement.departure_at,
        seats: movement.seats,
        status: movement.status,
        passengers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evacuation::place::PlaceInput;
    use crate::partner::PartnerKind;

    fn place(kind: PlaceKind) -> Place {
        let input = PlaceInput {
            kind: Some(kind),
            name: Some((Some("م".into()), Some("P".into()))),
            lat: Some(15.6),
            lon: Some(32.5),
        };
        Place::parse(Uuid::new_v4(), 1, &input).unwrap()
    }

    #[test]
    fn only_shared_partners_see_a_movement_and_only_their_profile_s_fields() {
        let (origin, destination) = (place(PlaceKind::AssemblyPoint), place(PlaceKind::BorderCrossing));
        let red_crescent = Uuid::from_u128(1);
        let movement = Movement {
            movement_id: Uuid::nil(),
            mode: Mode::Bus,
            label: "Bus 1".into(),
            label_ar: None,
            origin_place_id: origin.place_id,
            destination_place_id: destination.place_id,
            departure_at: Timestamp(0),
            seats: 40,
            shared_with: vec![red_crescent],
            status: MovementStatus::Departed,
        };
        let passenger = PassengerFacts {
            person_id: Uuid::from_u128(9),
            reference: "K7QM-2XPD".into(),
            person: PersonFacts {
                name: Some("سعاد".into()),
                age: Some(50),
                sex: Some("female".into()),
                phone: Some("+249912345678".into()),
                passport: Some("P1234567".into()),
            },
            needs: vec![Need::Medical],
            flags: vec![Flag::Injured],
            status: PassengerStatus::Departed,
        };
        let profile = DataProfile::default_for(PartnerKind::RedCrescent);
        let seen = project_movement(
            &movement,
            &origin,
            &destination,
            std::slice::from_ref(&passenger),
            red_crescent,
            &profile,
        )
        .unwrap();
        let json = serde_json::to_value(&seen).unwrap();
        assert_eq!(json["passengers"][0]["name"], "سعاد");
        assert_eq!(json["passengers"][0]["needs"], serde_json::json!(["medical"]));
        assert!(json["passengers"][0].get("passport").is_none(), "the Red Crescent gets no passports");
        let aid = DataProfile::default_for(PartnerKind::Ngo);
        let json = serde_json::to_value(project_movement(
            &movement,
            &origin,
            &destination,
            std::slice::from_ref(&passenger),
            red_crescent,
            &aid,
        ))
        .unwrap();
        assert!(json["passengers"][0].get("name").is_none() && json["passengers"][0].get("phone").is_none());
        assert_eq!(
            project_movement(
                &movement,
                &origin,
                &destination,
                std::slice::from_ref(&passenger),
                Uuid::from_u128(2),
                &profile
            ),
            None
        );
        // Taken off the bus: gone from the movement, and the change shows nothing of them.
        let off = PassengerFacts { status: PassengerStatus::Waiting, ..passenger };
        let seen =
            project_movement(&movement, &origin, &destination, std::slice::from_ref(&off), red_crescent, &profile);
        assert!(seen.unwrap().passengers.is_empty());
        let change = project_change(&movement, &origin, &destination, &[&off], red_crescent, &profile).unwrap();
        let json = serde_json::to_value(&change.passengers[0]).unwrap();
        assert_eq!(json, serde_json::json!({"person_id": off.person_id, "reference": "", "status": "waiting"}));
    }
}
