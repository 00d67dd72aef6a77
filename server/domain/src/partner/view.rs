//! The only way a case reaches a partner: a view cut to the partner's data profile.
//!
//! Owns [`PartnerCase`] (what a feed item, a poll answer, a webhook body and an export row are
//! made from), the coarsening of locations to a fixed H3 cell (never jitter: averaging many
//! jittered copies would give the point back), and the two export formats: CSV with an HXL
//! hashtag row, and a GeoJSON (RFC 7946) feature collection. A field not in the profile is never
//! copied into the view, so no serialisation of it can leak it.

use serde::Serialize;
use uuid::Uuid;

use super::referral::{ReferralStatus, RequestType};
use super::{DataProfile, ProfileField};
use crate::case::CaseStatus;
use crate::clock::{Timestamp, as_rfc3339};
use crate::location::Cell;
use crate::need::{Flag, Need};
use crate::priority::PriorityLevel;

/// Everything the server knows of a case that a partner could ever be given. The store fills it;
/// exact coordinates are deliberately absent: only the stored resolution-9 cell comes in.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    pub priority: PriorityLevel,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub cell: Option<Cell>,
    pub place: Option<String>,
    pub message: Option<String>,
    pub people: Vec<PersonFacts>,
    pub reporter: Option<ReporterFacts>,
    /// Every referral of the case, to any partner; the view keeps the partner's own.
    pub referrals: Vec<ReferralFacts>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonFacts {
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub passport: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReporterFacts {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub relation: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReferralFacts {
    pub referral_id: Uuid,
    pub partner_id: Uuid,
    pub request_type: RequestType,
    pub status: ReferralStatus,
    /// The operator's note to the partner.
    pub note: Option<String>,
    pub referred_at: Timestamp,
    pub updated_at: Timestamp,
    /// Each step after the referral itself, oldest first.
    pub history: Vec<ReferralStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralStep {
    pub status: ReferralStatus,
    pub text: Option<String>,
    #[serde(serialize_with = "as_rfc3339")]
    pub at: Timestamp,
}

/// A referral as its partner sees it. Its own type, so that a field added to the facts never
/// reaches partners by accident. The note and the step texts are written for the partner (the
/// ops room is told so where it types them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralView {
    pub referral_id: Uuid,
    pub request_type: RequestType,
    pub status: ReferralStatus,
    pub note: Option<String>,
    #[serde(serialize_with = "as_rfc3339")]
    pub referred_at: Timestamp,
    #[serde(serialize_with = "as_rfc3339")]
    pub updated_at: Timestamp,
    pub history: Vec<ReferralStep>,
}

impl From<&ReferralFacts> for ReferralView {
    fn from(r: &ReferralFacts) -> Self {
        Self {
            referral_id: r.referral_id,
            request_type: r.request_type,
            status: r.status,
            note: r.note.clone(),
            referred_at: r.referred_at,
            updated_at: r.updated_at,
            history: r.history.clone(),
        }
    }
}

/// A location as a partner gets it: a cell of the profile's resolution and that cell's centre.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoarseLocation {
    pub cell: Cell,
    pub resolution: u8,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PersonView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReporterView {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub relation: Option<String>,
}

/// A case as one partner sees it. Fields outside the profile are absent, not empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerCase {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    pub priority: PriorityLevel,
    /// This partner's referrals of the case only.
    pub referrals: Vec<ReferralView>,
    pub location: Option<CoarseLocation>,
    /// One entry per person in danger, with only the profile's fields (the count is always
    /// given: a partner plans seats and supplies by it).
    pub people: Vec<PersonView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<Vec<Need>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<Flag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter: Option<ReporterView>,
}

/// The resolution a partner sees a case at: the profile's, or its evacuation resolution while a
/// medical evacuation of this case it accepted is under way (not once it is finished).
pub fn resolution_for(profile: &DataProfile, own_referrals: &[&ReferralFacts]) -> u8 {
    let evacuating =
        own_referrals.iter().any(|r| r.request_type == RequestType::MedicalEvacuation && r.status.under_way());
    if evacuating { profile.evacuation_resolution } else { profile.resolution }
}

/// Coarsen a stored cell to `resolution`: the enclosing cell and its centre.
pub fn coarsen(cell: Cell, resolution: u8) -> Option<CoarseLocation> {
    let coarse = cell.parent(resolution.min(cell.resolution()))?;
    let centre = h3o::LatLng::from(coarse.index());
    Some(CoarseLocation { cell: coarse, resolution: coarse.resolution(), lat: centre.lat(), lon: centre.lng() })
}

/// Whether `partner_id` may see the case at all: it has a referral of the case in a status that
/// gives access.
pub fn visible_to(facts: &CaseFacts, partner_id: Uuid) -> bool {
    facts.referrals.iter().any(|r| r.partner_id == partner_id && r.status.gives_access())
}

/// Cut a case to what `partner_id` may see under `profile`. `None` when the partner has no
/// referral of the case that gives access.
pub fn project(facts: &CaseFacts, partner_id: Uuid, profile: &DataProfile) -> Option<PartnerCase> {
    if !visible_to(facts, partner_id) {
        return None;
    }
    let referrals: Vec<&ReferralFacts> =
        facts.referrals.iter().filter(|r| r.partner_id == partner_id && r.status.gives_access()).collect();
    let allows = |field| profile.allows(field);
    let keep = |field, value: &Option<String>| if allows(field) { value.clone() } else { None };
    let people = facts.people.iter().map(|p| person_view(p, profile)).collect();
    let resolution = resolution_for(profile, &referrals);
    Some(PartnerCase {
        case_id: facts.case_id,
        reference: facts.reference.clone(),
        status: facts.status,
        priority: facts.priority,
        location: facts.cell.and_then(|cell| coarsen(cell, resolution)),
        people,
        needs: allows(ProfileField::Needs).then(|| facts.needs.clone()),
        flags: allows(ProfileField::Flags).then(|| facts.flags.clone()),
        place: keep(ProfileField::Place, &facts.place),
        message: keep(ProfileField::Message, &facts.message),
        reporter: if allows(ProfileField::Reporter) {
            facts.reporter.as_ref().map(|r| ReporterView {
                name: r.name.clone(),
                phone: r.phone.clone(),
                relation: r.relation.clone(),
            })
        } else {
            None
        },
        referrals: referrals.into_iter().map(ReferralView::from).collect(),
    })
}

/// A person cut to the profile's fields.
pub fn person_view(p: &PersonFacts, profile: &DataProfile) -> PersonView {
    let keep = |field, value: &Option<String>| if profile.allows(field) { value.clone() } else { None };
    PersonView {
        name: keep(ProfileField::Names, &p.name),
        age: if profile.allows(ProfileField::Ages) { p.age } else { None },
        sex: keep(ProfileField::Sex, &p.sex),
        phone: keep(ProfileField::Phones, &p.phone),
        passport: keep(ProfileField::Passports, &p.passport),
    }
}

/// One CSV column: its header, its HXL hashtag, the profile field that allows it (None: always
/// there) and how a row fills it.
struct Column {
    header: &'static str,
    hashtag: &'static str,
    field: Option<ProfileField>,
    value: fn(&PartnerCase, Option<&PersonView>) -> String,
}

fn joined<T: Serialize>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| match serde_json::to_value(item) {
            Ok(serde_json::Value::String(s)) => s,
            other => other.map(|v| v.to_string()).unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

const COLUMNS: &[Column] = &[
    Column { header: "case_id", hashtag: "#meta+case+id", field: None, value: |c, _| c.case_id.to_string() },
    Column { header: "reference", hashtag: "#meta+case+ref", field: None, value: |c, _| c.reference.clone() },
    Column { header: "case_status", hashtag: "#status+case", field: None, value: |c, _| joined(&[c.status]) },
    Column { header: "priority", hashtag: "#severity", field: None, value: |c, _| joined(&[c.priority]) },
    Column {
        header: "request",
        hashtag: "#activity+referral",
        field: None,
        value: |c, _| joined(&c.referrals.iter().map(|r| r.request_type).collect::<Vec<_>>()),
    },
    Column {
        header: "referral_status",
        hashtag: "#status+referral",
        field: None,
        value: |c, _| joined(&c.referrals.iter().map(|r| r.status).collect::<Vec<_>>()),
    },
    Column {
        header: "lat",
        hashtag: "#geo+lat",
        field: None,
        value: |c, _| c.location.as_ref().map(|l| format!("{:.6}", l.lat)).unwrap_or_default(),
    },
    Column {
        header: "lon",
        hashtag: "#geo+lon",
        field: None,
        value: |c, _| c.location.as_ref().map(|l| format!("{:.6}", l.lon)).unwrap_or_default(),
    },
    Column {
        header: "h3_cell",
        hashtag: "#geo+h3",
        field: None,
        value: |c, _| c.location.as_ref().map(|l| l.cell.to_string()).unwrap_or_default(),
    },
    Column {
        header: "name",
        hashtag: "#beneficiary+name",
        field: Some(ProfileField::Names),
        value: |_, p| p.and_then(|p| p.name.clone()).unwrap_or_default(),
    },
    Column {
        header: "age",
        hashtag: "#beneficiary+age",
        field: Some(ProfileField::Ages),
        value: |_, p| p.and_then(|p| p.age).map(|a| a.to_string()).unwrap_or_default(),
    },
    Column {
        header: "sex",
        hashtag: "#beneficiary+sex",
        field: Some(ProfileField::Sex),
        value: |_, p| p.and_then(|p| p.sex.clone()).unwrap_or_default(),
    },
    Column {
        header: "phone",
        hashtag: "#contact+phone",
        field: Some(ProfileField::Phones),
        value: |_, p| p.and_then(|p| p.phone.clone()).unwrap_or_default(),
    },
    Column {
        header: "passport",
        hashtag: "#beneficiary+id+passport",
        field: Some(ProfileField::Passports),
        value: |_, p| p.and_then(|p| p.passport.clone()).unwrap_or_default(),
    },
    Column {
        header: "needs",
        hashtag: "#sector+needs",
        field: Some(ProfileField::Needs),
        value: |c, _| c.needs.as_deref().map(joined).unwrap_or_default(),
    },
    Column {
        header: "flags",
        hashtag: "#beneficiary+vulnerable",
        field: Some(ProfileField::Flags),
        value: |c, _| c.flags.as_deref().map(joined).unwrap_or_default(),
    },
    Column {
        header: "place",
        hashtag: "#loc+name",
        field: Some(ProfileField::Place),
        value: |c, _| c.place.clone().unwrap_or_default(),
    },
    Column {
        header: "message",
        hashtag: "#description",
        field: Some(ProfileField::Message),
        value: |c, _| c.message.clone().unwrap_or_default(),
    },
    Column {
        header: "reporter_name",
        hashtag: "#contact+reporter+name",
        field: Some(ProfileField::Reporter),
        value: |c, _| c.reporter.as_ref().and_then(|r| r.name.clone()).unwrap_or_default(),
    },
    Column {
        header: "reporter_phone",
        hashtag: "#contact+reporter+phone",
        field: Some(ProfileField::Reporter),
        value: |c, _| c.reporter.as_ref().and_then(|r| r.phone.clone()).unwrap_or_default(),
    },
    Column {
        header: "reporter_relation",
        hashtag: "#contact+reporter+relation",
        field: Some(ProfileField::Reporter),
        value: |c, _| c.reporter.as_ref().and_then(|r| r.relation.clone()).unwrap_or_default(),
    },
];

/// A CSV cell: quoted when it must be, and never read as a formula by a spreadsheet (a cell
/// starting with `=`, `@`, a tab or a return, or with `+`/`-` not followed by only digits, gets a
/// leading apostrophe; phone numbers like `+249912345678` stay as they are).
pub fn csv_cell(value: &str) -> String {
    let numeric_sign = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let risky = match value.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !numeric_sign(&value[1..]),
        _ => false,
    };
    let value = if risky { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// A CSV row of `cells` (each through `csv_cell`), with its line end, appended to `out`.
pub fn push_csv_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(cell.as_ref()));
    }
    out.push_str("\r\n");
}

/// The byte order mark a CSV starts with: spreadsheet programs (Excel) read UTF-8 only with it,
/// and without it garble Arabic names.
pub const CSV_BOM: char = '\u{FEFF}';

/// The cases as CSV: a byte order mark, a header row, an HXL hashtag row, then one row per
/// person (one row for a case without people). Only the profile's columns appear.
pub fn to_csv(cases: &[PartnerCase], profile: &DataProfile) -> String {
    let columns: Vec<&Column> = COLUMNS.iter().filter(|c| c.field.is_none_or(|f| profile.allows(f))).collect();
    let mut out = String::from(CSV_BOM);
    push_csv_row(&mut out, &columns.iter().map(|c| c.header).collect::<Vec<_>>());
    push_csv_row(&mut out, &columns.iter().map(|c| c.hashtag).collect::<Vec<_>>());
    for case in cases {
        let people: Vec<Option<&PersonView>> =
            if case.people.is_empty() { vec![None] } else { case.people.iter().map(Some).collect() };
        for person in people {
            push_csv_row(&mut out, &columns.iter().map(|c| (c.value)(case, person)).collect::<Vec<_>>());
        }
    }
    out
}

/// The cases as an RFC 7946 feature collection: a point at each case's coarse cell centre (a
/// null geometry for a case without a location), the view as its properties.
pub fn to_geojson(cases: &[PartnerCase]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = cases
        .iter()
        .map(|case| {
            let geometry = case.location.as_ref().map_or(
                serde_json::Value::Null,
                |l| serde_json::json!({"type": "Point", "coordinates": [round6(l.lon), round6(l.lat)]}),
            );
            let mut properties = serde_json::to_value(case).expect("views serialize");
            if let Some(map) = properties.as_object_mut() {
                map.remove("location");
                if let Some(location) = &case.location {
                    map.insert("cell".into(), serde_json::json!(location.cell));
                    map.insert("resolution".into(), serde_json::json!(location.resolution));
                }
            }
            serde_json::json!({"type": "Feature", "id": case.case_id, "geometry": geometry, "properties": properties})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// RFC 7946 §11.2: six decimal places (about 10 cm) is more than enough for a cell centre.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Coordinates;
    use crate::partner::PartnerKind;
    use proptest::prelude::*;

    const ME: Uuid = Uuid::from_u128(0xA);
    const OTHER: Uuid = Uuid::from_u128(0xB);

    fn facts(referrals: Vec<ReferralFacts>) -> CaseFacts {
        CaseFacts {
            case_id: Uuid::from_u128(1),
            reference: "KRT-TEST".into(),
            status: CaseStatus::Triaged,
            priority: PriorityLevel::High,
            needs: vec![Need::Medical],
            flags: vec![Flag::Injured],
            cell: Some(Coordinates::parse(15.5881, 32.5342).unwrap().cell()),
            place: Some("Amarat street 15".into()),
            message: Some("my sister is bleeding".into()),
            people: vec![PersonFacts {
                name: Some("Mona Adel".into()),
                age: Some(9),
                sex: Some("female".into()),
                phone: Some("+249912345678".into()),
                passport: Some("A12345678".into()),
            }],
            reporter: Some(ReporterFacts {
                name: Some("Adel".into()),
                phone: Some("+201001234567".into()),
                relation: Some("parent".into()),
            }),
            referrals,
        }
    }

    fn referral(partner_id: Uuid, request_type: RequestType, status: ReferralStatus) -> ReferralFacts {
        ReferralFacts {
            referral_id: Uuid::new_v4(),
            partner_id,
            request_type,
            status,
            note: None,
            referred_at: Timestamp(0),
            updated_at: Timestamp(0),
            history: vec![],
        }
    }

    #[test]
    fn no_referral_no_view() {
        let profile = DataProfile::default_for(PartnerKind::RedCrescent);
        let case = facts(vec![referral(OTHER, RequestType::Transport, ReferralStatus::Pending)]);
        assert!(project(&case, ME, &profile).is_none());
        let declined = facts(vec![referral(ME, RequestType::Transport, ReferralStatus::Declined)]);
        assert!(project(&declined, ME, &profile).is_none(), "a declined referral gives no access");
    }

    #[test]
    fn an_accepted_medical_evacuation_sharpens_the_location() {
        let profile = DataProfile::default_for(PartnerKind::RedCrescent);
        let pending = facts(vec![referral(ME, RequestType::MedicalEvacuation, ReferralStatus::Pending)]);
        assert_eq!(project(&pending, ME, &profile).unwrap().location.unwrap().resolution, 7);
        let accepted = facts(vec![referral(ME, RequestType::MedicalEvacuation, ReferralStatus::EnRoute)]);
        assert_eq!(project(&accepted, ME, &profile).unwrap().location.unwrap().resolution, 9);
        let finished = facts(vec![referral(ME, RequestType::MedicalEvacuation, ReferralStatus::Unable)]);
        assert_eq!(project(&finished, ME, &profile).unwrap().location.unwrap().resolution, 7, "not once it is over");
        let transport = facts(vec![referral(ME, RequestType::Transport, ReferralStatus::Accepted)]);
        assert_eq!(project(&transport, ME, &profile).unwrap().location.unwrap().resolution, 7);
    }

    #[test]
    fn the_red_crescent_gets_no_passport_and_other_partners_referrals_stay_hidden() {
        let profile = DataProfile::default_for(PartnerKind::RedCrescent);
        let case = facts(vec![
            referral(ME, RequestType::MedicalEvacuation, ReferralStatus::Pending),
            referral(OTHER, RequestType::ConsularDocuments, ReferralStatus::Accepted),
        ]);
        let view = project(&case, ME, &profile).unwrap();
        let json = serde_json::to_string(&view).unwrap();
        assert!(json.contains("Mona Adel") && json.contains("+249912345678"));
        assert!(!json.contains("A12345678") && !json.contains("bleeding") && !json.contains("Amarat"));
        assert!(!json.contains("consular_documents"));
        let csv = to_csv(&[view], &profile);
        assert!(!csv.contains("passport") && csv.contains("#beneficiary+name"));
        assert!(csv.starts_with("\u{FEFF}case_id,reference,"), "a byte order mark, then the header");
    }

    #[test]
    fn csv_cells_are_never_formulas_but_phones_stay_phones() {
        assert_eq!(csv_cell("+249912345678"), "+249912345678");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
        assert_eq!(csv_cell("-3"), "-3");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }

    // ---- the minimisation property: for any case and any profile, no serialised feed item or
    // export row carries a field outside the profile or a location finer than it allows.

    /// Every value carries a marker naming its field, so a leak is visible as text.
    fn arb_facts() -> impl Strategy<Value = CaseFacts> {
        let person = (any::<bool>(), proptest::option::of(0u8..100), any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(name, age, sex, phone, passport)| PersonFacts {
                name: name.then(|| "NAMEMARK Mona".into()),
                age,
                sex: sex.then(|| "female".into()),
                phone: phone.then(|| "+249900000001".into()),
                passport: passport.then(|| "PASSMARK123".into()),
            });
        let referral = (0u8..3, 0usize..6, 0usize..10).prop_map(|(who, kind, status)| ReferralFacts {
            referral_id: Uuid::from_u128(u128::from(who) + 100),
            partner_id: if who == 0 { OTHER } else { ME },
            request_type: RequestType::ALL[kind],
            status: ReferralStatus::ALL[status],
            note: Some("NOTE to partner".into()),
            referred_at: Timestamp(1),
            updated_at: Timestamp(2),
            history: vec![ReferralStep {
                status: ReferralStatus::Accepted,
                text: Some("on our way".into()),
                at: Timestamp(3),
            }],
        });
        (
            proptest::collection::vec(person, 0..4),
            proptest::collection::vec(referral, 1..4),
            proptest::option::of((-60.0f64..60.0, -170.0f64..170.0)),
            any::<bool>(),
        )
            .prop_map(|(people, referrals, position, reporter)| CaseFacts {
                case_id: Uuid::from_u128(7),
                reference: "KRT-PROP".into(),
                status: CaseStatus::New,
                priority: PriorityLevel::Normal,
                needs: vec![Need::Power],
                flags: vec![Flag::Elderly],
                cell: position.map(|(lat, lon)| Coordinates::parse(lat, lon).unwrap().cell()),
                place: Some("PLACEMARK street".into()),
                message: Some("MSGMARK help".into()),
                people,
                reporter: reporter.then(|| ReporterFacts {
                    name: Some("REPORTERMARK".into()),
                    phone: Some("+201000000009".into()),
                    relation: Some("sibling".into()),
                }),
                referrals,
            })
    }

    fn arb_profile() -> impl Strategy<Value = DataProfile> {
        (proptest::sample::subsequence(ProfileField::ALL.to_vec(), 0..=ProfileField::ALL.len()), 4u8..=9, 4u8..=9)
            .prop_map(|(fields, a, b)| DataProfile {
                fields,
                resolution: a.min(b),
                evacuation_resolution: a.max(b),
                region: None,
                crises: Vec::new(),
            })
    }

    /// Keys a view may carry whatever the profile, and the keys each field adds.
    const ALWAYS: &[&str] = &[
        "case_id",
        "reference",
        "status",
        "priority",
        "referrals",
        "location",
        "people",
        "referral_id",
        "request_type",
        "note",
        "referred_at",
        "updated_at",
        "history",
        "text",
        "at",
        "cell",
        "resolution",
        "lat",
        "lon",
        "type",
        "features",
        "id",
        "geometry",
        "properties",
        "coordinates",
    ];

    fn keys_for(field: ProfileField) -> &'static [&'static str] {
        match field {
            ProfileField::Names => &["name"],
            ProfileField::Ages => &["age"],
            ProfileField::Sex => &["sex"],
            ProfileField::Phones => &["phone"],
            ProfileField::Passports => &["passport"],
            ProfileField::Needs => &["needs"],
            ProfileField::Flags => &["flags"],
            ProfileField::Place => &["place"],
            ProfileField::Message => &["message"],
            ProfileField::Reporter => &["reporter", "name", "phone", "relation"],
        }
    }

    fn markers_for(field: ProfileField) -> &'static [&'static str] {
        match field {
            ProfileField::Names => &["NAMEMARK"],
            ProfileField::Phones => &["+249900000001"],
            ProfileField::Passports => &["PASSMARK"],
            ProfileField::Place => &["PLACEMARK"],
            ProfileField::Message => &["MSGMARK"],
            ProfileField::Reporter => &["REPORTERMARK", "+201000000009"],
            ProfileField::Needs => &["power"],
            ProfileField::Flags => &["elderly"],
            ProfileField::Ages | ProfileField::Sex => &[],
        }
    }

    fn collect_keys(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    out.push(key.clone());
                    collect_keys(inner, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect_keys(i, out)),
            _ => {}
        }
    }

    /// The finest resolution a partner may see this case at.
    fn allowed_resolution(facts: &CaseFacts, profile: &DataProfile) -> u8 {
        let own: Vec<&ReferralFacts> =
            facts.referrals.iter().filter(|r| r.partner_id == ME && r.status.gives_access()).collect();
        resolution_for(profile, &own)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn nothing_outside_the_profile_ever_reaches_a_partner(facts in arb_facts(), profile in arb_profile()) {
            let Some(view) = project(&facts, ME, &profile) else {
                prop_assert!(!visible_to(&facts, ME));
                return Ok(());
            };
            let allowed: Vec<&str> = ALWAYS
                .iter()
                .copied()
                .chain(profile.fields.iter().flat_map(|f| keys_for(*f).iter().copied()))
                .collect();
            let feed_item = serde_json::to_value(&view).unwrap();
            let geojson = to_geojson(std::slice::from_ref(&view));
            let csv = to_csv(std::slice::from_ref(&view), &profile);
            for serialised in [&feed_item, &geojson] {
                let mut keys = Vec::new();
                collect_keys(serialised, &mut keys);
                for key in keys {
                    prop_assert!(allowed.contains(&key.as_str()), "key {key} outside profile {:?}", profile.fields);
                }
            }
            for field in ProfileField::ALL.iter().filter(|f| !profile.allows(**f)) {
                for marker in markers_for(*field) {
                    let (json, geo) = (feed_item.to_string(), geojson.to_string());
                    prop_assert!(!json.contains(marker) && !geo.contains(marker) && !csv.contains(marker),
                        "{marker} leaked without {field:?}");
                }
            }
            // Never another partner's referral.
            let mine: Vec<Uuid> = facts.referrals.iter().filter(|r| r.partner_id == ME).map(|r| r.referral_id).collect();
            prop_assert!(view.referrals.iter().all(|r| mine.contains(&r.referral_id)));
            // Locations: a fixed cell no finer than allowed, at its centre, containing the truth.
            if let Some(location) = &view.location {
                let limit = allowed_resolution(&facts, &profile);
                prop_assert!(location.resolution <= limit);
                prop_assert_eq!(location.cell.resolution(), location.resolution);
                let truth = facts.cell.unwrap();
                prop_assert_eq!(truth.parent(location.resolution), Some(location.cell));
                let centre = h3o::LatLng::from(location.cell.index());
                prop_assert_eq!((location.lat, location.lon), (centre.lat(), centre.lng()));
                // The export's coordinates are that centre too, never anything finer.
                let point = &geojson["features"][0]["geometry"]["coordinates"];
                prop_assert_eq!(point[0].as_f64().unwrap(), round6(centre.lng()));
                let lat = format!("{:.6}", centre.lat());
                for row in csv.lines().skip(2) {
                    prop_assert!(row.contains(&lat), "row {} lacks the centre's latitude", row);
                }
            } else {
                prop_assert!(facts.cell.is_none());
            }
            // The HXL header names only the profile's columns.
            let hashtags = csv.lines().nth(1).unwrap();
            prop_assert_eq!(hashtags.contains("#beneficiary+id+passport"), profile.allows(ProfileField::Passports));
            prop_assert_eq!(hashtags.contains("#beneficiary+name"), profile.allows(ProfileField::Names));
        }
    }
}
