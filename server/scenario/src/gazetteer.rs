//! Places a scenario may name: the towns of Sudan and Egypt and Khartoum's districts, from the
//! same sourced tables the web pages use (`web/data/`, GeoNames CC BY 4.0), built into the
//! binary so a scenario runs anywhere.

/// One named place.
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub name: String,
    /// Its first Arabic spelling, if the table has one.
    pub name_ar: Option<String>,
    pub lat: f64,
    pub lon: f64,
    /// GeoNames' population (0 where unknown, as for Khartoum's districts).
    pub population: u64,
}

#[derive(Debug, Clone)]
pub struct Gazetteer {
    towns: Vec<Town>,
}

const TABLES: [&str; 2] =
    [include_str!("../../../web/data/gazetteer-sd-eg.tsv"), include_str!("../../../web/data/khartoum-districts.tsv")];

impl Gazetteer {
    /// The built-in tables.
    pub fn builtin() -> Self {
        let towns = TABLES
            .iter()
            .flat_map(|table| table.lines())
            .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with("country\t"))
            .filter_map(|line| {
                let columns: Vec<&str> = line.split('\t').collect();
                let (name, names_ar, lat, lon) = (columns.get(2)?, columns.get(3)?, columns.get(4)?, columns.get(5)?);
                Some(Town {
                    name: name.trim().to_owned(),
                    name_ar: names_ar.split('|').next().filter(|s| !s.is_empty()).map(str::to_owned),
                    lat: lat.parse().ok()?,
                    lon: lon.parse().ok()?,
                    population: columns.get(6).and_then(|p| p.parse().ok()).unwrap_or(0),
                })
            })
            .collect();
        Self { towns }
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
        self.towns
            .iter()
            .map(|t| (km(t), t))
            .filter(|(d, _)| *d <= max_km)
            .max_by(|a, b| a.1.population.cmp(&b.1.population).then(b.0.total_cmp(&a.0)))
            .map(|(_, t)| t)
    }

    /// A place by its name (case does not matter); the first of equal names.
    pub fn find(&self, name: &str) -> Option<&Town> {
        self.towns.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_capital_and_its_districts() {
        let gazetteer = Gazetteer::builtin();
        let khartoum = gazetteer.find("khartoum").unwrap();
        assert!((khartoum.lat - 15.55177).abs() < 1e-6);
        assert!(gazetteer.find("Arkawit").is_some());
        assert!(gazetteer.find("Atlantis").is_none());
        // Central Khartoum is Khartoum, not one of its districts (which are nearer).
        assert_eq!(gazetteer.largest_within(15.58, 32.56, 15.0).map(|t| t.name.as_str()), Some("Khartoum"));
        assert_eq!(gazetteer.largest_within(15.5509, 32.5609, 0.5).map(|t| t.name.as_str()), Some("Arkawit"));
        assert!(gazetteer.largest_within(0.0, 0.0, 50.0).is_none(), "nothing near the Gulf of Guinea");
    }
}
