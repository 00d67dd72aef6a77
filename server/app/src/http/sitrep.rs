//! `/api/v1/sitrep` and `/api/v1/sitrep.csv`: the situation report of a window of time
//! (supervisors and admins) — the figures a ministry publishes, as JSON for the printable page
//! and as CSV (UTF-8 with a byte order mark, so spreadsheet programs read Arabic).
//!
//! The store reads the window's facts by index and the domain counts them; this module only
//! names areas (the largest known town near each coarse cell) and writes the two formats.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use opsroom_domain::clock::{RoomTimeZone, Timestamp};
use opsroom_domain::location::Cell;
use opsroom_domain::partner::view::push_csv_row;
use opsroom_domain::sitrep::{AreaKey, FIRST_CONTACT_BARS_MINUTES, Sitrep, Window};
use opsroom_domain::{Rejected, sitrep};
use opsroom_scenario::gazetteer::Gazetteer;

use crate::auth::Supervisor;
use crate::http::csv_attachment;
use crate::http::error::ApiError;
use crate::http::extract::ApiQuery;
use crate::state::AppState;
use crate::wire::{
    AreaBody, ChannelBody, ErrorBody, FirstContactBody, SitrepBody, SitrepQuery, TimeBarBody, WaitBarBody,
};

/// The towns areas are named after (the pages' own sourced tables).
static TOWNS: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::builtin);

/// An area is named after the largest town at most this far from its cell's centre (a
/// resolution-5 cell's edge is about 9 km).
const AREA_NAME_KM: f64 = 15.0;

/// The situation report of `[from, to)` (supervisors and admins).
#[utoipa::path(
    get,
    path = "/api/v1/sitrep",
    tag = "sitrep",
    params(SitrepQuery),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, body = SitrepBody),
        (status = 400, description = "Missing `from` or `to`", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Operators", body = ErrorBody),
        (status = 422, description = "Not a time, or a window backwards or over 93 days", body = ErrorBody),
    )
)]
pub async fn get_sitrep(
    State(app): State<AppState>,
    _supervisor: Supervisor,
    ApiQuery(query): ApiQuery<SitrepQuery>,
) -> Result<Json<SitrepBody>, ApiError> {
    Ok(Json(body(&report(&app, &query).await?, &app.config.time_zone)))
}

/// The same report as CSV: one row per figure (`section,item,figure,value`), easy to pivot.
#[utoipa::path(
    get,
    path = "/api/v1/sitrep.csv",
    tag = "sitrep",
    params(SitrepQuery),
    security(("session" = ["supervisor"])),
    responses(
        (status = 200, description = "UTF-8 CSV with a byte order mark", content_type = "text/csv"),
        (status = 400, description = "Missing `from` or `to`", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Operators", body = ErrorBody),
        (status = 422, description = "Not a time, or a window backwards or over 93 days", body = ErrorBody),
    )
)]
pub async fn get_sitrep_csv(
    State(app): State<AppState>,
    _supervisor: Supervisor,
    ApiQuery(query): ApiQuery<SitrepQuery>,
) -> Result<Response, ApiError> {
    let body = body(&report(&app, &query).await?, &app.config.time_zone);
    Ok(csv_attachment(&format!("sitrep-{}.csv", &body.from[..10]), csv(&body)))
}

async fn report(app: &AppState, query: &SitrepQuery) -> Result<Sitrep, ApiError> {
    let time = |raw: &str, field: &str| {
        Timestamp::parse_rfc3339(raw.trim()).ok_or_else(|| {
            Rejected::new(
                "invalid_time",
                field,
                format!("{field} must be an RFC 3339 time, e.g. 2023-04-15T00:00:00+02:00"),
            )
        })
    };
    let window = Window::new(time(&query.from, "from")?, time(&query.to, "to")?)?;
    let (cases, facts) = app.store.sitrep_facts(window).await?;
    Ok(sitrep::summarise(window, &app.config.time_zone, &cases, &facts))
}

fn body(report: &Sitrep, zone: &RoomTimeZone) -> SitrepBody {
    let by_area = report
        .by_area
        .iter()
        .map(|area| {
            let cell = match area.key {
                AreaKey::Cell(raw) => Cell::from_u64(raw),
                _ => None,
            };
            let town = cell.and_then(|c| {
                let centre = h3o::LatLng::from(c.index());
                TOWNS.largest_within(centre.lat(), centre.lng(), AREA_NAME_KM)
            });
            AreaBody {
                cell: cell.map(|c| c.index().to_string()),
                name: town.map(|t| t.name.clone()),
                name_ar: town.and_then(|t| t.name_ar.clone()),
                place: area.commonest_place.clone(),
                new_cases: area.new_cases,
            }
        })
        .collect();
    let mut bounds = FIRST_CONTACT_BARS_MINUTES.iter().map(|&m| Some(m)).chain([None]);
    SitrepBody {
        from: zone.local_rfc3339(report.window.from),
        to: zone.local_rfc3339(report.window.to),
        time_zone: zone.name().to_owned(),
        bucket: report.bucket,
        totals: report.totals.into(),
        by_area,
        by_channel: report
            .by_channel
            .iter()
            .map(|(channel, n)| ChannelBody { channel: channel.clone(), new_cases: *n })
            .collect(),
        over_time: report
            .over_time
            .iter()
            .map(|bar| TimeBarBody {
                start: zone.local_rfc3339(bar.start),
                new_cases: bar.new_cases,
                contacted: bar.contacted,
                resolved: bar.resolved,
            })
            .collect(),
        first_contact: FirstContactBody {
            count: report.first_contact.count,
            p50_ms: report.first_contact.p50_ms,
            p90_ms: report.first_contact.p90_ms,
            bars: report
                .first_contact
                .bars
                .iter()
                .map(|&cases| WaitBarBody { under_minutes: bounds.next().flatten(), cases })
                .collect(),
        },
    }
}

/// `section,item,figure,value` rows, after a byte order mark (Excel reads UTF-8 only with it).
fn csv(body: &SitrepBody) -> String {
    let mut out = String::from("\u{feff}section,item,figure,value\r\n");
    let mut row = |section: &str, item: &str, figure: &str, value: String| {
        push_csv_row(&mut out, &[section, item, figure, value.as_str()]);
    };
    row("window", "", "from", body.from.clone());
    row("window", "", "to", body.to.clone());
    row("window", "", "time_zone", body.time_zone.clone());
    let totals = &body.totals;
    for (figure, value) in [
        ("new_cases", totals.new_cases),
        ("contacted", totals.contacted),
        ("resolved", totals.resolved),
        ("evacuated", totals.evacuated),
        ("overdue", totals.overdue),
    ] {
        row("totals", "", figure, value.to_string());
    }
    for area in &body.by_area {
        let name = match (&area.name, &area.name_ar) {
            (Some(en), Some(ar)) => format!("{en} / {ar}"),
            (Some(en), None) => en.clone(),
            _ => area.place.clone().unwrap_or_default(),
        };
        let item = match &area.cell {
            Some(cell) => format!("{name} ({cell})"),
            None => name,
        };
        row("by_area", item.trim(), "new_cases", area.new_cases.to_string());
    }
    for channel in &body.by_channel {
        row("by_channel", &channel.channel, "new_cases", channel.new_cases.to_string());
    }
    for bar in &body.over_time {
        row("over_time", &bar.start, "new_cases", bar.new_cases.to_string());
        row("over_time", &bar.start, "contacted", bar.contacted.to_string());
        row("over_time", &bar.start, "resolved", bar.resolved.to_string());
    }
    let minutes = |ms: Option<i64>| ms.map(|ms| format!("{:.1}", ms as f64 / 60_000.0)).unwrap_or_default();
    row("first_contact", "", "cases", body.first_contact.count.to_string());
    row("first_contact", "", "median_minutes", minutes(body.first_contact.p50_ms));
    row("first_contact", "", "p90_minutes", minutes(body.first_contact.p90_ms));
    for bar in &body.first_contact.bars {
        let item = bar.under_minutes.map_or_else(|| "longer".to_owned(), |m| format!("under {m} min"));
        row("first_contact", &item, "cases", bar.cases.to_string());
    }
    out
}
