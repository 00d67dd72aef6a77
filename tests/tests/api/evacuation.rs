//! Evacuation logistics end to end: danger zones flag the cases inside them live (and reports
//! that arrive later), places and movements, seat allocation and its confirmation, passengers'
//! steps from boarding to home, manifests rebuilt from the log, partners' feeds of the movements
//! shared with them, and the day's figures.

use opsroom_tests::{Api, LiveClient, TestServer, sample_report};
use serde_json::{Value, json};

/// A rectangle as a GeoJSON polygon, `[lon, lat]`.
fn rectangle(south: f64, west: f64, north: f64, east: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]})
}

fn zone(kind: &str, area: Value) -> Value {
    json!({"kind": kind, "name": {"ar": "بحري", "en": "Bahri"}, "area": area})
}

/// A report at a position with one person of `age`, asking only for documents (low priority).
fn report_at(lat: f64, lon: f64, name: &str, age: u8, needs: &[&str]) -> Value {
    json!({
        "language": "ar",
        "location": {"lat": lat, "lon": lon},
        "people": [{"name": name, "age": age, "sex": "male"}],
        "needs": needs,
    })
}

async fn file(api: &Api, body: &Value) -> String {
    let reply = api.post_report(body, None).await.unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["case_id"].as_str().unwrap().to_owned()
}

async fn subscribed(api: &Api) -> (LiveClient, u64) {
    let mut live = api.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let snapshot = live.next_json().await.unwrap().unwrap();
    (live, snapshot["seq"].as_u64().unwrap())
}

#[tokio::test]
async fn a_danger_zone_flags_the_open_cases_inside_it_live_and_reports_arriving_later() {
    danger_zone(TestServer::start().await).await;
}

#[tokio::test]
async fn a_danger_zone_flags_cases_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    danger_zone(server).await;
}

async fn danger_zone(server: TestServer) {
    let admin = server.admin().await;
    let public = server.api();
    // Two cases inside central Khartoum (one of them low priority), one in Omdurman's north,
    // one finished case inside.
    let critical = file(&public, &sample_report(0)).await;
    let papers = file(&public, &report_at(15.56, 32.53, "سامي", 30, &["documents"])).await;
    let outside = file(&public, &report_at(15.75, 32.45, "خالد", 40, &["documents"])).await;
    let closed = file(&public, &report_at(15.565, 32.535, "منى", 33, &["food"])).await;
    let reply =
        admin.post_json(&format!("/api/v1/cases/{closed}/status"), &json!({"status": "closed", "version": 1})).await;
    assert_eq!(reply.unwrap().status, 200);

    // Refusals first: a crossed polygon, a point, a missing Arabic name, and an operator.
    let bow_tie = json!({"type": "Polygon", "coordinates": [[[32.5, 15.5], [32.6, 15.6], [32.6, 15.5], [32.5, 15.6], [32.5, 15.5]]]});
    for (body, field) in [
        (zone("danger", bow_tie), "area"),
        (zone("danger", json!({"type": "Point", "coordinates": [32.5, 15.5]})), "area"),
        (json!({"kind": "danger", "name": {"en": "Bahri"}, "area": rectangle(15.5, 32.5, 15.6, 32.6)}), "name.ar"),
        (zone("volcano", rectangle(15.5, 32.5, 15.6, 32.6)), ""),
    ] {
        let refused = admin.post_json("/api/v1/zones", &body).await.unwrap();
        assert_eq!(refused.status, 422, "{}", refused.body);
        if !field.is_empty() {
            assert_eq!(refused.body["error"]["field"], field, "{}", refused.body);
        }
    }
    let (operator, _) = server.user("omar", "operator").await;
    let refused = operator.post_json("/api/v1/zones", &zone("danger", rectangle(15.5, 32.5, 15.6, 32.6))).await;
    assert_eq!(refused.unwrap().status, 403);

    // Declared: the operators' stream carries the zone, then one flag per open case inside.
    let (mut live, head) = subscribed(&operator).await;
    let declared =
        admin.post_json("/api/v1/zones", &zone("danger", rectangle(15.54, 32.50, 15.60, 32.56))).await.unwrap();
    assert_eq!(declared.status, 201, "{}", declared.body);
    assert_eq!(declared.body["flagged"], 2, "the two open cases inside; not the closed one, not the one outside");
    let zone_id = declared.body["zone_id"].as_str().unwrap().to_owned();
    let events = live.events_until(head + 3).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["zone_declared", "danger_zone_flagged", "danger_zone_flagged"]);
    let flag_of = |case_id: &str| events.iter().find(|e| e["case_id"] == case_id).cloned();
    assert_eq!(flag_of(&papers).unwrap()["data"]["raised_to"], "high", "documents (5, low) + danger zone (30)");
    assert_eq!(flag_of(&critical).unwrap()["data"]["raised_to"], Value::Null, "already critical");
    assert!(flag_of(&outside).is_none() && flag_of(&closed).is_none());

    let case = admin.case(&papers).await.unwrap().body;
    assert_eq!(case["case"]["danger_zone"], zone_id.as_str());
    assert_eq!(case["case"]["priority"]["level"], "high");
    assert!(case["case"]["priority"]["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "danger_zone"));
    assert_eq!(admin.case(&outside).await.unwrap().body["case"]["danger_zone"], Value::Null);

    // A report inside the zone is flagged on arrival, with the reason already in its priority.
    let arriving = file(&public, &report_at(15.57, 32.52, "هدى", 25, &["documents"])).await;
    let events = live.events_until(head + 4).await.unwrap();
    assert_eq!(events[0]["kind"], "case_reported");
    assert_eq!(events[0]["data"]["danger_zone"], zone_id.as_str());
    let arrived = admin.case(&arriving).await.unwrap().body;
    assert_eq!(
        (arrived["case"]["priority"]["level"].as_str(), arrived["case"]["danger_zone"].as_str()),
        (Some("high"), Some(zone_id.as_str()))
    );
    // One outside is not.
    let far = file(&public, &report_at(19.6, 37.2, "علي", 25, &["documents"])).await;
    assert_eq!(admin.case(&far).await.unwrap().body["case"]["danger_zone"], Value::Null);

    // Redrawn smaller: the cases no longer inside lose the flag (listed), the priority stays.
    let redrawn = admin
        .put_json(&format!("/api/v1/zones/{zone_id}"), &zone("danger", rectangle(15.555, 32.525, 15.565, 32.54)))
        .await;
    let redrawn = redrawn.unwrap();
    assert_eq!((redrawn.status, redrawn.body["version"].as_u64()), (200, Some(2)), "{}", redrawn.body);
    let events = live.events_until(head + 6).await.unwrap();
    let changed = events.iter().find(|e| e["kind"] == "zone_changed").expect("zone_changed");
    let cleared: Vec<&str> =
        changed["data"]["cleared"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(cleared.contains(&critical.as_str()) && cleared.contains(&arriving.as_str()), "{cleared:?}");
    assert!(!cleared.contains(&papers.as_str()), "still inside");
    assert_eq!(admin.case(&critical).await.unwrap().body["case"]["danger_zone"], Value::Null);

    // Lifted: every flag goes; the zone stays listed, inactive; a lifted zone cannot change.
    let lifted = admin.post_json(&format!("/api/v1/zones/{zone_id}/lifting"), &json!({})).await.unwrap();
    assert_eq!((lifted.status, lifted.body["active"].as_bool()), (200, Some(false)), "{}", lifted.body);
    assert_eq!(admin.case(&papers).await.unwrap().body["case"]["danger_zone"], Value::Null);
    let again = admin.post_json(&format!("/api/v1/zones/{zone_id}/lifting"), &json!({})).await.unwrap();
    assert_eq!((again.status, again.error_code()), (409, "zone_lifted"));
    let listed = operator.get("/api/v1/zones").await.unwrap();
    assert_eq!(listed.body[0]["active"], false);
    // A report arriving now is not flagged.
    let after = file(&public, &report_at(15.56, 32.53, "رنا", 25, &["documents"])).await;
    assert_eq!(admin.case(&after).await.unwrap().body["case"]["danger_zone"], Value::Null);
    server.stop().await.unwrap();
}

/// Move a new case to awaiting evacuation, as an operator would.
async fn awaiting_evacuation(api: &Api, case_id: &str) {
    for (status, version) in [("triaged", 1), ("awaiting_evacuation", 2)] {
        let body = json!({"status": status, "version": version});
        let reply = api.post_json(&format!("/api/v1/cases/{case_id}/status"), &body).await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
}

fn person_ids(case: &Value) -> Vec<String> {
    case["persons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["role"] == "subject")
        .map(|p| p["person_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The manifest CSV's rows (without the header) as (name_ar or name_latin, status).
async fn manifest(api: &Api, movement_id: &str) -> Vec<(String, String)> {
    let reply = api.get(&format!("/api/v1/movements/{movement_id}/manifest.csv")).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let text = reply.body.as_str().unwrap().to_owned();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(format!("\u{FEFF}{MANIFEST_HEADER}").as_str()), "a byte order mark, then the header");
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let name = if cells[1].is_empty() { cells[2] } else { cells[1] };
            (name.to_owned(), cells[9].to_owned())
        })
        .collect()
}

const MANIFEST_HEADER: &str =
    "reference,name_ar,name_latin,passport,age,sex,class,escort_names,escort_person_ids,status,case_id,person_id";

/// Who travels as what and with whom: children of 6 and 16 with no adult of their case aboard,
/// a child with her father, an injured woman; the sheet in the room's local time, the label in
/// both languages, a tick box and a signature cell per passenger, and a total per class.
async fn manifest_classes(server: TestServer) {
    let admin = server.admin().await;
    let public = server.api();
    let (operator, _) = server.user("omar", "operator").await;
    let origin = admin.place("assembly_point", "Consular office", "المكتب القنصلي", 15.58, 32.53).await;
    let argeen = admin.place("border_crossing", "Argeen crossing", "معبر أرقين", 21.98, 31.33).await;
    let people = |list: Value, flags: Value| {
        json!({"language": "ar", "location": {"lat": 15.59, "lon": 32.54}, "people": list,
               "needs": ["evacuation"], "flags": flags})
    };
    let alone = file(
        &public,
        &people(
            json!([{"name": "ريم", "age": 6, "sex": "female"}, {"name": "Omar", "age": 16, "sex": "male"}]),
            json!([]),
        ),
    )
    .await;
    let family = file(
        &public,
        &people(
            json!([{"name": "عادل", "age": 38, "sex": "male"}, {"name": "منى", "age": 9, "sex": "female"}]),
            json!([]),
        ),
    )
    .await;
    let injured =
        file(&public, &people(json!([{"name": "سعاد", "age": 50, "sex": "female"}]), json!(["injured"]))).await;
    let mut everyone = Vec::new();
    for case_id in [&alone, &family, &injured] {
        awaiting_evacuation(&operator, case_id).await;
        everyone.extend(person_ids(&admin.case(case_id).await.unwrap().body));
    }
    // 06:00 UTC on 24 April 2023 is 08:00 in Cairo (UTC+2 until Egypt's summer time on the 28th).
    let bus = json!({"mode": "bus", "label": "Bus 7 Khartoum → Argeen", "label_ar": "الحافلة 7 الخرطوم ← أرقين",
                     "origin_place_id": origin, "destination_place_id": argeen,
                     "departure_at": "2023-04-24T06:00:00Z", "seats": 10});
    let planned = admin.post_json("/api/v1/movements", &bus).await.unwrap();
    assert_eq!(planned.status, 201, "{}", planned.body);
    assert_eq!(planned.body["label_ar"], "الحافلة 7 الخرطوم ← أرقين");
    let movement_id = planned.body["movement_id"].as_str().unwrap().to_owned();
    post(&operator, &format!("/api/v1/movements/{movement_id}/passengers"), json!({"person_ids": everyone})).await;

    // The CSV: a byte order mark (raw bytes; text decoding drops it), then class and escorts.
    let cookie = operator.cookie.clone().unwrap();
    let raw = operator.http.get(operator.url(&format!("/api/v1/movements/{movement_id}/manifest.csv")));
    let raw = raw.header("cookie", cookie).send().await.unwrap().bytes().await.unwrap();
    assert!(raw.starts_with(format!("\u{FEFF}{MANIFEST_HEADER}").as_bytes()));
    let text = std::str::from_utf8(&raw).unwrap().to_owned();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let row = |name: &str| rows.iter().find(|r| r[1] == name || r[2] == name).unwrap().clone();
    assert_eq!((row("ريم")[6], row("ريم")[7]), ("unaccompanied_child", ""));
    assert_eq!((row("Omar")[6], row("Omar")[7]), ("unaccompanied_child", ""), "16 is still a child");
    assert_eq!((row("منى")[6], row("منى")[7]), ("child_with_family", "عادل"));
    assert_eq!(row("منى")[8], row("عادل")[11], "the escort's person id");
    assert_eq!(row("عادل")[6], "adult");
    assert_eq!(row("سعاد")[6], "medical");

    // The printable sheet, in Arabic (the default) and in English.
    let sheet = |lang: &'static str| {
        let path = format!("/ops/movements/{movement_id}/manifest?lang={lang}");
        let operator = &operator;
        async move { operator.get(&path).await.unwrap().body.as_str().unwrap().to_owned() }
    };
    let arabic = sheet("ar").await;
    assert!(arabic.contains("2023-04-24 08:00 (UTC+02:00)"), "local departure");
    assert!(arabic.contains("Africa/Cairo") && !arabic.contains("2023-04-24T06:00:00Z"));
    let label_ar = arabic.find("الحافلة 7 الخرطوم ← أرقين").expect("the Arabic label on the Arabic sheet");
    assert!(label_ar < arabic.find("Bus 7 Khartoum → Argeen").expect("and the other, after it"));
    assert!(arabic.contains("طفل بلا مرافق") && arabic.contains("لا يرافقه بالغ من أسرته"));
    assert!(arabic.contains("طُبع في"), "printed-at");
    assert_eq!(arabic.matches("class=\"tick\"").count(), 5, "a tick box per passenger");
    assert_eq!(arabic.matches("<td class=\"signature\">").count(), 5, "a signature cell per passenger");
    let english = sheet("en").await;
    let total = |class: &str| {
        let at = english.find(&format!("<tr data-class=\"{class}\"")).unwrap();
        let cell = &english[at..];
        let start = cell.find("<td>").unwrap() + 4;
        cell[start..start + cell[start..].find('<').unwrap()].to_owned()
    };
    assert_eq!(
        ["unaccompanied_child", "medical", "elderly", "child_with_family", "adult"].map(total),
        ["2", "1", "0", "1", "1"]
    );
    assert!(english.find("Bus 7 Khartoum → Argeen").unwrap() < english.find("الحافلة 7 الخرطوم ← أرقين").unwrap());
    // The child's escort, by line number (a left-to-right isolate: "#4", never "4#") and name.
    let escorted: Vec<&str> =
        english.split("<td class=\"escort\">").skip(1).map(|cell| &cell[..cell.find("</td>").unwrap()]).collect();
    let with_father = escorted.iter().filter(|cell| cell.contains("<bdi>عادل</bdi>")).collect::<Vec<_>>();
    assert_eq!(with_father.len(), 1, "{escorted:?}");
    assert!(with_father[0].starts_with("<bdi dir=\"ltr\">#"), "{}", with_father[0]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_manifest_names_each_passengers_class_and_escort() {
    manifest_classes(TestServer::start().await).await;
}

#[tokio::test]
async fn a_manifest_names_each_passengers_class_and_escort_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    manifest_classes(server).await;
}

async fn post(api: &Api, path: &str, body: Value) -> Value {
    let reply = api.post_json(path, &body).await.unwrap();
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_convoy_boards_departs_crosses_and_arrives_with_its_manifest_and_partner_feed() {
    convoy(TestServer::start().await).await;
}

#[tokio::test]
async fn a_convoy_runs_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    convoy(server).await;
}

async fn convoy(server: TestServer) {
    let admin = server.admin().await;
    let public = server.api();
    let (operator, _) = server.user("omar", "operator").await;

    let consulate =
        admin.place("assembly_point", "Consular office, Khartoum", "المكتب القنصلي، الخرطوم", 15.58, 32.53).await;
    let argeen = admin.place("border_crossing", "Argeen crossing", "معبر أرقين", 21.98, 31.33).await;
    let refused = operator
        .post_json(
            "/api/v1/places",
            &json!({"kind": "airport", "name": {"en": "Port Sudan", "ar": "بورتسودان"}, "lat": 19.43, "lon": 37.23}),
        )
        .await;
    assert_eq!(refused.unwrap().status, 403, "operators do not register places");
    let listed = operator.get("/api/v1/places").await.unwrap();
    assert_eq!(listed.body.as_array().unwrap().len(), 2);

    // Waiting: a family of three with a child, a man alone, an injured woman, and someone far
    // away (Port Sudan) who is out of the radius.
    let family = json!({
        "language": "ar", "location": {"lat": 15.59, "lon": 32.54},
        "people": [{"name": "حسن علي", "age": 41, "sex": "male", "passport": "A1234567"},
                   {"name": "فاطمة حسن", "age": 38, "sex": "female"},
                   {"name": "يوسف حسن", "age": 7, "sex": "male"}],
        "needs": ["evacuation"]
    });
    let family = file(&public, &family).await;
    let mut karim = report_at(15.60, 32.55, "Karim Mostafa", 30, &["evacuation"]);
    karim["people"][0]["passport"] = json!("K7654321");
    let man = file(&public, &karim).await;
    let injured =
        public.post_report(&report_at(15.57, 32.52, "سعاد", 50, &["medical", "evacuation"]), None).await.unwrap();
    let tracking = injured.body["tracking_token"].as_str().unwrap().to_owned();
    let injured = injured.body["case_id"].as_str().unwrap().to_owned();
    let far = file(&public, &report_at(19.6, 37.2, "بعيد", 30, &["evacuation"])).await;
    for case_id in [&family, &man, &injured, &far] {
        awaiting_evacuation(&operator, case_id).await;
    }
    let family_people = person_ids(&admin.case(&family).await.unwrap().body);
    let man_id = person_ids(&admin.case(&man).await.unwrap().body).remove(0);
    let injured_id = person_ids(&admin.case(&injured).await.unwrap().body).remove(0);

    // The Red Crescent at the crossing sees the bus; another agency does not.
    let red_crescent = admin.register_partner(json!({"name": "Egyptian Red Crescent", "kind": "red_crescent"})).await;
    let partner = server.api().as_partner(&admin.partner_token(&red_crescent).await.0);
    let other = admin.register_partner(json!({"name": "IOM", "kind": "un_agency"})).await;
    let other = server.api().as_partner(&admin.partner_token(&other).await.0);
    let start = partner.get("/api/v1/partner/cases").await.unwrap().body["next"].as_u64().unwrap();

    // A bus with three seats, from the consulate to Argeen. The origin must be an assembly point.
    let bus = json!({"mode": "bus", "label": "Bus 1 Khartoum → Argeen", "origin_place_id": consulate,
                     "destination_place_id": argeen, "departure_at": "2023-04-24T06:00:00Z", "seats": 3,
                     "shared_with": [red_crescent]});
    let mut unknown = bus.clone();
    unknown["shared_with"] = json!([consulate]);
    let refused = admin.post_json("/api/v1/movements", &unknown).await.unwrap();
    assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some("shared_with[0]")));
    let backwards = json!({"origin_place_id": argeen, "destination_place_id": consulate});
    let mut wrong = bus.clone();
    wrong.as_object_mut().unwrap().extend(backwards.as_object().unwrap().clone());
    let refused = admin.post_json("/api/v1/movements", &wrong).await.unwrap();
    assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some("origin_place_id")));
    let planned = admin.post_json("/api/v1/movements", &bus).await.unwrap();
    assert_eq!(planned.status, 201, "{}", planned.body);
    assert_eq!(planned.body["status"], "planned");
    let movement_id = planned.body["movement_id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/movements/{movement_id}");

    // Suggested: the injured woman first (medical), the family does not fit in the two seats
    // left, so the man; with splitting allowed one of the family fills the last seat.
    let suggested = post(&operator, &format!("{base}/suggestion"), json!({"radius_km": 30})).await;
    assert_eq!((suggested["seats_left"].as_u64(), suggested["considered"].as_u64()), (Some(3), Some(5)), "{suggested}");
    let chosen: Vec<&str> =
        suggested["passengers"].as_array().unwrap().iter().map(|p| p["person_id"].as_str().unwrap()).collect();
    assert_eq!(chosen, [injured_id.as_str(), man_id.as_str()]);
    assert_eq!(suggested["passengers"][0]["class"], "medical");
    let split = post(&operator, &format!("{base}/suggestion"), json!({"radius_km": 30, "split_families": true})).await;
    assert_eq!(split["passengers"].as_array().unwrap().len(), 3);
    assert_eq!(split["passengers"][2]["case_id"], family.as_str());
    let wide = post(&operator, &format!("{base}/suggestion"), json!({"radius_km": 500})).await;
    assert_eq!(wide["considered"], 5, "Port Sudan is ~700 km away");
    let refused = operator.post_json(&format!("{base}/suggestion"), &json!({"radius_km": 0})).await.unwrap();
    assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some("radius_km")));

    // Confirmed; the whole family would not fit any more, and all or none is written.
    let mut too_many: Vec<&str> = chosen.clone();
    too_many.extend(family_people.iter().map(String::as_str));
    let refused = operator.post_json(&format!("{base}/passengers"), &json!({"person_ids": too_many})).await.unwrap();
    assert_eq!((refused.status, refused.error_code()), (409, "no_seats"));
    let confirmed = post(&operator, &format!("{base}/passengers"), json!({"person_ids": chosen})).await;
    assert_eq!(confirmed["counts"]["assigned"], 2);
    let refused = operator.post_json(&format!("{base}/passengers"), &json!({"person_ids": [man_id]})).await.unwrap();
    assert_eq!((refused.status, refused.error_code()), (409, "not_waiting"), "a seat already");
    let mut listed = manifest(&operator, &movement_id).await;
    listed.sort();
    assert_eq!(
        listed,
        [("Karim Mostafa".to_owned(), "assigned".to_owned()), ("سعاد".to_owned(), "assigned".to_owned())]
    );

    // Boarding is not allowed before the movement boards; departure needs boarding first.
    let refused = operator
        .post_json(&format!("{base}/passengers/status"), &json!({"person_ids": [man_id], "to": "boarded"}))
        .await;
    assert_eq!(refused.unwrap().status, 409);
    let refused = operator.post_json(&format!("{base}/status"), &json!({"to": "departed"})).await.unwrap();
    assert_eq!((refused.status, refused.error_code()), (409, "invalid_transition"));
    post(&operator, &format!("{base}/status"), json!({"to": "boarding"})).await;
    post(&operator, &format!("{base}/passengers/status"), json!({"person_ids": [injured_id], "to": "boarded"})).await;
    let mut listed = manifest(&operator, &movement_id).await;
    listed.sort();
    assert_eq!(
        listed,
        [("Karim Mostafa".to_owned(), "assigned".to_owned()), ("سعاد".to_owned(), "boarded".to_owned())]
    );

    // Departed: the injured woman departs with the bus; the man, who did not board, is a no-show
    // and leaves the manifest; he may wait for the next one.
    let departed = post(&operator, &format!("{base}/status"), json!({"to": "departed"})).await;
    assert_eq!((departed["counts"]["departed"].as_u64(), departed["counts"]["no_show"].as_u64()), (Some(1), Some(1)));
    assert_eq!(manifest(&operator, &movement_id).await, [("سعاد".to_owned(), "departed".to_owned())]);
    // Everyone of her case left, so the case is evacuated (a workflow change, on the board);
    // the man's case still awaits evacuation.
    assert_eq!(admin.case(&injured).await.unwrap().body["case"]["status"], "evacuated");
    assert_eq!(admin.case(&man).await.unwrap().body["case"]["status"], "awaiting_evacuation");

    // The partner's feed carried every step, each with the movement as it may see it now: the
    // woman arriving needs medical care; it gets names but never passports.
    let feed = partner.get(&format!("/api/v1/partner/cases?since={start}")).await.unwrap().body;
    let items = feed["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "movement_planned",
            "passenger_changed",
            "passenger_changed",
            "movement_changed",
            "passenger_changed",
            "movement_changed",
            "passenger_changed",
            "passenger_changed"
        ],
        "planned, two assigned, boarding, one boarded, departed (departed + no-show)"
    );
    // Each item carries the movement now and only the passenger its event changed: the woman
    // departing (with her name and needs), the man who did not show up (his id and status only).
    let changed = |item: &Value| item["movement"]["passengers"].as_array().unwrap().clone();
    assert!(items.iter().all(|i| i["movement"]["status"] == "departed"), "the movement as it is now");
    assert!(items.iter().filter(|i| i["kind"] != "passenger_changed").all(|i| changed(i).is_empty()));
    let about = |person: &str| {
        items.iter().rev().find(|i| changed(i).iter().any(|p| p["person_id"] == person)).map(changed).unwrap()
    };
    let woman = about(&injured_id);
    assert_eq!(
        (woman.len(), woman[0]["status"].as_str(), woman[0]["name"].as_str()),
        (1, Some("departed"), Some("سعاد"))
    );
    assert!(woman[0]["needs"].as_array().unwrap().contains(&json!("medical")));
    let no_show = about(&man_id);
    assert_eq!(no_show, [json!({"person_id": man_id, "reference": "", "status": "no_show"})]);
    // The man's passport (he held a seat) never reaches the Red Crescent, whose profile has none.
    assert!(!feed.to_string().contains("K7654321"), "no passport reaches the Red Crescent");
    assert!(items.iter().all(|i| i["case_id"].is_null() && i["case"].is_null()), "no case id of a case not referred");
    let listed = partner.get("/api/v1/partner/movements").await.unwrap().body;
    assert_eq!(listed[0]["movement_id"], movement_id.as_str());
    let aboard: Vec<&str> =
        listed[0]["passengers"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(aboard, ["سعاد"], "only the people holding a seat");
    assert_eq!(other.get("/api/v1/partner/movements").await.unwrap().body, json!([]));
    assert_eq!(other.get(&format!("/api/v1/partner/movements/{movement_id}")).await.unwrap().status, 404);
    let others = other.get(&format!("/api/v1/partner/cases?since={start}")).await.unwrap().body;
    assert_eq!(others["items"], json!([]), "not shared with it");
    post(&operator, &format!("{base}/passengers/status"), json!({"person_ids": [man_id], "to": "waiting"}))
        .await
        .get("counts")
        .expect("counts");

    post(&operator, &format!("{base}/passengers/status"), json!({"person_ids": [injured_id], "to": "crossed"})).await;
    assert_eq!(manifest(&operator, &movement_id).await, [("سعاد".to_owned(), "crossed".to_owned())]);
    let seen = partner.get(&format!("/api/v1/partner/movements/{movement_id}")).await.unwrap().body;
    assert_eq!(seen["passengers"][0]["status"], "crossed", "{seen}");
    post(&operator, &format!("{base}/status"), json!({"to": "arrived"})).await;
    let home = post(
        &operator,
        &format!("{base}/passengers/status"),
        json!({"person_ids": [injured_id], "to": "arrived_home"}),
    )
    .await;
    assert_eq!(home["status"], "arrived");
    let seen = partner.get(&format!("/api/v1/partner/movements/{movement_id}")).await.unwrap().body;
    assert_eq!(seen["status"], "arrived");
    assert!(seen["passengers"].as_array().unwrap().iter().any(|p| p["status"] == "arrived_home"));
    assert_eq!(manifest(&operator, &movement_id).await, [("سعاد".to_owned(), "arrived_home".to_owned())]);

    // Her tracking page told her each step, in plain words (the place and time come by phone).
    let tracked = public.get(&format!("/api/v1/track/{tracking}")).await.unwrap().body;
    let codes: Vec<&str> =
        tracked["timeline"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert!(
        codes.ends_with(&[
            "evacuation_assigned",
            "evacuation_boarded",
            "evacuation_departed",
            "status_evacuated",
            "evacuation_crossed",
            "evacuation_arrived_home"
        ]),
        "{codes:?}"
    );

    // The printable page: Arabic right to left by default, English on request.
    let page = operator.get(&format!("/ops/movements/{movement_id}/manifest")).await.unwrap();
    let html = page.body.as_str().unwrap();
    assert!(
        html.contains(r#"lang="ar" dir="rtl""#) && html.contains("سعاد") && html.contains("وصل إلى الوطن"),
        "{html}"
    );
    let page = operator.get(&format!("/ops/movements/{movement_id}/manifest?lang=en")).await.unwrap();
    assert!(page.body.as_str().unwrap().contains(r#"dir="ltr""#));
    assert_eq!(public.get(&format!("/ops/movements/{movement_id}/manifest")).await.unwrap().status, 401);

    // The day's figures: the family and the man wait at the consulate (the nearest assembly
    // point; the far case too, it being the only one), one person is home.
    let summary = operator.get("/api/v1/evacuation/summary").await.unwrap().body;
    assert_eq!(summary["waiting"], 5, "{summary}");
    assert_eq!(summary["places"][0]["waiting"], 5);
    assert_eq!((summary["arrived_home"].as_u64(), summary["evacuated"].as_u64()), (Some(1), Some(1)));
    assert_eq!(summary["seats_planned"], 0, "the only movement arrived");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_case_in_two_danger_zones_keeps_a_flag_when_one_is_lifted() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let case = file(&server.api(), &report_at(15.56, 32.53, "سامي", 30, &["documents"])).await;
    let declare = async |area: Value| {
        let reply = admin.post_json("/api/v1/zones", &zone("danger", area)).await.unwrap();
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["zone_id"].as_str().unwrap().to_owned()
    };
    let first = declare(rectangle(15.54, 32.50, 15.58, 32.56)).await;
    let second = declare(rectangle(15.55, 32.52, 15.57, 32.54)).await;
    assert_eq!(admin.case(&case).await.unwrap().body["case"]["danger_zone"], first.as_str());
    let (mut live, head) = subscribed(&admin).await;
    let lifted = admin.post_json(&format!("/api/v1/zones/{first}/lifting"), &json!({})).await.unwrap();
    assert_eq!(lifted.status, 200, "{}", lifted.body);
    let event = live.events_until(head + 1).await.unwrap().remove(0);
    assert_eq!(event["data"]["moved"], json!([{"case_id": case, "zone_id": second}]));
    assert_eq!(admin.case(&case).await.unwrap().body["case"]["danger_zone"], second.as_str());
    // Lifting the second too: now it is inside none.
    admin.post_json(&format!("/api/v1/zones/{second}/lifting"), &json!({})).await.unwrap();
    assert_eq!(admin.case(&case).await.unwrap().body["case"]["danger_zone"], Value::Null);
    server.stop().await.unwrap();
}
