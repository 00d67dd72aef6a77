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
                })
            })
            .collect();
        Self { towns }
    }

    /// The place nearest to a point, if one lies within `max_km` (by the haversine distance).
    pub fn nearest(&self, lat: f64, lon: f64, max_km: f64) -> Option<&Town> {
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
            .min_by(|a, b| a.0.total_cmp(&b.0))
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
        assert_eq!(gazetteer.nearest(15.56, 32.53, 5.0).map(|t| t.name.as_str()), Some("Khartoum"));
        assert!(gazetteer.nearest(0.0, 0.0, 50.0).is_none(), "nothing near the Gulf of Guinea");
    }
}
