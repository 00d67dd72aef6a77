//! The JSON shapes of the ops map and the supervisor's figures: GeoJSON cells with counts, the
//! map's configuration, KPIs.

use opsroom_domain::case::CaseStatus;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::report::Channel;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Query of `GET /api/v1/kpis`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KpisQuery {
    /// A crisis's slug (or `unplaced`): the figures of its cases only.
    pub crisis: Option<String>,
}

/// Query of `GET /api/v1/map`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// `min_lon,min_lat,max_lon,max_lat` (WGS 84); default the whole world.
    pub bbox: Option<String>,
    /// H3 resolution of the cells, 0 to 9 (default 7); coarser for a wider view.
    pub resolution: Option<u8>,
    /// The board's filters, as in `GET /api/v1/cases` (checked alike): only the cases they
    /// choose are counted.
    pub status: Option<CaseStatus>,
    pub priority: Option<PriorityLevel>,
    pub need: Option<Need>,
    pub flag: Option<Flag>,
    pub channel: Option<Channel>,
    pub q: Option<String>,
    pub assignee: Option<String>,
    pub sla: Option<String>,
    pub partner: Option<String>,
    pub crisis: Option<String>,
}

/// Counts by priority and by status, keyed by their names.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    pub total: u64,
    pub open: u64,
    #[schema(value_type = Object)]
    pub by_priority: Named<4>,
    #[schema(value_type = Object)]
    pub by_status: Named<8>,
}

/// Numbers keyed by names, written as a JSON object without building one (a map answer may hold
/// thousands of cells).
#[derive(Debug)]
pub struct Named<const N: usize> {
    pub names: [&'static str; N],
    pub counts: [u64; N],
}

impl<const N: usize> Serialize for Named<N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(N))?;
        for (name, count) in self.names.iter().zip(self.counts) {
            map.serialize_entry(name, &count)?;
        }
        map.end()
    }
}

/// One cell of the map answer.
#[derive(Debug, Serialize)]
pub struct CellFeature {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub geometry: CellPolygon,
    pub properties: CellProperties,
}

#[derive(Debug, Serialize)]
pub struct CellPolygon {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub coordinates: [Vec<[f64; 2]>; 1],
}

#[derive(Debug, Serialize)]
pub struct CellProperties {
    pub cell: String,
    pub resolution: u8,
    pub worst_priority: Option<&'static str>,
    pub counts: Counts,
}

/// The map answer: a GeoJSON FeatureCollection with the position it reflects.
#[derive(Debug, Serialize)]
pub struct MapAnswer {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub seq: u64,
    pub unlocated: Counts,
    pub features: Vec<CellFeature>,
}

/// How the ops map is drawn on this server.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapConfig {
    /// XYZ raster tile URL template for street-level detail, if the operator configured one.
    pub tile_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelRate {
    pub channel: String,
    pub total: u64,
    /// Resolved or evacuated.
    pub resolved: u64,
    /// `resolved / total`, 0 to 1.
    pub resolution_rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorLoad {
    pub name: String,
    pub open: u64,
}

/// The supervisor's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpisBody {
    /// Log position of the counts in `cases`.
    pub seq: u64,
    pub cases: Counts,
    pub unlocated: u64,
    /// Open cases past their first-contact time now, and how many of those were escalated.
    pub sla_red: u64,
    pub sla_escalated: u64,
    pub contacted: u64,
    pub first_contact_p50_ms: Option<i64>,
    pub first_contact_p90_ms: Option<i64>,
    pub channels: Vec<ChannelRate>,
    pub operators: Vec<OperatorLoad>,
}
