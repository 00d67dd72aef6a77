//! The report form (`/`): its urgent first screen, "add more detail", the queued and the
//! confirmation sections.

use maud::{Markup, html};
use opsroom_domain::clock::RoomTimeZone;
use opsroom_domain::country::CountryCode;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::report::{Language, Relation};

use super::page::{
    Refusal, advisories_section, checkboxes, crises_section, error_summary, field_error, field_id, invalid, layout,
    phone_input, tel_link, text_input,
};
use super::phone_picker::PhoneCountry;
use crate::config::PublicContact;
use crate::http::citizen_form::{BLANK_PERSON_ROWS, FormFields, HONEYPOT, KEY_FIELD};
use crate::http::citizen_text as text;
use crate::http::citizen_text::{Words, flag_label, need_label, words};
use crate::wire::{AdvisoryBody, PublicCrisisBody, ReportAccepted};

/// One person's row of "more detail". The first person's name is asked on the first screen, so
/// their row holds the rest.
pub(super) fn person_row(
    w: &Words,
    language: Language,
    row: usize,
    countries: &[PhoneCountry],
    fields: &FormFields,
    refusal: &Refusal,
) -> Markup {
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
            (phone_input(w, language, w.phone, &format!("people[{row}]."), countries, fields, refusal))
        }
    }
}

/// The needs a panicked person is asked for on the first screen, one tap each; the rest are in
/// "more detail".
pub(super) const URGENT_NEEDS: [Need; 4] = [Need::Evacuation, Need::Medical, Need::Water, Need::Food];

/// The fields of the first screen; everything else is "more detail".
pub(super) const URGENT_FIELDS: [&str; 6] =
    ["people[0].name", "people", "reporter.phone", "reporter.phone_cc", "location.place", "needs"];

/// Whether "more detail" opens: a field in it was refused, or filled in (a page sent back).
pub(super) fn detail_open(fields: &FormFields, refusal: &Refusal) -> bool {
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
pub(super) fn form_page(
    language: Language,
    contact: &PublicContact,
    zone: &RoomTimeZone,
    fields: &FormFields,
    refusal: &Refusal,
    key: &str,
    advisories: &[AdvisoryBody],
    crises: &[PublicCrisisBody],
    place_countries: &[CountryCode],
    phone_countries: &[PhoneCountry],
) -> Markup {
    let w = words(language);
    // The place picker offers these countries' towns, in this order (web/public/src/form.js).
    let picker_countries = place_countries.iter().map(CountryCode::as_str).collect::<Vec<_>>().join(",");
    let relation = fields.get("relation").unwrap_or("");
    let rows = fields.person_rows().max(BLANK_PERSON_ROWS);
    let ticked_needs: Vec<&str> = fields.all("needs").collect();
    let other_needs: Vec<Need> = Need::ALL.into_iter().filter(|n| !URGENT_NEEDS.contains(n)).collect();
    let myself = wire_value(Relation::Myself);
    let open_details = detail_open(fields, refusal);
    let main = html! {
        (crises_section(language, crises))
        @if !advisories.is_empty() { p.note { a href="#advisories-title" { (w.advisories_below) " (" (advisories.len()) ")" } } }
        p.intro { (w.intro) }
        (queued_section(language))
        (error_summary(refusal))
        form #report method="post" action={ "/?lang=" (w.lang) } novalidate data-sending=(w.sending) data-queued=(w.queued)
            data-draft=(w.draft_saved) data-check=(w.check_fields) data-remove="×" data-countries=(picker_countries) {
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
                (phone_input(w, language, w.call_phone, "reporter.", phone_countries, fields, refusal))
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
                    @for row in 0..rows { (person_row(w, language, row, phone_countries, fields, refusal)) }
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
pub(super) fn queued_section(language: Language) -> Markup {
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
pub(super) fn wire_value<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// "We received your report": the reference, what happens next, and the private tracking link
/// with copy and share (the buttons appear with JavaScript).
pub(super) fn confirmation_section(w: &Words, contact: &PublicContact, reference: &str, link: &str) -> Markup {
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

pub(super) fn confirmation_page(
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
