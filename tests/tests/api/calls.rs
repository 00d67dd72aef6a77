//! The hotline's call log over HTTP: a call logged on a case is an event of the case (on the
//! live stream and in its timeline), refusals name their field, an unknown case is a 404, any
//! staff may log, nobody else; a number's earlier calls are found as it is typed at home.

use opsroom_domain::clock::Timestamp;
use opsroom_tests::TestServer;
use serde_json::{Value, json};

/// `minutes` ago, RFC 3339.
fn ago(minutes: i64) -> String {
    Timestamp::from_millis(opsroom::server::now_ms() - minutes * 60_000).to_rfc3339()
}

/// A call of `phone` that started `minutes` ago and ended a minute later.
fn call(phone: &str, minutes: i64, outcome: &str) -> Value {
    json!({
        "phone": phone, "direction": "incoming", "outcome": outcome,
        "started_at": ago(minutes), "ended_at": ago(minutes - 1), "note": "her son is still at the school"
    })
}

#[tokio::test]
async fn a_logged_call_is_an_event_of_its_case() {
    let server = TestServer::start().await;
    let amal = server.user("amal", "operator").await.0;
    let case_id = server.api().report(1).await;
    let mut live = amal.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let start = live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap();

    let logged =
        amal.post(&format!("/api/v1/cases/{case_id}/calls"), call("+249 912 000 001", 6, "update_given")).await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    assert_eq!(logged.body["case_id"], case_id.as_str());
    let seq = logged.body["seq"].as_u64().unwrap();
    assert_eq!(seq, start + 1);

    let events = live.events_until(seq).await.unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!((event["kind"].as_str(), event["case_id"].as_str()), (Some("call_logged"), Some(case_id.as_str())));
    assert_eq!(event["data"]["phone"], "+249912000001");
    assert_eq!(event["data"]["outcome"], "update_given");
    assert_eq!(event["data"]["call_id"], logged.body["call_id"]);

    let detail = amal.get(&format!("/api/v1/cases/{case_id}")).await.unwrap();
    let last = detail.body["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["kind"].as_str(), last["seq"].as_u64()), (Some("call_logged"), Some(seq)));
    assert_eq!(detail.body["case"]["version"], 1, "a call is not an edit: nobody's pending change conflicts");
    assert_eq!(detail.body["case"]["updated_seq"], seq);
}

#[tokio::test]
async fn refusals_name_their_field_and_unknown_cases_are_404() {
    let server = TestServer::start().await;
    let amal = server.user("amal", "operator").await.0;
    let case_id = server.api().report(2).await;
    let path = format!("/api/v1/cases/{case_id}/calls");
    let refused = |body: Value| {
        let amal = &amal;
        let path = path.clone();
        async move {
            let reply = amal.post(&path, body).await;
            (reply.status, reply.error_code().to_owned(), reply.body["error"]["field"].as_str().map(str::to_owned))
        }
    };
    let with = |key: &str, value: Value| {
        let mut body = call("+249 912 000 002", 5, "report_taken");
        body[key] = value;
        body
    };
    let field = |name: &str| Some(name.to_owned());
    assert_eq!(refused(with("phone", json!("0100 123"))).await, (422, "phone_wrong_length".into(), field("phone")));
    assert_eq!(refused(with("ended_at", json!(ago(10)))).await, (422, "ends_before_start".into(), field("ended_at")));
    assert_eq!(
        refused(with("started_at", json!("yesterday"))).await,
        (422, "invalid_time".into(), field("started_at"))
    );
    assert_eq!(refused(with("note", json!("ن".repeat(2001)))).await, (422, "too_long".into(), field("note")));
    assert_eq!(refused(with("outcome", Value::Null)).await, (422, "missing".into(), field("outcome")));
    assert_eq!(refused(with("ended_at", json!(ago(-60)))).await, (422, "in_future".into(), field("ended_at")));
    let (status, _, unknown_value) = refused(with("direction", json!("sideways"))).await;
    assert_eq!((status, unknown_value), (422, field("direction")));
    assert_eq!(refused(with("caller_id", json!("x"))).await.0, 422, "unknown fields are refused");

    // A valid call on a case that does not exist, or under an id that is not one: 404, nothing logged.
    let head = amal.get("/api/v1/calls?phone=0912000002").await.unwrap();
    assert_eq!((head.status, head.body["calls"].as_array().map(Vec::len)), (200, Some(0)));
    let nowhere =
        amal.post("/api/v1/cases/0190f000-0000-7000-8000-0000000a07a2/calls", with("note", Value::Null)).await;
    assert_eq!((nowhere.status, nowhere.error_code()), (404, "not_found"));
    let malformed = amal.post("/api/v1/cases/not-a-case/calls", with("note", Value::Null)).await;
    assert_eq!(malformed.status, 404);
    let after = amal.get("/api/v1/calls?phone=0912000002").await.unwrap();
    assert_eq!(after.body["calls"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn any_staff_may_log_calls_and_read_them_nobody_else() {
    let server = TestServer::start().await;
    let case_id = server.api().report(3).await;
    let path = format!("/api/v1/cases/{case_id}/calls");
    for (name, role) in [("amal", "operator"), ("hoda", "supervisor"), ("zaid", "admin")] {
        let staff = server.user(name, role).await.0;
        let logged = staff.post(&path, call("+249 912 000 003", 10, "information_only")).await;
        assert_eq!(logged.status, 201, "{role}: {}", logged.body);
    }
    let anonymous = server.api();
    let refused = anonymous.post(&path, call("+249 912 000 003", 10, "dropped")).await;
    assert_eq!(refused.status, 401);
    assert_eq!(anonymous.get("/api/v1/calls?phone=0912000003").await.unwrap().status, 401);

    let listed = server.user("sami", "operator").await.0.get("/api/v1/calls?phone=0912000003").await.unwrap();
    let operators: Vec<&str> =
        listed.body["calls"].as_array().unwrap().iter().map(|c| c["operator"].as_str().unwrap()).collect();
    assert_eq!(operators, ["zaid", "hoda", "amal"], "newest first");
}

#[tokio::test]
async fn earlier_calls_of_a_number_page_newest_first() {
    let server = TestServer::start().await;
    let amal = server.user("amal", "operator").await.0;
    let first = server.api().report(4).await;
    let second = server.api().report(5).await;
    for (case_id, phone, minutes) in [
        (&first, "+249 912 000 004", 50),
        (&second, "+20 912 000 004", 40),
        (&first, "+249 912 000 004", 30),
        (&second, "+249 912 000 005", 20),
    ] {
        let logged = amal.post(&format!("/api/v1/cases/{case_id}/calls"), call(phone, minutes, "report_taken")).await;
        assert_eq!(logged.status, 201, "{}", logged.body);
    }

    let listed = amal.get("/api/v1/calls?phone=0912%20000%20004&limit=2").await.unwrap();
    assert_eq!(listed.status, 200, "{}", listed.body);
    let calls = listed.body["calls"].as_array().unwrap();
    assert_eq!(
        calls.iter().map(|c| c["phone"].as_str().unwrap()).collect::<Vec<_>>(),
        ["+249912000004", "+20912000004"],
        "a national number finds its digits in any country, newest first"
    );
    assert_eq!(calls[0]["case_id"], first.as_str());
    assert!(calls[0]["reference"].is_string());
    assert_eq!((calls[0]["duration_seconds"].as_i64(), calls[0]["direction"].as_str()), (Some(60), Some("incoming")));
    let cursor = listed.body["next_cursor"].as_str().unwrap();
    let rest = amal.get(&format!("/api/v1/calls?phone=0912000004&limit=2&cursor={cursor}")).await.unwrap();
    let rest = rest.body["calls"].as_array().unwrap();
    assert_eq!((rest.len(), rest[0]["phone"].as_str()), (1, Some("+249912000004")));

    let exact = amal.get("/api/v1/calls?phone=%2B249912000004").await.unwrap();
    assert_eq!(exact.body["calls"].as_array().unwrap().len(), 2, "E.164 finds that number only");

    for (query, field) in [
        ("", "phone"),
        ("?phone=12", "phone"),
        ("?phone=0912000004&limit=0", "limit"),
        ("?phone=0912000004&cursor=abc", "cursor"),
    ] {
        let bad = amal.get(&format!("/api/v1/calls{query}")).await.unwrap();
        assert_eq!(
            (bad.status, bad.error_code(), bad.body["error"]["field"].as_str()),
            (400, "invalid_query", Some(field)),
            "{query}"
        );
    }
}
