//! The smoke scenario end to end against an embedded server: every report acknowledged and
//! present, every live stream without a gap or a repeat, and the outcomes within bounds; and two
//! scenarios of two crises played at once on one server, each staying in its own crisis.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::SinkExt;
use opsroom_scenario::{Gazetteer, RunOptions, Scenario, Speed};
use opsroom_tests::{ADMIN_PASSWORD, Api, TestServer};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn the_smoke_scenario_plays_through_the_public_api_with_nothing_lost() {
    let server = TestServer::start().await;
    let scenario = opsroom_scenario::load("smoke").unwrap();
    let options = at_full_speed(&server);
    let summary = opsroom_scenario::run(&scenario, &options).await.unwrap();
    summary.print();
    assert!(summary.ok(), "acknowledged reports missing or a stream gap: {summary:?}");
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    // 40 an hour for two hours and a wave of 20.
    assert_eq!((summary.planned, summary.sent, summary.acknowledged), (100, 100, 100));
    assert_eq!(summary.cases_total, 100);
    // Every case was worked: about 70% of contact attempts reach someone.
    assert!((50..=90).contains(&summary.contacted), "contacted {}", summary.contacted);
    // Reached cases with a medical need go to the Red Crescent; each is answered, and every
    // accepted one is completed.
    assert!(summary.referrals_made >= 5, "{summary:?}");
    assert_eq!(summary.referrals_accepted + summary.referrals_declined, summary.referrals_made);
    assert_eq!(summary.referrals_completed, summary.referrals_accepted);
    assert_eq!(summary.advisories, 1);
    // The bus took people from the waiting list (families kept together, so perhaps fewer than
    // its 20 seats), most boarded and all of those reached home.
    let e = &summary.evacuation;
    assert_eq!((e.zones, e.movements), (1, 1), "{e:?}");
    assert!((10..=20).contains(&e.assigned), "{e:?}");
    assert!(e.departed > 0 && e.departed <= e.assigned && e.arrived_home == e.departed, "{e:?}");
    assert_eq!(summary.streams.len(), 2, "the operators' stream and the Red Crescent's");
    assert!(summary.streams.iter().all(|s| s.events > 0));
    // The same seed plays the same crisis: a second run on a fresh server decides alike.
    let again = TestServer::start().await;
    let second = opsroom_scenario::run(&scenario, &RunOptions { base_url: again.base_url(), ..options }).await.unwrap();
    assert_eq!(
        (second.contacted, second.referrals_made, second.referrals_declined),
        (summary.contacted, summary.referrals_made, summary.referrals_declined)
    );
    again.stop().await.unwrap();
    server.stop().await.unwrap();
}

fn at_full_speed(server: &TestServer) -> RunOptions {
    RunOptions {
        base_url: server.base_url(),
        admin_name: "admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
        speed: Speed::Max,
        seed: None,
        operator_bots: true,
        progress: false,
    }
}

/// A small scenario of its own crisis: two hours of located reports (or, with `unlocated`, some
/// that give a place name only and so name the crisis), operators referring the medical cases to
/// the crisis's one partner, and a phase change.
fn small_crisis(slug: &str, country: &str, bbox: [f64; 4], places: [&str; 2], partner: &str, located: f64) -> Scenario {
    let text = format!(
        r#"
        name = "{slug}"
        seed = 7
        duration_hours = 2
        [crisis]
        slug = "{slug}"
        name_ar = "أزمة {slug}"
        name_en = "Crisis {slug}"
        countries = ["{country}"]
        bbox = {bbox:?}
        reports_name_it = "unlocated"
        [[crisis.phases]]
        at_hour = 1
        phase = "evacuation"
        [[places]]
        name = "{first}"
        country = "{country}"
        weight = 2
        [[places]]
        name = "{second}"
        country = "{country}"
        weight = 1
        [[phases]]
        name = "all"
        from_hour = 0
        to_hour = 2
        reports_per_hour = 20
        relatives_abroad = 0.3
        located = {located}
        needs = {{ medical = 0.6, water = 0.5 }}
        [operators]
        count = 4
        triage_after_minutes = [1, 5]
        contact_after_minutes = [1, 5]
        reached_share = 0.8
        refer = [{{ need = "medical", partner = "{partner}", request = "medical_evacuation" }}]
        [[partners]]
        name = "{partner}"
        kind = "red_crescent"
        accept_after_minutes = [1, 5]
        step_after_minutes = [1, 5]
        "#,
        first = places[0],
        second = places[1],
    );
    Scenario::parse(&text, &Gazetteer::builtin()).unwrap_or_else(|e| panic!("{slug}: {e}"))
}

/// Every case `GET /api/v1/cases?crisis=slug` lists, page by page.
async fn listed_in(admin: &Api, slug: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut cursor = String::new();
    loop {
        let page = admin.get(&format!("/api/v1/cases?crisis={slug}&limit=100{cursor}")).await.unwrap();
        assert_eq!(page.status, 200, "{}", page.body);
        ids.extend(page.body["cases"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return ids,
        }
    }
}

async fn two_crises_played_at_once_stay_apart(server: TestServer) {
    let sudan =
        small_crisis("sudan-drill", "SD", [30.0, 12.0, 37.0, 19.0], ["Khartoum", "Omdurman"], "Sudan desk", 1.0);
    let libya = small_crisis("libya-drill", "LY", [11.5, 30.0, 16.0, 33.5], ["Tripoli", "Misratah"], "Libya desk", 0.7);
    let admin = server.admin().await;
    // Sudan's crisis is declared first, so that a stream can follow it from before its first
    // report; its scenario then finds it open. Libya's scenario declares its own.
    // Its ground is the scenario's box (tiling a whole country's outline takes a debug build
    // seconds).
    let ground = sudan.crisis.as_ref().and_then(|c| c.area());
    let declared = admin
        .post(
            "/api/v1/crises",
            json!({"slug": "sudan-drill", "name": {"ar": "أزمة", "en": "Sudan drill"}, "countries": ["SD"], "area": ground}),
        )
        .await;
    assert_eq!(declared.status, 201, "{}", declared.body);
    let mut stream = admin.live(None).await.unwrap();
    let subscribe = json!({"type": "subscribe", "since": null, "crisis": "sudan-drill"}).to_string();
    stream.socket.send(Message::text(subscribe)).await.unwrap();
    assert_eq!(stream.next_json().await.unwrap().unwrap()["type"], "snapshot");
    // Read while the runs play (a stream left unread might be cut as too slow), up to a marker:
    // the Sudan crisis's own phase change made after the runs, so after every case event.
    let watched = tokio::spawn(async move {
        let mut seen = HashSet::new();
        loop {
            let event =
                stream.next_json_within(Duration::from_secs(120)).await.unwrap().expect("the stream stays open");
            if event["kind"] == "crisis_phase_changed" && event["data"]["phase"] == "recovery" {
                return seen;
            }
            if let Some(case_id) = event["case_id"].as_str() {
                seen.insert(case_id.to_owned());
            }
        }
    });

    let options = at_full_speed(&server);
    let (in_sudan, in_libya) =
        tokio::join!(opsroom_scenario::run(&sudan, &options), opsroom_scenario::run(&libya, &options));
    let (in_sudan, in_libya) = (in_sudan.unwrap(), in_libya.unwrap());
    for summary in [&in_sudan, &in_libya] {
        assert!(summary.ok() && summary.errors.is_empty(), "{summary:?}");
        assert_eq!(summary.acknowledged, 40, "{summary:?}");
        assert!(summary.referrals_made > 0, "{summary:?}");
    }
    let ids = |summary: &opsroom_scenario::Summary| -> HashSet<String> {
        summary.case_ids.iter().map(|id| id.to_string()).collect()
    };
    let (sudanese, libyan) = (ids(&in_sudan), ids(&in_libya));

    // Each crisis's list holds exactly the cases its scenario filed: located ones by their
    // ground, Libya's unlocated ones by their naming it.
    assert_eq!(listed_in(&admin, "sudan-drill").await, sudanese);
    assert_eq!(listed_in(&admin, "libya-drill").await, libyan);
    let libya_now = admin.get("/api/v1/crises/libya-drill").await.unwrap();
    assert_eq!(libya_now.body["phase"], "evacuation", "{}", libya_now.body);

    // The stream narrowed to Sudan's crisis carried Sudan's cases and nothing of Libya's.
    let marker = admin.post("/api/v1/crises/sudan-drill/phase", json!({"phase": "recovery"})).await;
    assert_eq!(marker.status, 200, "{}", marker.body);
    let seen = watched.await.unwrap();
    assert!(seen.is_disjoint(&libyan), "Libya's cases on Sudan's stream: {:?}", seen.intersection(&libyan));
    assert_eq!(seen, sudanese, "every Sudanese case and only those");

    // Each partner's feed holds its own crisis's cases only, and it works in that crisis only.
    let partners = admin.get("/api/v1/partners").await.unwrap().body;
    for (name, own, other) in [("Sudan desk", &sudanese, &libyan), ("Libya desk", &libyan, &sudanese)] {
        let partner = partners.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap();
        let slug = if name == "Sudan desk" { "sudan-drill" } else { "libya-drill" };
        assert_eq!(partner["profile"]["crises"], json!([slug]), "{partner}");
        let (token, _) = admin.partner_token(partner["partner_id"].as_str().unwrap()).await;
        let feed = server.api().as_partner(&token).get("/api/v1/partner/cases").await.unwrap();
        assert_eq!(feed.status, 200, "{}", feed.body);
        let fed: HashSet<String> =
            feed.body["cases"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap().to_owned()).collect();
        assert!(!fed.is_empty() && fed.is_subset(own), "{name}: {fed:?}");
        assert!(fed.is_disjoint(other), "{name} has the other crisis's cases");
    }
    server.stop().await.unwrap();
}

opsroom_tests::on_both_backends!(two_crises_played_at_once_stay_apart);
