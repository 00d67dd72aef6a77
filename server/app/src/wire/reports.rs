//! The JSON shapes of report intake: a citizen's report, an operator's report on a caller's behalf,
//! and the answer with the computed priority.

use opsroom_domain::need::{Flag, Need};
use opsroom_domain::priority::{Priority, PriorityLevel, Reason, ReasonCode};
use opsroom_domain::report::{
    Channel, Language, LocationInput, PersonInput, Relation, ReportInput, ReporterInput, Sex,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A distress report, as the public form or any client sends it. Partial reports are normal:
/// at least one person's name or a message is required, everything else is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// Language of the reporter (`ar` by default); answers use it.
    pub language: Option<Language>,
    pub reporter: Option<ReporterBody>,
    pub location: Option<LocationBody>,
    #[serde(default)]
    pub people: Vec<PersonBody>,
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    /// Free text, up to 4,000 characters.
    pub message: Option<String>,
    /// The slug of the open crisis the report belongs to (see `GET /api/v1/crises`); omit to
    /// let the report's location place it.
    pub crisis: Option<String>,
}

/// The person making the report (often a relative abroad).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterBody {
    pub name: Option<String>,
    /// With its country code (`+249 912 345 678`, `00201001234567`), or as dialled in the home
    /// country the server serves (`010 0123 4567` in Egypt), or, when `relation` is `self`, in
    /// the crisis country; Arabic-Indic and Persian digits accepted.
    pub phone: Option<String>,
    /// Who the reporter is to the people in danger.
    pub relation: Option<Relation>,
    /// Where the reporter is, e.g. "Cairo".
    pub place: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    /// WGS 84 latitude, -90..90.
    pub lat: Option<f64>,
    /// WGS 84 longitude, -180..180.
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    /// A place name or description, e.g. "الرياض، الخرطوم".
    pub place: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub name: Option<String>,
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub passport: Option<String>,
    /// With its country code (`+218 91 234 5678`, `00218…`), or as dialled in the crisis country
    /// (`091 234 5678` in Libya) once the report's crisis is known; Arabic-Indic and Persian
    /// digits accepted.
    pub phone: Option<String>,
}

impl ReportRequest {
    pub fn to_domain(&self) -> ReportInput {
        ReportInput {
            language: self.language,
            reporter: self.reporter.as_ref().map(|r| ReporterInput {
                name: r.name.clone(),
                phone: r.phone.clone(),
                relation: r.relation,
                place: r.place.clone(),
            }),
            location: self.location.as_ref().map(LocationBody::to_domain),
            people: self
                .people
                .iter()
                .map(|p| PersonInput {
                    name: p.name.clone(),
                    age: p.age,
                    sex: p.sex,
                    passport: p.passport.clone(),
                    phone: p.phone.clone(),
                })
                .collect(),
            needs: self.needs.clone(),
            flags: self.flags.clone(),
            message: self.message.clone(),
        }
    }
}

/// The answer to an accepted report, sent only once it is durably stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAccepted {
    pub case_id: Uuid,
    /// Short reference to quote on the phone, e.g. `K7QM-2XPD`.
    pub reference: String,
    /// Secret (256 random bits) for following the case; shown only to the reporter.
    pub tracking_token: String,
    /// H3 cell at resolution 9 (hex), or null when the report had no coordinates.
    pub cell: Option<String>,
    pub priority: PriorityBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityBody {
    pub level: PriorityLevel,
    pub score: u32,
    /// Why, strongest first.
    pub reasons: Vec<ReasonBody>,
}

/// One reason for the priority, with its words in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonBody {
    pub code: ReasonCode,
    pub points: u32,
    pub text: Bilingual,
}

/// A text in Arabic and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bilingual {
    pub ar: &'static str,
    pub en: &'static str,
}

impl PriorityBody {
    pub fn new(level: PriorityLevel, score: u32, reasons: &[Reason]) -> Self {
        let reasons = reasons
            .iter()
            .map(|r| {
                let (en, ar) = r.code.text();
                ReasonBody { code: r.code, points: r.points, text: Bilingual { ar, en } }
            })
            .collect();
        Self { level, score, reasons }
    }
}

impl From<&Priority> for PriorityBody {
    fn from(p: &Priority) -> Self {
        Self::new(p.level, p.score, &p.reasons)
    }
}

/// A report taken by an operator on behalf of a caller.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorReportRequest {
    /// How the report reached the ops room: `hotline`, `whatsapp`, `facebook`, `email`, `walk_in`.
    pub channel: Channel,
    /// The report, in the same shape as the public form's.
    pub report: ReportRequest,
}

impl LocationBody {
    pub fn to_domain(&self) -> LocationInput {
        LocationInput { lat: self.lat, lon: self.lon, accuracy_m: self.accuracy_m, place: self.place.clone() }
    }
}
