//! Where a case is: validated coordinates and the H3 cell they fall in.
//!
//! Owns coordinate validation (h3o's `LatLng::new` accepts out-of-range values, so ranges are
//! checked here first) and the storage resolution of the grid. Coarser cells are always derived
//! from the stored resolution-9 cell, never stored separately.

use std::fmt;
use std::str::FromStr;

use h3o::{CellIndex, LatLng, Resolution};
use serde::{Deserialize, Serialize};

use crate::Rejected;
use crate::text::PlaceName;

/// Resolution at which every case's cell is stored: about 0.1 km², a city block.
pub const STORED_RESOLUTION: Resolution = Resolution::Nine;

/// A WGS 84 position with latitude in [-90, 90] and longitude in [-180, 180], both finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    lat: f64,
    lon: f64,
}

impl Coordinates {
    /// Field names in refusals are `lat` and `lon`.
    pub fn parse(lat: f64, lon: f64) -> Result<Self, Rejected> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(Rejected::new("out_of_range", "lat", "latitude must be a number from -90 to 90"));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(Rejected::new("out_of_range", "lon", "longitude must be a number from -180 to 180"));
        }
        Ok(Self { lat, lon })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    /// The resolution-9 cell containing this position.
    pub fn cell(self) -> Cell {
        let latlng = LatLng::try_from(self.to_point().0).expect("ranges were checked in Coordinates::parse");
        Cell(latlng.to_cell(STORED_RESOLUTION))
    }

    /// As a `geo` point: x is longitude, y is latitude (GeoJSON order).
    pub fn to_point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}

/// An H3 cell. Shown and parsed as the usual 15-digit lower-case hex string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell(CellIndex);

impl Cell {
    pub fn index(self) -> CellIndex {
        self.0
    }

    pub fn from_index(index: CellIndex) -> Self {
        Self(index)
    }

    /// The raw 64-bit index, as stored in the database (valid indexes fit in 63 bits).
    pub fn to_u64(self) -> u64 {
        u64::from(self.0)
    }

    pub fn from_u64(raw: u64) -> Option<Self> {
        CellIndex::try_from(raw).ok().map(Self)
    }

    pub fn resolution(self) -> u8 {
        u8::from(self.0.resolution())
    }

    /// The enclosing cell at a coarser resolution (0 to 15; itself at its own resolution).
    /// `None` for a finer or impossible resolution.
    pub fn parent(self, resolution: u8) -> Option<Self> {
        let resolution = Resolution::try_from(resolution).ok()?;
        self.0.parent(resolution).map(Self)
    }

    /// The first and last index of this cell's descendants at the stored resolution. H3 keeps a
    /// cell's digits in the middle bits of its index, so every stored cell inside this one (and no
    /// other) lies in this integer range: an index range scan, not a list of children.
    /// `None` for cells finer than the stored resolution.
    pub fn stored_descendant_range(self) -> Option<(u64, u64)> {
        let resolution = u8::from(self.0.resolution());
        let stored = u8::from(STORED_RESOLUTION);
        if resolution > stored {
            return None;
        }
        let first = u64::from(self.0.center_child(STORED_RESOLUTION)?);
        // Digit d (1..=15) sits at bits 3*(15-d) .. 3*(15-d)+3; the last child has every digit
        // below this cell's resolution at its highest value, 6.
        let last =
            ((resolution + 1)..=stored).fold(first, |index, digit| index | (6u64 << (3 * (15 - u32::from(digit)))));
        Some((first, last))
    }
}

/// The index ranges of the stored cells inside `cells` (any resolutions up to the stored one),
/// sorted, with neighbours merged: ranges with no valid stored index between them become one,
/// so a compacted zone of thousands of cells costs far fewer index range scans.
pub fn stored_ranges(cells: impl IntoIterator<Item = Cell>) -> Vec<(u64, u64)> {
    let mut ranges: Vec<(u64, u64)> = cells.into_iter().filter_map(Cell::stored_descendant_range).collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (first, last) in ranges {
        match merged.last_mut() {
            Some(previous) if first <= next_stored_index(previous.1) => previous.1 = previous.1.max(last),
            _ => merged.push((first, last)),
        }
    }
    merged
}

/// How to turn a stored cell's raw index into its parent's at `resolution` (0 to the stored
/// resolution) with two bit operations, `(index & keep) | set`, so a database groups cases by a
/// coarser cell without H3: the resolution field (bits 52–55) becomes `resolution` and every digit
/// finer than it becomes 7 ("unused"), which is exactly the parent's index. `None` for a finer
/// resolution.
pub fn parent_masks(resolution: u8) -> Option<(u64, u64)> {
    if resolution > u8::from(STORED_RESOLUTION) {
        return None;
    }
    let finer_digits = (1u64 << (3 * (15 - u32::from(resolution)))) - 1;
    let resolution_field = 0xF << 52;
    Some((!resolution_field & !finer_digits, (u64::from(resolution) << 52) | finer_digits))
}

/// The smallest index above `index` that a stored cell could have: its digits (1 to the stored
/// resolution, each 0 to 6) counted up by one with carry, then the next base cell. Everything
/// strictly between the two is not a valid stored cell.
fn next_stored_index(index: u64) -> u64 {
    let mut index = index;
    for digit in (1..=u32::from(u8::from(STORED_RESOLUTION))).rev() {
        let shift = 3 * (15 - digit);
        let value = (index >> shift) & 7;
        if value < 6 {
            return (index & !(7 << shift)) | ((value + 1) << shift);
        }
        index &= !(7 << shift);
    }
    index + (1 << 45)
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Cell {
    type Err = Rejected;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CellIndex::from_str(s).map(Self).map_err(|_| Rejected::value("invalid_cell", "must be an H3 cell index in hex"))
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where the reporter says the people are. Any part may be missing: a relative abroad may know
/// only a neighbourhood's name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Location {
    pub coordinates: Option<Coordinates>,
    /// Reported accuracy radius in metres (browser geolocation gives one).
    pub accuracy_m: Option<f64>,
    pub place: Option<PlaceName>,
}

/// Largest accuracy radius worth keeping; beyond this the position says little.
const MAX_ACCURACY_M: f64 = 1_000_000.0;

impl Location {
    pub fn parse(
        lat: Option<f64>,
        lon: Option<f64>,
        accuracy_m: Option<f64>,
        place: Option<&str>,
    ) -> Result<Self, Rejected> {
        let coordinates = match (lat, lon) {
            (Some(lat), Some(lon)) => Some(Coordinates::parse(lat, lon)?),
            (None, None) => None,
            (Some(_), None) => return Err(Rejected::new("missing", "lon", "lon is required when lat is given")),
            (None, Some(_)) => return Err(Rejected::new("missing", "lat", "lat is required when lon is given")),
        };
        if let Some(acc) = accuracy_m
            && (!acc.is_finite() || !(0.0..=MAX_ACCURACY_M).contains(&acc))
        {
            return Err(Rejected::new("out_of_range", "accuracy_m", "accuracy must be from 0 to 1,000,000 metres"));
        }
        let place = place.map(PlaceName::parse_optional).transpose().map_err(|r| r.within("place"))?.flatten();
        Ok(Self { coordinates, accuracy_m: accuracy_m.filter(|_| coordinates.is_some()), place })
    }

    pub fn cell(&self) -> Option<Cell> {
        self.coordinates.map(Coordinates::cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn khartoum_riyadh_is_a_resolution_nine_cell() {
        let cell = Coordinates::parse(15.5518, 32.5324).unwrap().cell();
        assert_eq!(cell.resolution(), 9);
        assert_eq!(cell.to_string().len(), 15);
        assert_eq!(cell.to_string().parse::<Cell>().unwrap(), cell);
        assert_eq!(Cell::from_u64(cell.to_u64()), Some(cell));
    }

    proptest! {
        #[test]
        fn parent_masks_give_the_parent(lat in -85.0f64..85.0, lon in -180.0f64..180.0, resolution in 0u8..=9) {
            let cell = Coordinates::parse(lat, lon).unwrap().cell();
            let (keep, set) = parent_masks(resolution).unwrap();
            prop_assert_eq!(Cell::from_u64((cell.to_u64() & keep) | set), cell.parent(resolution));
        }
    }

    #[test]
    fn parent_masks_refuse_finer_than_stored() {
        assert_eq!(parent_masks(10), None);
    }

    #[test]
    fn descendant_range_holds_exactly_the_children() {
        let centre = Coordinates::parse(15.5518, 32.5324).unwrap().cell();
        for res in [7, 8, 9] {
            let parent = centre.parent(res).unwrap();
            let (first, last) = parent.stored_descendant_range().unwrap();
            let children: Vec<u64> = parent.index().children(STORED_RESOLUTION).map(u64::from).collect();
            assert_eq!(children.iter().min(), Some(&first));
            assert_eq!(children.iter().max(), Some(&last));
            // A neighbour's children fall outside the range.
            for neighbour in parent.index().grid_disk::<Vec<_>>(1).into_iter().filter(|n| *n != parent.index()) {
                for child in neighbour.children(STORED_RESOLUTION) {
                    assert!(!(first..=last).contains(&u64::from(child)));
                }
            }
        }
    }

    #[test]
    fn stored_ranges_merge_siblings_and_keep_every_child() {
        let centre = Coordinates::parse(15.5518, 32.5324).unwrap().cell();
        let parent = centre.parent(7).unwrap();
        // All seven children of a cell are one range, the same as the parent's.
        let children: Vec<Cell> = parent.index().children(Resolution::Eight).map(Cell::from_index).collect();
        assert_eq!(stored_ranges(children), vec![parent.stored_descendant_range().unwrap()]);
        // A ring of neighbours: fewer ranges than cells, and every stored child is in exactly one
        // range while the centre's children are in none.
        let ring: Vec<Cell> = parent.index().grid_ring_fast(1).flatten().map(Cell::from_index).collect();
        let ranges = stored_ranges(ring.iter().copied());
        assert!(ranges.len() <= ring.len());
        let inside = |index: u64| ranges.iter().any(|(a, b)| (*a..=*b).contains(&index));
        for cell in &ring {
            assert!(cell.index().children(STORED_RESOLUTION).all(|c| inside(u64::from(c))));
        }
        assert!(!parent.index().children(STORED_RESOLUTION).any(|c| inside(u64::from(c))));
    }

    #[test]
    fn out_of_range_and_non_finite_coordinates_are_refused() {
        assert_eq!(Coordinates::parse(90.1, 0.0).unwrap_err().field.as_deref(), Some("lat"));
        assert_eq!(Coordinates::parse(0.0, -180.5).unwrap_err().field.as_deref(), Some("lon"));
        assert!(Coordinates::parse(f64::NAN, 0.0).is_err());
        assert!(Coordinates::parse(0.0, f64::INFINITY).is_err());
        assert!(Coordinates::parse(90.0, 180.0).is_ok());
    }

    #[test]
    fn half_a_coordinate_pair_is_refused() {
        assert_eq!(Location::parse(Some(15.0), None, None, None).unwrap_err().field.as_deref(), Some("lon"));
        let place_only = Location::parse(None, None, None, Some("Omdurman")).unwrap();
        assert_eq!(place_only.cell(), None);
    }

    proptest! {
        #[test]
        fn every_valid_coordinate_has_a_cell_containing_it(lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
            let coords = Coordinates::parse(lat, lon).unwrap();
            let cell = coords.cell();
            prop_assert_eq!(cell.resolution(), 9);
            // A resolution-9 cell's centre is never more than ~200 m from any point inside it.
            let centre = LatLng::from(cell.index());
            prop_assert!(centre.distance_m(LatLng::new(lat, lon).unwrap()) < 500.0);
        }

        #[test]
        fn out_of_range_is_always_refused(lat in 90.0001f64..1e9, lon in -1e9f64..-180.0001) {
            prop_assert!(Coordinates::parse(lat, 0.0).is_err());
            prop_assert!(Coordinates::parse(0.0, lon).is_err());
        }
    }
}
