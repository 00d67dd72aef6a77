//! Countries' outlines and names, for a crisis whose area is whole countries: a country by its
//! ISO code gives its outline as an [`Area`] (a GeoJSON MultiPolygon) and its names in English
//! and Arabic. Owns only this lookup over a table built into the crate (data/country-outlines.json:
//! Natural Earth, public domain; names from GeoNames, CC BY 4.0, and the Unicode CLDR; written by
//! web/data/build-country-outlines.mjs, whose header tells the sources and scale). Reads no file:
//! the table is compiled in. At this scale (Natural Earth 1:50m, simplified to about 1 km) a point
//! on the coast can lie just outside its country (Beirut, Aden, Dubai do): whoever places reports
//! by an outline should allow a margin at sea.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::advisory::Area;
use crate::country::CountryCode;

#[derive(Deserialize)]
struct Country {
    en: String,
    /// Empty where the CLDR has no Arabic name.
    ar: String,
    /// A GeoJSON MultiPolygon's coordinates: polygons of rings of `[lon, lat]`.
    outline: Vec<Vec<Vec<[f64; 2]>>>,
}

/// Parsed once, on first use (a quarter of a megabyte of JSON).
static COUNTRIES: LazyLock<HashMap<String, Country>> = LazyLock::new(|| {
    // The table is this crate's own file, checked by the tests below: it always parses.
    serde_json::from_str(include_str!("../data/country-outlines.json")).unwrap_or_default()
});

/// The country's outline, or None for a code the table does not know.
pub fn country_outline(code: CountryCode) -> Option<Area> {
    COUNTRIES.get(code.as_str()).map(|c| Area::MultiPolygon { coordinates: c.outline.clone() })
}

/// The country's names: English, and Arabic (empty where none is known); None for a code the
/// table does not know.
pub fn country_names(code: CountryCode) -> Option<(&'static str, &'static str)> {
    let country = COUNTRIES.get(code.as_str())?;
    Some((country.en.as_str(), country.ar.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Coordinates;

    fn code(raw: &str) -> CountryCode {
        CountryCode::parse(raw).unwrap()
    }

    fn covers(country: &str, lat: f64, lon: f64) -> bool {
        country_outline(code(country)).unwrap().covers(Some(Coordinates::parse(lat, lon).unwrap()), None)
    }

    #[test]
    fn sudan_holds_khartoum_and_not_cairo_libya_holds_tripoli() {
        assert!(covers("SD", 15.55, 32.53), "Khartoum");
        assert!(!covers("SD", 30.06, 31.25), "Cairo");
        assert!(covers("EG", 30.06, 31.25), "Cairo");
        assert!(covers("LY", 32.85, 13.18), "Tripoli");
        assert!(!covers("LY", 34.43, 35.84), "Tripoli of Lebanon");
        assert!(covers("LB", 34.43, 35.84), "Tripoli of Lebanon");
        // A small country has an outline too (the middle of Bahrain's main island).
        assert!(covers("BH", 26.05, 50.55), "Bahrain");
    }

    #[test]
    fn names_in_both_languages_and_unknown_codes_give_none() {
        assert_eq!(country_names(code("LY")), Some(("Libya", "ليبيا")));
        assert_eq!(country_names(code("SD")), Some(("Sudan", "السودان")));
        assert!(country_outline(code("ZZ")).is_none());
        assert!(country_names(code("ZZ")).is_none());
        assert!(COUNTRIES.len() > 200, "the table parsed: {} countries", COUNTRIES.len());
    }

    #[test]
    fn every_outline_is_an_area_a_crisis_could_be_declared_with() {
        let refused: Vec<String> = COUNTRIES
            .iter()
            .filter_map(|(code, country)| {
                let geometry = serde_json::json!({"type": "MultiPolygon", "coordinates": country.outline});
                Area::from_geojson(&geometry).err().map(|r| format!("{code}: {}", r.message))
            })
            .collect();
        assert!(refused.is_empty(), "{refused:#?}");
    }
}
