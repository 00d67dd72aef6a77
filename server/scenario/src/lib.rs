//! Scenarios: a crisis replayed through Opsroom's public interfaces — simulated citizens,
//! relatives abroad, operators and partners — for the live demo, drills, end-to-end tests and
//! load.
//!
//! - `format`: the scenario file (TOML), documented in `scenarios/README.md`.
//! - `gazetteer`: the places a scenario may name (the web pages' sourced tables).
//! - `plan`: every report of a run drawn from the seed alone (deterministic).
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
pub mod plan;
pub mod runner;

pub use format::Scenario;
pub use gazetteer::Gazetteer;
pub use runner::{RunOptions, Speed, Summary, run};

/// The scenarios that ship with the binary, by name (`serve --demo NAME`, `scenario run NAME`).
pub const BUILTIN: [(&str, &str); 3] = [
    ("smoke", include_str!("../../../scenarios/smoke.toml")),
    ("sudan-2023", include_str!("../../../scenarios/sudan-2023.toml")),
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
}
