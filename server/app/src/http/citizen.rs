//! The public pages: the report form (`/`) and the tracking page (`/track/{token}`), rendered on
//! the server so they work without JavaScript on any phone. `web/public/src/form.js` adds the
//! conveniences (location, place picker, more people, drafts, the offline queue) on top.
//!
//! Owns the pages' HTML and the form round trip. The form's first screen asks only what a
//! panicked person knows (who, a phone, where, the most urgent need) and holds Send; everything
//! else is "add more detail", after it. A form post goes through the same validation and intake
//! as the JSON API (`citizen_form` converts it), and a refused one comes back with everything
//! typed still in place, every refusal next to its field, a summary linking to each and the
//! first focused (`autofocus`, so without JavaScript too), in the page's language. A post asking
//! for JSON (`Accept: application/json`, what form.js sends) gets the API's answer with
//! localized messages and the form's field names. Every page says who runs it and how else to
//! reach them (`config::PublicContact`), and shows times in the room's time zone.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use opsroom_domain::clock::{RoomTimeZone, Timestamp};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::report::{Channel, Language, NewReport, Relation};

use crate::config::PublicContact;
use crate::http::advisories::current_advisories;
use crate::http::citizen_form::{BLANK_PERSON_ROWS, FormFields, HONEYPOT, KEY_FIELD};
use crate::http::citizen_text::{COUNTRY_CODES, Words, flag_label, need_label, words};
use crate::http::error::ApiError;
use crate::http::extract::{JsonBody, unreadable_body};
use crate::http::pages::{asset_url, with_csp};
use crate::http::rate_limit::Admission;
use crate::http::reports::{IDEMPOTENCY_FIELD, PUBLIC_SCOPE, checked_key, idempotency_key, intake};
use crate::http::tracking::{TokenPath, send_update, tracked_case, tracking_view};
use crate::http::{citizen_form, citizen_text as text};
use crate::secrets;
use crate::state::AppState;
use crate::wire::{
    AdvisoryBody, ErrorBody, FieldProblem, Problem, ReportAccepted, ReportRequest, TrackingUpdateRequest, TrackingView,
};

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

/// A refusal shown on a page: a general line at the top (with a link to each refused field), and
/// one message per field. Its messages are already in the page's language.
#[derive(Debug, Default)]
struct Refusal {
    summary: Option<String>,
    fields: Vec<(String, String)>,
}

impl Refusal {
    fn from_problem(problem: &Problem, language: Language) -> Self {
        let mut fields: Vec<(String, String)> = Vec::new();
        for refused in problem.each() {
            // The key is the form's own hidden field: nothing to mark, the message says it all.
            if let Some(field) = refused.field.filter(|f| f != IDEMPOTENCY_FIELD)
                && !fields.iter().any(|(f, _)| *f == field)
            {
                fields.push((field, refused.message));
            }
        }
        // Stable: rows of people keep their order among themselves.
        fields.sort_by_key(|(field, _)| page_position(field));
        let summary = if fields.is_empty() { problem.message.clone() } else { words(language).check_fields.to_owned() };
        Self { summary: Some(summary), fields }
    }

    fn at(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// The element id of a form field (`people[1].phone` → `f-people-1--phone`), for the summary's
/// links and the labels.
fn field_id(name: &str) -> String {
    let tail: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("f-{tail}")
}

/// The report form's fields in the page's order (by prefix): the summary lists refusals in it, so
/// the first listed is the first on the page, the one focused.
const PAGE_ORDER: [&str; 13] = [
    "people[0].name",
    "people",
    "relation",
    "reporter.phone_cc",
    "reporter.phone",
    "location.place",
    "needs",
    "location.position",
    "people[",
    "flags",
    "reporter.name",
    "reporter.place",
    "message",
];

fn page_position(field: &str) -> usize {
    PAGE_ORDER
        .iter()
        .position(|p| field == *p || (p.ends_with('[') && field.starts_with(p)))
        .unwrap_or(PAGE_ORDER.len())
}

/// Where a refusal of a field without an input of its own is linked to: "nobody named"
/// (`people`) at the first screen's name.
fn shown_at(field: &str) -> &str {
    match field {
        "people" => "people[0].name",
        other => other,
    }
}

/// The refusals at the top of a form: one line, and a link to each refused field.
fn error_summary(refusal: &Refusal) -> Markup {
    html! {
        @if let Some(summary) = &refusal.summary {
            div.error.summary role="alert" {
                (summary)
                @if !refusal.fields.is_empty() {
                    ul {
                        @for (field, message) in &refusal.fields {
                            li { a href={ "#" (field_id(shown_at(field))) } { (message) } }
                        }
                    }
                }
            }
        }
    }
}

fn html_response(app: &AppState, status: StatusCode, page: Markup) -> Response {
    let response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.into_string()).into_response();
    with_csp(app, response)
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// The page frame: language, direction, the stylesheet, the language switch, who runs the page
/// (under the title) and how else to reach them (at the foot).
fn layout(w: &Words, contact: &PublicContact, title: &str, switch_href: &str, script: bool, main: Markup) -> Markup {
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
                    div {
                        h1 { (title) }
                        p.by { (ministry(w, contact)) }
                    }
                    a.lang href=(switch_href) lang=(w.other_lang) hreflang=(w.other_lang) { (w.other_lang_name) }
                }
                main { (main) }
                footer { p.by { (ministry(w, contact)) } (contact_lines(w, contact)) }
            }
        }
    }
}

fn ministry<'a>(w: &Words, contact: &'a PublicContact) -> &'a str {
    if w.lang == "ar" { &contact.ministry_ar } else { &contact.ministry_en }
}

/// A phone number people can tap, drawn as a left-to-right isolate (`+20 …`, never `… 20+`).
fn phone_link(href: String, number: &str) -> Markup {
    html! { a href=(href) { bdi dir="ltr" { (number) } } }
}

fn tel_link(number: &str) -> Markup {
    phone_link(format!("tel:{number}"), number)
}

/// The hotline and WhatsApp numbers, those that are configured.
fn contact_lines(w: &Words, contact: &PublicContact) -> Markup {
    html! {
        @if let Some(hotline) = &contact.hotline { p.contact { (w.hotline) ": " (tel_link(hotline)) } }
        @if let Some(whatsapp) = &contact.whatsapp {
            p.contact { (w.whatsapp) ": " (phone_link(format!("https://wa.me/{}", whatsapp.trim_start_matches('+')), whatsapp)) }
        }
    }
}

fn advisories_section(w: &Words, language: Language, zone: &RoomTimeZone, advisories: &[AdvisoryBody]) -> Markup {
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
                        @if let Some(expires) = &a.expires_at { p.meta { (w.expires) " " (local_time(zone, expires)) } }
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

/// `2023-04-15T09:30:00.000Z` as the room's local time to the minute (`2023-04-15 11:30` in
/// Cairo), in a `time` element holding the instant, drawn left to right.
fn local_time(zone: &RoomTimeZone, rfc3339: &str) -> Markup {
    let local = Timestamp::parse_rfc3339(rfc3339).map(|at| zone.local_rfc3339(at));
    let shown = local.as_deref().unwrap_or(rfc3339);
    let minutes = shown.get(..16).unwrap_or(shown).replace('T', " ");
    html! { time dir="ltr" datetime=(rfc3339) { (minutes) } }
}

/// "Times are in Africa/Cairo time", once per page that shows times.
fn time_zone_note(w: &Words, zone: &RoomTimeZone) -> Markup {
    html! { p.meta { (w.times_in) " " bdi dir="ltr" { (zone.name()) } } }
}

fn field_error(refusal: &Refusal, name: &str) -> Markup {
    html! { @if let Some(message) = refusal.at(name) { span.error role="alert" data-for=(name) { (message) } } }
}

/// `aria-invalid` and `autofocus` for a refused field: the browser focuses the first
/// `autofocus` in the page and scrolls to it, with or without JavaScript.
fn invalid(refusal: &Refusal, name: &str) -> Option<&'static str> {
    refusal.at(name).map(|_| "true")
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
            input #(field_id(name)) type=(input_type) name=(name) value=[fields.get(name)] inputmode=[mode] dir=[ltr.then_some("ltr")]
                aria-invalid=[invalid(refusal, name)] autofocus[refusal.at(name).is_some()] autocomplete="off";
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
            label.label for=(field_id(&name)) { (label) }
            span.row dir="ltr" {
                select name=(cc_name) aria-label=(w.phone) {
                    @for (code, ar, en) in COUNTRY_CODES {
                        // An option holds text only: the code is a left-to-right isolate
                        // (U+2066 … U+2069), so an Arabic list reads `+249`, not `249+`.
                        option value=(code) selected[code == chosen] { "\u{2066}" (code) "\u{2069} " (if language == Language::Ar { ar } else { en }) }
                    }
                }
                input #(field_id(&name)) type="tel" name=(name) value=[fields.get(&name)] aria-label=(label) inputmode="tel" autocomplete="off"
                    aria-invalid=[invalid(refusal, &name)] autofocus[refusal.at(&name).is_some()];
            }
            (field_error(refusal, &name))
        }
    }
}

/// One person's row of "more detail". The first person's name is asked on the first screen, so
/// their row holds the rest.
fn person_row(w: &Words, language: Language, row: usize, fields: &FormFields, refusal: &Refusal) -> Markup {
    let name = |field: &str| format!("people[{row}].{field}");
    let sex_name = name("sex");
    let sex = fields.get(&sex_name).unwrap_or("unknown");
    html! {
        fieldset.person data-row=(row) {
            legend { (w.person) " " (row + 1) }
            (field_error(refusal, &format!("people[{row}]")))
            @if row > 0 { (text_input(w.name, &name("name"), "text", fields, refusal, false)) }
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

/// A group of boxes named `name`; the first carries the group's element id unless `linked` is
/// false (a group split in two, like the needs, is linked to from its first part only).
fn checkboxes<T: Copy>(
    name: &str,
    linked: bool,
    items: &[T],
    value: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    chosen: &[&str],
) -> Markup {
    html! {
        div.checks {
            @for (i, item) in items.iter().enumerate() {
                label.check {
                    // The group's first box carries the id a refusal of the group links to.
                    input id=[(linked && i == 0).then(|| field_id(name))] type="checkbox" name=(name) value=(value(*item)) checked[chosen.contains(&value(*item))];
                    span { (label(*item)) }
                }
            }
        }
    }
}

/// The needs a panicked person is asked for on the first screen, one tap each; the rest are in
/// "more detail".
const URGENT_NEEDS: [Need; 4] = [Need::Evacuation, Need::Medical, Need::Water, Need::Food];

/// The fields of the first screen; everything else is "more detail".
const URGENT_FIELDS: [&str; 6] =
    ["people[0].name", "people", "reporter.phone", "reporter.phone_cc", "location.place", "needs"];

/// Whether "more detail" opens: a field in it was refused, or filled in (a page sent back).
fn detail_open(fields: &FormFields, refusal: &Refusal) -> bool {
    let in_detail = |name: &str| !URGENT_FIELDS.contains(&name);
    let filled_in_detail = |(name, value): &(String, String)| {
        !value.trim().is_empty()
            && match name.as_str() {
                "lang" | KEY_FIELD | HONEYPOT | "location.accuracy_m" => false,
                "relation" => value != "self",
                "needs" => !URGENT_NEEDS.iter().any(|n| n.as_str() == value),
                name if name.ends_with("phone_cc") => false,
                name if name.ends_with(".sex") => value != "unknown",
                name => in_detail(name),
            }
    };
    refusal.fields.iter().any(|(f, _)| in_detail(f)) || fields.0.iter().any(filled_in_detail)
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    language: Language,
    contact: &PublicContact,
    zone: &RoomTimeZone,
    fields: &FormFields,
    refusal: &Refusal,
    key: &str,
    advisories: &[AdvisoryBody],
) -> Markup {
    let w = words(language);
    let relation = fields.get("relation").unwrap_or("");
    let rows = fields.person_rows().max(BLANK_PERSON_ROWS);
    let ticked_needs: Vec<&str> = fields.all("needs").collect();
    let other_needs: Vec<Need> = Need::ALL.into_iter().filter(|n| !URGENT_NEEDS.contains(n)).collect();
    let myself = wire_value(Relation::Myself);
    let open_details = detail_open(fields, refusal);
    let main = html! {
        @if !advisories.is_empty() { p.note { a href="#advisories-title" { (w.advisories_below) " (" (advisories.len()) ")" } } }
        p.intro { (w.intro) }
        (queued_section(language))
        (error_summary(refusal))
        form #report method="post" action={ "/?lang=" (w.lang) } novalidate data-sending=(w.sending) data-queued=(w.queued)
            data-draft=(w.draft_saved) data-check=(w.check_fields) data-remove="×" {
            input type="hidden" name="lang" value=(w.lang);
            input type="hidden" name=(KEY_FIELD) value=(key);
            div.urgent {
                label.label for=(field_id("people[0].name")) { (w.who_in_danger) }
                span.row {
                    input #(field_id("people[0].name")) type="text" name="people[0].name" value=[fields.get("people[0].name")]
                        autocomplete="off" aria-invalid=[invalid(refusal, "people[0].name").or(invalid(refusal, "people"))]
                        autofocus[refusal.at("people[0].name").or(refusal.at("people")).is_some()];
                    label.check.me {
                        input #(field_id("relation")) type="radio" name="relation" value=(myself) checked[relation == myself];
                        span { (w.its_me) }
                    }
                }
                (field_error(refusal, "people[0].name"))
                (field_error(refusal, "people"))
                (phone_input(w, language, w.call_phone, "reporter.", fields, refusal))
                label {
                    span { (w.where_short) }
                    span.row {
                        input #(field_id("location.place")) type="text" name="location.place" value=[fields.get("location.place")] list="places"
                            autocomplete="off" aria-invalid=[invalid(refusal, "location.place")] autofocus[refusal.at("location.place").is_some()];
                        button.locate type="button" hidden { (w.use_my_location) }
                    }
                    (field_error(refusal, "location.place"))
                    small #located hidden { (w.located) " " bdi dir="ltr" {} }
                }
                datalist #places {}
                fieldset.needs {
                    legend { (w.need_most) }
                    (checkboxes("needs", true, &URGENT_NEEDS, Need::as_str, |n| need_label(n, language), &ticked_needs))
                    (field_error(refusal, "needs"))
                }
                p #status role="status" aria-live="polite" {}
                button.send type="submit" { (w.send) }
            }
            details.more open[open_details] {
                summary { (w.more_detail) }
                fieldset {
                    legend { (w.reporting_for) }
                    div.checks {
                        @for (value, label) in text::relations(language).into_iter().filter(|(r, _)| *r != Relation::Myself) {
                            @let value = wire_value(value);
                            label.check { input type="radio" name="relation" value=(value) checked[value == relation]; span { (label) } }
                        }
                    }
                    (field_error(refusal, "relation"))
                }
                label {
                    span { (w.position) }
                    input #(field_id("location.position")) type="text" name="location.position" value=[fields.get("location.position")]
                        inputmode="decimal" dir="ltr" autocomplete="off" aria-describedby="position-hint"
                        aria-invalid=[invalid(refusal, "location.position")] autofocus[refusal.at("location.position").is_some()];
                    small #position-hint { (w.example) " " bdi dir="ltr" { (w.position_hint) } }
                    (field_error(refusal, "location.position"))
                }
                input type="hidden" name="location.accuracy_m" value=[fields.get("location.accuracy_m")];
                fieldset #people {
                    legend { (w.people) }
                    @for row in 0..rows { (person_row(w, language, row, fields, refusal)) }
                    button.add type="button" hidden { (w.add_person) }
                }
                fieldset {
                    legend { (w.other_needs) }
                    (checkboxes("needs", false, &other_needs, Need::as_str, |n| need_label(n, language), &ticked_needs))
                }
                fieldset {
                    legend { (w.situation) }
                    (checkboxes("flags", true, &Flag::ALL, Flag::as_str, |f| flag_label(f, language), &fields.all("flags").collect::<Vec<_>>()))
                    (field_error(refusal, "flags"))
                }
                fieldset {
                    legend { (w.about_you) }
                    (text_input(w.your_name, "reporter.name", "text", fields, refusal, false))
                    (text_input(w.where_you_are, "reporter.place", "text", fields, refusal, false))
                }
                label {
                    span { (w.message) }
                    textarea name="message" id=(field_id("message")) rows="4" aria-invalid=[invalid(refusal, "message")]
                        autofocus[refusal.at("message").is_some()] { (fields.get("message").unwrap_or("")) }
                    (field_error(refusal, "message"))
                }
                button.send type="submit" { (w.send) }
            }
            // The honeypot: hidden from people (CSS and the accessibility tree), filled by bots.
            div.hp aria-hidden="true" {
                label { (w.leave_empty) input type="text" name=(HONEYPOT) tabindex="-1" autocomplete="off"; }
            }
            button.clear type="button" hidden { (w.clear_form) }
        }
        // What form.js shows when a report sent from this page is answered: the same words as the
        // confirmation page, filled in with the reference and the link.
        template #done { (confirmation_section(w, contact, "", "")) }
        (advisories_section(w, language, zone, advisories))
    };
    layout(w, contact, w.title, &format!("/?lang={}", w.other_lang), true, main)
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

/// An enum's name in the API (`self`, `parent`).
fn wire_value<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// "We received your report": the reference, what happens next, and the private tracking link
/// with copy and share (the buttons appear with JavaScript).
fn confirmation_section(w: &Words, contact: &PublicContact, reference: &str, link: &str) -> Markup {
    html! {
        section.done {
            h2 tabindex="-1" { (w.received) }
            p { (w.reference) ": " strong.reference dir="ltr" { (reference) } }
            h3 { (w.what_next) }
            ul.next {
                @match &contact.hotline {
                    Some(hotline) => {
                        li { (w.call_back_from) " " (tel_link(hotline)) "." }
                        li { (w.danger_now_call) " " (tel_link(hotline)) }
                    }
                    None => {
                        li { (w.call_back) }
                        li { (w.danger_now) }
                    }
                }
            }
            p { (w.follow) }
            p { a.track href=(link) dir="ltr" { (link) } }
            p.share {
                button.copy type="button" hidden data-copied=(w.copied) { (w.copy_link) }
                button.share type="button" hidden { (w.share_link) }
            }
            p.warning { (w.keep_private) }
            p { a href={ "/?lang=" (w.lang) } { (w.another) } }
        }
    }
}

fn confirmation_page(
    language: Language,
    contact: &PublicContact,
    zone: &RoomTimeZone,
    accepted: &ReportAccepted,
    advisories: &[AdvisoryBody],
) -> Markup {
    let w = words(language);
    let link = format!("/track/{}?lang={}", accepted.tracking_token, w.lang);
    let main = html! {
        (confirmation_section(w, contact, &accepted.reference, &link))
        (advisories_section(w, language, zone, advisories))
    };
    layout(w, contact, w.title, &format!("/?lang={}", w.other_lang), true, main)
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
    let page = form_page(
        language,
        &app.config.contact,
        &app.config.time_zone,
        &FormFields::default(),
        &Refusal::default(),
        &secrets::new_token(),
        &advisories,
    );
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
            let page = confirmation_page(language, &app.config.contact, &app.config.time_zone, &accepted, &advisories);
            html_response(&app, StatusCode::CREATED, page)
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
    let converted = citizen_form::report(fields);
    let on_form = |error: ApiError| match error {
        ApiError::Unprocessable(mut p) => {
            p.field = p.field.map(|f| converted.form_field(&f));
            ApiError::Unprocessable(p)
        }
        other => other,
    };
    let body = JsonBody(converted.json.clone());
    let request: ReportRequest = body.parse().map_err(on_form)?;
    // Every refusal at once: the form's own (an age that is not a number) and the domain's.
    let checked = NewReport::parse_all(&request.to_domain(), Channel::Web);
    let mut refused = converted.refused.clone();
    if let Err(rejections) = &checked {
        refused.extend(rejections.iter().map(|r| FieldProblem {
            code: r.code.into(),
            message: r.message.clone(),
            field: r.field.as_deref().map(|f| converted.form_field(f)),
        }));
    }
    let report = match (checked, Problem::all(refused)) {
        (Ok(report), None) => report,
        (_, Some(problem)) => return Err(ApiError::Unprocessable(problem)),
        (Err(_), None) => return Err(ApiError::Internal("a refused report without a reason".into())),
    };
    let (_, Json(accepted)) = intake(app, key, &body, report, PUBLIC_SCOPE).await?;
    Ok(accepted)
}

/// `problem` with every message (its list's too) in the page's language.
fn localized(problem: &Problem, language: Language) -> Problem {
    let mut each = problem.each();
    for refused in &mut each {
        refused.message = text::localize(&Problem::new(refused.code.clone(), "", None), language);
    }
    let mut localized = Problem::all(each).unwrap_or_else(|| problem.clone());
    if problem.errors.is_empty() {
        // A single refusal keeps its shape (no list), as the API answers it.
        localized.errors.clear();
    }
    localized
}

/// A refused form post: the form again with everything typed, or the API's error in JSON; either
/// way in the page's language.
async fn refused(app: &AppState, json: bool, language: Language, fields: &FormFields, error: ApiError) -> Response {
    let (status, mut problem) = error.status_and_problem();
    if status.is_server_error() {
        tracing::error!(%error, "public form post failed");
    }
    problem = localized(&problem, language);
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
        let page = form_page(language, &app.config.contact, &app.config.time_zone, fields, &refusal, &key, &advisories);
        html_response(app, status, page)
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

#[allow(clippy::too_many_arguments)]
fn tracking_page(
    language: Language,
    contact: &PublicContact,
    zone: &RoomTimeZone,
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
            p.meta { (w.reported) " " (local_time(zone, &view.reported_at)) }
        }
        (advisories_section(w, language, zone, &view.advisories))
        section {
            h2 { (w.what_happened) }
            ol.timeline {
                @for item in &view.timeline {
                    li { (local_time(zone, &item.at)) " " span { (pick(&item.text)) } }
                }
            }
            (time_zone_note(w, zone))
        }
        section {
            h2 { (w.send_update) }
            @if sent { p.ok role="status" { (w.update_sent) } }
            (error_summary(refusal))
            // Only the chosen kind's part shows (form.css, by which radio is checked: no script).
            form.update method="post" action={ "/track/" (token) "?lang=" (w.lang) } novalidate {
                div.checks {
                    @for (value, label) in w.update_kinds {
                        label.check { input type="radio" name="kind" value=(value) checked[value == chosen]; span { (label) } }
                    }
                }
                (field_error(refusal, "kind"))
                fieldset.for-moved {
                    legend { (w.update_kinds[0].1) ": " (w.where_they_are) }
                    (text_input(w.where_short, "location.place", "text", fields, refusal, false))
                    (text_input(w.position, "location.position", "decimal", fields, refusal, true))
                    (field_error(refusal, "location"))
                }
                fieldset.for-needs {
                    legend { (w.update_kinds[2].1) ": " (w.needs) }
                    // Ticked as the case stands (or as just submitted): a needs update replaces the list.
                    (checkboxes("needs", true, &Need::ALL, Need::as_str, |n| need_label(n, language), &ticked_needs))
                    (checkboxes("flags", true, &Flag::ALL, Flag::as_str, |f| flag_label(f, language), &ticked_flags))
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
    layout(w, contact, &format!("{} {}", w.case, view.reference), &switch, false, main)
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
            (contact_lines(w, &app.config.contact))
        }
    };
    let switch = format!("/?lang={}", w.other_lang);
    html_response(app, status, layout(w, &app.config.contact, heading, &switch, false, main))
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
    let page = tracking_page(
        language,
        &app.config.contact,
        &app.config.time_zone,
        &token,
        &view,
        &Refusal::default(),
        &FormFields::default(),
        query.sent,
    );
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
        let request: TrackingUpdateRequest = JsonBody(citizen_form::update(&fields)).parse()?;
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
            let (status, problem) = error.status_and_problem();
            let mut problem = localized(&problem, language);
            problem.field = problem.field.map(|f| citizen_form::form_field(&f, &[]));
            let refusal = Refusal::from_problem(&problem, language);
            let config = &app.config;
            let page =
                tracking_page(language, &config.contact, &config.time_zone, &token, &view, &refusal, &fields, false);
            Ok(html_response(&app, status, page))
        }
    }
}

/// `GET /offline`: what a tracking link shows with no network, kept by the service worker in
/// place of the tracking page (which holds case data and is never stored): it says the page
/// needs the network and leads to the report form, which works offline.
pub async fn offline_page(State(app): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let language = page_language(&PageQuery::from_raw(query), None);
    let words = text::offline_words(language);
    notice_page(&app, StatusCode::OK, language, words.no_connection, words.tracking_offline)
}
