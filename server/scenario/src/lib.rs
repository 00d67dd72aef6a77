//! Scenarios: a crisis replayed through Opsroom's public interfaces — simulated citizens,
//! relatives abroad, operators and partners — for the live demo, drills, end-to-end tests and
//! load.
//!
//! - `format`: the scenario file (TOML), documented in `scenarios/README.md`.
//! - `gazetteer`: the places a scenario may name (the web pages' sourced tables).
//! - `plan`: every report of a run drawn from the seed alone (deterministic); `phones`: the
//!   countries whose mobile numbers it can draw.
//! - `client`: HTTP and websocket (tokio-tungstenite) as the actors use them; the stream check.
//! - `runner`: the actors, the scenario clock, the checks and the summary; its `evacuation`
//!   holds the supervisors and operators of the evacuation — places, danger zones, movements
//!   filled, boarded and followed home.
//!
//! Architecture invariant: a scenario talks to the server only through its public HTTP and
//! websocket API, like any client, so it tests what people and partners actually use. This
//! crate does not depend on the server's crates except the pure domain (for its vocabularies).

pub mod client;
pub mod format;
pub mod gazetteer;
pub mod phones;
pub mod plan;
pub mod runner;

pub use format::Scenario;
pub use gazetteer::Gazetteer;
pub use runner::{RunOptions, Speed, Summary, run};

/// The scenarios that ship with the binary, by name (`serve --demo NAME`, `scenario run NAME`).
pub const BUILTIN: [(&str, &str); 4] = [
    ("smoke", include_str!("../../../scenarios/smoke.toml")),
    ("sudan-2023", include_str!("../../../scenarios/sudan-2023.toml")),
    ("libya-2011", include_str!("../../../scenarios/libya-2011.toml")),
    ("surge", include_str!("../../../scenarios/surge.toml")),
];

/// A scenario by built-in name, or else from a file path.
pub fn load(name_or_path: &str) -> anyhow::Result<Scenario> {
    let gazetteer = Gazetteer::builtin();
    let text = match BUILTIN.iter().find(|(name, _)| *name == name_or_path) {
        Some((_, text)) => (*text).to_owned(),
        None => std::fs::read_to_string(name_or_path).map_err(|e| {
            anyhow::anyhow!(
                "{name_or_path}: not a built-in scenario ({}) nor a readable file: {e}",
                BUILTIN.map(|(n, _)| n).join(", ")
            )
        })?,
    };
    Scenario::parse(&text, &gazetteer).map_err(|e| anyhow::anyhow!("{name_or_path}: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_scenario_parses() {
        for (name, _) in super::BUILTIN {
            super::load(name).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// The smoke scenario with its places replaced by one Tripoli, of `country` if given.
    fn in_tripoli(country: Option<&str>) -> anyhow::Result<super::Scenario> {
        let places = format!(
            "[[places]]\nname = \"tripoli\"\n{}weight = 1\n\n[[phases]]",
            country.map(|c| format!("country = \"{c}\"\n")).unwrap_or_default()
        );
        let (_, smoke) = super::BUILTIN[0];
        let (_, after_places) = smoke.split_once("[[phases]]").unwrap();
        let (before_places, _) = smoke.split_once("[[places]]").unwrap();
        // The smoke scenario's wave is from Omdurman, which is no longer one of its places.
        let text = format!("{before_places}{places}{after_places}").replace("place = \"Omdurman\"", "");
        super::Scenario::parse(&text, &super::Gazetteer::builtin())
    }

    #[test]
    fn a_place_may_say_its_country() {
        let located = |scenario: &super::Scenario| {
            let reports = super::plan::plan(scenario, &super::Gazetteer::builtin(), 1);
            let first = reports.iter().find(|r| r.body["location"]["lat"].is_number()).unwrap();
            (first.body["location"]["lat"].as_f64().unwrap(), first.body["location"]["lon"].as_f64().unwrap())
        };
        // Within the default 3 km of Libya's Tripoli, or of Lebanon's when the scenario says so.
        let (lat, lon) = located(&in_tripoli(None).unwrap());
        assert!((lat - 32.887).abs() < 0.05 && (lon - 13.187).abs() < 0.05, "{lat}, {lon}");
        let (lat, lon) = located(&in_tripoli(Some("lb")).unwrap());
        assert!((lat - 34.434).abs() < 0.05 && (lon - 35.844).abs() < 0.05, "{lat}, {lon}");
        let refused = in_tripoli(Some("FR")).unwrap_err().to_string();
        assert!(refused.contains("places[0].name") && refused.contains("not in the gazetteer of FR"), "{refused}");
    }

    /// The smoke scenario with `crisis` (a `[crisis]` table's lines) appended.
    fn smoke_in_crisis(crisis: &str) -> anyhow::Result<super::Scenario> {
        let (_, smoke) = super::BUILTIN[0];
        super::Scenario::parse(&format!("{smoke}\n[crisis]\n{crisis}"), &super::Gazetteer::builtin())
    }

    #[test]
    fn a_scenario_may_declare_its_crisis_and_its_mistakes_are_named() {
        let base = "slug = \"sudan-drill\"\nname_ar = \"السودان\"\nname_en = \"Sudan\"\ncountries = [\"SD\"]\n";
        let scenario = smoke_in_crisis(&format!(
            "{base}bbox = [30, 12, 37, 19]\n[[crisis.phases]]\nat_hour = 1\nphase = \"evacuation\"\n"
        ))
        .unwrap();
        let crisis = scenario.crisis.unwrap();
        assert_eq!(crisis.phases[0].phase, opsroom_domain::crisis::CrisisPhase::Evacuation);
        assert_eq!(
            crisis.area().unwrap()["coordinates"][0],
            serde_json::json!([[30.0, 12.0], [37.0, 12.0], [37.0, 19.0], [30.0, 19.0], [30.0, 12.0]])
        );
        for (lines, named) in [
            (format!("{base}colour = \"red\"\n"), "colour"),
            (format!("{base}bbox = [37, 12, 30, 19]\n"), "crisis.bbox"),
            (format!("{base}bbox = [30, 12, 37, 19]\noutline = [[30, 12], [37, 12], [37, 19]]\n"), "crisis.outline"),
            (base.replace("Sudan drill", "x").replace("sudan-drill", "Sudan Drill"), "crisis.slug"),
            (base.replace("SD", "FR"), "crisis.countries[0]"),
            (format!("{base}reports_name_it = \"some\"\n"), "reports_name_it"),
            (format!("{base}[[crisis.phases]]\nat_hour = 3\nphase = \"evacuation\"\n"), "crisis.phases[0].at_hour"),
        ] {
            let refused = smoke_in_crisis(&lines).unwrap_err().to_string();
            assert!(refused.contains(named), "{named}: {refused}");
        }
        let (_, smoke) = super::BUILTIN[0];
        let undated = format!("starts_at = \"the day the war began\"\n{smoke}");
        let refused = super::Scenario::parse(&undated, &super::Gazetteer::builtin()).unwrap_err().to_string();
        assert!(refused.starts_with("starts_at:"), "{refused}");
        assert_eq!(super::load("smoke").unwrap().starts_at().millis(), 1_681_509_600_000, "15 April 2023 in Khartoum");
        assert!(super::load("libya-2011").unwrap().starts_at() < super::load("smoke").unwrap().starts_at());
    }
}
