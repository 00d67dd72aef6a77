//! What every public page is made of: the frame (who runs the page, how else to reach them,
//! the language switch), advisories, times in the room's zone, and the form controls with
//! their refusals beside them.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use opsroom_domain::clock::{RoomTimeZone, Timestamp};
use opsroom_domain::report::Language;

use super::phone_picker::{PhoneCountry, phone_country};
use crate::config::PublicContact;
use crate::http::citizen_form::FormFields;
use crate::http::citizen_text::{Words, words};
use crate::http::pages::{asset_url, with_csp};
use crate::http::reports::IDEMPOTENCY_FIELD;
use crate::state::AppState;
use crate::wire::{AdvisoryBody, BilingualText, Problem, PublicCrisisBody};

/// A refusal shown on a page: a general line at the top (with a link to each refused field), and
/// one message per field. Its messages are already in the page's language.
#[derive(Debug, Default)]
pub(super) struct Refusal {
    pub(super) summary: Option<String>,
    pub(super) fields: Vec<(String, String)>,
}

impl Refusal {
    pub(super) fn from_problem(problem: &Problem, language: Language) -> Self {
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

    pub(super) fn at(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// The element id of a form field (`people[1].phone` → `f-people-1--phone`), for the summary's
/// links and the labels.
pub(super) fn field_id(name: &str) -> String {
    let tail: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("f-{tail}")
}

/// The report form's fields in the page's order (by prefix): the summary lists refusals in it, so
/// the first listed is the first on the page, the one focused.
pub(super) const PAGE_ORDER: [&str; 13] = [
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

pub(super) fn page_position(field: &str) -> usize {
    PAGE_ORDER
        .iter()
        .position(|p| field == *p || (p.ends_with('[') && field.starts_with(p)))
        .unwrap_or(PAGE_ORDER.len())
}

/// Where a refusal of a field without an input of its own is linked to: "nobody named"
/// (`people`) at the first screen's name.
pub(super) fn shown_at(field: &str) -> &str {
    match field {
        "people" => "people[0].name",
        other => other,
    }
}

/// The refusals at the top of a form: one line, and a link to each refused field.
pub(super) fn error_summary(refusal: &Refusal) -> Markup {
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

pub(super) fn html_response(app: &AppState, status: StatusCode, page: Markup) -> Response {
    let response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.into_string()).into_response();
    with_csp(app, response)
}

pub(super) fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// The page frame: language, direction, the stylesheet, the language switch, who runs the page
/// (under the title) and how else to reach them (at the foot).
pub(super) fn layout(
    w: &Words,
    contact: &PublicContact,
    title: &str,
    switch_href: &str,
    script: bool,
    main: Markup,
) -> Markup {
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

/// The crises a page concerns (the open ones on the form, the case's own on its tracking page),
/// each named with what its phase asks of citizens, in the page's language.
pub(super) fn crises_section(language: Language, crises: &[PublicCrisisBody]) -> Markup {
    let pick = |t: &BilingualText| if language == Language::Ar { t.ar.clone() } else { t.en.clone() };
    html! {
        @if !crises.is_empty() {
            section.crises {
                @for crisis in crises {
                    p.crisis data-crisis=(crisis.slug) data-phase=(crisis.phase.as_str()) {
                        strong { (pick(&crisis.name)) } " — " (pick(&crisis.phase_text))
                    }
                }
            }
        }
    }
}

pub(super) fn ministry<'a>(w: &Words, contact: &'a PublicContact) -> &'a str {
    if w.lang == "ar" { &contact.ministry_ar } else { &contact.ministry_en }
}

/// A phone number people can tap, drawn as a left-to-right isolate (`+20 …`, never `… 20+`).
pub(super) fn phone_link(href: String, number: &str) -> Markup {
    html! { a href=(href) { bdi dir="ltr" { (number) } } }
}

pub(super) fn tel_link(number: &str) -> Markup {
    phone_link(format!("tel:{number}"), number)
}

/// The hotline and WhatsApp numbers, those that are configured.
pub(super) fn contact_lines(w: &Words, contact: &PublicContact) -> Markup {
    html! {
        @if let Some(hotline) = &contact.hotline { p.contact { (w.hotline) ": " (tel_link(hotline)) } }
        @if let Some(whatsapp) = &contact.whatsapp {
            p.contact { (w.whatsapp) ": " (phone_link(format!("https://wa.me/{}", whatsapp.trim_start_matches('+')), whatsapp)) }
        }
    }
}

pub(super) fn advisories_section(
    w: &Words,
    language: Language,
    zone: &RoomTimeZone,
    advisories: &[AdvisoryBody],
) -> Markup {
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

pub(super) fn severity_class(a: &AdvisoryBody) -> &'static str {
    match a.severity {
        opsroom_domain::advisory::Severity::Extreme | opsroom_domain::advisory::Severity::Severe => "severe",
        _ => "info",
    }
}

/// `2023-04-15T09:30:00.000Z` as the room's local time to the minute (`2023-04-15 11:30` in
/// Cairo), in a `time` element holding the instant, drawn left to right.
pub(super) fn local_time(zone: &RoomTimeZone, rfc3339: &str) -> Markup {
    let local = Timestamp::parse_rfc3339(rfc3339).map(|at| zone.local_rfc3339(at));
    let shown = local.as_deref().unwrap_or(rfc3339);
    let minutes = shown.get(..16).unwrap_or(shown).replace('T', " ");
    html! { time dir="ltr" datetime=(rfc3339) { (minutes) } }
}

/// "Times are in Africa/Cairo time", once per page that shows times.
pub(super) fn time_zone_note(w: &Words, zone: &RoomTimeZone) -> Markup {
    html! { p.meta { (w.times_in) " " bdi dir="ltr" { (zone.name()) } } }
}

pub(super) fn field_error(refusal: &Refusal, name: &str) -> Markup {
    html! { @if let Some(message) = refusal.at(name) { span.error role="alert" data-for=(name) { (message) } } }
}

/// `aria-invalid` and `autofocus` for a refused field: the browser focuses the first
/// `autofocus` in the page and scrolls to it, with or without JavaScript.
pub(super) fn invalid(refusal: &Refusal, name: &str) -> Option<&'static str> {
    refusal.at(name).map(|_| "true")
}

/// A labelled text input carrying its typed value and its error.
pub(super) fn text_input(
    label: &str,
    name: &str,
    kind: &str,
    fields: &FormFields,
    refusal: &Refusal,
    ltr: bool,
) -> Markup {
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

/// A phone number with its country picker: `countries` first (see
/// [`first_phone_countries`](super::phone_picker::first_phone_countries)), the first picked
/// unless the page is sent back with another, which is then offered too.
pub(super) fn phone_input(
    w: &Words,
    language: Language,
    label: &str,
    prefix: &str,
    countries: &[PhoneCountry],
    fields: &FormFields,
    refusal: &Refusal,
) -> Markup {
    let cc_name = format!("{prefix}phone_cc");
    let chosen = fields.get(&cc_name).or(countries.first().map(|c| c.country.as_str())).unwrap_or_default();
    let mut countries = countries.to_vec();
    if let Some(picked) = phone_country(chosen, language)
        && !countries.contains(&picked)
    {
        countries.push(picked);
    }
    let name = format!("{prefix}phone");
    html! {
        div.phone {
            label.label for=(field_id(&name)) { (label) }
            span.row dir="ltr" {
                select name=(cc_name) aria-label=(w.phone) {
                    @for c in &countries {
                        // An option holds text only: the code is a left-to-right isolate
                        // (U+2066 … U+2069), so an Arabic list reads `+249`, not `249+`.
                        option value=(c.country) selected[c.country.as_str() == chosen] { "\u{2066}+" (c.calling_code) "\u{2069} " (c.name) }
                    }
                }
                input #(field_id(&name)) type="tel" name=(name) value=[fields.get(&name)] aria-label=(label) inputmode="tel" autocomplete="off"
                    aria-invalid=[invalid(refusal, &name)] autofocus[refusal.at(&name).is_some()];
            }
            (field_error(refusal, &name))
        }
    }
}

/// A group of boxes named `name`; the first carries the group's element id unless `linked` is
/// false (a group split in two, like the needs, is linked to from its first part only).
pub(super) fn checkboxes<T: Copy>(
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
