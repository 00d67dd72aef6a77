//! Several crises at once: supervisors declare them with their ground and move their phase;
//! reports are placed in the crisis whose ground holds them (or the one chosen, or none); the
//! board's lists, counts and map filter by crisis; citizens see their crisis and its phase; and
//! clients that know nothing of crises work as before.

use futures_util::SinkExt;
use opsroom_tests::{Api, Reply, TestServer};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// A lon/lat box as a GeoJSON polygon.
fn square(west: f64, south: f64, east: f64, north: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [
        [[west, south], [east, south], [east, north], [west, north], [west, south]]
    ]})
}

fn crisis(slug: &str, en: &str, countries: &[&str], area: Value) -> Value {
    json!({"slug": slug, "name": {"ar": format!("أزمة {en}"), "en": en}, "countries": countries, "area": area})
}

/// Sudan (central) and Libya (the north-west coast), as two crises' ground.
fn sudan() -> Value {
    crisis("sudan-2023", "Sudan 2023", &["SD"], square(30.0, 12.0, 37.0, 19.0))
}
fn libya() -> Value {
    crisis("libya-2011", "Libya 2011", &["LY"], square(11.5, 30.0, 16.0, 33.5))
}

const KHARTOUM: (f64, f64) = (15.5518, 32.5324);
const TRIPOLI: (f64, f64) = (32.8872, 13.1913);
const CAIRO: (f64, f64) = (30.0444, 31.2357);

fn report_at(name: &str, (lat, lon): (f64, f64)) -> Value {
    json!({"people": [{"name": name}], "location": {"lat": lat, "lon": lon}, "needs": ["medical"]})
}

async fn declared(api: &Api, body: Value) -> Value {
    let reply = api.post("/api/v1/crises", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

/// The references of the cases a `GET /api/v1/cases` query lists.
async fn listed(api: &Api, query: &str) -> Vec<String> {
    let reply = api.get(&format!("/api/v1/cases?{query}")).await.unwrap();
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    let mut references: Vec<String> =
        reply.body["cases"].as_array().unwrap().iter().map(|c| c["reference"].as_str().unwrap().to_owned()).collect();
    references.sort();
    references
}

/// The id of the case a reference names.
async fn public_case_id(api: &Api, reference: &str) -> String {
    let found = api.get(&format!("/api/v1/cases?q={reference}")).await.unwrap();
    found.body["cases"][0]["case_id"].as_str().unwrap().to_owned()
}

async fn filed(api: &Api, report: &Value) -> Reply {
    let reply = api.post_report(report, None).await.unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply
}

fn reference(reply: &Reply) -> String {
    reply.body["reference"].as_str().unwrap().to_owned()
}

async fn reports_are_placed_in_the_crisis_whose_ground_holds_them(server: TestServer) {
    let (supervisor, _) = server.user("samira", "supervisor").await;
    let sudan = declared(&supervisor, sudan()).await;
    assert_eq!((sudan["phase"].as_str(), sudan["version"].as_u64()), (Some("monitoring"), Some(1)));
    declared(&supervisor, libya()).await;
    let public = server.api();
    let open = public.get("/api/v1/crises").await.unwrap();
    let slugs: Vec<&str> = open.body.as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["libya-2011", "sudan-2023"], "latest declared first");
    assert!(open.body[0].get("area").is_none(), "the public list does not say where operators drew the ground");
    assert_eq!(open.body[0]["phase_text"]["en"], "Monitoring: stay in touch and keep your details up to date.");

    let in_khartoum = reference(&filed(&public, &report_at("Huda", KHARTOUM)).await);
    let in_tripoli = reference(&filed(&public, &report_at("Salem", TRIPOLI)).await);
    let in_cairo = reference(&filed(&public, &report_at("Mona", CAIRO)).await);
    // A client that knows of crises may name one; an unknown or closed one is refused.
    let mut chosen = report_at("Omar", CAIRO);
    chosen["crisis"] = json!("libya-2011");
    let chose_libya = reference(&filed(&public, &chosen).await);
    chosen["crisis"] = json!("atlantis");
    let refused = public.post_report(&chosen, None).await.unwrap();
    assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some("crisis")), "{}", refused.body);

    assert_eq!(listed(&supervisor, "crisis=sudan-2023").await, std::slice::from_ref(&in_khartoum));
    let mut libyan = vec![in_tripoli.clone(), chose_libya.clone()];
    libyan.sort();
    assert_eq!(listed(&supervisor, "crisis=libya-2011").await, libyan);
    assert_eq!(listed(&supervisor, "crisis=unplaced").await, std::slice::from_ref(&in_cairo));
    assert_eq!(listed(&supervisor, "").await.len(), 4, "no filter: every crisis");
    let unknown = supervisor.get("/api/v1/cases?crisis=atlantis").await.unwrap();
    assert_eq!((unknown.status, unknown.body["error"]["field"].as_str()), (400, Some("crisis")), "{}", unknown.body);

    // Counts and the map count the crisis's cases only.
    let counts = supervisor.get("/api/v1/cases/counts?crisis=libya-2011").await.unwrap();
    assert_eq!(counts.body["by_status"]["new"], 2, "{}", counts.body);
    let kpis = supervisor.get("/api/v1/kpis?crisis=libya-2011").await.unwrap();
    assert_eq!((kpis.status, kpis.body["cases"]["total"].as_u64()), (200, Some(2)), "{}", kpis.body);
    let everyone = supervisor.get("/api/v1/kpis").await.unwrap();
    assert_eq!(everyone.body["cases"]["total"], 4, "{}", everyone.body);
    let map = supervisor.get("/api/v1/map?crisis=sudan-2023&resolution=5").await.unwrap();
    assert_eq!(map.status, 200, "{}", map.body);
    let total: u64 = map.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["counts"]["total"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 1, "{}", map.body);

    // Each case says its crisis, by id.
    let case = supervisor.get("/api/v1/cases?crisis=sudan-2023").await.unwrap();
    assert_eq!(case.body["cases"][0]["crisis_id"], sudan["crisis_id"]);

    // Sorting the unplaced queue: an operator puts the Cairo case in the Sudan crisis (the
    // family fled north), and the lists follow.
    let (operator, _) = server.user("omar", "operator").await;
    let cairo_case = public_case_id(&supervisor, &in_cairo).await;
    let place = |crisis: Value| {
        let operator = operator.clone();
        let path = format!("/api/v1/cases/{cairo_case}/crisis");
        async move { operator.send(operator.http.put(operator.url(&path)).json(&json!({"crisis": crisis}))).await.unwrap() }
    };
    let unknown = place(json!("atlantis")).await;
    assert_eq!((unknown.status, unknown.body["error"]["field"].as_str()), (422, Some("crisis")), "{}", unknown.body);
    let placed = place(json!("sudan-2023")).await;
    assert_eq!((placed.status, placed.body["crisis_id"].clone()), (200, sudan["crisis_id"].clone()), "{}", placed.body);
    assert!(placed.body["seq"].is_u64());
    let mut sudanese = vec![in_khartoum.clone(), in_cairo.clone()];
    sudanese.sort();
    assert_eq!(listed(&supervisor, "crisis=sudan-2023").await, sudanese);
    assert!(listed(&supervisor, "crisis=unplaced").await.is_empty());
    assert!(place(json!("sudan-2023")).await.body["seq"].is_null(), "already there: nothing recorded");
    let back = place(Value::Null).await;
    assert_eq!((back.status, back.body["crisis_id"].is_null()), (200, true), "{}", back.body);
    assert_eq!(listed(&supervisor, "crisis=unplaced").await, [in_cairo]);
    server.stop().await.unwrap();
}

async fn a_phase_change_streams_reaches_citizens_and_closing_ends_placement(server: TestServer) {
    let (supervisor, _) = server.user("samira", "supervisor").await;
    declared(&supervisor, sudan()).await;
    let mut live = supervisor.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let start = live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap();
    let public = server.api();
    let before = filed(&public, &report_at("Huda", KHARTOUM)).await;
    let token = before.body["tracking_token"].as_str().unwrap().to_owned();

    let evacuating = supervisor.post("/api/v1/crises/sudan-2023/phase", json!({"phase": "evacuation"})).await;
    assert_eq!((evacuating.status, evacuating.body["version"].as_u64()), (200, Some(2)), "{}", evacuating.body);
    let again = supervisor.post("/api/v1/crises/sudan-2023/phase", json!({"phase": "evacuation"})).await;
    assert_eq!(again.status, 422, "{}", again.body);

    // The citizen's tracking page and its JSON say the crisis and what its phase asks.
    let view = public.get(&format!("/api/v1/track/{token}")).await.unwrap();
    assert_eq!(view.body["crisis"]["slug"], "sudan-2023", "{}", view.body);
    assert_eq!(view.body["crisis"]["phase"], "evacuation");
    let page = public.get(&format!("/track/{token}?lang=ar")).await.unwrap();
    let html = page.body.as_str().unwrap();
    assert!(html.contains("أزمة Sudan 2023") && html.contains("الإجلاء: تجري إعادة المواطنين"), "{html}");
    let form = public.get("/?lang=en").await.unwrap();
    assert!(form.body.as_str().unwrap().contains("Evacuation: citizens are being brought home."));

    let closed = supervisor.post("/api/v1/crises/sudan-2023/phase", json!({"phase": "closed"})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    assert!(closed.body["ended_at"].is_string());
    let after = reference(&filed(&public, &report_at("Sami", KHARTOUM)).await);
    assert_eq!(listed(&supervisor, "crisis=unplaced").await, [after], "a closed crisis takes no new report");
    let edit = supervisor
        .send(
            supervisor.http.put(supervisor.url("/api/v1/crises/sudan-2023")).json(&json!({"countries": ["SD", "SS"]})),
        )
        .await
        .unwrap();
    assert_eq!((edit.status, edit.body["error"]["code"].as_str()), (409, Some("crisis_closed")), "{}", edit.body);
    let open = public.get("/api/v1/crises").await.unwrap();
    assert_eq!(open.body, json!([]), "a closed crisis is no longer listed");
    assert!(!public.get("/?lang=en").await.unwrap().body.as_str().unwrap().contains("Sudan 2023"));

    let events = live.events_until(start + 4).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["case_reported", "crisis_phase_changed", "crisis_closed", "case_reported"]);
    assert_eq!(events[1]["data"]["phase_from"], "monitoring");
    assert_eq!(events[1]["data"]["phase"], "evacuation");
    server.stop().await.unwrap();
}

async fn a_stream_narrowed_to_a_crisis_carries_only_that_crisis(server: TestServer) {
    let (supervisor, _) = server.user("samira", "supervisor").await;
    declared(&supervisor, sudan()).await;
    declared(&supervisor, libya()).await;
    let subscribe = |crisis: &str| json!({"type": "subscribe", "since": null, "crisis": crisis}).to_string();
    let mut unknown = supervisor.live(None).await.unwrap();
    unknown.socket.send(Message::text(subscribe("atlantis"))).await.unwrap();
    let refused = unknown.next_json().await.unwrap().unwrap();
    assert_eq!(
        (refused["type"].as_str(), refused["error"]["field"].as_str()),
        (Some("error"), Some("crisis")),
        "{refused}"
    );
    let mut libyan = supervisor.live(None).await.unwrap();
    libyan.socket.send(Message::text(subscribe("libya-2011"))).await.unwrap();
    assert_eq!(libyan.next_json().await.unwrap().unwrap()["type"], "snapshot");
    let mut unplaced = supervisor.live(None).await.unwrap();
    unplaced.socket.send(Message::text(subscribe("unplaced"))).await.unwrap();
    assert_eq!(unplaced.next_json().await.unwrap().unwrap()["type"], "snapshot");

    let public = server.api();
    filed(&public, &report_at("Huda", KHARTOUM)).await;
    let tripoli = filed(&public, &report_at("Salem", TRIPOLI)).await;
    let cairo = filed(&public, &report_at("Mona", CAIRO)).await;
    let tripoli_case = tripoli.body["case_id"].as_str().unwrap();
    // A workflow event on the Libyan case follows its case into the narrowed stream.
    let triaged = supervisor
        .post(&format!("/api/v1/cases/{tripoli_case}/status"), json!({"status": "triaged", "version": 1}))
        .await;
    assert_eq!(triaged.status, 200, "{}", triaged.body);
    let phase = supervisor.post("/api/v1/crises/sudan-2023/phase", json!({"phase": "evacuation"})).await;
    assert_eq!(phase.status, 200);
    let phase = supervisor.post("/api/v1/crises/libya-2011/phase", json!({"phase": "evacuation"})).await;
    assert_eq!(phase.status, 200);

    let mut seen = Vec::new();
    for _ in 0..3 {
        let event = libyan.next_json().await.unwrap().unwrap();
        seen.push((event["kind"].as_str().unwrap().to_owned(), event["case_id"].as_str().map(str::to_owned)));
    }
    assert_eq!(
        seen,
        [
            ("case_reported".to_owned(), Some(tripoli_case.to_owned())),
            ("status_changed".to_owned(), Some(tripoli_case.to_owned())),
            ("crisis_phase_changed".to_owned(), None),
        ],
        "Khartoum's and Cairo's reports and Sudan's phase are not Libya's"
    );
    let first = unplaced.next_json().await.unwrap().unwrap();
    assert_eq!(
        (first["kind"].as_str(), first["case_id"].as_str()),
        (Some("case_reported"), cairo.body["case_id"].as_str())
    );
    server.stop().await.unwrap();
}

async fn a_partner_limited_to_one_crisis_never_gets_the_other(server: TestServer) {
    let admin = server.admin().await;
    declared(&admin, sudan()).await;
    declared(&admin, libya()).await;
    let unknown = admin
        .post("/api/v1/partners", json!({"name": "LRC", "kind": "red_crescent", "profile": {"crises": ["atlantis"]}}))
        .await;
    assert_eq!(
        (unknown.status, unknown.body["error"]["field"].as_str()),
        (422, Some("profile.crises[0]")),
        "{}",
        unknown.body
    );
    let partner = admin
        .register_partner(
            json!({"name": "Libyan Red Crescent", "kind": "red_crescent", "profile": {"crises": ["libya-2011"]}}),
        )
        .await;
    let public = server.api();
    let tripoli = filed(&public, &report_at("Salem", TRIPOLI)).await.body["case_id"].as_str().unwrap().to_owned();
    let khartoum = filed(&public, &report_at("Huda", KHARTOUM)).await.body["case_id"].as_str().unwrap().to_owned();
    let cairo = filed(&public, &report_at("Mona", CAIRO)).await.body["case_id"].as_str().unwrap().to_owned();
    admin.refer(&tripoli, &partner, "transport").await;
    for other in [&khartoum, &cairo] {
        let refused = admin
            .post(
                &format!("/api/v1/cases/{other}/referrals"),
                json!({"partner_id": partner, "request_type": "transport"}),
            )
            .await;
        assert_eq!(
            (refused.status, refused.body["error"]["code"].as_str()),
            (422, Some("outside_crises")),
            "{}",
            refused.body
        );
    }
    let (token, _) = admin.partner_token(&partner).await;
    let feed = public.as_partner(&token).get("/api/v1/partner/cases").await.unwrap();
    assert_eq!(feed.status, 200, "{}", feed.body);
    let ids: Vec<&str> =
        feed.body["cases"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [tripoli.as_str()]);
    let saved = admin.get(&format!("/api/v1/partners/{partner}")).await.unwrap();
    assert_eq!(saved.body["profile"]["crises"], json!(["libya-2011"]), "{}", saved.body);
    server.stop().await.unwrap();
}

async fn an_advisory_for_one_crisis_reaches_only_its_cases(server: TestServer) {
    let (supervisor, _) = server.user("samira", "supervisor").await;
    declared(&supervisor, sudan()).await;
    declared(&supervisor, libya()).await;
    let advisory = |en: &str, crisis: Option<&str>| {
        let mut body =
            json!({"headline": {"ar": "تنبيه", "en": en}, "body": {"ar": "نص", "en": "Text"}, "severity": "severe"});
        if let Some(slug) = crisis {
            body["crisis"] = json!(slug);
        }
        body
    };
    let unknown = supervisor.post("/api/v1/advisories", advisory("Nowhere", Some("atlantis"))).await;
    assert_eq!((unknown.status, unknown.body["error"]["field"].as_str()), (422, Some("crisis")), "{}", unknown.body);
    let for_libya = supervisor.post("/api/v1/advisories", advisory("Go to Sallum", Some("libya-2011"))).await;
    assert_eq!(for_libya.status, 201, "{}", for_libya.body);
    let for_all = supervisor.post("/api/v1/advisories", advisory("Keep your passport", None)).await;
    assert_eq!(for_all.status, 201, "{}", for_all.body);
    let public = server.api();
    let headlines = |view: &Value, key: &str| -> Vec<String> {
        let mut all: Vec<String> =
            view[key].as_array().unwrap().iter().map(|a| a["headline"]["en"].as_str().unwrap().to_owned()).collect();
        all.sort();
        all
    };
    let seen_by = |at| {
        let public = public.clone();
        async move {
            let token =
                filed(&public, &report_at("Someone", at)).await.body["tracking_token"].as_str().unwrap().to_owned();
            public.get(&format!("/api/v1/track/{token}")).await.unwrap().body
        }
    };
    assert_eq!(headlines(&seen_by(TRIPOLI).await, "advisories"), ["Go to Sallum", "Keep your passport"]);
    assert_eq!(headlines(&seen_by(KHARTOUM).await, "advisories"), ["Keep your passport"]);
    assert_eq!(headlines(&seen_by(CAIRO).await, "advisories"), ["Keep your passport"], "unplaced: the general ones");
    let sudan_list = public.get("/api/v1/advisories?crisis=sudan-2023").await.unwrap();
    assert_eq!(headlines(&json!({"list": sudan_list.body}), "list"), ["Keep your passport"]);
    assert_eq!(for_libya.body["crisis_id"], declared_id(&supervisor, "libya-2011").await);
    server.stop().await.unwrap();
}

async fn declared_id(api: &Api, slug: &str) -> Value {
    api.get(&format!("/api/v1/crises/{slug}")).await.unwrap().body["crisis_id"].clone()
}

async fn crises_are_checked_field_by_field(server: TestServer) {
    let (supervisor, _) = server.user("samira", "supervisor").await;
    let field_of = |reply: &Reply| reply.body["error"]["field"].as_str().map(str::to_owned);
    let mut bad_slug = sudan();
    bad_slug["slug"] = json!("Sudan 2023");
    let reply = supervisor.post("/api/v1/crises", bad_slug).await;
    assert_eq!((reply.status, field_of(&reply).as_deref()), (422, Some("slug")), "{}", reply.body);
    let mut bad_country = sudan();
    bad_country["countries"] = json!(["SD", "Sudan"]);
    let reply = supervisor.post("/api/v1/crises", bad_country).await;
    assert_eq!((reply.status, field_of(&reply).as_deref()), (422, Some("countries[1]")), "{}", reply.body);
    let mut bad_area = sudan();
    bad_area["area"] = json!({"type": "Point", "coordinates": [32.5, 15.5]});
    let reply = supervisor.post("/api/v1/crises", bad_area).await;
    assert_eq!((reply.status, field_of(&reply).as_deref()), (422, Some("area")), "{}", reply.body);
    let reply = supervisor.post("/api/v1/crises", json!({"slug": "x-1", "countries": ["SD"]})).await;
    assert_eq!((reply.status, field_of(&reply).as_deref()), (422, Some("name.ar")), "{}", reply.body);
    declared(&supervisor, sudan()).await;
    let taken = supervisor.post("/api/v1/crises", sudan()).await;
    assert_eq!((taken.status, taken.body["error"]["code"].as_str()), (409, Some("slug_taken")), "{}", taken.body);
    let unknown = supervisor.post("/api/v1/crises/atlantis/phase", json!({"phase": "recovery"})).await;
    assert_eq!(unknown.status, 404);
    let renamed = supervisor
        .send(
            supervisor
                .http
                .put(supervisor.url("/api/v1/crises/sudan-2023"))
                .json(&json!({"name": {"ar": "السودان", "en": "Sudan"}})),
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.status, renamed.body["name"]["en"].as_str(), renamed.body["version"].as_u64()),
        (200, Some("Sudan"), Some(2))
    );
    let all = supervisor.get("/api/v1/crises/all").await.unwrap();
    assert_eq!(all.body.as_array().unwrap().len(), 1);
    assert!(all.body[0]["area"].is_object(), "staff see the drawn ground");
    server.stop().await.unwrap();
}

opsroom_tests::on_both_backends!(
    reports_are_placed_in_the_crisis_whose_ground_holds_them,
    a_phase_change_streams_reaches_citizens_and_closing_ends_placement,
    a_stream_narrowed_to_a_crisis_carries_only_that_crisis,
    a_partner_limited_to_one_crisis_never_gets_the_other,
    an_advisory_for_one_crisis_reaches_only_its_cases,
    crises_are_checked_field_by_field,
);
