//! Places a scenario may name: the towns of every country and the districts of Khartoum and
//! Tripoli, from the same sourced tables the web pages use (`web/data/`, GeoNames CC BY 4.0; see
//! web/data/build-world-places.py), built into the binary so a scenario runs anywhere.

use std::collections::HashMap;

use opsroom_domain::country::CountryCode;

/// One named place.
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub country: CountryCode,
    pub name: String,
    /// Its first Arabic spelling, if the table has one.
    pub name_ar: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// GeoNames' population (0 where unknown, as for the capitals' districts).
    pub population: u64,
}

#[derive(Debug, Clone)]
pub struct Gazetteer {
    /// Biggest first, so that of equal names the town comes before the village.
    towns: Vec<Town>,
    /// Every Latin name (lower case) and Arabic spelling → the towns so called, biggest first.
    by_name: HashMap<String, Vec<usize>>,
}

const TABLES: [&str; 3] = [
    include_str!("../../../web/data/gazetteer-world.tsv"),
    include_str!("../../../web/data/khartoum-districts.tsv"),
    include_str!("../../../web/data/tripoli-districts.tsv"),
];

/// How a name is looked up: Latin names in any case; Arabic has none.
fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl Gazetteer {
    /// The built-in tables.
    pub fn builtin() -> Self {
        let mut rows: Vec<(Town, Vec<&str>)> = TABLES
            .iter()
            .flat_map(|table| table.lines())
            .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with("country\t"))
            .filter_map(|line| {
                let columns: Vec<&str> = line.split('\t').collect();
                let (name, names_ar, lat, lon) = (columns.get(2)?, columns.get(3)?, columns.get(4)?, columns.get(5)?);
                let spellings: Vec<&str> = names_ar.split('|').filter(|s| !s.is_empty()).collect();
                let town = Town {
                    country: CountryCode::parse(columns.first()?).ok()?,
                    name: name.trim().to_owned(),
                    name_ar: spellings.first().map(|s| (*s).to_owned()),
                    lat: lat.parse().ok()?,
                    lon: lon.parse().ok()?,
                    population: columns.get(6).and_then(|p| p.parse().ok()).unwrap_or(0),
                };
                Some((town, spellings))
            })
            .collect();
        // Stable: equal populations keep the tables' order.
        rows.sort_by_key(|(town, _)| std::cmp::Reverse(town.population));
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (town, spellings)) in rows.iter().enumerate() {
            let mut keys: Vec<String> = spellings.iter().map(|s| key(s)).collect();
            keys.push(key(&town.name));
            keys.sort();
            keys.dedup();
            for k in keys {
                by_name.entry(k).or_default().push(i);
            }
        }
        Self { towns: rows.into_iter().map(|(town, _)| town).collect(), by_name }
    }

    /// The town an area around a point is known by: the most populous place within `max_km`
    /// (a city before one of its districts), the nearest of equals; none if nothing is that near.
    pub fn largest_within(&self, lat: f64, lon: f64, max_km: f64) -> Option<&Town> {
        let km = |t: &Town| {
            let (p1, p2) = (lat.to_radians(), t.lat.to_radians());
            let (dp, dl) = ((t.lat - lat).to_radians(), (t.lon - lon).to_radians());
            let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
            6371.0 * 2.0 * a.sqrt().asin()
        };
        // A degree of latitude is 111 km everywhere: most of the world is ruled out without trigonometry.
        let max_degrees = max_km / 111.0;
        self.towns
            .iter()
            .filter(|t| (t.lat - lat).abs() <= max_degrees)
            .map(|t| (km(t), t))
            .filter(|(d, _)| *d <= max_km)
            .max_by(|a, b| a.1.population.cmp(&b.1.population).then(b.0.total_cmp(&a.0)))
            .map(|(_, t)| t)
    }

    /// A place by its name, in Latin letters (case does not matter) or any of its Arabic
    /// spellings, in `country` if one is given; of equal names the most populous (Tripoli is
    /// Libya's unless Lebanon's is asked for).
    pub fn find(&self, name: &str, country: Option<CountryCode>) -> Option<&Town> {
        self.by_name.get(&key(name))?.iter().map(|&i| &self.towns[i]).find(|t| country.is_none_or(|c| t.country == c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> Option<CountryCode> {
        Some(CountryCode::parse(raw).unwrap())
    }

    #[test]
    fn knows_the_capital_and_its_districts() {
        let gazetteer = Gazetteer::builtin();
        let khartoum = gazetteer.find("khartoum", None).unwrap();
        assert!((khartoum.lat - 15.55177).abs() < 1e-6);
        assert!(gazetteer.find("Arkawit", None).is_some());
        assert!(gazetteer.find("Arkawit", code("SD")).is_some());
        assert!(gazetteer.find("Arkawit", code("EG")).is_none(), "a district of Khartoum is not in Egypt");
        assert!(gazetteer.find("Nowhere-on-Nile", None).is_none());
        // Central Khartoum is Khartoum, not one of its districts (which are nearer).
        assert_eq!(gazetteer.largest_within(15.58, 32.56, 15.0).map(|t| t.name.as_str()), Some("Khartoum"));
        assert_eq!(gazetteer.largest_within(15.5509, 32.5609, 0.5).map(|t| t.name.as_str()), Some("Arkawit"));
        assert!(gazetteer.largest_within(0.0, 0.0, 50.0).is_none(), "nothing near the Gulf of Guinea");
    }

    #[test]
    fn tripoli_is_libyas_unless_lebanons_is_asked_for() {
        let gazetteer = Gazetteer::builtin();
        let libya = gazetteer.find("Tripoli", None).unwrap();
        assert_eq!(libya.country, CountryCode::parse("LY").unwrap(), "the bigger of the two");
        assert!((libya.lat - 32.88743).abs() < 1e-4 && (libya.lon - 13.18733).abs() < 1e-4);
        let lebanon = gazetteer.find("tripoli", code("LB")).unwrap();
        assert!((lebanon.lat - 34.43352).abs() < 1e-4 && (lebanon.lon - 35.84415).abs() < 1e-4);
        assert_eq!(gazetteer.find("TRIPOLI", code("LY")), Some(libya));
        assert!(gazetteer.find("Tripoli", code("FR")).is_none());
    }

    #[test]
    fn a_libyan_town_by_its_arabic_name_and_the_world_beyond() {
        let gazetteer = Gazetteer::builtin();
        let benghazi = gazetteer.find("بنغازي", None).unwrap();
        assert_eq!((benghazi.name.as_str(), benghazi.country.as_str()), ("Benghazi", "LY"));
        assert_eq!(gazetteer.find("Benghazi", code("LY")), Some(benghazi));
        let misrata = gazetteer.find("Misratah", None).unwrap();
        assert_eq!(misrata.name_ar.as_deref(), Some("مصراتة"));
        // Far from the Nile: any country's towns of 15,000 or more.
        assert_eq!(gazetteer.find("Kathmandu", None).map(|t| t.country.as_str()), Some("NP"));
        assert_eq!(gazetteer.largest_within(32.89, 13.19, 15.0).map(|t| t.name.as_str()), Some("Tripoli"));
    }
}
