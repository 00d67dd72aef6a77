//! Crises: one war or disaster the room answers, with its countries, its ground and its phase.
//! The same room runs several at once (Sudan, then Gaza, then Lebanon), and a report belongs to
//! the crisis whose ground it comes from.
//!
//! Owns the crisis vocabulary (the phases consular services use, after IOM's MICIC guidelines:
//! monitoring → shelter in place → voluntary departure → evacuation → recovery → closed), the
//! validation of a declaration or an edit, the phase rule (any open phase may follow any other;
//! closed is final), and placement: the crisis whose ground holds a cell, looked up in compacted
//! H3 cells ([`CrisisIndex`]), never by a polygon test per report. Must not know where crises
//! are stored or how a country's outline is drawn (the caller passes the ground to tile).

use std::collections::HashSet;

use h3o::Resolution;
use h3o::geom::ContainmentMode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::advisory::{Area, Bilingual, bilingual};
use crate::clock::Timestamp;
use crate::country::CountryCode;
use crate::cover;
use crate::location::Cell;
use crate::outlines;

/// Where a crisis stands, in the alert levels consular services use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CrisisPhase {
    /// Watching: citizens are told to register and stay in touch.
    Monitoring,
    /// Stay where you are; movement is more dangerous than staying.
    ShelterInPlace,
    /// Leave by commercial means while you can.
    VoluntaryDeparture,
    /// The state is moving its citizens out.
    Evacuation,
    /// After the emergency: returns, documents, reunions.
    Recovery,
    /// Over: no new report is placed in it.
    Closed,
}

impl CrisisPhase {
    pub const ALL: [CrisisPhase; 6] = [
        CrisisPhase::Monitoring,
        CrisisPhase::ShelterInPlace,
        CrisisPhase::VoluntaryDeparture,
        CrisisPhase::Evacuation,
        CrisisPhase::Recovery,
        CrisisPhase::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CrisisPhase::Monitoring => "monitoring",
            CrisisPhase::ShelterInPlace => "shelter_in_place",
            CrisisPhase::VoluntaryDeparture => "voluntary_departure",
            CrisisPhase::Evacuation => "evacuation",
            CrisisPhase::Recovery => "recovery",
            CrisisPhase::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// What the phase asks of citizens, in plain words, `(en, ar)`: the citizen pages say it
    /// under the crisis's name.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            CrisisPhase::Monitoring => (
                "Monitoring: stay in touch and keep your details up to date.",
                "متابعة: ابقوا على تواصل وحدّثوا بياناتكم.",
            ),
            CrisisPhase::ShelterInPlace => (
                "Shelter in place: stay where you are safe until told otherwise.",
                "الاحتماء في المكان: ابقوا في مكان آمن حتى إشعار آخر.",
            ),
            CrisisPhase::VoluntaryDeparture => (
                "Voluntary departure: leave by safe means while you can.",
                "المغادرة الطوعية: غادروا بوسيلة آمنة ما دام ذلك ممكنًا.",
            ),
            CrisisPhase::Evacuation => (
                "Evacuation: citizens are being brought home. Report here and wait for our call.",
                "الإجلاء: تجري إعادة المواطنين. أبلغوا هنا وانتظروا اتصالنا.",
            ),
            CrisisPhase::Recovery => (
                "Recovery: help with returning, documents and finding family.",
                "التعافي: مساعدة في العودة والوثائق والبحث عن الأهل.",
            ),
            CrisisPhase::Closed => ("This crisis is over.", "انتهت هذه الأزمة."),
        }
    }
}

/// A crisis's short name in addresses and filters (`sudan-2023`, `libya-2011`): 2 to 40
/// lower-case letters, digits and dashes, starting with a letter. Never changes once declared,
/// since links and partners' filters hold it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, Rejected> {
        let raw = raw.trim();
        let shaped = (2..=40).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !shaped {
            return Err(Rejected::value(
                "invalid_slug",
                "must be 2 to 40 lower-case letters, digits and dashes, starting with a letter, e.g. libya-2011",
            ));
        }
        if RESERVED_SLUGS.contains(&raw) {
            return Err(Rejected::value("reserved_slug", format!("`{raw}` is a word of the API, not a crisis's name")));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The filter value for reports that no crisis holds (placed by nobody yet).
pub const UNPLACED: &str = "unplaced";

/// Words the API uses where a slug could stand (`?crisis=unplaced`, `/api/v1/crises/all`).
const RESERVED_SLUGS: [&str; 2] = [UNPLACED, "all"];

/// Most characters in a crisis's name, per language.
pub const MAX_NAME_CHARS: usize = 120;

/// Most countries one crisis covers.
pub const MAX_COUNTRIES: usize = 20;

/// A crisis as a supervisor declares or edits it, before validation.
#[derive(Debug, Clone, Default)]
pub struct CrisisInput {
    pub slug: Option<String>,
    pub name: Option<(Option<String>, Option<String>)>,
    pub countries: Option<Vec<String>>,
    /// A GeoJSON Polygon or MultiPolygon; absent: the countries' outlines.
    pub area: Option<serde_json::Value>,
    pub phase: Option<CrisisPhase>,
}

/// A crisis as declared, with its current phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crisis {
    pub crisis_id: Uuid,
    pub slug: Slug,
    pub name: Bilingual,
    pub countries: Vec<CountryCode>,
    /// The ground drawn for it; `None` means the countries' outlines.
    pub area: Option<Area>,
    pub phase: CrisisPhase,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// 1 when declared, one more with each edit or phase change.
    pub version: u32,
}

impl Crisis {
    /// Validate a declaration of crisis `crisis_id` at `now`. The phase defaults to monitoring
    /// and may not be `closed`.
    pub fn declare(crisis_id: Uuid, input: &CrisisInput, now: Timestamp) -> Result<Self, Rejected> {
        let slug =
            input.slug.as_deref().ok_or_else(|| Rejected::new("missing", "slug", "give the crisis a short name"))?;
        let slug = Slug::parse(slug).map_err(|r| r.within("slug"))?;
        let phase = input.phase.unwrap_or(CrisisPhase::Monitoring);
        if phase == CrisisPhase::Closed {
            return Err(Rejected::new("invalid", "phase", "a crisis is declared open; close it later"));
        }
        let name = bilingual("name", input.name.as_ref(), MAX_NAME_CHARS)?;
        let countries = countries(input.countries.as_deref())?;
        let area = area(input.area.as_ref())?;
        Ok(Self { crisis_id, slug, name, countries, area, phase, started_at: now, ended_at: None, version: 1 })
    }

    /// Apply an edit: the name, countries and area given replace the current ones; the slug
    /// and the phase do not change here (a phase change is [`Crisis::change_phase`]).
    pub fn edit(&self, input: &CrisisInput) -> Result<Self, Rejected> {
        if self.phase == CrisisPhase::Closed {
            return Err(Rejected::conflict("crisis_closed", "phase", "a closed crisis is kept as it ended"));
        }
        if input.slug.as_deref().is_some_and(|s| s.trim() != self.slug.as_str()) {
            return Err(Rejected::new(
                "invalid",
                "slug",
                "a crisis keeps its short name; declare a new crisis instead",
            ));
        }
        if input.phase.is_some() {
            return Err(Rejected::new("invalid", "phase", "change the phase with POST /api/v1/crises/{slug}/phase"));
        }
        let mut edited = self.clone();
        if input.name.is_some() {
            edited.name = bilingual("name", input.name.as_ref(), MAX_NAME_CHARS)?;
        }
        if input.countries.is_some() {
            edited.countries = countries(input.countries.as_deref())?;
        }
        if input.area.is_some() {
            edited.area = area(input.area.as_ref())?;
        }
        if edited == *self {
            return Err(Rejected::new("nothing_to_change", "crisis", "the crisis already is as asked"));
        }
        edited.version += 1;
        Ok(edited)
    }

    /// Move to phase `to` at `at`; closing stamps the end. Closed is final.
    pub fn change_phase(&self, to: CrisisPhase, at: Timestamp) -> Result<Self, Rejected> {
        if self.phase == CrisisPhase::Closed {
            return Err(Rejected::conflict("crisis_closed", "phase", "a closed crisis is kept as it ended"));
        }
        if self.phase == to {
            return Err(Rejected::new(
                "nothing_to_change",
                "phase",
                format!("the crisis already is in {}", to.as_str()),
            ));
        }
        let mut changed = self.clone();
        changed.phase = to;
        changed.ended_at = (to == CrisisPhase::Closed).then_some(at);
        changed.version += 1;
        Ok(changed)
    }

    pub fn is_open(&self) -> bool {
        self.phase != CrisisPhase::Closed
    }

    /// The ground its reports come from: the drawn area, else its countries' outlines together
    /// (`None` when it has neither, like the crisis migration 0012 made for earlier cases).
    pub fn ground(&self) -> Option<Area> {
        if let Some(area) = &self.area {
            return Some(area.clone());
        }
        let mut polygons = Vec::new();
        for outline in self.countries.iter().filter_map(|c| outlines::country_outline(*c)) {
            match outline {
                Area::MultiPolygon { coordinates } => polygons.extend(coordinates),
                Area::Polygon { coordinates } => polygons.push(coordinates),
                Area::Cells { .. } => {}
            }
        }
        (!polygons.is_empty()).then_some(Area::MultiPolygon { coordinates: polygons })
    }
}

fn countries(raw: Option<&[String]>) -> Result<Vec<CountryCode>, Rejected> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Err(Rejected::new("missing", "countries", "name the countries the crisis covers, e.g. [\"LY\"]"));
    }
    if raw.len() > MAX_COUNTRIES {
        return Err(Rejected::new("too_many", "countries", format!("at most {MAX_COUNTRIES} countries")));
    }
    let mut codes = Vec::with_capacity(raw.len());
    for (i, code) in raw.iter().enumerate() {
        let code = CountryCode::parse(code).map_err(|r| r.within(&format!("countries[{i}]")))?;
        if outlines::country_names(code).is_none() {
            return Err(Rejected::new(
                "unknown_country",
                format!("countries[{i}]"),
                format!("{code} is not a country code Opsroom knows (ISO 3166-1 alpha-2, e.g. LY)"),
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

fn area(raw: Option<&serde_json::Value>) -> Result<Option<Area>, Rejected> {
    let Some(geometry) = raw.filter(|g| !g.is_null()) else { return Ok(None) };
    let area = Area::from_geojson(geometry).map_err(|r| r.within("area"))?;
    if area.shape().is_none() {
        return Err(Rejected::new("invalid_area", "area", "a crisis's area is a GeoJSON Polygon or MultiPolygon"));
    }
    Ok(Some(area))
}

/// A crisis was declared, edited, moved to another phase or closed: its whole new state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrisisSaved {
    #[serde(flatten)]
    pub crisis: Crisis,
    /// The phase before, on a phase change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase_from: Option<CrisisPhase>,
    pub by: Uuid,
    pub at: Timestamp,
}

/// An operator put a case in a crisis (sorting the unplaced ones, or correcting a placement),
/// or took it out (`crisis_id: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePlaced {
    pub case_id: Uuid,
    pub crisis_id: Option<Uuid>,
    pub from: Option<Uuid>,
    pub by: Uuid,
    pub at: Timestamp,
}

/// Most cells a crisis's ground is tiled into: the resolution is the finest at which the ground
/// holds about this many, so a city's crisis is drawn in cells of a few km² and a country's in
/// cells of a couple of thousand (tiling a country at a city's resolution would take seconds).
const MOST_CELLS: f64 = 1_500.0;

/// A crisis's ground as compacted H3 cells.
#[derive(Debug, Clone, PartialEq)]
pub struct CrisisCover {
    cells: HashSet<Cell>,
    /// The ground's area in km², for choosing the most local of overlapping crises.
    km2: f64,
}

impl CrisisCover {
    /// Tile `ground` (the crisis's own area, or its countries' outlines). A cell that touches
    /// the ground counts: at a country's resolution that is a margin of tens of kilometres, so
    /// a coastal town the outline's scale leaves at sea, or a border crossing, is still inside.
    pub fn tile(ground: &Area) -> Result<Self, Rejected> {
        let shape = ground
            .shape()
            .ok_or_else(|| Rejected::value("invalid_area", "a crisis's area is a GeoJSON Polygon or MultiPolygon"))?;
        let km2 = cover::km2(&shape);
        let resolution = Resolution::range(Resolution::Zero, Resolution::Nine)
            .rev()
            .find(|r| km2 / r.area_km2() <= MOST_CELLS)
            .unwrap_or(Resolution::Zero);
        let cells = cover::tile(shape, resolution, ContainmentMode::IntersectsBoundary)?;
        Ok(Self { cells, km2 })
    }

    pub fn contains(&self, cell: Cell) -> bool {
        cover::contains(&self.cells, cell)
    }
}

/// The open crises with their ground, for placing reports.
#[derive(Debug, Clone, Default)]
pub struct CrisisIndex {
    crises: Vec<(Crisis, Option<CrisisCover>)>,
}

impl CrisisIndex {
    /// Index `crises` with their covers (`None`: ground not known, placed only by choice).
    pub fn new(crises: impl IntoIterator<Item = (Crisis, Option<CrisisCover>)>) -> Self {
        Self { crises: crises.into_iter().collect() }
    }

    /// The open crisis whose ground holds `cell`: of several, the one with the smallest ground
    /// (a city's crisis inside a country's), then the latest declared.
    pub fn place(&self, cell: Cell) -> Option<&Crisis> {
        self.crises
            .iter()
            .filter(|(crisis, _)| crisis.is_open())
            .filter_map(|(crisis, cover)| cover.as_ref().filter(|c| c.contains(cell)).map(|c| (crisis, c.km2)))
            .min_by(|(a, a_km2), (b, b_km2)| a_km2.total_cmp(b_km2).then(b.started_at.cmp(&a.started_at)))
            .map(|(crisis, _)| crisis)
    }

    /// A crisis by its slug, open or closed.
    pub fn by_slug(&self, slug: &str) -> Option<&Crisis> {
        self.crises.iter().map(|(c, _)| c).find(|c| c.slug.as_str() == slug)
    }

    pub fn by_id(&self, crisis_id: Uuid) -> Option<&Crisis> {
        self.crises.iter().map(|(c, _)| c).find(|c| c.crisis_id == crisis_id)
    }

    /// The open crises, latest declared first.
    pub fn open(&self) -> Vec<&Crisis> {
        let mut open: Vec<&Crisis> = self.crises.iter().map(|(c, _)| c).filter(|c| c.is_open()).collect();
        open.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.slug.cmp(&b.slug)));
        open
    }

    /// The countries of the open crises, each once, in [`CrisisIndex::open`]'s order.
    pub fn open_countries(&self) -> Vec<CountryCode> {
        let mut countries = Vec::new();
        for crisis in self.open() {
            for country in &crisis.countries {
                if !countries.contains(country) {
                    countries.push(*country);
                }
            }
        }
        countries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Coordinates;

    fn input(slug: &str, countries: &[&str], area: Option<serde_json::Value>) -> CrisisInput {
        CrisisInput {
            slug: Some(slug.into()),
            name: Some((Some("أزمة".into()), Some("A crisis".into()))),
            countries: Some(countries.iter().map(|c| c.to_string()).collect()),
            area,
            phase: None,
        }
    }

    fn square(west: f64, south: f64, east: f64, north: f64) -> serde_json::Value {
        serde_json::json!({"type": "Polygon", "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ]})
    }

    fn cell(lat: f64, lon: f64) -> Cell {
        Coordinates::parse(lat, lon).unwrap().cell()
    }

    fn indexed(crisis: &Crisis) -> (Crisis, Option<CrisisCover>) {
        (crisis.clone(), crisis.area.as_ref().map(|a| CrisisCover::tile(a).unwrap()))
    }

    #[test]
    fn a_declaration_is_checked_field_by_field() {
        let ok =
            Crisis::declare(Uuid::from_u128(1), &input("libya-2011", &["ly", "LY", "tn"], None), Timestamp(5)).unwrap();
        assert_eq!((ok.slug.as_str(), ok.phase, ok.version), ("libya-2011", CrisisPhase::Monitoring, 1));
        assert_eq!(ok.countries, [CountryCode::parse("LY").unwrap(), CountryCode::parse("TN").unwrap()]);
        let field = |i: CrisisInput| Crisis::declare(Uuid::nil(), &i, Timestamp(0)).unwrap_err().field;
        assert_eq!(field(input("Libya 2011", &["LY"], None)).as_deref(), Some("slug"));
        assert_eq!(field(input("unplaced", &["LY"], None)).as_deref(), Some("slug"));
        assert_eq!(field(input("all", &["LY"], None)).as_deref(), Some("slug"));
        assert_eq!(field(input("libya", &[], None)).as_deref(), Some("countries"));
        assert_eq!(field(input("libya", &["LY", "Libya"], None)).as_deref(), Some("countries[1]"));
        assert_eq!(field(input("libya", &["LY"], Some(serde_json::json!({"type": "Point"})))).as_deref(), Some("area"));
        let mut unnamed = input("libya", &["LY"], None);
        unnamed.name = Some((None, Some("Libya".into())));
        assert_eq!(field(unnamed).as_deref(), Some("name.ar"));
        let mut closed = input("libya", &["LY"], None);
        closed.phase = Some(CrisisPhase::Closed);
        assert_eq!(field(closed).as_deref(), Some("phase"));
    }

    #[test]
    fn phases_move_freely_until_closed() {
        let crisis = Crisis::declare(Uuid::nil(), &input("gaza-2023", &["PS"], None), Timestamp(0)).unwrap();
        let evacuating = crisis.change_phase(CrisisPhase::Evacuation, Timestamp(10)).unwrap();
        assert_eq!((evacuating.phase, evacuating.version, evacuating.ended_at), (CrisisPhase::Evacuation, 2, None));
        let back = evacuating.change_phase(CrisisPhase::ShelterInPlace, Timestamp(20)).unwrap();
        assert_eq!(back.phase, CrisisPhase::ShelterInPlace);
        assert_eq!(
            back.change_phase(CrisisPhase::ShelterInPlace, Timestamp(25)).unwrap_err().code,
            "nothing_to_change"
        );
        let closed = back.change_phase(CrisisPhase::Closed, Timestamp(30)).unwrap();
        assert_eq!(closed.ended_at, Some(Timestamp(30)));
        assert_eq!(closed.change_phase(CrisisPhase::Recovery, Timestamp(40)).unwrap_err().code, "crisis_closed");
        assert_eq!(closed.edit(&CrisisInput::default()).unwrap_err().code, "crisis_closed");
    }

    #[test]
    fn an_edit_changes_what_it_names_and_keeps_the_slug() {
        let crisis = Crisis::declare(Uuid::nil(), &input("lebanon-2024", &["LB"], None), Timestamp(0)).unwrap();
        let edit = CrisisInput { countries: Some(vec!["LB".into(), "SY".into()]), ..CrisisInput::default() };
        let edited = crisis.edit(&edit).unwrap();
        assert_eq!((edited.countries.len(), edited.version, &edited.name), (2, 2, &crisis.name));
        assert_eq!(edited.edit(&edit).unwrap_err().code, "nothing_to_change");
        let renamed = CrisisInput { slug: Some("lebanon".into()), ..CrisisInput::default() };
        assert_eq!(crisis.edit(&renamed).unwrap_err().field.as_deref(), Some("slug"));
    }

    #[test]
    fn a_report_goes_to_the_most_local_open_crisis_or_none() {
        // A country-wide crisis over northern Sudan and, inside it, one for Khartoum alone.
        let sudan = Crisis::declare(
            Uuid::from_u128(1),
            &input("sudan-2023", &["SD"], Some(square(30.0, 13.0, 36.0, 19.0))),
            Timestamp(0),
        )
        .unwrap();
        let khartoum = Crisis::declare(
            Uuid::from_u128(2),
            &input("khartoum-siege", &["SD"], Some(square(32.3, 15.3, 32.8, 15.8))),
            Timestamp(100),
        )
        .unwrap();
        let chosen_only =
            Crisis::declare(Uuid::from_u128(3), &input("anywhere", &["EG"], None), Timestamp(50)).unwrap();
        let index = CrisisIndex::new([indexed(&sudan), indexed(&khartoum), indexed(&chosen_only)]);
        assert_eq!(
            index.place(cell(15.55, 32.53)).map(|c| c.crisis_id),
            Some(khartoum.crisis_id),
            "in both: the smaller"
        );
        assert_eq!(index.place(cell(17.7, 33.98)).map(|c| c.crisis_id), Some(sudan.crisis_id), "Atbara: the country's");
        assert_eq!(index.place(cell(30.04, 31.24)), None, "Cairo is in no crisis's ground");
        // Closing the local crisis sends Khartoum's next reports to the country's.
        let closed = khartoum.change_phase(CrisisPhase::Closed, Timestamp(200)).unwrap();
        let index = CrisisIndex::new([indexed(&sudan), indexed(&closed)]);
        assert_eq!(index.place(cell(15.55, 32.53)).map(|c| c.crisis_id), Some(sudan.crisis_id));
        assert_eq!(index.open().len(), 1);
        assert_eq!(index.by_slug("khartoum-siege").map(|c| c.phase), Some(CrisisPhase::Closed));
        assert_eq!(index.open_countries(), [CountryCode::SUDAN]);
    }

    #[test]
    fn a_crisis_declared_by_its_countries_holds_their_towns_up_to_the_coast() {
        let levant =
            Crisis::declare(Uuid::from_u128(1), &input("lebanon-2024", &["LB", "SY"], None), Timestamp(0)).unwrap();
        let libya = Crisis::declare(Uuid::from_u128(2), &input("libya-2011", &["LY"], None), Timestamp(0)).unwrap();
        let yemen = Crisis::declare(Uuid::from_u128(3), &input("yemen-2015", &["YE"], None), Timestamp(0)).unwrap();
        let cover = |c: &Crisis| (c.clone(), c.ground().map(|g| CrisisCover::tile(&g).unwrap()));
        let index = CrisisIndex::new([cover(&levant), cover(&libya), cover(&yemen)]);
        let placed = |lat, lon| index.place(cell(lat, lon)).map(|c| c.slug.as_str().to_owned());
        // Coastal capitals the outlines' scale leaves just outside their country.
        assert_eq!(placed(33.8938, 35.5018).as_deref(), Some("lebanon-2024"), "Beirut");
        assert_eq!(placed(35.5317, 35.7901).as_deref(), Some("lebanon-2024"), "Latakia");
        assert_eq!(placed(12.7855, 45.0187).as_deref(), Some("yemen-2015"), "Aden");
        assert_eq!(placed(32.8872, 13.1913).as_deref(), Some("libya-2011"), "Tripoli");
        assert_eq!(placed(32.1167, 20.0667).as_deref(), Some("libya-2011"), "Benghazi");
        assert_eq!(placed(30.0444, 31.2357), None, "Cairo");
        assert_eq!(placed(36.8065, 10.1815), None, "Tunis");
        let unknown = Crisis::declare(Uuid::nil(), &input("nowhere", &["XX"], None), Timestamp(0)).unwrap_err();
        assert_eq!((unknown.code, unknown.field.as_deref()), ("unknown_country", Some("countries[0]")));
    }

    #[test]
    fn of_two_equal_grounds_the_latest_declared_wins() {
        let first = Crisis::declare(
            Uuid::from_u128(1),
            &input("first", &["SD"], Some(square(32.0, 15.0, 33.0, 16.0))),
            Timestamp(0),
        )
        .unwrap();
        let second = Crisis::declare(
            Uuid::from_u128(2),
            &input("second", &["SD"], Some(square(32.0, 15.0, 33.0, 16.0))),
            Timestamp(9),
        )
        .unwrap();
        let index = CrisisIndex::new([indexed(&first), indexed(&second)]);
        assert_eq!(index.place(cell(15.5, 32.5)).map(|c| c.slug.as_str()), Some("second"));
    }
}
