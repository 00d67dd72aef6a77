//! Playing a scenario against a server: citizens and relatives send the planned reports, operator
//! bots triage, contact and refer, partner bots accept and report progress, a supervisor
//! publishes the advisories; every live stream the run opens is checked for gaps and repeats,
//! and at the end every acknowledged report must be a case the server still has.
//!
//! Owns the actors and the scenario clock (`Speed`: real time times N, or as fast as the server
//! answers). Talks to the server only through its public HTTP and websocket API, like any
//! client: nothing here knows the database.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod actors;
mod evacuation;

use actors::*;

use anyhow::{Context, bail};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::partner::referral::RequestType;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::client::{Client, Reply, Stream};
use crate::format::{PartnerBot, Scenario};
use crate::gazetteer::Gazetteer;
use crate::plan::{self, PlannedReport, between};
use evacuation::EvacuationTally;

/// How fast scenario time runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Scenario seconds per real second.
    Times(f64),
    /// Every wait is skipped: as fast as the server answers.
    Max,
}

impl std::str::FromStr for Speed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "max" {
            return Ok(Speed::Max);
        }
        match s.parse::<f64>() {
            Ok(n) if n > 0.0 && n.is_finite() => Ok(Speed::Times(n)),
            _ => Err(format!("{s:?}: a positive number (scenario seconds per second) or `max`")),
        }
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub base_url: String,
    /// A staff account that may publish advisories and register partners (an admin).
    pub admin_name: String,
    pub admin_password: String,
    pub speed: Speed,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Drill mode leaves the operators' work to people: no operator bots.
    pub operator_bots: bool,
    /// Print a progress line every few seconds (to stderr).
    pub progress: bool,
}

/// What happened, for the summary and for tests.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub planned: usize,
    pub standing: u64,
    pub sent: u64,
    pub acknowledged: u64,
    /// The cases the acknowledged reports became, in the order acknowledged (to tell apart the
    /// cases of runs played at once on one server).
    pub case_ids: Vec<Uuid>,
    /// Acknowledged reports the server did not have afterwards (must be 0).
    pub missing: u64,
    /// Failures by kind (`http 422 invalid_field`, `network`, …).
    pub errors: BTreeMap<String, u64>,
    pub cases_total: u64,
    pub contacted: u64,
    pub first_contact_p50_ms: Option<i64>,
    pub first_contact_p90_ms: Option<i64>,
    pub referrals_made: u64,
    pub referrals_accepted: u64,
    pub referrals_declined: u64,
    pub referrals_completed: u64,
    pub advisories: u64,
    pub evacuation: EvacuationTally,
    pub streams: Vec<StreamCheck>,
    pub elapsed: Duration,
}

/// One live stream the run watched.
#[derive(Debug, Clone, Default)]
pub struct StreamCheck {
    pub name: String,
    pub events: u64,
    pub gaps: u64,
    pub repeats: u64,
}

impl Summary {
    /// Nothing acknowledged went missing and no stream had a gap or a repeat.
    pub fn ok(&self) -> bool {
        self.missing == 0 && self.streams.iter().all(|s| s.gaps == 0 && s.repeats == 0)
    }

    pub fn print(&self) {
        let ms = |v: Option<i64>| v.map_or("-".to_owned(), |ms| format!("{:.1} min", ms as f64 / 60_000.0));
        println!("scenario {} (seed {}) in {:.1} s", self.scenario, self.seed, self.elapsed.as_secs_f64());
        println!(
            "  reports: {} planned, {} standing, {} sent, {} acknowledged, {} missing afterwards",
            self.planned, self.standing, self.sent, self.acknowledged, self.missing
        );
        println!(
            "  cases on the server: {}; contacted {}; time to first contact p50 {} p90 {}",
            self.cases_total,
            self.contacted,
            ms(self.first_contact_p50_ms),
            ms(self.first_contact_p90_ms)
        );
        println!(
            "  referrals: {} made, {} accepted, {} declined, {} completed; advisories: {}",
            self.referrals_made,
            self.referrals_accepted,
            self.referrals_declined,
            self.referrals_completed,
            self.advisories
        );
        let e = &self.evacuation;
        println!(
            "  evacuation: {} danger zones, {} movements planned, {} seats assigned, {} departed, {} arrived home",
            e.zones, e.movements, e.assigned, e.departed, e.arrived_home
        );
        for stream in &self.streams {
            println!(
                "  stream {}: {} events, {} gaps, {} repeats",
                stream.name, stream.events, stream.gaps, stream.repeats
            );
        }
        if self.errors.is_empty() {
            println!("  errors: none");
        }
        for (kind, count) in &self.errors {
            println!("  error {kind}: {count}");
        }
        println!(
            "{}",
            if self.ok() { "OK" } else { "FAILED: acknowledged reports missing or a stream had a gap or repeat" }
        );
    }
}

/// Counters shared by every actor.
#[derive(Default)]
pub(crate) struct Tally {
    sent: u64,
    acknowledged: Vec<Uuid>,
    /// Which planned report each timed case came from.
    index_of: HashMap<Uuid, usize>,
    errors: BTreeMap<String, u64>,
    advisories: u64,
    pub(crate) evacuation: EvacuationTally,
}

pub(crate) type Shared = Arc<Mutex<Tally>>;

pub(crate) fn count_error(tally: &Shared, kind: String) {
    *tally.lock().unwrap().errors.entry(kind).or_default() += 1;
}

pub(crate) fn failure(reply: &Reply) -> String {
    format!("http {} {}", reply.status, reply.body["error"]["code"].as_str().unwrap_or(""))
}

/// The scenario clock.
#[derive(Clone, Copy)]
pub(crate) struct Clock {
    start: Instant,
    speed: Speed,
}

impl Clock {
    /// Scenario hours since the start.
    fn now_hours(&self) -> f64 {
        match self.speed {
            Speed::Times(n) => self.start.elapsed().as_secs_f64() * n / 3600.0,
            Speed::Max => 0.0,
        }
    }

    pub(crate) async fn until_hours(&self, hours: f64) {
        if let Speed::Times(n) = self.speed {
            let at = self.start + Duration::from_secs_f64((hours * 3600.0 / n).max(0.0));
            tokio::time::sleep_until(at.into()).await;
        }
    }

    /// Real time for `minutes` of scenario time.
    fn real(&self, minutes: f64) -> Duration {
        match self.speed {
            Speed::Times(n) => Duration::from_secs_f64((minutes * 60.0 / n).max(0.0)),
            Speed::Max => Duration::ZERO,
        }
    }

    async fn wait_minutes(&self, minutes: f64) {
        let wait = self.real(minutes);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// The random choices of one actor about one planned report.
pub(crate) fn choices(seed: u64, index: usize, actor: &str) -> ChaCha8Rng {
    let actor = actor.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    ChaCha8Rng::seed_from_u64(seed ^ actor ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A case handed to the operator bots.
struct NewCase {
    case_id: Uuid,
    /// The planned report it came from: bots draw their choices from the seed and this, so a
    /// run's choices do not depend on the ids the server gave out.
    index: usize,
    needs: Vec<Need>,
    flags: Vec<Flag>,
}

/// Play `scenario` against the server at `options.base_url`.
pub async fn run(scenario: &Scenario, options: &RunOptions) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let gazetteer = Gazetteer::builtin();
    let seed = options.seed.unwrap_or(scenario.seed);
    let planned = plan::plan(scenario, &gazetteer, seed);
    let tally: Shared = Arc::default();

    let mut admin = Client::new(&options.base_url)?;
    admin.sign_in(&options.admin_name, &options.admin_password).await?;
    let me = admin.get("/api/v1/session").await?;
    let my_id: Uuid = me.body["user_id"].as_str().and_then(|s| s.parse().ok()).context("no user id")?;
    let crisis = scenario.crisis.as_ref();
    if let Some(crisis) = crisis {
        declare_crisis(&admin, crisis).await?;
    }
    let partners = register_partners(&admin, &scenario.partners, crisis.map(|c| c.slug.as_str())).await?;
    let places = evacuation::register_places(&admin, &scenario.evacuation_places).await?;

    // Watch the operators' stream from before the first report to the end.
    let (stop_tx, stop) = watch::channel(false);
    let ops_stream = admin.stream("/api/v1/live").await?;
    let ops_watch = tokio::spawn(watch_operators(ops_stream, stop.clone()));
    let mut partner_tasks = JoinSet::new();
    let activity = Arc::new(Activity::default());
    for bot in &scenario.partners {
        let (_, token) = &partners[&bot.name];
        let client = admin.as_partner(token);
        let stream = client.stream("/api/v1/partner/live").await?;
        let actor = PartnerActor {
            bot: bot.clone(),
            client,
            speed: options.speed,
            seed,
            tally: tally.clone(),
            activity: activity.clone(),
        };
        partner_tasks.spawn(play_partner(actor, stream, stop.clone()));
    }

    let standing = submit_standing(scenario, &gazetteer, seed, &admin, &tally).await;
    let clock = Clock { start: Instant::now(), speed: options.speed };
    let progress = options.progress.then(|| tokio::spawn(report_progress(clock, tally.clone(), planned.len())));
    let advisories = tokio::spawn(publish_advisories(scenario.clone(), admin.clone(), clock, tally.clone()));
    let phases = tokio::spawn(change_phases(scenario.crisis.clone(), admin.clone(), clock, tally.clone()));
    let zones =
        tokio::spawn(evacuation::declare_zones(scenario.danger_zones.clone(), admin.clone(), clock, tally.clone()));
    let shared: HashMap<String, Uuid> = partners.iter().map(|(name, (id, _))| (name.clone(), *id)).collect();
    let movers = evacuation::Movers {
        admin: admin.clone(),
        places,
        partners: shared,
        clock,
        seed,
        tally: tally.clone(),
        starts_at: scenario.starts_at(),
    };
    let in_turn = matches!(options.speed, Speed::Max);
    let movements = evacuation::play_movements(scenario.movements.clone(), movers, in_turn);
    // On the clock, movements keep their hours; at full speed there are no hours, so they run
    // once the operators have put everyone who asked for evacuation on the waiting list.
    let (movements, movements_after) = match options.speed {
        Speed::Times(_) => (Some(tokio::spawn(movements)), None),
        Speed::Max => (None, Some(movements)),
    };

    let (cases_tx, cases_rx) = mpsc::unbounded_channel();
    let operators = match (&scenario.operators, options.operator_bots) {
        (Some(operators), true) => {
            let rules = operators
                .refer
                .iter()
                .map(|rule| Rule {
                    need: rule.need,
                    flag: rule.flag,
                    partner_id: partners[&rule.partner].0,
                    request: rule.request.as_str(),
                })
                .collect();
            let desk =
                Desk { admin: admin.clone(), me: my_id, clock, seed, tally: tally.clone(), rules: Arc::new(rules) };
            Some(tokio::spawn(play_operators(operators.clone(), desk, cases_rx)))
        }
        _ => None,
    };

    send_reports(&planned, &admin, clock, &tally, operators.is_some().then_some(cases_tx)).await;
    if let Some(operators) = operators {
        operators.await?;
    }
    advisories.await?;
    phases.await?;
    zones.await?;
    if let Some(movements) = movements {
        movements.await?;
    }
    if let Some(movements) = movements_after {
        movements.await;
    }
    // Partner bots finish what they took on: wait until none has work under way and no item
    // came for a second (their steps take scenario time, so at most a bounded real time).
    let patience = scenario.partners.iter().map(|p| p.accept_after_minutes[1] + 5.0 * p.step_after_minutes[1]);
    let patience = clock.real(patience.fold(0.0, f64::max)) + Duration::from_secs(10);
    let _ = tokio::time::timeout(patience, activity.quiet(Duration::from_secs(1))).await;

    // Every acknowledged report must still be there.
    let acknowledged = tally.lock().unwrap().acknowledged.clone();
    let known = all_case_ids(&admin).await?;
    let missing = acknowledged.iter().filter(|id| !known.contains(id)).count() as u64;
    let kpis = admin.get("/api/v1/kpis").await?.body;

    // Let the streams reach the head, then stop them.
    let head = kpis["seq"].as_u64().unwrap_or(0);
    let _ = stop_tx.send(true);
    let ops = ops_watch.await?;
    let mut streams = vec![ops.check.clone()];
    while let Some(done) = partner_tasks.join_next().await {
        streams.push(done?);
    }
    if let Some(progress) = progress {
        progress.abort();
    }
    if ops.check.events > 0 && ops.last < head {
        count_error(&tally, format!("operators' stream ended at {} before the head {head}", ops.last));
    }

    let tally = tally.lock().unwrap();
    Ok(Summary {
        scenario: scenario.name.clone(),
        seed,
        planned: planned.len(),
        standing,
        sent: tally.sent,
        acknowledged: tally.acknowledged.len() as u64,
        case_ids: tally.acknowledged.clone(),
        missing,
        errors: tally.errors.clone(),
        cases_total: kpis["cases"]["total"].as_u64().unwrap_or(0),
        contacted: kpis["contacted"].as_u64().unwrap_or(0),
        first_contact_p50_ms: kpis["first_contact_p50_ms"].as_i64(),
        first_contact_p90_ms: kpis["first_contact_p90_ms"].as_i64(),
        referrals_made: ops.referrals_made,
        referrals_accepted: ops.referrals_accepted,
        referrals_declined: ops.referrals_declined,
        referrals_completed: ops.referrals_completed,
        advisories: tally.advisories,
        evacuation: tally.evacuation.clone(),
        streams,
        elapsed: started.elapsed(),
    })
}

/// What partner bots are doing, so the run knows when they are done.
#[derive(Default)]
struct Activity {
    in_flight: std::sync::atomic::AtomicUsize,
    last: Mutex<Option<Instant>>,
}

impl Activity {
    fn touch(&self) {
        *self.last.lock().unwrap() = Some(Instant::now());
    }

    /// Wait until nothing is under way and nothing happened for `quiet`.
    async fn quiet(&self, quiet: Duration) {
        loop {
            let idle = self.in_flight.load(std::sync::atomic::Ordering::SeqCst) == 0;
            let still = self.last.lock().unwrap().is_none_or(|at| at.elapsed() >= quiet);
            if idle && still {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Find or register each partner of the scenario and give it a fresh token. In a scenario's
/// crisis, a partner it registers works in that crisis only; one found limited to other crises
/// is given this one too (one limited to none already works in every crisis).
async fn register_partners(
    admin: &Client,
    bots: &[PartnerBot],
    crisis: Option<&str>,
) -> anyhow::Result<HashMap<String, (Uuid, String)>> {
    let existing = admin.get("/api/v1/partners").await?.body;
    let mut partners = HashMap::new();
    for bot in bots {
        let found = existing.as_array().into_iter().flatten().find(|p| p["name"] == bot.name.as_str());
        let partner_id = match found {
            Some(partner) => {
                let partner_id = partner["partner_id"].as_str().context("a partner id")?.to_owned();
                let mut crises: Vec<Value> = partner["profile"]["crises"].as_array().cloned().unwrap_or_default();
                if let Some(slug) = crisis
                    && !crises.is_empty()
                    && !crises.contains(&json!(slug))
                {
                    crises.push(json!(slug));
                    let body = json!({"profile": {"crises": crises}});
                    let reply = admin
                        .send(reqwest::Method::PUT, &format!("/api/v1/partners/{partner_id}"), Some(&body))
                        .await?;
                    if reply.status != 200 {
                        bail!("adding crisis {slug} to partner {}: {} {}", bot.name, reply.status, reply.body);
                    }
                }
                partner_id
            }
            None => {
                let mut body = json!({"name": bot.name, "kind": bot.kind});
                if let Some(slug) = crisis {
                    body["profile"] = json!({"crises": [slug]});
                }
                let reply = admin.post("/api/v1/partners", &body).await?;
                if reply.status != 201 {
                    bail!("registering partner {}: {} {}", bot.name, reply.status, reply.body);
                }
                reply.body["partner_id"].as_str().context("a partner id")?.to_owned()
            }
        };
        let reply =
            admin.post(&format!("/api/v1/partners/{partner_id}/tokens"), &json!({"expires_in_days": 30})).await?;
        if reply.status != 201 {
            bail!("a token for partner {}: {} {}", bot.name, reply.status, reply.body);
        }
        let token = reply.body["token"].as_str().context("a token")?.to_owned();
        partners.insert(bot.name.clone(), (partner_id.parse()?, token));
    }
    Ok(partners)
}

/// Most reports in flight at once.
const CONCURRENCY: usize = 64;

/// Send one report the way its sender would: the web form with its idempotency key (retried
/// with the same key on a network failure or a 503), or a call typed in by an operator.
async fn send_one(admin: &Client, report: &PlannedReport) -> Result<Uuid, String> {
    let mut last_error = String::new();
    for _attempt in 0..4 {
        let answer = if report.hotline {
            admin.post("/api/v1/cases", &json!({"channel": "hotline", "report": report.body})).await
        } else {
            admin.post_report(&report.body, &report.key.to_string()).await
        };
        match answer {
            Ok(reply) if reply.status == 201 => {
                return reply.body["case_id"].as_str().and_then(|s| s.parse().ok()).ok_or("no case id".into());
            }
            Ok(reply) if reply.status == 503 && !report.hotline => last_error = failure(&reply),
            Ok(reply) => return Err(failure(&reply)),
            Err(_) if !report.hotline => last_error = "network".into(),
            Err(_) => return Err("network".into()),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(last_error)
}

async fn submit(admin: &Client, report: &PlannedReport, tally: &Shared) -> Option<Uuid> {
    tally.lock().unwrap().sent += 1;
    match send_one(admin, report).await {
        Ok(case_id) => {
            let mut tally = tally.lock().unwrap();
            tally.acknowledged.push(case_id);
            tally.index_of.insert(case_id, report.index);
            Some(case_id)
        }
        Err(kind) => {
            count_error(tally, kind);
            None
        }
    }
}

async fn submit_standing(scenario: &Scenario, gazetteer: &Gazetteer, seed: u64, admin: &Client, tally: &Shared) -> u64 {
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = JoinSet::new();
    for report in plan::standing(scenario, gazetteer, seed) {
        let slot = slots.clone().acquire_owned().await.expect("never closed");
        let (admin, tally) = (admin.clone(), tally.clone());
        tasks.spawn(async move {
            let _slot = slot;
            submit(&admin, &PlannedReport { hotline: false, ..report }, &tally).await;
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    scenario.standing_cases
}

async fn send_reports(
    planned: &[PlannedReport],
    admin: &Client,
    clock: Clock,
    tally: &Shared,
    operators: Option<mpsc::UnboundedSender<NewCase>>,
) {
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = JoinSet::new();
    for report in planned {
        clock.until_hours(report.at_hours).await;
        let slot = slots.clone().acquire_owned().await.expect("never closed");
        let (admin, tally, report, operators) = (admin.clone(), tally.clone(), report.clone(), operators.clone());
        tasks.spawn(async move {
            let _slot = slot;
            if let Some(case_id) = submit(&admin, &report, &tally).await
                && let Some(operators) = operators
            {
                let needs = serde_json::from_value(report.body["needs"].clone()).unwrap_or_default();
                let flags = serde_json::from_value(report.body["flags"].clone()).unwrap_or_default();
                let _ = operators.send(NewCase { case_id, index: report.index, needs, flags });
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
}
