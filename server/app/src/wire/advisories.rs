//! The JSON shapes of official advisories and the bilingual texts they (and places and zones)
//! carry.

use opsroom_domain::advisory::{Advisory, AdvisoryInput, AdvisoryKind, Area, Severity};
use opsroom_domain::clock::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Problem;

/// A text in Arabic and English, as a supervisor types it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BilingualInput {
    pub ar: Option<String>,
    pub en: Option<String>,
}

impl BilingualInput {
    /// The two texts as the domain takes them (it checks and trims them), if the text was given.
    pub fn pair(text: &Option<BilingualInput>) -> Option<(Option<String>, Option<String>)> {
        text.as_ref().map(|b| (b.ar.clone(), b.en.clone()))
    }
}

/// An advisory to publish, or the new content of one (the whole content each time).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryRequest {
    /// `information` by default.
    pub kind: Option<AdvisoryKind>,
    pub severity: Option<Severity>,
    pub headline: Option<BilingualInput>,
    pub body: Option<BilingualInput>,
    /// What people should do (optional).
    pub instruction: Option<BilingualInput>,
    /// A GeoJSON `Polygon` or `MultiPolygon` (`[lon, lat]`); omit for the whole crisis.
    #[schema(value_type = Option<Object>)]
    pub area: Option<serde_json::Value>,
    /// Or: H3 cells (resolution 0 to 9) the advisory applies to.
    pub cells: Option<Vec<String>>,
    /// RFC 3339; omit to keep it until withdrawn.
    pub expires_at: Option<String>,
    /// The slug of the crisis it speaks to; omit for every crisis.
    pub crisis: Option<String>,
}

impl AdvisoryRequest {
    pub fn to_domain(&self) -> Result<AdvisoryInput, Problem> {
        let area = match (&self.area, &self.cells) {
            (Some(_), Some(_)) => {
                return Err(Problem::new("invalid", "give either an area or cells, not both", Some("cells".into())));
            }
            (Some(geometry), None) => Some(Area::from_geojson(geometry).map_err(|r| problem(r.within("area")))?),
            (None, Some(cells)) => Some(Area::from_cells(cells).map_err(|r| problem(r.within("cells")))?),
            (None, None) => None,
        };
        let expires_at = self
            .expires_at
            .as_deref()
            .map(|raw| {
                Timestamp::parse_rfc3339(raw).ok_or_else(|| {
                    Problem::new(
                        "invalid_time",
                        "expires_at must be an RFC 3339 time such as 2023-04-25T08:00:00+02:00",
                        Some("expires_at".into()),
                    )
                })
            })
            .transpose()?;
        Ok(AdvisoryInput {
            kind: self.kind,
            severity: self.severity,
            headline: BilingualInput::pair(&self.headline),
            body: BilingualInput::pair(&self.body),
            instruction: BilingualInput::pair(&self.instruction),
            area,
            expires_at,
            // The slug is resolved by the handler, which knows the crises.
            crisis_id: None,
        })
    }
}

fn problem(r: opsroom_domain::Rejected) -> Problem {
    Problem::new(r.code, r.message, r.field)
}

/// Query of `GET /api/v1/advisories`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryQuery {
    /// A crisis's slug: its advisories and those for every crisis.
    pub crisis: Option<String>,
}

/// A text in Arabic and English.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BilingualText {
    pub ar: String,
    pub en: String,
}

impl From<&opsroom_domain::advisory::Bilingual> for BilingualText {
    fn from(b: &opsroom_domain::advisory::Bilingual) -> Self {
        Self { ar: b.ar.clone(), en: b.en.clone() }
    }
}

/// One advisory in its current (or a past) version.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryBody {
    pub advisory_id: Uuid,
    pub version: u32,
    pub kind: AdvisoryKind,
    pub severity: Severity,
    pub headline: BilingualText,
    pub body: BilingualText,
    pub instruction: Option<BilingualText>,
    /// GeoJSON geometry (`Polygon`/`MultiPolygon`), or null for the whole crisis or a cell area.
    #[schema(value_type = Option<Object>)]
    pub area: Option<serde_json::Value>,
    /// The H3 cells of a cell area.
    pub cells: Option<Vec<String>>,
    /// RFC 3339, UTC.
    pub expires_at: Option<String>,
    pub published_at: String,
    pub updated_at: String,
    pub withdrawn: bool,
    /// The crisis it speaks to (`GET /api/v1/crises` names it); null: every crisis.
    pub crisis_id: Option<Uuid>,
    /// The same advisory as a CAP 1.2 message.
    pub cap_url: String,
}

impl From<&Advisory> for AdvisoryBody {
    fn from(a: &Advisory) -> Self {
        let c = &a.content;
        let (area, cells) = match &c.area {
            None => (None, None),
            Some(Area::Cells { cells }) => (None, Some(cells.iter().map(ToString::to_string).collect())),
            Some(geometry) => (serde_json::to_value(geometry).ok(), None),
        };
        Self {
            advisory_id: a.advisory_id,
            version: a.version,
            kind: c.kind,
            severity: c.severity,
            headline: (&c.headline).into(),
            body: (&c.body).into(),
            instruction: c.instruction.as_ref().map(Into::into),
            area,
            cells,
            expires_at: c.expires_at.map(Timestamp::to_rfc3339),
            published_at: a.published_at.to_rfc3339(),
            updated_at: a.updated_at.to_rfc3339(),
            withdrawn: a.withdrawn,
            crisis_id: c.crisis_id,
            cap_url: format!("/api/v1/advisories/{}/cap", a.advisory_id),
        }
    }
}
