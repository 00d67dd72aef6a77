//! Ground as compacted H3 cells, so that "is this point inside?" is a handful of set lookups,
//! not geometry: tiling a (Multi)Polygon at a resolution and compacting the cells to the
//! coarsest that cover the same ground, and the membership test (a cell is inside when it or
//! one of its ancestors is in the set). Danger zones and crises both use it; the limits on how
//! large or detailed an area may be are theirs, not this module's.

use std::collections::HashSet;

use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, Resolution};

use crate::Rejected;
use crate::location::Cell;

/// The cells of `resolution` that `mode` counts as inside `shape` (holes excluded), compacted.
pub fn tile(
    shape: geo::MultiPolygon<f64>,
    resolution: Resolution,
    mode: ContainmentMode,
) -> Result<HashSet<Cell>, Rejected> {
    let mut tiler = TilerBuilder::new(resolution).containment_mode(mode).build();
    for polygon in shape {
        tiler.add(polygon).map_err(|e| Rejected::value("invalid_area", format!("the area cannot be tiled: {e}")))?;
    }
    let mut cells: Vec<CellIndex> = tiler.into_coverage().collect();
    cells.sort_unstable();
    cells.dedup();
    CellIndex::compact(&mut cells)
        .map_err(|e| Rejected::value("invalid_area", format!("the area's cells do not compact: {e}")))?;
    Ok(cells.into_iter().map(Cell::from_index).collect())
}

/// The area of `shape` on the ellipsoid, in km², whichever way its rings wind. (The geodesic
/// area of a ring wound clockwise is the rest of the earth; GeoJSON asks for counter-clockwise
/// outer rings, but drawing tools and outline files do not all follow it.)
pub fn km2(shape: &geo::MultiPolygon<f64>) -> f64 {
    use geo::orient::{Direction, Orient};
    geo::GeodesicArea::geodesic_area_unsigned(&shape.orient(Direction::Default)) / 1e6
}

/// Whether `cell` or one of its ancestors is in the compacted `cells`.
pub fn contains(cells: &HashSet<Cell>, cell: Cell) -> bool {
    (0..=cell.resolution()).filter_map(|r| cell.parent(r)).any(|ancestor| cells.contains(&ancestor))
}
