//! The countries the form's phone pickers offer, in the order a person needs them: the
//! countries of the crises first, then the home country, then every other country with a
//! calling code, alphabetically in the page's language. The first is picked by default.
//!
//! The page itself carries only the first part ([`first_phone_countries`]): the whole list, in
//! every picker of both languages' pages, would add some 10 KB to the form's 20 KB first load.
//! The form's script adds the rest ([`all_phone_countries`], served at `/phone-countries`) once
//! a person starts on the form; without JavaScript a number is typed with its `+` code.
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

/// Every country with a calling code (Antarctica has none), alphabetically in `language`.
pub fn all_phone_countries(language: Language) -> Vec<PhoneCountry> {
    let alphabetical: Box<dyn Iterator<Item = &(&str, &str, &str)>> = match language {
        Language::En => Box::new(COUNTRY_NAMES.iter()),
        Language::Ar => Box::new(ARABIC_ORDER.iter().map(|&i| &COUNTRY_NAMES[usize::from(i)])),
    };
    alphabetical
        .filter_map(|&(code, en, ar)| {
            let country = CountryCode::parse(code).ok()?;
            let name = if language == Language::Ar { ar } else { en };
            Some(PhoneCountry { country, calling_code: country.calling_code()?, name })
        })
        .collect()
}

/// The picker's first countries for a page in `language`: `crisis` in the order given (the
/// active crises' countries), then `home`; each once.
pub fn first_phone_countries(crisis: &[CountryCode], home: CountryCode, language: Language) -> Vec<PhoneCountry> {
    let all = all_phone_countries(language);
    let mut first: Vec<PhoneCountry> = Vec::new();
    for country in crisis.iter().chain([&home]) {
        if let Some(found) = all.iter().find(|c| c.country == *country)
            && !first.contains(found)
        {
            first.push(*found);
        }
    }
    first
}

/// A country the picker offers, by its code (`LY`), named in `language`.
pub fn phone_country(code: &str, language: Language) -> Option<PhoneCountry> {
    let country = CountryCode::parse(code).ok()?;
    all_phone_countries(language).into_iter().find(|c| c.country == country)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(iso: &str) -> CountryCode {
        CountryCode::parse(iso).unwrap()
    }

    /// The picker as a person sees it once the script has added the rest (as form.js does).
    fn phone_countries(crisis: &[CountryCode], home: CountryCode, language: Language) -> Vec<PhoneCountry> {
        let mut picker = first_phone_countries(crisis, home, language);
        let rest: Vec<PhoneCountry> =
            all_phone_countries(language).into_iter().filter(|c| !picker.contains(c)).collect();
        picker.extend(rest);
        picker
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
        // The page carries the head; the script adds the rest.
        let first = first_phone_countries(&[code("LY"), code("SD")], CountryCode::EGYPT, Language::Ar);
        let names: Vec<&str> = first.iter().map(|c| c.name).collect();
        assert_eq!(names, ["ليبيا", "السودان", "مصر"]);
        assert_eq!(phone_country("ly", Language::En).map(|c| c.calling_code), Some(218));
        assert_eq!(phone_country("AQ", Language::En), None);
    }

    #[test]
    fn every_country_with_a_numbering_plan_has_a_name() {
        let named: Vec<CountryCode> = all_phone_countries(Language::En).iter().map(|c| c.country).collect();
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
