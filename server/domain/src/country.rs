//! Countries, by their ISO 3166-1 alpha-2 code: the countries a crisis covers, the home country
//! the room serves, the region a local phone number is read in. Owns only the code's form; what
//! a country is called or dials lives with its users (the gazetteer, the phone rules).

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
}
