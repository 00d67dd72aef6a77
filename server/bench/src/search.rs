//! Search and the board's lists at scale: over the million stored cases, through the HTTP API of
//! a child server, the time of a search by reference (typed in lower case without its dash), by
//! a phone typed in national format, by an Arabic name as stored, and by that name in Latin
//! letters; of a filtered board page (status, urgency order, a need: with its total), of the
//! overdue queue's first page (with its total); and of the counts per status, without and with a
//! filter.
//!
//! The probes are stored cases drawn at random positions of the log (a newest-first page from a
//! random cursor), read back with their people; each search checks that its case is among the
//! answers (the share found is reported).

use std::time::Instant;

use anyhow::Context;
use opsroom_domain::search::split_e164;
use serde_json::Value;

use opsroom_domain::user::Role;
use opsroom_store::{RecordMatches, Store, StoreOptions};

use crate::process::{ChildServer, PASSWORD};
use crate::synthetic::{FAMILIES, FATHERS, GIVEN};
use crate::{Percentiles, percentiles};

pub struct SearchFigures {
    pub probes: usize,
    pub reference: Percentiles,
    pub phone: Percentiles,
    pub arabic: Percentiles,
    pub latin: Percentiles,
    /// Of the name searches, how many found their case on the first page.
    pub arabic_found: usize,
    pub latin_found: usize,
    /// How many name searches were marked incomplete (`total_capped`).
    pub names_capped: usize,
    pub board: Percentiles,
    pub board_total: u64,
    pub overdue_queue: Percentiles,
    pub overdue_total: u64,
    pub counts: Percentiles,
    pub counts_filtered: Percentiles,
}

/// A stored case to search for.
struct Probe {
    case_id: String,
    reference: String,
    phone: Option<String>,
    arabic_name: Option<String>,
}

/// The Latin spelling of a name written from the synthetic lists in Arabic: each list entry
/// replaced by its twin (the lists alternate a Latin spelling and its Arabic), longest first so
/// that compounds (عبد الله) go whole.
fn latin_twin(arabic: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = [&GIVEN[..], &FATHERS[..], &FAMILIES[..]]
        .iter()
        .flat_map(|list| list.chunks(2).map(|p| (p[1], p[0])))
        .collect();
    pairs.sort_by_key(|(arabic, _)| std::cmp::Reverse(arabic.chars().count()));
    let mut words: Vec<String> = Vec::new();
    let mut rest = arabic.trim();
    while !rest.is_empty() {
        match pairs.iter().find(|(a, _)| rest.starts_with(a) && rest[a.len()..].chars().next().is_none_or(|c| c == ' '))
        {
            Some((a, latin)) => {
                words.push((*latin).to_owned());
                rest = rest[a.len()..].trim_start();
            }
            None => {
                let (word, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                words.push(word.to_owned());
                rest = tail.trim_start();
            }
        }
    }
    words.join(" ")
}

fn is_arabic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// Ready a database filled elsewhere (by `opsroom seed`, which makes no admin and leaves its
/// cases to the matcher) for the phase: the account the child server is driven with (`admin`,
/// with the bench's password; kept if it is there), and the matcher's cursor moved to the end
/// of the log without matching or filing anyone, so the server does not spend the phase
/// matching a million synthetic cases (the search does not use the matcher's keys).
pub async fn prepare_seeded(url: &str) -> anyhow::Result<()> {
    let store = Store::open(url, StoreOptions::default()).await?;
    let outcome = async {
        let head = *store.committed_head().borrow();
        let from_seq = store.matcher_cursor().await?;
        if from_seq < head {
            let skip = RecordMatches { from_seq, to_seq: head, keys: Vec::new(), suggestions: Vec::new() };
            store.record_matches(skip).await?;
        }
        // Taken: added by an earlier run (with the same password, or signing in will say so).
        crate::synthetic::account(&store, "admin", Role::Admin, PASSWORD.to_owned()).await
    }
    .await;
    store.close(std::time::Duration::from_secs(10)).await;
    outcome.map(drop)
}

/// Run the phase on the database at `url`, which holds `cases` cases, with `probes` searches
/// of each kind.
pub async fn search(url: &str, cases: usize, probes: usize) -> anyhow::Result<SearchFigures> {
    let server = ChildServer::start(url).await?;
    let admin = server.admin().await?;
    // Probes: cases at random positions, with their people.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut found: Vec<Probe> = Vec::new();
    let (mut phones, mut names) = (0, 0);
    let mut attempts = 0;
    while (phones < probes || names < probes || found.len() < probes) && attempts < probes * 20 {
        attempts += 1;
        let cursor = 2 + next() % cases as u64;
        let page = admin.get(&format!("/api/v1/cases?limit=1&cursor={cursor}")).await?;
        let Some(case) = page.body["cases"].get(0) else { continue };
        let case_id = case["case_id"].as_str().context("a case id")?.to_owned();
        let detail = admin.get(&format!("/api/v1/cases/{case_id}")).await?;
        let persons = detail.body["persons"].as_array().cloned().unwrap_or_default();
        let phone = persons.iter().find_map(|p| p["phone"].as_str()).map(str::to_owned);
        let arabic_name = persons.iter().filter_map(|p| p["name"].as_str()).find(|n| is_arabic(n)).map(str::to_owned);
        phones += usize::from(phone.is_some());
        names += usize::from(arabic_name.is_some());
        found.push(Probe {
            case_id,
            reference: case["reference"].as_str().context("a reference")?.to_owned(),
            phone,
            arabic_name,
        });
    }
    anyhow::ensure!(phones > 0 && names > 0, "no probe with a phone or an Arabic name among {} cases", found.len());

    let time = async |path: &str| -> anyhow::Result<(f64, Value)> {
        let started = Instant::now();
        let reply = admin.get(path).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(reply.status == 200, "{path}: {} {}", reply.status, reply.body);
        Ok((ms, reply.body))
    };
    let has = |body: &Value, case_id: &str| {
        body["cases"].as_array().is_some_and(|cases| cases.iter().any(|c| c["case_id"] == case_id))
    };
    let encode = |q: &str| -> String {
        q.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    };

    let mut samples = Vec::new();
    for probe in found.iter().take(probes) {
        let typed = probe.reference.replace('-', "").to_lowercase();
        let (ms, body) = time(&format!("/api/v1/cases?q={typed}")).await?;
        anyhow::ensure!(has(&body, &probe.case_id), "reference {typed} did not find its case");
        samples.push(ms);
    }
    let reference = percentiles(samples);

    let mut samples = Vec::new();
    for probe in found.iter().filter(|p| p.phone.is_some()).take(probes) {
        let phone = probe.phone.as_deref().unwrap_or_default();
        let national = format!("0{}", split_e164(phone).context("a stored E.164 number")?.1);
        let (ms, body) = time(&format!("/api/v1/cases?q={national}")).await?;
        anyhow::ensure!(has(&body, &probe.case_id), "phone {national} did not find its case");
        samples.push(ms);
    }
    let phone = percentiles(samples);

    let (mut arabic_samples, mut latin_samples) = (Vec::new(), Vec::new());
    let (mut arabic_found, mut latin_found, mut names_capped) = (0, 0, 0);
    for probe in found.iter().filter(|p| p.arabic_name.is_some()).take(probes) {
        let name = probe.arabic_name.as_deref().unwrap_or_default();
        let (ms, body) = time(&format!("/api/v1/cases?q={}", encode(name))).await?;
        arabic_samples.push(ms);
        arabic_found += usize::from(has(&body, &probe.case_id));
        names_capped += usize::from(body["total_capped"] == true);
        let latin = latin_twin(name);
        let (ms, body) = time(&format!("/api/v1/cases?q={}", encode(&latin))).await?;
        latin_samples.push(ms);
        latin_found += usize::from(has(&body, &probe.case_id));
        names_capped += usize::from(body["total_capped"] == true);
    }

    let mut samples = Vec::new();
    let mut board_total = 0;
    for _ in 0..probes {
        let (ms, body) = time("/api/v1/cases?status=new&sort=urgency&need=medical&limit=50").await?;
        board_total = body["total"].as_u64().unwrap_or(0);
        samples.push(ms);
    }
    let board = percentiles(samples);
    let mut samples = Vec::new();
    let mut overdue_total = 0;
    for _ in 0..probes {
        let (ms, body) = time("/api/v1/cases?sla=red&sort=sla_due&limit=50").await?;
        overdue_total = body["total"].as_u64().unwrap_or(0);
        samples.push(ms);
    }
    let overdue_queue = percentiles(samples);
    let mut samples = Vec::new();
    for _ in 0..probes {
        samples.push(time("/api/v1/cases/counts").await?.0);
    }
    let counts = percentiles(samples);
    let mut samples = Vec::new();
    for _ in 0..probes {
        samples.push(time("/api/v1/cases/counts?need=medical").await?.0);
    }
    let counts_filtered = percentiles(samples);
    server.stop().await?;
    Ok(SearchFigures {
        probes: arabic_samples.len(),
        reference,
        phone,
        arabic: percentiles(arabic_samples),
        latin: percentiles(latin_samples),
        arabic_found,
        latin_found,
        names_capped,
        board,
        board_total,
        overdue_queue,
        overdue_total,
        counts,
        counts_filtered,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn latin_twins_follow_the_lists() {
        assert_eq!(super::latin_twin("أحمد عبد الرحيم الطيب"), "Ahmed Abdelrahim Eltayeb");
        assert_eq!(super::latin_twin("عبد الله بابكر"), "Abdallah Babiker");
    }
}
