//! The map's H3 counts and the KPIs: correct, current with the log, and for operators only.

use opsroom_tests::{Api, TestServer, eventually, sample_report};
use serde_json::{Value, json};

fn total(map: &Value) -> u64 {
    map["features"].as_array().unwrap().iter().map(|f| f["properties"]["counts"]["total"].as_u64().unwrap()).sum()
}

/// The map as of at least position `seq` (the hub applies events just after they commit).
async fn map_at(admin: &Api, query: &str, seq: u64) -> Value {
    eventually(&format!("the map to reach position {seq}"), async || {
        let map = admin.get(&format!("/api/v1/map?{query}")).await.unwrap().body;
        (map["seq"].as_u64().unwrap() >= seq).then_some(map)
    })
    .await
}

#[tokio::test]
async fn cases_are_counted_per_cell_and_kept_current() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let api = server.api();
    for n in 0..3 {
        api.post_report(&sample_report(n), None).await.unwrap(); // Khartoum, critical
    }
    let port_sudan =
        json!({"people": [{"name": "Sara"}], "needs": ["food"], "location": {"lat": 19.6158, "lon": 37.2164}});
    api.post_report(&port_sudan, None).await.unwrap();
    api.post_report(&json!({"message": "somewhere in Omdurman"}), None).await.unwrap();

    let map = map_at(&admin, "resolution=5", 6).await;
    assert_eq!(map["type"], "FeatureCollection");
    assert_eq!(total(&map), 4, "located cases");
    assert_eq!(map["unlocated"]["total"], 1);
    let features = map["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    let khartoum = features.iter().find(|f| f["properties"]["counts"]["total"] == 3).expect("the Khartoum cell");
    assert_eq!(khartoum["properties"]["worst_priority"], "critical");
    assert_eq!(khartoum["properties"]["resolution"], 5);
    let ring = khartoum["geometry"]["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.first(), ring.last(), "closed ring");
    assert!(ring.len() >= 7);
    let (lon, lat) = (ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap());
    assert!((31.0..34.0).contains(&lon) && (14.0..17.0).contains(&lat), "GeoJSON order is lon,lat");

    // Only Port Sudan's box.
    let east = map_at(&admin, "resolution=7&bbox=36,19,38,20", 6).await;
    assert_eq!(total(&east), 1);

    // A status change moves the open count without a reload; the event carries the cell.
    let case = admin.all_cases("&need=food").await.unwrap()[0].clone();
    let case_id = case["case_id"].as_str().unwrap();
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let start = live.next_json().await.unwrap().unwrap()["seq"].as_u64().unwrap();
    let closed =
        admin.post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "closed", "version": 1})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    let event = live.events_until(start + 1).await.unwrap().pop().unwrap();
    assert_eq!(event["data"]["cell"], case["cell"]);
    assert_eq!(event["data"]["priority"], "normal");
    let east = map_at(&admin, "resolution=7&bbox=36,19,38,20", start + 1).await;
    assert_eq!(east["features"][0]["properties"]["counts"]["open"], 0);
    assert_eq!(east["features"][0]["properties"]["counts"]["by_status"]["closed"], 1);

    for bad in ["resolution=10", "bbox=1,2,3", "bbox=10,0,5,1", "bbox=a,b,c,d", "zoom=3"] {
        assert_eq!(admin.get(&format!("/api/v1/map?{bad}")).await.unwrap().status, 400, "{bad}");
    }
    assert_eq!(server.api().get("/api/v1/map").await.unwrap().status, 401);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_map_survives_a_restart() {
    let server = TestServer::start().await;
    for n in 0..4 {
        server.api().post_report(&sample_report(n), None).await.unwrap();
    }
    let url = server.database_url.clone();
    let database = server.stop_keep_database().await.unwrap();
    let server = TestServer::start_on(&url, |_| {}).await;
    let admin = server.admin().await;
    let map = map_at(&admin, "resolution=3", 5).await;
    assert_eq!(total(&map), 4, "rebuilt from the database at start");
    server.stop().await.unwrap();
    database.unwrap().remove().await;
}

#[tokio::test]
async fn kpis_report_what_supervisors_watch() {
    let server = TestServer::start_with(|c| c.sla.critical_minutes = 0).await;
    let admin = server.admin().await;
    let me = admin.get("/api/v1/session").await.unwrap().body["user_id"].as_str().unwrap().to_owned();
    server.api().post_report(&sample_report(1), None).await.unwrap();
    let hotline =
        admin.post("/api/v1/cases", json!({"channel": "hotline", "report": {"people": [{"name": "Ali"}]}})).await;
    let hotline = hotline.body["case_id"].as_str().unwrap().to_owned();

    admin.post(&format!("/api/v1/cases/{hotline}/assignment"), json!({"user_id": me, "version": 1})).await;
    admin
        .post(
            &format!("/api/v1/cases/{hotline}/contacts"),
            json!({"channel": "phone", "outcome": "reached", "version": 2}),
        )
        .await;
    admin.post(&format!("/api/v1/cases/{hotline}/status"), json!({"status": "triaged", "version": 3})).await;
    let resolved =
        admin.post(&format!("/api/v1/cases/{hotline}/status"), json!({"status": "resolved", "version": 4})).await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);

    let kpis = admin.get("/api/v1/kpis").await.unwrap().body;
    assert_eq!(kpis["cases"]["total"], 2);
    assert_eq!(kpis["cases"]["by_priority"]["critical"], 1);
    assert_eq!(kpis["sla_red"], 1, "the critical case is past a 0-minute clock: {kpis}");
    assert_eq!(kpis["contacted"], 1);
    assert!(kpis["first_contact_p50_ms"].as_i64().unwrap() >= 0);
    let channels = kpis["channels"].as_array().unwrap();
    let hotline_rate = channels.iter().find(|c| c["channel"] == "hotline").unwrap();
    assert_eq!((hotline_rate["total"].as_u64(), hotline_rate["resolution_rate"].as_f64()), (Some(1), Some(1.0)));
    let web_rate = channels.iter().find(|c| c["channel"] == "web").unwrap();
    assert_eq!(web_rate["resolution_rate"], 0.0);
    assert_eq!(kpis["operators"], json!([]), "the resolved case is not open work");
    assert_eq!(server.api().get("/api/v1/kpis").await.unwrap().status, 401);
    server.stop().await.unwrap();
}

/// Reports of several kinds in three places (and one unlocated), some of them triaged, some
/// assigned to the admin, so each of the board's filters picks a different part of them.
async fn varied_cases(server: &TestServer, admin: &Api) {
    let api = server.api();
    let me = admin.get("/api/v1/session").await.unwrap().body["user_id"].as_str().unwrap().to_owned();
    let places = [(15.5518, 32.5324), (15.6445, 32.4777), (19.6158, 37.2164)];
    let kinds: [(&[&str], &[&str]); 4] =
        [(&["medical"], &["injured"]), (&["food", "water"], &[]), (&["shelter"], &["elderly"]), (&["evacuation"], &[])];
    for n in 0..24 {
        let (lat, lon) = places[n % places.len()];
        let (needs, flags) = kinds[n % kinds.len()];
        let mut report = json!({
            "people": [{"name": format!("Case {n}"), "age": 20 + n}],
            "needs": needs, "flags": flags,
            "location": {"lat": lat + (n as f64) * 0.002, "lon": lon},
        });
        if n % 11 == 0 {
            report.as_object_mut().unwrap().remove("location");
        }
        let case_id = api.post_report(&report, None).await.unwrap().body["case_id"].as_str().unwrap().to_owned();
        if n % 3 == 0 {
            let triaged = admin
                .post(&format!("/api/v1/cases/{case_id}/status"), json!({"status": "triaged", "version": 1}))
                .await;
            assert_eq!(triaged.status, 200, "{}", triaged.body);
        } else if n % 3 == 1 {
            let taken =
                admin.post(&format!("/api/v1/cases/{case_id}/assignment"), json!({"user_id": me, "version": 1})).await;
            assert_eq!(taken.status, 200, "{}", taken.body);
        }
    }
}

/// How many cases `GET /api/v1/cases` says match `query` (its `total`).
async fn listed(admin: &Api, query: &str) -> u64 {
    let page = admin.get(&format!("/api/v1/cases?limit=1&{query}")).await.unwrap();
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    assert_ne!(page.body["total_capped"], true);
    page.body["total"].as_u64().unwrap()
}

/// The map of a filtered board counts exactly the cases the board's list has for those filters,
/// in total and cell by cell; a bad filter value is a 400 naming the parameter.
async fn the_map_follows_the_boards_filters(server: &TestServer) {
    let admin = server.admin().await;
    varied_cases(server, &admin).await;
    for filters in [
        "need=medical",
        "need=water",
        "flag=injured",
        "flag=elderly",
        "priority=critical",
        "status=new",
        "status=triaged",
        "channel=web",
        "need=shelter&status=triaged",
        "need=documents",
        "assignee=none",
        "assignee=me",
        "sla=green",
        "sla=met",
        "q=case",
        "q=case&need=medical",
    ] {
        let map = admin.get(&format!("/api/v1/map?resolution=5&{filters}")).await.unwrap();
        assert_eq!(map.status, 200, "{filters}: {}", map.body);
        let everywhere = total(&map.body) + map.body["unlocated"]["total"].as_u64().unwrap();
        assert_eq!(everywhere, listed(&admin, filters).await, "{filters}: the map's total");
        for feature in map.body["features"].as_array().unwrap() {
            let cell = feature["properties"]["cell"].as_str().unwrap();
            let in_cell = listed(&admin, &format!("{filters}&cell={cell}")).await;
            assert_eq!(feature["properties"]["counts"]["total"].as_u64().unwrap(), in_cell, "{filters} in {cell}");
            assert!(in_cell > 0, "{filters}: an empty cell {cell} is not drawn");
        }
    }
    // Filters pick different parts, so the answers differ (the filter is not ignored).
    let medical = admin.get("/api/v1/map?resolution=5&need=medical").await.unwrap().body;
    let all = map_at(&admin, "resolution=5", 0).await;
    assert!(total(&medical) < total(&all), "need=medical counts fewer cases than all");
    // The view's box still applies: Port Sudan's holds two medical cases (numbers 8 and 20).
    let east = admin.get("/api/v1/map?resolution=7&bbox=36,19,38,20&need=medical").await.unwrap().body;
    assert_eq!(total(&east), 2);

    for (parameter, value) in [
        ("status", "lost"),
        ("priority", "urgent"),
        ("need", "money"),
        ("flag", "tall"),
        ("channel", "pigeon"),
        ("sla", "purple"),
        ("assignee", "someone"),
        ("partner", "acme"),
        ("q", ""),
    ] {
        let refused = admin.get(&format!("/api/v1/map?{parameter}={value}")).await.unwrap();
        assert_eq!(refused.status, 400, "{parameter}={value}");
        assert_eq!(refused.body["error"]["code"], "invalid_query");
        assert_eq!(refused.body["error"]["field"], parameter, "{}", refused.body);
    }
    let anonymous = server.api().get("/api/v1/map?need=medical").await.unwrap();
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn the_map_follows_the_boards_filters_on_sqlite() {
    the_map_follows_the_boards_filters(&TestServer::start().await).await;
}

#[tokio::test]
async fn the_map_follows_the_boards_filters_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    the_map_follows_the_boards_filters(&server).await;
}
