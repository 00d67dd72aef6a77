//! A movement as a partner agency it is shared with sees it: where and when it goes, its
//! status, and each passenger's evacuation status cut to the partner's data profile — the same
//! minimisation as a referred case (`view::person_view`; needs and flags only if the profile
//! allows them).
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PassengerFacts {
    pub person_id: Uuid,
    pub reference: String,
    pub person: PersonFacts,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub status: Option<PassengerStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerPassenger {
    pub person_id: Uuid,
    /// The case's reference, to quote on the phone with the ops room.
    pub reference: String,
    pub status: Option<PassengerStatus>,
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
    pub origin: PlaceView,
    pub destination: PlaceView,
    #[serde(serialize_with = "as_rfc3339")]
    pub departure_at: Timestamp,
    pub seats: u32,
    pub status: MovementStatus,
    pub passengers: Vec<PartnerPassenger>,
}

/// The movement as `partner_id` may see it; `None` unless it is shared with the partner.
pub fn project_movement(
    movement: &Movement,
    origin: &Place,
    destination: &Place,
    passengers: &[PassengerFacts],
    partner_id: Uuid,
    profile: &DataProfile,
) -> Option<PartnerMovement> {
    if !movement.shared_with.contains(&partner_id) {
        return None;
    }
    let passengers = passengers
        .iter()
        .map(|p| PartnerPassenger {
            person_id: p.person_id,
            reference: p.reference.clone(),
            status: p.status,
            person: person_view(&p.person, profile),
            needs: profile.allows(ProfileField::Needs).then(|| p.needs.clone()),
            flags: profile.allows(ProfileField::Flags).then(|| p.flags.clone()),
        })
        .collect();
    Some(PartnerMovement {
        movement_id: movement.movement_id,
        mode: movement.mode,
        label: movement.label.clone(),
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
            status: Some(PassengerStatus::Departed),
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
            project_movement(&movement, &origin, &destination, &[passenger], Uuid::from_u128(2), &profile),
            None
        );
    }
}
