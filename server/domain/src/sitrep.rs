//! The situation report: what happened in a window of time — new cases, people reached,
//! resolved, evacuated, overdue — by area, by channel and over time, and how long people waited
//! for a first contact. The daily figures a ministry publishes.
//!
//! Owns the counting, from facts the store reads by index (cases by their report time, workflow
//! events by their time); it reads nothing itself. Hours and days are the room's local ones
//! ([`RoomTimeZone`]). Areas are H3 cells at [`AREA_RESOLUTION`]; the app names them.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use uuid::Uuid;

use crate::Rejected;
use crate::case::CaseStatus;
use crate::clock::{Bucket, RoomTimeZone, Timestamp};
use crate::location::Cell;

/// Areas are counted on H3 cells of this resolution (about 250 km², a town and its outskirts).
pub const AREA_RESOLUTION: u8 = 5;

/// The longest window a report covers: a quarter of a year, counted by day.
const MAX_WINDOW_MS: i64 = 93 * 24 * 3_600_000;
/// Windows up to this long are counted by the hour, longer ones by the day.
const HOURLY_UP_TO_MS: i64 = 72 * 3_600_000;

/// Upper bounds (minutes) of the time-to-first-contact histogram's bars; the last bar is open.
pub const FIRST_CONTACT_BARS_MINUTES: [i64; 6] = [15, 30, 60, 120, 240, 480];

/// `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Window {
    /// A window that ends after it begins and spans at most 93 days.
    pub fn new(from: Timestamp, to: Timestamp) -> Result<Self, Rejected> {
        if to <= from {
            return Err(Rejected::new("invalid", "to", "the window must end after it begins"));
        }
        if to.millis() - from.millis() > MAX_WINDOW_MS {
            return Err(Rejected::new("out_of_range", "to", "a report covers at most 93 days"));
        }
        Ok(Self { from, to })
    }

    /// Hours for windows of up to three days, days beyond.
    pub fn bucket(self) -> Bucket {
        if self.to.millis() - self.from.millis() <= HOURLY_UP_TO_MS { Bucket::Hour } else { Bucket::Day }
    }
}

/// A case reported in the window.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCaseFact {
    pub reported_at: Timestamp,
    pub channel: String,
    pub cell: Option<Cell>,
    pub place: Option<String>,
}

/// A workflow event in the window that the report counts.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowFact {
    /// The first contact attempt that reached someone in a case.
    FirstContact { case_id: Uuid, at: Timestamp, after_ms: i64 },
    /// A case moved to `to`.
    StatusReached { case_id: Uuid, to: CaseStatus, at: Timestamp },
    /// A case's first-contact clock ran out.
    Breached { case_id: Uuid, at: Timestamp },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub new_cases: u64,
    /// Cases first reached in the window.
    pub contacted: u64,
    pub resolved: u64,
    pub evacuated: u64,
    /// Cases whose first-contact clock ran out in the window.
    pub overdue: u64,
}

/// Where new cases came from: a coarse cell, or (unlocated) the place people named.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AreaKey {
    Cell(u64),
    Place(String),
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AreaCount {
    pub key: AreaKey,
    /// The place named most often in the area's reports, if any.
    pub commonest_place: Option<String>,
    pub new_cases: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeBar {
    pub start: Timestamp,
    pub new_cases: u64,
    pub contacted: u64,
    pub resolved: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct FirstContact {
    /// Cases first reached in the window.
    pub count: u64,
    pub p50_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    /// Cases per bar of [`FIRST_CONTACT_BARS_MINUTES`], and one more for longer waits.
    pub bars: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sitrep {
    pub window: Window,
    pub bucket: Bucket,
    pub totals: Totals,
    /// Most new cases first.
    pub by_area: Vec<AreaCount>,
    /// (channel, new cases), most first.
    pub by_channel: Vec<(String, u64)>,
    /// Every hour or day of the window, in order, empty ones included.
    pub over_time: Vec<TimeBar>,
    pub first_contact: FirstContact,
}

/// Count the window's facts. Facts outside the window are ignored.
pub fn summarise(window: Window, zone: &RoomTimeZone, cases: &[NewCaseFact], facts: &[WorkflowFact]) -> Sitrep {
    let bucket = window.bucket();
    let inside = |at: Timestamp| at >= window.from && at < window.to;
    let mut starts = Vec::new();
    let mut start = zone.bucket_start(window.from, bucket);
    while start < window.to && starts.len() < 24 * 94 {
        starts.push(start);
        start = zone.next_bucket(start, bucket);
    }
    let bar = |at: Timestamp| starts.partition_point(|s| *s <= at).checked_sub(1);
    let mut over_time: Vec<TimeBar> =
        starts.iter().map(|&start| TimeBar { start, new_cases: 0, contacted: 0, resolved: 0 }).collect();

    let mut totals = Totals::default();
    let mut areas: HashMap<AreaKey, (u64, HashMap<String, u64>)> = HashMap::new();
    let mut channels: BTreeMap<String, u64> = BTreeMap::new();
    for case in cases.iter().filter(|c| inside(c.reported_at)) {
        totals.new_cases += 1;
        if let Some(i) = bar(case.reported_at) {
            over_time[i].new_cases += 1;
        }
        *channels.entry(case.channel.clone()).or_default() += 1;
        let place = case.place.as_deref().map(str::trim).filter(|p| !p.is_empty());
        let key = match (case.cell.and_then(|c| c.parent(AREA_RESOLUTION)), place) {
            (Some(cell), _) => AreaKey::Cell(cell.to_u64()),
            (None, Some(place)) => AreaKey::Place(place.to_lowercase()),
            (None, None) => AreaKey::Unknown,
        };
        let entry = areas.entry(key).or_default();
        entry.0 += 1;
        if let Some(place) = place {
            *entry.1.entry(place.to_owned()).or_default() += 1;
        }
    }

    let (mut resolved, mut evacuated, mut overdue, mut contacted) =
        (HashSet::new(), HashSet::new(), HashSet::new(), HashSet::new());
    let mut waits = Vec::new();
    // Each case counts once per figure (a case resolved, reopened and resolved again is one).
    for fact in facts {
        match *fact {
            WorkflowFact::FirstContact { case_id, at, after_ms } if inside(at) && contacted.insert(case_id) => {
                waits.push(after_ms);
                if let Some(i) = bar(at) {
                    over_time[i].contacted += 1;
                }
            }
            WorkflowFact::StatusReached { case_id, to: CaseStatus::Resolved, at }
                if inside(at) && resolved.insert(case_id) =>
            {
                if let Some(i) = bar(at) {
                    over_time[i].resolved += 1;
                }
            }
            WorkflowFact::StatusReached { case_id, to: CaseStatus::Evacuated, at } if inside(at) => {
                evacuated.insert(case_id);
            }
            WorkflowFact::Breached { case_id, at } if inside(at) => {
                overdue.insert(case_id);
            }
            _ => {}
        }
    }
    totals.contacted = contacted.len() as u64;
    totals.resolved = resolved.len() as u64;
    totals.evacuated = evacuated.len() as u64;
    totals.overdue = overdue.len() as u64;

    let mut by_area: Vec<AreaCount> = areas
        .into_iter()
        .map(|(key, (new_cases, places))| AreaCount {
            key,
            // Most often named, then alphabetical, so equal counts name the area the same way each time.
            commonest_place: places.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(p, _)| p),
            new_cases,
        })
        .collect();
    by_area.sort_by(|a, b| b.new_cases.cmp(&a.new_cases).then(a.key.cmp(&b.key)));
    let mut by_channel: Vec<(String, u64)> = channels.into_iter().collect();
    by_channel.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    waits.sort_unstable();
    let percentile = |q: f64| (!waits.is_empty()).then(|| waits[((waits.len() - 1) as f64 * q).round() as usize]);
    let mut bars = vec![0; FIRST_CONTACT_BARS_MINUTES.len() + 1];
    for wait in &waits {
        let bar = FIRST_CONTACT_BARS_MINUTES
            .iter()
            .position(|&m| *wait < m * 60_000)
            .unwrap_or(FIRST_CONTACT_BARS_MINUTES.len());
        bars[bar] += 1;
    }
    let first_contact =
        FirstContact { count: waits.len() as u64, p50_ms: percentile(0.5), p90_ms: percentile(0.9), bars };
    Sitrep { window, bucket, totals, by_area, by_channel, over_time, first_contact }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Coordinates;

    fn at(raw: &str) -> Timestamp {
        Timestamp::parse_rfc3339(raw).unwrap()
    }

    #[test]
    fn windows_are_bounded() {
        assert_eq!(
            Window::new(at("2023-04-16T00:00:00Z"), at("2023-04-15T00:00:00Z")).unwrap_err().field.as_deref(),
            Some("to")
        );
        assert_eq!(
            Window::new(at("2023-01-01T00:00:00Z"), at("2023-06-01T00:00:00Z")).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(Window::new(at("2023-04-15T00:00:00Z"), at("2023-04-16T00:00:00Z")).unwrap().bucket(), Bucket::Hour);
        assert_eq!(Window::new(at("2023-04-01T00:00:00Z"), at("2023-04-16T00:00:00Z")).unwrap().bucket(), Bucket::Day);
    }

    #[test]
    fn counts_a_day_in_cairo() {
        let cairo = RoomTimeZone::parse("Africa/Cairo").unwrap();
        // Four local days, 15–18 April in Cairo (UTC+2).
        let window = Window::new(at("2023-04-14T22:00:00Z"), at("2023-04-18T22:00:00Z")).unwrap();
        let khartoum = Coordinates::parse(15.5518, 32.5324).unwrap().cell();
        let case = |t: &str, channel: &str, cell: Option<Cell>, place: Option<&str>| NewCaseFact {
            reported_at: at(t),
            channel: channel.into(),
            cell,
            place: place.map(Into::into),
        };
        let cases = [
            case("2023-04-14T21:59:59Z", "web", None, None), // before the window (the 14th in Cairo)
            case("2023-04-14T22:30:00Z", "web", Some(khartoum), Some("Khartoum")), // 00:30 on the 15th
            case("2023-04-15T10:00:00Z", "hotline", Some(khartoum), Some("الخرطوم")),
            case("2023-04-16T10:00:00Z", "hotline", None, Some("Omdurman ")),
            case("2023-04-16T11:00:00Z", "web", None, Some("omdurman")),
            case("2023-04-17T11:00:00Z", "web", None, None),
        ];
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let facts = [
            WorkflowFact::FirstContact { case_id: a, at: at("2023-04-15T00:00:00Z"), after_ms: 10 * 60_000 },
            WorkflowFact::FirstContact { case_id: b, at: at("2023-04-16T00:00:00Z"), after_ms: 90 * 60_000 },
            WorkflowFact::StatusReached { case_id: a, to: CaseStatus::Resolved, at: at("2023-04-15T01:00:00Z") },
            WorkflowFact::StatusReached { case_id: a, to: CaseStatus::Triaged, at: at("2023-04-15T02:00:00Z") },
            WorkflowFact::StatusReached { case_id: a, to: CaseStatus::Resolved, at: at("2023-04-15T03:00:00Z") },
            WorkflowFact::StatusReached { case_id: b, to: CaseStatus::Evacuated, at: at("2023-04-16T03:00:00Z") },
            WorkflowFact::Breached { case_id: b, at: at("2023-04-15T03:00:00Z") },
            WorkflowFact::Breached { case_id: a, at: at("2023-04-18T22:00:00Z") }, // the window's end is outside
        ];
        let report = summarise(window, &cairo, &cases, &facts);
        assert_eq!(report.bucket, Bucket::Day);
        assert_eq!(report.totals, Totals { new_cases: 5, contacted: 2, resolved: 1, evacuated: 1, overdue: 1 });
        let days: Vec<u64> = report.over_time.iter().map(|b| b.new_cases).collect();
        assert_eq!(days, [2, 2, 1, 0], "local days: the 00:30 case is on the 15th");
        assert_eq!(report.over_time[0].start, at("2023-04-14T22:00:00Z"));
        assert_eq!(report.over_time.iter().map(|b| b.resolved).sum::<u64>(), 1, "a case resolved twice counts once");
        assert_eq!(report.by_area[0].key, AreaKey::Cell(khartoum.parent(AREA_RESOLUTION).unwrap().to_u64()));
        assert_eq!(report.by_area[0].new_cases, 2);
        assert_eq!(report.by_area[1].key, AreaKey::Place("omdurman".into()));
        assert_eq!(report.by_area[1].new_cases, 2);
        assert_eq!(report.by_area[2].key, AreaKey::Unknown);
        assert_eq!(report.by_channel, [("web".to_owned(), 3), ("hotline".to_owned(), 2)]);
        assert_eq!(report.first_contact.count, 2);
        assert_eq!((report.first_contact.p50_ms, report.first_contact.p90_ms), (Some(90 * 60_000), Some(90 * 60_000)));
        assert_eq!(report.first_contact.bars, [1, 0, 0, 1, 0, 0, 0]);
    }
}
