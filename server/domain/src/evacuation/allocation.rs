//! Seat allocation: who goes first on a movement.
//!
//! Owns the priority classes (unaccompanied children, medical, elderly, families with children,
//! everyone else) and the choice of passengers for a number of seats: groups in class order,
//! then by how long they have waited; a family group travels together — a group that does not
//! fit is passed over for the next one that does — unless the operator allows splitting, in
//! which case the seats left are filled person by person in the same order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Timestamp;
use crate::location::{Cell, stored_ranges};
use crate::need::{Flag, Need};

/// Who goes first, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PriorityClass {
    UnaccompaniedChildren,
    Medical,
    Elderly,
    FamiliesWithChildren,
    Others,
}

/// The class of a case's people from what was reported about them.
pub fn class_of(flags: &[Flag], needs: &[Need], ages: &[u8]) -> PriorityClass {
    if flags.contains(&Flag::UnaccompaniedMinors) {
        PriorityClass::UnaccompaniedChildren
    } else if needs.contains(&Need::Medical)
        || flags.iter().any(|f| matches!(f, Flag::Injured | Flag::Pregnant | Flag::ChronicIllness | Flag::Disabled))
    {
        PriorityClass::Medical
    } else if flags.contains(&Flag::Elderly) || ages.iter().any(|a| *a >= 70) {
        PriorityClass::Elderly
    } else if ages.iter().any(|a| *a < 18) {
        PriorityClass::FamiliesWithChildren
    } else {
        PriorityClass::Others
    }
}

/// A person waiting for a seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub person_id: Uuid,
    /// The family group (a case, or linked cases) the person travels with.
    pub group: Uuid,
    pub class: PriorityClass,
    pub waiting_since: Timestamp,
}

/// The persons to seat, in boarding order, at most `seats` of them.
pub fn allocate(candidates: &[Candidate], seats: usize, split_families: bool) -> Vec<Uuid> {
    let mut groups: BTreeMap<Uuid, Vec<&Candidate>> = BTreeMap::new();
    for candidate in candidates {
        groups.entry(candidate.group).or_default().push(candidate);
    }
    // A group ranks by its most urgent member, then by its longest wait, then by id (stable).
    let mut ranked: Vec<(PriorityClass, Timestamp, Uuid, Vec<&Candidate>)> = groups
        .into_iter()
        .map(|(group, mut members)| {
            members.sort_by_key(|m| (m.class, m.waiting_since, m.person_id));
            let class = members.iter().map(|m| m.class).min().unwrap_or(PriorityClass::Others);
            let since = members.iter().map(|m| m.waiting_since).min().unwrap_or(Timestamp(i64::MAX));
            (class, since, group, members)
        })
        .collect();
    ranked.sort_by_key(|(class, since, group, _)| (*class, *since, *group));

    let mut chosen = Vec::new();
    let mut left_out = Vec::new();
    for (_, _, _, members) in &ranked {
        if members.len() <= seats - chosen.len() {
            chosen.extend(members.iter().map(|m| m.person_id));
        } else {
            left_out.extend(members.iter().copied());
        }
        if chosen.len() == seats {
            return chosen;
        }
    }
    if split_families {
        chosen.extend(left_out.iter().take(seats - chosen.len()).map(|m| m.person_id));
    }
    chosen
}

/// Largest search radius around an origin, in km.
pub const MAX_RADIUS_KM: f64 = 500.0;

/// The stored-cell index ranges that cover every place within `radius_km` of `origin`: an H3
/// grid disk at the finest resolution where it needs at most a dozen rings, as range scans.
/// A superset; callers keep the cases whose distance is within the radius.
pub fn disk_ranges(origin: Cell, radius_km: f64) -> Vec<(u64, u64)> {
    const MOST_RINGS: f64 = 12.0;
    let stored = origin.resolution();
    let (centre, rings) = (0..=stored)
        .rev()
        .find_map(|resolution| {
            let centre = origin.parent(resolution)?;
            // Neighbouring centres are √3 edge lengths apart; one ring more covers the origin's
            // offset from its parent's centre.
            let step = centre.index().resolution().edge_length_km() * 3f64.sqrt();
            let rings = (radius_km / step).ceil() + 1.0;
            (rings <= MOST_RINGS || resolution == 0).then_some((centre, rings as u32))
        })
        .unwrap_or((origin, 1));
    stored_ranges(centre.index().grid_disk::<Vec<_>>(rings).into_iter().map(Cell::from_index))
}

/// Great-circle distance between two cells' centres, in km.
pub fn distance_km(a: Cell, b: Cell) -> f64 {
    h3o::LatLng::from(a.index()).distance_km(h3o::LatLng::from(b.index()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(n: u128, group: u128, class: PriorityClass, since: i64) -> Candidate {
        Candidate {
            person_id: Uuid::from_u128(n),
            group: Uuid::from_u128(group),
            class,
            waiting_since: Timestamp(since),
        }
    }

    fn ids(ns: &[u128]) -> Vec<Uuid> {
        ns.iter().map(|n| Uuid::from_u128(*n)).collect()
    }

    #[test]
    fn the_disk_covers_the_radius_with_few_ranges() {
        use crate::location::Coordinates;
        let khartoum = Coordinates::parse(15.5518, 32.5324).unwrap().cell();
        for radius in [1.0, 25.0, 300.0] {
            let ranges = disk_ranges(khartoum, radius);
            let inside = |cell: Cell| ranges.iter().any(|(a, b)| (*a..=*b).contains(&cell.to_u64()));
            // Points on a circle inside the radius (allowing for the cells' size) are covered.
            for bearing in 0..16 {
                let angle = f64::from(bearing) * std::f64::consts::TAU / 16.0;
                let (dlat, dlon) = (angle.cos() * radius * 0.6 / 111.0, angle.sin() * radius * 0.6 / 107.0);
                let point = Coordinates::parse(15.5518 + dlat, 32.5324 + dlon).unwrap().cell();
                assert!(distance_km(khartoum, point) <= radius, "{radius} {bearing}");
                assert!(inside(point), "radius {radius}, bearing {bearing}");
            }
            assert!(ranges.len() < 700, "{radius} km: {} ranges", ranges.len());
        }
        let port_sudan = Coordinates::parse(19.6, 37.2).unwrap().cell();
        assert!(!disk_ranges(khartoum, 25.0).iter().any(|(a, b)| (*a..=*b).contains(&port_sudan.to_u64())));
    }

    #[test]
    fn classes_come_from_what_was_reported() {
        assert_eq!(
            class_of(&[Flag::UnaccompaniedMinors], &[Need::Medical], &[9]),
            PriorityClass::UnaccompaniedChildren
        );
        assert_eq!(class_of(&[Flag::Injured], &[], &[30]), PriorityClass::Medical);
        assert_eq!(class_of(&[], &[], &[74, 70]), PriorityClass::Elderly);
        assert_eq!(class_of(&[], &[], &[40, 8]), PriorityClass::FamiliesWithChildren);
        assert_eq!(class_of(&[], &[Need::Water], &[25]), PriorityClass::Others);
    }

    #[test]
    fn the_most_urgent_go_first_then_the_longest_waiting() {
        use PriorityClass::*;
        let waiting = [
            person(1, 1, Others, 0),
            person(2, 2, Medical, 50),
            person(3, 3, Medical, 10),
            person(4, 4, UnaccompaniedChildren, 99),
        ];
        assert_eq!(allocate(&waiting, 3, false), ids(&[4, 3, 2]));
    }

    #[test]
    fn a_family_travels_together_unless_the_operator_splits_it() {
        use PriorityClass::*;
        // A family of three with a child goes before a single man, but only two seats are left:
        // the family is passed over for the man, unless splitting is allowed.
        let waiting = [
            person(1, 10, FamiliesWithChildren, 0),
            person(2, 10, FamiliesWithChildren, 0),
            person(3, 10, FamiliesWithChildren, 0),
            person(4, 20, Others, 5),
        ];
        assert_eq!(allocate(&waiting, 2, false), ids(&[4]));
        assert_eq!(allocate(&waiting, 2, true), ids(&[4, 1]));
        assert_eq!(allocate(&waiting, 4, false), ids(&[1, 2, 3, 4]));
        assert!(allocate(&waiting, 0, true).is_empty());
    }
}
