//! Danger zones and safe corridors: polygons tiled into H3 cells, so that "is this case inside?"
//! is a handful of set lookups, not geometry.
//!
//! Owns a zone's tiling rules (the stored resolution, cells whose centre lies inside, and how
//! large or detailed a zone may be); the tiling and membership test are [`crate::cover`]'s.
//! Must not know where zones come from or what happens to the cases inside.

use std::collections::HashSet;

use h3o::Resolution;
use h3o::geom::ContainmentMode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::advisory::{Area, Bilingual, bilingual};
use crate::case::{CaseReported, CaseStatus};
use crate::clock::Timestamp;
use crate::cover;
use crate::evacuation::place::MAX_NAME_CHARS;
use crate::location::Cell;
use crate::priority::PriorityLevel;

/// What a zone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ZoneKind {
    /// Fighting, shelling, checkpoints: cases inside are flagged and raised.
    Danger,
    /// A route people may take.
    SafeCorridor,
}

/// Largest zone, in km² (about 2,000,000 cells of resolution 9): a larger area is a region, not a
/// zone, and would take seconds to tile.
pub const MAX_ZONE_KM2: f64 = 200_000.0;

/// Most compacted cells a zone may tile into. A broad zone compacts into few coarse cells; a
/// long thin one (a river, a front line) does not, and every cell costs an index range when
/// the zone is declared: such a zone is refused with the advice to draw it simpler.
pub const MAX_ZONE_CELLS: usize = 20_000;

/// A zone's ground as compacted H3 cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneCover {
    cells: HashSet<Cell>,
}

impl ZoneCover {
    /// Tile a (Multi)Polygon area: the stored-resolution cells whose centre lies inside it
    /// (holes excluded), compacted. Refused for a cell area (zones are drawn) or an area too
    /// large to be a zone.
    pub fn tile(area: &Area) -> Result<Self, Rejected> {
        let shape = area
            .shape()
            .ok_or_else(|| Rejected::value("invalid_area", "a zone is a GeoJSON Polygon or MultiPolygon"))?;
        let km2 = cover::km2(&shape);
        if km2 > MAX_ZONE_KM2 {
            return Err(Rejected::value(
                "too_large",
                format!("a zone covers at most {MAX_ZONE_KM2:.0} km²; this one covers {km2:.0} km²"),
            ));
        }
        let cells = cover::tile(shape, Resolution::Nine, ContainmentMode::ContainsCentroid)?;
        if cells.len() > MAX_ZONE_CELLS {
            return Err(Rejected::value(
                "too_detailed",
                format!(
                    "the zone is too long and thin to track ({} map cells; at most {MAX_ZONE_CELLS}): draw it as fewer, \
                     broader shapes",
                    cells.len()
                ),
            ));
        }
        Ok(Self { cells })
    }

    /// Whether a stored cell (resolution 9) lies in the zone.
    pub fn contains(&self, cell: Cell) -> bool {
        cover::contains(&self.cells, cell)
    }

    /// The compacted cells, for storing and drawing.
    pub fn cells(&self) -> impl Iterator<Item = Cell> + '_ {
        self.cells.iter().copied()
    }

    /// Rebuild from stored compacted cells.
    pub fn from_cells(cells: impl IntoIterator<Item = Cell>) -> Self {
        Self { cells: cells.into_iter().collect() }
    }
}

/// A zone as a supervisor submits it, before validation.
#[derive(Debug, Clone, Default)]
pub struct ZoneInput {
    pub kind: Option<ZoneKind>,
    pub name: Option<(Option<String>, Option<String>)>,
    /// The GeoJSON geometry as sent.
    pub area: Option<serde_json::Value>,
}

/// A declared zone: what it is, its drawn area, and whether it still holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub zone_id: Uuid,
    pub kind: ZoneKind,
    pub name: Bilingual,
    pub area: Area,
    /// 1 when declared, one more with each change or the lifting.
    pub version: u32,
    pub active: bool,
}

impl Zone {
    /// Validate a submission into zone `zone_id` at `version` and tile it. The area's refusals
    /// are reported at `area`.
    pub fn parse(zone_id: Uuid, version: u32, input: &ZoneInput) -> Result<(Self, ZoneCover), Rejected> {
        let kind = input.kind.ok_or_else(|| Rejected::new("missing", "kind", "choose danger or safe_corridor"))?;
        let name = bilingual("name", input.name.as_ref(), MAX_NAME_CHARS)?;
        let geometry = input.area.as_ref().ok_or_else(|| Rejected::new("missing", "area", "draw the zone's area"))?;
        let area = Area::from_geojson(geometry).map_err(|r| r.within("area"))?;
        let cover = ZoneCover::tile(&area).map_err(|r| r.within("area"))?;
        if cover.cells.is_empty() {
            return Err(Rejected::new("too_small", "area", "the zone is too small to hold any cell of the map grid"));
        }
        Ok((Self { zone_id, kind, name, area, version, active: true }, cover))
    }
}

/// A zone was declared, changed or lifted (its whole new state). `flagged` counts the open cases
/// the change flagged (each also a [`DangerZoneFlagged`] event); `cleared` lists the cases whose
/// flag from this zone a change removed because they are no longer inside (a lifting clears
/// every case flagged by the zone, without listing them); `moved` the cases it let go that
/// another active danger zone covers, which keep a flag under that zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneChanged {
    #[serde(flatten)]
    pub zone: Zone,
    pub flagged: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleared: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<CaseZone>,
    pub by: Uuid,
    pub at: Timestamp,
}

/// A case and the danger zone it is now flagged under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseZone {
    pub case_id: Uuid,
    pub zone_id: Uuid,
}

/// An open case was found inside a declared danger zone: flagged, and its priority raised with
/// the `danger_zone` reason (unless a supervisor set it by hand or it already had the reason).
/// Carries the cell, status and levels so map readers move their counts without a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DangerZoneFlagged {
    pub case_id: Uuid,
    pub zone_id: Uuid,
    pub cell: Option<Cell>,
    pub status: CaseStatus,
    /// The level before.
    pub priority: PriorityLevel,
    /// The level after, when it changed.
    pub raised_to: Option<PriorityLevel>,
    pub at: Timestamp,
}

/// A new report arrived inside danger zone `zone_id`: it is flagged and its priority raised with
/// the `danger_zone` reason, as a declaration would have done.
pub fn flag_on_arrival(report: &mut CaseReported, zone_id: Uuid) {
    report.danger_zone = Some(zone_id);
    if let Some(raised) = crate::priority::raise_for_danger(&report.priority) {
        report.priority = raised;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Coordinates;

    fn khartoum_with_a_hole() -> Area {
        Area::from_geojson(&serde_json::json!({"type": "Polygon", "coordinates": [
            [[32.4, 15.4], [32.7, 15.4], [32.7, 15.7], [32.4, 15.7], [32.4, 15.4]],
            [[32.6, 15.45], [32.65, 15.45], [32.65, 15.5], [32.6, 15.5], [32.6, 15.45]]
        ]}))
        .unwrap()
    }

    fn at(lat: f64, lon: f64) -> Cell {
        Coordinates::parse(lat, lon).unwrap().cell()
    }

    #[test]
    fn membership_is_a_cell_lookup_that_respects_holes() {
        let cover = ZoneCover::tile(&khartoum_with_a_hole()).unwrap();
        assert!(cover.contains(at(15.55, 32.5)), "inside");
        assert!(!cover.contains(at(15.475, 32.625)), "in the hole");
        assert!(!cover.contains(at(19.6, 37.2)), "Port Sudan is far away");
        // Compaction keeps it small: far fewer cells than the ~10,000 resolution-9 ones.
        assert!(cover.cells().count() < 3_000, "{}", cover.cells().count());
        assert!(cover.cells().any(|c| c.resolution() < 9), "compacted");
        let rebuilt = ZoneCover::from_cells(cover.cells());
        assert_eq!(rebuilt, cover);
    }

    #[test]
    fn zones_are_drawn_polygons_of_a_zone_s_size() {
        let cells = Area::from_cells(&["89283470c27ffff".to_owned()]).unwrap();
        assert_eq!(ZoneCover::tile(&cells).unwrap_err().code, "invalid_area");
        let half_of_africa = Area::from_geojson(&serde_json::json!({"type": "Polygon", "coordinates": [
            [[10.0, 0.0], [40.0, 0.0], [40.0, 20.0], [10.0, 20.0], [10.0, 0.0]]
        ]}))
        .unwrap();
        assert_eq!(ZoneCover::tile(&half_of_africa).unwrap_err().code, "too_large");
        // A band 1 km wide across 40° of longitude (a front line, a road) compacts into more
        // cells than a zone may have, though its area is small; the same band 5° long is a zone.
        let band = |east: f64| {
            Area::from_geojson(&serde_json::json!({"type": "Polygon", "coordinates": [
                [[5.0, 15.0], [east, 15.0], [east, 15.01], [5.0, 15.01], [5.0, 15.0]]
            ]}))
            .unwrap()
        };
        let long = ZoneCover::tile(&band(45.0)).map(|cover| cover.cells().count());
        assert!(matches!(&long, Err(refused) if refused.code == "too_detailed"), "{:?}", long.map_err(|r| r.code));
        assert!(ZoneCover::tile(&band(10.0)).is_ok());
        // Drawn clockwise (against GeoJSON's advice, as some tools do), a city block is still
        // a city block, not the rest of the earth.
        let clockwise = Area::from_geojson(&serde_json::json!({"type": "Polygon", "coordinates": [
            [[32.5, 15.5], [32.5, 15.6], [32.6, 15.6], [32.6, 15.5], [32.5, 15.5]]
        ]}))
        .unwrap();
        assert!(ZoneCover::tile(&clockwise).unwrap().contains(at(15.55, 32.55)));
    }

    #[test]
    fn invalid_zones_are_refused_at_their_field() {
        let zone = |area: serde_json::Value| ZoneInput {
            kind: Some(ZoneKind::Danger),
            name: Some((Some("بحري".into()), Some("Bahri".into()))),
            area: Some(area),
        };
        let bow_tie = serde_json::json!({"type": "Polygon", "coordinates": [
            [[32.5, 15.6], [32.6, 15.7], [32.6, 15.6], [32.5, 15.7], [32.5, 15.6]]
        ]});
        let refused = Zone::parse(Uuid::nil(), 1, &zone(bow_tie)).unwrap_err();
        assert_eq!((refused.code, refused.field.as_deref()), ("invalid_area", Some("area")));
        let open_ring =
            serde_json::json!({"type": "Polygon", "coordinates": [[[32.5, 15.6], [32.6, 15.7], [32.6, 15.6]]]});
        assert_eq!(Zone::parse(Uuid::nil(), 1, &zone(open_ring)).unwrap_err().field.as_deref(), Some("area"));
        let a_point = serde_json::json!({"type": "Point", "coordinates": [32.5, 15.6]});
        assert_eq!(Zone::parse(Uuid::nil(), 1, &zone(a_point)).unwrap_err().field.as_deref(), Some("area"));
        let tiny = serde_json::json!({"type": "Polygon", "coordinates": [
            [[32.5, 15.6], [32.5001, 15.6], [32.5001, 15.6001], [32.5, 15.6]]
        ]});
        assert_eq!(Zone::parse(Uuid::nil(), 1, &zone(tiny)).unwrap_err().code, "too_small");
        let (parsed, cover) =
            Zone::parse(Uuid::nil(), 1, &zone(serde_json::to_value(khartoum_with_a_hole()).unwrap())).unwrap();
        assert!(parsed.active && cover.contains(at(15.55, 32.5)));
    }
}
