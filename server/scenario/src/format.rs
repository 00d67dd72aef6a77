//! The scenario file (TOML): the crisis it plays (optional), places, phases, waves, operator and
//! partner bots, advisories, and the evacuation (assembly points and crossings, danger zones,
//! movements).
//!
//! Owns parsing and checking a scenario, with errors that name the offending key. Documented
//! for people who write scenarios in `scenarios/README.md`; this file and that one change
//! together. Times are scenario hours from the start; reaction times are scenario minutes.

use std::collections::BTreeMap;

use opsroom_domain::clock::Timestamp;
use opsroom_domain::country::CountryCode;
use opsroom_domain::crisis::{CrisisPhase, Slug};
use opsroom_domain::evacuation::movement::Mode;
use opsroom_domain::evacuation::place::PlaceKind;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::partner::PartnerKind;
use opsroom_domain::partner::referral::RequestType;
use serde::Deserialize;

use crate::gazetteer::Gazetteer;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The seed when none is given on the command line: the same seed plays the same scenario.
    #[serde(default)]
    pub seed: u64,
    /// Scenario hours played.
    pub duration_hours: f64,
    /// Hour 0 on the calendar (RFC 3339), from which movements' departure times are given.
    #[serde(default = "default_starts_at")]
    pub starts_at: String,
    /// Speed for `serve --demo`: scenario seconds per real second.
    #[serde(default = "default_demo_speed")]
    pub demo_speed: f64,
    /// Cases filed as fast as the server takes them before the clock starts (a standing
    /// population for load scenarios).
    #[serde(default)]
    pub standing_cases: u64,
    pub places: Vec<Place>,
    pub phases: Vec<Phase>,
    #[serde(default)]
    pub waves: Vec<Wave>,
    #[serde(default)]
    pub operators: Option<Operators>,
    #[serde(default)]
    pub partners: Vec<PartnerBot>,
    #[serde(default)]
    pub advisories: Vec<AdvisoryPlan>,
    /// The crisis the scenario plays, declared before the clock starts; none: reports are
    /// placed in whatever crisis the server already has.
    #[serde(default)]
    pub crisis: Option<CrisisPlan>,
    /// Assembly points, crossings, airports and ports, registered before the clock starts.
    #[serde(default)]
    pub evacuation_places: Vec<EvacuationPlace>,
    #[serde(default)]
    pub danger_zones: Vec<DangerZonePlan>,
    #[serde(default)]
    pub movements: Vec<MovementPlan>,
}

fn default_demo_speed() -> f64 {
    60.0
}

/// Midnight on 15 April 2023 in Khartoum (UTC+2), the first day of the war in Sudan: what
/// scenarios without a date always started at.
fn default_starts_at() -> String {
    "2023-04-15T00:00:00+02:00".into()
}

/// The crisis a scenario declares (or finds open under its slug) before the clock starts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisPlan {
    pub slug: String,
    pub name_ar: String,
    pub name_en: String,
    /// ISO 3166 alpha-2 codes; the first is where the people in danger have their phones.
    pub countries: Vec<CountryCode>,
    /// Its ground as a box `[west, south, east, north]` (degrees)…
    #[serde(default)]
    pub bbox: Option<[f64; 4]>,
    /// …or an outline of `[lon, lat]` points (closed by the runner); neither: the countries'
    /// outlines.
    #[serde(default)]
    pub outline: Option<Vec<[f64; 2]>>,
    /// The phase it is declared in (default: the server's, monitoring).
    #[serde(default)]
    pub phase: Option<CrisisPhase>,
    /// Which reports name the crisis (`"crisis": slug`) rather than leave it to their
    /// location (default: none).
    #[serde(default)]
    pub reports_name_it: NameCrisis,
    /// Phase changes a supervisor makes on the way.
    #[serde(default)]
    pub phases: Vec<CrisisPhaseChange>,
}

/// Which reports say their crisis. A report without coordinates is placed in no crisis unless
/// it names one, so a scenario whose reports are not all located may let those name it (as a
/// citizen filing from the crisis's page does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameCrisis {
    #[default]
    None,
    Unlocated,
    All,
}

/// A supervisor moves the crisis to `phase` at `at_hour`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisPhaseChange {
    pub at_hour: f64,
    pub phase: CrisisPhase,
}

impl CrisisPlan {
    /// Its ground as a GeoJSON Polygon, if the scenario draws one.
    pub fn area(&self) -> Option<serde_json::Value> {
        let mut ring: Vec<[f64; 2]> = match (&self.bbox, &self.outline) {
            (Some([w, s, e, n]), _) => vec![[*w, *s], [*e, *s], [*e, *n], [*w, *n]],
            (None, Some(outline)) => outline.clone(),
            (None, None) => return None,
        };
        if ring.first() != ring.last() {
            ring.push(ring[0]);
        }
        Some(serde_json::json!({"type": "Polygon", "coordinates": [ring]}))
    }

    fn check(&self) -> Result<(), Invalid> {
        Slug::parse(&self.slug).map_err(|r| invalid("crisis.slug", r.to_string()))?;
        if self.name_ar.trim().is_empty() || self.name_en.trim().is_empty() {
            return Err(invalid("crisis.name_en", "name_ar and name_en, both given"));
        }
        match self.countries.first() {
            None => return Err(invalid("crisis.countries", "at least one country, e.g. [\"LY\"]")),
            Some(first) if crate::phones::mobile_plan(*first).is_none() => {
                return Err(invalid(
                    "crisis.countries[0]",
                    format!(
                        "{first}: the scenario draws no phone numbers there (it knows {})",
                        crate::phones::MOBILE_PLANS.map(|p| p.country).join(", ")
                    ),
                ));
            }
            Some(_) => {}
        }
        if let Some([w, s, e, n]) = self.bbox {
            let lon = -180.0..=180.0;
            let lat = -90.0..=90.0;
            if !(lon.contains(&w) && lon.contains(&e) && lat.contains(&s) && lat.contains(&n) && w < e && s < n) {
                return Err(invalid(
                    "crisis.bbox",
                    "[west, south, east, north] in degrees, west < east, south < north",
                ));
            }
            if self.outline.is_some() {
                return Err(invalid("crisis.outline", "give the ground as a bbox or an outline, not both"));
            }
        }
        if self.outline.as_ref().is_some_and(|o| o.len() < 3) {
            return Err(invalid("crisis.outline", "at least three [lon, lat] points"));
        }
        Ok(())
    }
}

/// Where people are: a gazetteer place, its share of the reports, how far around it they are.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// A name in the gazetteer (any country's towns, Khartoum's and Tripoli's districts), in
    /// Latin letters (any case) or Arabic.
    pub name: String,
    /// The place's country (ISO 3166 alpha-2), where a name is shared (Tripoli is Libya's,
    /// the bigger, unless `country = "LB"`).
    #[serde(default)]
    pub country: Option<CountryCode>,
    /// Relative share of reports from here.
    pub weight: f64,
    /// Reports are scattered up to this far from the place.
    #[serde(default = "default_radius")]
    pub radius_km: f64,
}

fn default_radius() -> f64 {
    3.0
}

/// A stretch of the crisis with its own rate and mix of reports.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub name: String,
    pub from_hour: f64,
    pub to_hour: f64,
    pub reports_per_hour: f64,
    /// Share sent through the web form; the rest are calls the operators type in (hotline).
    #[serde(default = "one")]
    pub web_share: f64,
    /// Share reported by a relative abroad (a reporter with an Egyptian phone) rather than by
    /// the people themselves.
    #[serde(default)]
    pub relatives_abroad: f64,
    /// Share that report again someone already reported (another relative, another spelling).
    #[serde(default)]
    pub duplicates: f64,
    /// Share written in Latin script rather than Arabic.
    #[serde(default)]
    pub latin: f64,
    /// Share with coordinates (the rest give only a place name).
    #[serde(default = "one")]
    pub located: f64,
    /// Chance of each need.
    #[serde(default)]
    pub needs: BTreeMap<Need, f64>,
    /// Chance of each vulnerability.
    #[serde(default)]
    pub flags: BTreeMap<Flag, f64>,
    /// People per report, from and to.
    #[serde(default = "default_people")]
    pub people: [u32; 2],
}

fn one() -> f64 {
    1.0
}

fn default_people() -> [u32; 2] {
    [1, 3]
}

/// A burst of reports at once (a shelling, a checkpoint closed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wave {
    pub at_hour: f64,
    pub reports: u32,
    /// Spread over this many minutes.
    #[serde(default = "default_wave_minutes")]
    pub over_minutes: f64,
    /// All from this place (else by the places' weights).
    pub place: Option<String>,
}

fn default_wave_minutes() -> f64 {
    10.0
}

/// Bots that play the operators: triage, contact, refer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operators {
    pub count: u32,
    /// Minutes from a report to its triage, from and to.
    pub triage_after_minutes: [f64; 2],
    /// Minutes from triage to the first contact attempt.
    pub contact_after_minutes: [f64; 2],
    /// Share of contact attempts that reach someone.
    #[serde(default = "default_reached")]
    pub reached_share: f64,
    /// Which cases go to which partner.
    #[serde(default)]
    pub refer: Vec<ReferRule>,
}

fn default_reached() -> f64 {
    0.7
}

/// Refer cases with this need (or flag) to this partner for this request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferRule {
    pub need: Option<Need>,
    pub flag: Option<Flag>,
    pub partner: String,
    pub request: RequestType,
}

/// A bot that plays a partner agency: accepts (or declines) and reports progress.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerBot {
    pub name: String,
    pub kind: PartnerKind,
    pub accept_after_minutes: [f64; 2],
    /// Minutes between progress steps.
    pub step_after_minutes: [f64; 2],
    #[serde(default)]
    pub decline_share: f64,
}

/// An advisory a supervisor publishes at a given time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryPlan {
    pub at_hour: f64,
    #[serde(default = "default_severity")]
    pub severity: String,
    #[serde(default = "default_advisory_kind")]
    pub kind: String,
    pub headline_ar: String,
    pub headline_en: String,
    pub body_ar: String,
    pub body_en: String,
}

fn default_severity() -> String {
    "severe".into()
}

fn default_advisory_kind() -> String {
    "instruction".into()
}

/// A place evacuations start from or go to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvacuationPlace {
    pub kind: PlaceKind,
    /// Movements name their origin and destination by this.
    pub name_en: String,
    pub name_ar: String,
    pub lat: f64,
    pub lon: f64,
}

/// A danger zone a supervisor declares (and may lift).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DangerZonePlan {
    pub at_hour: f64,
    pub lifted_at_hour: Option<f64>,
    pub name_en: String,
    pub name_ar: String,
    /// The outline, `[lon, lat]` points (closed by the runner if the last is not the first).
    pub outline: Vec<[f64; 2]>,
}

/// A convoy, flight, ship or train the ops room plans, fills and follows to its end.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MovementPlan {
    /// When a supervisor plans it.
    pub planned_at_hour: f64,
    /// When it departs; passengers are chosen and board in the two hours before.
    pub departure_hour: f64,
    /// From departure to arrival at the destination (and the passengers' crossing).
    pub travel_hours: f64,
    /// From arrival to the passengers' arrival home (a train from Aswan, a flight's landing).
    #[serde(default = "default_home_after")]
    pub home_after_hours: f64,
    pub mode: Mode,
    pub label: String,
    /// An evacuation place's `name_en` (an assembly point).
    pub origin: String,
    /// An evacuation place's `name_en` (a crossing, an airport or a port).
    pub destination: String,
    pub seats: u32,
    /// Passengers are chosen from the people awaiting evacuation this far from the origin.
    pub radius_km: f64,
    /// Share of the assigned who do not board.
    #[serde(default)]
    pub no_show_share: f64,
    /// Partners (by name) whose feeds carry the movement.
    #[serde(default)]
    pub share_with: Vec<String>,
}

fn default_home_after() -> f64 {
    4.0
}

/// A scenario that does not hold together.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {message}")]
pub struct Invalid {
    pub key: String,
    pub message: String,
}

fn invalid(key: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid { key: key.into(), message: message.into() }
}

fn check_range(key: String, range: [f64; 2]) -> Result<(), Invalid> {
    if !(range[0] >= 0.0 && range[1] >= range[0] && range[1].is_finite()) {
        return Err(invalid(key, "a range [from, to] with 0 <= from <= to"));
    }
    Ok(())
}

fn check_share(key: String, share: f64) -> Result<(), Invalid> {
    if !(0.0..=1.0).contains(&share) {
        return Err(invalid(key, "a share from 0 to 1"));
    }
    Ok(())
}

impl Scenario {
    /// Parse and check a scenario file's text against the gazetteer.
    pub fn parse(text: &str, gazetteer: &Gazetteer) -> anyhow::Result<Self> {
        let scenario: Scenario = toml::from_str(text)?;
        scenario.check(gazetteer)?;
        Ok(scenario)
    }

    /// Hour 0 on the calendar (checked when the scenario was read).
    pub fn starts_at(&self) -> Timestamp {
        Timestamp::parse_rfc3339(&self.starts_at).expect("checked when the scenario was parsed")
    }

    fn check(&self, gazetteer: &Gazetteer) -> Result<(), Invalid> {
        if Timestamp::parse_rfc3339(&self.starts_at).is_none() {
            return Err(invalid("starts_at", "a date and time (RFC 3339), e.g. 2011-02-17T00:00:00+02:00"));
        }
        if !(self.duration_hours > 0.0 && self.duration_hours.is_finite()) {
            return Err(invalid("duration_hours", "a positive number of hours"));
        }
        if self.demo_speed.is_nan() || self.demo_speed <= 0.0 {
            return Err(invalid("demo_speed", "a positive speed"));
        }
        if let Some(crisis) = &self.crisis {
            crisis.check()?;
            for (i, change) in crisis.phases.iter().enumerate() {
                if !(0.0..=self.duration_hours).contains(&change.at_hour) {
                    return Err(invalid(format!("crisis.phases[{i}].at_hour"), "within the scenario"));
                }
            }
        }
        if self.places.is_empty() {
            return Err(invalid("places", "at least one place"));
        }
        for (i, place) in self.places.iter().enumerate() {
            if gazetteer.find(&place.name, place.country).is_none() {
                let where_ = place.country.map(|c| format!(" of {c}")).unwrap_or_default();
                return Err(invalid(
                    format!("places[{i}].name"),
                    format!("{:?} is not in the gazetteer{where_}", place.name),
                ));
            }
            if place.weight.is_nan() || place.weight <= 0.0 || !(0.0..=100.0).contains(&place.radius_km) {
                return Err(invalid(format!("places[{i}]"), "weight > 0 and radius_km from 0 to 100"));
            }
        }
        for (i, phase) in self.phases.iter().enumerate() {
            let key = |k: &str| format!("phases[{i}].{k}");
            if !(phase.from_hour >= 0.0 && phase.to_hour > phase.from_hour && phase.to_hour <= self.duration_hours) {
                return Err(invalid(key("to_hour"), "0 <= from_hour < to_hour <= duration_hours"));
            }
            if !(phase.reports_per_hour >= 0.0 && phase.reports_per_hour.is_finite()) {
                return Err(invalid(key("reports_per_hour"), "a rate of 0 or more"));
            }
            for (name, share) in [
                ("web_share", phase.web_share),
                ("relatives_abroad", phase.relatives_abroad),
                ("duplicates", phase.duplicates),
                ("latin", phase.latin),
                ("located", phase.located),
            ] {
                check_share(key(name), share)?;
            }
            for (need, share) in &phase.needs {
                check_share(key(&format!("needs.{}", need.as_str())), *share)?;
            }
            for (flag, share) in &phase.flags {
                check_share(key(&format!("flags.{}", flag.as_str())), *share)?;
            }
            if phase.people[0] > phase.people[1] || phase.people[1] > 20 {
                return Err(invalid(key("people"), "[from, to] with from <= to <= 20"));
            }
        }
        for (i, wave) in self.waves.iter().enumerate() {
            if !(0.0..=self.duration_hours).contains(&wave.at_hour) {
                return Err(invalid(format!("waves[{i}].at_hour"), "within the scenario"));
            }
            if let Some(place) = &wave.place
                && !self.places.iter().any(|p| &p.name == place)
            {
                return Err(invalid(format!("waves[{i}].place"), "one of the scenario's places"));
            }
        }
        if let Some(operators) = &self.operators {
            check_range("operators.triage_after_minutes".into(), operators.triage_after_minutes)?;
            check_range("operators.contact_after_minutes".into(), operators.contact_after_minutes)?;
            check_share("operators.reached_share".into(), operators.reached_share)?;
            for (i, rule) in operators.refer.iter().enumerate() {
                if !self.partners.iter().any(|p| p.name == rule.partner) {
                    return Err(invalid(format!("operators.refer[{i}].partner"), "one of the scenario's partners"));
                }
                if rule.need.is_none() == rule.flag.is_none() {
                    return Err(invalid(format!("operators.refer[{i}]"), "give either a need or a flag"));
                }
            }
        }
        for (i, partner) in self.partners.iter().enumerate() {
            check_range(format!("partners[{i}].accept_after_minutes"), partner.accept_after_minutes)?;
            check_range(format!("partners[{i}].step_after_minutes"), partner.step_after_minutes)?;
            check_share(format!("partners[{i}].decline_share"), partner.decline_share)?;
        }
        for (i, advisory) in self.advisories.iter().enumerate() {
            if !(0.0..=self.duration_hours).contains(&advisory.at_hour) {
                return Err(invalid(format!("advisories[{i}].at_hour"), "within the scenario"));
            }
        }
        self.check_evacuation()
    }

    fn check_evacuation(&self) -> Result<(), Invalid> {
        let within = |hour: f64| (0.0..=self.duration_hours).contains(&hour);
        for (i, zone) in self.danger_zones.iter().enumerate() {
            if !within(zone.at_hour) || zone.lifted_at_hour.is_some_and(|h| !within(h) || h <= zone.at_hour) {
                return Err(invalid(
                    format!("danger_zones[{i}].at_hour"),
                    "within the scenario, lifted after declared",
                ));
            }
            if zone.outline.len() < 3 {
                return Err(invalid(format!("danger_zones[{i}].outline"), "at least three [lon, lat] points"));
            }
        }
        let place = |name: &str| self.evacuation_places.iter().find(|p| p.name_en == name);
        for (i, movement) in self.movements.iter().enumerate() {
            let key = |k: &str| format!("movements[{i}].{k}");
            if !(within(movement.planned_at_hour)
                && within(movement.departure_hour)
                && movement.planned_at_hour <= movement.departure_hour)
            {
                return Err(invalid(key("departure_hour"), "within the scenario, after planned_at_hour"));
            }
            let home = movement.departure_hour + movement.travel_hours + movement.home_after_hours;
            if !(movement.travel_hours > 0.0 && movement.home_after_hours >= 0.0 && within(home)) {
                return Err(invalid(
                    key("travel_hours"),
                    "travel_hours > 0 and home_after_hours >= 0, with the arrival home within the scenario",
                ));
            }
            if place(&movement.origin).is_none_or(|p| p.kind != PlaceKind::AssemblyPoint) {
                return Err(invalid(key("origin"), "the name_en of an assembly point in evacuation_places"));
            }
            if place(&movement.destination).is_none_or(|p| !p.kind.is_destination()) {
                return Err(invalid(
                    key("destination"),
                    "the name_en of a crossing, airport or port in evacuation_places",
                ));
            }
            check_share(key("no_show_share"), movement.no_show_share)?;
            if let Some(j) = movement.share_with.iter().position(|n| !self.partners.iter().any(|p| &p.name == n)) {
                return Err(invalid(format!("movements[{i}].share_with[{j}]"), "one of the scenario's partners"));
            }
        }
        Ok(())
    }
}
