//! Countries, by their ISO 3166-1 alpha-2 code: the countries a crisis covers, the home country
//! the room serves, the region a local phone number is read in ([`PhoneRegions`]). Owns the
//! code's form and a country's calling code (from libphonenumber's numbering plans); what a
//! country is called lives with its users (the gazetteer, the pages).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::rejected::Rejected;

/// An ISO 3166-1 alpha-2 code, upper-case (`SD`, `EG`, `LY`). Whether the code is assigned is
/// not checked here: two letters is the form, and the gazetteer knows which countries exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "LY"))]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub const EGYPT: CountryCode = CountryCode(*b"EG");
    pub const SUDAN: CountryCode = CountryCode(*b"SD");

    /// Two ASCII letters, in either case.
    pub fn parse(raw: &str) -> Result<Self, Rejected> {
        match raw.trim().as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(Rejected::value("invalid_country", "must be a two-letter ISO 3166 country code, such as LY")),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The country's international calling code (`LY` → 218), or `None` where the numbering
    /// plans know no such country (an unassigned code, Antarctica).
    pub fn calling_code(&self) -> Option<u16> {
        let region = self.phone_region()?;
        phonenumber::metadata::DATABASE.by_id(region.as_ref()).map(|plan| plan.country_code())
    }

    /// The country as a region of libphonenumber's numbering plans.
    pub(crate) fn phone_region(&self) -> Option<phonenumber::country::Id> {
        self.as_str().parse().ok()
    }

    /// Every country that has a numbering plan, with its calling code, in code order (`AC`…`ZW`).
    pub fn with_calling_codes() -> Vec<(CountryCode, u16)> {
        let mut all: Vec<(CountryCode, u16)> = phonenumber::metadata::DATABASE
            .iter()
            .filter_map(|plan| Some((CountryCode::parse(plan.id()).ok()?, plan.country_code())))
            .collect();
        all.sort();
        all
    }
}

/// The regions a phone number typed without its country code is read in, as the caller knows
/// them: the country of the crisis the report or call belongs to (if it is known) and the home
/// country the room serves. People in danger type their numbers as they are dialled where they
/// are; a relative reporting them types theirs as dialled at home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRegions {
    pub crisis: Option<CountryCode>,
    pub home: CountryCode,
}

impl PhoneRegions {
    /// Where the numbers of the people in danger are read: the crisis country, or nowhere (such
    /// a number must then carry its country code).
    pub fn people_in_danger(&self) -> Option<CountryCode> {
        self.crisis
    }

    /// Where the reporter's number is read: the crisis country when the reporter is one of the
    /// people in danger, the home country when they are anyone else (a relative, a friend, or
    /// someone who did not say).
    pub fn reporter(&self, in_danger: bool) -> Option<CountryCode> {
        if in_danger { self.crisis } else { Some(self.home) }
    }

    /// Where a hotline caller's number is read: the crisis country if the call is about one,
    /// else the home country (where the hotline is dialled from most).
    pub fn caller(&self) -> CountryCode {
        self.crisis.unwrap_or(self.home)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> String {
        code.as_str().to_owned()
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        CountryCode::parse(&raw).map_err(|r| serde::de::Error::custom(r.message))
    }
}

impl std::str::FromStr for CountryCode {
    type Err = Rejected;
    fn from_str(raw: &str) -> Result<Self, Rejected> {
        CountryCode::parse(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_letters_in_either_case() {
        assert_eq!(CountryCode::parse("ly").unwrap().as_str(), "LY");
        assert_eq!(CountryCode::parse(" SD ").unwrap(), CountryCode::SUDAN);
        for bad in ["", "L", "LBY", "1Y", "ليبيا"] {
            assert_eq!(CountryCode::parse(bad).unwrap_err().code, "invalid_country", "{bad:?}");
        }
        let json = serde_json::to_string(&CountryCode::EGYPT).unwrap();
        assert_eq!(json, "\"EG\"");
        assert_eq!(serde_json::from_str::<CountryCode>("\"eg\"").unwrap(), CountryCode::EGYPT);
        assert!(serde_json::from_str::<CountryCode>("\"EGY\"").is_err());
    }

    #[test]
    fn calling_codes_come_from_the_numbering_plans() {
        let code = |iso: &str| CountryCode::parse(iso).unwrap().calling_code();
        assert_eq!(code("LY"), Some(218));
        assert_eq!(code("SD"), Some(249));
        assert_eq!(code("SS"), Some(211));
        assert_eq!(code("CA"), Some(1));
        assert_eq!(code("AQ"), None, "Antarctica has no numbering plan");
        assert_eq!(code("ZZ"), None);
        let all = CountryCode::with_calling_codes();
        assert!(all.len() > 240, "every country: {}", all.len());
        assert!(all.contains(&(CountryCode::EGYPT, 20)));
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn phone_regions_follow_who_typed_the_number() {
        let libya = CountryCode::parse("LY").unwrap();
        let regions = PhoneRegions { crisis: Some(libya), home: CountryCode::EGYPT };
        assert_eq!(regions.people_in_danger(), Some(libya));
        assert_eq!(regions.reporter(true), Some(libya));
        assert_eq!(regions.reporter(false), Some(CountryCode::EGYPT));
        assert_eq!(regions.caller(), libya);
        let no_crisis = PhoneRegions { crisis: None, home: CountryCode::EGYPT };
        assert_eq!(no_crisis.people_in_danger(), None);
        assert_eq!(no_crisis.reporter(true), None);
        assert_eq!(no_crisis.caller(), CountryCode::EGYPT);
    }
}
