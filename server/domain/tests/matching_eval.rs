//! The matcher against a labelled evaluation set (`tests/data/match_pairs.jsonl`): pairs of
//! persons, the same or different, in Arabic, Latin and both, with typos, partial and reordered
//! names, shared phones and common names that are not the same person. The set was written
//! apart from the matcher. Prints precision, recall and F1 at the default threshold, and the
//! accuracy per category; fails below F1 0.9 or when a pair with the same phone or passport and
//! compatible names is missed.
//!
//! `cargo test -p opsroom-domain --test matching_eval -- --nocapture` shows the figures.

use std::collections::BTreeMap;

use opsroom_domain::location::Coordinates;
use opsroom_domain::matching::{DUPLICATE_THRESHOLD, PersonFacts, compare};
use opsroom_domain::report::Sex;
use opsroom_domain::text::{PassportNumber, PhoneNumber};
use serde_json::Value;

const PAIRS: &str = include_str!("data/match_pairs.jsonl");

fn facts(person: &Value) -> PersonFacts {
    let text = |key: &str| person[key].as_str();
    let phone = text("phone").map(|raw| PhoneNumber::parse(raw, None).unwrap_or_else(|e| panic!("{raw}: {e}")));
    let passport = text("passport").map(|raw| PassportNumber::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}")));
    let sex = text("sex").map(|s| match s {
        "female" => Sex::Female,
        "male" => Sex::Male,
        _ => Sex::Unknown,
    });
    let cell = match (person["lat"].as_f64(), person["lon"].as_f64()) {
        (Some(lat), Some(lon)) => Some(Coordinates::parse(lat, lon).unwrap().cell()),
        _ => None,
    };
    PersonFacts::new(
        text("name"),
        person["age"].as_u64().map(|a| a as u8),
        sex,
        phone.as_ref().map(|p| p.as_str()),
        passport.as_ref().map(|p| p.as_str()),
        cell,
    )
}

#[derive(Default)]
struct Tally {
    right: usize,
    total: usize,
}

#[test]
fn the_matcher_meets_its_aims_on_the_evaluation_set() {
    let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut must_find_missed = Vec::new();
    for line in PAIRS.lines().filter(|l| !l.trim().is_empty()) {
        let pair: Value = serde_json::from_str(line).expect("a JSON line");
        let same = pair["same"].as_bool().unwrap();
        let category = pair["category"].as_str().unwrap().to_owned();
        let score = compare(&facts(&pair["a"]), &facts(&pair["b"]));
        let suggested = score.score >= DUPLICATE_THRESHOLD;
        match (same, suggested) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
        let tally = by_category.entry(category.clone()).or_default();
        tally.total += 1;
        if same == suggested {
            tally.right += 1;
        } else {
            misses.push(format!(
                "{} {category} same={same} score={:.2} {} | {}",
                pair["id"], score.score, pair["a"]["name"], pair["b"]["name"]
            ));
        }
        if same && !suggested && matches!(category.as_str(), "shared_phone_same" | "same_passport") {
            must_find_missed.push(pair["id"].to_string());
        }
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    println!("pairs: {} (same {}, different {})", tp + fp + fn_ + tn, tp + fn_, fp + tn);
    println!("threshold {DUPLICATE_THRESHOLD}: precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}");
    for (category, tally) in &by_category {
        println!("  {category:<24} {:>3}/{:<3} right", tally.right, tally.total);
    }
    for miss in &misses {
        println!("  miss: {miss}");
    }
    assert!(tp + fp + fn_ + tn >= 300, "the set has at least 300 pairs");
    assert!(must_find_missed.is_empty(), "same phone or passport and compatible names, missed: {must_find_missed:?}");
    assert!(f1 >= 0.9, "F1 {f1:.3} below the aim of 0.9");
}
