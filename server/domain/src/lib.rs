//! Opsroom's domain: the pure model and rules of a crisis operations room.
//!
//! # Layout
//!
//! - [`rejected`]: why a command or an input is refused (no HTTP in it; the app maps it).
//! - [`text`]: parse-don't-validate types for what people type: names, free text, phones, passports.
//! - [`location`]: validated coordinates and the H3 cell (resolution 9) a case sits in.
//! - [`matching`]: is a reported person someone already known? Names folded and transliterated
//!   across scripts, scored with phones, passports, ages and distance, with reasons.
//! - [`need`]: needs and vulnerability flags a report carries.
//! - [`priority`]: priority v1, computed from needs and flags, with human-readable reasons.
//! - [`reference`]: the short human reference code a case is known by on the phone.
//! - [`report`]: the intake of a distress report, from raw input to a validated [`report::NewReport`].
//! - [`call`]: calls on the hotline, logged on a case (phone, direction, times, outcome, note).
//! - [`case`]: case status and the rule that turns a report into a new case ([`case::report_case`]).
//! - [`citizen`]: citizens' updates through their tracking link.
//! - [`timeline`]: the citizen-safe timeline of a case, in plain words.
//! - [`advisory`]: official bilingual advisories for the whole crisis or an area, and their versions.
//! - [`event`]: the facts the event log records; every change in Opsroom is one of these.
//! - [`tracing`]: where the search for each person stands (missing … reunited).
//! - [`user`]: operator accounts and roles.
//! - [`staff`]: accounts over their life (disable, enable, role, password reset, sessions ended)
//!   and the rules that keep an enabled admin.
//! - [`workflow`]: the operators' rules on a case (status, assignment, notes, contacts, priority
//!   overrides) as one pure `decide` function, and the SLA clock.
//! - [`handover`]: shift handover notes (what is open, what was promised, by whom).
//! - [`sitrep`]: the situation report of a time window, counted from facts the store reads.
//! - [`cover`]: ground as compacted H3 cells (tiling and the membership test).
//! - [`crisis`]: crises — countries, area, phase — and placing a report in its crisis.
//! - [`country`]: [`country::CountryCode`], a country by its ISO 3166-1 alpha-2 code.
//! - [`outlines`]: a country's outline (an area a crisis can cover) and its names, from a table
//!   compiled in.
//! - [`clock`]: [`clock::Timestamp`], the one time type of the domain, and the room's time zone.
//!
//! # Architecture invariant
//!
//! This crate does no IO: no async runtime, no SQL, no HTTP, no randomness and no clock reads.
//! Time and ids come in as arguments, so every rule is deterministic and replayable. The
//! dependency list in `Cargo.toml` is how that is enforced.

pub mod advisory;
pub mod call;
pub mod case;
pub mod citizen;
pub mod clock;
pub mod country;
pub mod cover;
pub mod crisis;
pub mod evacuation;
pub mod event;
pub mod handover;
pub mod location;
pub mod matching;
pub mod need;
pub mod outlines;
pub mod partner;
pub mod priority;
pub mod reference;
pub mod rejected;
pub mod report;
pub mod search;
pub mod sitrep;
pub mod staff;
pub mod text;
pub mod timeline;
pub mod tracing;
pub mod urgency;
pub mod user;
pub mod workflow;

pub use rejected::{Rejected, RejectionKind};

/// The wire name of a vocabulary value (`no_show`, `assembly_point`, `in_person`): its JSON
/// string, as stored in SQL columns and shown in CSV and words. Empty for a value that does not
/// serialise as a string.
pub fn wire_name<T: serde::Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}
