//! The people a scenario plays beside the reporters: operators working the cases, partners
//! answering their referrals, the watchers of the live streams, the supervisor who declares the
//! crisis, moves its phase and publishes the advisories, and the progress line.

use super::*;

/// A referral rule with its partner resolved.
pub(super) struct Rule {
    pub(super) need: Option<Need>,
    pub(super) flag: Option<Flag>,
    pub(super) partner_id: Uuid,
    pub(super) request: &'static str,
}

/// What the operator bots work with.
#[derive(Clone)]
pub(super) struct Desk {
    pub(super) admin: Client,
    /// The bots' own user id (they assign cases to themselves).
    pub(super) me: Uuid,
    pub(super) clock: Clock,
    pub(super) seed: u64,
    pub(super) tally: Shared,
    pub(super) rules: Arc<Vec<Rule>>,
}

/// The operator bots: each case is triaged (assigned, status triaged), contacted, and referred
/// by the rules; at most `count` cases are worked at once.
pub(super) async fn play_operators(
    operators: crate::format::Operators,
    desk: Desk,
    mut cases: mpsc::UnboundedReceiver<NewCase>,
) {
    let Desk { seed, .. } = desk;
    let desks = Arc::new(Semaphore::new(operators.count.max(1) as usize));
    let mut tasks = JoinSet::new();
    while let Some(case) = cases.recv().await {
        let mut rng = choices(seed, case.index, "operator");
        let triage = between(&mut rng, operators.triage_after_minutes);
        let contact = between(&mut rng, operators.contact_after_minutes);
        let reached = rand::Rng::random_bool(&mut rng, operators.reached_share);
        let (desk, desks) = (desk.clone(), desks.clone());
        tasks.spawn(async move {
            desk.clock.wait_minutes(triage).await;
            let _seat = desks.acquire().await.expect("never closed");
            if let Err(kind) = work_case(&desk, &case, contact, reached).await {
                count_error(&desk.tally, kind);
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
}

pub(super) async fn work_case(desk: &Desk, case: &NewCase, contact_after: f64, reached: bool) -> Result<(), String> {
    let (admin, me, clock) = (&desk.admin, desk.me, desk.clock);
    let id = case.case_id;
    let detail = admin.get(&format!("/api/v1/cases/{id}")).await.map_err(|_| "network".to_owned())?;
    let mut version = detail.body["case"]["version"].as_u64().ok_or_else(|| failure(&detail))?;
    let mut act = async |path: &str, mut body: Value| -> Result<(), String> {
        body["version"] = json!(version);
        let reply = admin.post(&format!("/api/v1/cases/{id}/{path}"), &body).await.map_err(|_| "network".to_owned())?;
        if reply.status != 200 {
            return Err(failure(&reply));
        }
        version = reply.body["case"]["version"].as_u64().unwrap_or(version + 1);
        Ok(())
    };
    act("assignment", json!({"user_id": me})).await?;
    act("status", json!({"status": "triaged"})).await?;
    clock.wait_minutes(contact_after).await;
    let outcome = if reached { "reached" } else { "no_answer" };
    act("contacts", json!({"channel": "phone", "outcome": outcome})).await?;
    if !reached {
        return Ok(());
    }
    for rule in desk.rules.iter() {
        let applies =
            rule.need.is_some_and(|n| case.needs.contains(&n)) || rule.flag.is_some_and(|f| case.flags.contains(&f));
        if applies {
            let body =
                json!({"partner_id": rule.partner_id, "request_type": rule.request, "note": "scenario referral"});
            let reply =
                admin.post(&format!("/api/v1/cases/{id}/referrals"), &body).await.map_err(|_| "network".to_owned())?;
            if reply.status != 201 {
                return Err(failure(&reply));
            }
        }
    }
    // Someone who asks to be evacuated waits for a seat.
    if case.needs.contains(&Need::Evacuation) {
        act("status", json!({"status": "awaiting_evacuation"})).await?;
    }
    Ok(())
}

/// A partner bot and what it shares with the run.
pub(super) struct PartnerActor {
    pub(super) bot: PartnerBot,
    pub(super) client: Client,
    pub(super) speed: Speed,
    pub(super) seed: u64,
    pub(super) tally: Shared,
    pub(super) activity: Arc<Activity>,
}

/// A partner bot: follows its stream; each new referral is accepted (or declined) and taken
/// through the progress steps to completion.
pub(super) async fn play_partner(
    actor: PartnerActor,
    mut stream: Stream,
    mut stop: watch::Receiver<bool>,
) -> StreamCheck {
    let PartnerActor { bot, client, speed, seed, tally, activity } = actor;
    let clock = Clock { start: Instant::now(), speed };
    let mut seen = HashSet::new();
    let mut work = JoinSet::new();
    loop {
        let next = tokio::select! {
            next = stream.next_event(false) => next,
            _ = stop.changed() => break,
        };
        let item = match next {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(error) => {
                count_error(&tally, format!("partner stream {}: {error}", bot.name));
                break;
            }
        };
        let (Some("referral_made"), Some(referral_id)) =
            (item["kind"].as_str(), item["referral"]["referral_id"].as_str())
        else {
            continue;
        };
        if !seen.insert(referral_id.to_owned()) {
            continue;
        }
        activity.touch();
        activity.in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let case_id: Option<Uuid> = item["case_id"].as_str().and_then(|s| s.parse().ok());
        let index = case_id.and_then(|id| tally.lock().unwrap().index_of.get(&id).copied()).unwrap_or(usize::MAX);
        let mut rng = choices(seed, index, &bot.name);
        // The steps a bot reports are those of the request (family tracing: contacted, located,
        // reunited; …); an unknown type gets only "completed", which fits every request.
        let request = item["case"]["referrals"].as_array().and_then(|referrals| {
            let referral = referrals.iter().find(|r| r["referral_id"].as_str() == Some(referral_id))?;
            RequestType::parse(referral["request_type"].as_str()?)
        });
        let (bot, client, tally, referral_id) = (bot.clone(), client.clone(), tally.clone(), referral_id.to_owned());
        let activity = activity.clone();
        work.spawn(async move {
            work_referral(&bot, &client, &referral_id, request, clock, &mut rng, &tally).await;
            activity.touch();
            activity.in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        });
        while work.try_join_next().is_some() {}
    }
    // Steps still under way are finished before the check (they are part of the run).
    while work.join_next().await.is_some() {}
    StreamCheck {
        name: format!("partner {}", bot.name),
        events: stream.events,
        gaps: stream.gaps,
        repeats: stream.repeats,
    }
}

/// Accept (or decline) one referral, then report each of its request's steps to completion.
pub(super) async fn work_referral(
    bot: &PartnerBot,
    client: &Client,
    referral_id: &str,
    request: Option<RequestType>,
    clock: Clock,
    rng: &mut ChaCha8Rng,
    tally: &Shared,
) {
    clock.wait_minutes(between(rng, bot.accept_after_minutes)).await;
    let path = |action: &str| format!("/api/v1/partner/referrals/{referral_id}/{action}");
    let declines = rand::Rng::random_bool(rng, bot.decline_share);
    let answer = if declines {
        client.post(&path("decline"), &json!({"reason": "no team free in that area"})).await
    } else {
        client.post(&path("acceptance"), &json!({})).await
    };
    match answer {
        Ok(reply) if reply.status == 200 => {}
        Ok(reply) => return count_error(tally, failure(&reply)),
        Err(_) => return count_error(tally, "network".into()),
    }
    if declines {
        return;
    }
    let steps = request.map_or(&[][..], RequestType::steps).iter().map(|s| s.as_str());
    for step in steps.chain(["completed"]) {
        clock.wait_minutes(between(rng, bot.step_after_minutes)).await;
        match client.post(&path("progress"), &json!({"step": step})).await {
            Ok(reply) if reply.status == 200 => {}
            Ok(reply) => return count_error(tally, failure(&reply)),
            Err(_) => return count_error(tally, "network".into()),
        }
    }
}

/// What the operators' stream showed.
#[derive(Debug, Default)]
pub(super) struct OperatorsWatch {
    pub(super) check: StreamCheck,
    pub(super) last: u64,
    pub(super) referrals_made: u64,
    pub(super) referrals_accepted: u64,
    pub(super) referrals_declined: u64,
    pub(super) referrals_completed: u64,
}

pub(super) async fn watch_operators(mut stream: Stream, mut stop: watch::Receiver<bool>) -> OperatorsWatch {
    let mut watch = OperatorsWatch::default();
    let mut stopping = false;
    loop {
        // After the stop, drain what is already on its way for a moment, then end.
        let next = if stopping {
            match tokio::time::timeout(Duration::from_millis(500), stream.next_event(true)).await {
                Ok(next) => next,
                Err(_) => break,
            }
        } else {
            tokio::select! {
                next = stream.next_event(true) => next,
                _ = stop.changed() => { stopping = true; continue }
            }
        };
        let Ok(Some(event)) = next else { break };
        match (event["kind"].as_str(), event["data"]["to"].as_str()) {
            (Some("referral_made"), _) => watch.referrals_made += 1,
            (Some("referral_updated"), Some("accepted")) => watch.referrals_accepted += 1,
            (Some("referral_updated"), Some("declined")) => watch.referrals_declined += 1,
            (Some("referral_updated"), Some("completed")) => watch.referrals_completed += 1,
            _ => {}
        }
    }
    watch.last = stream.last.unwrap_or(0);
    watch.check =
        StreamCheck { name: "operators".into(), events: stream.events, gaps: stream.gaps, repeats: stream.repeats };
    watch
}

/// Declare the scenario's crisis, or find it open under its slug (a demo restarted on the same
/// database, a second run): its reports and partners need it before the clock starts.
pub(super) async fn declare_crisis(admin: &Client, crisis: &crate::format::CrisisPlan) -> anyhow::Result<()> {
    let mut body = json!({
        "slug": crisis.slug,
        "name": {"ar": crisis.name_ar, "en": crisis.name_en},
        "countries": crisis.countries,
    });
    if let Some(area) = crisis.area() {
        body["area"] = area;
    }
    if let Some(phase) = crisis.phase {
        body["phase"] = json!(phase);
    }
    let reply = admin.post("/api/v1/crises", &body).await?;
    match reply.status {
        201 => Ok(()),
        409 => {
            let found = admin.get(&format!("/api/v1/crises/{}", crisis.slug)).await?;
            match found.body["phase"].as_str() {
                Some(phase) if found.status == 200 && phase != "closed" => Ok(()),
                _ => bail!("crisis {}: taken, and not open ({} {})", crisis.slug, found.status, found.body),
            }
        }
        _ => bail!("declaring crisis {}: {} {}", crisis.slug, reply.status, reply.body),
    }
}

/// Move the crisis through the scenario's phases, each at its hour.
pub(super) async fn change_phases(
    crisis: Option<crate::format::CrisisPlan>,
    admin: Client,
    clock: Clock,
    tally: Shared,
) {
    let Some(crisis) = crisis else { return };
    for change in &crisis.phases {
        clock.until_hours(change.at_hour).await;
        let path = format!("/api/v1/crises/{}/phase", crisis.slug);
        match admin.post(&path, &json!({"phase": change.phase})).await {
            Ok(reply) if reply.status == 200 => {}
            Ok(reply) => count_error(&tally, failure(&reply)),
            Err(_) => count_error(&tally, "network".into()),
        }
    }
}

pub(super) async fn publish_advisories(scenario: Scenario, admin: Client, clock: Clock, tally: Shared) {
    for advisory in &scenario.advisories {
        clock.until_hours(advisory.at_hour).await;
        let body = json!({
            "kind": advisory.kind, "severity": advisory.severity,
            "headline": {"ar": advisory.headline_ar, "en": advisory.headline_en},
            "body": {"ar": advisory.body_ar, "en": advisory.body_en},
        });
        match admin.post("/api/v1/advisories", &body).await {
            Ok(reply) if reply.status == 201 => tally.lock().unwrap().advisories += 1,
            Ok(reply) => count_error(&tally, failure(&reply)),
            Err(_) => count_error(&tally, "network".into()),
        }
    }
}

/// Every case id the server lists, page by page.
pub(super) async fn all_case_ids(admin: &Client) -> anyhow::Result<HashSet<Uuid>> {
    let mut ids = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/cases?limit=500".to_owned();
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = admin.get(&path).await?;
        if page.status != 200 {
            bail!("listing cases: {}", failure(&page));
        }
        for case in page.body["cases"].as_array().into_iter().flatten() {
            if let Some(id) = case["case_id"].as_str().and_then(|s| s.parse().ok()) {
                ids.insert(id);
            }
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(ids),
        }
    }
}

pub(super) async fn report_progress(clock: Clock, tally: Shared, planned: usize) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    loop {
        tick.tick().await;
        let tally = tally.lock().unwrap();
        let errors: u64 = tally.errors.values().sum();
        eprintln!(
            "t={:.1} h  sent {}/{}  acknowledged {}  errors {}",
            clock.now_hours(),
            tally.sent,
            planned,
            tally.acknowledged.len(),
            errors
        );
    }
}
