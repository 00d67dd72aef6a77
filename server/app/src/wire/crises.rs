//! The JSON shapes of crises: what a supervisor declares or edits, what staff read, and the
//! public view (no drawn ground: the public list says which crises are open, not where exactly
//! operators drew them).

use opsroom_domain::advisory::Area;
use opsroom_domain::country::CountryCode;
use opsroom_domain::crisis::{Crisis, CrisisInput, CrisisPhase};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{BilingualInput, BilingualText};

/// A crisis to declare, or the fields of one to change (`PUT`: what is given replaces what is
/// stored; the slug and phase do not change there).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrisisRequest {
    /// 2–40 lower-case letters, digits and dashes, e.g. `libya-2011`; kept for life.
    pub slug: Option<String>,
    pub name: Option<BilingualInput>,
    /// ISO 3166-1 alpha-2 codes of the countries it covers, e.g. `["LY"]`.
    pub countries: Option<Vec<String>>,
    /// A GeoJSON `Polygon` or `MultiPolygon` (`[lon, lat]`); omit for the countries' outlines.
    #[schema(value_type = Option<Object>)]
    pub area: Option<serde_json::Value>,
    /// `monitoring` by default.
    pub phase: Option<CrisisPhase>,
}

impl CrisisRequest {
    pub fn to_domain(&self) -> CrisisInput {
        CrisisInput {
            slug: self.slug.clone(),
            name: BilingualInput::pair(&self.name),
            countries: self.countries.clone(),
            area: self.area.clone(),
            phase: self.phase,
        }
    }
}

/// A change of phase (`closed` ends the crisis for good).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrisisPhaseRequest {
    pub phase: CrisisPhase,
}

/// A crisis as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CrisisBody {
    pub crisis_id: Uuid,
    pub slug: String,
    pub name: BilingualText,
    pub countries: Vec<CountryCode>,
    /// The drawn ground; absent: the countries' outlines.
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<Area>,
    pub phase: CrisisPhase,
    /// RFC 3339.
    pub started_at: String,
    pub ended_at: Option<String>,
    pub version: u32,
}

impl From<&Crisis> for CrisisBody {
    fn from(c: &Crisis) -> Self {
        Self {
            crisis_id: c.crisis_id,
            slug: c.slug.as_str().to_owned(),
            name: BilingualText::from(&c.name),
            countries: c.countries.clone(),
            area: c.area.clone(),
            phase: c.phase,
            started_at: c.started_at.to_rfc3339(),
            ended_at: c.ended_at.map(|t| t.to_rfc3339()),
            version: c.version,
        }
    }
}

/// An open crisis as anyone may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCrisisBody {
    pub slug: String,
    pub name: BilingualText,
    pub countries: Vec<CountryCode>,
    pub phase: CrisisPhase,
    /// What the phase asks of citizens, in both languages.
    pub phase_text: BilingualText,
    pub started_at: String,
}

impl From<&Crisis> for PublicCrisisBody {
    fn from(c: &Crisis) -> Self {
        Self {
            slug: c.slug.as_str().to_owned(),
            name: BilingualText::from(&c.name),
            countries: c.countries.clone(),
            phase: c.phase,
            phase_text: {
                let (en, ar) = c.phase.words();
                BilingualText { ar: ar.to_owned(), en: en.to_owned() }
            },
            started_at: c.started_at.to_rfc3339(),
        }
    }
}

/// Where an operator puts a case: a crisis's slug, or null for back among the unplaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePlacementRequest {
    pub crisis: Option<String>,
}

/// A case's crisis after an operator placed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePlacedBody {
    pub case_id: Uuid,
    pub crisis_id: Option<Uuid>,
    /// The log position of the `case_placed` event; null when the case already was there.
    pub seq: Option<u64>,
}
