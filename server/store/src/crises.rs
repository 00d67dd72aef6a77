//! Crises in the database: declaring one, editing it and moving its phase (each an event and the
//! `crisis` row, in the writer's transaction), and reading them back.
//!
//! Must not decide anything the domain decides: the rules are `Crisis::declare`, `Crisis::edit`
//! and `Crisis::change_phase`, asked here against the row as it stands inside the transaction,
//! so two supervisors' changes cannot both apply to the same version.

use std::collections::HashMap;

use opsroom_domain::Rejected;
use opsroom_domain::advisory::{Area, Bilingual};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::country::CountryCode;
use opsroom_domain::crisis::{CasePlaced, Crisis, CrisisInput, CrisisPhase, CrisisSaved, Slug};
use opsroom_domain::event::Event;
use uuid::Uuid;

use crate::reads::{corrupt, uuid_col, uuid_from};
use crate::rows::{fetch_in, record};
use crate::sql::{Conn, Pool, Row};
use crate::write::{Positions, Write};
use crate::{Result, Store};

/// A change to the crises, by supervisor `by` at `at` (milliseconds).
#[derive(Debug, Clone)]
pub enum CrisisWrite {
    Declare { crisis_id: Uuid, input: CrisisInput, by: Uuid, at: i64 },
    Edit { slug: String, input: CrisisInput, by: Uuid, at: i64 },
    ChangePhase { slug: String, to: CrisisPhase, by: Uuid, at: i64 },
}

/// Put case `case_id` in crisis `crisis_id` (`None`: back among the unplaced), by `by` at `at`.
#[derive(Debug, Clone)]
pub struct PlaceCase {
    pub case_id: Uuid,
    pub crisis_id: Option<Uuid>,
    pub by: Uuid,
    pub at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceOutcome {
    /// Recorded at `seq`.
    Placed {
        seq: u64,
    },
    /// The case already is there: nothing recorded.
    Unchanged,
    NotFound,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CrisisOutcome {
    /// Recorded at `seq`; the crisis as it now stands.
    Applied {
        seq: u64,
        crisis: Crisis,
    },
    NotFound,
    Refused(Rejected),
}

impl Store {
    /// Declare, edit or move the phase of a crisis (see [`CrisisWrite`]).
    pub async fn crisis_write(&self, write: CrisisWrite) -> Result<CrisisOutcome> {
        self.submit(write).await
    }

    /// Every crisis, open and closed, latest declared first.
    pub async fn crises(&self) -> Result<Vec<Crisis>> {
        crises(&self.inner.reads).await
    }

    /// Put a case in a crisis, or back among the unplaced (see [`PlaceCase`]).
    pub async fn place_case(&self, place: PlaceCase) -> Result<PlaceOutcome> {
        self.submit(place).await
    }

    /// The crisis each of `cases` was placed in (`None`: unplaced); cases that do not exist are
    /// left out. One lookup per few hundred cases: the live stream asks per page of events.
    pub async fn case_crises(&self, cases: &[Uuid]) -> Result<HashMap<Uuid, Option<Uuid>>> {
        let ids: Vec<String> = cases.iter().map(Uuid::to_string).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut pooled = self.inner.reads.acquire().await?;
        let mut conn = pooled.conn();
        let rows = fetch_in(&mut conn, "select case_id, crisis_id from case_file where case_id in", &ids).await?;
        rows.iter()
            .map(|row| {
                let crisis =
                    row.get::<Option<String>>("crisis_id")?.map(|id| uuid_from(&id, "crisis_id")).transpose()?;
                Ok((uuid_col(row, "case_id")?, crisis))
            })
            .collect()
    }
}

impl Write for CrisisWrite {
    type Outcome = CrisisOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<CrisisOutcome> {
        let (by, at) = match self {
            CrisisWrite::Declare { by, at, .. }
            | CrisisWrite::Edit { by, at, .. }
            | CrisisWrite::ChangePhase { by, at, .. } => (*by, Timestamp::from_millis(*at)),
        };
        let slug = match self {
            CrisisWrite::Declare { input, .. } => input.slug.as_deref().unwrap_or_default().trim().to_owned(),
            CrisisWrite::Edit { slug, .. } | CrisisWrite::ChangePhase { slug, .. } => slug.clone(),
        };
        let current = crisis_by_slug(conn, &slug).await?;
        let decided = match (&*self, &current) {
            (CrisisWrite::Declare { .. }, Some(_)) => Err(Rejected::conflict(
                "slug_taken",
                "slug",
                format!("a crisis called {slug} exists; choose another short name"),
            )),
            (CrisisWrite::Declare { crisis_id, input, .. }, None) => {
                Crisis::declare(*crisis_id, input, at).map(|c| (Event::CrisisDeclared as fn(_) -> _, c, None))
            }
            (_, None) => return Ok(CrisisOutcome::NotFound),
            (CrisisWrite::Edit { input, .. }, Some(current)) => {
                current.edit(input).map(|c| (Event::CrisisEdited as fn(_) -> _, c, None))
            }
            (CrisisWrite::ChangePhase { to, .. }, Some(current)) => current.change_phase(*to, at).map(|c| {
                let kind = if *to == CrisisPhase::Closed { Event::CrisisClosed } else { Event::CrisisPhaseChanged };
                (kind as fn(_) -> _, c, Some(current.phase))
            }),
        };
        let (kind, crisis, phase_from) = match decided {
            Ok(decided) => decided,
            Err(rejected) => return Ok(CrisisOutcome::Refused(rejected)),
        };
        let event = kind(Box::new(CrisisSaved { crisis: crisis.clone(), phase_from, by, at }));
        let seq = record(conn, positions, &event, at.millis()).await?;
        save(conn, &crisis, seq, current.is_some()).await?;
        Ok(CrisisOutcome::Applied { seq, crisis })
    }
}

impl Write for PlaceCase {
    type Outcome = PlaceOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<PlaceOutcome> {
        let case_id = self.case_id.to_string();
        let select = conn.statement("select crisis_id from case_file where case_id = $1").bind(case_id.as_str());
        let Some(row) = conn.fetch_optional(select).await? else { return Ok(PlaceOutcome::NotFound) };
        let from = row.get::<Option<String>>("crisis_id")?.map(|id| uuid_from(&id, "crisis_id")).transpose()?;
        if from == self.crisis_id {
            return Ok(PlaceOutcome::Unchanged);
        }
        let event = Event::CasePlaced(CasePlaced {
            case_id: self.case_id,
            crisis_id: self.crisis_id,
            from,
            by: self.by,
            at: Timestamp::from_millis(self.at),
        });
        let seq = record(conn, positions, &event, self.at).await?;
        // News on the case (boards sorting by last update see it) but not an edit of what it
        // says: the version stays, so nobody's pending change conflicts with the sorting.
        let update = conn
            .statement("update case_file set crisis_id = $1, updated_seq = $2 where case_id = $3")
            .bind(self.crisis_id.map(|id| id.to_string()))
            .bind(seq as i64)
            .bind(case_id.as_str());
        conn.execute(update).await?;
        Ok(PlaceOutcome::Placed { seq })
    }
}

/// Insert or update the crisis's row.
async fn save(conn: &mut Conn<'_>, crisis: &Crisis, seq: u64, exists: bool) -> Result<()> {
    let sql = if exists {
        "update crisis set slug = $2, name_ar = $3, name_en = $4, countries = $5, area = $6, phase = $7,
                started_at = $8, ended_at = $9, version = $10, seq = $11 where crisis_id = $1"
    } else {
        "insert into crisis (crisis_id, slug, name_ar, name_en, countries, area, phase, started_at, ended_at, version, seq)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    };
    let countries: Vec<&str> = crisis.countries.iter().map(CountryCode::as_str).collect();
    let area = crisis.area.as_ref().map(|a| serde_json::to_string(a).expect("areas serialize"));
    let statement = conn
        .statement(sql)
        .bind(crisis.crisis_id.to_string())
        .bind(crisis.slug.as_str())
        .bind(crisis.name.ar.as_str())
        .bind(crisis.name.en.as_str())
        .bind(countries.join(","))
        .bind(area)
        .bind(crisis.phase.as_str())
        .bind(crisis.started_at.millis())
        .bind(crisis.ended_at.map(Timestamp::millis))
        .bind(i64::from(crisis.version))
        .bind(seq as i64);
    conn.execute(statement).await?;
    Ok(())
}

const COLUMNS: &str = "crisis_id, slug, name_ar, name_en, countries, area, phase, started_at, ended_at, version";

async fn crisis_by_slug(conn: &mut Conn<'_>, slug: &str) -> Result<Option<Crisis>> {
    let sql = format!("select {COLUMNS} from crisis where slug = $1");
    let statement = conn.statement(&sql).bind(slug);
    let row = conn.fetch_optional(statement).await?;
    row.as_ref().map(crisis_from).transpose()
}

async fn crises(pool: &Pool) -> Result<Vec<Crisis>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!("select {COLUMNS} from crisis order by started_at desc, slug");
    let statement = conn.statement(&sql);
    conn.fetch_all(statement).await?.iter().map(crisis_from).collect()
}

fn crisis_from(row: &Row) -> Result<Crisis> {
    let slug: String = row.get("slug")?;
    let countries: String = row.get("countries")?;
    let phase: String = row.get("phase")?;
    let area: Option<String> = row.get("area")?;
    Ok(Crisis {
        crisis_id: uuid_col(row, "crisis_id")?,
        slug: Slug::parse(&slug).map_err(|_| corrupt("crisis slug", &slug))?,
        name: Bilingual { ar: row.get("name_ar")?, en: row.get("name_en")? },
        countries: countries
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| CountryCode::parse(c).map_err(|_| corrupt("crisis country", c)))
            .collect::<Result<_>>()?,
        area: area.map(|a| serde_json::from_str::<Area>(&a).map_err(|e| corrupt("crisis area", e))).transpose()?,
        phase: CrisisPhase::parse(&phase).ok_or_else(|| corrupt("crisis phase", &phase))?,
        started_at: Timestamp::from_millis(row.get("started_at")?),
        ended_at: row.get::<Option<i64>>("ended_at")?.map(Timestamp::from_millis),
        version: u32::try_from(row.get::<i64>("version")?).map_err(|e| corrupt("crisis version", e))?,
    })
}
