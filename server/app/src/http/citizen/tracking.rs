//! The tracking page (`/track/{token}`): where the case stands, what happened, the update
//! form.

use maud::{Markup, html};
use opsroom_domain::clock::RoomTimeZone;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::report::Language;

use super::page::{
    Refusal, advisories_section, checkboxes, crises_section, error_summary, field_error, layout, local_time,
    text_input, time_zone_note,
};
use crate::config::PublicContact;
use crate::http::citizen_form::FormFields;
use crate::http::citizen_text::{flag_label, need_label, words};
use crate::wire::TrackingView;

#[allow(clippy::too_many_arguments)]
pub(super) fn tracking_page(
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
        (crises_section(language, view.crisis.as_slice()))
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
