//! Public intake: what a 201 promises and what operators then see.

use opsroom_tests::{TestServer, sample_report};
use serde_json::json;

async fn an_accepted_report_is_a_case_operators_can_read(server: TestServer) {
    let reply = server.api().post_report(&sample_report(1), None).await.unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = &reply.body;
    let case_id = body["case_id"].as_str().unwrap();
    let reference = body["reference"].as_str().unwrap();
    assert_eq!(reference.len(), 9);
    assert_eq!(&reference[4..5], "-");
    assert_eq!(body["tracking_token"].as_str().unwrap().len(), 43, "256 bits in base64url");
    assert_eq!(body["cell"].as_str().unwrap().len(), 15);
    assert_eq!(body["priority"]["level"], "critical");
    let reasons: Vec<&str> =
        body["priority"]["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"life_threatening_medical") && reasons.contains(&"unaccompanied_minors"), "{reasons:?}");

    let admin = server.admin().await;
    let case = admin.case(case_id).await.unwrap();
    assert_eq!(case.status, 200, "{}", case.body);
    assert_eq!(case.body["case"]["reference"], reference);
    assert_eq!(case.body["case"]["status"], "new");
    assert_eq!(case.body["case"]["needs"], json!(["medical", "evacuation"]));
    let persons = case.body["persons"].as_array().unwrap();
    let subject = persons.iter().find(|p| p["role"] == "subject").expect("the child");
    assert_eq!(subject["name"], "أحمد 1");
    assert_eq!(subject["phone"], "+249900000001", "stored in E.164");
    let reporter = persons.iter().find(|p| p["role"] == "reporter").expect("the mother");
    assert_eq!(reporter["relation"], "parent");
    assert_eq!(reporter["phone"], "+201000000001");
    assert_eq!(case.body["reports"][0]["message"], "report 1");
    assert_eq!(case.body["events"][0]["kind"], "case_reported");
    // The tracking token is a secret for the reporter: operators never see it.
    assert!(!case.body.to_string().contains(body["tracking_token"].as_str().unwrap()));
    server.stop().await.unwrap();
}

async fn partial_reports_are_accepted(server: TestServer) {
    let api = server.api();
    let name_only = api.post_report(&json!({"people": [{"name": "Huda"}]}), None).await.unwrap();
    assert_eq!(name_only.status, 201, "{}", name_only.body);
    assert!(name_only.body["cell"].is_null(), "no coordinates, no cell");
    assert_eq!(name_only.body["priority"]["level"], "low");
    let message_only = api
        .post_report(&json!({"message": "أربعة أطفال وحدهم في الرياض", "location": {"place": "الرياض، الخرطوم"}}), None)
        .await
        .unwrap();
    assert_eq!(message_only.status, 201, "{}", message_only.body);
    let arabic_digits = api
        .post_report(
            &json!({"language": "en", "people": [{"name": "Ali", "phone": "+٢٤٩ ٩١٢ ٣٤٥ ٦٧٨", "age": 70}]}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(arabic_digits.status, 201, "{}", arabic_digits.body);
    assert_eq!(arabic_digits.body["priority"]["reasons"][0]["code"], "elderly");
    let admin = server.admin().await;
    let case = admin.case(arabic_digits.body["case_id"].as_str().unwrap()).await.unwrap();
    assert_eq!(case.body["persons"][0]["phone"], "+249912345678");
    assert_eq!(admin.all_cases("").await.unwrap().len(), 3);
    server.stop().await.unwrap();
}

async fn cases_list_filters_and_pages(server: TestServer) {
    let api = server.api();
    let mut khartoum_ids = Vec::new();
    for n in 0..7 {
        let reply = api.post_report(&sample_report(n), None).await.unwrap();
        khartoum_ids.push(reply.body["case_id"].as_str().unwrap().to_owned());
    }
    let port_sudan =
        json!({"people": [{"name": "Sara"}], "needs": ["food"], "location": {"lat": 19.6158, "lon": 37.2164}});
    let port_sudan_id = api.post_report(&port_sudan, None).await.unwrap().body["case_id"].as_str().unwrap().to_owned();
    let admin = server.admin().await;

    let all = admin.all_cases("").await.unwrap();
    assert_eq!(all.len(), 8);
    let page = admin.get("/api/v1/cases?limit=3").await.unwrap();
    assert_eq!(page.body["cases"].as_array().unwrap().len(), 3);
    assert_eq!(page.body["cases"][0]["case_id"], port_sudan_id.as_str(), "newest first");
    let mut paged = Vec::new();
    let mut cursor = page.body["next_cursor"].as_str().map(str::to_owned);
    paged.extend(page.body["cases"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap().to_owned()));
    while let Some(c) = cursor {
        let next = admin.get(&format!("/api/v1/cases?limit=3&cursor={c}")).await.unwrap();
        paged.extend(next.body["cases"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap().to_owned()));
        cursor = next.body["next_cursor"].as_str().map(str::to_owned);
    }
    paged.sort();
    let mut expected: Vec<String> = khartoum_ids.iter().cloned().chain([port_sudan_id.clone()]).collect();
    expected.sort();
    assert_eq!(paged, expected, "paging returns every case exactly once");

    assert_eq!(admin.all_cases("&need=food").await.unwrap().len(), 1);
    assert_eq!(admin.all_cases("&flag=unaccompanied_minors").await.unwrap().len(), 7);
    assert_eq!(admin.all_cases("&priority=critical").await.unwrap().len(), 7);
    assert_eq!(admin.all_cases("&status=new&channel=web").await.unwrap().len(), 8);
    // A resolution-5 cell around Khartoum holds the Khartoum cases and not Port Sudan's.
    let khartoum_cell = admin.case(&khartoum_ids[0]).await.unwrap().body["case"]["cell"].as_str().unwrap().to_owned();
    let coarse = h3_parent_hex(&khartoum_cell, 5);
    let inside = admin.all_cases(&format!("&cell={coarse}")).await.unwrap();
    assert_eq!(inside.len(), 7);
    assert!(inside.iter().all(|c| c["case_id"] != port_sudan_id.as_str()));

    let bad = admin.get("/api/v1/cases?status=lost").await.unwrap();
    assert_eq!(bad.status, 400);
    let bad = admin.get("/api/v1/cases?limit=100000").await.unwrap();
    assert_eq!((bad.status, bad.body["error"]["field"].as_str()), (400, Some("limit")));
    let bad = admin.get("/api/v1/cases?cell=zz").await.unwrap();
    assert_eq!(bad.status, 400);
    server.stop().await.unwrap();
}

fn h3_parent_hex(cell: &str, resolution: u8) -> String {
    let cell: opsroom_domain::location::Cell = cell.parse().unwrap();
    cell.parent(resolution).unwrap().to_string()
}

opsroom_tests::on_both_backends!(
    an_accepted_report_is_a_case_operators_can_read,
    partial_reports_are_accepted,
    cases_list_filters_and_pages,
);
