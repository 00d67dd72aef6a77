//! Persons as PFIF 1.4 (the People Finder Interchange Format): our persons out, another
//! agency's persons in.
//!
//! Owns the mapping both ways. Out: one `person` per person in danger, with notes for the report
//! (information sought), the tracing status as a PFIF status, and `linked_person_record_id` for
//! each person operators confirmed to be the same; `expiry_date` always set; times in UTC with
//! `Z`; record ids `domain/id`. In: each `person` becomes a report validated like everyone's,
//! keyed by its record id so a file imported twice creates nothing twice (`http::pfif` stores a
//! file whole or not at all). Must not trust the file: every field is validated like any other
//! report.

use std::fmt::Write as _;

use opsroom_domain::clock::Timestamp;
use opsroom_domain::report::Sex;
use opsroom_domain::tracing::TracingStatus;
use opsroom_domain::wire_name;
use opsroom_store::PfifPerson;
use quick_xml::events::Event as XmlEvent;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::xml::escape;

pub const NAMESPACE: &str = "http://zesty.ca/pfif/1.4";
/// How long an exported record may be kept by whoever receives it.
const EXPIRY_MS: i64 = 365 * 24 * 3600 * 1000;

fn utc(ms: i64) -> String {
    // PFIF times are UTC with a Z and whole seconds.
    let whole = Timestamp::from_millis(ms.div_euclid(1000) * 1000).to_rfc3339();
    whole.replace(".000Z", "Z")
}

/// The PFIF status of a tracing status.
fn status(tracing_status: TracingStatus) -> &'static str {
    match tracing_status {
        TracingStatus::Missing => "believed_missing",
        _ => "believed_alive",
    }
}

/// Render persons as a PFIF 1.4 document; record ids are `{domain}/person.{uuid}`.
pub fn export(persons: &[PfifPerson], domain: &str, now_ms: i64) -> String {
    let mut xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pfif:pfif xmlns:pfif=\"{NAMESPACE}\">\n");
    let record = |id: &uuid::Uuid| escape(&format!("{domain}/person.{id}"));
    for p in persons {
        let id = record(&p.person_id);
        let entry = utc(p.reported_at);
        let expiry = utc(now_ms + EXPIRY_MS);
        xml.push_str("  <pfif:person>\n");
        let _ = writeln!(xml, "    <pfif:person_record_id>{id}</pfif:person_record_id>");
        let _ = writeln!(xml, "    <pfif:entry_date>{entry}</pfif:entry_date>");
        let _ = writeln!(xml, "    <pfif:expiry_date>{expiry}</pfif:expiry_date>");
        let _ = writeln!(xml, "    <pfif:author_name>{}</pfif:author_name>", escape(domain));
        let _ = writeln!(xml, "    <pfif:source_name>Opsroom</pfif:source_name>");
        let _ = writeln!(xml, "    <pfif:source_date>{entry}</pfif:source_date>");
        let _ = writeln!(xml, "    <pfif:full_name>{}</pfif:full_name>", escape(p.name.as_deref().unwrap_or("")));
        if let Some(sex) = p.sex.filter(|s| matches!(s, Sex::Female | Sex::Male)).map(wire_name) {
            let _ = writeln!(xml, "    <pfif:sex>{sex}</pfif:sex>");
        }
        if let Some(age) = p.age {
            let _ = writeln!(xml, "    <pfif:age>{age}</pfif:age>");
        }
        if let Some(place) = &p.place {
            let _ = writeln!(xml, "    <pfif:home_city>{}</pfif:home_city>", escape(place));
        }
        let note = |xml: &mut String, n: usize, linked: Option<&uuid::Uuid>, status: &str, text: &str| {
            xml.push_str("    <pfif:note>\n");
            let _ = writeln!(xml, "      <pfif:note_record_id>{domain}/note.{}.{n}</pfif:note_record_id>", p.person_id);
            let _ = writeln!(xml, "      <pfif:person_record_id>{id}</pfif:person_record_id>");
            if let Some(linked) = linked {
                let _ = writeln!(
                    xml,
                    "      <pfif:linked_person_record_id>{}</pfif:linked_person_record_id>",
                    record(linked)
                );
            }
            let _ = writeln!(xml, "      <pfif:entry_date>{entry}</pfif:entry_date>");
            let _ = writeln!(xml, "      <pfif:author_name>{}</pfif:author_name>", escape(domain));
            let _ = writeln!(xml, "      <pfif:source_date>{entry}</pfif:source_date>");
            let _ = writeln!(xml, "      <pfif:status>{status}</pfif:status>");
            let _ = writeln!(xml, "      <pfif:text>{}</pfif:text>", escape(text));
            xml.push_str("    </pfif:note>\n");
        };
        let reported =
            format!("Reported to the operations room, case {}. {}", p.reference, p.message.as_deref().unwrap_or(""));
        note(&mut xml, 0, None, "information_sought", reported.trim());
        note(&mut xml, 1, None, status(p.tracing_status), &format!("Tracing status: {}", p.tracing_status.as_str()));
        for (n, same) in p.same_as.iter().enumerate() {
            note(&mut xml, n + 2, Some(same), status(p.tracing_status), "The same person as the linked record.");
        }
        xml.push_str("  </pfif:person>\n");
    }
    xml.push_str("</pfif:pfif>\n");
    xml
}

/// A person read from another agency's PFIF file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportedPerson {
    pub record_id: String,
    pub full_name: Option<String>,
    pub sex: Option<String>,
    pub age: Option<String>,
    pub home_city: Option<String>,
    pub source_name: Option<String>,
    /// The texts of its notes, oldest first.
    pub notes: Vec<String>,
}

/// Why a file is not PFIF 1.4 we can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PfifError(pub String);

/// Read the persons of a PFIF 1.4 document (elements in the PFIF 1.4 namespace only).
pub fn import(xml: &str) -> Result<Vec<ImportedPerson>, PfifError> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut persons = Vec::new();
    let mut current: Option<ImportedPerson> = None;
    let mut in_note = false;
    let mut field: Option<String> = None;
    let mut root_seen = false;
    let mut depth = 0usize;
    loop {
        let (namespace, event) =
            reader.read_resolved_event().map_err(|e| PfifError(format!("not well-formed XML: {e}")))?;
        let ours = matches!(namespace, ResolveResult::Bound(ns) if ns.as_ref() == NAMESPACE.as_bytes());
        match event {
            XmlEvent::Start(start) => {
                depth += 1;
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if !root_seen {
                    if !(ours && local == "pfif") {
                        return Err(PfifError(format!("the root must be pfif in the namespace {NAMESPACE}")));
                    }
                    root_seen = true;
                    continue;
                }
                if !ours {
                    field = None;
                    continue;
                }
                match local.as_str() {
                    "person" if current.is_none() => current = Some(ImportedPerson::default()),
                    "note" => in_note = true,
                    _ => field = Some(local),
                }
            }
            XmlEvent::Text(text) => {
                let (Some(person), Some(name)) = (current.as_mut(), field.as_deref()) else { continue };
                let value = text.unescape().map_err(|e| PfifError(format!("bad text: {e}")))?.into_owned();
                match (in_note, name) {
                    (false, "person_record_id") => person.record_id = value,
                    (false, "full_name") => person.full_name = Some(value),
                    (false, "sex") => person.sex = Some(value),
                    (false, "age") => person.age = Some(value),
                    (false, "home_city") => person.home_city = Some(value),
                    (false, "source_name") => person.source_name = Some(value),
                    (true, "text") => person.notes.push(value),
                    _ => {}
                }
            }
            XmlEvent::End(end) => {
                depth = depth.saturating_sub(1);
                let local = String::from_utf8_lossy(end.local_name().as_ref()).into_owned();
                field = None;
                match local.as_str() {
                    "note" => in_note = false,
                    "person" if ours => {
                        let person = current.take().ok_or_else(|| PfifError("a person ended twice".into()))?;
                        if person.record_id.is_empty() || !person.record_id.contains('/') {
                            return Err(PfifError(format!(
                                "person {} has no person_record_id of the form domain/id",
                                persons.len() + 1
                            )));
                        }
                        persons.push(person);
                    }
                    _ => {}
                }
            }
            XmlEvent::Eof if depth > 0 => return Err(PfifError("the document ends inside an element".into())),
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(PfifError("an empty document".into()));
    }
    Ok(persons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> PfifPerson {
        PfifPerson {
            person_id: uuid::Uuid::from_u128(1),
            name: Some("سارة & Omar <kids>".into()),
            age: Some(9),
            sex: Some(Sex::Female),
            tracing_status: TracingStatus::Located,
            case_id: uuid::Uuid::from_u128(2),
            reference: "K7QM-2XPD".into(),
            place: Some("Riyadh, Khartoum".into()),
            reported_at: 1_681_551_000_123,
            message: Some("alone".into()),
            same_as: vec![uuid::Uuid::from_u128(3)],
        }
    }

    #[test]
    fn an_export_reads_back_with_its_notes() {
        let xml = export(&[person()], "opsroom.example", 1_681_551_000_000);
        assert!(xml.contains("<pfif:entry_date>2023-04-15T09:30:00Z</pfif:entry_date>"), "{xml}");
        assert!(
            xml.contains("<pfif:linked_person_record_id>opsroom.example/person.00000000-0000-0000-0000-000000000003")
        );
        let back = import(&xml).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].full_name.as_deref(), Some("سارة & Omar <kids>"));
        assert_eq!(back[0].record_id, "opsroom.example/person.00000000-0000-0000-0000-000000000001");
        assert_eq!(back[0].notes.len(), 3);
    }

    #[test]
    fn other_namespaces_and_broken_files_are_refused() {
        assert!(import("<pfif xmlns=\"http://zesty.ca/pfif/1.2\"><person/></pfif>").is_err());
        assert!(import("<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><pfif:person>").is_err());
        let no_id = "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><pfif:person><pfif:full_name>A</pfif:full_name></pfif:person></pfif:pfif>";
        assert!(import(no_id).unwrap_err().0.contains("person_record_id"));
    }
}
