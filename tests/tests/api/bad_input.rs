//! Bad input gets a clear 4xx with the error shape, and nothing is written.

use opsroom_tests::{TestServer, sample_report};
use serde_json::{Value, json};

fn with(mut report: Value, pointer: &str, value: Value) -> Value {
    *report.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer} exists in the sample")) = value;
    report
}

#[tokio::test]
async fn every_bad_input_is_a_clear_4xx_and_writes_nothing() {
    let server = TestServer::start().await;
    let api = server.api();
    let base = sample_report(1);

    // (body, expected status, expected code, expected field)
    let cases: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (with(base.clone(), "/needs/0", json!("magic")), 422, "invalid_field", Some("needs[0]")),
        (with(base.clone(), "/flags/1", json!("cursed")), 422, "invalid_field", Some("flags[1]")),
        (with(base.clone(), "/location/lat", json!(91.0)), 422, "out_of_range", Some("location.lat")),
        (with(base.clone(), "/location/lon", json!(-180.5)), 422, "out_of_range", Some("location.lon")),
        (with(base.clone(), "/location/lat", json!("north")), 422, "invalid_field", Some("location.lat")),
        (with(base.clone(), "/people/0/name", json!("م".repeat(10_000))), 422, "too_long", Some("people[0].name")),
        (with(base.clone(), "/people/0/name", json!("Ali\u{0007}")), 422, "control_character", Some("people[0].name")),
        // Direction controls reorder what a page draws beside the text (finding 8 of issue 15).
        (
            with(base.clone(), "/people/0/name", json!("منى\u{202E} +249912345678")),
            422,
            "invalid_characters",
            Some("people[0].name"),
        ),
        (
            with(base.clone(), "/reporter/name", json!("Umm \u{2067}Ahmed")),
            422,
            "invalid_characters",
            Some("reporter.name"),
        ),
        (
            with(base.clone(), "/location/place", json!("\u{202D}Riyadh")),
            422,
            "invalid_characters",
            Some("location.place"),
        ),
        (with(base.clone(), "/message", json!("call \u{202B}us")), 422, "invalid_characters", Some("message")),
        // A name of invisible characters alone looks empty and is not.
        (
            with(base.clone(), "/people/0/name", json!("\u{200B}\u{200C}\u{FEFF}")),
            422,
            "no_visible_characters",
            Some("people[0].name"),
        ),
        (
            with(base.clone(), "/reporter/name", json!(" \u{2060} ")),
            422,
            "no_visible_characters",
            Some("reporter.name"),
        ),
        (with(base.clone(), "/people/0/age", json!(-1)), 422, "invalid_field", Some("people[0].age")),
        (with(base.clone(), "/people/0/age", json!(300)), 422, "out_of_range", Some("people[0].age")),
        (
            // No crisis is known to read a person in danger's local number in.
            with(base.clone(), "/people/0/phone", json!("0912345678")),
            422,
            "phone_needs_country_code",
            Some("people[0].phone"),
        ),
        (
            with(base.clone(), "/people/0/phone", json!("+999 1234 5678")),
            422,
            "phone_unknown_country_code",
            Some("people[0].phone"),
        ),
        (with(base.clone(), "/reporter/relation", json!("landlord")), 422, "invalid_field", Some("reporter.relation")),
        (with(base.clone(), "/message", json!("x".repeat(5000))), 422, "too_long", Some("message")),
        (with(base.clone(), "/language", json!("fr")), 422, "invalid_field", Some("language")),
        (json!({"people": [{"name": "Ali", "nickname": "A"}]}), 422, "invalid_field", Some("people[0].nickname")),
        (json!({"people": [{"age": 9}], "needs": ["food"]}), 422, "empty_report", Some("people")),
        (json!({}), 422, "empty_report", Some("people")),
        (json!({"people": [{}]}), 422, "empty_person", Some("people[0].name")),
        (json!([1, 2, 3]), 422, "invalid_body", None),
        (json!("a string"), 422, "invalid_body", None),
        (json!({"people": [{"name": "A"}], "location": {"lat": 15.5}}), 422, "missing", Some("location.lon")),
    ];
    for (body, status, code, field) in cases {
        let reply = api.post_report(&body, Some(&format!("key-{code}-{field:?}"))).await.unwrap();
        assert_eq!(reply.status, status, "{body:.200} -> {}", reply.body);
        assert_eq!(reply.error_code(), code, "{body:.200} -> {}", reply.body);
        assert!(reply.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(reply.body["error"]["field"].as_str(), field, "{body:.200} -> {}", reply.body);
    }

    // The refusal says which character, so the person can find it.
    let named = api.post_report(&with(base.clone(), "/people/0/name", json!("Mona\u{202E}")), None).await.unwrap();
    let message = named.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("U+202E") && message.contains("RIGHT-TO-LEFT OVERRIDE"), "{}", named.body);

    let malformed = api.post_report_raw("{\"people\": [", "application/json").await.unwrap();
    assert_eq!((malformed.status, malformed.error_code()), (400, "invalid_json"));
    let huge_number = api
        .post_report_raw(r#"{"people":[{"name":"A"}],"location":{"lat":1e400,"lon":0}}"#, "application/json")
        .await
        .unwrap();
    assert_eq!(huge_number.status, 400, "{}", huge_number.body);
    let not_json = api.post_report_raw("name=Ali", "application/x-www-form-urlencoded").await.unwrap();
    assert_eq!((not_json.status, not_json.error_code()), (415, "unsupported_media_type"));
    let no_type = api.send(api.http.post(api.url("/api/v1/reports")).body("{}")).await.unwrap();
    assert_eq!(no_type.status, 415);
    let oversized = json!({"people": [{"name": "A"}], "message": "x".repeat(200_000)}).to_string();
    let too_large = api.post_report_raw(oversized, "application/json").await.unwrap();
    assert_eq!((too_large.status, too_large.error_code()), (413, "payload_too_large"));
    let invalid_utf8 = api.post_report_raw(vec![b'{', 0xff, 0xfe, b'}'], "application/json").await.unwrap();
    assert_eq!(invalid_utf8.status, 400);

    let admin = server.admin().await;
    assert_eq!(admin.all_cases("").await.unwrap().len(), 0, "no refused report left anything behind");
    // The log holds only the admin's creation: no half-written case events.
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(Some(0)).await.unwrap();
    let first = live.next_json().await.unwrap().unwrap();
    assert_eq!((first["seq"].as_u64(), first["kind"].as_str()), (Some(1), Some("user_created")));
    assert!(live.next_json_within(std::time::Duration::from_millis(300)).await.is_err(), "nothing after it");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let server = TestServer::start().await;
    let api = server.api();
    let missing = api.get("/api/v1/nothing-here").await.unwrap();
    assert_eq!((missing.status, missing.error_code()), (404, "not_found"));
    let wrong_method = api.send(api.http.put(api.url("/api/v1/reports"))).await.unwrap();
    assert_eq!((wrong_method.status, wrong_method.error_code()), (405, "method_not_allowed"));
    let admin = server.admin().await;
    let not_utf8 = admin.get("/api/v1/cases/%FF%FE").await.unwrap();
    assert_eq!((not_utf8.status, not_utf8.error_code()), (404, "not_found"));
    let plain_get = admin.get("/api/v1/live").await.unwrap();
    assert_eq!((plain_get.status, plain_get.error_code()), (400, "websocket_required"));
    let ok = api.post_report(&sample_report(1), None).await.unwrap();
    assert_eq!(ok.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(ok.headers.get("cache-control").unwrap(), "no-store");
    server.stop().await.unwrap();
}
