//! PFIF 1.4 out and in: persons with their notes and confirmed links, valid by the structural
//! validator; another agency's file in, once however often it is imported.

use std::time::Duration;

use opsroom_tests::pfif_check::violations;
use opsroom_tests::{Api, TestServer, eventually};
use serde_json::json;

async fn export(api: &Api) -> opsroom_tests::Reply {
    api.get("/api/v1/pfif/persons").await.unwrap()
}

async fn import(api: &Api, xml: &str) -> opsroom_tests::Reply {
    api.send(
        api.http.post(api.url("/api/v1/pfif/persons")).header("content-type", "application/xml").body(xml.to_owned()),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn the_export_is_valid_pfif_with_links_for_confirmed_duplicates() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let api = server.api();
    for name in ["سارة عثمان بابكر", "Sara Osman Babiker"] {
        let body = json!({"people": [{"name": name, "age": 7, "sex": "female", "phone": "+249912223344"}]});
        assert_eq!(api.post_report(&body, None).await.unwrap().status, 201);
    }
    // Confirm the matcher's suggestion.
    let cases = admin.all_cases("").await.unwrap();
    let newest = cases.iter().map(|c| c["case_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let suggestion = eventually("a suggestion between the imported persons", async || {
        let mut found = None;
        for case in &newest {
            let list = admin.get(&format!("/api/v1/cases/{case}/matches")).await.unwrap().body;
            if let Some(first) = list.as_array().and_then(|l| l.first()) {
                found = Some(first["suggestion_id"].as_str().unwrap().to_owned());
            }
        }
        found
    })
    .await;
    let decided = admin
        .send(
            admin
                .http
                .post(admin.url(&format!("/api/v1/matches/{suggestion}/decision")))
                .json(&json!({"decision": "same"})),
        )
        .await
        .unwrap();
    assert_eq!(decided.status, 200);

    let reply = export(&admin).await;
    assert_eq!(reply.status, 200);
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("application/xml"));
    let xml = reply.body.as_str().unwrap();
    assert_eq!(violations(xml), Vec::<String>::new(), "{xml}");
    assert_eq!(xml.matches("<pfif:person>").count(), 2);
    assert_eq!(xml.matches("<pfif:linked_person_record_id>").count(), 2, "each side links the other");
    assert_eq!(xml.matches("<pfif:expiry_date>").count(), 2);
    assert!(xml.contains("<pfif:person_record_id>opsroom.localhost/person."));

    // Only supervisors and admins export.
    let (operator, _) = server.user("nafisa", "operator").await;
    assert_eq!(export(&operator).await.status, 403);
    assert_eq!(export(&api).await.status, 401);
    assert_eq!(admin.get("/api/v1/pfif/persons?limit=0").await.unwrap().status, 400);
    server.stop().await.unwrap();
}

const AGENCY_FILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>redcrescent.example/person.1001</pfif:person_record_id>
    <pfif:entry_date>2023-04-22T08:15:00Z</pfif:entry_date>
    <pfif:expiry_date>2024-04-22T08:15:00Z</pfif:expiry_date>
    <pfif:author_name>Sudanese Red Crescent</pfif:author_name>
    <pfif:source_name>SRCS tracing</pfif:source_name>
    <pfif:source_date>2023-04-22T08:15:00Z</pfif:source_date>
    <pfif:full_name>Hawa Adam Ishag</pfif:full_name>
    <pfif:sex>female</pfif:sex>
    <pfif:age>34</pfif:age>
    <pfif:home_city>Omdurman</pfif:home_city>
    <pfif:note>
      <pfif:note_record_id>redcrescent.example/note.1</pfif:note_record_id>
      <pfif:person_record_id>redcrescent.example/person.1001</pfif:person_record_id>
      <pfif:entry_date>2023-04-22T08:15:00Z</pfif:entry_date>
      <pfif:author_name>SRCS volunteer</pfif:author_name>
      <pfif:source_date>2023-04-22T08:15:00Z</pfif:source_date>
      <pfif:status>believed_alive</pfif:status>
      <pfif:text>Seen at the Omdurman shelter &amp; safe.</pfif:text>
    </pfif:note>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>redcrescent.example/person.1002</pfif:person_record_id>
    <pfif:entry_date>2023-04-22T09:00:00Z</pfif:entry_date>
    <pfif:source_date>2023-04-22T09:00:00Z</pfif:source_date>
    <pfif:full_name>عمر آدم إسحاق</pfif:full_name>
    <pfif:age>9</pfif:age>
  </pfif:person>
</pfif:pfif>
"#;

#[tokio::test]
async fn another_agencys_file_is_imported_once() {
    assert_eq!(violations(AGENCY_FILE), Vec::<String>::new(), "the fixture itself is valid PFIF 1.4");
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let first = import(&admin, AGENCY_FILE).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!((first.body["created"].as_u64(), first.body["already_imported"].as_u64()), (Some(2), Some(0)));
    let again = import(&admin, AGENCY_FILE).await;
    assert_eq!((again.body["created"].as_u64(), again.body["already_imported"].as_u64()), (Some(0), Some(2)));
    let cases = admin.all_cases("").await.unwrap();
    assert_eq!(cases.len(), 2);
    assert!(cases.iter().all(|c| c["channel"] == "import"));
    let hawa = cases.iter().find(|c| c["place"] == "Omdurman").expect("Hawa's case");
    let detail = admin.case(hawa["case_id"].as_str().unwrap()).await.unwrap();
    assert!(detail.body["message"].as_str().unwrap().contains("Seen at the Omdurman shelter & safe."));
    assert!(detail.body["message"].as_str().unwrap().contains("redcrescent.example/person.1001"));

    let broken = import(&admin, "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><pfif:person>").await;
    assert_eq!((broken.status, broken.error_code()), (400, "invalid_pfif"));
    let old = import(&admin, "<pfif xmlns=\"http://zesty.ca/pfif/1.2\"></pfif>").await;
    assert_eq!((old.status, old.error_code()), (400, "invalid_pfif"));
    let (operator, _) = server.user("nafisa", "operator").await;
    assert_eq!(import(&operator, AGENCY_FILE).await.status, 403);
    server.stop().await.unwrap();
}

/// A made-up name word for `n`, one syllable per decimal digit, each with its own consonant, so
/// that no two persons of a file share a name and the matcher has no pairs to weigh.
fn name_word(n: usize) -> String {
    const SYLLABLES: [&str; 10] = ["ba", "ke", "di", "mo", "lu", "sa", "ti", "ro", "ne", "fu"];
    let word: String = n.to_string().bytes().map(|d| SYLLABLES[usize::from(d - b'0')]).collect();
    let mut chars = word.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// A PFIF 1.4 file of `count` persons from another agency, record ids `tracing.example/person.N`.
fn agency_file(count: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n",
    );
    for n in 0..count {
        xml.push_str(&format!(
            "<pfif:person><pfif:person_record_id>tracing.example/person.{n}</pfif:person_record_id>\
             <pfif:entry_date>2023-04-22T08:15:00Z</pfif:entry_date>\
             <pfif:source_date>2023-04-22T08:15:00Z</pfif:source_date>\
             <pfif:full_name>{} {}</pfif:full_name><pfif:age>{}</pfif:age>\
             <pfif:home_city>Omdurman</pfif:home_city></pfif:person>\n",
            name_word(10_000 + n),
            name_word(20_000 + n),
            n % 90
        ));
    }
    xml.push_str("</pfif:pfif>\n");
    xml
}

/// How many cases were opened by imports.
async fn imported(admin: &Api) -> usize {
    admin.all_cases("").await.unwrap().iter().filter(|c| c["channel"] == "import").count()
}

#[tokio::test]
async fn an_import_the_client_gives_up_on_stores_every_person_or_none() {
    import_is_all_or_nothing(TestServer::start().await).await;
}

#[tokio::test]
async fn an_import_the_client_gives_up_on_stores_every_person_or_none_on_postgres() {
    let Some(server) = TestServer::start_postgres().await else { return };
    import_is_all_or_nothing(server).await;
}

async fn import_is_all_or_nothing(server: TestServer) {
    const PERSONS: usize = 2000;
    let admin = server.admin().await;
    let file = agency_file(PERSONS);
    assert_eq!(violations(&file), Vec::<String>::new(), "the file is valid PFIF 1.4");
    // The client gives up early: the import must not stop half-way when its request goes away.
    let request = admin.http.post(admin.url("/api/v1/pfif/persons")).header("content-type", "application/xml");
    let cut_off = request.body(file.clone()).timeout(Duration::from_millis(200));
    let _ = admin.send(cut_off).await;
    // A report sent now is written after the import if the import reached the store at all, so
    // once it is answered the import is either wholly stored or not at all.
    let after = admin.post_report(&json!({"people": [{"name": "Later Person"}]}), None).await.unwrap();
    assert_eq!(after.status, 201, "{}", after.body);
    let stored = imported(&admin).await;
    assert!(stored == 0 || stored == PERSONS, "{stored} of {PERSONS} persons stored: a partial import");
    // Importing again (a client that waits) completes it, once.
    let again = import(&admin, &file).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        again.body["created"].as_u64().unwrap() + again.body["already_imported"].as_u64().unwrap(),
        PERSONS as u64
    );
    assert_eq!(imported(&admin).await, PERSONS);
    server.stop().await.unwrap();
}
