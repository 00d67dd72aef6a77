//! Places evacuations start from and go to: assembly points, border crossings, airports and
//! ports, each a point with a name in Arabic and English.
//!
//! Owns what a valid place is. Must not know how places are stored or drawn.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::advisory::{Bilingual, bilingual};
use crate::clock::Timestamp;
use crate::location::{Cell, Coordinates};

/// Longest name of a place or a zone, per language.
pub const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PlaceKind {
    /// Where people gather to board (a consulate, a bus station).
    AssemblyPoint,
    BorderCrossing,
    Airport,
    Port,
}

impl PlaceKind {
    /// Whether a movement may end here: a crossing, an airport or a port.
    pub fn is_destination(self) -> bool {
        !matches!(self, PlaceKind::AssemblyPoint)
    }
}

/// A place as a supervisor submits it, before validation.
#[derive(Debug, Clone, Default)]
pub struct PlaceInput {
    pub kind: Option<PlaceKind>,
    pub name: Option<(Option<String>, Option<String>)>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A validated place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub place_id: Uuid,
    pub kind: PlaceKind,
    pub name: Bilingual,
    pub position: Coordinates,
    pub cell: Cell,
    /// 1 when registered, one more with each change.
    pub version: u32,
}

impl Place {
    /// Validate a submission into place `place_id` at `version`.
    pub fn parse(place_id: Uuid, version: u32, input: &PlaceInput) -> Result<Self, Rejected> {
        let kind = input.kind.ok_or_else(|| Rejected::new("missing", "kind", "choose the kind of place"))?;
        let name = bilingual("name", input.name.as_ref(), MAX_NAME_CHARS)?;
        let (Some(lat), Some(lon)) = (input.lat, input.lon) else {
            let field = if input.lat.is_none() { "lat" } else { "lon" };
            return Err(Rejected::new("missing", field, "a place needs its position (lat and lon)"));
        };
        let position = Coordinates::parse(lat, lon)?;
        Ok(Self { place_id, kind, name, position, cell: position.cell(), version })
    }
}

/// A place was registered or changed (its whole new state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceSaved {
    #[serde(flatten)]
    pub place: Place,
    pub by: Uuid,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(lat: f64) -> PlaceInput {
        PlaceInput {
            kind: Some(PlaceKind::AssemblyPoint),
            name: Some((Some("القنصلية في بورتسودان".into()), Some("Consulate, Port Sudan".into()))),
            lat: Some(lat),
            lon: Some(37.22),
        }
    }

    #[test]
    fn a_place_is_a_named_point_in_both_languages() {
        let place = Place::parse(Uuid::nil(), 1, &input(19.6)).unwrap();
        assert_eq!(place.name.en, "Consulate, Port Sudan");
        assert_eq!(place.cell, Coordinates::parse(19.6, 37.22).unwrap().cell());
        assert_eq!(Place::parse(Uuid::nil(), 1, &input(95.0)).unwrap_err().field.as_deref(), Some("lat"));
        let no_arabic = PlaceInput { name: Some((None, Some("Wadi Halfa".into()))), ..input(19.6) };
        assert_eq!(Place::parse(Uuid::nil(), 1, &no_arabic).unwrap_err().field.as_deref(), Some("name.ar"));
        assert!(!PlaceKind::AssemblyPoint.is_destination() && PlaceKind::BorderCrossing.is_destination());
    }
}
