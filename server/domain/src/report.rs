//! Intake: a distress report from raw input to a validated [`NewReport`].
//!
//! Owns what a report may contain and the rule that a report must say *something* (a name or a
//! message): partial reports are normal, empty ones are not. Field paths in refusals match the
//! public JSON shape (`people[0].phone`), so the form can show the error next to the field.

use serde::{Deserialize, Serialize};

use crate::Rejected;
use crate::country::PhoneRegions;
use crate::location::Location;
use crate::need::{Flag, Need};
use crate::text::{Message, PassportNumber, PersonName, PhoneNumber, PlaceName};

/// The most people one report may list; a large family or a group of students fits.
pub const MAX_PEOPLE: usize = 50;
/// The oldest plausible age.
pub const MAX_AGE: u32 = 130;

/// Language the reporter used; it decides the language of every answer they get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Language {
    #[default]
    Ar,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::En => "en",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

/// Who the reporter is to the people in danger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Relation {
    /// The reporter is one of the people in danger.
    #[serde(rename = "self")]
    Myself,
    Parent,
    Child,
    Spouse,
    Sibling,
    Guardian,
    Relative,
    Friend,
    Other,
}

/// How a report reached the ops room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// The public web form or the public API.
    Web,
    Hotline,
    Whatsapp,
    Facebook,
    Email,
    WalkIn,
    /// Imported from another agency's records (PFIF).
    Import,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Hotline => "hotline",
            Channel::Whatsapp => "whatsapp",
            Channel::Facebook => "facebook",
            Channel::Email => "email",
            Channel::WalkIn => "walk_in",
            Channel::Import => "import",
        }
    }
}

/// A person as the reporter describes them, before validation.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: Option<String>,
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub passport: Option<String>,
    pub phone: Option<String>,
}

/// The person making the report, before validation.
#[derive(Debug, Clone, Default)]
pub struct ReporterInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub relation: Option<Relation>,
    /// Where the reporter is ("Cairo", "Riyadh"): often not where the people in danger are.
    pub place: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LocationInput {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub place: Option<String>,
}

/// A report exactly as received, before validation.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub language: Option<Language>,
    pub reporter: Option<ReporterInput>,
    pub location: Option<LocationInput>,
    pub people: Vec<PersonInput>,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub message: Option<String>,
}

/// A validated description of one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetails {
    pub name: Option<PersonName>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub passport: Option<PassportNumber>,
    pub phone: Option<PhoneNumber>,
}

/// A validated reporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterDetails {
    pub name: Option<PersonName>,
    pub phone: Option<PhoneNumber>,
    pub relation: Option<Relation>,
    pub place: Option<PlaceName>,
}

/// A report that passed validation: every field is within limits and normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub language: Language,
    pub channel: Channel,
    /// The operator who took the report on behalf of a caller; `None` for the public form.
    pub taken_by: Option<uuid::Uuid>,
    pub reporter: Option<ReporterDetails>,
    pub location: Location,
    pub people: Vec<PersonDetails>,
    /// Sorted, without repeats.
    pub needs: Vec<Need>,
    /// Sorted, without repeats.
    pub flags: Vec<Flag>,
    pub message: Option<Message>,
    /// The crisis the report is placed in (`crate::crisis::CrisisIndex::place`, or the one the
    /// form or operator chose); `None` until placed, and for a report no crisis holds.
    pub crisis_id: Option<uuid::Uuid>,
}

fn optional<T>(
    raw: Option<&str>,
    field: &str,
    parse: impl FnOnce(&str) -> Result<T, Rejected>,
) -> Result<Option<T>, Rejected> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => parse(value).map(Some).map_err(|r| r.within(field)),
    }
}

/// The refusals found while validating a whole report: every field is checked, so a person on
/// a bad line fixes all their mistakes in one round trip instead of one per submit.
#[derive(Debug, Default)]
struct Refusals(Vec<Rejected>);

impl Refusals {
    /// The value, or `None` with its refusal noted (under `parent`, if given).
    fn take<T>(&mut self, result: Result<T, Rejected>, parent: Option<&str>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(refused) => {
                self.0.push(match parent {
                    Some(parent) => refused.within(parent),
                    None => refused,
                });
                None
            }
        }
    }
}

/// Whether a typed text holds anything but white space.
fn given(raw: Option<&str>) -> bool {
    raw.is_some_and(|raw| !raw.trim().is_empty())
}

fn parse_person(
    input: &PersonInput,
    regions: &PhoneRegions,
    refusals: &mut Refusals,
    path: &str,
) -> Option<PersonDetails> {
    let before = refusals.0.len();
    let within = |field: &str| format!("{path}.{field}");
    let name = refusals
        .take(
            input.name.as_deref().map(PersonName::parse_optional).transpose().map(Option::flatten),
            Some(&within("name")),
        )
        .flatten();
    let age = match input.age {
        Some(age) if age > MAX_AGE => {
            refusals.0.push(Rejected::new("out_of_range", within("age"), format!("age must be from 0 to {MAX_AGE}")));
            None
        }
        Some(age) => Some(u8::try_from(age).expect("MAX_AGE fits in u8")),
        None => None,
    };
    let passport =
        refusals.take(optional(input.passport.as_deref(), "passport", PassportNumber::parse), Some(path)).flatten();
    let read_phone = |raw: &str| PhoneNumber::parse(raw, regions.people_in_danger());
    let phone = refusals.take(optional(input.phone.as_deref(), "phone", read_phone), Some(path)).flatten();
    if refusals.0.len() > before {
        return None;
    }
    let person = PersonDetails { name, age, sex: input.sex, passport, phone };
    let says_nothing = person.name.is_none()
        && person.age.is_none()
        && person.passport.is_none()
        && person.phone.is_none()
        && matches!(person.sex, None | Some(Sex::Unknown));
    if says_nothing {
        refusals.0.push(Rejected::new(
            "empty_person",
            within("name"),
            "give at least a name, an age or a phone for each person",
        ));
        return None;
    }
    Some(person)
}

fn parse_reporter(input: &ReporterInput, regions: &PhoneRegions, refusals: &mut Refusals) -> Option<ReporterDetails> {
    let name = refusals
        .take(
            input.name.as_deref().map(PersonName::parse_optional).transpose().map(Option::flatten),
            Some("reporter.name"),
        )
        .flatten();
    let region = regions.reporter(input.relation == Some(Relation::Myself));
    let read_phone = |raw: &str| PhoneNumber::parse(raw, region);
    let phone = refusals.take(optional(input.phone.as_deref(), "phone", read_phone), Some("reporter")).flatten();
    let place = refusals
        .take(
            input.place.as_deref().map(PlaceName::parse_optional).transpose().map(Option::flatten),
            Some("reporter.place"),
        )
        .flatten();
    let reporter = ReporterDetails { name, phone, relation: input.relation, place };
    let empty = reporter.name.is_none() && reporter.phone.is_none() && reporter.place.is_none();
    (!empty || reporter.relation.is_some()).then_some(reporter)
}

impl NewReport {
    /// Validate a report that came in through `channel`, reading phones typed without their
    /// country code in `regions`; the first refusal if there are several.
    pub fn parse(input: &ReportInput, channel: Channel, regions: &PhoneRegions) -> Result<Self, Rejected> {
        Self::parse_all(input, channel, regions).map_err(|mut refusals| refusals.swap_remove(0))
    }

    /// Validate a report that came in through `channel`, checking every field: every refusal,
    /// in the order of the report's fields (never an empty list). Phones typed without their
    /// country code are read in `regions`.
    pub fn parse_all(input: &ReportInput, channel: Channel, regions: &PhoneRegions) -> Result<Self, Vec<Rejected>> {
        if input.people.len() > MAX_PEOPLE {
            return Err(vec![Rejected::new(
                "too_many",
                "people",
                format!("a report may list at most {MAX_PEOPLE} people; send another report for the rest"),
            )]);
        }
        let mut refusals = Refusals::default();
        let reporter = input.reporter.as_ref().and_then(|r| parse_reporter(r, regions, &mut refusals));
        let location = match &input.location {
            Some(l) => refusals
                .take(Location::parse(l.lat, l.lon, l.accuracy_m, l.place.as_deref()), Some("location"))
                .unwrap_or_default(),
            None => Location::default(),
        };
        let people: Vec<PersonDetails> = input
            .people
            .iter()
            .enumerate()
            .filter_map(|(i, p)| parse_person(p, regions, &mut refusals, &format!("people[{i}]")))
            .collect();
        let message = refusals.take(Message::parse_field(input.message.as_deref(), "message"), None).flatten();

        // Something to go on: a name, a message, or a reporter who is themselves in danger and
        // can be called back ("me", a phone, a place: what a panicked person knows). A name or
        // message refused above was still given: its own refusal says what to fix.
        let reporter_in_danger = input.reporter.as_ref().is_some_and(|r| {
            r.relation == Some(Relation::Myself) && (given(r.name.as_deref()) || given(r.phone.as_deref()))
        });
        let says_something = input.people.iter().any(|p| given(p.name.as_deref()))
            || given(input.message.as_deref())
            || reporter_in_danger;
        if !says_something {
            refusals.0.push(Rejected::new(
                "empty_report",
                "people",
                "give at least one person's name or a message describing the situation",
            ));
        }
        if !refusals.0.is_empty() {
            return Err(refusals.0);
        }

        let needs = crate::need::sorted_unique(&input.needs);
        let flags = crate::need::sorted_unique(&input.flags);

        Ok(Self {
            language: input.language.unwrap_or_default(),
            channel,
            taken_by: None,
            reporter,
            location,
            people,
            needs,
            flags,
            message,
            crisis_id: None,
        })
    }

    pub fn ages(&self) -> Vec<u8> {
        self.people.iter().filter_map(|p| p.age).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::country::CountryCode;

    /// Egypt's room with no crisis known: local numbers of people in danger need their code.
    const NO_CRISIS: PhoneRegions = PhoneRegions { crisis: None, home: CountryCode::EGYPT };

    fn named(name: &str) -> PersonInput {
        PersonInput { name: Some(name.to_owned()), ..Default::default() }
    }

    #[test]
    fn a_name_alone_is_a_report() {
        let input = ReportInput { people: vec![named("سارة")], ..Default::default() };
        let report = NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap();
        assert_eq!(report.language, Language::Ar);
        assert_eq!(report.location.cell(), None);
    }

    #[test]
    fn a_message_alone_is_a_report() {
        let input = ReportInput { message: Some("four children alone in Riyadh".into()), ..Default::default() };
        assert!(NewReport::parse(&input, Channel::Web, &NO_CRISIS).is_ok());
    }

    #[test]
    fn nothing_to_go_on_is_refused() {
        let input = ReportInput {
            people: vec![PersonInput { age: Some(9), ..Default::default() }],
            needs: vec![Need::Food],
            ..Default::default()
        };
        let err = NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap_err();
        assert_eq!(err.code, "empty_report");
    }

    #[test]
    fn field_paths_point_at_the_culprit() {
        let input = ReportInput {
            people: vec![
                named("Ali"),
                PersonInput { name: Some("Huda".into()), phone: Some("0912".into()), ..Default::default() },
            ],
            ..Default::default()
        };
        let err = NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("people[1].phone"));

        let input = ReportInput {
            people: vec![named("Ali")],
            location: Some(LocationInput { lat: Some(95.0), lon: Some(32.0), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(
            NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap_err().field.as_deref(),
            Some("location.lat")
        );

        let input = ReportInput {
            people: vec![PersonInput { name: Some("x".repeat(10_000)), ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(
            NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap_err().field.as_deref(),
            Some("people[0].name")
        );
    }

    #[test]
    fn every_refusal_of_a_report_is_named_at_once() {
        let input = ReportInput {
            reporter: Some(ReporterInput { phone: Some("12".into()), ..Default::default() }),
            people: vec![
                PersonInput { name: Some("Ali".into()), age: Some(200), ..Default::default() },
                PersonInput { name: Some("Huda".into()), passport: Some("!".into()), ..Default::default() },
            ],
            location: Some(LocationInput { lat: Some(95.0), lon: Some(32.0), ..Default::default() }),
            ..Default::default()
        };
        let refusals = NewReport::parse_all(&input, Channel::Web, &NO_CRISIS).unwrap_err();
        let fields: Vec<_> = refusals.iter().map(|r| r.field.as_deref().unwrap()).collect();
        assert_eq!(fields, ["reporter.phone", "location.lat", "people[0].age", "people[1].passport"]);
        // `parse` keeps answering the first.
        assert_eq!(NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap_err(), refusals[0]);
    }

    #[test]
    fn a_reporter_in_danger_with_a_phone_is_enough() {
        let me = |phone: Option<&str>| ReportInput {
            reporter: Some(ReporterInput {
                phone: phone.map(str::to_owned),
                relation: Some(Relation::Myself),
                ..Default::default()
            }),
            needs: vec![Need::Water],
            ..Default::default()
        };
        assert!(NewReport::parse(&me(Some("+249912345678")), Channel::Web, &NO_CRISIS).is_ok());
        assert_eq!(NewReport::parse(&me(None), Channel::Web, &NO_CRISIS).unwrap_err().code, "empty_report");
    }

    #[test]
    fn needs_and_flags_are_sorted_sets() {
        let input = ReportInput {
            people: vec![named("Ali")],
            needs: vec![Need::Water, Need::Medical, Need::Water],
            flags: vec![Flag::Injured, Flag::Injured],
            ..Default::default()
        };
        let report = NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap();
        assert_eq!(report.needs, [Need::Medical, Need::Water]);
        assert_eq!(report.flags, [Flag::Injured]);
    }

    #[test]
    fn too_many_people_and_impossible_ages_are_refused() {
        let input =
            ReportInput { people: (0..=MAX_PEOPLE).map(|i| named(&format!("p{i}"))).collect(), ..Default::default() };
        assert_eq!(NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap_err().code, "too_many");
        let input = ReportInput {
            people: vec![PersonInput { name: Some("A".into()), age: Some(200), ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(
            NewReport::parse(&input, Channel::Web, &NO_CRISIS).unwrap_err().field.as_deref(),
            Some("people[0].age")
        );
    }

    #[test]
    fn local_numbers_are_read_where_whoever_typed_them_is() {
        let libya = PhoneRegions { crisis: Some(CountryCode::parse("LY").unwrap()), home: CountryCode::EGYPT };
        let input = |relation| ReportInput {
            reporter: Some(ReporterInput { phone: Some("010 0123 4567".into()), relation, ..Default::default() }),
            people: vec![PersonInput {
                name: Some("Huda".into()),
                phone: Some("091 234 5678".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        // A mother in Cairo types her Egyptian number; her son in Tripoli's is Libyan.
        let report = NewReport::parse(&input(Some(Relation::Parent)), Channel::Web, &libya).unwrap();
        assert_eq!(report.reporter.unwrap().phone.unwrap().as_str(), "+201001234567");
        assert_eq!(report.people[0].phone.as_ref().unwrap().as_str(), "+218912345678");
        // A reporter who did not say who they are is taken to be elsewhere, like a relative.
        let report = NewReport::parse(&input(None), Channel::Web, &libya).unwrap();
        assert_eq!(report.reporter.unwrap().phone.unwrap().as_str(), "+201001234567");
        // A reporter who is in danger types a number of where they are: 0100… is no Libyan number.
        let refused = NewReport::parse_all(&input(Some(Relation::Myself)), Channel::Web, &libya).unwrap_err();
        assert_eq!(refused[0].field.as_deref(), Some("reporter.phone"));
        let mut mine = input(Some(Relation::Myself));
        mine.reporter.as_mut().unwrap().phone = Some("092-123-4567".into());
        let report = NewReport::parse(&mine, Channel::Web, &libya).unwrap();
        assert_eq!(report.reporter.unwrap().phone.unwrap().as_str(), "+218921234567");
        // With no crisis known, a person in danger's local number cannot be read; one with its
        // code can.
        let refused = NewReport::parse(&input(Some(Relation::Parent)), Channel::Web, &NO_CRISIS).unwrap_err();
        assert_eq!((refused.code, refused.field.as_deref()), ("phone_needs_country_code", Some("people[0].phone")));
        let mut coded = input(Some(Relation::Parent));
        coded.people[0].phone = Some("+218 91 234 5678".into());
        assert!(NewReport::parse(&coded, Channel::Web, &NO_CRISIS).is_ok());
    }
}
