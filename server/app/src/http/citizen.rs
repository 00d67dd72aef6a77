//! The public pages: the report form (`/`) and the tracking page (`/track/{token}`), rendered on
//! the server so they work without JavaScript on any phone. `web/public/src/form.js` adds the
//! conveniences (location, place picker, more people, drafts, the offline queue) on top.
//!
//! Owns the pages' HTML and the form round trip: a form post goes through the same validation
//! and intake as the JSON API (`citizen_form` converts it), and a refused one comes back with
//! everything typed still in place and each message next to its field, in the page's language.
//! A post asking for JSON (`Accept: application/json`, what form.js sends) gets the API's answer
//! with localized messages and the form's field names.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::report::{Channel, Language, NewReport};

use crate::http::advisories::current_advisories;
use crate::http::citizen_form::{self, BLANK_PERSON_ROWS, ConvertedReport, FormFields, HONEYPOT, KEY_FIELD};
use crate::http::citizen_text::{self as text, COUNTRY_CODES, Words, flag_label, need_label, words};
use crate::http::error::{ApiError, ErrorBody, Problem};
use crate::http::extract::{JsonBody, unreadable_body};
use crate::http::pages::{asset_url, with_csp};
use crate::http::rate_limit::Admission;
use crate::http::reports::{IDEMPOTENCY_FIELD, PUBLIC_SCOPE, checked_key, idempotency_key, intake};
use crate::http::tracking::{TokenPath, TrackingView, send_update, tracked_case, tracking_view};
use crate::secrets;
use crate::server::AppState;
use crate::wire::{AdvisoryBody, ReportAccepted, ReportRequest, TrackingUpdateRequest};

/// The pages' query (`?lang=en`, `&sent=1`), read leniently: a page never refuses a link over
/// a repeated or unknown parameter.
#[derive(Debug, Default)]
pub struct PageQuery {
    lang: Option<String>,
    /// Set after an update was sent (the page after the redirect says so).
    sent: bool,
}

impl PageQuery {
    pub(crate) fn from_raw(raw: Option<String>) -> Self {
        let pairs: Vec<(String, String)> =
            raw.and_then(|raw| serde_urlencoded::from_str(&raw).ok()).unwrap_or_default();
        let first = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        Self { lang: first("lang"), sent: first("sent").is_some() }
    }
}

/// A refusal shown on a page: a general line at the top, and one message per field.
#[derive(Debug, Default)]
struct Refusal {
    summary: Option<String>,
    fields: Vec<(String, String)>,
}

impl Refusal {
    fn from_problem(problem: &Problem, language: Language) -> Self {
        let message = text::localize(problem, language);
        match &problem.field {
            // The key is the form's own hidden field: nothing to mark, the message says it all.
            Some(field) if field != IDEMPOTENCY_FIELD => {
                Self { summary: Some(words(language).check_fields.to_owned()), fields: vec![(field.clone(), message)] }
            }
            _ => Self { summary: Some(message), fields: Vec::new() },
        }
    }

    fn at(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn html_response(app: &AppState, status: StatusCode, page: Markup) -> Response {
    let response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.into_string()).into_response();
    with_csp(app, response)
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// The page frame: language, direction, the stylesheet, the language switch.
fn layout(w: &Words, title: &str, switch_href: &str, script: bool, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(w.lang) dir=(w.dir) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                // No icon to fetch: one request less on a bad connection.
                link rel="icon" href="data:,";
                title { (title) }
                link rel="stylesheet" href=(asset_url("/static/form.css"));
                @if script { script src=(asset_url("/static/form.js")) defer {} }
            }
            body {
                header {
                    h1 { (title) }
                    a.lang href=(switch_href) lang=(w.other_lang) hreflang=(w.other_lang) { (w.other_lang_name) }
                }
                main { (main) }
            }
        }
    }
}

fn advisories_section(w: &Words, language: Language, advisories: &[AdvisoryBody]) -> Markup {
    let pick = |t: &crate::wire::BilingualText| if language == Language::Ar { t.ar.clone() } else { t.en.clone() };
    html! {
        @if !advisories.is_empty() {
            section.advisories aria-labelledby="advisories-title" {
                h2 #advisories-title { (w.advisories) }
                @for a in advisories {
                    article class={ "advisory " (severity_class(a)) } {
                        // Each text in an isolate of its own, as everywhere a typed value is shown.
                        h3 { bdi { (pick(&a.headline)) } }
                        p { bdi { (pick(&a.body)) } }
                        @if let Some(instruction) = &a.instruction { p.instruction { strong { bdi { (pick(instruction)) } } } }
                        @if a.area.is_some() || a.cells.is_some() { p.meta { (w.for_area) } }
                        @if let Some(expires) = &a.expires_at { p.meta { (w.expires) " " bdi dir="ltr" { (short_time(expires)) } } }
                    }
                }
            }
        }
    }
}

fn severity_class(a: &AdvisoryBody) -> &'static str {
    match a.severity {
        opsroom_domain::advisory::Severity::Extreme | opsroom_domain::advisory::Severity::Severe => "severe",
        _ => "info",
    }
}

/// `2023-04-15T09:30:00.000Z` as `2023-04-15 09:30 UTC`.
fn short_time(rfc3339: &str) -> String {
    let minutes = rfc3339.get(..16).unwrap_or(rfc3339);
    format!("{} UTC", minutes.replace('T', " "))
}

fn field_error(refusal: &Refusal, name: &str) -> Markup {
    html! { @if let Some(message) = refusal.at(name) { span.error role="alert" data-for=(name) { (message) } } }
}

/// A labelled text input carrying its typed value and its error.
fn text_input(label: &str, name: &str, kind: &str, fields: &FormFields, refusal: &Refusal, ltr: bool) -> Markup {
    let mode = match kind {
        "numeric" => Some("numeric"),
        "decimal" => Some("decimal"),
        _ => None,
    };
    let input_type = if kind == "tel" { "tel" } else { "text" };
    html! {
        label {
            span { (label) }
            input type=(input_type) name=(name) value=[fields.get(name)] inputmode=[mode] dir=[ltr.then_some("ltr")]
                aria-invalid=[refusal.at(name).map(|_| "true")] autocomplete="off";
            (field_error(refusal, name))
        }
    }
}

fn phone_input(
    w: &Words,
    language: Language,
    label: &str,
    prefix: &str,
    fields: &FormFields,
    refusal: &Refusal,
) -> Markup {
    let cc_name = format!("{prefix}phone_cc");
    let chosen = fields.get(&cc_name).unwrap_or("+249");
    let name = format!("{prefix}phone");
    html! {
        div.phone {
            span.label { (label) }
            span.row dir="ltr" {
                select name=(cc_name) aria-label=(w.phone) {
                    @for (code, ar, en) in COUNTRY_CODES {
                        option value=(code) selected[code == chosen] { (code) " " (if language == Language::Ar { ar } else { en }) }
                    }
                }
                input type="tel" name=(name) value=[fields.get(&name)] aria-label=(label) inputmode="tel" autocomplete="off"
                    aria-invalid=[refusal.at(&name).map(|_| "true")];
            }
            (field_error(refusal, &name))
        }
    }
}

fn person_row(w: &Words, language: Language, row: usize, fields: &FormFields, refusal: &Refusal) -> Markup {
    let name = |field: &str| format!("people[{row}].{field}");
    let sex_name = name("sex");
    let sex = fields.get(&sex_name).unwrap_or("unknown");
    html! {
        fieldset.person data-row=(row) {
            legend { (w.person) " " (row + 1) }
            (field_error(refusal, &format!("people[{row}]")))
            (text_input(w.name, &name("name"), "text", fields, refusal, false))
            div.pair {
                (text_input(w.age, &name("age"), "numeric", fields, refusal, true))
                label {
                    span { (w.sex) }
                    select name=(sex_name) {
                        @for (value, label) in [("unknown", w.unknown), ("female", w.female), ("male", w.male)] {
                            option value=(value) selected[value == sex] { (label) }
                        }
                    }
                }
            }
            (text_input(w.passport, &name("passport"), "text", fields, refusal, true))
            (phone_input(w, language, w.phone, &format!("people[{row}]."), fields, refusal))
        }
    }
}

fn checkboxes<T: Copy>(
    name: &str,
    items: &[T],
    value: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    chosen: &[&str],
) -> Markup {
    html! {
        div.checks {
            @for item in items {
                label.check {
                    input type="checkbox" name=(name) value=(value(*item)) checked[chosen.contains(&value(*item))];
                    span { (label(*item)) }
                }
            }
        }
    }
}

fn form_page(
    language: Language,
    fields: &FormFields,
    refusal: &Refusal,
    key: &str,
    advisories: &[AdvisoryBody],
) -> Markup {
    let w = words(language);
    let relation = fields.get("relation").unwrap_or("");
    let rows = fields.person_rows().max(BLANK_PERSON_ROWS);
    let main = html! {
        (advisories_section(w, language, advisories))
        p.intro { (w.intro) }
        (queued_section(language))
        @if let Some(summary) = &refusal.summary { p.error.summary role="alert" { (summary) } }
        form #report method="post" action={ "/?lang=" (w.lang) } novalidate data-sending=(w.sending) data-queued=(w.queued)
            data-draft=(w.draft_saved) data-check=(w.check_fields) data-received=(w.received) data-reference=(w.reference)
            data-follow=(w.follow) data-private=(w.keep_private) data-another=(w.another) data-remove="×" {
            input type="hidden" name="lang" value=(w.lang);
            input type="hidden" name=(KEY_FIELD) value=(key);
            fieldset {
                legend { (w.for_whom) }
                div.checks {
                    @for (value, label) in text::relations(language) {
                        @let value = serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        label.check { input type="radio" name="relation" value=(value) checked[value == relation]; span { (label) } }
                    }
                }
                (field_error(refusal, "relation"))
            }
            fieldset {
                legend { (w.where_they_are) }
                label {
                    span { (w.place) }
                    input type="text" name="location.place" value=[fields.get("location.place")] list="places" autocomplete="off"
                        aria-describedby="place-hint" aria-invalid=[refusal.at("location.place").map(|_| "true")];
                    small #place-hint { (w.place_hint) }
                    (field_error(refusal, "location.place"))
                }
                datalist #places {}
                label {
                    span { (w.position) }
                    input type="text" name="location.position" value=[fields.get("location.position")] inputmode="decimal" dir="ltr"
                        placeholder=(w.position_hint) autocomplete="off" aria-invalid=[refusal.at("location.position").map(|_| "true")];
                    (field_error(refusal, "location.position"))
                }
                input type="hidden" name="location.accuracy_m" value=[fields.get("location.accuracy_m")];
                button.locate type="button" hidden { (w.use_my_location) }
            }
            fieldset #people {
                legend { (w.people) }
                (field_error(refusal, "people"))
                @for row in 0..rows { (person_row(w, language, row, fields, refusal)) }
                button.add type="button" hidden { (w.add_person) }
            }
            fieldset {
                legend { (w.needs) }
                (checkboxes("needs", &Need::ALL, Need::as_str, |n| need_label(n, language), &fields.all("needs").collect::<Vec<_>>()))
                (field_error(refusal, "needs"))
            }
            fieldset {
                legend { (w.situation) }
                (checkboxes("flags", &Flag::ALL, Flag::as_str, |f| flag_label(f, language), &fields.all("flags").collect::<Vec<_>>()))
                (field_error(refusal, "flags"))
            }
            fieldset {
                legend { (w.about_you) }
                (text_input(w.your_name, "reporter.name", "text", fields, refusal, false))
                (phone_input(w, language, w.your_phone, "reporter.", fields, refusal))
                (text_input(w.where_you_are, "reporter.place", "text", fields, refusal, false))
            }
            label {
                span { (w.message) }
                textarea name="message" rows="4" aria-invalid=[refusal.at("message").map(|_| "true")] { (fields.get("message").unwrap_or("")) }
                (field_error(refusal, "message"))
            }
            // The honeypot: hidden from people (CSS and the accessibility tree), filled by bots.
            div.hp aria-hidden="true" {
                label { (w.leave_empty) input type="text" name=(HONEYPOT) tabindex="-1" autocomplete="off"; }
            }
            p #status role="status" aria-live="polite" {}
            button.send type="submit" { (w.send) }
            button.clear type="button" hidden { (w.clear_form) }
        }
    };
    layout(w, w.title, &format!("/?lang={}", w.other_lang), true, main)
}

/// Where form.js lists the reports still waiting on the phone (offline.js's queue), each with
/// "edit" and "cancel"; hidden until it has one, and never shown without JavaScript (no queue).
fn queued_section(language: Language) -> Markup {
    let o = text::offline_words(language);
    html! {
        section #queued hidden aria-labelledby="queued-title" data-edit=(o.edit) data-cancel=(o.cancel)
            data-cancelled=(o.cancelled) data-unnamed=(o.unnamed) {
            h2 #queued-title { (o.waiting) }
            ul {}
        }
    }
}

fn confirmation_page(language: Language, accepted: &ReportAccepted, advisories: &[AdvisoryBody]) -> Markup {
    let w = words(language);
    let link = format!("/track/{}?lang={}", accepted.tracking_token, w.lang);
    let main = html! {
        section.done {
            h2 { (w.received) }
            p { (w.reference) ": " strong.reference dir="ltr" { (accepted.reference) } }
            p { (w.follow) }
            p { a.track href=(link) dir="ltr" { (link) } }
            p.warning { (w.keep_private) }
            p { a href={ "/?lang=" (w.lang) } { (w.another) } }
        }
        (advisories_section(w, language, advisories))
    };
    layout(w, w.title, &format!("/?lang={}", w.other_lang), false, main)
}

/// `GET /`: the report form.
pub async fn get_form(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = PageQuery::from_raw(query);
    let language = text::language_from(query.lang.as_deref());
    if let Err(limited) = admitted {
        // Still the form, so the person can fill it in and send it a minute later.
        return Ok(refused(&app, false, language, &FormFields::default(), limited).await);
    }
    let advisories = advisory_bodies(&app).await;
    let page = form_page(language, &FormFields::default(), &Refusal::default(), &secrets::new_token(), &advisories);
    Ok(html_response(&app, StatusCode::OK, page))
}

/// The current advisories for a page; a page still shows (without them) if they cannot be read.
async fn advisory_bodies(app: &AppState) -> Vec<AdvisoryBody> {
    match current_advisories(app).await {
        Ok(advisories) => advisories.iter().map(AdvisoryBody::from).collect(),
        Err(error) => {
            tracing::warn!(%error, "advisories could not be read for a public page");
            Vec::new()
        }
    }
}

/// `POST /`: a report from the form. HTML back for a plain form post, JSON for form.js.
pub async fn post_form(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let json = wants_json(&headers);
    let body = match body.map_err(unreadable_body) {
        Ok(body) => body,
        // Nothing of the form could be read, not even its language: Arabic, the default.
        Err(error) => return refused(&app, json, Language::Ar, &FormFields::default(), error).await,
    };
    let fields = match FormFields::parse(&body) {
        Ok(fields) => fields,
        Err(problem) => {
            return refused(&app, json, Language::Ar, &FormFields::default(), ApiError::BadRequest(problem)).await;
        }
    };
    let language = text::language_from(fields.get("lang"));
    if let Err(limited) = admitted {
        return refused(&app, json, language, &fields, limited).await;
    }
    match submit(&app, &headers, &fields).await {
        Ok(accepted) if json => (StatusCode::CREATED, Json(accepted)).into_response(),
        Ok(accepted) => {
            let advisories = advisory_bodies(&app).await;
            html_response(&app, StatusCode::CREATED, confirmation_page(language, &accepted, &advisories))
        }
        Err(error) => refused(&app, json, language, &fields, error).await,
    }
}

/// Validate and store the form's report; refusals name the form's own fields.
async fn submit(app: &AppState, headers: &HeaderMap, fields: &FormFields) -> Result<ReportAccepted, ApiError> {
    if fields.is_bot() {
        return Err(ApiError::Unprocessable(Problem::new(
            "honeypot",
            "leave the hidden field empty",
            Some(HONEYPOT.into()),
        )));
    }
    let key = match fields.get(KEY_FIELD) {
        Some(key) => checked_key(Some(key))?,
        None => idempotency_key(headers)?,
    };
    let converted = citizen_form::report(fields).map_err(ApiError::Unprocessable)?;
    let on_form = |error: ApiError, converted: &ConvertedReport| match error {
        ApiError::Unprocessable(mut p) => {
            p.field = p.field.map(|f| converted.form_field(&f));
            ApiError::Unprocessable(p)
        }
        other => other,
    };
    let body = JsonBody(converted.json.clone());
    let request: ReportRequest = body.parse().map_err(|e| on_form(e, &converted))?;
    let report = NewReport::parse(&request.to_domain(), Channel::Web).map_err(|r| on_form(r.into(), &converted))?;
    let (_, Json(accepted)) = intake(app, key, &body, report, PUBLIC_SCOPE).await?;
    Ok(accepted)
}

/// A refused form post: the form again with everything typed, or the API's error in JSON; either
/// way in the page's language.
async fn refused(app: &AppState, json: bool, language: Language, fields: &FormFields, error: ApiError) -> Response {
    let (status, mut problem) = error.status_and_problem();
    if status.is_server_error() {
        tracing::error!(%error, "public form post failed");
    }
    problem.message = text::localize(&problem, language);
    let mut response = if json {
        (status, Json(ErrorBody { error: problem })).into_response()
    } else {
        let refusal = Refusal::from_problem(&problem, language);
        // A key already spent on another report would refuse every retry: give the form a new one.
        let spent = problem.code == "idempotency_key_reused";
        let key = match fields.get(KEY_FIELD) {
            Some(key) if !spent => key.to_owned(),
            _ => secrets::new_token(),
        };
        // Over the rate limit, answer without reading anything.
        let advisories =
            if matches!(error, ApiError::TooManyRequests(_)) { Vec::new() } else { advisory_bodies(app).await };
        html_response(app, status, form_page(language, fields, &refusal, &key, &advisories))
    };
    let retry_after = match &error {
        ApiError::TooManyRequests(seconds) => Some(*seconds),
        ApiError::Unavailable(_) => Some(2),
        _ => None,
    };
    if let Some(value) = retry_after.and_then(|s| s.to_string().parse().ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn tracking_page(
    language: Language,
    token: &str,
    view: &TrackingView,
    refusal: &Refusal,
    fields: &FormFields,
    sent: bool,
) -> Markup {
    let w = words(language);
    let pick = |t: &crate::wire::BilingualText| if language == Language::Ar { t.ar.clone() } else { t.en.clone() };
    let chosen = fields.get("kind").unwrap_or("message");
    let submitted = fields.get("kind").is_some();
    let ticked_needs: Vec<&str> =
        if submitted { fields.all("needs").collect() } else { view.needs.iter().map(|n| n.as_str()).collect() };
    let ticked_flags: Vec<&str> =
        if submitted { fields.all("flags").collect() } else { view.flags.iter().map(|f| f.as_str()).collect() };
    let main = html! {
        section.status {
            p { (w.case) ": " strong.reference dir="ltr" { (view.reference) } }
            p.state data-status=(view.status) { (pick(&view.status_text)) }
            p.meta { (w.reported) " " bdi dir="ltr" { (short_time(&view.reported_at)) } }
        }
        (advisories_section(w, language, &view.advisories))
        section {
            h2 { (w.what_happened) }
            ol.timeline {
                @for item in &view.timeline {
                    li { time dir="ltr" datetime=(item.at) { (short_time(&item.at)) } " " span { (pick(&item.text)) } }
                }
            }
        }
        section {
            h2 { (w.send_update) }
            @if sent { p.ok role="status" { (w.update_sent) } }
            @if let Some(summary) = &refusal.summary { p.error.summary role="alert" { (summary) } }
            form method="post" action={ "/track/" (token) "?lang=" (w.lang) } novalidate {
                div.checks {
                    @for (value, label) in w.update_kinds {
                        label.check { input type="radio" name="kind" value=(value) checked[value == chosen]; span { (label) } }
                    }
                }
                (field_error(refusal, "kind"))
                fieldset {
                    legend { (w.update_kinds[0].1) ": " (w.where_they_are) }
                    (text_input(w.place, "location.place", "text", fields, refusal, false))
                    (text_input(w.position, "location.position", "decimal", fields, refusal, true))
                    (field_error(refusal, "location"))
                }
                fieldset {
                    legend { (w.update_kinds[2].1) ": " (w.needs) }
                    // Ticked as the case stands (or as just submitted): a needs update replaces the list.
                    (checkboxes("needs", &Need::ALL, Need::as_str, |n| need_label(n, language), &ticked_needs))
                    (checkboxes("flags", &Flag::ALL, Flag::as_str, |f| flag_label(f, language), &ticked_flags))
                }
                label {
                    span { (w.message) }
                    textarea name="message" rows="3" { (fields.get("message").unwrap_or("")) }
                    (field_error(refusal, "message"))
                }
                button.send type="submit" { (w.send_update) }
            }
        }
    };
    let switch = format!("/track/{token}?lang={}", w.other_lang);
    layout(w, &format!("{} {}", w.case, view.reference), &switch, false, main)
}

/// The answer to every token that does not open a case: same status, same body.
fn bad_link(app: &AppState, language: Language) -> Response {
    let w = words(language);
    notice_page(app, StatusCode::NOT_FOUND, language, w.bad_link, w.bad_link_help)
}

/// A page with one message and the way to a new report.
pub(crate) fn notice_page(
    app: &AppState,
    status: StatusCode,
    language: Language,
    heading: &str,
    text: &str,
) -> Response {
    let w = words(language);
    let main = html! {
        section.done {
            h2 { (heading) }
            p { (text) }
            p { a href={ "/?lang=" (w.lang) } { (w.new_report) } }
        }
    };
    let switch = format!("/?lang={}", w.other_lang);
    html_response(app, status, layout(w, heading, &switch, false, main))
}

/// A refused tracking-page request (over the rate limit, a body too large): the reason in the
/// page's language, `Retry-After` kept.
fn refusal_page(app: &AppState, language: Language, refusal: ApiError) -> Response {
    let (status, problem) = refusal.status_and_problem();
    let mut response = notice_page(app, status, language, words(language).title, &text::localize(&problem, language));
    if let ApiError::TooManyRequests(seconds) = refusal
        && let Ok(value) = seconds.to_string().parse()
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

pub(crate) fn page_language(query: &PageQuery, case_language: Option<&str>) -> Language {
    text::language_from(query.lang.as_deref().or(case_language))
}

/// `GET /track/{token}`: the citizen's view of their case.
pub async fn get_tracking_page(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    TokenPath(token): TokenPath,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = PageQuery::from_raw(query);
    if let Err(limited) = admitted {
        return Ok(refusal_page(&app, page_language(&query, None), limited));
    }
    let detail = match tracked_case(&app, &token).await {
        Ok(detail) => detail,
        Err(ApiError::NotFound) => return Ok(bad_link(&app, page_language(&query, None))),
        Err(other) => return Err(other),
    };
    let view = tracking_view(&app, &detail).await?;
    let language = page_language(&query, Some(&view.language));
    let page = tracking_page(language, &token, &view, &Refusal::default(), &FormFields::default(), query.sent);
    Ok(html_response(&app, StatusCode::OK, page))
}

/// `POST /track/{token}`: an update from the tracking page's form; back to the page when sent.
pub async fn post_tracking_page(
    State(app): State<AppState>,
    Admission(admitted): Admission,
    TokenPath(token): TokenPath,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let query = PageQuery::from_raw(query);
    if let Err(limited) = admitted {
        return Ok(refusal_page(&app, page_language(&query, None), limited));
    }
    let language = page_language(&query, None);
    let fields =
        match body.map_err(unreadable_body).and_then(|body| FormFields::parse(&body).map_err(ApiError::BadRequest)) {
            Ok(fields) => fields,
            Err(refusal) => return Ok(refusal_page(&app, language, refusal)),
        };
    let sent = async {
        let json = citizen_form::update(&fields).map_err(ApiError::Unprocessable)?;
        let request: TrackingUpdateRequest = JsonBody(json).parse()?;
        send_update(&app, &token, &request.to_domain()).await
    }
    .await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/track/{token}?lang={}&sent=1", words(language).lang)).into_response()),
        Err(ApiError::NotFound) => Ok(bad_link(&app, language)),
        Err(error) => {
            let detail = match tracked_case(&app, &token).await {
                Ok(detail) => detail,
                Err(ApiError::NotFound) => return Ok(bad_link(&app, language)),
                Err(other) => return Err(other),
            };
            let view = tracking_view(&app, &detail).await?;
            let (status, mut problem) = error.status_and_problem();
            problem.message = text::localize(&problem, language);
            problem.field = problem.field.map(|f| citizen_form::form_field(&f, &[]));
            let refusal = Refusal::from_problem(&problem, language);
            Ok(html_response(&app, status, tracking_page(language, &token, &view, &refusal, &fields, false)))
        }
    }
}
