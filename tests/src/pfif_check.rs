//! A structural validator of PFIF 1.4 documents, for the tests: the namespace, the required
//! fields of persons and notes, record ids of the form `domain/id`, and UTC times with a `Z`.
//! (PFIF 1.4 publishes no XSD; this checks what the specification requires of a record.)

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

const NAMESPACE: &[u8] = b"http://zesty.ca/pfif/1.4";
const PERSON_REQUIRED: [&str; 4] = ["person_record_id", "entry_date", "source_date", "full_name"];
const NOTE_REQUIRED: [&str; 6] =
    ["note_record_id", "person_record_id", "entry_date", "author_name", "source_date", "text"];
const STATUSES: [&str; 5] =
    ["information_sought", "is_note_author", "believed_alive", "believed_missing", "believed_dead"];

fn is_record_id(value: &str) -> bool {
    match value.split_once('/') {
        Some((domain, id)) => !domain.is_empty() && !id.is_empty() && !value.contains(char::is_whitespace),
        None => false,
    }
}

fn is_utc_time(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 20
        && b[19] == b'Z'
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => true,
            _ => c.is_ascii_digit(),
        })
}

/// Every violation found, empty when the document is valid.
pub fn violations(xml: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = Vec::new();
    // Fields seen in the current person and note, and the person's record id.
    let mut person_fields: Vec<(String, String)> = Vec::new();
    let mut note_fields: Vec<(String, String)> = Vec::new();
    let mut persons = 0;
    loop {
        let (namespace, event) = match reader.read_resolved_event() {
            Ok(pair) => pair,
            Err(error) => {
                problems.push(format!("not well-formed: {error}"));
                return problems;
            }
        };
        match event {
            Event::Start(start) => {
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if !matches!(namespace, ResolveResult::Bound(ns) if ns.as_ref() == NAMESPACE) {
                    problems.push(format!("<{local}> is not in the PFIF 1.4 namespace"));
                }
                if stack.is_empty() && local != "pfif" {
                    problems.push(format!("the root is <{local}>, not <pfif>"));
                }
                if local == "person" {
                    persons += 1;
                    person_fields.clear();
                }
                if local == "note" {
                    note_fields.clear();
                }
                stack.push(local);
            }
            Event::Text(text) => {
                let value = text.unescape().map(|v| v.into_owned()).unwrap_or_default();
                let field = stack.last().cloned().unwrap_or_default();
                let in_note = stack.iter().any(|s| s == "note");
                if field.ends_with("_date") && !is_utc_time(&value) {
                    problems.push(format!("{field} {value:?} is not a UTC time with Z"));
                }
                if field.ends_with("record_id") && !is_record_id(&value) {
                    problems.push(format!("{field} {value:?} is not of the form domain/id"));
                }
                if field == "status" && !STATUSES.contains(&value.as_str()) {
                    problems.push(format!("status {value:?} is not a PFIF 1.4 status"));
                }
                if in_note { &mut note_fields } else { &mut person_fields }.push((field, value));
            }
            Event::End(_) => {
                let closed = stack.pop().unwrap_or_default();
                let has = |fields: &[(String, String)], name: &str| fields.iter().any(|(f, _)| f == name);
                if closed == "note" {
                    for required in NOTE_REQUIRED {
                        if !has(&note_fields, required) {
                            problems.push(format!("a note has no {required}"));
                        }
                    }
                    let person_id = person_fields.iter().find(|(f, _)| f == "person_record_id").map(|(_, v)| v);
                    let note_person = note_fields.iter().find(|(f, _)| f == "person_record_id").map(|(_, v)| v);
                    if person_id.is_some() && note_person != person_id {
                        problems.push("a note's person_record_id is not its person's".into());
                    }
                }
                if closed == "person" {
                    for required in PERSON_REQUIRED {
                        if !has(&person_fields, required) {
                            problems.push(format!("person {persons} has no {required}"));
                        }
                    }
                }
            }
            Event::Empty(empty) => {
                let local = String::from_utf8_lossy(empty.local_name().as_ref()).into_owned();
                if !matches!(namespace, ResolveResult::Bound(ns) if ns.as_ref() == NAMESPACE) {
                    problems.push(format!("<{local}> is not in the PFIF 1.4 namespace"));
                }
                if local == "person" {
                    problems.push("an empty person".into());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        problems.push("the document ends inside an element".into());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validator_can_fail() {
        let wrong = r#"<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person>
            <pfif:person_record_id>no-slash</pfif:person_record_id>
            <pfif:entry_date>2023-04-15 09:30</pfif:entry_date></pfif:person></pfif:pfif>"#;
        let found = violations(wrong);
        assert!(found.iter().any(|p| p.contains("domain/id")), "{found:?}");
        assert!(found.iter().any(|p| p.contains("UTC")), "{found:?}");
        assert!(found.iter().any(|p| p.contains("full_name")), "{found:?}");
        assert!(!violations(r#"<pfif xmlns="http://zesty.ca/pfif/1.2"/>"#).is_empty());
    }
}
