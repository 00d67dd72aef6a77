//! The shift's records over HTTP: handover notes (any staff writes, all read, the figures
//! counted by the server) and the situation report (supervisors; JSON and CSV with a BOM).

use opsroom_domain::clock::{RoomTimeZone, Timestamp};
use opsroom_tests::TestServer;
use serde_json::json;

#[tokio::test]
async fn handover_notes_record_what_is_open_and_what_was_promised() {
    handovers(TestServer::start().await).await;
}

#[tokio::test]
async fn handover_notes_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    handovers(server).await;
}

async fn handovers(server: TestServer) {
    let (amal, amal_id) = server.user("amal", "operator").await;
    let (hoda, _) = server.user("hoda", "supervisor").await;
    let (mine, _other) = (server.api().report(1).await, server.api().report(2).await);
    let taken = amal.post(&format!("/api/v1/cases/{mine}/assignment"), json!({"user_id": amal_id, "version": 1})).await;
    assert_eq!(taken.status, 200, "{}", taken.body);

    // The page's figures come from the server, for the caller.
    let before = amal.get("/api/v1/handovers").await.unwrap();
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.body["handovers"], json!([]));
    assert_eq!(before.body["now"]["open_cases"], 2);
    assert_eq!(before.body["now"]["assigned_to_author"], 1);
    assert_eq!(hoda.get("/api/v1/handovers").await.unwrap().body["now"]["assigned_to_author"], 0);

    // Nothing promised, a direction control, figures sent by the page: refused with the field.
    let empty = amal.post("/api/v1/handovers", json!({"open_note": "quiet"})).await;
    assert_eq!(
        (empty.status, empty.error_code(), empty.body["error"]["field"].as_str()),
        (422, "missing", Some("promised"))
    );
    let bidi = amal.post("/api/v1/handovers", json!({"promised": "call \u{202E}back"})).await;
    assert_eq!((bidi.status, bidi.body["error"]["field"].as_str()), (422, Some("promised")));
    let forged = amal.post("/api/v1/handovers", json!({"promised": "x", "figures": {"open_cases": 0}})).await;
    assert_eq!(forged.status, 422, "{}", forged.body);
    let limit = amal.get("/api/v1/handovers?limit=0").await.unwrap();
    assert_eq!(
        (limit.status, limit.error_code(), limit.body["error"]["field"].as_str()),
        (400, "invalid_query", Some("limit"))
    );

    let written = amal.post("/api/v1/handovers",
        json!({"promised": "وعدت أسرة الحالة بالاتصال الساعة ٦ — call back at 18:00", "open_note": "road to Omdurman closed"}),
    )
    .await;
    assert_eq!(written.status, 201, "{}", written.body);
    assert_eq!(written.body["author"], "amal");
    assert_eq!(
        written.body["figures"],
        json!({"open_cases": 2, "overdue": 0, "unassigned_critical": written.body["figures"]["unassigned_critical"], "assigned_to_author": 1})
    );

    // Every staff member reads it back, newest first, with its author and time.
    let second = hoda.post("/api/v1/handovers", json!({"promised": "nothing"})).await;
    assert_eq!(second.status, 201);
    let read = hoda.get("/api/v1/handovers").await.unwrap();
    let notes = read.body["handovers"].as_array().unwrap();
    assert_eq!(notes.iter().map(|n| n["author"].as_str().unwrap()).collect::<Vec<_>>(), ["hoda", "amal"]);
    assert_eq!(notes[1]["promised"], written.body["promised"]);
    assert_eq!(notes[1]["open_note"], "road to Omdurman closed");
    assert!(notes[1]["written_at"].as_str().unwrap().ends_with('Z'));
    // Paged by log position.
    let page = amal.get("/api/v1/handovers?limit=1").await.unwrap();
    assert_eq!(page.body["handovers"][0]["author"], "hoda");
    let next = page.body["next_before"].as_u64().unwrap();
    let older = amal.get(&format!("/api/v1/handovers?limit=1&before={next}")).await.unwrap();
    assert_eq!(older.body["handovers"][0]["author"], "amal");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_situation_report_counts_a_window() {
    situation_report(TestServer::start().await).await;
}

#[tokio::test]
async fn the_situation_report_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    situation_report(server).await;
}

async fn situation_report(server: TestServer) {
    let (amal, amal_id) = server.user("amal", "operator").await;
    let (hoda, _) = server.user("hoda", "supervisor").await;
    let (first, _second) = (server.api().report(1).await, server.api().report(2).await);
    let steps = [
        ("assignment", json!({"user_id": amal_id, "version": 1})),
        ("contacts", json!({"channel": "phone", "outcome": "reached", "version": 2})),
        ("status", json!({"status": "triaged", "version": 3})),
        ("status", json!({"status": "resolved", "version": 4})),
    ];
    for (action, body) in steps {
        let done = amal.post(&format!("/api/v1/cases/{first}/{action}"), body).await;
        assert_eq!(done.status, 200, "{action}: {}", done.body);
    }
    let now = opsroom::server::now_ms();
    let from = Timestamp::from_millis(now - 2 * 3_600_000).to_rfc3339();
    let to = Timestamp::from_millis(now + 3_600_000).to_rfc3339();
    let query = format!("from={from}&to={to}");

    let forbidden = amal.get(&format!("/api/v1/sitrep?{query}")).await.unwrap();
    assert_eq!(forbidden.status, 403);
    let sitrep = hoda.get(&format!("/api/v1/sitrep?{query}")).await.unwrap();
    assert_eq!(sitrep.status, 200, "{}", sitrep.body);
    let body = &sitrep.body;
    assert_eq!(body["totals"], json!({"new_cases": 2, "contacted": 1, "resolved": 1, "evacuated": 0, "overdue": 0}));
    assert_eq!((body["time_zone"].as_str(), body["bucket"].as_str()), (Some("Africa/Cairo"), Some("hour")));
    assert!(body["from"].as_str().unwrap().ends_with("+02:00"), "local times in the room's zone: {}", body["from"]);
    let bars = body["over_time"].as_array().unwrap();
    assert!((3..=4).contains(&bars.len()), "a bar per local hour: {bars:?}");
    assert_eq!(bars.iter().map(|b| b["new_cases"].as_u64().unwrap()).sum::<u64>(), 2);
    assert_eq!(body["by_channel"].as_array().unwrap().iter().map(|c| c["new_cases"].as_u64().unwrap()).sum::<u64>(), 2);
    assert_eq!(body["by_area"].as_array().unwrap().iter().map(|a| a["new_cases"].as_u64().unwrap()).sum::<u64>(), 2);
    assert_eq!(body["first_contact"]["count"], 1);
    assert!(body["first_contact"]["p50_ms"].as_i64().unwrap() >= 0);
    assert_eq!(body["first_contact"]["bars"][0]["cases"], 1, "reached within 15 minutes");

    // A window that ended before anything happened counts nothing.
    let earlier = "from=2023-04-15T00:00:00%2B02:00&to=2023-04-16T00:00:00%2B02:00";
    let empty = hoda.get(&format!("/api/v1/sitrep?{earlier}")).await.unwrap();
    assert_eq!(empty.body["totals"]["new_cases"], 0);
    assert_eq!(empty.body["over_time"].as_array().unwrap().len(), 24);

    // The CSV: UTF-8 with a byte order mark, one figure per row.
    let csv = hoda.get(&format!("/api/v1/sitrep.csv?{query}")).await.unwrap();
    assert_eq!(csv.status, 200);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("\u{feff}section,item,figure,value\r\n"), "{text:?}");
    assert!(text.contains("\r\ntotals,,new_cases,2\r\n") && text.contains("\r\ntotals,,resolved,1\r\n"), "{text}");
    assert_eq!(amal.get(&format!("/api/v1/sitrep.csv?{query}")).await.unwrap().status, 403);

    // Bad windows name their field.
    let bad = hoda.get("/api/v1/sitrep?from=yesterday&to=2023-04-16T00:00:00Z").await.unwrap();
    assert_eq!(
        (bad.status, bad.error_code(), bad.body["error"]["field"].as_str()),
        (422, "invalid_time", Some("from"))
    );
    let backwards = hoda.get("/api/v1/sitrep?from=2023-04-16T00:00:00Z&to=2023-04-15T00:00:00Z").await.unwrap();
    assert_eq!((backwards.status, backwards.body["error"]["field"].as_str()), (422, Some("to")));
    let long = hoda.get("/api/v1/sitrep?from=2023-01-01T00:00:00Z&to=2023-06-01T00:00:00Z").await.unwrap();
    assert_eq!((long.status, long.error_code()), (422, "out_of_range"));
    assert_eq!(hoda.get("/api/v1/sitrep").await.unwrap().status, 400);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_room_s_time_zone_is_checked_at_start_and_counts_its_days() {
    // An unknown zone stops the server before it listens, naming the problem.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("zone.db").display());
    let refused = tokio::process::Command::new(crate::BINARY)
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &url, "--time-zone", "Mars/Olympus"])
        .output()
        .await
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Mars/Olympus"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // Riyadh (UTC+3, no daylight saving): the session tells the page, the report counts its days.
    let riyadh = RoomTimeZone::parse("Asia/Riyadh").unwrap();
    let server = TestServer::start_with(|config| config.time_zone = riyadh).await;
    let admin = server.admin().await;
    assert_eq!(admin.get("/api/v1/session").await.unwrap().body["time_zone"], "Asia/Riyadh");
    let days = admin.get("/api/v1/sitrep?from=2023-04-10T00:00:00Z&to=2023-04-15T00:00:00Z").await.unwrap();
    assert_eq!(days.body["bucket"], "day");
    let starts: Vec<&str> =
        days.body["over_time"].as_array().unwrap().iter().map(|b| b["start"].as_str().unwrap()).collect();
    // The window begins at 03:00 on the 10th in Riyadh: its first day began at midnight there.
    assert_eq!(starts.first(), Some(&"2023-04-10T00:00:00+03:00"));
    assert_eq!(starts.len(), 6, "10th to 15th, local days: {starts:?}");
    server.stop().await.unwrap();
}
