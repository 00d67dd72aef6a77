//! The operators' workflow over HTTP: every change an event on the live stream, stale edits a 409.

use std::time::Duration;

use opsroom_tests::{Config, TestServer, sample_report};
use serde_json::json;

async fn a_case_moves_through_the_workflow_and_every_step_streams(server: TestServer) {
    let (amira, amira_id) = server.user("amira", "operator").await;
    let (sami, _) = server.user("sami", "operator").await;
    let (hoda, _) = server.user("hoda", "supervisor").await;

    let case_id =
        server.api().post_report(&sample_report(1), None).await.unwrap().body["case_id"].as_str().unwrap().to_owned();
    let mut live = amira.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let start = live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap();

    // Amira takes the case and triages it.
    let taken =
        amira.post(&format!("/api/v1/cases/{case_id}/assignment"), json!({"user_id": amira_id, "version": 1})).await;
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert_eq!(taken.body["case"]["assigned_to"], amira_id.as_str());
    assert_eq!(taken.body["case"]["version"], 2);
    let triaged =
        amira.post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "triaged", "version": 2})).await;
    assert_eq!((triaged.status, triaged.body["case"]["status"].as_str()), (200, Some("triaged")));

    // Sami, working from the old version, is told about the conflict and shown the case as it is.
    let stale = sami.post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "closed", "version": 2})).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.error_code(), "version_conflict");
    assert_eq!(
        (stale.body["case"]["status"].as_str(), stale.body["case"]["version"].as_u64()),
        (Some("triaged"), Some(3))
    );
    // Nor may Sami take Amira's case; a supervisor may reassign it.
    let grab = sami.post(&format!("/api/v1/cases/{case_id}/assignment"), json!({"user_id": null, "version": 3})).await;
    assert_eq!((grab.status, grab.error_code()), (422, "supervisor_required"));

    // Contact attempts: the first that reaches someone stamps time to first contact.
    let missed = amira
        .post(
            &format!("/api/v1/cases/{case_id}/contacts"),
            json!({"channel": "phone", "outcome": "no_answer", "version": 3}),
        )
        .await;
    assert_eq!(missed.status, 200, "{}", missed.body);
    assert!(missed.body["case"]["first_contact_at"].is_null());
    assert_eq!(missed.body["case"]["sla"]["state"], "green");
    let reached = amira
        .post(
            &format!("/api/v1/cases/{case_id}/contacts"),
            json!({"channel": "whatsapp", "outcome": "reached", "note": "mother answered", "version": 4}),
        )
        .await;
    assert!(reached.body["case"]["first_contact_at"].is_string());
    assert_eq!(reached.body["case"]["sla"]["state"], "met");
    let noted = amira
        .post(&format!("/api/v1/cases/{case_id}/notes"), json!({"text": "Needs insulin within 2 days", "version": 5}))
        .await;
    assert_eq!(noted.status, 200);

    // Priority: operators may not override, supervisors may, with a reason.
    let refused = amira
        .post(&format!("/api/v1/cases/{case_id}/priority"), json!({"level": "normal", "reason": "x", "version": 6}))
        .await;
    assert_eq!((refused.status, refused.error_code()), (422, "supervisor_required"));
    let overridden = hoda
        .post(
            &format!("/api/v1/cases/{case_id}/priority"),
            json!({"level": "high", "reason": "child now with neighbours", "version": 6}),
        )
        .await;
    assert_eq!(overridden.status, 200, "{}", overridden.body);
    assert_eq!(overridden.body["case"]["priority"]["level"], "high");
    assert_eq!(overridden.body["case"]["priority_override_reason"], "child now with neighbours");

    // Close, then reopen (which needs a reason).
    let closed =
        amira.post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "resolved", "version": 7})).await;
    assert_eq!(closed.status, 200);
    let no_reason =
        amira.post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "in_progress", "version": 8})).await;
    assert_eq!((no_reason.status, no_reason.body["error"]["field"].as_str()), (422, Some("reason")));
    let reopened = amira
        .post(
            &format!("/api/v1/cases/{case_id}/status"),
            json!({"status": "in_progress", "reason": "they called again", "version": 8}),
        )
        .await;
    assert_eq!(reopened.status, 200);

    // Every change reached the live stream, in order.
    let events = live.events_until(start + 8).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "case_assigned",
            "status_changed",
            "contact_recorded",
            "contact_recorded",
            "note_added",
            "priority_overridden",
            "status_changed",
            "status_changed"
        ]
    );
    assert!(events.iter().all(|e| e["case_id"] == case_id.as_str()));
    assert!(events[3]["data"]["first_contact_after_ms"].is_u64(), "the first reached contact is timed");

    // The case drawer shows the notes, the contact log and the timeline.
    let detail = amira.case(&case_id).await.unwrap().body;
    assert_eq!(detail["notes"][0]["text"], "Needs insulin within 2 days");
    assert_eq!(detail["notes"][0]["author"], "amira");
    assert_eq!(detail["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(detail["contacts"][1]["outcome"], "reached");
    assert_eq!(detail["events"].as_array().unwrap().len(), 9);
    server.stop().await.unwrap();
}

async fn bad_workflow_requests_are_clear_4xx(server: TestServer) {
    let admin = server.admin().await;
    let case_id =
        server.api().post_report(&sample_report(1), None).await.unwrap().body["case_id"].as_str().unwrap().to_owned();
    let anonymous = server.api();
    let unauthenticated =
        anonymous.post(&format!("/api/v1/cases/{case_id}/notes"), json!({"text": "x", "version": 1})).await;
    assert_eq!(unauthenticated.status, 401);
    let missing = admin
        .post("/api/v1/cases/00000000-0000-0000-0000-000000000000/notes", json!({"text": "x", "version": 1}))
        .await;
    assert_eq!(missing.status, 404);
    let not_a_uuid = admin.post("/api/v1/cases/nope/notes", json!({"text": "x", "version": 1})).await;
    assert_eq!(not_a_uuid.status, 404);
    let bad_status =
        admin.post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "vanished", "version": 1})).await;
    assert_eq!((bad_status.status, bad_status.body["error"]["field"].as_str()), (422, Some("status")));
    let skip =
        admin.post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "evacuated", "version": 1})).await;
    assert_eq!((skip.status, skip.error_code()), (422, "transition_not_allowed"));
    let unknown_user = admin
        .post(
            &format!("/api/v1/cases/{case_id}/assignment"),
            json!({"user_id": "00000000-0000-0000-0000-000000000009", "version": 1}),
        )
        .await;
    assert_eq!((unknown_user.status, unknown_user.error_code()), (422, "unknown_user"));
    let unknown_original = admin
        .post(
            &format!("/api/v1/cases/{case_id}/status"),
            json!({"status": "duplicate", "duplicate_of": "00000000-0000-0000-0000-000000000009", "version": 1}),
        )
        .await;
    assert_eq!((unknown_original.status, unknown_original.error_code()), (422, "unknown_case"));
    let no_version = admin.post(&format!("/api/v1/cases/{case_id}/notes"), json!({"text": "x"})).await;
    assert_eq!(no_version.status, 422);
    let long_note =
        admin.post(&format!("/api/v1/cases/{case_id}/notes"), json!({"text": "x".repeat(5000), "version": 1})).await;
    assert_eq!((long_note.status, long_note.body["error"]["field"].as_str()), (422, Some("text")));
    // None of that changed the case.
    assert_eq!(admin.case(&case_id).await.unwrap().body["case"]["version"], 1);
    server.stop().await.unwrap();
}

async fn operators_take_reports_on_behalf_of_callers(server: TestServer) {
    let admin = server.admin().await;
    let me = admin.get("/api/v1/session").await.unwrap().body["user_id"].as_str().unwrap().to_owned();
    let reply = admin.post("/api/v1/cases", json!({"channel": "hotline", "report": sample_report(3)})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let case_id = reply.body["case_id"].as_str().unwrap();
    let detail = admin.case(case_id).await.unwrap().body;
    assert_eq!(detail["case"]["channel"], "hotline");
    assert_eq!(detail["events"][0]["data"]["taken_by"], me.as_str());
    let web = admin.post("/api/v1/cases", json!({"channel": "web", "report": sample_report(4)})).await;
    assert_eq!((web.status, web.body["error"]["field"].as_str()), (422, Some("channel")));
    let bad = admin
        .post("/api/v1/cases", json!({"channel": "whatsapp", "report": {"people": [{"name": "A", "phone": "0912"}]}}))
        .await;
    assert_eq!((bad.status, bad.body["error"]["field"].as_str()), (422, Some("report.people[0].phone")));
    // Every mistake of a report taken on the phone at once, each under `report.`.
    let two = admin
        .post(
            "/api/v1/cases",
            json!({"channel": "hotline", "report": {"people": [{"name": "A", "phone": "0912", "age": 170}]}}),
        )
        .await;
    let fields: Vec<&str> =
        two.body["error"]["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!((two.status, fields), (422, vec!["report.people[0].age", "report.people[0].phone"]));
    let anonymous = server.api().post("/api/v1/cases", json!({"channel": "hotline", "report": sample_report(5)})).await;
    assert_eq!(anonymous.status, 401);
    let users = admin.get("/api/v1/users").await.unwrap().body;
    assert_eq!(users[0]["name"], "admin");
    assert!(users[0].get("password_hash").is_none());
    server.stop().await.unwrap();
}

/// Normal cases due at once, and the SLA ticker ticking fast.
fn sla_due_at_once(config: &mut Config) {
    config.sla.normal_minutes = 0;
    config.sla_tick = Duration::from_millis(50);
}

async fn overdue_cases_are_escalated_once_on_the_live_stream(server: TestServer) {
    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let start = live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap();
    let normal =
        server.api().post_report(&json!({"people": [{"name": "Omar"}], "needs": ["food"]}), None).await.unwrap();
    assert_eq!(normal.body["priority"]["level"], "normal");
    let events = live.events_until(start + 2).await.unwrap();
    assert_eq!(events[1]["kind"], "sla_breached");
    assert_eq!(events[1]["case_id"], normal.body["case_id"]);
    // Waiting raised the priority: normal (food, 15 points) + 20 for waiting = high.
    assert_eq!(
        (events[1]["data"]["priority"].as_str(), events[1]["data"]["raised_to"].as_str()),
        (Some("normal"), Some("high"))
    );
    // Only once, however many ticks pass.
    assert!(live.next_json_within(Duration::from_millis(400)).await.is_err());
    let case = admin.case(normal.body["case_id"].as_str().unwrap()).await.unwrap().body;
    assert_eq!(
        (case["case"]["sla"]["state"].as_str(), case["case"]["sla"]["escalated"].as_bool()),
        (Some("red"), Some(true))
    );
    server.stop().await.unwrap();
}

async fn a_duplicate_names_its_original_by_the_reference_people_see(server: TestServer) {
    let admin = server.admin().await;
    let public = server.api();
    let original = public.post_report(&sample_report(1), None).await.unwrap().body;
    let again = public.post_report(&sample_report(2), None).await.unwrap().body;
    let (original_id, again_id) = (original["case_id"].as_str().unwrap(), again["case_id"].as_str().unwrap());
    let reference = original["reference"].as_str().unwrap();
    let path = format!("/api/v1/cases/{again_id}/status");

    // Not a reference at all, and a reference no case has: refused, naming the field.
    let garbage = admin.post(&path, json!({"status": "duplicate", "duplicate_of": "case 12", "version": 1})).await;
    assert_eq!(
        (garbage.status, garbage.error_code(), garbage.body["error"]["field"].as_str()),
        (422, "invalid_reference", Some("duplicate_of"))
    );
    let unknown = if reference == "ZZZZ-ZZZZ" { "YYYY-YYYY" } else { "ZZZZ-ZZZZ" };
    let nobody = admin.post(&path, json!({"status": "duplicate", "duplicate_of": unknown, "version": 1})).await;
    assert_eq!(
        (nobody.status, nobody.error_code(), nobody.body["error"]["field"].as_str()),
        (422, "unknown_case", Some("duplicate_of"))
    );

    // Typed as read out on the phone: lower case, no dash.
    let typed = reference.replace('-', " ").to_lowercase();
    let marked = admin.post(&path, json!({"status": "duplicate", "duplicate_of": typed, "version": 1})).await;
    assert_eq!((marked.status, marked.body["case"]["status"].as_str()), (200, Some("duplicate")), "{}", marked.body);
    let detail = admin.case(again_id).await.unwrap().body;
    let changed = detail["events"].as_array().unwrap().iter().find(|e| e["kind"] == "status_changed").unwrap().clone();
    assert_eq!(changed["data"]["duplicate_of"], original_id, "the log keeps the id");
    assert_eq!(changed["data"]["duplicate_of_reference"], reference, "and the reference, for people reading it");
    server.stop().await.unwrap();
}

opsroom_tests::on_both_backends!(
    a_case_moves_through_the_workflow_and_every_step_streams,
    bad_workflow_requests_are_clear_4xx,
    operators_take_reports_on_behalf_of_callers,
    a_duplicate_names_its_original_by_the_reference_people_see,
    overdue_cases_are_escalated_once_on_the_live_stream with sla_due_at_once,
);
