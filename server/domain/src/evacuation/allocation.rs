//! Seat allocation: who goes first on a movement.
//!
//! Owns the priority classes (unaccompanied children, medical, elderly, families with children,
//! everyone else) and the choice of passengers for a number of seats: groups in class order,
//! then by how long they have waited; a family group travels together — a group that does not
//! fit is passed over for the next one that does — unless the operator allows splitting, in
//! which case the seats left are filled person by person in the same order.

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

/// What a case's ages say for allocation, kept with the case so that allocation reads one row
/// per case, not one per person: someone under 18, someone 70 or older.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AgeMarks {
    pub child: bool,
    pub elderly: bool,
}

impl AgeMarks {
    pub fn of(ages: &[u8]) -> Self {
        Self { child: ages.iter().any(|a| *a < 18), elderly: ages.iter().any(|a| *a >= 70) }
    }

    /// As stored: bit 0 a child, bit 1 an elderly person.
    pub fn bits(self) -> i64 {
        i64::from(self.child) | (i64::from(self.elderly) << 1)
    }

    pub fn from_bits(bits: i64) -> Self {
        Self { child: bits & 1 != 0, elderly: bits & 2 != 0 }
    }
}

/// The class of a case's people from what was reported about them.
pub fn class_of(flags: &[Flag], needs: &[Need], ages: &[u8]) -> PriorityClass {
    class_of_marks(flags, needs, AgeMarks::of(ages))
}

/// [`class_of`] from the ages' marks.
pub fn class_of_marks(flags: &[Flag], needs: &[Need], ages: AgeMarks) -> PriorityClass {
    if flags.contains(&Flag::UnaccompaniedMinors) {
        PriorityClass::UnaccompaniedChildren
    } else if needs.contains(&Need::Medical)
        || flags.iter().any(|f| matches!(f, Flag::Injured | Flag::Pregnant | Flag::ChronicIllness | Flag::Disabled))
    {
        PriorityClass::Medical
    } else if flags.contains(&Flag::Elderly) || ages.elderly {
        PriorityClass::Elderly
    } else if ages.child {
        PriorityClass::FamiliesWithChildren
    } else {
        PriorityClass::Others
    }
}

/// A family group waiting for seats: the people of one case who hold none yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: Uuid,
    /// Its most urgent member's class.
    pub class: PriorityClass,
    /// Its longest wait.
    pub waiting_since: Timestamp,
    pub size: usize,
}

/// How many of each group get a seat, in boarding order, at most `seats` people in all: groups
/// by class, then by how long they have waited (then by id, so the order is stable); a group
/// that does not fit whole is passed over for the next one that does, unless splitting is
/// allowed, in which case the seats left go to the passed-over groups in the same order.
pub fn allocate_groups(groups: &[Group], seats: usize, split_families: bool) -> Vec<(Uuid, usize)> {
    let mut ranked: Vec<&Group> = groups.iter().filter(|g| g.size > 0).collect();
    ranked.sort_by_key(|g| (g.class, g.waiting_since, g.id));
    let mut chosen = Vec::new();
    let mut left = seats;
    let mut passed_over = Vec::new();
    for group in ranked {
        if left == 0 {
            break;
        }
        if group.size <= left {
            chosen.push((group.id, group.size));
            left -= group.size;
        } else {
            passed_over.push(group);
        }
    }
    if split_families {
        for group in passed_over {
            if left == 0 {
                break;
            }
            let take = group.size.min(left);
            chosen.push((group.id, take));
            left -= take;
        }
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
            // Neighbouring centres are √3 edge lengths apart on average, but H3's cells vary in
            // size (edges down to about two thirds of the average) and a disk of k rings is a
            // hexagon whose sides come only cos 30° of k steps close: count rings by that
            // shortest reach, and one more for the origin's offset from its parent's centre.
            let shortest_reach = centre.index().resolution().edge_length_km() * 3f64.sqrt() * (2.0 / 3.0) * 0.866;
            let rings = (radius_km / shortest_reach).ceil() + 1.0;
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

    fn group(id: u128, class: PriorityClass, since: i64, size: usize) -> Group {
        Group { id: Uuid::from_u128(id), class, waiting_since: Timestamp(since), size }
    }

    fn seats(chosen: &[(u128, usize)]) -> Vec<(Uuid, usize)> {
        chosen.iter().map(|(id, n)| (Uuid::from_u128(*id), *n)).collect()
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
        // At the edge of the radius, at three latitudes: every cell whose centre lies within it
        // is covered.
        for (lat, lon) in [(0.5, 32.5), (15.5518, 32.5324), (55.0, 37.6)] {
            let origin = Coordinates::parse(lat, lon).unwrap().cell();
            let centre = h3o::LatLng::from(origin.index());
            for radius in [3.0, 40.0, 150.0, 400.0] {
                let ranges = disk_ranges(origin, radius);
                for bearing in 0..72 {
                    let point = destination(centre, f64::from(bearing) * 5.0, radius * 0.99);
                    let cell = Coordinates::parse(point.0, point.1).unwrap().cell();
                    if distance_km(origin, cell) <= radius {
                        let inside = ranges.iter().any(|(a, b)| (*a..=*b).contains(&cell.to_u64()));
                        assert!(inside, "lat {lat}, radius {radius}, bearing {}", bearing * 5);
                    }
                }
            }
        }
        let port_sudan = Coordinates::parse(19.6, 37.2).unwrap().cell();
        assert!(!disk_ranges(khartoum, 25.0).iter().any(|(a, b)| (*a..=*b).contains(&port_sudan.to_u64())));
    }

    /// The point `km` from `from` on `bearing` degrees (great circle): (lat, lon).
    fn destination(from: h3o::LatLng, bearing: f64, km: f64) -> (f64, f64) {
        let (lat, lon, theta, delta) = (from.lat_radians(), from.lng_radians(), bearing.to_radians(), km / 6371.0088);
        let lat2 = (lat.sin() * delta.cos() + lat.cos() * delta.sin() * theta.cos()).asin();
        let lon2 = lon + (theta.sin() * delta.sin() * lat.cos()).atan2(delta.cos() - lat.sin() * lat2.sin());
        (lat2.to_degrees(), lon2.to_degrees())
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
            group(1, Others, 0, 1),
            group(2, Medical, 50, 1),
            group(3, Medical, 10, 1),
            group(4, UnaccompaniedChildren, 99, 1),
        ];
        assert_eq!(allocate_groups(&waiting, 3, false), seats(&[(4, 1), (3, 1), (2, 1)]));
    }

    #[test]
    fn a_family_travels_together_unless_the_operator_splits_it() {
        use PriorityClass::*;
        // A family of three with a child goes before a single man, but only two seats are left:
        // the family is passed over for the man, unless splitting is allowed.
        let waiting = [group(10, FamiliesWithChildren, 0, 3), group(20, Others, 5, 1)];
        assert_eq!(allocate_groups(&waiting, 2, false), seats(&[(20, 1)]));
        assert_eq!(allocate_groups(&waiting, 2, true), seats(&[(20, 1), (10, 1)]));
        assert_eq!(allocate_groups(&waiting, 4, false), seats(&[(10, 3), (20, 1)]));
        assert!(allocate_groups(&waiting, 0, true).is_empty());
    }
}
