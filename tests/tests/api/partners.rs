//! Partner agencies: the registry and its tokens, referrals and their steps, the partner's feeds
//! (poll, one case, websocket, exports) cut to its profile, and the 404-not-403 rule.

use std::time::Duration;

use opsroom_tests::{Api, Reply, TestServer};
use serde_json::{Value, json};

async fn act(partner: &Api, referral_id: &str, action: &str, body: Value) -> Reply {
    partner.post_json(&format!("/api/v1/partner/referrals/{referral_id}/{action}"), &body).await.unwrap()
}

#[tokio::test]
async fn admins_register_partners_and_issue_tokens_shown_once() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let reply = admin
        .post_json("/api/v1/partners", &json!({"name": "Egyptian Red Crescent", "kind": "red_crescent"}))
        .await
        .unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    let partner_id = reply.body["partner_id"].as_str().unwrap().to_owned();
    assert_eq!(reply.body["profile"]["resolution"], 7);
    assert!(reply.body["profile"]["fields"].as_array().unwrap().contains(&json!("names")));
    assert!(!reply.body["profile"]["fields"].as_array().unwrap().contains(&json!("passports")));
    assert!(reply.body.get("webhook_secret").is_none(), "no webhook, no key");

    // Only admins change the registry; a taken name and a bad kind are refused clearly.
    let (supervisor, _) = server.user("samira", "supervisor").await;
    let refused = supervisor.post_json("/api/v1/partners", &json!({"name": "IOM", "kind": "un_agency"})).await.unwrap();
    assert_eq!(refused.status, 403);
    let taken = admin.post_json("/api/v1/partners", &json!({"name": "Egyptian Red Crescent", "kind": "ngo"})).await;
    assert_eq!(taken.unwrap().status, 409);
    let bad = admin.post_json("/api/v1/partners", &json!({"name": "X", "kind": "army"})).await.unwrap();
    assert_eq!((bad.status, bad.error_code()), (422, "invalid_field"));
    let bad = admin
        .post_json("/api/v1/partners", &json!({"name": "X", "kind": "ngo", "profile": {"resolution": 15}}))
        .await
        .unwrap();
    assert_eq!((bad.status, bad.body["error"]["field"].as_str()), (422, Some("profile.resolution")));
    // Operators see the list (they refer cases to these partners).
    assert_eq!(supervisor.get("/api/v1/partners").await.unwrap().body.as_array().unwrap().len(), 1);

    let (token, token_id) = admin.partner_token(&partner_id).await;
    assert!(token.len() >= 43, "256 random bits in base64url");
    let partner = server.api().as_partner(&token);
    let me = partner.get("/api/v1/partner/me").await.unwrap();
    assert_eq!((me.status, me.body["name"].as_str()), (200, Some("Egyptian Red Crescent")));
    let listed = admin.get(&format!("/api/v1/partners/{partner_id}/tokens")).await.unwrap();
    assert!(!listed.body.to_string().contains(&token), "a token is shown once, never listed");

    // Revoked: the next request fails like a token that never existed.
    let revoke = admin.send(admin.http.delete(admin.url(&format!("/api/v1/partners/{partner_id}/tokens/{token_id}"))));
    assert_eq!(revoke.await.unwrap().status, 204);
    assert_eq!(partner.get("/api/v1/partner/me").await.unwrap().status, 401);
    assert_eq!(server.api().as_partner("made-up").get("/api/v1/partner/me").await.unwrap().status, 401);
    server.stop().await.unwrap();
}

async fn referral_flow(server: TestServer) {
    let admin = server.admin().await;
    let (operator, _) = server.user("omar", "operator").await;
    let crescent = admin.register_partner(json!({"name": "Red Crescent", "kind": "red_crescent"})).await;
    let consulate = admin.register_partner(json!({"name": "Consulate Port Sudan", "kind": "embassy"})).await;
    let (crescent_token, _) = admin.partner_token(&crescent).await;
    let (consulate_token, _) = admin.partner_token(&consulate).await;
    let crescent_api = server.api().as_partner(&crescent_token);
    let consulate_api = server.api().as_partner(&consulate_token);

    let injured = operator.report(1).await;
    let papers = operator.report(2).await;
    let mut live = operator.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    live.next_json().await.unwrap();
    let evacuation = operator.refer(&injured, &crescent, "medical_evacuation").await;
    let documents = operator.refer(&papers, &consulate, "consular_documents").await;
    // The same open request twice is a conflict; an unknown partner a clear 422.
    let again = json!({"partner_id": crescent, "request_type": "medical_evacuation"});
    let again = operator.post_json(&format!("/api/v1/cases/{injured}/referrals"), &again).await.unwrap();
    assert_eq!((again.status, again.error_code()), (409, "already_referred"));
    let unknown = json!({"partner_id": uuid_like(), "request_type": "transport"});
    let unknown = operator.post_json(&format!("/api/v1/cases/{injured}/referrals"), &unknown).await.unwrap();
    assert_eq!((unknown.status, unknown.body["error"]["field"].as_str()), (422, Some("partner_id")));

    // Each partner sees exactly its own case, cut to its profile and coarsened.
    let polled = crescent_api.get("/api/v1/partner/cases").await.unwrap();
    assert_eq!(polled.status, 200, "{}", polled.body);
    let cases = polled.body["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["case_id"].as_str(), Some(injured.as_str()));
    assert_eq!(cases[0]["location"]["resolution"], 7);
    assert!(cases[0]["people"][0]["name"].is_string() && cases[0]["people"][0].get("passport").is_none());
    let consulate_case = consulate_api.get(&format!("/api/v1/partner/cases/{papers}")).await.unwrap();
    assert!(consulate_case.body["people"][0]["passport"].is_string(), "consular work needs the passport");

    // Not referred to you: 404 on every route, never 403.
    assert_eq!(crescent_api.get(&format!("/api/v1/partner/cases/{papers}")).await.unwrap().status, 404);
    assert_eq!(act(&crescent_api, &documents, "acceptance", json!({})).await.status, 404);
    assert_eq!(act(&crescent_api, &documents, "decline", json!({"reason": "x"})).await.status, 404);
    assert_eq!(act(&crescent_api, &documents, "progress", json!({"step": "en_route"})).await.status, 404);
    assert_eq!(act(&crescent_api, &uuid_like(), "acceptance", json!({})).await.status, 404);

    // Accept, then progress forward only; an accepted evacuation sharpens the location.
    assert_eq!(act(&crescent_api, &evacuation, "acceptance", json!({"text": "ambulance 12"})).await.status, 200);
    let case = crescent_api.get(&format!("/api/v1/partner/cases/{injured}")).await.unwrap();
    assert_eq!(case.body["location"]["resolution"], 9);
    assert_eq!(case.body["referrals"][0]["status"], "accepted");
    assert_eq!(act(&crescent_api, &evacuation, "progress", json!({"step": "picked_up"})).await.status, 200);
    let back = act(&crescent_api, &evacuation, "progress", json!({"step": "en_route"})).await;
    assert_eq!((back.status, back.error_code()), (409, "invalid_transition"));
    let unable = act(&crescent_api, &evacuation, "progress", json!({"step": "unable"})).await;
    assert_eq!((unable.status, unable.body["error"]["field"].as_str()), (422, Some("text")));
    let declined_late = act(&crescent_api, &evacuation, "decline", json!({"reason": "too late"})).await;
    assert_eq!(declined_late.status, 409);
    let completed = act(&crescent_api, &evacuation, "progress", json!({"step": "completed", "text": "at hospital"}));
    let completed = completed.await;
    assert_eq!(completed.status, 200);
    let last_seq = completed.body["seq"].as_u64().unwrap();
    let finished = crescent_api.get(&format!("/api/v1/partner/cases/{injured}")).await.unwrap();
    assert_eq!(finished.body["location"]["resolution"], 7, "street level only while the evacuation is under way");

    // Every step is on the operators' live stream and in the case's timeline.
    let kinds: Vec<String> = live
        .events_until(last_seq)
        .await
        .unwrap()
        .iter()
        .filter(|e| e["case_id"].as_str() == Some(injured.as_str()))
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["referral_made", "referral_updated", "referral_updated", "referral_updated"]);
    let detail = operator.case(&injured).await.unwrap();
    let timeline: Vec<&str> =
        detail.body["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(timeline.contains(&"referral_made") && timeline.contains(&"referral_updated"), "{timeline:?}");
    let listed = operator.get(&format!("/api/v1/cases/{injured}/referrals")).await.unwrap();
    assert_eq!(listed.body[0]["status"], "completed");
    assert_eq!(listed.body[0]["partner_name"], "Red Crescent");

    // The consulate declines: it loses the case, and its poll says so with `case: null`.
    let head = consulate_api.get("/api/v1/partner/cases").await.unwrap().body["next"].as_u64().unwrap();
    let no_reason = act(&consulate_api, &documents, "decline", json!({"reason": "  "})).await;
    assert_eq!((no_reason.status, no_reason.body["error"]["field"].as_str()), (422, Some("reason")));
    assert_eq!(act(&consulate_api, &documents, "decline", json!({"reason": "no staff in Khartoum"})).await.status, 200);
    assert_eq!(consulate_api.get(&format!("/api/v1/partner/cases/{papers}")).await.unwrap().status, 404);
    let items = consulate_api.get(&format!("/api/v1/partner/cases?since={head}")).await.unwrap();
    let items = items.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!((items[0]["case"].clone(), items[0]["referral"]["status"].as_str()), (Value::Null, Some("declined")));
    server.stop().await.unwrap();
}

fn uuid_like() -> String {
    "0190f000-0000-7000-8000-000000000001".to_owned()
}

#[tokio::test]
async fn a_referral_goes_to_one_partner_step_by_step_and_others_see_nothing() {
    referral_flow(TestServer::start().await).await;
}

#[tokio::test]
async fn a_referral_goes_to_one_partner_step_by_step_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    referral_flow(server).await;
}

/// Family tracing and consular documents have their own steps, stored and read back on the
/// backend; a step of another kind of request is a 422 naming `step`, and nothing is recorded.
async fn steps_fit_the_request(server: TestServer) {
    let admin = server.admin().await;
    let (operator, _) = server.user("omar", "operator").await;
    let crescent = admin.register_partner(json!({"name": "Red Crescent", "kind": "red_crescent"})).await;
    let (crescent_token, _) = admin.partner_token(&crescent).await;
    let crescent_api = server.api().as_partner(&crescent_token);
    let missing = operator.report(1).await;
    let tracing = operator.refer(&missing, &crescent, "family_tracing").await;
    let papers = operator.refer(&missing, &crescent, "consular_documents").await;
    for referral in [&tracing, &papers] {
        assert_eq!(act(&crescent_api, referral, "acceptance", json!({})).await.status, 200);
    }

    let wrong = act(&crescent_api, &tracing, "progress", json!({"step": "picked_up"})).await;
    assert_eq!(
        (wrong.status, wrong.error_code(), wrong.body["error"]["field"].as_str()),
        (422, "step_not_for_request", Some("step"))
    );
    let wrong = act(&crescent_api, &papers, "progress", json!({"step": "reunited"})).await;
    assert_eq!((wrong.status, wrong.error_code()), (422, "step_not_for_request"));

    for step in ["contacted", "located", "reunited"] {
        let reply = act(&crescent_api, &tracing, "progress", json!({"step": step})).await;
        assert_eq!(reply.status, 200, "{step}: {}", reply.body);
    }
    assert_eq!(act(&crescent_api, &papers, "progress", json!({"step": "appointment_set"})).await.status, 200);
    let back = act(&crescent_api, &tracing, "progress", json!({"step": "located"})).await;
    assert_eq!((back.status, back.error_code()), (409, "invalid_transition"));

    let case = crescent_api.get(&format!("/api/v1/partner/cases/{missing}")).await.unwrap();
    let referrals = case.body["referrals"].as_array().unwrap();
    let of = |id: &str| referrals.iter().find(|r| r["referral_id"].as_str() == Some(id)).unwrap().clone();
    let history = |r: &Value| {
        r["history"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(of(&tracing)["status"], "reunited");
    assert_eq!(
        history(&of(&tracing)),
        ["accepted", "contacted", "located", "reunited"],
        "the refused step left no trace"
    );
    assert_eq!(of(&papers)["status"], "appointment_set");
    assert_eq!(history(&of(&papers)), ["accepted", "appointment_set"]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn each_request_has_its_own_steps() {
    steps_fit_the_request(TestServer::start().await).await;
}

#[tokio::test]
async fn each_request_has_its_own_steps_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    steps_fit_the_request(server).await;
}

#[tokio::test]
async fn the_poll_follows_a_cursor_and_a_withdrawal_ends_access() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let (operator, _) = server.user("omar", "operator").await;
    let ngo = admin.register_partner(json!({"name": "Shelter NGO", "kind": "ngo"})).await;
    let (ngo_token, _) = admin.partner_token(&ngo).await;
    let partner = server.api().as_partner(&ngo_token);

    let start = partner.get("/api/v1/partner/cases").await.unwrap();
    assert_eq!(start.body["cases"], json!([]));
    let since = start.body["next"].as_u64().unwrap();
    let case = operator.report(3).await;
    let other = operator.report(4).await;
    let referral = operator.refer(&case, &ngo, "shelter").await;
    // A note on the case is the ops room's business; a status change reaches the partner.
    let version = operator.case(&case).await.unwrap().body["case"]["version"].as_u64().unwrap();
    let note = json!({"text": "internal: family known to us", "version": version});
    assert_eq!(operator.post_json(&format!("/api/v1/cases/{case}/notes"), &note).await.unwrap().status, 200);
    let version = operator.case(&case).await.unwrap().body["case"]["version"].as_u64().unwrap();
    let triage = json!({"status": "triaged", "version": version});
    assert_eq!(operator.post_json(&format!("/api/v1/cases/{case}/status"), &triage).await.unwrap().status, 200);
    operator.refer(&other, &ngo, "food_water").await;

    let polled = partner.get(&format!("/api/v1/partner/cases?since={since}")).await.unwrap();
    let items = polled.body["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["referral_made", "status_changed", "referral_made"]);
    assert!(items.iter().all(|i| i["case_id"].is_string() && i["case"]["case_id"] == i["case_id"]));
    assert!(!polled.body.to_string().contains("internal: family known"), "notes never reach partners");
    assert!(!polled.body.to_string().contains("\"passport\""), "an NGO gets no passports");
    let next = polled.body["next"].as_u64().unwrap();
    let empty = partner.get(&format!("/api/v1/partner/cases?since={next}")).await.unwrap();
    assert_eq!(empty.body["items"], json!([]));
    let ahead = partner.get(&format!("/api/v1/partner/cases?since={}", next + 1000)).await.unwrap();
    assert_eq!((ahead.status, ahead.error_code()), (422, "position_ahead"));
    let junk = partner.get("/api/v1/partner/cases?since=soon").await.unwrap();
    assert_eq!(junk.status, 400);

    let withdrawn = operator.post_json(&format!("/api/v1/referrals/{referral}/withdrawal"), &json!({})).await.unwrap();
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(partner.get(&format!("/api/v1/partner/cases/{case}")).await.unwrap().status, 404);
    let after = partner.get(&format!("/api/v1/partner/cases?since={next}")).await.unwrap();
    assert_eq!(after.body["items"][0]["case"], Value::Null);
    assert_eq!(after.body["items"][0]["referral"]["status"], "withdrawn");
    let again = operator.post_json(&format!("/api/v1/referrals/{referral}/withdrawal"), &json!({})).await.unwrap();
    assert_eq!(again.status, 409);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_partner_websocket_streams_its_cases_and_closes_when_the_token_is_revoked() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let (operator, _) = server.user("omar", "operator").await;
    let crescent = admin.register_partner(json!({"name": "Red Crescent", "kind": "red_crescent"})).await;
    let other = admin.register_partner(json!({"name": "IOM", "kind": "un_agency"})).await;
    let (token, token_id) = admin.partner_token(&crescent).await;
    let partner = server.api().as_partner(&token);

    // Without a token, or with another site's origin, there is no stream.
    assert!(server.api().websocket("/api/v1/partner/live", None).await.is_err());
    assert!(partner.websocket("/api/v1/partner/live", Some("http://evil.example")).await.is_err());

    let mut live = partner.websocket("/api/v1/partner/live", None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let snapshot = live.next_json().await.unwrap().unwrap();
    assert_eq!(snapshot["type"], "snapshot");
    let mine = operator.report(5).await;
    let theirs = operator.report(6).await;
    operator.refer(&theirs, &other, "transport").await;
    let referral = operator.refer(&mine, &crescent, "medical_evacuation").await;
    let item = live.next_json().await.unwrap().unwrap();
    assert_eq!((item["type"].as_str(), item["kind"].as_str()), (Some("event"), Some("referral_made")));
    assert_eq!(item["case_id"].as_str(), Some(mine.as_str()), "never another partner's case");
    assert_eq!(item["case"]["referrals"][0]["referral_id"].as_str(), Some(referral.as_str()));
    let first_seq = item["seq"].as_u64().unwrap();
    assert_eq!(act(&partner, &referral, "acceptance", json!({})).await.status, 200);
    let accepted = live.next_json().await.unwrap().unwrap();
    assert_eq!(accepted["referral"]["status"], "accepted");
    assert_eq!(accepted["case"]["location"]["resolution"], 9);

    // Resuming from a position replays what came after it, once.
    let mut resumed = partner.websocket("/api/v1/partner/live", None).await.unwrap();
    resumed.subscribe(Some(first_seq)).await.unwrap();
    assert_eq!(resumed.next_json().await.unwrap().unwrap()["seq"], accepted["seq"]);

    // Revoking the token ends both streams within a second.
    let url = admin.url(&format!("/api/v1/partners/{crescent}/tokens/{token_id}"));
    assert_eq!(admin.send(admin.http.delete(url)).await.unwrap().status, 204);
    for stream in [&mut live, &mut resumed] {
        let closed = stream.next_json_within(Duration::from_secs(1)).await;
        assert!(matches!(closed, Ok(None)), "the stream must close within 1 s of the revocation: {closed:?}");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn an_unanswered_referral_is_escalated_once() {
    let server = TestServer::start_with(|config| {
        config.referral_accept_time = Duration::ZERO;
        config.sla_tick = Duration::from_millis(50);
    })
    .await;
    let admin = server.admin().await;
    let crescent = admin.register_partner(json!({"name": "Red Crescent", "kind": "red_crescent"})).await;
    let case = admin.report(7).await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    live.next_json().await.unwrap();
    let referral = admin.refer(&case, &crescent, "transport").await;
    let escalated = loop {
        let event = live.next_json().await.unwrap().expect("the stream stays open");
        if event["kind"] == "referral_escalated" {
            break event;
        }
    };
    assert_eq!(escalated["data"]["referral_id"].as_str(), Some(referral.as_str()));
    let listed = admin.get(&format!("/api/v1/cases/{case}/referrals")).await.unwrap();
    assert!(listed.body[0]["escalated_at"].is_string());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let detail = admin.case(&case).await.unwrap();
    let escalations = detail.body["events"].as_array().unwrap().iter().filter(|e| e["kind"] == "referral_escalated");
    assert_eq!(escalations.count(), 1, "escalated once, however many sweeps ran");
    server.stop().await.unwrap();
}

/// The environment variable naming the export validator (`validate.py hxl|geojson FILE`).
const PARTNER_VALIDATOR_VAR: &str = "OPSROOM_PARTNER_VALIDATOR";

/// Run the export validator on `content` as a file of `kind` (`hxl` or `geojson`).
async fn validate_export(validator: &[String], kind: &str, content: &str) -> Result<(), String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), content).unwrap();
    let output = tokio::process::Command::new(&validator[0])
        .args(&validator[1..])
        .arg(kind)
        .arg(file.path())
        .output()
        .await
        .expect("the validator runs");
    if output.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&output.stderr).into_owned()) }
}

#[tokio::test]
async fn exports_are_valid_hxl_csv_and_rfc7946_geojson_with_only_the_profile() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let iom = admin.register_partner(json!({"name": "IOM", "kind": "un_agency"})).await;
    let (iom_token, _) = admin.partner_token(&iom).await;
    let partner = server.api().as_partner(&iom_token);
    let unlocated = json!({"people": [{"name": "Huda", "age": 70}, {"name": "Sami", "age": 8}],
                           "location": {"place": "somewhere near Omdurman"}, "needs": ["water"]});
    let unlocated = admin.post_report(&unlocated, None).await.unwrap().body["case_id"].as_str().unwrap().to_owned();
    for case in [admin.report(21).await, admin.report(22).await, unlocated] {
        admin.refer(&case, &iom, "food_water").await;
    }
    // Raw bytes first: a client's text decoding would drop the byte order mark this checks.
    let raw = partner.http.get(partner.url("/api/v1/partner/cases.csv")).bearer_auth(&iom_token).send().await.unwrap();
    let raw = raw.bytes().await.unwrap();
    assert!(raw.starts_with("\u{FEFF}case_id,".as_bytes()), "a byte order mark, so spreadsheets read Arabic");
    let csv = partner.send(partner.http.get(partner.url("/api/v1/partner/cases.csv"))).await.unwrap();
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.body.as_str().unwrap().to_owned();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(lines.next().unwrap().starts_with("#meta+case+id,"), "the HXL hashtag row");
    assert_eq!(lines.count(), 4, "one row per person");
    assert!(header.contains("age") && !header.contains("name") && !header.contains("passport"), "{header}");
    assert!(!csv.contains("أحمد") && !csv.contains("Huda"), "a UN agency gets no names by default");

    let geojson = partner.get("/api/v1/partner/cases.geojson").await.unwrap();
    assert_eq!(geojson.headers["content-type"], "application/geo+json");
    let features = geojson.body["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    assert_eq!(features.iter().filter(|f| f["geometry"].is_null()).count(), 1, "the unlocated case");
    assert!(features.iter().all(|f| f["properties"].get("passport").is_none()));
    // Another partner's export is empty, not an error, and anonymous callers get nothing.
    let none = server
        .api()
        .as_partner(&admin.partner_token(&admin.register_partner(json!({"name": "B", "kind": "ngo"})).await).await.0);
    assert_eq!(none.get("/api/v1/partner/cases.geojson").await.unwrap().body["features"], json!([]));
    assert_eq!(server.api().get("/api/v1/partner/cases.csv").await.unwrap().status, 401);

    let Some(validator) = opsroom_tests::external_validator(
        PARTNER_VALIDATOR_VAR,
        "HXL and GeoJSON validation of the partner exports",
        "target/partner-venv/bin/python tests/partner/validate.py",
    ) else {
        server.stop().await.unwrap();
        return;
    };
    validate_export(&validator, "hxl", &csv).await.expect("libhxl accepts the CSV");
    validate_export(&validator, "geojson", &geojson.body.to_string()).await.expect("the GeoJSON is valid");
    // The validator can fail: a CSV without its hashtag row and GeoJSON with a latitude of 200.
    let untagged: String = csv.lines().enumerate().filter(|(i, _)| *i != 1).map(|(_, l)| format!("{l}\n")).collect();
    assert!(validate_export(&validator, "hxl", &untagged).await.is_err());
    let broken = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [32.5, 200.0]}, "properties": {}}]});
    assert!(validate_export(&validator, "geojson", &broken.to_string()).await.is_err());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_changed_profile_applies_at_once_and_a_new_webhook_url_gets_a_new_key() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let ngo =
        admin.register_partner(json!({"name": "Aid NGO", "kind": "ngo", "webhook_url": "http://127.0.0.1:9/a"})).await;
    let (ngo_token, _) = admin.partner_token(&ngo).await;
    let partner = server.api().as_partner(&ngo_token);
    let case = admin.report(31).await;
    admin.refer(&case, &ngo, "family_tracing").await;
    let mut live = partner.websocket("/api/v1/partner/live", None).await.unwrap();
    live.subscribe(None).await.unwrap();
    live.next_json().await.unwrap();
    let before = partner.get(&format!("/api/v1/partner/cases/{case}")).await.unwrap();
    assert!(before.body["people"][0].get("name").is_none());

    let put = |body: Value| {
        let admin = admin.clone();
        let path = format!("/api/v1/partners/{ngo}");
        async move { admin.send(admin.http.put(admin.url(&path)).json(&body)).await.unwrap() }
    };
    let tracing = json!({"name": "Aid NGO", "kind": "ngo", "webhook_url": "http://127.0.0.1:9/a",
                         "profile": {"fields": ["names", "ages"], "resolution": 6}});
    let same_url = put(tracing.clone()).await;
    assert_eq!(same_url.status, 200, "{}", same_url.body);
    assert!(same_url.body.get("webhook_secret").is_none(), "the same URL keeps its key");
    let after = partner.get(&format!("/api/v1/partner/cases/{case}")).await.unwrap();
    assert!(after.body["people"][0]["name"].is_string() && after.body["location"]["resolution"] == 6);
    // The open websocket uses the new profile for its next item.
    let version = admin.case(&case).await.unwrap().body["case"]["version"].as_u64().unwrap();
    let triage = json!({"status": "triaged", "version": version});
    assert_eq!(admin.post_json(&format!("/api/v1/cases/{case}/status"), &triage).await.unwrap().status, 200);
    let item = live.next_json().await.unwrap().unwrap();
    assert_eq!(
        (item["kind"].as_str(), item["case"]["location"]["resolution"].as_u64()),
        (Some("status_changed"), Some(6))
    );
    assert!(item["case"]["people"][0]["name"].is_string());

    let moved = put(json!({"name": "Aid NGO", "kind": "ngo", "webhook_url": "http://127.0.0.1:9/b"})).await;
    assert!(moved.body["webhook_secret"].is_string(), "a new URL gets a new key");
    assert_eq!(put(json!({"name": "Aid NGO", "kind": "ngo"})).await.status, 200);
    let missing = admin.send(admin.http.put(admin.url(&format!("/api/v1/partners/{}", uuid_like()))).json(&tracing));
    assert_eq!(missing.await.unwrap().status, 404);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_partner_hears_nothing_of_the_time_it_had_no_access() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let ngo = admin.register_partner(json!({"name": "Shelter NGO", "kind": "ngo"})).await;
    let (ngo_token, _) = admin.partner_token(&ngo).await;
    let partner = server.api().as_partner(&ngo_token);
    let case = admin.report(41).await;
    let first = admin.refer(&case, &ngo, "shelter").await;
    assert_eq!(act(&partner, &first, "decline", json!({"reason": "full"})).await.status, 200);
    let after_decline = partner.get("/api/v1/partner/cases").await.unwrap().body["next"].as_u64().unwrap();
    // While the NGO has no access the case moves on…
    let version = admin.case(&case).await.unwrap().body["case"]["version"].as_u64().unwrap();
    let triage = json!({"status": "triaged", "version": version});
    assert_eq!(admin.post_json(&format!("/api/v1/cases/{case}/status"), &triage).await.unwrap().status, 200);
    // …then it is referred again: the NGO hears of the new referral, not of the triage.
    admin.refer(&case, &ngo, "food_water").await;
    let items = partner.get(&format!("/api/v1/partner/cases?since={after_decline}")).await.unwrap();
    let kinds: Vec<&str> =
        items.body["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["referral_made"]);
    // From the start, the same: the referral, its decline, the new referral.
    let all = partner.get("/api/v1/partner/cases?since=0").await.unwrap();
    let kinds: Vec<&str> = all.body["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["referral_made", "referral_updated", "referral_made"]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_partner_page_holds_a_session_of_its_own_never_the_api_token() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let crescent = admin.register_partner(json!({"name": "Red Crescent", "kind": "red_crescent"})).await;
    let (api_token, token_id) = admin.partner_token(&crescent).await;
    let page = server.api();
    let signed_in = page.post_json("/api/v1/partner/session", &json!({"token": api_token})).await.unwrap();
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let set_cookie = signed_in.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(!set_cookie.contains(&api_token), "the browser never holds the API token");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
    assert!(set_cookie.contains("Path=/api/v1/partner"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let with_cookie = |origin: Option<&str>| {
        let mut request = page.http.get(page.url("/api/v1/partner/me")).header("cookie", cookie.as_str());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request
    };
    assert_eq!(page.send(with_cookie(None)).await.unwrap().status, 200);
    let here = format!("http://{}", server.address);
    assert_eq!(page.send(with_cookie(Some(&here))).await.unwrap().status, 200);
    assert_eq!(page.send(with_cookie(Some("http://evil.example"))).await.unwrap().status, 401, "not from another site");
    let wrong = page.post_json("/api/v1/partner/session", &json!({"token": "nope"})).await.unwrap();
    assert_eq!(wrong.status, 401);

    // Signing out ends the page session; a new one ends when the API token is revoked.
    let out = page.send(page.http.delete(page.url("/api/v1/partner/session")).header("cookie", cookie.as_str()));
    assert_eq!(out.await.unwrap().status, 204);
    assert_eq!(page.send(with_cookie(None)).await.unwrap().status, 401);
    let again = page.post_json("/api/v1/partner/session", &json!({"token": api_token})).await.unwrap();
    let cookie = again.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me = |cookie: String| page.send(page.http.get(page.url("/api/v1/partner/me")).header("cookie", cookie));
    assert_eq!(me(cookie.clone()).await.unwrap().status, 200);
    let url = admin.url(&format!("/api/v1/partners/{crescent}/tokens/{token_id}"));
    assert_eq!(admin.send(admin.http.delete(url)).await.unwrap().status, 204);
    assert_eq!(me(cookie).await.unwrap().status, 401);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn webhooks_go_to_public_https_urls_only_unless_the_server_allows_private_ones() {
    let server = TestServer::start_with(|config| config.webhook_private_targets = false).await;
    let admin = server.admin().await;
    // Every spelling of this machine, a private network or the cloud metadata address that the
    // HTTP client would read as one (WHATWG URL rules), IPv4 and IPv6.
    let refused = [
        "http://erc.example/hook",
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest",
        "https://2130706433/hook",
        "https://127.1/hook",
        "https://0x7f000001/hook",
        "https://0177.0.0.1/hook",
        "https://127.0.0.1./hook",
        "https://%31%32%37.0.0.1/hook",
        "https://0/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:7f00:1]/hook",
        "https://[fe80::1]/hook",
        "https://[fd12:3456::1]/hook",
        "https://169.254.1.1/hook",
        "https://100.64.0.1/hook",
        "https://224.0.0.1/hook",
        "https://255.255.255.255/hook",
    ];
    for url in refused {
        let body = json!({"name": "ERC", "kind": "red_crescent", "webhook_url": url});
        let reply = admin.post_json("/api/v1/partners", &body).await.unwrap();
        assert_eq!((reply.status, reply.body["error"]["field"].as_str()), (422, Some("webhook_url")), "{url}");
    }
    let body = json!({"name": "ERC", "kind": "red_crescent", "webhook_url": "https://ERC.example:443/hook"});
    let registered = admin.post_json("/api/v1/partners", &body).await.unwrap();
    assert_eq!(registered.status, 201);
    assert_eq!(registered.body["webhook_url"], "https://erc.example/hook", "kept as the client will read it");
    // A change of URL is held to the same rule.
    let partner = registered.body["partner_id"].as_str().unwrap();
    for url in refused {
        let body = json!({"name": "ERC", "kind": "red_crescent", "webhook_url": url});
        let reply = admin.put_json(&format!("/api/v1/partners/{partner}"), &body).await.unwrap();
        assert_eq!((reply.status, reply.body["error"]["field"].as_str()), (422, Some("webhook_url")), "{url}");
    }
    server.stop().await.unwrap();
}
