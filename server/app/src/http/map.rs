//! `GET /api/v1/map` (cases per H3 cell as GeoJSON) and `GET /api/v1/kpis` (the supervisor's
//! figures), for signed-in operators.
//!
//! The map is answered from the hub's in-memory counts and says which log position it reflects
//! (`seq`): a client applies live events above it — each `case_reported`, `status_changed` and
//! `priority_overridden` event carries its case's cell, priority and status — to keep it current.
//! With any of the board's filters (the same parameters as `GET /api/v1/cases`) it counts the
//! cases those filters choose, in the store (grouped by cell there), at least as new as `seq`.

use axum::Json;
use axum::extract::State;
use opsroom_domain::case::CaseStatus;
use opsroom_domain::crisis::CrisisIndex;
use opsroom_store::CaseFilter;
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::cases::case_filter;
use crate::http::error::ApiError;
use crate::http::extract::ApiQuery;
use crate::live::map::{Tally, tally_counts, tally_totals};
use crate::state::AppState;
use crate::wire::{
    CaseQuery, CellFeature, CellPolygon, CellProperties, ChannelRate, Counts, ErrorBody, KpisBody, KpisQuery,
    MapAnswer, MapConfig, MapQuery, Named, OperatorLoad, Problem,
};

impl MapQuery {
    /// The store's filter for the board's filters (the case list's own reading of them), or
    /// `None` when none is set: every case.
    fn filter(self, me: Uuid, now_ms: i64, crises: &CrisisIndex) -> Result<Option<CaseFilter>, ApiError> {
        let unfiltered = self.status.is_none()
            && self.priority.is_none()
            && self.need.is_none()
            && self.flag.is_none()
            && self.channel.is_none()
            && self.q.is_none()
            && self.assignee.is_none()
            && self.sla.is_none()
            && self.partner.is_none()
            && self.crisis.is_none();
        if unfiltered {
            return Ok(None);
        }
        let query = CaseQuery {
            status: self.status,
            priority: self.priority,
            need: self.need,
            flag: self.flag,
            channel: self.channel,
            cell: None,
            q: self.q,
            sort: None,
            assignee: self.assignee,
            sla: self.sla,
            partner: self.partner,
            crisis: self.crisis,
            cursor: None,
            limit: None,
        };
        case_filter(query, me, now_ms, crises).map(Some)
    }
}

impl From<&Tally> for Counts {
    fn from(t: &Tally) -> Self {
        Self {
            total: t.total(),
            open: t.open(),
            by_priority: Named { names: Tally::PRIORITIES.map(|p| p.as_str()), counts: t.by_priority },
            by_status: Named { names: CaseStatus::ALL.map(|s| s.as_str()), counts: t.by_status },
        }
    }
}

fn parse_bbox(raw: Option<&str>) -> Result<[f64; 4], ApiError> {
    let Some(raw) = raw else { return Ok([-180.0, -90.0, 180.0, 90.0]) };
    let bad = || {
        ApiError::BadRequest(Problem::new(
            "invalid_query",
            "bbox must be min_lon,min_lat,max_lon,max_lat within -180..180 and -90..90",
            Some("bbox".into()),
        ))
    };
    let parts: Vec<f64> =
        raw.split(',').map(|p| p.trim().parse::<f64>().map_err(|_| bad())).collect::<Result<_, _>>()?;
    let [min_lon, min_lat, max_lon, max_lat] = <[f64; 4]>::try_from(parts).map_err(|_| bad())?;
    let lon_ok = |x: f64| (-180.0..=180.0).contains(&x);
    let lat_ok = |y: f64| (-90.0..=90.0).contains(&y);
    if !(lon_ok(min_lon) && lon_ok(max_lon) && lat_ok(min_lat) && lat_ok(max_lat))
        || min_lon > max_lon
        || min_lat > max_lat
    {
        return Err(bad());
    }
    Ok([min_lon, min_lat, max_lon, max_lat])
}

/// Cases per H3 cell in a box, as a GeoJSON (RFC 7946) FeatureCollection of hexagons.
#[utoipa::path(
    get,
    path = "/api/v1/map",
    tag = "cases",
    params(MapQuery),
    security(("session" = [])),
    responses(
        (status = 200, description = "FeatureCollection with `seq` and `unlocated`", body = Object),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn get_map(
    State(app): State<AppState>,
    operator: Operator,
    ApiQuery(query): ApiQuery<MapQuery>,
) -> Result<Json<MapAnswer>, ApiError> {
    let bbox = parse_bbox(query.bbox.as_deref())?;
    let resolution = query.resolution.unwrap_or(7);
    if resolution > 9 {
        return Err(ApiError::BadRequest(Problem::new(
            "invalid_query",
            "resolution must be from 0 to 9",
            Some("resolution".into()),
        )));
    }
    let (seq, cells, unlocated) = match query.filter(operator.user.user_id, app.now_ms(), &app.crises.index())? {
        None => app.hub.map(|map| (map.seq(), map.aggregate(bbox, resolution), map.unlocated())),
        Some(filter) => {
            // The hub's position first: the store's counts are at least that new.
            let seq = app.hub.map(|map| map.seq());
            let (cells, unlocated) = tally_counts(&app.store.map_counts(&filter, resolution).await?, bbox);
            (seq, cells, unlocated)
        }
    };
    let features = cells
        .iter()
        .map(|(cell, tally)| {
            // H3 boundaries run counter-clockwise, as RFC 7946 wants exterior rings; close the ring.
            let mut ring: Vec<[f64; 2]> = cell.index().boundary().iter().map(|v| [v.lng(), v.lat()]).collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            let id = cell.to_string();
            CellFeature {
                kind: "Feature",
                geometry: CellPolygon { kind: "Polygon", coordinates: [ring] },
                properties: CellProperties {
                    cell: id.clone(),
                    resolution,
                    worst_priority: tally.worst().map(|p| p.as_str()),
                    counts: Counts::from(tally),
                },
                id,
            }
        })
        .collect();
    Ok(Json(MapAnswer { kind: "FeatureCollection", seq, unlocated: Counts::from(&unlocated), features }))
}

/// The ops map's configuration (an optional tile server for street-level detail).
#[utoipa::path(
    get,
    path = "/api/v1/map/config",
    tag = "cases",
    security(("session" = [])),
    responses((status = 200, body = MapConfig), (status = 401, body = ErrorBody))
)]
pub async fn get_map_config(State(app): State<AppState>, _operator: Operator) -> Json<MapConfig> {
    Json(MapConfig { tile_url: app.config.tile_url.clone() })
}

/// Open cases by status and priority, SLA breaches, time to first contact, resolution rate per
/// channel and open cases per operator. Refetch when live events arrive.
#[utoipa::path(
    get,
    path = "/api/v1/kpis",
    tag = "cases",
    params(KpisQuery),
    security(("session" = [])),
    responses((status = 200, body = KpisBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn get_kpis(
    State(app): State<AppState>,
    operator: Operator,
    ApiQuery(query): ApiQuery<KpisQuery>,
) -> Result<Json<KpisBody>, ApiError> {
    let (seq, totals, unlocated, crisis) = match query.crisis {
        None => {
            let (seq, totals, unlocated) = app.hub.map(|map| (map.seq(), map.totals(), map.unlocated()));
            (seq, totals, unlocated, None)
        }
        Some(slug) => {
            // One crisis's cases: counted in the store (the in-memory index counts every case),
            // at least as new as the hub's position read first.
            let seq = app.hub.map(|map| map.seq());
            let board = CaseQuery { crisis: Some(slug), ..CaseQuery::default() };
            let filter = case_filter(board, operator.user.user_id, app.now_ms(), &app.crises.index())?;
            let (totals, unlocated) = tally_totals(&app.store.map_counts(&filter, 0).await?);
            (seq, totals, unlocated, filter.crisis)
        }
    };
    let kpis = app.store.kpis(app.now_ms(), &app.config.sla, crisis).await?;
    Ok(Json(KpisBody {
        seq,
        cases: Counts::from(&totals),
        unlocated: unlocated.total(),
        sla_red: kpis.sla_red,
        sla_escalated: kpis.sla_escalated,
        contacted: kpis.contacted,
        first_contact_p50_ms: kpis.first_contact_p50_ms,
        first_contact_p90_ms: kpis.first_contact_p90_ms,
        channels: kpis
            .by_channel
            .into_iter()
            .map(|(channel, total, resolved)| ChannelRate {
                channel,
                total,
                resolved,
                resolution_rate: if total == 0 { 0.0 } else { resolved as f64 / total as f64 },
            })
            .collect(),
        operators: kpis.per_operator.into_iter().map(|(name, open)| OperatorLoad { name, open }).collect(),
    }))
}
