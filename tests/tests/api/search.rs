//! Search and the board's server-side lists over HTTP (issue 16): `q`, the sorts, the new
//! filters and `total` on `GET /api/v1/cases`, `GET /api/v1/cases/counts`, the CSV export
//! (supervisors and admins; BOM; no formulas), and a 400 naming the field for every bad
//! parameter.

use opsroom_tests::TestServer;
use serde_json::{Value, json};

fn ids(reply: &Value) -> Vec<&str> {
    reply["cases"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn cases_are_searched_sorted_and_counted() {
    let server = TestServer::start().await;
    let api = server.api();
    let report =
        |people: Value| json!({"people": people, "needs": ["medical"], "location": {"lat": 15.55, "lon": 32.53}});
    let arabic = api
        .post_report(
            &report(json!([{"name": "أحمد عثمان", "phone": "+249 912 345 678", "passport": "P0123 4567"}])),
            None,
        )
        .await
        .unwrap();
    let latin = api.post_report(&report(json!([{"name": "Ahmed Hassan", "age": 70}])), None).await.unwrap();
    let other = api.post_report(&json!({"people": [{"name": "Zeinab Musa"}], "needs": ["food"]}), None).await.unwrap();
    let (arabic, latin, other) = (
        arabic.body["case_id"].as_str().unwrap().to_owned(),
        latin.body["case_id"].as_str().unwrap().to_owned(),
        other.body["case_id"].as_str().unwrap().to_owned(),
    );
    let admin = server.admin().await;
    let reference = admin.case(&arabic).await.unwrap().body["case"]["reference"].as_str().unwrap().to_owned();

    let found = admin.get(&format!("/api/v1/cases?q={}", reference.to_lowercase().replace('-', ""))).await.unwrap();
    assert_eq!((found.status, ids(&found.body)), (200, vec![arabic.as_str()]), "{}", found.body);
    assert_eq!(found.body["cases"][0]["matched"], "reference");
    assert_eq!(found.body["total"], 1);
    let by_phone = admin.get("/api/v1/cases?q=0912345678").await.unwrap();
    assert_eq!(ids(&by_phone.body), [arabic.as_str()]);
    assert_eq!(by_phone.body["cases"][0]["matched"], "phone");
    assert_eq!(ids(&admin.get("/api/v1/cases?q=p01234567").await.unwrap().body), [arabic.as_str()]);
    // A Latin name finds the Arabic spelling (the same common name), newest first.
    let by_name = admin.get("/api/v1/cases?q=Ahmed").await.unwrap();
    assert_eq!(ids(&by_name.body), [latin.as_str(), arabic.as_str()]);
    let similar = admin.get("/api/v1/cases?q=Ahmad%20Hasan").await.unwrap();
    assert_eq!(ids(&similar.body), [latin.as_str()], "spellings of the same names");
    assert_eq!(by_name.body["total"], 2);
    let card = &by_name.body["cases"][0];
    assert_eq!(card["lead_name"], "Ahmed Hassan");
    assert_eq!(card["people_preview"][0], json!({"name": "Ahmed Hassan", "age": 70, "role": "subject"}));
    assert!(card["minutes_waiting"].is_i64() && card["urgency"].is_i64() && card["sla_due_at"].is_i64());
    assert!(card["minutes_overdue"].is_null(), "just reported");

    // Without q: newest first by default, `total` counts every page.
    let page = admin.get("/api/v1/cases?limit=1").await.unwrap();
    assert_eq!((ids(&page.body), page.body["total"].as_i64()), (vec![other.as_str()], Some(3)));
    assert!(page.body["next_cursor"].is_string());
    let urgent = admin.get("/api/v1/cases?sort=urgency&status=new&need=medical").await.unwrap();
    assert_eq!(urgent.body["total"], 2);
    let keys: Vec<i64> =
        urgent.body["cases"].as_array().unwrap().iter().map(|c| c["urgency"].as_i64().unwrap()).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "worst first: {keys:?}");

    // Counts for the same filters.
    let counts = admin.get("/api/v1/cases/counts?need=medical").await.unwrap();
    assert_eq!(counts.status, 200, "{}", counts.body);
    assert_eq!(counts.body["by_status"]["new"], 2);
    assert_eq!(counts.body["by_status"]["closed"], 0, "every status is present");
    assert_eq!(counts.body["overdue"], 0);
    let (omar, me) = server.user("omar", "operator").await;
    let assign = omar
        .post_json(&format!("/api/v1/cases/{latin}/assignment"), &json!({"user_id": me, "version": 1}))
        .await
        .unwrap();
    assert_eq!(assign.status, 200, "{}", assign.body);
    assert_eq!(ids(&omar.get("/api/v1/cases?assignee=me").await.unwrap().body), [latin.as_str()]);
    let mine = omar.get("/api/v1/cases?assignee=me").await.unwrap();
    assert_eq!(mine.body["cases"][0]["assignee_name"], "omar");
    assert_eq!(admin.get("/api/v1/cases?assignee=none").await.unwrap().body["total"], 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_the_field() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let long = "x".repeat(201);
    for (query, field) in [
        ("q=%20%20", "q"),
        (&format!("q={long}")[..], "q"),
        ("sort=worst", "sort"),
        ("assignee=someone", "assignee"),
        ("sla=purple", "sla"),
        ("partner=acme", "partner"),
        ("cursor=yesterday", "cursor"),
        ("status=lost", "status"),
        ("need=luck", "need"),
        ("limit=0", "limit"),
        ("colour=red", "colour"),
    ] {
        for path in ["/api/v1/cases", "/api/v1/cases/counts", "/api/v1/cases/export.csv"] {
            let reply = admin.get(&format!("{path}?{query}")).await.unwrap();
            assert_eq!(reply.status, 400, "{path}?{query}: {}", reply.body);
            assert_eq!(reply.body["error"]["code"], "invalid_query", "{path}?{query}");
            assert_eq!(reply.body["error"]["field"], field, "{path}?{query}: {}", reply.body);
        }
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_export_is_for_supervisors_with_a_bom_and_no_formulas() {
    let server = TestServer::start().await;
    let api = server.api();
    api.post_report(
        &json!({"people": [{"name": "=HYPERLINK(\"http://x\")"}], "location": {"place": "@SUM(A1)"}}),
        None,
    )
    .await
    .unwrap();
    api.post_report(&json!({"people": [{"name": "مريم آدم"}]}), None).await.unwrap();
    let (operator, _) = server.user("nadia", "operator").await;
    let refused = operator.get("/api/v1/cases/export.csv").await.unwrap();
    assert_eq!(refused.status, 403);
    let (supervisor, _) = server.user("hoda", "supervisor").await;
    // Raw bytes: a client's text decoding would drop the BOM this checks.
    let cookie = supervisor.cookie.clone().unwrap();
    let request = supervisor.http.get(supervisor.url("/api/v1/cases/export.csv?sort=newest")).header("cookie", cookie);
    let reply = request.send().await.unwrap();
    assert_eq!(reply.status(), 200);
    let headers = reply.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert!(!headers.contains_key("x-opsroom-truncated"));
    let body = reply.bytes().await.unwrap();
    assert!(body.starts_with("\u{FEFF}reference,".as_bytes()), "a UTF-8 BOM, then the header row");
    let text = std::str::from_utf8(&body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains("مريم آدم"), "newest first, Arabic intact");
    assert!(lines[2].contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "a formula is defused: {}", lines[2]);
    assert!(lines[2].contains(",'@SUM(A1),"), "{}", lines[2]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn cases_referred_to_a_partner_until_withdrawn() {
    let server = TestServer::start().await;
    let api = server.api();
    let admin = server.admin().await;
    let crescent = admin.register_partner(json!({"name": "Red Crescent", "kind": "red_crescent"})).await;
    let ngo = admin.register_partner(json!({"name": "Shelter NGO", "kind": "ngo"})).await;
    let (first, second, _third) = (api.report(0).await, api.report(1).await, api.report(2).await);
    admin.refer(&first, &crescent, "medical_evacuation").await;
    let taken_back = admin.refer(&second, &crescent, "medical_evacuation").await;
    admin.refer(&second, &ngo, "shelter").await;
    let list = async |partner: &str| {
        let reply = admin.get(&format!("/api/v1/cases?partner={partner}")).await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        let mut ids: Vec<String> = ids(&reply.body).into_iter().map(str::to_owned).collect();
        ids.sort();
        ids
    };
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    assert_eq!(list(&crescent).await, both);
    let withdrawn = admin.post_json(&format!("/api/v1/referrals/{taken_back}/withdrawal"), &json!({})).await.unwrap();
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(list(&crescent).await, [first], "a withdrawn referral no longer counts");
    assert_eq!(list(&ngo).await, [second]);
    let counts = admin.get(&format!("/api/v1/cases/counts?partner={crescent}")).await.unwrap();
    assert_eq!(counts.body["by_status"]["new"], 1);
    server.stop().await.unwrap();
}
