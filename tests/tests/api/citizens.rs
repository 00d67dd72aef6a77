//! The citizens' side: the server-rendered report form, tracking links (the view, updates,
//! revoking and reissuing them) and the rate limit on public routes.

use std::net::IpAddr;

use opsroom_tests::{Api, Reply, Reported, TestServer, sample_report};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

/// `POST /` with form fields; `json` asks for the API's answer instead of a page.
async fn post_form(api: &Api, fields: &[(&str, &str)], json: bool) -> Reply {
    let mut request = api.http.post(api.url("/")).form(fields);
    if json {
        request = request.header("accept", "application/json");
    }
    api.send(request).await.unwrap()
}

/// The text of an HTML answer.
fn page(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_else(|| panic!("expected an HTML page, got {}", reply.body))
}

/// The `value` attribute of the input named `name`.
fn input_value<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag = &html[at..at + html[at..].find('>')?];
    let start = tag.find("value=\"")? + "value=\"".len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The text of the textarea named `name`.
fn textarea_text<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let at = html.find(&format!("<textarea name=\"{name}\""))?;
    let start = at + html[at..].find('>')? + 1;
    Some(&html[start..start + html[start..].find("</textarea>")?])
}

/// The error message shown next to the field `name`.
fn field_error<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!("data-for=\"{name}\">");
    let start = html.find(&marker)? + marker.len();
    Some(&html[start..start + html[start..].find("</span>")?])
}

/// The text inside the first element carrying `class="{class}"`.
fn element_text<'a>(html: &'a str, class: &str) -> Option<&'a str> {
    let at = html.find(&format!("class=\"{class}\""))?;
    let start = at + html[at..].find('>')? + 1;
    Some(&html[start..start + html[start..].find('<')?])
}

/// The `value` of the picked option of the select named `name`.
fn selected_option<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let at = html.find(&format!("<select name=\"{name}\""))?;
    let select = &html[at..at + html[at..].find("</select>")?];
    let tag = select.split("<option").find(|tag| tag[..tag.find('>').unwrap_or(0)].contains(" selected"))?;
    let start = tag.find("value=\"")? + "value=\"".len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

fn has_arabic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

async fn track(api: &Api, token: &str) -> Reply {
    api.get(&format!("/api/v1/track/{token}")).await.unwrap()
}

async fn send_update(api: &Api, token: &str, update: Value) -> Reply {
    api.send(api.http.post(api.url(&format!("/api/v1/track/{token}/updates"))).json(&update)).await.unwrap()
}

fn timeline_codes(view: &Value) -> Vec<String> {
    view["timeline"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap().to_owned()).collect()
}

fn priority_rank(level: &str) -> usize {
    ["low", "normal", "high", "critical"].iter().position(|l| *l == level).unwrap_or_else(|| panic!("level {level}"))
}

/// An admin watching the live stream, and the position it starts after.
async fn watching(server: &TestServer) -> (opsroom_tests::LiveClient, u64) {
    let admin = server.admin().await;
    let mut live = admin.live(None).await.unwrap();
    live.subscribe(None).await.unwrap();
    let snapshot = live.next_json().await.unwrap().unwrap();
    assert_eq!(snapshot["type"], "snapshot");
    (live, snapshot["seq"].as_u64().unwrap())
}

/// A report as the form sends it: two blank person rows, then Sara in the third.
fn filled_form<'a>(lang: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("lang", lang),
        ("idempotency_key", key),
        ("relation", "parent"),
        ("reporter.name", "أم سارة"),
        ("reporter.phone_cc", "EG"),
        ("reporter.phone", "01001234567"),
        ("reporter.place", "القاهرة"),
        ("location.place", "الرياض، الخرطوم"),
        ("location.position", "١٥٫٥٥، ٣٢٫٥٣"),
        ("people[0].name", ""),
        ("people[0].sex", "unknown"),
        ("people[1].name", ""),
        ("people[1].sex", "unknown"),
        ("people[2].name", "سارة"),
        ("people[2].age", "٩"),
        ("people[2].sex", "female"),
        ("people[2].passport", "P1234567"),
        ("people[2].phone_cc", "SD"),
        ("people[2].phone", "0912345678"),
        ("needs", "medical"),
        ("needs", "water"),
        ("flags", "unaccompanied_minors"),
        ("message", "وحدها في البيت"),
        ("website", ""),
    ]
}

/// `fields` with `name` set to `value` (replacing every earlier value of it).
fn with<'a>(mut fields: Vec<(&'a str, &'a str)>, name: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    fields.retain(|(n, _)| *n != name);
    fields.push((name, value));
    fields
}

// ---------------------------------------------------------------------------------------------
// The report form

#[tokio::test]
async fn the_form_is_arabic_by_default_and_english_on_request() {
    let server = TestServer::start().await;
    let api = server.api();
    let arabic = api.get("/").await.unwrap();
    assert_eq!(arabic.status, 200);
    let html = page(&arabic);
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    let key = input_value(html, "idempotency_key").expect("a hidden idempotency key");
    assert!(key.len() >= 32, "an unguessable key: {key}");
    assert!(html.contains("type=\"hidden\" name=\"idempotency_key\""));
    assert!(html.contains("name=\"website\""), "the honeypot is on the form");
    assert_eq!(input_value(html, "website").unwrap_or(""), "", "and empty");

    let english = api.get("/?lang=en").await.unwrap();
    let html = page(&english);
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
    assert_ne!(input_value(html, "idempotency_key"), Some(key), "each form gets its own key");
    server.stop().await.unwrap();
}

async fn a_plain_form_post_opens_a_case_and_confirms_it_with_a_tracking_link(server: TestServer) {
    let api = server.api();
    let reply = post_form(&api, &filled_form("ar", "form-key-1"), false).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let html = page(&reply);
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"));
    let reference = element_text(html, "reference").expect("the reference on the page").to_owned();
    assert_eq!(reference.len(), 9, "{reference}");
    let link_at = html.find("href=\"/track/").expect("a tracking link") + "href=\"".len();
    let link = &html[link_at..link_at + html[link_at..].find('"').unwrap()];
    let token = link.strip_prefix("/track/").unwrap().strip_suffix("?lang=ar").expect("the page's language");
    assert_eq!(token.len(), 43, "{link}");

    // The link works, and shows this case.
    let tracked = api.get(link).await.unwrap();
    assert_eq!(tracked.status, 200);
    assert!(page(&tracked).contains(&reference));

    // Operators see everything the form carried, normalised.
    let admin = server.admin().await;
    let cases = admin.all_cases("").await.unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["reference"], reference.as_str());
    let detail = admin.case(cases[0]["case_id"].as_str().unwrap()).await.unwrap().body;
    let case = &detail["case"];
    assert_eq!((case["lat"].as_f64(), case["lon"].as_f64()), (Some(15.55), Some(32.53)), "Arabic digits and comma");
    assert!(case["cell"].is_string());
    assert_eq!(case["language"], "ar");
    let mut needs: Vec<&str> = case["needs"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    needs.sort_unstable();
    assert_eq!(needs, ["medical", "water"]);
    assert_eq!(case["flags"], json!(["unaccompanied_minors"]));
    assert_eq!(case["people_count"], 1, "blank rows are skipped");
    let persons = detail["persons"].as_array().unwrap();
    let sara = persons.iter().find(|p| p["role"] == "subject").expect("the child");
    assert_eq!(sara["name"], "سارة");
    assert_eq!(sara["age"], 9, "Arabic-Indic age");
    assert_eq!(sara["sex"], "female");
    assert_eq!(sara["phone"], "+249912345678", "picked code, trunk zero dropped");
    let mother = persons.iter().find(|p| p["role"] == "reporter").expect("the reporter");
    assert_eq!((mother["relation"].as_str(), mother["phone"].as_str()), (Some("parent"), Some("+201001234567")));
    assert_eq!(detail["reports"][0]["message"], "وحدها في البيت");
    assert_eq!(detail["reports"][0]["reporter_place"], "القاهرة");
    server.stop().await.unwrap();
}

async fn a_form_post_asking_for_json_gets_the_apis_answer(server: TestServer) {
    let reply = post_form(&server.api(), &filled_form("en", "form-key-json"), true).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = &reply.body;
    assert!(body["case_id"].is_string(), "{body}");
    assert_eq!(body["reference"].as_str().unwrap().len(), 9);
    assert_eq!(body["tracking_token"].as_str().unwrap().len(), 43);
    assert_eq!(body["cell"].as_str().unwrap().len(), 15);
    assert_eq!(body["priority"]["level"], "critical", "medical need and a child alone");
    let tracked = track(&server.api(), body["tracking_token"].as_str().unwrap()).await;
    assert_eq!(tracked.body["language"], "en");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_refused_form_comes_back_with_everything_typed_and_the_message_at_its_field() {
    let server = TestServer::start().await;
    let api = server.api();
    // The third row's phone has no country code and none was picked.
    let mut fields = filled_form("ar", "form-key-refused");
    fields.retain(|(n, _)| *n != "people[2].phone_cc");
    let reply = post_form(&api, &fields, false).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let html = page(&reply);
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"));
    let message = field_error(html, "people[2].phone").unwrap_or_else(|| panic!("no message at the field: {html}"));
    assert!(has_arabic(message) && message.contains("رمز الدولة"), "{message}");
    assert!(html.contains("class=\"error\" role=\"alert\" data-for=\"people[2].phone\""));
    // What was typed is still there, the key too (so a corrected post is still the same report).
    assert_eq!(input_value(html, "idempotency_key"), Some("form-key-refused"));
    assert_eq!(input_value(html, "people[2].name"), Some("سارة"));
    assert_eq!(input_value(html, "people[2].age"), Some("٩"));
    assert_eq!(input_value(html, "people[2].phone"), Some("0912345678"));
    assert_eq!(input_value(html, "reporter.name"), Some("أم سارة"));
    assert_eq!(input_value(html, "location.position"), Some("١٥٫٥٥، ٣٢٫٥٣"));
    assert_eq!(textarea_text(html, "message"), Some("وحدها في البيت"));
    assert!(html.contains("value=\"medical\" checked"), "ticked needs stay ticked");
    let admin = server.admin().await;
    assert_eq!(admin.all_cases("").await.unwrap().len(), 0);

    // Corrected and sent again with the key the page kept, it goes through.
    let corrected = post_form(&api, &filled_form("ar", "form-key-refused"), false).await;
    assert_eq!(corrected.status, 201, "{}", corrected.body);
    assert_eq!(admin.all_cases("").await.unwrap().len(), 1);

    // In English, the same refusal speaks English.
    let mut fields = filled_form("en", "form-key-refused-en");
    fields.retain(|(n, _)| *n != "people[2].phone_cc");
    let reply = post_form(&api, &fields, false).await;
    let html = page(&reply);
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"));
    let message = field_error(html, "people[2].phone").expect("a message at the field");
    assert!(!has_arabic(message) && message.contains("country code"), "{message}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_phone_picker_starts_at_home_and_a_local_number_is_read_there() {
    let libya = opsroom_domain::country::CountryCode::parse("LY").unwrap();
    let server = TestServer::start_with(|config| config.home_country = libya).await;
    let api = server.api();
    let form = api.get("/?lang=en").await.unwrap();
    let html = page(&form);
    // No crisis countries yet: the page offers the home country, picked; the form's script adds
    // every other country from /phone-countries.
    assert_eq!(selected_option(html, "reporter.phone_cc"), Some("LY"));
    let at = html.find("<select name=\"reporter.phone_cc\"").unwrap();
    let picker = &html[at..at + html[at..].find("</select>").unwrap()];
    assert_eq!(picker.matches("<option").count(), 1, "{picker}");
    assert!(picker.contains("<option value=\"LY\" selected>\u{2066}+218\u{2069} Libya</option>"), "{picker}");
    let all = api.get("/phone-countries?lang=ar").await.unwrap();
    let all = all.body.as_array().expect("a list").clone();
    assert!(all.len() > 240, "every country with a calling code: {}", all.len());
    assert!(all.contains(&json!(["LY", 218, "ليبيا"])));
    assert!(all.contains(&json!(["SD", 249, "السودان"])));

    // A relative's local number, with the picker as it came.
    let fields = [
        ("lang", "en"),
        ("idempotency_key", "picker-default"),
        ("relation", "parent"),
        ("people[0].name", "Salem"),
        ("reporter.phone_cc", "LY"),
        ("reporter.phone", "091 234 5678"),
    ];
    let sent = post_form(&api, &fields, true).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let admin = server.admin().await;
    let case_id = admin.all_cases("").await.unwrap()[0]["case_id"].as_str().unwrap().to_owned();
    let detail = admin.case(&case_id).await.unwrap().body;
    let reporter = detail["persons"].as_array().unwrap().iter().find(|p| p["role"] == "reporter").unwrap().clone();
    assert_eq!(reporter["phone"], "+218912345678");

    // Too few digits to be a Libyan number: refused at the field, in the page's language.
    let mut junk = fields.to_vec();
    junk[0] = ("lang", "ar");
    junk[1] = ("idempotency_key", "picker-junk");
    junk[5] = ("reporter.phone", "٠٩١ ٢٣٤");
    let reply = post_form(&api, &junk, false).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let message = field_error(page(&reply), "reporter.phone").expect("a message at the field");
    assert!(has_arabic(message) && message.contains("عدد أرقام"), "{message}");
    assert_eq!(selected_option(page(&reply), "reporter.phone_cc"), Some("LY"), "the pick is kept");
    // A country picked from the whole list is kept on the page sent back, too.
    junk[4] = ("reporter.phone_cc", "SD");
    let reply = post_form(&api, &junk, false).await;
    assert_eq!(selected_option(page(&reply), "reporter.phone_cc"), Some("SD"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn json_refusals_name_the_forms_field_in_the_forms_language() {
    let server = TestServer::start().await;
    let api = server.api();
    let mut fields = filled_form("ar", "form-key-json-refused");
    fields.retain(|(n, _)| *n != "people[2].phone_cc");
    let arabic = post_form(&api, &fields, true).await;
    assert_eq!(arabic.status, 422, "{}", arabic.body);
    assert_eq!(arabic.error_code(), "phone_needs_country_code");
    assert_eq!(arabic.body["error"]["field"], "people[2].phone", "the form's row, not the API's index");
    assert!(has_arabic(arabic.body["error"]["message"].as_str().unwrap()), "{}", arabic.body);

    let fields = with(filled_form("en", "form-key-json-refused-en"), "reporter.phone", "0100 123");
    let english = post_form(&api, &fields, true).await;
    assert_eq!(english.status, 422, "{}", english.body);
    assert_eq!(english.error_code(), "phone_wrong_length");
    assert_eq!(english.body["error"]["field"], "reporter.phone");
    let message = english.body["error"]["message"].as_str().unwrap();
    assert!(!has_arabic(message) && message.contains("too few or too many digits"), "{message}");

    let fields = with(filled_form("en", "form-key-bad-age"), "people[2].age", "nine");
    let bad_age = post_form(&api, &fields, true).await;
    assert_eq!((bad_age.status, bad_age.body["error"]["field"].as_str()), (422, Some("people[2].age")));
    assert_eq!(server.admin().await.all_cases("").await.unwrap().len(), 0);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_form_refuses_direction_controls_and_invisible_names_at_the_field_in_its_language() {
    let server = TestServer::start().await;
    let api = server.api();
    // A right-to-left override after a name would turn the phone drawn beside it around.
    let fields = with(filled_form("ar", "form-key-bidi"), "people[2].name", "سارة\u{202E}");
    let reply = post_form(&api, &fields, false).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let html = page(&reply);
    let message = field_error(html, "people[2].name").unwrap_or_else(|| panic!("no message at the field: {html}"));
    assert!(has_arabic(message) && message.contains("اتجاه"), "{message}");
    assert_eq!(input_value(html, "people[2].name"), Some("سارة\u{202E}"), "what was typed is kept to correct");

    let fields = with(filled_form("en", "form-key-invisible"), "reporter.name", "\u{200B}\u{200D}");
    let reply = post_form(&api, &fields, false).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let message = field_error(page(&reply), "reporter.name").expect("a message at the field");
    assert!(!has_arabic(message) && message.contains("invisible"), "{message}");

    // form.js's JSON answer: the form's field name and the page's language.
    let fields = with(filled_form("en", "form-key-bidi-json"), "people[2].name", "Sara\u{2066}");
    let json = post_form(&api, &fields, true).await;
    assert_eq!((json.status, json.error_code()), (422, "invalid_characters"), "{}", json.body);
    assert_eq!(json.body["error"]["field"], "people[2].name");
    let message = json.body["error"]["message"].as_str().unwrap();
    assert!(!has_arabic(message) && message.contains("direction"), "{message}");
    let fields = with(filled_form("ar", "form-key-invisible-json"), "people[2].name", "\u{2060}");
    let json = post_form(&api, &fields, true).await;
    assert_eq!((json.status, json.error_code()), (422, "no_visible_characters"), "{}", json.body);
    assert!(has_arabic(json.body["error"]["message"].as_str().unwrap()), "{}", json.body);

    assert_eq!(server.admin().await.all_cases("").await.unwrap().len(), 0, "nothing was stored");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_filled_honeypot_is_refused_and_opens_no_case() {
    let server = TestServer::start().await;
    let api = server.api();
    let bot = with(filled_form("en", "form-key-bot"), "website", "http://spam.example");
    let as_json = post_form(&api, &bot, true).await;
    assert_eq!((as_json.status, as_json.error_code()), (422, "honeypot"));
    let bot = with(filled_form("ar", "form-key-bot-2"), "website", "http://spam.example");
    let as_page = post_form(&api, &bot, false).await;
    assert_eq!(as_page.status, 422);
    assert!(page(&as_page).contains("<form"), "the form again");
    assert_eq!(server.admin().await.all_cases("").await.unwrap().len(), 0);
    server.stop().await.unwrap();
}

async fn the_same_form_sent_twice_opens_one_case(server: TestServer) {
    let api = server.api();
    let fields = filled_form("ar", "form-key-double-tap");
    let first = post_form(&api, &fields, true).await;
    assert_eq!(first.status, 201, "{}", first.body);
    // A refresh of the confirmation page re-posts the same form as a plain post.
    let again = post_form(&api, &fields, false).await;
    assert_eq!(again.status, 201);
    assert_eq!(element_text(page(&again), "reference"), first.body["reference"].as_str());
    let third = post_form(&api, &fields, true).await;
    assert_eq!(third.body["case_id"], first.body["case_id"]);
    assert_eq!(server.admin().await.all_cases("").await.unwrap().len(), 1);
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Tracking links

async fn a_tracking_link_shows_the_case_in_plain_words(server: TestServer) {
    let Reported { tracking_token: token, .. } = server.api().reported(&sample_report(1)).await;
    let view = track(&server.api(), &token).await;
    assert_eq!(view.status, 200, "{}", view.body);
    let body = &view.body;
    assert_eq!(body["reference"].as_str().unwrap().len(), 9);
    assert_eq!(body["status"], "new");
    assert!(has_arabic(body["status_text"]["ar"].as_str().unwrap()));
    assert!(body["status_text"]["en"].as_str().unwrap().contains("received"));
    assert_eq!(body["language"], "ar");
    assert!(body["reported_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["people_count"], 1);
    assert_eq!(timeline_codes(body), ["reported"]);
    assert_eq!(body["advisories"], json!([]));
    // Nothing that identifies the people or ranks them.
    let text = body.to_string();
    for private in ["أحمد 1", "+249", "A0000", "critical", "priority"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    server.stop().await.unwrap();
}

async fn the_timeline_shows_progress_but_never_notes_priorities_or_operators(server: TestServer) {
    let (nafisa, nafisa_id) = server.user("nafisa", "operator").await;
    let (hoda, hoda_id) = server.user("hoda", "supervisor").await;
    let Reported { case_id, tracking_token: token, .. } = server.api().reported(&sample_report(2)).await;
    let path = |action: &str| format!("/api/v1/cases/{case_id}/{action}");
    let steps = [
        (&nafisa, "assignment", json!({"user_id": nafisa_id, "version": 1})),
        (&nafisa, "status", json!({"status": "triaged", "version": 2})),
        (&nafisa, "contacts", json!({"channel": "phone", "outcome": "no_answer", "version": 3})),
        (
            &nafisa,
            "contacts",
            json!({"channel": "whatsapp", "outcome": "reached", "note": "uncle Kamal answered", "version": 4}),
        ),
        (&nafisa, "notes", json!({"text": "caller sounded unsure about the address", "version": 5})),
        (&hoda, "priority", json!({"level": "high", "reason": "neighbours took the child in", "version": 6})),
    ];
    for (api, action, body) in steps {
        let reply = api.post(&path(action), body).await;
        assert_eq!(reply.status, 200, "{action}: {}", reply.body);
    }

    let view = track(&server.api(), &token).await.body;
    assert_eq!(
        timeline_codes(&view),
        ["reported", "assigned", "status_triaged", "contact_attempted", "contact_reached"]
    );
    assert_eq!(view["status"], "triaged");
    let text = view.to_string();
    for secret in [
        "nafisa",
        "hoda",
        nafisa_id.as_str(),
        hoda_id.as_str(),
        "uncle Kamal",
        "caller sounded unsure",
        "neighbours took the child in",
        "priority",
    ] {
        assert!(!text.contains(secret), "{secret} reached the citizen: {text}");
    }
    let html = server.api().get(&format!("/track/{token}")).await.unwrap();
    let html = page(&html);
    for secret in ["nafisa", "hoda", "uncle Kamal", "caller sounded unsure", "neighbours took the child in"] {
        assert!(!html.contains(secret), "{secret} reached the tracking page");
    }
    server.stop().await.unwrap();
}

async fn wrong_malformed_and_revoked_tokens_get_the_same_404(server: TestServer) {
    let api = server.api();
    let admin = server.admin().await;
    let Reported { case_id, tracking_token: revoked, .. } = server.api().reported(&sample_report(3)).await;
    assert_eq!(track(&api, &revoked).await.status, 200, "the token worked before it was revoked");
    let revoke = admin.send(admin.http.delete(admin.url(&format!("/api/v1/cases/{case_id}/tracking-link")))).await;
    assert_eq!(revoke.unwrap().status, 204);
    let unknown = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())[..43].to_owned();

    let mut json_bodies = Vec::new();
    let mut html_bodies = Vec::new();
    for token in ["x", unknown.as_str(), revoked.as_str()] {
        let reply = track(&api, token).await;
        assert_eq!(reply.status, 404, "{token}");
        json_bodies.push(reply.body.to_string());
        let response = api.http.get(api.url(&format!("/track/{token}"))).send().await.unwrap();
        assert_eq!(response.status(), 404, "{token}");
        html_bodies.push(response.bytes().await.unwrap());
    }
    assert!(json_bodies.iter().all(|b| *b == json_bodies[0]), "{json_bodies:?}");
    assert!(html_bodies.iter().all(|b| *b == html_bodies[0]), "the pages differ");
    assert!(String::from_utf8_lossy(&html_bodies[0]).contains("<html lang=\"ar\""));
    server.stop().await.unwrap();
}

async fn a_moved_update_moves_the_case_and_streams_to_operators(server: TestServer) {
    let api = server.api();
    let Reported { case_id, tracking_token: token, cell: khartoum_cell } =
        server.api().reported(&sample_report(4)).await;
    let (mut live, start) = watching(&server).await;

    let port_sudan = json!({"kind": "moved", "location": {"lat": 19.6158, "lon": 37.2164, "place": "بورتسودان"}});
    let sent = send_update(&api, &token, port_sudan).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let report_id = sent.body["report_id"].as_str().unwrap();

    let events = live.events_until(start + 1).await.unwrap();
    let event = &events[0];
    assert_eq!(event["kind"], "citizen_updated");
    assert_eq!(event["case_id"], case_id.as_str());
    let data = &event["data"];
    assert_eq!((data["case_id"].as_str(), data["update"].as_str()), (Some(case_id.as_str()), Some("moved")));
    assert_eq!(data["from_cell"].as_str(), khartoum_cell.as_deref());
    let new_cell = data["cell"].as_str().expect("the new cell");
    assert_ne!(Some(new_cell), khartoum_cell.as_deref());
    assert_eq!(data["priority_from"], data["priority"], "moving alone changes no priority");

    let detail = server.admin().await.case(&case_id).await.unwrap().body;
    assert_eq!(detail["case"]["cell"], new_cell);
    assert_eq!((detail["case"]["lat"].as_f64(), detail["case"]["lon"].as_f64()), (Some(19.6158), Some(37.2164)));
    let reports = detail["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2, "the update is a report on the case");
    assert_eq!(reports[1]["report_id"], report_id);
    assert_eq!(reports[1]["place"], "بورتسودان");
    assert_eq!(timeline_codes(&track(&api, &token).await.body), ["reported", "update_moved"]);
    server.stop().await.unwrap();
}

async fn a_needs_update_raises_the_priority_and_never_lowers_it(server: TestServer) {
    let api = server.api();
    let calm =
        json!({"people": [{"name": "Omar", "age": 30}], "needs": ["food"], "location": {"lat": 15.6, "lon": 32.5}});
    let Reported { case_id, tracking_token: token, .. } = server.api().reported(&calm).await;
    let admin = server.admin().await;
    let level = |detail: &Value| detail["case"]["priority"]["level"].as_str().unwrap().to_owned();
    let before = level(&admin.case(&case_id).await.unwrap().body);
    assert_eq!(before, "normal");
    let (mut live, start) = watching(&server).await;

    let worse = send_update(&api, &token, json!({"kind": "needs", "needs": ["medical"], "flags": ["injured"]})).await;
    assert_eq!(worse.status, 201, "{}", worse.body);
    let raised = live.events_until(start + 1).await.unwrap();
    let data = &raised[0]["data"];
    assert_eq!((data["update"].as_str(), data["priority_from"].as_str()), (Some("needs"), Some("normal")));
    let after = data["priority"].as_str().unwrap().to_owned();
    assert!(priority_rank(&after) > priority_rank("normal"), "raised to {after}");
    let detail = admin.case(&case_id).await.unwrap().body;
    assert_eq!(level(&detail), after);
    assert_eq!(detail["case"]["needs"], json!(["medical"]), "the new list replaces the old one");

    // Saying things got better does not lower it: lowering is an operator's decision.
    let better = send_update(&api, &token, json!({"kind": "needs", "needs": ["food"]})).await;
    assert_eq!(better.status, 201);
    let kept = live.events_until(start + 2).await.unwrap();
    assert_eq!(
        (kept[0]["data"]["priority_from"].as_str(), kept[0]["data"]["priority"].as_str()),
        (Some(&*after), Some(&*after))
    );
    assert_eq!(level(&admin.case(&case_id).await.unwrap().body), after);
    server.stop().await.unwrap();
}

async fn safe_and_message_updates_are_reports_operators_can_read(server: TestServer) {
    let api = server.api();
    let Reported { case_id, tracking_token: token, cell } = server.api().reported(&sample_report(5)).await;
    let (mut live, start) = watching(&server).await;
    assert_eq!(send_update(&api, &token, json!({"kind": "safe"})).await.status, 201);
    let message = json!({"kind": "message", "message": "وصلنا إلى بيت خالنا"});
    assert_eq!(send_update(&api, &token, message).await.status, 201);
    let events = live.events_until(start + 2).await.unwrap();
    let updates: Vec<&str> = events.iter().map(|e| e["data"]["update"].as_str().unwrap()).collect();
    assert_eq!(updates, ["safe", "message"]);
    assert!(events.iter().all(|e| e["kind"] == "citizen_updated" && e["data"]["cell"].as_str() == cell.as_deref()));

    let detail = server.admin().await.case(&case_id).await.unwrap().body;
    let reports = detail["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[2]["message"], "وصلنا إلى بيت خالنا");
    assert_eq!(detail["case"]["cell"].as_str(), cell.as_deref(), "no move, no new cell");
    assert_eq!(detail["case"]["version"], 1, "a message does not turn an operator's next change into a conflict");
    assert_eq!(timeline_codes(&track(&api, &token).await.body), ["reported", "update_safe", "update_message"]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn updates_missing_what_their_kind_needs_are_refused_by_field() {
    let server = TestServer::start().await;
    let api = server.api();
    let Reported { case_id, tracking_token: token, .. } = server.api().reported(&sample_report(6)).await;
    let nowhere = send_update(&api, &token, json!({"kind": "moved"})).await;
    assert_eq!((nowhere.status, nowhere.body["error"]["field"].as_str()), (422, Some("location")));
    let silent = send_update(&api, &token, json!({"kind": "message", "message": "   "})).await;
    assert_eq!((silent.status, silent.body["error"]["field"].as_str()), (422, Some("message")));
    let unknown_kind = send_update(&api, &token, json!({"kind": "teleported"})).await;
    assert_eq!(unknown_kind.status, 422, "{}", unknown_kind.body);
    let wrong_token = send_update(&api, "x", json!({"kind": "safe"})).await;
    assert_eq!(wrong_token.status, 404);
    let detail = server.admin().await.case(&case_id).await.unwrap().body;
    assert_eq!(detail["reports"].as_array().unwrap().len(), 1, "nothing was stored");
    assert_eq!(detail["events"].as_array().unwrap().len(), 1);
    server.stop().await.unwrap();
}

async fn the_tracking_pages_form_sends_an_update_and_comes_back(server: TestServer) {
    let api = server.api();
    let Reported { case_id, tracking_token: token, .. } = server.api().reported(&sample_report(7)).await;
    let page_before = api.get(&format!("/track/{token}?lang=en")).await.unwrap();
    assert!(page(&page_before).contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(page(&page_before).contains(&format!("action=\"/track/{token}?lang=en\"")));

    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let fields = [
        ("kind", "moved"),
        ("location.place", "بورتسودان"),
        ("location.position", "١٩٫٦١٥٨، ٣٧٫٢١٦٤"),
        ("needs", "water"),
        ("message", "نحن بخير"),
    ];
    let posted = api.send(no_redirects.post(api.url(&format!("/track/{token}?lang=en"))).form(&fields)).await.unwrap();
    assert_eq!(posted.status, 303, "{}", posted.body);
    let location = posted.headers["location"].to_str().unwrap();
    assert_eq!(location, format!("/track/{token}?lang=en&sent=1"));
    let after = api.get(location).await.unwrap();
    assert_eq!(after.status, 200);
    assert!(page(&after).contains("We received your update"));

    let case = server.admin().await.case(&case_id).await.unwrap().body;
    assert_eq!((case["case"]["lat"].as_f64(), case["case"]["lon"].as_f64()), (Some(19.6158), Some(37.2164)));
    assert_eq!(case["reports"][1]["message"], "نحن بخير");

    // A refused update comes back to the page with the message at its field.
    let refused =
        api.send(no_redirects.post(api.url(&format!("/track/{token}?lang=en"))).form(&[("kind", "message")])).await;
    let refused = refused.unwrap();
    assert_eq!(refused.status, 422);
    assert!(field_error(page(&refused), "message").is_some(), "{}", page(&refused));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn the_tracking_page_shows_why_a_position_was_refused() {
    let server = TestServer::start().await;
    let api = server.api();
    let Reported { tracking_token: token, .. } = server.api().reported(&sample_report(9)).await;
    let fields = [("kind", "moved"), ("location.position", "95, 32.5")];
    let refused = api.send(api.http.post(api.url(&format!("/track/{token}?lang=en"))).form(&fields)).await.unwrap();
    assert_eq!(refused.status, 422);
    let html = page(&refused);
    assert_eq!(input_value(html, "location.position"), Some("95, 32.5"), "what was typed is kept");
    let message = field_error(html, "location.position").or_else(|| field_error(html, "location.lat"));
    assert!(message.is_some_and(|m| m.contains("out of range")), "no message says what was wrong: {html}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn json_refusals_of_a_position_name_the_forms_position_field() {
    let server = TestServer::start().await;
    let fields = with(filled_form("en", "form-key-far-north"), "location.position", "95, 32.5");
    let refused = post_form(&server.api(), &fields, true).await;
    assert_eq!((refused.status, refused.error_code()), (422, "out_of_range"));
    assert_eq!(refused.body["error"]["field"], "location.position", "{}", refused.body);
    server.stop().await.unwrap();
}

async fn operators_reissue_and_revoke_tracking_links(server: TestServer) {
    let api = server.api();
    let admin = server.admin().await;
    let Reported { case_id, tracking_token: first, .. } = server.api().reported(&sample_report(8)).await;
    let link = format!("/api/v1/cases/{case_id}/tracking-link");
    let (mut live, start) = watching(&server).await;

    let reissued = admin.send(admin.http.post(admin.url(&link))).await.unwrap();
    assert_eq!(reissued.status, 201, "{}", reissued.body);
    let second = reissued.body["tracking_token"].as_str().unwrap().to_owned();
    assert_eq!(second.len(), 43);
    assert_eq!(reissued.body["tracking_path"], format!("/track/{second}"));
    assert_eq!(track(&api, &first).await.status, 404, "the old link stops working");
    assert_eq!(track(&api, &second).await.status, 200);
    assert_eq!(send_update(&api, &first, json!({"kind": "safe"})).await.status, 404);

    let revoked = admin.send(admin.http.delete(admin.url(&link))).await.unwrap();
    assert_eq!(revoked.status, 204);
    assert_eq!(track(&api, &second).await.status, 404, "nobody can use it any more");

    let events = live.events_until(start + 2).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["tracking_link_reissued", "tracking_link_revoked"]);
    for event in &events {
        assert_eq!(event["case_id"], case_id.as_str());
        let text = event.to_string();
        assert!(!text.contains(&first) && !text.contains(&second), "a token on the live stream: {text}");
    }

    // Only signed-in operators, and only for cases that exist.
    let anonymous = server.api();
    assert_eq!(anonymous.send(anonymous.http.post(anonymous.url(&link))).await.unwrap().status, 401);
    assert_eq!(anonymous.send(anonymous.http.delete(anonymous.url(&link))).await.unwrap().status, 401);
    let nowhere = "/api/v1/cases/00000000-0000-0000-0000-000000000000/tracking-link";
    assert_eq!(admin.send(admin.http.post(admin.url(nowhere))).await.unwrap().status, 404);
    assert_eq!(admin.send(admin.http.delete(admin.url(nowhere))).await.unwrap().status, 404);
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Rate limits on public routes

/// `GET /api/v1/advisories`, optionally as if forwarded for `client`.
async fn public_read(api: &Api, forwarded_for: Option<&str>) -> Reply {
    let mut request = api.http.get(api.url("/api/v1/advisories"));
    if let Some(client) = forwarded_for {
        request = request.header("x-forwarded-for", client);
    }
    api.send(request).await.unwrap()
}

#[tokio::test]
async fn public_requests_over_the_limit_get_429_with_retry_after() {
    let server = TestServer::start_with(|c| c.public_rate_limit = 5).await;
    let api = server.api();
    for n in 0..5 {
        assert_eq!(public_read(&api, None).await.status, 200, "request {n} is within the limit");
    }
    let refused = public_read(&api, None).await;
    assert_eq!((refused.status, refused.error_code()), (429, "rate_limited"));
    let retry_after: u64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // Every public route shares the client's budget.
    assert_eq!(api.get("/").await.unwrap().status, 429);
    assert_eq!(track(&api, "x").await.status, 429);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn form_posts_over_the_limit_are_refused_in_the_forms_language() {
    let server = TestServer::start_with(|c| c.public_rate_limit = 5).await;
    let api = server.api();
    for n in 0..5 {
        assert_eq!(public_read(&api, None).await.status, 200, "request {n}");
    }
    let refused = post_form(&api, &filled_form("ar", "form-key-limited"), true).await;
    assert_eq!((refused.status, refused.error_code()), (429, "rate_limited"));
    assert!(refused.headers.contains_key("retry-after"));
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(has_arabic(message), "an Arabic form gets an Arabic message: {message}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_form_post_over_the_limit_is_refused_and_opens_no_case() {
    let server = TestServer::start_with(|c| c.public_rate_limit = 5).await;
    let admin = server.admin().await; // signing in is public: one of the five
    let api = server.api();
    for n in 0..4 {
        assert_eq!(public_read(&api, None).await.status, 200, "request {n}");
    }
    let refused = post_form(&api, &filled_form("en", "form-key-limited-en"), true).await;
    assert_eq!((refused.status, refused.error_code()), (429, "rate_limited"));
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(admin.all_cases("").await.unwrap().len(), 0);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn operator_routes_and_signed_in_staff_are_not_rate_limited() {
    let server = TestServer::start_with(|c| c.public_rate_limit = 5).await;
    let admin = server.admin().await; // signing in is public: one of the five
    let api = server.api();
    for _ in 0..4 {
        assert_eq!(public_read(&api, None).await.status, 200);
    }
    assert_eq!(public_read(&api, None).await.status, 429, "the address is out of budget");
    for n in 0..20 {
        let cases = admin.get("/api/v1/cases").await.unwrap();
        assert_eq!(cases.status, 200, "operator request {n}");
        // The ops room behind the same address still reads the public advisories.
        assert_eq!(public_read(&admin, None).await.status, 200, "staff public read {n}");
    }
    let forged =
        api.send(api.http.get(api.url("/api/v1/advisories")).header("cookie", "opsroom_session=forged")).await.unwrap();
    assert_eq!(forged.status, 429, "a cookie that is no session counts like anyone");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn forwarded_for_counts_separately_only_behind_a_trusted_proxy() {
    let proxy: IpAddr = "127.0.0.1".parse().unwrap();
    let behind_proxy = TestServer::start_with(|c| {
        c.public_rate_limit = 5;
        c.trusted_proxies = vec![proxy];
    })
    .await;
    let api = behind_proxy.api();
    for _ in 0..5 {
        assert_eq!(public_read(&api, Some("203.0.113.1")).await.status, 200);
    }
    assert_eq!(public_read(&api, Some("203.0.113.1")).await.status, 429, "the first client is out of budget");
    assert_eq!(public_read(&api, Some("203.0.113.2")).await.status, 200, "another client has its own");
    behind_proxy.stop().await.unwrap();

    let direct = TestServer::start_with(|c| c.public_rate_limit = 5).await;
    let api = direct.api();
    for n in 1..=5 {
        assert_eq!(public_read(&api, Some(&format!("203.0.113.{n}"))).await.status, 200);
    }
    let spoofed = public_read(&api, Some("203.0.113.99")).await;
    assert_eq!(spoofed.status, 429, "without a trusted proxy the header is ignored");
    direct.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// What the security review found: each case pinned

async fn a_plea_on_a_finished_case_reopens_it_but_we_are_safe_does_not(server: TestServer) {
    let admin = server.admin().await;
    let api = server.api();
    let Reported { case_id, tracking_token: token, .. } = server.api().reported(&sample_report(21)).await;
    let status = |to: &str, version: u64| json!({"status": to, "version": version, "reason": "done"});
    for (to, version) in [("triaged", 1), ("in_progress", 2), ("resolved", 3)] {
        let moved = admin.post(&format!("/api/v1/cases/{case_id}/status"), status(to, version)).await;
        assert_eq!(moved.status, 200, "{}", moved.body);
    }
    assert_eq!(send_update(&api, &token, json!({"kind": "safe"})).await.status, 201);
    let case = admin.case(&case_id).await.unwrap();
    assert_eq!(case.body["case"]["status"], "resolved", "'we are safe' on a resolved case changes nothing");

    let plea = json!({"kind": "message", "message": "my son is bleeding, we still need help"});
    assert_eq!(send_update(&api, &token, plea).await.status, 201);
    let case = admin.case(&case_id).await.unwrap();
    assert_eq!(case.body["case"]["status"], "triaged", "the plea reopens the case for an operator");
    let view = track(&api, &token).await.body;
    assert_eq!(view["status"], "triaged");
    assert!(timeline_codes(&view).contains(&"update_message_reopened".to_owned()));
    server.stop().await.unwrap();
}

async fn only_the_assigned_operator_or_a_supervisor_changes_a_tracking_link(server: TestServer) {
    let (nafisa, nafisa_id) = server.user("nafisa", "operator").await;
    let Reported { case_id, .. } = server.api().reported(&sample_report(22)).await;
    let link = format!("/api/v1/cases/{case_id}/tracking-link");
    let refused = nafisa.send(nafisa.http.post(nafisa.url(&link))).await.unwrap();
    assert_eq!((refused.status, refused.error_code()), (403, "forbidden"));
    let assigned =
        nafisa.post(&format!("/api/v1/cases/{case_id}/assignment"), json!({"user_id": nafisa_id, "version": 1})).await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(nafisa.send(nafisa.http.post(nafisa.url(&link))).await.unwrap().status, 201);
    server.stop().await.unwrap();
}

async fn a_spent_form_key_is_replaced_so_the_form_can_be_sent(server: TestServer) {
    let api = server.api();
    let first = with(filled_form("en", "spent-key"), "people[0].name", "Amal");
    assert_eq!(post_form(&api, &first, false).await.status, 201);
    let other = with(filled_form("en", "spent-key"), "people[0].name", "Bashir");
    let refused = post_form(&api, &other, false).await;
    assert_eq!(refused.status, 422);
    let html = page(&refused);
    let key = input_value(html, "idempotency_key").unwrap();
    assert_ne!(key, "spent-key", "a fresh key");
    assert!(element_text(html, "error summary").is_some_and(|s| s.contains("already used")), "{html}");
    let resent = post_form(&api, &with(other, "idempotency_key", key), false).await;
    assert_eq!(resent.status, 201);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn tokens_that_are_not_utf8_get_the_same_404_as_unknown_ones() {
    let server = TestServer::start().await;
    let api = server.api();
    let unknown = track(&api, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    let broken = track(&api, "%FF%FE").await;
    assert_eq!((broken.status, &broken.body), (404, &unknown.body));
    let unknown_page = api.get("/track/unknown").await.unwrap();
    let broken_page = api.get("/track/%FF").await.unwrap();
    assert_eq!((broken_page.status, &broken_page.body), (404, &unknown_page.body));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn pages_read_their_query_leniently() {
    let server = TestServer::start().await;
    let reply = server.api().get("/?lang=en&lang=ar&utm_source=x").await.unwrap();
    assert_eq!(reply.status, 200);
    assert!(page(&reply).contains(r#"<html lang="en""#), "the first lang wins");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn positions_out_of_range_and_text_that_is_not_text_are_refused() {
    let server = TestServer::start().await;
    let api = server.api();
    let off_the_globe = with(filled_form("en", "range-key"), "location.position", "95, 32.5");
    let refused = post_form(&api, &off_the_globe, true).await;
    assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some("location.position")));
    let report = json!({"people": [{"name": "Head\u{FFFE}line"}]});
    let refused = api.post_report(&report, None).await.unwrap();
    assert_eq!((refused.status, refused.error_code()), (422, "control_character"));
    server.stop().await.unwrap();
}

async fn the_tracking_form_starts_from_the_needs_the_case_has(server: TestServer) {
    let report = json!({"language": "en", "people": [{"name": "Rasha"}], "needs": ["water", "food"]});
    let Reported { tracking_token: token, .. } = server.api().reported(&report).await;
    let reply = server.api().get(&format!("/track/{token}")).await.unwrap();
    let html = page(&reply);
    for need in ["water", "food"] {
        assert!(html.contains(&format!(r#"value="{need}" checked"#)), "{need} ticked: {html}");
    }
    assert!(!html.contains(r#"value="medical" checked"#));
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Every mistake at once, who runs the pages, local times

#[tokio::test]
async fn the_api_names_every_refused_field_of_a_report_at_once() {
    let server = TestServer::start().await;
    let report = json!({
        "reporter": {"phone": "12"},
        "location": {"lat": 95.0, "lon": 32.5},
        "people": [{"name": "Amna", "age": 240}],
    });
    let refused = server.api().post_report(&report, None).await.unwrap();
    assert_eq!(refused.status, 422, "{}", refused.body);
    let error = &refused.body["error"];
    let fields: Vec<_> = error["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["reporter.phone", "location.lat", "people[0].age"]);
    let codes: Vec<_> = error["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["phone_wrong_length", "out_of_range", "out_of_range"]);
    // Clients that read only the first keep working: it is also at the top.
    assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("phone_wrong_length"), Some("reporter.phone")));
    assert_eq!(error["message"], error["errors"][0]["message"]);
    assert_eq!(server.admin().await.all_cases("").await.unwrap().len(), 0, "nothing stored");

    // A request refused for one reason only keeps the old shape.
    let one = server.api().post_report(&json!({"people": [{"name": "Amna", "age": 240}]}), None).await.unwrap();
    assert_eq!(one.body["error"]["field"], "people[0].age");
    server.stop().await.unwrap();
}

/// Three mistakes in the form: a phone without a country code, an age that is not a number (the
/// form's own refusal) and a position off the globe.
fn three_mistakes(lang: &'static str, key: &'static str) -> Vec<(&'static str, &'static str)> {
    let fields = with(filled_form(lang, key), "reporter.phone", "12");
    let fields = with(fields, "people[2].age", "nine");
    with(fields, "location.position", "95, 32.5")
}

#[tokio::test]
async fn the_form_names_every_mistake_at_once_with_and_without_javascript() {
    let server = TestServer::start().await;
    let api = server.api();
    // form.js asks for JSON: every refusal, under the form's names, in the page's language.
    let refused = post_form(&api, &three_mistakes("ar", "three-json"), true).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let errors = refused.body["error"]["errors"].as_array().unwrap();
    let mut fields: Vec<_> = errors.iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["location.position", "people[2].age", "reporter.phone"]);
    assert!(errors.iter().all(|e| has_arabic(e["message"].as_str().unwrap())), "{errors:?}");

    // A plain post: the page again, a message at each field, a summary linking to each, and the
    // first refused field in the page's order focused by the browser.
    let refused = post_form(&api, &three_mistakes("en", "three-html"), false).await;
    assert_eq!(refused.status, 422);
    let html = page(&refused);
    for field in ["reporter.phone", "people[2].age", "location.position"] {
        assert!(field_error(html, field).is_some(), "a message at {field}: {html}");
    }
    let ids = ["f-reporter-phone", "f-location-position", "f-people-2--age"];
    for id in ids {
        assert!(html.contains(&format!("href=\"#{id}\"")), "the summary links to {id}");
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} exists");
    }
    let links: Vec<usize> = ids.iter().map(|id| html.find(&format!("href=\"#{id}\"")).unwrap()).collect();
    assert!(links.is_sorted(), "the summary lists them in the page's order");
    let first_focus = html.find(" autofocus").expect("a refused field has autofocus");
    let focused_tag = &html[html[..first_focus].rfind('<').unwrap()..first_focus];
    assert!(focused_tag.contains("name=\"reporter.phone\""), "the first in the page is focused: {focused_tag}");
    assert!(html.contains("<details class=\"more\" open"), "more detail opens to show its refusals");
    assert_eq!(server.admin().await.all_cases("").await.unwrap().len(), 0);
    server.stop().await.unwrap();
}

async fn a_frightened_person_may_send_only_me_a_phone_a_place_and_a_need(server: TestServer) {
    let fields = [
        ("lang", "en"),
        ("idempotency_key", "only-me"),
        ("people[0].name", ""),
        ("relation", "self"),
        ("reporter.phone_cc", "SD"),
        ("reporter.phone", "0912345678"),
        ("location.place", "Bahri, near the blue mosque"),
        ("needs", "water"),
    ];
    let sent = post_form(&server.api(), &fields, true).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    // Free text where coordinates go is kept as the place, for the operators to place.
    let described = with(filled_form("en", "described"), "location.position", "behind the old market");
    let sent = post_form(&server.api(), &described, true).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let admin = server.admin().await;
    let cases = admin.all_cases("").await.unwrap();
    let places: Vec<String> = cases.iter().filter_map(|c| c["place"].as_str().map(str::to_owned)).collect();
    assert!(places.iter().any(|p| p.contains("behind the old market")), "{places:?}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn every_public_page_says_who_runs_it_and_how_to_reach_them() {
    let server = TestServer::start_with(|config| {
        config.contact.ministry_en = "Ministry of Emigration".into();
        config.contact.ministry_ar = "وزارة الهجرة".into();
        config.contact.hotline = Some("+20212345678".into());
        config.contact.whatsapp = Some("+201001234567".into());
    })
    .await;
    let api = server.api();
    let form = api.get("/?lang=en").await.unwrap();
    let bad_link = api.get("/track/not-a-real-token").await.unwrap();
    let report = json!({"language": "ar", "people": [{"name": "Rasha"}]});
    let Reported { tracking_token: token, .. } = server.api().reported(&report).await;
    let tracking = api.get(&format!("/track/{token}")).await.unwrap();
    let confirmation = post_form(&api, &filled_form("en", "contact-key"), false).await;
    for (name, reply, ministry) in [
        ("form", &form, "Ministry of Emigration"),
        ("bad link", &bad_link, "وزارة الهجرة"),
        ("tracking", &tracking, "وزارة الهجرة"),
        ("confirmation", &confirmation, "Ministry of Emigration"),
    ] {
        let html = page(reply);
        assert!(html.contains(ministry), "{name} names the ministry");
        assert!(
            html.contains(r#"<a href="tel:+20212345678"><bdi dir="ltr">+20212345678</bdi></a>"#),
            "{name}: the hotline, tappable, left to right"
        );
        assert!(html.contains(r#"<a href="https://wa.me/201001234567">"#), "{name}: WhatsApp");
    }
    let html = page(&confirmation);
    assert!(html.contains("An operator will call you from"), "what happens next");
    assert!(html.contains("If you are in immediate danger now"), "{html}");
    assert!(html.contains(r#"button class="copy""#) && html.contains(r#"button class="share""#));

    // Times on the tracking page are the room's (Cairo: UTC+2 or +3), said once.
    let html = page(&tracking);
    assert!(html.contains("الأوقات بتوقيت <bdi dir=\"ltr\">Africa/Cairo</bdi>"), "{html}");
    assert!(!html.contains(" UTC<"), "no UTC times");
    server.stop().await.unwrap();
}

opsroom_tests::on_both_backends!(
    a_plain_form_post_opens_a_case_and_confirms_it_with_a_tracking_link,
    a_form_post_asking_for_json_gets_the_apis_answer,
    the_same_form_sent_twice_opens_one_case,
    a_tracking_link_shows_the_case_in_plain_words,
    the_timeline_shows_progress_but_never_notes_priorities_or_operators,
    wrong_malformed_and_revoked_tokens_get_the_same_404,
    a_moved_update_moves_the_case_and_streams_to_operators,
    a_needs_update_raises_the_priority_and_never_lowers_it,
    safe_and_message_updates_are_reports_operators_can_read,
    the_tracking_pages_form_sends_an_update_and_comes_back,
    operators_reissue_and_revoke_tracking_links,
    a_plea_on_a_finished_case_reopens_it_but_we_are_safe_does_not,
    only_the_assigned_operator_or_a_supervisor_changes_a_tracking_link,
    a_spent_form_key_is_replaced_so_the_form_can_be_sent,
    the_tracking_form_starts_from_the_needs_the_case_has,
    a_frightened_person_may_send_only_me_a_phone_a_place_and_a_need,
);
