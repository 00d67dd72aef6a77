//! The countries the form's phone pickers offer, in the order a person needs them: the
//! countries of the crises first, then the home country, then every other country with a
//! calling code, alphabetically in the page's language. The first is picked by default.
//!
//! Owns the order only: names come from the generated [`country_names`](super::country_names)
//! table, calling codes from the domain's numbering plans.

use opsroom_domain::country::CountryCode;
use opsroom_domain::report::Language;

use super::country_names::{ARABIC_ORDER, COUNTRY_NAMES};

/// One choice of a phone picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneCountry {
    pub country: CountryCode,
    pub calling_code: u16,
    /// In the page's language.
    pub name: &'static str,
}

/// The picker's countries for a page in `language`: `crisis` in the order given (the active
/// crises' countries), then `home`, then the rest alphabetically; each country once, and only
/// countries with a calling code (Antarctica has none).
pub fn phone_countries(crisis: &[CountryCode], home: CountryCode, language: Language) -> Vec<PhoneCountry> {
    let alphabetical: Box<dyn Iterator<Item = &(&str, &str, &str)>> = match language {
        Language::En => Box::new(COUNTRY_NAMES.iter()),
        Language::Ar => Box::new(ARABIC_ORDER.iter().map(|&i| &COUNTRY_NAMES[usize::from(i)])),
    };
    let all: Vec<PhoneCountry> = alphabetical
        .filter_map(|&(code, en, ar)| {
            let country = CountryCode::parse(code).ok()?;
            let name = if language == Language::Ar { ar } else { en };
            Some(PhoneCountry { country, calling_code: country.calling_code()?, name })
        })
        .collect();
    let first: Vec<CountryCode> = crisis.iter().copied().chain([home]).collect();
    let mut picker: Vec<PhoneCountry> = Vec::with_capacity(all.len());
    for country in &first {
        if let Some(found) = all.iter().find(|c| c.country == *country)
            && !picker.contains(found)
        {
            picker.push(*found);
        }
    }
    picker.extend(all.iter().filter(|c| !first.contains(&c.country)));
    picker
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(iso: &str) -> CountryCode {
        CountryCode::parse(iso).unwrap()
    }

    #[test]
    fn crises_first_then_home_then_the_rest_alphabetically() {
        let picker = phone_countries(&[code("LY"), code("SD")], CountryCode::EGYPT, Language::En);
        let head: Vec<(&str, u16)> = picker.iter().take(4).map(|c| (c.name, c.calling_code)).collect();
        assert_eq!(head, [("Libya", 218), ("Sudan", 249), ("Egypt", 20), ("Afghanistan", 93)]);
        // Alphabetical as people read it, not by bytes: Åland between Afghanistan and Albania.
        let rest: Vec<&str> = picker[3..].iter().map(|c| c.name).collect();
        assert_eq!(rest[..3], ["Afghanistan", "Åland Islands", "Albania"]);
        assert_eq!(rest.last(), Some(&"Zimbabwe"));
        assert_eq!(picker.iter().filter(|c| c.country == code("LY")).count(), 1, "each country once");
        assert!(!picker.iter().any(|c| c.country == code("AQ")), "no country without a calling code");

        let arabic = phone_countries(&[], code("JO"), Language::Ar);
        assert_eq!((arabic[0].name, arabic[0].calling_code), ("الأردن", 962));
        assert_eq!(arabic[1].name, "آيسلندا", "then alphabetically in Arabic");
        // A home country that is also a crisis country is listed once, where the crisis puts it.
        let at_home = phone_countries(&[CountryCode::EGYPT], CountryCode::EGYPT, Language::En);
        assert_eq!((at_home[0].name, at_home[1].name), ("Egypt", "Afghanistan"));
    }

    #[test]
    fn every_country_with_a_numbering_plan_has_a_name() {
        let named: Vec<CountryCode> =
            phone_countries(&[], CountryCode::EGYPT, Language::En).iter().map(|c| c.country).collect();
        // Ascension and Tristan da Cunha have numbering plans but no ISO 3166 entry of their own
        // (the table's source knows them under Saint Helena); their numbers are typed with +.
        let unnamed: Vec<String> = CountryCode::with_calling_codes()
            .into_iter()
            .filter(|(country, _)| !named.contains(country))
            .map(|(country, _)| country.to_string())
            .collect();
        assert_eq!(unnamed, ["AC", "TA"]);
    }
}
