//! The citizen-safe view of a case's history, as the tracking page shows it: plain words in
//! both languages, no operator notes, no names of operators or of other people, no priorities.
//!
//! Owns which logged events a citizen sees and the words for them. Must not read the log
//! itself nor know how a tracking link is checked (the app does both).

use serde::Serialize;

use crate::case::CaseStatus;
use crate::citizen::UpdateKind;
use crate::clock::Timestamp;
use crate::evacuation::movement::PassengerStatus;
use crate::event::Event;
use crate::workflow::ContactOutcome;

/// One line of the citizen-safe timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub at: Timestamp,
    /// Stable code for what happened, e.g. `status_triaged`, `contact_reached`, `update_moved`.
    pub code: String,
    pub ar: &'static str,
    pub en: &'static str,
}

/// The case's status in plain words, `(en, ar)`.
pub fn status_words(status: CaseStatus) -> (&'static str, &'static str) {
    match status {
        CaseStatus::New => {
            ("We received your report. An operator will look at it soon.", "استلمنا بلاغك. سيراجعه أحد الموظفين قريبًا.")
        }
        CaseStatus::Triaged => (
            "An operator has read your report and decided what to do first.",
            "قرأ أحد الموظفين بلاغك وحدد الخطوات الأولى.",
        ),
        CaseStatus::InProgress => ("We are working on your case.", "نعمل على حالتك الآن."),
        CaseStatus::AwaitingEvacuation => (
            "Your case is on the list for evacuation. We will contact you with the details.",
            "حالتك على قائمة الإجلاء. سنتواصل معك بالتفاصيل.",
        ),
        CaseStatus::Evacuated => {
            ("The people in your report have been evacuated.", "تم إجلاء الأشخاص المذكورين في بلاغك.")
        }
        CaseStatus::Resolved => (
            "Your case is resolved. If you still need help, send an update.",
            "تم حل حالتك. إذا كنت لا تزال بحاجة إلى مساعدة فأرسل تحديثًا.",
        ),
        CaseStatus::Closed => (
            "Your case is closed. If you still need help, send an update.",
            "أُغلقت حالتك. إذا كنت لا تزال بحاجة إلى مساعدة فأرسل تحديثًا.",
        ),
        CaseStatus::Duplicate => (
            "Your report was joined to another report about the same people. We are following that one.",
            "تم ضم بلاغك إلى بلاغ آخر عن الأشخاص أنفسهم، ونتابعه هناك.",
        ),
    }
}

/// What a citizen may see of one event, if anything: only facts about the progress of their own
/// case, in words fit for them. Notes, priority changes, assignments to named people, SLA
/// escalations and everything about other cases stay inside the ops room.
pub fn timeline_entry(event: &Event) -> Option<TimelineEntry> {
    let entry =
        |at: Timestamp, code: String, (en, ar): (&'static str, &'static str)| TimelineEntry { at, code, ar, en };
    match event {
        Event::CaseReported(e) => {
            Some(entry(e.reported_at, "reported".into(), ("Report received.", "تم استلام البلاغ.")))
        }
        Event::StatusChanged(e) => Some(entry(e.at, format!("status_{}", e.to.as_str()), status_words(e.to))),
        Event::CaseAssigned(e) if e.to.is_some() => Some(entry(
            e.at,
            "assigned".into(),
            ("An operator is now handling your case.", "يتولى أحد الموظفين حالتك الآن."),
        )),
        Event::ContactRecorded(e) => Some(match e.outcome {
            ContactOutcome::Reached => {
                entry(e.at, "contact_reached".into(), ("We spoke with you or your family.", "تحدثنا معك أو مع عائلتك."))
            }
            _ => entry(
                e.at,
                "contact_attempted".into(),
                (
                    "We tried to reach you and could not. Keep your phone on if you can.",
                    "حاولنا التواصل معك ولم نتمكن. أبقِ هاتفك مفتوحًا إن استطعت.",
                ),
            ),
        }),
        Event::CitizenUpdated(e) if e.status != e.status_from => Some(entry(
            e.at,
            format!("update_{}_reopened", e.update.as_str()),
            (
                "You told us you still need help. Your case is open again.",
                "أخبرتنا أنكم ما زلتم بحاجة إلى المساعدة. أُعيد فتح حالتك.",
            ),
        )),
        Event::CitizenUpdated(e) => Some(entry(
            e.at,
            format!("update_{}", e.update.as_str()),
            match e.update {
                UpdateKind::Moved => ("You told us you moved.", "أخبرتنا أنكم انتقلتم إلى مكان آخر."),
                UpdateKind::Safe => ("You told us you are safe now.", "أخبرتنا أنكم في أمان الآن."),
                UpdateKind::Needs => ("You told us your needs changed.", "أخبرتنا أن احتياجاتكم تغيّرت."),
                UpdateKind::Message => ("You sent a message.", "أرسلت رسالة."),
            },
        )),
        Event::DangerZoneFlagged(e) => Some(entry(
            e.at,
            "danger_zone".into(),
            (
                "Your area was declared a danger zone. Follow the advisories and keep in touch with us.",
                "أُعلنت منطقتكم منطقة خطر. اتبعوا التنبيهات وابقوا على تواصل معنا.",
            ),
        )),
        // Where and when to board is told by phone, not on a page whose link may be passed on.
        Event::PassengerChanged(e) => {
            Some(entry(e.at, format!("evacuation_{}", crate::wire_name(e.to)), passenger_words(e.to)))
        }
        _ => None,
    }
}

/// A step of a person's evacuation in plain words, `(en, ar)`.
fn passenger_words(status: PassengerStatus) -> (&'static str, &'static str) {
    use PassengerStatus as P;
    match status {
        P::Assigned => (
            "A seat was reserved for you. We will call you with the place and time of departure.",
            "حُجز لك مقعد. سنتصل بك لإبلاغك بمكان المغادرة وموعدها.",
        ),
        P::Waiting => (
            "You are on the list for the next evacuation. We will call you.",
            "أنتم على قائمة الإجلاء التالي. سنتصل بكم.",
        ),
        P::Boarded => ("Boarded.", "تم الصعود."),
        P::Departed => ("Departed.", "غادرت الرحلة."),
        P::Crossed => ("Crossed the border.", "تم عبور الحدود."),
        P::ArrivedHome => ("Arrived home. Welcome back.", "الوصول إلى الوطن. حمدًا لله على السلامة."),
        P::NoShow => (
            "You were not at the departure. Call us to be placed on the next one.",
            "لم تكونوا في موعد المغادرة. اتصلوا بنا لإدراجكم في الرحلة التالية.",
        ),
    }
}

/// A case's timeline as its citizen sees it: each entry once, though the people of one family
/// each board, depart and cross (one event per person) at the same moment.
pub fn timeline<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<TimelineEntry> {
    let mut entries: Vec<TimelineEntry> = Vec::new();
    for entry in events.into_iter().filter_map(timeline_entry) {
        if !entries.iter().any(|e| e.code == entry.code && e.at == entry.at) {
            entries.push(entry);
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn notes_and_priority_never_reach_the_citizen() {
        let note = Event::NoteAdded(crate::workflow::NoteAdded {
            case_id: Uuid::nil(),
            note_id: Uuid::nil(),
            text: "caller sounded unsure".into(),
            by: Uuid::nil(),
            at: Timestamp(1),
        });
        assert_eq!(timeline_entry(&note), None);
        let unassigned = Event::CaseAssigned(crate::workflow::CaseAssigned {
            case_id: Uuid::nil(),
            from: Some(Uuid::nil()),
            to: None,
            by: Uuid::nil(),
            at: Timestamp(1),
        });
        assert_eq!(timeline_entry(&unassigned), None);
        let departed = |person: u128| {
            Event::PassengerChanged(crate::evacuation::movement::PassengerChanged {
                movement_id: Uuid::from_u128(7),
                case_id: Uuid::from_u128(1),
                person_id: Uuid::from_u128(person),
                from: PassengerStatus::Boarded,
                to: PassengerStatus::Departed,
                by: Uuid::from_u128(3),
                at: Timestamp(1_000),
            })
        };
        let family = [departed(10), departed(11), departed(12)];
        let shown = timeline(&family);
        assert_eq!(shown.len(), 1, "one family, one departure");
        assert_eq!((shown[0].code.as_str(), shown[0].en), ("evacuation_departed", "Departed."));
    }
}
