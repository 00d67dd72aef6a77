//! Intake: a distress report from raw input to a validated [`NewReport`].
//!
//! Owns what a report may contain and the rule that a report must say *something* (a name or a
//! message): partial reports are normal, empty ones are not. Field paths in refusals match the
//! public JSON shape (`people[0].phone`), so the form can show the error next to the field.

use serde::{Deserialize, Serialize};

use crate::Rejected;
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

fn parse_person(input: &PersonInput) -> Result<PersonDetails, Rejected> {
    let name =
        input.name.as_deref().map(PersonName::parse_optional).transpose().map_err(|r| r.within("name"))?.flatten();
    let age = match input.age {
        Some(age) if age > MAX_AGE => {
            return Err(Rejected::new("out_of_range", "age", format!("age must be from 0 to {MAX_AGE}")));
        }
        Some(age) => Some(u8::try_from(age).expect("MAX_AGE fits in u8")),
        None => None,
    };
    let person = PersonDetails {
        name,
        age,
        sex: input.sex,
        passport: optional(input.passport.as_deref(), "passport", PassportNumber::parse)?,
        phone: optional(input.phone.as_deref(), "phone", PhoneNumber::parse)?,
    };
    let says_nothing = person.name.is_none()
        && person.age.is_none()
        && person.passport.is_none()
        && person.phone.is_none()
        && matches!(person.sex, None | Some(Sex::Unknown));
    if says_nothing {
        return Err(Rejected::new("empty_person", "name", "give at least a name, an age or a phone for each person"));
    }
    Ok(person)
}

fn parse_reporter(input: &ReporterInput) -> Result<Option<ReporterDetails>, Rejected> {
    let reporter = ReporterDetails {
        name: input
            .name
            .as_deref()
            .map(PersonName::parse_optional)
            .transpose()
            .map_err(|r| r.within("name"))?
            .flatten(),
        phone: optional(input.phone.as_deref(), "phone", PhoneNumber::parse)?,
        relation: input.relation,
        place: input
            .place
            .as_deref()
            .map(PlaceName::parse_optional)
            .transpose()
            .map_err(|r| r.within("place"))?
            .flatten(),
    };
    let empty = reporter.name.is_none() && reporter.phone.is_none() && reporter.place.is_none();
    Ok((!empty || reporter.relation.is_some()).then_some(reporter))
}

impl NewReport {
    /// Validate a report that came in through `channel`.
    pub fn parse(input: &ReportInput, channel: Channel) -> Result<Self, Rejected> {
        if input.people.len() > MAX_PEOPLE {
            return Err(Rejected::new(
                "too_many",
                "people",
                format!("a report may list at most {MAX_PEOPLE} people; send another report for the rest"),
            ));
        }
        let people = input
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| parse_person(p).map_err(|r| r.within(&format!("people[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        let reporter =
            input.reporter.as_ref().map(parse_reporter).transpose().map_err(|r| r.within("reporter"))?.flatten();
        let location = match &input.location {
            Some(l) => {
                Location::parse(l.lat, l.lon, l.accuracy_m, l.place.as_deref()).map_err(|r| r.within("location"))?
            }
            None => Location::default(),
        };
        let message = Message::parse_field(input.message.as_deref(), "message")?;

        if message.is_none() && people.iter().all(|p| p.name.is_none()) {
            return Err(Rejected::new(
                "empty_report",
                "people",
                "give at least one person's name or a message describing the situation",
            ));
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
        })
    }

    pub fn ages(&self) -> Vec<u8> {
        self.people.iter().filter_map(|p| p.age).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> PersonInput {
        PersonInput { name: Some(name.to_owned()), ..Default::default() }
    }

    #[test]
    fn a_name_alone_is_a_report() {
        let input = ReportInput { people: vec![named("سارة")], ..Default::default() };
        let report = NewReport::parse(&input, Channel::Web).unwrap();
        assert_eq!(report.language, Language::Ar);
        assert_eq!(report.location.cell(), None);
    }

    #[test]
    fn a_message_alone_is_a_report() {
        let input = ReportInput { message: Some("four children alone in Riyadh".into()), ..Default::default() };
        assert!(NewReport::parse(&input, Channel::Web).is_ok());
    }

    #[test]
    fn nothing_to_go_on_is_refused() {
        let input = ReportInput {
            people: vec![PersonInput { age: Some(9), ..Default::default() }],
            needs: vec![Need::Food],
            ..Default::default()
        };
        let err = NewReport::parse(&input, Channel::Web).unwrap_err();
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
        let err = NewReport::parse(&input, Channel::Web).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("people[1].phone"));

        let input = ReportInput {
            people: vec![named("Ali")],
            location: Some(LocationInput { lat: Some(95.0), lon: Some(32.0), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(NewReport::parse(&input, Channel::Web).unwrap_err().field.as_deref(), Some("location.lat"));

        let input = ReportInput {
            people: vec![PersonInput { name: Some("x".repeat(10_000)), ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(NewReport::parse(&input, Channel::Web).unwrap_err().field.as_deref(), Some("people[0].name"));
    }

    #[test]
    fn needs_and_flags_are_sorted_sets() {
        let input = ReportInput {
            people: vec![named("Ali")],
            needs: vec![Need::Water, Need::Medical, Need::Water],
            flags: vec![Flag::Injured, Flag::Injured],
            ..Default::default()
        };
        let report = NewReport::parse(&input, Channel::Web).unwrap();
        assert_eq!(report.needs, [Need::Medical, Need::Water]);
        assert_eq!(report.flags, [Flag::Injured]);
    }

    #[test]
    fn too_many_people_and_impossible_ages_are_refused() {
        let input =
            ReportInput { people: (0..=MAX_PEOPLE).map(|i| named(&format!("p{i}"))).collect(), ..Default::default() };
        assert_eq!(NewReport::parse(&input, Channel::Web).unwrap_err().code, "too_many");
        let input = ReportInput {
            people: vec![PersonInput { name: Some("A".into()), age: Some(200), ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(NewReport::parse(&input, Channel::Web).unwrap_err().field.as_deref(), Some("people[0].age"));
    }
}
