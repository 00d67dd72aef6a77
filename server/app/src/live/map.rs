//! The map's counts, kept in memory: cases per cell by priority and status, at every resolution
//! from 0 to 9, as of a log position.
//!
//! Owns the tally and how each event moves it. Built from one database snapshot at start, then
//! moved by the hub with every event, in log order. It reads only what events carry (their cell,
//! priority and status), so it needs no per-case state and its size grows with the number of
//! occupied cells, not cases. Each event moves its resolution-9 cell and that cell's nine
//! ancestors, and each cell keeps its centre, so a map query at any resolution reads only the
//! cells of that resolution, with no H3 arithmetic (a million cases: a few hundred cells for a
//! city at resolution 7, not a hundred thousand resolution-9 cells to fold up).

use std::collections::HashMap;

use opsroom_domain::case::CaseStatus;
use opsroom_domain::location::Cell;
use opsroom_domain::priority::PriorityLevel;
use opsroom_store::{CellCount, MapSnapshot, StoredEvent};

use crate::wire::{Breached, CitizenMoved, PriorityMoved, Reported, StatusMoved};

const PRIORITIES: [PriorityLevel; 4] =
    [PriorityLevel::Critical, PriorityLevel::High, PriorityLevel::Normal, PriorityLevel::Low];

fn priority_index(level: PriorityLevel) -> usize {
    PRIORITIES.iter().position(|p| *p == level).expect("every level is listed")
}

fn status_index(status: CaseStatus) -> usize {
    CaseStatus::ALL.iter().position(|s| *s == status).expect("every status is listed")
}

/// Cases in one cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Indexed like [`Tally::PRIORITIES`].
    pub by_priority: [u64; 4],
    /// Indexed like `CaseStatus::ALL`.
    pub by_status: [u64; 8],
}

impl Tally {
    /// The order of `by_priority`: worst first.
    pub const PRIORITIES: [PriorityLevel; 4] = PRIORITIES;

    pub fn total(&self) -> u64 {
        self.by_priority.iter().sum()
    }

    /// Cases not finished (not evacuated, resolved, closed or duplicate).
    pub fn open(&self) -> u64 {
        CaseStatus::ALL
            .iter()
            .zip(self.by_status)
            .filter(|(s, _)| !opsroom_domain::workflow::is_finished(**s))
            .map(|(_, n)| n)
            .sum()
    }

    /// The worst priority present, if any case is here.
    pub fn worst(&self) -> Option<PriorityLevel> {
        PRIORITIES.iter().zip(self.by_priority).find(|(_, n)| *n > 0).map(|(p, _)| *p)
    }

    fn add(&mut self, other: &Tally) {
        for (a, b) in self.by_priority.iter_mut().zip(other.by_priority) {
            *a += b;
        }
        for (a, b) in self.by_status.iter_mut().zip(other.by_status) {
            *a += b;
        }
    }
}

/// The cases of one cell, and where its centre is.
#[derive(Debug, Clone)]
struct Place {
    tally: Tally,
    lat: f64,
    lon: f64,
}

/// The map's counts as of log position `seq`.
#[derive(Debug, Default)]
pub struct MapIndex {
    seq: u64,
    /// `levels[r]`: the occupied cells of resolution `r`, 0 to 9.
    levels: Vec<HashMap<Cell, Place>>,
    unlocated: Tally,
}

/// Resolutions kept: 0 to the stored resolution, 9.
const LEVELS: u8 = 10;

fn move_priority(tally: &mut Tally, from: PriorityLevel, to: PriorityLevel) {
    let from = priority_index(from);
    tally.by_priority[from] = tally.by_priority[from].saturating_sub(1);
    tally.by_priority[priority_index(to)] += 1;
}

impl MapIndex {
    pub fn from_snapshot(snapshot: &MapSnapshot) -> Self {
        let mut index = Self {
            seq: snapshot.seq,
            levels: (0..LEVELS).map(|_| HashMap::new()).collect(),
            unlocated: Tally::default(),
        };
        for count in &snapshot.counts {
            index.change(count.cell, |tally| {
                tally.by_priority[priority_index(count.priority)] += count.count;
                tally.by_status[status_index(count.status)] += count.count;
            });
        }
        index
    }

    /// Change the tally of `cell` (and of each of its ancestors) or of the unlocated cases.
    fn change(&mut self, cell: Option<Cell>, change: impl Fn(&mut Tally)) {
        let Some(cell) = cell else {
            change(&mut self.unlocated);
            return;
        };
        for resolution in 0..LEVELS.min(cell.resolution() + 1) {
            let Some(at) = cell.parent(resolution) else { continue };
            let place = self.levels[usize::from(resolution)].entry(at).or_insert_with(|| {
                let centre = h3o::LatLng::from(at.index());
                Place { tally: Tally::default(), lat: centre.lat(), lon: centre.lng() }
            });
            change(&mut place.tally);
        }
    }

    /// The log position these counts reflect.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Move the counts by one event. Events must come in log order, each once.
    pub fn apply(&mut self, event: &StoredEvent) {
        match event.kind.as_str() {
            "case_reported" => {
                if let Ok(r) = serde_json::from_str::<Reported>(&event.data) {
                    self.change(r.cell, |tally| {
                        tally.by_priority[priority_index(r.priority.level)] += 1;
                        tally.by_status[status_index(r.status)] += 1;
                    });
                }
            }
            "status_changed" => {
                if let Ok(m) = serde_json::from_str::<StatusMoved>(&event.data) {
                    self.change(m.cell, |tally| {
                        let from = status_index(m.from);
                        tally.by_status[from] = tally.by_status[from].saturating_sub(1);
                        tally.by_status[status_index(m.to)] += 1;
                    });
                }
            }
            "priority_overridden" => {
                if let Ok(m) = serde_json::from_str::<PriorityMoved>(&event.data) {
                    self.change(m.cell, |tally| move_priority(tally, m.from, m.to));
                }
            }
            // A danger zone raises a case's priority exactly as a breached clock does.
            "sla_breached" | "danger_zone_flagged" => {
                if let Ok(b) = serde_json::from_str::<Breached>(&event.data)
                    && let Some(to) = b.raised_to
                {
                    self.change(b.cell, |tally| move_priority(tally, b.priority, to));
                }
            }
            "citizen_updated" => {
                if let Ok(m) = serde_json::from_str::<CitizenMoved>(&event.data)
                    && (m.from_cell != m.cell || m.priority_from != m.priority || m.status_from != m.status)
                {
                    let (p, s) = (priority_index(m.priority_from), status_index(m.status_from));
                    self.change(m.from_cell, |from| {
                        from.by_priority[p] = from.by_priority[p].saturating_sub(1);
                        from.by_status[s] = from.by_status[s].saturating_sub(1);
                    });
                    self.change(m.cell, |to| {
                        to.by_priority[priority_index(m.priority)] += 1;
                        to.by_status[status_index(m.status)] += 1;
                    });
                }
            }
            _ => {}
        }
        self.seq = event.seq;
    }

    /// All cases together, located or not.
    pub fn totals(&self) -> Tally {
        let mut total = self.unlocated.clone();
        for place in self.levels[0].values() {
            total.add(&place.tally);
        }
        total
    }

    pub fn unlocated(&self) -> Tally {
        self.unlocated.clone()
    }

    /// Cases per cell of `resolution` (0 to 9) for the cells whose centre lies in the box
    /// (`min_lon, min_lat, max_lon, max_lat`); each cell's whole count.
    pub fn aggregate(&self, bbox: [f64; 4], resolution: u8) -> Vec<(Cell, Tally)> {
        let Some(level) = self.levels.get(usize::from(resolution)) else { return Vec::new() };
        let mut cells: Vec<(Cell, Tally)> = level
            .iter()
            .filter(|(_, place)| place.tally.total() > 0 && in_bbox(bbox, place.lat, place.lon))
            .map(|(cell, place)| (*cell, place.tally.clone()))
            .collect();
        cells.sort_by_key(|(cell, _)| *cell);
        cells
    }
}

/// Whether a cell's centre is inside `[min_lon, min_lat, max_lon, max_lat]`: the map's rule for
/// which cells a view shows.
fn in_bbox([min_lon, min_lat, max_lon, max_lat]: [f64; 4], lat: f64, lon: f64) -> bool {
    (min_lat..=max_lat).contains(&lat) && (min_lon..=max_lon).contains(&lon)
}

/// Counts read from the store (already by cell at the view's resolution) as the map's tallies:
/// the cells whose centre is in `bbox`, sorted, and the unlocated cases. The map of a filtered
/// board is answered so, since the in-memory index counts every case.
pub fn tally_counts(counts: &[CellCount], bbox: [f64; 4]) -> (Vec<(Cell, Tally)>, Tally) {
    let mut cells: HashMap<Cell, Tally> = HashMap::new();
    let mut unlocated = Tally::default();
    for count in counts {
        let tally = match count.cell {
            Some(cell) => cells.entry(cell).or_default(),
            None => &mut unlocated,
        };
        tally.by_priority[priority_index(count.priority)] += count.count;
        tally.by_status[status_index(count.status)] += count.count;
    }
    let mut cells: Vec<(Cell, Tally)> = cells
        .into_iter()
        .filter(|(cell, _)| {
            let centre = h3o::LatLng::from(cell.index());
            in_bbox(bbox, centre.lat(), centre.lng())
        })
        .collect();
    cells.sort_by_key(|(cell, _)| *cell);
    (cells, unlocated)
}

/// Counts read from the store (any resolution) as all the cases together, located or not, and
/// the unlocated ones: the totals of a filtered board, which the in-memory index cannot give.
pub fn tally_totals(counts: &[CellCount]) -> (Tally, Tally) {
    let (cells, unlocated) = tally_counts(counts, [-180.0, -90.0, 180.0, 90.0]);
    let mut total = unlocated.clone();
    for (_, tally) in &cells {
        total.add(tally);
    }
    (total, unlocated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsroom_domain::location::Coordinates;

    fn event(seq: u64, kind: &str, data: serde_json::Value) -> StoredEvent {
        StoredEvent { seq, kind: kind.into(), case_id: None, recorded_at: 0, data: data.to_string() }
    }

    #[test]
    fn events_move_the_counts() {
        let khartoum = Coordinates::parse(15.5518, 32.5324).unwrap().cell();
        let snapshot = MapSnapshot {
            seq: 10,
            counts: vec![CellCount { cell: None, priority: PriorityLevel::Low, status: CaseStatus::New, count: 2 }],
        };
        let mut index = MapIndex::from_snapshot(&snapshot);
        index.apply(&event(
            11,
            "case_reported",
            serde_json::json!({"cell": khartoum.to_string(), "priority": {"level": "critical"}, "status": "new", "people": []}),
        ));
        index.apply(&event(
            12,
            "status_changed",
            serde_json::json!({"cell": khartoum.to_string(), "priority": "critical", "from": "new", "to": "resolved"}),
        ));
        index.apply(&event(
            13,
            "priority_overridden",
            serde_json::json!({"cell": khartoum.to_string(), "status": "resolved", "from": "critical", "to": "high"}),
        ));
        index.apply(&event(14, "note_added", serde_json::json!({"text": "x"})));
        assert_eq!(index.seq(), 14);
        let totals = index.totals();
        assert_eq!(totals.total(), 3);
        assert_eq!(totals.open(), 2, "the resolved one is not open");
        assert_eq!(index.unlocated().total(), 2);
        let cells = index.aggregate([32.0, 15.0, 33.0, 16.0], 7);
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].0, khartoum.parent(7).unwrap());
        assert_eq!(cells[0].1.worst(), Some(PriorityLevel::High));
        assert!(index.aggregate([0.0, 0.0, 1.0, 1.0], 7).is_empty(), "outside the box");
    }

    #[test]
    fn a_citizen_who_moved_takes_their_count_along() {
        let khartoum = Coordinates::parse(15.5518, 32.5324).unwrap().cell();
        let port_sudan = Coordinates::parse(19.6158, 37.2164).unwrap().cell();
        let mut index = MapIndex::from_snapshot(&MapSnapshot {
            seq: 1,
            counts: vec![CellCount {
                cell: Some(khartoum),
                priority: PriorityLevel::Normal,
                status: CaseStatus::Triaged,
                count: 1,
            }],
        });
        index.apply(&event(
            2,
            "citizen_updated",
            serde_json::json!({"update": "moved", "from_cell": khartoum.to_string(), "cell": port_sudan.to_string(),
                               "status_from": "triaged", "status": "triaged", "priority_from": "normal", "priority": "high"}),
        ));
        assert!(index.aggregate([32.0, 15.0, 33.0, 16.0], 9).is_empty(), "gone from Khartoum");
        let cells = index.aggregate([37.0, 19.0, 38.0, 20.0], 9);
        assert_eq!(
            cells,
            vec![(port_sudan, {
                let mut t = Tally::default();
                t.by_priority[priority_index(PriorityLevel::High)] = 1;
                t.by_status[status_index(CaseStatus::Triaged)] = 1;
                t
            })]
        );
    }
}
