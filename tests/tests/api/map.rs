//! The map's H3 counts and the KPIs: correct, current with the log, and for operators only.

use std::time::Duration;

use opsroom_tests::{Api, TestServer, sample_report};
use serde_json::{Value, json};

async fn post(api: &Api, path: &str, body: Value) -> opsroom_tests::Reply {
    api.send(api.http.post(api.url(path)).json(&body)).await.unwrap()
}

fn total(map: &Value) -> u64 {
    map["features"].as_array().unwrap().iter().map(|f| f["properties"]["counts"]["total"].as_u64().unwrap()).sum()
}

/// The map as of at least position `seq` (the hub applies events just after they commit).
async fn map_at(admin: &Api, query: &str, seq: u64) -> Value {
    for _ in 0..200 {
        let map = admin.get(&format!("/api/v1/map?{query}")).await.unwrap().body;
        if map["seq"].as_u64().unwrap() >= seq {
            return map;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the map did not reach position {seq}");
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
        post(&admin, &format!("/api/v1/cases/{case_id}/status"), json!({"status": "closed", "version": 1})).await;
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
        post(&admin, "/api/v1/cases", json!({"channel": "hotline", "report": {"people": [{"name": "Ali"}]}})).await;
    let hotline = hotline.body["case_id"].as_str().unwrap().to_owned();

    post(&admin, &format!("/api/v1/cases/{hotline}/assignment"), json!({"user_id": me, "version": 1})).await;
    post(
        &admin,
        &format!("/api/v1/cases/{hotline}/contacts"),
        json!({"channel": "phone", "outcome": "reached", "version": 2}),
    )
    .await;
    post(&admin, &format!("/api/v1/cases/{hotline}/status"), json!({"status": "triaged", "version": 3})).await;
    let resolved =
        post(&admin, &format!("/api/v1/cases/{hotline}/status"), json!({"status": "resolved", "version": 4})).await;
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
