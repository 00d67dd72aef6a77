//! Possible duplicates and relatives: the matcher suggests them as reports arrive (live), and
//! operators decide — same person, relatives, not related — and can undo.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use opsroom_tests::{Api, TestDatabase, TestServer, eventually};
use serde_json::{Value, json};

fn report(name: &str, age: u32, phone: Option<&str>, lat: f64) -> Value {
    let mut person = json!({"name": name, "age": age});
    if let Some(phone) = phone {
        person["phone"] = json!(phone);
    }
    json!({"people": [person], "location": {"lat": lat, "lon": 32.53}})
}

/// The case's suggestions once there are `at_least` of them (the matcher works after intake).
async fn matches(admin: &Api, case_id: &str, at_least: usize) -> Vec<Value> {
    eventually(&format!("{at_least} suggestions for case {case_id}"), async || {
        let reply = admin.get(&format!("/api/v1/cases/{case_id}/matches")).await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        let list = reply.body.as_array().unwrap().clone();
        (list.len() >= at_least).then_some(list)
    })
    .await
}

async fn decide(admin: &Api, suggestion: &str, body: Value) -> opsroom_tests::Reply {
    admin.send(admin.http.post(admin.url(&format!("/api/v1/matches/{suggestion}/decision"))).json(&body)).await.unwrap()
}

#[tokio::test]
async fn the_same_child_reported_in_arabic_and_in_latin_is_suggested_live_with_reasons() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let api = server.api();
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    live.next_json().await.unwrap(); // the snapshot

    let first = api.reported(&report("محمد عبد الرحيم عثمان", 9, Some("+249 912 000 111"), 15.55)).await.case_id;
    let second = api.reported(&report("Mohamed Abdelrahim Osman", 9, Some("00249912000111"), 15.551)).await.case_id;
    let found = matches(&admin, &second, 1).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let suggestion = &found[0];
    assert_eq!(suggestion["case_id"], first.as_str(), "seen from the new case, the match is the first");
    assert_eq!(suggestion["kind"], "duplicate");
    assert_eq!(suggestion["status"], "open");
    assert!(suggestion["score"].as_f64().unwrap() >= 0.8);
    let codes: Vec<&str> =
        suggestion["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"same_phone") && codes.contains(&"name"), "{codes:?}");
    assert!(suggestion["reasons"].to_string().contains("across scripts"));
    // The first case sees it too, from its side.
    let from_first = matches(&admin, &first, 1).await;
    assert_eq!(from_first[0]["case_id"], second.as_str());

    // Operators saw it as it happened.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let event = live.next_json_within(Duration::from_secs(5)).await.unwrap().expect("an event");
        if event["kind"] == "match_suggested" {
            assert_eq!(event["data"]["other_case_id"], first.as_str());
            break;
        }
        assert!(Instant::now() < deadline, "no match_suggested event");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn different_people_with_common_names_are_not_suggested_but_a_family_phone_hints_at_relatives() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let api = server.api();
    let girl = api.reported(&report("Fatima Ali Osman", 8, None, 15.55)).await.case_id;
    let woman = api.reported(&report("Fatima Ali Osman", 61, None, 15.56)).await.case_id;
    let sister = api.reported(&report("Mona Babiker Elhassan", 12, Some("+249912777888"), 15.55)).await.case_id;
    let brother = api.reported(&report("Omar Babiker Elhassan", 15, Some("+249 912 777 888"), 15.55)).await.case_id;
    // The brother's suggestion is the last thing the matcher writes: once it is there, the
    // others have had their turn.
    let family = matches(&admin, &brother, 1).await;
    assert_eq!(family.len(), 1);
    assert_eq!((family[0]["case_id"].as_str(), family[0]["kind"].as_str()), (Some(sister.as_str()), Some("relative")));
    assert!(matches(&admin, &woman, 0).await.is_empty(), "a girl of 8 and a woman of 61");
    assert!(matches(&admin, &girl, 0).await.is_empty());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn operators_decide_and_undo_and_a_dismissed_pair_stays_dismissed() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let api = server.api();
    let _first = api.reported(&report("Amna Hassan Ali Elsayed", 30, Some("+201001112223"), 15.55)).await.case_id;
    let second = api.reported(&report("Amna Hassan", 30, Some("+20 100 111 2223"), 15.55)).await.case_id;
    let suggestion = matches(&admin, &second, 1).await[0]["suggestion_id"].as_str().unwrap().to_owned();

    let same = decide(&admin, &suggestion, json!({"decision": "same"})).await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert_eq!(matches(&admin, &second, 1).await[0]["status"], "same");
    let again = decide(&admin, &suggestion, json!({"decision": "not_related"})).await;
    assert_eq!((again.status, again.error_code()), (409, "already_decided"));

    let undo = admin.send(admin.http.post(admin.url(&format!("/api/v1/matches/{suggestion}/undo")))).await.unwrap();
    assert_eq!(undo.status, 200);
    assert_eq!(matches(&admin, &second, 1).await[0]["status"], "open");
    let related = decide(&admin, &suggestion, json!({"decision": "related"})).await;
    assert_eq!((related.status, related.error_code()), (409, "missing"), "a relation is needed");
    let related = decide(&admin, &suggestion, json!({"decision": "related", "relation": "sibling"})).await;
    assert_eq!(related.status, 200);
    assert_eq!(matches(&admin, &second, 1).await[0]["relation"], "sibling");

    let unknown = decide(&admin, "00000000-0000-0000-0000-000000000000", json!({"decision": "same"})).await;
    assert_eq!(unknown.status, 404);
    let anonymous = api.get(&format!("/api/v1/cases/{second}/matches")).await.unwrap();
    assert_eq!(anonymous.status, 401);
    let bad = decide(&admin, &suggestion, json!({"decision": "maybe"})).await;
    assert_eq!(bad.status, 422);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn two_nodes_match_each_person_once() {
    let Some(database) = TestDatabase::postgres().await else { return };
    let node_a = TestServer::start_on(&database.url, |_| {}).await;
    let node_b = TestServer::start_on(&database.url, |_| {}).await;
    let (api_a, api_b) = (node_a.api(), node_b.api());
    // Ten people, each reported twice, once through each node.
    let names =
        ["Khalid Mustafa Ahmed", "Sara Osman Babiker", "Yousif Adam Ishag", "Hawa Abdalla Musa", "Tarig Elamin Hamid"];
    let mut second_reports = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let phone = format!("+24991200{n:04}");
        api_a.reported(&report(name, 20 + n as u32, Some(&phone), 15.55)).await;
        second_reports.push(api_b.reported(&report(name, 20 + n as u32, Some(&phone), 15.55)).await.case_id);
    }
    let admin = node_a.admin().await;
    let mut pairs = HashSet::new();
    for case in &second_reports {
        let found = matches(&admin, case, 1).await;
        assert_eq!(found.len(), 1, "{case}: {found:?}");
        assert!(pairs.insert(found[0]["suggestion_id"].as_str().unwrap().to_owned()));
    }
    node_a.stop().await.unwrap();
    node_b.stop().await.unwrap();
    database.remove().await;
}

#[tokio::test]
async fn confirmed_decisions_build_the_family_view_with_tracing_status() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let api = server.api();
    // A mother abroad reports her son; an uncle reports him again in Latin; a cousin shares the
    // family's phone.
    let mother = json!({
        "reporter": {"name": "Fatma Hassan", "phone": "+201001234567", "relation": "parent", "place": "Cairo"},
        "people": [{"name": "يوسف أحمد عثمان", "age": 12, "phone": "+249912345000"}],
        "location": {"lat": 15.55, "lon": 32.53}
    });
    let first = api.reported(&mother).await.case_id;
    let second = api.reported(&report("Youssef Ahmed Osman", 12, Some("+249 912 345 000"), 15.551)).await.case_id;
    let duplicate = matches(&admin, &second, 1).await[0]["suggestion_id"].as_str().unwrap().to_owned();
    assert_eq!(decide(&admin, &duplicate, json!({"decision": "same"})).await.status, 200);
    let cousin = api.reported(&report("Omar Ahmed Osman", 14, Some("+249912345000"), 15.55)).await.case_id;
    let relative = matches(&admin, &cousin, 1).await;
    let relative = relative.iter().find(|m| m["kind"] == "relative").expect("a relative suggestion");
    let decided = decide(
        &admin,
        relative["suggestion_id"].as_str().unwrap(),
        json!({"decision": "related", "relation": "sibling"}),
    )
    .await;
    assert_eq!(decided.status, 200, "{}", decided.body);

    let family = admin.get(&format!("/api/v1/cases/{first}/family")).await.unwrap();
    assert_eq!(family.status, 200, "{}", family.body);
    let members = family.body["members"].as_array().unwrap();
    let named =
        |name: &str| members.iter().find(|m| m["name"] == name).unwrap_or_else(|| panic!("{name} in {members:?}"));
    let youssef = named("يوسف أحمد عثمان");
    assert_eq!(youssef["tracing_status"], "missing");
    assert!(youssef["links"].as_array().unwrap().iter().any(|l| l["decision"] == "same"));
    named("Youssef Ahmed Osman");
    named("Omar Ahmed Osman");
    let reporter = named("Fatma Hassan");
    assert_eq!(reporter["cases"][0]["role"], "reporter");
    assert_eq!(reporter["cases"][0]["relation"], "parent");

    let person = youssef["person_id"].as_str().unwrap();
    let path = format!("/api/v1/persons/{person}/tracing-status");
    let located = admin.send(admin.http.post(admin.url(&path)).json(&json!({"status": "located"}))).await.unwrap();
    assert_eq!(located.status, 200, "{}", located.body);
    let again = admin.send(admin.http.post(admin.url(&path)).json(&json!({"status": "located"}))).await.unwrap();
    assert_eq!((again.status, again.error_code()), (422, "unchanged"));
    let unknown = admin
        .send(
            admin
                .http
                .post(admin.url("/api/v1/persons/00000000-0000-0000-0000-000000000000/tracing-status"))
                .json(&json!({"status": "safe"})),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status, 404);
    let family = admin.get(&format!("/api/v1/cases/{second}/family")).await.unwrap();
    let members = family.body["members"].as_array().unwrap();
    assert!(members.iter().any(|m| m["name"] == "يوسف أحمد عثمان" && m["tracing_status"] == "located"));
    assert_eq!(admin.get("/api/v1/cases/00000000-0000-0000-0000-000000000000/family").await.unwrap().status, 404);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_relative_who_reports_twice_links_the_two_cases() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let api = server.api();
    let by_mother = |child: &str, age: u32| {
        json!({
            "reporter": {"name": "Fatma Hassan Elsayed", "phone": "+20 100 555 0101", "relation": "parent", "place": "Cairo"},
            "people": [{"name": child, "age": age}],
            "location": {"lat": 15.55, "lon": 32.53}
        })
    };
    let first = api.reported(&by_mother("Omar Ali Osman", 9)).await.case_id;
    let second = api.reported(&by_mother("Mona Ali Osman", 6)).await.case_id;
    let found = matches(&admin, &second, 1).await;
    assert!(
        found
            .iter()
            .any(|m| m["case_id"] == first.as_str() && m["name"] == "Fatma Hassan Elsayed" && m["kind"] == "duplicate"),
        "the mother is the same person in both reports: {found:?}"
    );
    server.stop().await.unwrap();
}
