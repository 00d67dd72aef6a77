//! Official advisories: supervisors publish, update and withdraw them; everyone reads the current
//! ones as JSON, as CAP 1.2 (checked against the OASIS schema), on the form and on tracking links.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opsroom_domain::clock::Timestamp;
use opsroom_tests::{Api, Reply, TestServer, eventually, sample_report};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

/// The environment variable naming the CAP schema validator (a command line; XML on stdin).
const CAP_VALIDATOR_VAR: &str = "OPSROOM_CAP_VALIDATOR";

// ---------------------------------------------------------------------------------------------
// Helpers

/// An advisory's content; `tag` makes the texts of each one different.
fn advisory(tag: &str) -> Value {
    json!({
        "headline": {"ar": format!("تنبيه {tag}"), "en": format!("Advisory {tag}")},
        "body": {"ar": format!("نص التنبيه {tag}"), "en": format!("Text of advisory {tag}")},
        "severity": "severe",
    })
}

/// `base` with `key` set to `value`.
fn and(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

/// `base` without `key`.
fn without(mut base: Value, key: &str) -> Value {
    base.as_object_mut().unwrap().remove(key);
    base
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// An RFC 3339 time `offset_ms` from now.
fn from_now(offset_ms: i64) -> String {
    Timestamp::from_millis(now_ms() + offset_ms).to_rfc3339()
}

/// A square around Khartoum with a hole in its east, as GeoJSON (`[lon, lat]`).
fn khartoum_with_a_hole() -> Value {
    json!({"type": "Polygon", "coordinates": [
        [[32.4, 15.4], [32.7, 15.4], [32.7, 15.7], [32.4, 15.7], [32.4, 15.4]],
        [[32.6, 15.45], [32.65, 15.45], [32.65, 15.5], [32.6, 15.5], [32.6, 15.45]]
    ]})
}

const PORT_SUDAN: (f64, f64) = (19.6158, 37.2164);

async fn publish(api: &Api, body: &Value) -> Reply {
    api.send(api.http.post(api.url("/api/v1/advisories")).json(body)).await.unwrap()
}

/// Publish and return the advisory's id.
async fn published(api: &Api, body: &Value) -> String {
    let reply = publish(api, body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["advisory_id"].as_str().unwrap().to_owned()
}

async fn update(api: &Api, id: &str, body: &Value) -> Reply {
    api.send(api.http.put(api.url(&format!("/api/v1/advisories/{id}"))).json(body)).await.unwrap()
}

async fn withdraw(api: &Api, id: &str) -> Reply {
    api.send(api.http.post(api.url(&format!("/api/v1/advisories/{id}/withdrawal")))).await.unwrap()
}

/// The ids of the current advisories, as the public list gives them.
async fn current_ids(api: &Api) -> Vec<String> {
    let list = api.get("/api/v1/advisories").await.unwrap();
    assert_eq!(list.status, 200, "{}", list.body);
    list.body.as_array().unwrap().iter().map(|a| a["advisory_id"].as_str().unwrap().to_owned()).collect()
}

/// The CAP message of an advisory's latest version.
async fn cap(api: &Api, id: &str) -> String {
    let reply = api.get(&format!("/api/v1/advisories/{id}/cap")).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let content_type = reply.headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("application/xml"), "{content_type}");
    reply.body.as_str().expect("XML text").to_owned()
}

/// The texts of every `<tag>` element in `xml`.
fn tags<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.match_indices(&open)
        .map(|(at, _)| {
            let start = at + open.len();
            &xml[start..start + xml[start..].find(&close).expect("a closed element")]
        })
        .collect()
}

/// `2026-11-29T01:47:21+00:00`: CAP's date-time, with a numeric offset and no fractions.
fn is_cap_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24];
    bytes.len() == 25
        && digits.iter().all(|&i| bytes[i].is_ascii_digit())
        && [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (22, b':')].iter().all(|&(i, c)| bytes[i] == c)
        && (bytes[19] == b'+' || bytes[19] == b'-')
}

/// The tracking view's advisory ids for a case reported with `report`.
async fn advisories_seen_by(server: &TestServer, report: &Value) -> Vec<String> {
    let reply = server.api().post_report(report, None).await.unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    let token = reply.body["tracking_token"].as_str().unwrap();
    let view = server.api().get(&format!("/api/v1/track/{token}")).await.unwrap();
    assert_eq!(view.status, 200, "{}", view.body);
    view.body["advisories"].as_array().unwrap().iter().map(|a| a["advisory_id"].as_str().unwrap().to_owned()).collect()
}

fn report_at(lat: f64, lon: f64) -> Value {
    json!({"people": [{"name": "Huda"}], "location": {"lat": lat, "lon": lon}})
}

/// The command line of the CAP validator (see [`opsroom_tests::external_validator`]).
fn cap_validator() -> Option<Vec<String>> {
    opsroom_tests::external_validator(
        CAP_VALIDATOR_VAR,
        "CAP 1.2 schema validation",
        "target/cap-venv/bin/python tests/cap/validate.py",
    )
}

/// Run the validator on one message: `Err` with its reasons when the schema refuses it.
async fn validate(validator: &[String], xml: &str) -> Result<(), String> {
    let mut child = tokio::process::Command::new(&validator[0])
        .args(&validator[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {validator:?}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(xml.as_bytes()).await.unwrap();
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output()).await.unwrap().unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
    }
}

// ---------------------------------------------------------------------------------------------
// Publishing and reading

async fn supervisors_publish_and_everyone_reads_the_current_advisories_newest_first(server: TestServer) {
    let (hoda, _) = server.user("hoda", "supervisor").await;
    let whole_crisis =
        and(advisory("1"), "instruction", json!({"ar": "اذهبوا إلى القنصلية", "en": "Go to the consulate"}));
    let reply = publish(&hoda, &and(whole_crisis, "kind", json!("instruction"))).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let first = reply.body["advisory_id"].as_str().unwrap().to_owned();
    assert_eq!(reply.body["version"], 1);
    assert_eq!(reply.body["kind"], "instruction");
    assert_eq!(reply.body["withdrawn"], false);
    assert_eq!(reply.body["cap_url"], format!("/api/v1/advisories/{first}/cap"));
    assert!(reply.body["area"].is_null() && reply.body["cells"].is_null(), "for the whole crisis");

    let second = published(&hoda, &and(advisory("2"), "area", khartoum_with_a_hole())).await;
    let anonymous = server.api();
    assert_eq!(current_ids(&anonymous).await, [second.clone(), first.clone()]);
    let list = anonymous.get("/api/v1/advisories").await.unwrap().body;
    assert_eq!(list[1]["headline"]["en"], "Advisory 1");
    assert_eq!(list[1]["instruction"]["ar"], "اذهبوا إلى القنصلية");
    assert_eq!(list[1]["kind"], "instruction");
    assert_eq!(list[0]["kind"], "information", "the default kind");
    assert_eq!(list[0]["area"]["type"], "Polygon");
    assert_eq!(list[0]["area"]["coordinates"].as_array().unwrap().len(), 2, "the hole is kept");
    server.stop().await.unwrap();
}

async fn only_supervisors_and_admins_publish_update_and_withdraw(server: TestServer) {
    let (amira, _) = server.user("amira", "operator").await;
    let admin = server.admin().await;
    let anonymous = server.api();
    let forbidden = publish(&amira, &advisory("op")).await;
    assert_eq!((forbidden.status, forbidden.error_code()), (403, "forbidden"));
    assert_eq!(publish(&anonymous, &advisory("anon")).await.status, 401);
    assert_eq!(current_ids(&anonymous).await.len(), 0);

    let id = published(&admin, &advisory("admin")).await;
    assert_eq!(update(&amira, &id, &advisory("changed")).await.status, 403);
    assert_eq!(withdraw(&amira, &id).await.status, 403);
    assert_eq!(update(&anonymous, &id, &advisory("changed")).await.status, 401);
    assert_eq!(withdraw(&anonymous, &id).await.status, 401);
    // Operators may read the history; the public may not.
    assert_eq!(amira.get(&format!("/api/v1/advisories/{id}/history")).await.unwrap().status, 200);
    assert_eq!(anonymous.get(&format!("/api/v1/advisories/{id}/history")).await.unwrap().status, 401);
    let history = admin.get(&format!("/api/v1/advisories/{id}/history")).await.unwrap().body;
    assert_eq!(history.as_array().unwrap().len(), 1, "nothing the operator tried took effect");
    server.stop().await.unwrap();
}

async fn invalid_advisories_are_refused_with_the_field_at_fault(server: TestServer) {
    let admin = server.admin().await;
    let bow_tie = json!({"type": "Polygon", "coordinates": [
        [[32.0, 15.0], [33.0, 16.0], [33.0, 15.0], [32.0, 16.0], [32.0, 15.0]]
    ]});
    let unclosed =
        json!({"type": "Polygon", "coordinates": [[[32.0, 15.0], [33.0, 15.0], [33.0, 16.0], [32.0, 16.0]]]});
    let cases: Vec<(&str, Value, Option<&str>, &str)> = vec![
        ("no English headline", and(advisory("x"), "headline", json!({"ar": "تنبيه"})), None, "headline.en"),
        ("a bow tie", and(advisory("x"), "area", bow_tie), Some("invalid_area"), "area"),
        ("an open ring", and(advisory("x"), "area", unclosed), Some("invalid_area"), "area"),
        (
            "both an area and cells",
            and(and(advisory("x"), "area", khartoum_with_a_hole()), "cells", json!(["8928308280fffff"])),
            None,
            "cells",
        ),
        ("a bad cell", and(advisory("x"), "cells", json!(["not-a-cell"])), None, "cells[0]"),
        ("an expiry in the past", and(advisory("x"), "expires_at", json!(from_now(-60_000))), None, "expires_at"),
        (
            "an unreadable expiry",
            and(advisory("x"), "expires_at", json!("tomorrow")),
            Some("invalid_time"),
            "expires_at",
        ),
        ("no severity", without(advisory("x"), "severity"), None, "severity"),
    ];
    for (what, body, code, field) in cases {
        let reply = publish(&admin, &body).await;
        assert_eq!(reply.status, 422, "{what}: {}", reply.body);
        assert_eq!(reply.body["error"]["field"], field, "{what}: {}", reply.body);
        if let Some(code) = code {
            assert_eq!(reply.error_code(), code, "{what}");
        }
    }
    assert_eq!(current_ids(&admin).await.len(), 0, "nothing was published");
    server.stop().await.unwrap();
}

async fn updates_are_new_versions_and_a_withdrawal_is_final(server: TestServer) {
    let (hoda, _) = server.user("hoda", "supervisor").await;
    let id = published(&hoda, &advisory("v1")).await;
    let updated = update(&hoda, &id, &and(advisory("v2"), "severity", json!("extreme"))).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!((updated.body["version"].as_u64(), updated.body["severity"].as_str()), (Some(2), Some("extreme")));
    assert_eq!(updated.body["advisory_id"], id.as_str());
    let list = hoda.get("/api/v1/advisories").await.unwrap().body;
    assert_eq!(list[0]["headline"]["en"], "Advisory v2", "the list shows the latest version");
    assert_eq!(list.as_array().unwrap().len(), 1);

    let withdrawn = withdraw(&hoda, &id).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!((withdrawn.body["version"].as_u64(), withdrawn.body["withdrawn"].as_bool()), (Some(3), Some(true)));
    assert_eq!(current_ids(&server.api()).await.len(), 0, "withdrawn advisories are not listed");
    assert_eq!(withdraw(&hoda, &id).await.status, 409, "already withdrawn");
    assert_eq!(update(&hoda, &id, &advisory("v4")).await.status, 409, "publish a new one instead");

    let history = hoda.get(&format!("/api/v1/advisories/{id}/history")).await.unwrap().body;
    let versions: Vec<u64> = history.as_array().unwrap().iter().map(|v| v["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, [1, 2, 3], "oldest first");
    assert_eq!(history[0]["headline"]["en"], "Advisory v1", "earlier versions keep their content");

    let unknown = "00000000-0000-0000-0000-000000000000";
    assert_eq!(update(&hoda, unknown, &advisory("x")).await.status, 404);
    assert_eq!(withdraw(&hoda, unknown).await.status, 404);
    assert_eq!(hoda.get(&format!("/api/v1/advisories/{unknown}/history")).await.unwrap().status, 404);
    assert_eq!(hoda.get(&format!("/api/v1/advisories/{unknown}/cap")).await.unwrap().status, 404);
    server.stop().await.unwrap();
}

async fn expired_advisories_stop_being_current(server: TestServer) {
    let admin = server.admin().await;
    let lasting = published(&admin, &advisory("lasting")).await;
    let brief = published(&admin, &and(advisory("brief"), "expires_at", json!(from_now(3_000)))).await;
    let listed = current_ids(&admin).await;
    assert!(listed.contains(&brief) && listed.contains(&lasting), "{listed:?}");
    eventually("the expired advisory to leave the list", async || {
        (!current_ids(&admin).await.contains(&brief)).then_some(())
    })
    .await;
    assert_eq!(current_ids(&admin).await, [lasting]);
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Where advisories are shown

async fn area_advisories_reach_only_the_cases_inside_their_area(server: TestServer) {
    let admin = server.admin().await;
    let everyone = published(&admin, &advisory("everyone")).await;
    let khartoum = published(&admin, &and(advisory("khartoum"), "area", khartoum_with_a_hole())).await;
    let port_sudan_cell = {
        let reply = admin.post_report(&report_at(PORT_SUDAN.0, PORT_SUDAN.1), None).await.unwrap();
        let cell: opsroom_domain::location::Cell = reply.body["cell"].as_str().unwrap().parse().unwrap();
        cell.parent(5).unwrap().to_string()
    };
    let port_sudan = published(&admin, &and(advisory("port sudan"), "cells", json!([port_sudan_cell]))).await;

    let mut in_khartoum = advisories_seen_by(&server, &sample_report(1)).await;
    in_khartoum.sort();
    let mut expected = vec![everyone.clone(), khartoum.clone()];
    expected.sort();
    assert_eq!(in_khartoum, expected);
    let mut in_port_sudan = advisories_seen_by(&server, &report_at(PORT_SUDAN.0, PORT_SUDAN.1)).await;
    in_port_sudan.sort();
    let mut expected = vec![everyone.clone(), port_sudan.clone()];
    expected.sort();
    assert_eq!(in_port_sudan, expected);
    assert_eq!(
        advisories_seen_by(&server, &report_at(15.47, 32.62)).await,
        std::slice::from_ref(&everyone),
        "a hole is outside"
    );
    let unlocated = json!({"people": [{"name": "Huda"}]});
    assert_eq!(
        advisories_seen_by(&server, &unlocated).await,
        [everyone],
        "a case without a place gets only general ones"
    );

    // Withdrawn, it is gone from the tracking view too.
    assert_eq!(withdraw(&admin, &khartoum).await.status, 200);
    assert!(!advisories_seen_by(&server, &sample_report(2)).await.contains(&khartoum));
    server.stop().await.unwrap();
}

async fn the_report_form_shows_the_current_advisories_in_its_language(server: TestServer) {
    let admin = server.admin().await;
    let api = server.api();
    let form = api.get("/").await.unwrap();
    assert!(!form.body.as_str().unwrap().contains("تنبيه الإجلاء"));
    let id =
        published(&admin, &and(advisory("الإجلاء"), "headline", json!({"ar": "تنبيه الإجلاء", "en": "Evacuation notice"})))
            .await;
    let arabic = api.get("/").await.unwrap();
    let arabic = arabic.body.as_str().unwrap();
    assert!(arabic.contains("تنبيه الإجلاء"), "{arabic}");
    assert!(!arabic.contains("Evacuation notice"));
    let english = api.get("/?lang=en").await.unwrap();
    let english = english.body.as_str().unwrap();
    assert!(english.contains("Evacuation notice"));
    assert!(!english.contains("تنبيه الإجلاء"));

    assert_eq!(withdraw(&admin, &id).await.status, 200);
    assert!(!api.get("/?lang=en").await.unwrap().body.as_str().unwrap().contains("Evacuation notice"));
    server.stop().await.unwrap();
}

async fn advisory_changes_stream_to_operators(server: TestServer) {
    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let start = live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap();
    let id = published(&admin, &advisory("live")).await;
    assert_eq!(update(&admin, &id, &advisory("live 2")).await.status, 200);
    assert_eq!(withdraw(&admin, &id).await.status, 200);
    let events = live.events_until(start + 3).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["advisory_published", "advisory_updated", "advisory_withdrawn"]);
    for (event, version) in events.iter().zip(1..) {
        assert_eq!(event["data"]["advisory_id"], id.as_str());
        assert_eq!(event["data"]["version"], version);
        assert!(event["case_id"].is_null(), "advisories belong to no case");
    }
    assert_eq!(events[1]["data"]["headline"]["en"], "Advisory live 2");
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// CAP 1.2

async fn cap_messages_follow_the_versions_of_an_advisory(server: TestServer) {
    let admin = server.admin().await;
    let anonymous = server.api();
    let expires = from_now(3_600_000);
    let body = and(and(advisory("cap"), "area", khartoum_with_a_hole()), "expires_at", json!(expires));
    let id = published(&admin, &body).await;

    let v1 = cap(&anonymous, &id).await;
    assert!(v1.starts_with("<?xml"), "{v1}");
    assert!(v1.contains("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"));
    assert_eq!(tags(&v1, "identifier"), [format!("opsroom-{id}-v1")]);
    assert_eq!(tags(&v1, "msgType"), ["Alert"]);
    assert_eq!(tags(&v1, "language"), ["ar", "en"], "one info per language");
    assert_eq!(tags(&v1, "headline"), ["تنبيه cap", "Advisory cap"]);
    assert_eq!(tags(&v1, "severity"), ["Severe", "Severe"]);
    assert!(tags(&v1, "references").is_empty());
    let sent = tags(&v1, "sent");
    assert!(sent.len() == 1 && is_cap_time(sent[0]), "{sent:?}");
    let expiries = tags(&v1, "expires");
    assert!(expiries.len() == 2 && expiries.iter().all(|e| is_cap_time(e)), "{expiries:?}");
    assert_eq!(
        tags(&v1, "polygon"),
        ["15.4,32.4 15.4,32.7 15.7,32.7 15.7,32.4 15.4,32.4"; 2],
        "lat,lon pairs of the outer ring (CAP has no holes)"
    );

    assert_eq!(update(&admin, &id, &and(advisory("cap 2"), "area", khartoum_with_a_hole())).await.status, 200);
    let v2 = cap(&anonymous, &id).await;
    assert_eq!(tags(&v2, "msgType"), ["Update"]);
    assert_eq!(tags(&v2, "identifier"), [format!("opsroom-{id}-v2")]);
    let references = tags(&v2, "references");
    assert_eq!(references, [format!("opsroom@localhost,opsroom-{id}-v1,{}", sent[0])]);
    assert!(tags(&v2, "expires").is_empty(), "the update has no expiry");

    assert_eq!(withdraw(&admin, &id).await.status, 200);
    let v3 = cap(&anonymous, &id).await;
    assert_eq!(tags(&v3, "msgType"), ["Cancel"]);
    let references = tags(&v3, "references")[0];
    assert!(
        references.contains(&format!("opsroom-{id}-v1")) && references.contains(&format!("opsroom-{id}-v2")),
        "{references}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn every_cap_version_passes_the_cap_1_2_schema() {
    let Some(validator) = cap_validator() else { return };
    // The validator itself refuses what is not CAP, so a pass below means something.
    let not_cap = "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</identifier></alert>";
    assert!(validate(&validator, not_cap).await.is_err(), "the validator accepted an incomplete alert");

    let server = TestServer::start().await;
    let (hoda, _) = server.user("hoda", "supervisor").await;
    let anonymous = server.api();
    let mut messages = Vec::new();

    let whole_crisis = and(
        and(
            and(advisory("<crisis> & \"all\""), "kind", json!("instruction")),
            "expires_at",
            json!(from_now(86_400_000)),
        ),
        "instruction",
        json!({"ar": "توجهوا إلى نقطة التجمع", "en": "Go to the assembly point at 08:00"}),
    );
    let crisis = published(&hoda, &whole_crisis).await;
    messages.push(("whole crisis v1", cap(&anonymous, &crisis).await));

    let polygon = and(and(advisory("polygon"), "kind", json!("rumour_rebuttal")), "area", khartoum_with_a_hole());
    let polygon = published(&hoda, &polygon).await;
    messages.push(("polygon with a hole v1", cap(&anonymous, &polygon).await));

    let cells = json!(["8928308280fffff", "85283473fffffff"]);
    let cells = published(&hoda, &and(and(advisory("cells"), "severity", json!("minor")), "cells", cells)).await;
    messages.push(("cells v1", cap(&anonymous, &cells).await));

    let changed = and(advisory("polygon v2"), "area", khartoum_with_a_hole());
    assert_eq!(update(&hoda, &polygon, &changed).await.status, 200);
    messages.push(("polygon v2", cap(&anonymous, &polygon).await));
    assert_eq!(withdraw(&hoda, &polygon).await.status, 200);
    messages.push(("polygon withdrawn", cap(&anonymous, &polygon).await));

    let msg_types: Vec<&str> = messages.iter().flat_map(|(_, xml)| tags(xml, "msgType")).collect();
    assert_eq!(msg_types, ["Alert", "Alert", "Alert", "Update", "Cancel"]);
    for (what, xml) in &messages {
        if let Err(reasons) = validate(&validator, xml).await {
            panic!("{what} is not valid CAP 1.2:\n{reasons}\n{xml}");
        }
    }
    server.stop().await.unwrap();
}

opsroom_tests::on_both_backends!(
    supervisors_publish_and_everyone_reads_the_current_advisories_newest_first,
    only_supervisors_and_admins_publish_update_and_withdraw,
    invalid_advisories_are_refused_with_the_field_at_fault,
    updates_are_new_versions_and_a_withdrawal_is_final,
    expired_advisories_stop_being_current,
    area_advisories_reach_only_the_cases_inside_their_area,
    the_report_form_shows_the_current_advisories_in_its_language,
    advisory_changes_stream_to_operators,
    cap_messages_follow_the_versions_of_an_advisory,
);
