//! Official advisories: bilingual statements from the ops room to the public — instructions
//! ("assembly at the Port Sudan consulate at 08:00") and rumour rebuttals ("no fee is charged for
//! evacuation seats") — for the whole crisis or for an area.
//!
//! Owns what an advisory may say (both languages required, lengths, severity), what an area is
//! (GeoJSON polygons that are valid, or a set of H3 cells) and which places an area covers. Each
//! publication, update and withdrawal is a new version; versions are never edited, so the log
//! keeps the history. Must not know CAP or any other wire format: the app renders those.

use std::collections::HashSet;

use geo::{Contains, Intersects, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::clock::Timestamp;
use crate::location::{Cell, Coordinates};
use crate::text::Message;

/// Longest headline, in characters (CAP readers show it on one line).
pub const MAX_HEADLINE_CHARS: usize = 160;
/// Most vertices over all rings of an area, and most cells in a cell area.
pub const MAX_AREA_POINTS: usize = 10_000;
/// Coarsest and finest cell resolutions an area may list.
const CELL_RESOLUTIONS: std::ops::RangeInclusive<u8> = 0..=9;

/// How serious the situation an advisory is about is (CAP's severity vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Extreme,
    Severe,
    Moderate,
    Minor,
    Unknown,
}

/// What kind of statement an advisory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AdvisoryKind {
    /// Something to do: where to gather, which road to avoid.
    Instruction,
    /// A false story that is going round, and the truth.
    RumourRebuttal,
    #[default]
    Information,
}

/// A text in both of the crisis's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub ar: String,
    pub en: String,
}

/// Where an advisory applies. Absent on an advisory: the whole crisis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Area {
    /// GeoJSON `Polygon` (rings of `[lon, lat]`, the first ring the outer one, the rest holes).
    Polygon {
        coordinates: Vec<Vec<[f64; 2]>>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Vec<[f64; 2]>>>,
    },
    /// H3 cells of any resolution from 0 to 9.
    #[serde(rename = "cells")]
    Cells {
        cells: Vec<Cell>,
    },
}

impl Area {
    /// Parse a GeoJSON geometry (`Polygon` or `MultiPolygon`), refusing what a map could not draw:
    /// open or short rings, out-of-range positions, self-intersections, holes outside their shell.
    pub fn from_geojson(geometry: &serde_json::Value) -> Result<Self, Rejected> {
        let area: Area = serde_json::from_value(geometry.clone()).map_err(|e| {
            Rejected::value("invalid_area", format!("area must be a GeoJSON Polygon or MultiPolygon: {e}"))
        })?;
        if matches!(area, Area::Cells { .. }) {
            return Err(Rejected::value("invalid_area", "area must be a GeoJSON Polygon or MultiPolygon"));
        }
        area.checked()
    }

    /// A set of H3 cells (hex strings) given by an operator or a partner.
    pub fn from_cells(cells: &[String]) -> Result<Self, Rejected> {
        let parsed = cells
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                raw.parse::<Cell>().map_err(|_| {
                    Rejected::new("invalid_cell", format!("[{i}]"), "not an H3 cell index (15 hex digits)")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Area::Cells { cells: parsed }.checked()
    }

    fn checked(self) -> Result<Self, Rejected> {
        match &self {
            Area::Cells { cells } => {
                if cells.is_empty() || cells.len() > MAX_AREA_POINTS {
                    return Err(Rejected::value(
                        "out_of_range",
                        format!("an area lists from 1 to {MAX_AREA_POINTS} cells"),
                    ));
                }
                if let Some(i) = cells.iter().position(|c| !CELL_RESOLUTIONS.contains(&c.resolution())) {
                    return Err(Rejected::new("invalid_cell", format!("[{i}]"), "cells must be of resolution 0 to 9"));
                }
            }
            Area::Polygon { .. } | Area::MultiPolygon { .. } => {
                let polygons = self.polygon_rings();
                let points: usize = polygons.iter().flat_map(|rings| rings.iter()).map(Vec::len).sum();
                if polygons.is_empty() || points > MAX_AREA_POINTS {
                    return Err(Rejected::value(
                        "out_of_range",
                        format!("an area has from 4 to {MAX_AREA_POINTS} positions"),
                    ));
                }
                for rings in &polygons {
                    check_rings(rings)?;
                }
                if let Some(shape) = self.shape()
                    && !shape.is_valid()
                {
                    return Err(Rejected::value(
                        "invalid_area",
                        "the polygon is not valid: its edges cross, or a hole lies outside its outer ring",
                    ));
                }
            }
        }
        Ok(self)
    }

    fn polygon_rings(&self) -> Vec<&Vec<Vec<[f64; 2]>>> {
        match self {
            Area::Polygon { coordinates } => vec![coordinates],
            Area::MultiPolygon { coordinates } => coordinates.iter().collect(),
            Area::Cells { .. } => Vec::new(),
        }
    }

    /// The area as `geo` polygons (None for a cell area).
    pub fn shape(&self) -> Option<geo::MultiPolygon<f64>> {
        if let Area::Cells { .. } = self {
            return None;
        }
        let ring = |r: &Vec<[f64; 2]>| geo::LineString::from(r.iter().map(|&[x, y]| (x, y)).collect::<Vec<_>>());
        let polygons = self
            .polygon_rings()
            .into_iter()
            .filter(|rings| !rings.is_empty())
            .map(|rings| geo::Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect()))
            .collect();
        Some(geo::MultiPolygon(polygons))
    }

    /// The outer rings as `[lon, lat]` lists, for formats that carry outlines only (CAP); cell
    /// areas give each cell's boundary.
    pub fn outlines(&self) -> Vec<Vec<[f64; 2]>> {
        match self {
            Area::Cells { cells } => cells
                .iter()
                .map(|cell| {
                    let boundary = cell.index().boundary();
                    let mut ring: Vec<[f64; 2]> = boundary.iter().map(|ll| [ll.lng(), ll.lat()]).collect();
                    if let Some(&first) = ring.first() {
                        ring.push(first);
                    }
                    ring
                })
                .collect(),
            _ => self.polygon_rings().into_iter().filter_map(|rings| rings.first().cloned()).collect(),
        }
    }

    /// Whether a place (its coordinates, or failing that its cell) lies in the area. A point on
    /// the boundary counts as inside: an advisory for a district reaches its edge streets.
    pub fn covers(&self, coordinates: Option<Coordinates>, cell: Option<Cell>) -> bool {
        match self {
            Area::Cells { cells } => {
                let Some(cell) = cell.or_else(|| coordinates.map(Coordinates::cell)) else { return false };
                let listed: HashSet<&Cell> = cells.iter().collect();
                CELL_RESOLUTIONS.filter_map(|res| cell.parent(res)).any(|ancestor| listed.contains(&ancestor))
            }
            _ => {
                let point = match (coordinates, cell) {
                    (Some(c), _) => c.to_point(),
                    (None, Some(cell)) => {
                        let centre = h3o::LatLng::from(cell.index());
                        geo::Point::new(centre.lng(), centre.lat())
                    }
                    (None, None) => return false,
                };
                self.shape().is_some_and(|shape| shape.contains(&point) || shape.intersects(&point))
            }
        }
    }
}

fn check_rings(rings: &[Vec<[f64; 2]>]) -> Result<(), Rejected> {
    if rings.is_empty() {
        return Err(Rejected::value("invalid_area", "a polygon needs an outer ring"));
    }
    for ring in rings {
        if ring.len() < 4 {
            return Err(Rejected::value("invalid_area", "each ring needs at least 4 positions"));
        }
        if ring.first() != ring.last() {
            return Err(Rejected::value("invalid_area", "each ring must end where it starts"));
        }
        for &[lon, lat] in ring {
            Coordinates::parse(lat, lon)
                .map_err(|_| Rejected::value("out_of_range", "positions are [longitude, latitude] within range"))?;
        }
    }
    Ok(())
}

/// An advisory as a supervisor submits it, before validation.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryInput {
    pub kind: Option<AdvisoryKind>,
    pub severity: Option<Severity>,
    pub headline: Option<(Option<String>, Option<String>)>,
    pub body: Option<(Option<String>, Option<String>)>,
    pub instruction: Option<(Option<String>, Option<String>)>,
    pub area: Option<Area>,
    pub expires_at: Option<Timestamp>,
    /// The crisis it speaks to (resolved from its slug by the caller); `None`: every crisis.
    pub crisis_id: Option<Uuid>,
}

/// What an advisory says, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryContent {
    pub kind: AdvisoryKind,
    pub severity: Severity,
    pub headline: Bilingual,
    pub body: Bilingual,
    pub instruction: Option<Bilingual>,
    pub area: Option<Area>,
    pub expires_at: Option<Timestamp>,
    /// The crisis it speaks to: shown with that crisis's cases only (and the area, if any,
    /// narrows it further). `None`: every crisis, and the cases no crisis holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crisis_id: Option<Uuid>,
}

pub(crate) fn bilingual(
    field: &str,
    raw: Option<&(Option<String>, Option<String>)>,
    max: usize,
) -> Result<Bilingual, Rejected> {
    let missing = |lang: &str| {
        Rejected::new("missing", format!("{field}.{lang}"), format!("{field} is needed in Arabic and in English"))
    };
    let Some((ar, en)) = raw else { return Err(missing("ar")) };
    let text = |lang: &str, value: &Option<String>| -> Result<String, Rejected> {
        let parsed =
            Message::parse_field(value.as_deref(), &format!("{field}.{lang}"))?.ok_or_else(|| missing(lang))?;
        let count = parsed.as_str().chars().count();
        if count > max {
            return Err(Rejected::new(
                "too_long",
                format!("{field}.{lang}"),
                format!("must be at most {max} characters (got {count})"),
            ));
        }
        Ok(parsed.as_str().to_owned())
    };
    Ok(Bilingual { ar: text("ar", ar)?, en: text("en", en)? })
}

impl AdvisoryContent {
    /// Validate a submission at `now` (an expiry must lie in the future).
    pub fn parse(input: &AdvisoryInput, now: Timestamp) -> Result<Self, Rejected> {
        let headline = bilingual("headline", input.headline.as_ref(), MAX_HEADLINE_CHARS)?;
        let body = bilingual("body", input.body.as_ref(), crate::text::MAX_MESSAGE_CHARS)?;
        let instruction = match &input.instruction {
            Some((None, None)) | None => None,
            Some(pair) => Some(bilingual("instruction", Some(pair), crate::text::MAX_MESSAGE_CHARS)?),
        };
        let severity = input.severity.ok_or_else(|| Rejected::new("missing", "severity", "choose a severity"))?;
        if let Some(expires) = input.expires_at
            && expires <= now
        {
            return Err(Rejected::new("out_of_range", "expires_at", "the expiry must be in the future"));
        }
        Ok(Self {
            kind: input.kind.unwrap_or_default(),
            severity,
            headline,
            body,
            instruction,
            area: input.area.clone(),
            expires_at: input.expires_at,
            crisis_id: input.crisis_id,
        })
    }
}

/// One version of an advisory, as published. A new version replaces the previous one; a
/// withdrawn advisory is not shown any more but stays in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub advisory_id: Uuid,
    /// 1 for the first publication, one more for each update or withdrawal.
    pub version: u32,
    #[serde(flatten)]
    pub content: AdvisoryContent,
    /// When version 1 was published.
    pub published_at: Timestamp,
    /// When this version was published.
    pub updated_at: Timestamp,
    pub withdrawn: bool,
    pub by: Uuid,
}

impl Advisory {
    pub fn publish(advisory_id: Uuid, content: AdvisoryContent, by: Uuid, now: Timestamp) -> Self {
        Self { advisory_id, version: 1, content, published_at: now, updated_at: now, withdrawn: false, by }
    }

    /// The next version with new content. A withdrawn advisory cannot be updated (publish a new one).
    pub fn update(&self, content: AdvisoryContent, by: Uuid, now: Timestamp) -> Result<Self, Rejected> {
        if self.withdrawn {
            return Err(Rejected::value("withdrawn", "this advisory was withdrawn; publish a new one").in_conflict());
        }
        Ok(Self { version: self.version + 1, content, updated_at: now, by, ..self.clone() })
    }

    pub fn withdraw(&self, by: Uuid, now: Timestamp) -> Result<Self, Rejected> {
        if self.withdrawn {
            return Err(Rejected::value("withdrawn", "this advisory was already withdrawn").in_conflict());
        }
        Ok(Self { version: self.version + 1, withdrawn: true, updated_at: now, by, ..self.clone() })
    }

    /// Shown to the public at `now`: not withdrawn and not expired.
    pub fn is_current(&self, now: Timestamp) -> bool {
        !self.withdrawn && self.content.expires_at.is_none_or(|e| e > now)
    }

    /// Whether it concerns a case at a place in crisis `crisis_id` (an advisory without a
    /// crisis speaks to every crisis, one without an area to its whole crisis).
    pub fn concerns(&self, coordinates: Option<Coordinates>, cell: Option<Cell>, crisis_id: Option<Uuid>) -> bool {
        self.content.crisis_id.is_none_or(|mine| crisis_id == Some(mine))
            && self.content.area.as_ref().is_none_or(|area| area.covers(coordinates, cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn square(min_lon: f64, min_lat: f64, size: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[
            [min_lon, min_lat], [min_lon + size, min_lat], [min_lon + size, min_lat + size],
            [min_lon, min_lat + size], [min_lon, min_lat]
        ]]})
    }

    fn at(lat: f64, lon: f64) -> Option<Coordinates> {
        Some(Coordinates::parse(lat, lon).unwrap())
    }

    #[test]
    fn a_polygon_covers_what_is_inside_and_its_edge() {
        let area = Area::from_geojson(&square(32.5, 15.5, 0.1)).unwrap();
        assert!(area.covers(at(15.55, 32.55), None));
        assert!(area.covers(at(15.5, 32.55), None), "a point on the edge counts");
        assert!(!area.covers(at(19.6, 37.2), None), "Port Sudan is far away");
        assert!(!area.covers(None, None), "an unlocated case is in no area");
    }

    #[test]
    fn holes_are_outside() {
        let geometry = json!({"type": "Polygon", "coordinates": [
            [[32.0, 15.0], [33.0, 15.0], [33.0, 16.0], [32.0, 16.0], [32.0, 15.0]],
            [[32.4, 15.4], [32.6, 15.4], [32.6, 15.6], [32.4, 15.6], [32.4, 15.4]]
        ]});
        let area = Area::from_geojson(&geometry).unwrap();
        assert!(!area.covers(at(15.5, 32.5), None));
        assert!(area.covers(at(15.2, 32.2), None));
    }

    #[test]
    fn invalid_polygons_are_refused_with_a_reason() {
        let open =
            json!({"type": "Polygon", "coordinates": [[[32.0, 15.0], [33.0, 15.0], [33.0, 16.0], [32.0, 16.0]]]});
        assert_eq!(Area::from_geojson(&open).unwrap_err().code, "invalid_area");
        let bow_tie = json!({"type": "Polygon", "coordinates": [[[32.0, 15.0], [33.0, 16.0], [33.0, 15.0], [32.0, 16.0], [32.0, 15.0]]]});
        assert_eq!(Area::from_geojson(&bow_tie).unwrap_err().code, "invalid_area");
        let out_of_range = square(179.5, 15.0, 1.0);
        assert_eq!(Area::from_geojson(&out_of_range).unwrap_err().code, "out_of_range");
        let point = json!({"type": "Point", "coordinates": [32.5, 15.5]});
        assert_eq!(Area::from_geojson(&point).unwrap_err().code, "invalid_area");
        let cells = json!({"type": "cells", "cells": []});
        assert!(Area::from_geojson(&cells).is_err(), "cells come through their own field");
    }

    #[test]
    fn a_coarse_cell_covers_the_fine_cells_inside_it() {
        let riyadh = Coordinates::parse(15.5834, 32.5677).unwrap();
        let district = riyadh.cell().parent(7).unwrap();
        let area = Area::from_cells(&[district.to_string()]).unwrap();
        assert!(area.covers(Some(riyadh), None));
        assert!(area.covers(None, Some(riyadh.cell())));
        assert!(!area.covers(at(19.6, 37.2), None));
        assert_eq!(Area::from_cells(&["nope".into()]).unwrap_err().field.as_deref(), Some("[0]"));
        assert_eq!(area.outlines()[0].len(), 7, "a hexagon closed");
    }

    fn input() -> AdvisoryInput {
        AdvisoryInput {
            severity: Some(Severity::Severe),
            headline: Some((Some("تجمع في القنصلية".into()), Some("Assemble at the consulate".into()))),
            body: Some((Some("الساعة ٨ صباحًا".into()), Some("At 08:00".into()))),
            ..Default::default()
        }
    }

    #[test]
    fn both_languages_are_required() {
        let mut missing_en = input();
        missing_en.headline = Some((Some("عنوان".into()), None));
        let err = AdvisoryContent::parse(&missing_en, Timestamp(0)).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("headline.en"));
        let mut blank_ar = input();
        blank_ar.body = Some((Some("   ".into()), Some("x".into())));
        assert_eq!(AdvisoryContent::parse(&blank_ar, Timestamp(0)).unwrap_err().field.as_deref(), Some("body.ar"));
    }

    #[test]
    fn versions_grow_and_withdrawal_is_final() {
        let content = AdvisoryContent::parse(&input(), Timestamp(0)).unwrap();
        let v1 = Advisory::publish(Uuid::from_u128(1), content.clone(), Uuid::from_u128(9), Timestamp(10));
        assert!(v1.is_current(Timestamp(11)));
        let v2 = v1.update(content, Uuid::from_u128(9), Timestamp(20)).unwrap();
        assert_eq!((v2.version, v2.published_at, v2.updated_at), (2, Timestamp(10), Timestamp(20)));
        let v3 = v2.withdraw(Uuid::from_u128(9), Timestamp(30)).unwrap();
        assert!(!v3.is_current(Timestamp(31)));
        assert_eq!(v3.withdraw(Uuid::from_u128(9), Timestamp(40)).unwrap_err().code, "withdrawn");
    }

    #[test]
    fn expired_advisories_are_not_current_and_past_expiry_is_refused() {
        let mut past = input();
        past.expires_at = Some(Timestamp(5));
        assert_eq!(AdvisoryContent::parse(&past, Timestamp(5)).unwrap_err().field.as_deref(), Some("expires_at"));
        let mut future = input();
        future.expires_at = Some(Timestamp(100));
        let content = AdvisoryContent::parse(&future, Timestamp(5)).unwrap();
        let advisory = Advisory::publish(Uuid::nil(), content, Uuid::nil(), Timestamp(5));
        assert!(advisory.is_current(Timestamp(99)));
        assert!(!advisory.is_current(Timestamp(100)));
    }
}
