//! The public form's fields, turned into the API's report and update shapes.
//!
//! Owns what a browser form can send that JSON cannot: flat names (`people[1].phone`), a country
//! code picked beside a phone number, a position typed as `lat, lon` in any digits (anything else
//! typed there is kept as place text for the operators to place), empty rows of a fixed-size
//! person list, the honeypot field and the form's own idempotency key. The result is the same
//! JSON the API takes, so validation happens once, in the domain; what only the form can get
//! wrong (an age that is not a number) is collected beside it, so the page names every mistake at
//! once. Field paths in errors are mapped back to the form's own names, so every message lands
//! next to its input.

use opsroom_domain::country::CountryCode;
use opsroom_domain::report::MAX_PEOPLE;
use opsroom_domain::text::ascii_digits;
use serde_json::{Map, Value, json};

use crate::wire::{FieldProblem, Problem};

/// The hidden field bots fill in and people never see.
pub const HONEYPOT: &str = "website";
/// The hidden field carrying the form's idempotency key (a refresh or double tap sends it again).
pub const KEY_FIELD: &str = "idempotency_key";
/// Person rows the form shows without JavaScript.
pub const BLANK_PERSON_ROWS: usize = 3;

/// A submitted form, as name/value pairs in order.
#[derive(Debug, Default, Clone)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    pub fn parse(body: &[u8]) -> Result<Self, Problem> {
        serde_urlencoded::from_bytes(body)
            .map(FormFields)
            .map_err(|_| Problem::new("invalid_form", "the form could not be read", None))
    }

    /// The trimmed value of a field, if it is present and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// How many person rows the form had (the highest `people[i]` index plus one).
    pub fn person_rows(&self) -> usize {
        self.0
            .iter()
            .filter_map(|(n, _)| n.strip_prefix("people[")?.split(']').next()?.parse::<usize>().ok())
            .map(|i| i + 1)
            .max()
            .unwrap_or(0)
            .min(MAX_PEOPLE)
    }

    /// Whether the honeypot was filled in.
    pub fn is_bot(&self) -> bool {
        self.get(HONEYPOT).is_some()
    }
}

/// The form as an API report, which form row each reported person came from, and what the form
/// alone refused (those fields are left out of `json`, so the domain checks the rest).
pub struct ConvertedReport {
    pub json: Value,
    /// `person_rows[i]` is the form row of the API's `people[i]`.
    pub person_rows: Vec<usize>,
    /// Refusals under the form's own field names.
    pub refused: Vec<FieldProblem>,
}

impl ConvertedReport {
    /// Turn an API field path into the form's name for it.
    pub fn form_field(&self, api_field: &str) -> String {
        form_field(api_field, &self.person_rows)
    }
}

/// The form's name for an API field path: `people[i]` becomes the form row it came from
/// (`person_rows[i]`), and a position's `lat` or `lon` the one field it was typed in.
pub fn form_field(api_field: &str, person_rows: &[usize]) -> String {
    if let Some(rest) = api_field.strip_prefix("people[")
        && let Some((index, tail)) = rest.split_once(']')
        && let Ok(index) = index.parse::<usize>()
        && let Some(row) = person_rows.get(index)
    {
        return format!("people[{row}]{tail}");
    }
    match api_field {
        "location.lat" | "location.lon" => "location.position".to_owned(),
        other => other.to_owned(),
    }
}

/// A phone from a country picker and a number: a number that already has `+` or `00` keeps its
/// own code; otherwise the picked country's calling code goes in front of the number as typed
/// (the domain drops a national trunk prefix after the code, by that country's rules). Without a
/// usable pick the number goes as typed, to be read where the report says or refused.
fn phone(fields: &FormFields, prefix: &str) -> Option<String> {
    let number = ascii_digits(fields.get(&format!("{prefix}phone"))?);
    let number = number.trim();
    if number.starts_with('+') || number.starts_with("00") {
        return Some(number.to_owned());
    }
    let picked = fields.get(&format!("{prefix}phone_cc"));
    // A page from before the picker named countries sent their code (`+249`): a report queued
    // on a phone offline may still arrive in that form.
    let calling_code = match picked {
        Some(code) if code.starts_with('+') => Some(code.to_owned()),
        Some(country) => CountryCode::parse(country).ok().and_then(|c| c.calling_code()).map(|code| format!("+{code}")),
        None => None,
    };
    Some(match calling_code {
        Some(code) => format!("{code} {number}"),
        None => number.to_owned(),
    })
}

fn insert(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value.into());
    }
}

/// `15.55, 32.53` (or `١٥٫٥٥، ٣٢٫٥٣`) as `(lat, lon)`.
pub fn parse_position(raw: &str) -> Option<(f64, f64)> {
    let ascii = ascii_digits(raw).replace(['٫'], ".").replace(['،', ';'], ",");
    let parts: Vec<&str> =
        if ascii.contains(',') { ascii.split(',').collect() } else { ascii.split_whitespace().collect() };
    let (lat, lon): (f64, f64) = match parts.as_slice() {
        [lat, lon] => (lat.trim().parse().ok()?, lon.trim().parse().ok()?),
        _ => return None,
    };
    (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
}

fn number(raw: &str, field: &str) -> Result<u64, FieldProblem> {
    ascii_digits(raw).trim().parse().map_err(|_| FieldProblem {
        code: "invalid_number".into(),
        message: "type a number".into(),
        field: Some(field.to_owned()),
    })
}

/// The form's place and position as the API's `location`, if either was given. A position that
/// is not two numbers ("near the blue mosque, Bahri") is a description of the place: it joins
/// the place text, for the operators to place, instead of being refused.
fn location(fields: &FormFields) -> Option<Value> {
    let mut location = Map::new();
    let typed_position = fields.get("location.position");
    let coordinates = typed_position.and_then(parse_position);
    let described = typed_position.filter(|_| coordinates.is_none());
    let place = match (fields.get("location.place"), described) {
        (Some(place), Some(described)) => Some(format!("{place} — {described}")),
        (place, described) => place.or(described).map(str::to_owned),
    };
    insert(&mut location, "place", place);
    if let Some((lat, lon)) = coordinates {
        location.insert("lat".into(), json!(lat));
        location.insert("lon".into(), json!(lon));
        if let Some(accuracy) = fields.get("location.accuracy_m").and_then(|a| a.parse::<f64>().ok()) {
            location.insert("accuracy_m".into(), json!(accuracy));
        }
    }
    (!location.is_empty()).then_some(Value::Object(location))
}

/// The report form as the JSON `POST /api/v1/reports` takes.
pub fn report(fields: &FormFields) -> ConvertedReport {
    let mut report = Map::new();
    report.insert("language".into(), json!(if fields.get("lang") == Some("en") { "en" } else { "ar" }));

    let mut reporter = Map::new();
    insert(&mut reporter, "name", fields.get("reporter.name"));
    insert(&mut reporter, "phone", phone(fields, "reporter."));
    insert(&mut reporter, "place", fields.get("reporter.place"));
    insert(&mut reporter, "relation", fields.get("relation"));
    if !reporter.is_empty() {
        report.insert("reporter".into(), Value::Object(reporter));
    }

    insert(&mut report, "location", location(fields));

    let mut people = Vec::new();
    let mut person_rows = Vec::new();
    let mut refused = Vec::new();
    for row in 0..fields.person_rows() {
        let prefix = format!("people[{row}].");
        let mut person = Map::new();
        insert(&mut person, "name", fields.get(&format!("{prefix}name")));
        if let Some(age) = fields.get(&format!("{prefix}age")) {
            match number(age, &format!("{prefix}age")) {
                Ok(age) => {
                    person.insert("age".into(), json!(age));
                }
                Err(problem) => refused.push(problem),
            }
        }
        insert(&mut person, "sex", fields.get(&format!("{prefix}sex")));
        insert(&mut person, "passport", fields.get(&format!("{prefix}passport")));
        insert(&mut person, "phone", phone(fields, &prefix));
        // A row with nothing in it but the preset "unknown" sex is a row left blank.
        let only_sex = person.len() == 1 && person.get("sex") == Some(&json!("unknown"));
        if !person.is_empty() && !only_sex {
            people.push(Value::Object(person));
            person_rows.push(row);
        }
    }
    report.insert("people".into(), Value::Array(people));
    report.insert("needs".into(), fields.all("needs").map(|v| json!(v)).collect());
    report.insert("flags".into(), fields.all("flags").map(|v| json!(v)).collect());
    insert(&mut report, "message", fields.get("message"));
    ConvertedReport { json: Value::Object(report), person_rows, refused }
}

/// The tracking page's update form as the JSON `POST /api/v1/track/{token}/updates` takes.
pub fn update(fields: &FormFields) -> Value {
    let mut update = Map::new();
    insert(&mut update, "kind", fields.get("kind"));
    insert(&mut update, "location", location(fields));
    update.insert("needs".into(), fields.all("needs").map(|v| json!(v)).collect());
    update.insert("flags".into(), fields.all("flags").map(|v| json!(v)).collect());
    insert(&mut update, "message", fields.get("message"));
    Value::Object(update)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> FormFields {
        FormFields(pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect())
    }

    #[test]
    fn positions_in_any_digits_and_separators() {
        assert_eq!(parse_position("15.55, 32.53"), Some((15.55, 32.53)));
        assert_eq!(parse_position("١٥٫٥٥، ٣٢٫٥٣"), Some((15.55, 32.53)));
        assert_eq!(parse_position("15.55 32.53"), Some((15.55, 32.53)));
        assert_eq!(parse_position("Riyadh"), None);
        assert_eq!(parse_position("inf, inf"), None);
        assert_eq!(parse_position("NaN, 32"), None);
    }

    #[test]
    fn phones_take_the_picked_code_unless_they_carry_one() {
        let f = fields(&[("reporter.phone_cc", "LY"), ("reporter.phone", "٠٩١ ٢٣٤ ٥٦٧٨")]);
        assert_eq!(phone(&f, "reporter.").as_deref(), Some("+218 091 234 5678"));
        let f = fields(&[("reporter.phone_cc", "LY"), ("reporter.phone", "00201001234567")]);
        assert_eq!(phone(&f, "reporter.").as_deref(), Some("00201001234567"));
        let queued_before = fields(&[("reporter.phone_cc", "+249"), ("reporter.phone", "0912345678")]);
        assert_eq!(phone(&queued_before, "reporter.").as_deref(), Some("+249 0912345678"));
        let unknown = fields(&[("reporter.phone_cc", "AQ"), ("reporter.phone", "0912345678")]);
        assert_eq!(phone(&unknown, "reporter.").as_deref(), Some("0912345678"));
    }

    #[test]
    fn blank_rows_are_skipped_and_errors_find_their_row() {
        let f = fields(&[
            ("people[0].name", ""),
            ("people[0].sex", "unknown"),
            ("people[1].name", "Sara"),
            ("people[1].age", "٩"),
            ("people[2].name", ""),
            ("needs", "water"),
            ("needs", "food"),
        ]);
        let converted = report(&f);
        assert_eq!(converted.json["people"], json!([{"name": "Sara", "age": 9}]));
        assert_eq!(converted.json["needs"], json!(["water", "food"]));
        assert_eq!(converted.form_field("people[0].phone"), "people[1].phone");
        assert_eq!(converted.form_field("message"), "message");
        assert_eq!(converted.form_field("location.lat"), "location.position");
    }

    #[test]
    fn a_bad_age_is_refused_at_its_field_and_the_rest_still_converted() {
        let converted = report(&fields(&[("people[0].age", "nine"), ("people[1].name", "Sara")]));
        let refused: Vec<_> = converted.refused.iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(refused, [Some("people[0].age")]);
        assert_eq!(converted.json["people"], json!([{"name": "Sara"}]));
    }

    #[test]
    fn a_position_that_is_not_coordinates_is_kept_as_place_text() {
        let located = |pairs: &[(&str, &str)]| report(&fields(pairs)).json["location"].clone();
        assert_eq!(located(&[("location.position", "near the blue mosque")]), json!({"place": "near the blue mosque"}));
        assert_eq!(
            located(&[("location.place", "Bahri"), ("location.position", "near the bridge")]),
            json!({"place": "Bahri — near the bridge"})
        );
        assert_eq!(located(&[("location.position", "15.55, 32.53")]), json!({"lat": 15.55, "lon": 32.53}));
    }
}
