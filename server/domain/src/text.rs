//! What people type, parsed once into types that are valid by construction.
//!
//! Owns the limits (lengths, allowed characters) and the normalisations (Arabic-Indic digits,
//! E.164 phones, passport numbers). Every constructor returns a [`Rejected`] without a field
//! name; callers name it with [`Rejected::within`]. Must not guess: a phone without a
//! country code is read in the region its caller names (the crisis country, the home country:
//! see [`crate::country::PhoneRegions`]) and refused when there is none.
//!
//! Every text type refuses what would make stored text mislead whoever reads it on a page:
//! direction controls (which reorder the text drawn after them) and text made only of
//! invisible characters (which looks empty and is not). The pages isolate each value as well,
//! for text stored before this rule or arriving by other paths.

use serde::{Deserialize, Serialize};

use crate::Rejected;
use crate::country::CountryCode;

/// Longest accepted name or place, in characters. Real Arabic names with four generations and
/// a family name stay well under 120.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest accepted free-text message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Map Arabic-Indic (٠-٩) and Extended Arabic-Indic / Persian (۰-۹) digits to ASCII.
/// NFKC does not do this, and a phone typed on an Arabic keyboard arrives in these digits.
pub fn ascii_digits(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            _ => c,
        })
        .collect()
}

/// Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane): never
/// text a person typed, and not allowed in XML, which CAP is.
fn is_noncharacter(c: char) -> bool {
    let c = c as u32;
    (0xFDD0..=0xFDEF).contains(&c) || (c & 0xFFFE) == 0xFFFE
}

/// The characters that set the direction of the text after them — the embeddings and overrides
/// (U+202A–U+202E) and the isolates (U+2066–U+2069) — with their names for the refusal. Nobody
/// types them by hand, and in a stored name they reorder what a page draws beside it: after a
/// right-to-left override, the phone number next to a name reads `876543219942+`. The marks
/// (LRM, RLM, ALM) only settle the neutral characters beside them and stay allowed.
const DIRECTION_CONTROLS: [(char, &str); 9] = [
    ('\u{202A}', "LEFT-TO-RIGHT EMBEDDING"),
    ('\u{202B}', "RIGHT-TO-LEFT EMBEDDING"),
    ('\u{202C}', "POP DIRECTIONAL FORMATTING"),
    ('\u{202D}', "LEFT-TO-RIGHT OVERRIDE"),
    ('\u{202E}', "RIGHT-TO-LEFT OVERRIDE"),
    ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
    ('\u{2067}', "RIGHT-TO-LEFT ISOLATE"),
    ('\u{2068}', "FIRST STRONG ISOLATE"),
    ('\u{2069}', "POP DIRECTIONAL ISOLATE"),
];

/// Characters that draw nothing: white space, the default-ignorable code points (zero-width
/// space, joiners, direction marks and controls, the word joiner, the byte-order mark, the
/// Mongolian vowel separator, variation selectors, tags, Hangul fillers, …) and the blank
/// Braille pattern. Inside text they are fine (a ZWNJ is how Persian spells some words, a ZWJ
/// builds an emoji), but a name made of them alone looks empty to the operator and is not.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// The refusals every text type shares, on trimmed text: a direction control anywhere (named,
/// so the person can find it), or nothing but invisible characters.
fn refuse_misleading_characters(text: &str) -> Result<(), Rejected> {
    let control = text.chars().find_map(|c| DIRECTION_CONTROLS.iter().find(|(control, _)| *control == c));
    if let Some((c, name)) = control {
        return Err(Rejected::value(
            "invalid_characters",
            format!(
                "must not contain U+{:04X} {name}: direction controls reorder the text shown beside it",
                u32::from(*c)
            ),
        ));
    }
    if !text.is_empty() && text.chars().all(is_invisible) {
        return Err(Rejected::value(
            "no_visible_characters",
            "is made only of invisible characters (zero-width spaces, direction marks or the like): \
             write it in letters or digits, or leave it empty",
        ));
    }
    Ok(())
}

/// One line of text (a name, a place), trimmed and with runs of spaces collapsed; empty when
/// blank. Refuses control characters, direction controls and invisible-only text.
pub(crate) fn single_line(raw: &str, max: usize) -> Result<String, Rejected> {
    let trimmed = raw.trim();
    if trimmed.chars().any(|c| c.is_control() || is_noncharacter(c)) {
        return Err(Rejected::value(
            "control_character",
            "must not contain control characters such as line breaks or tabs",
        ));
    }
    refuse_misleading_characters(trimmed)?;
    let count = trimmed.chars().count();
    if count > max {
        return Err(Rejected::value("too_long", format!("must be at most {max} characters (got {count})")));
    }
    // Collapse runs of spaces so "Mohamed  Ali" and "Mohamed Ali" are the same name.
    Ok(trimmed.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A person's name as typed, in any script: 1 to [`MAX_NAME_CHARS`] characters, one line, with
/// something visible in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// `None` for an empty or blank name: partial reports are normal, a missing name is not an error.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Rejected> {
        let name = single_line(raw, MAX_NAME_CHARS)?;
        Ok((!name.is_empty()).then_some(Self(name)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A place as described by the reporter ("الرياض، الخرطوم", "near the Souq Arabi"): one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlaceName(String);

impl PlaceName {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Rejected> {
        let place = single_line(raw, MAX_NAME_CHARS)?;
        Ok((!place.is_empty()).then_some(Self(place)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text from a citizen, a relative, an operator or a partner (messages, notes, reasons,
/// advisories, labels). Line breaks and tabs are allowed; other control characters, direction
/// controls and invisible-only text are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Message(String);

impl Message {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Rejected> {
        let text = raw.trim();
        if text.chars().any(|c| (c.is_control() && c != '\n' && c != '\t' && c != '\r') || is_noncharacter(c)) {
            return Err(Rejected::value("control_character", "must not contain control characters"));
        }
        refuse_misleading_characters(text)?;
        let count = text.chars().count();
        if count > MAX_MESSAGE_CHARS {
            return Err(Rejected::value(
                "too_long",
                format!("must be at most {MAX_MESSAGE_CHARS} characters (got {count})"),
            ));
        }
        Ok((!text.is_empty()).then(|| Self(text.replace("\r\n", "\n"))))
    }

    /// An optional field: absent or blank is `None`; a refusal names `field`.
    pub fn parse_field(raw: Option<&str>, field: &str) -> Result<Option<Self>, Rejected> {
        Ok(raw.map(Self::parse_optional).transpose().map_err(|r| r.within(field))?.flatten())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number in E.164 form: `+`, the country calling code, the national number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Reads a number as people type it: with `+` or `00` it is international (`+218 91 234
    /// 5678`, `00249-912-345678`, `(+20) 100 123 4567`); without, it is a national number of
    /// `region` (`091 234 5678` in `LY`), and refused when there is no region to read it in.
    /// Digits may be Arabic-Indic or Persian; spaces, dashes, dots, slashes and brackets are
    /// ignored. The numbering plans are libphonenumber's (the `phonenumber` crate), so a
    /// national trunk prefix typed after the country code (`+249 0912…`) is dropped for every
    /// country that has one, and kept where it is part of the number (Italy's `+39 06…`).
    pub fn parse(raw: &str, region: Option<CountryCode>) -> Result<Self, Rejected> {
        let ascii = ascii_digits(raw.trim());
        let mut compact = String::with_capacity(ascii.len());
        for c in ascii.chars() {
            match c {
                ' ' | '-' | '.' | '(' | ')' | '/' | '\u{00A0}' | '\u{200E}' | '\u{200F}' => {}
                '+' | '0'..='9' => compact.push(c),
                _ => {
                    return Err(Rejected::value(
                        "invalid_phone",
                        "may contain only digits, spaces, dashes, brackets and a leading +",
                    ));
                }
            }
        }
        if compact.get(1..).is_some_and(|rest| rest.contains('+')) {
            return Err(Rejected::value("invalid_phone", "a + may appear only at the start"));
        }
        let parsed = if let Some(international) = compact.strip_prefix('+').or_else(|| compact.strip_prefix("00")) {
            phonenumber::parse(None, format!("+{international}"))
        } else {
            // A region the numbering plans do not know (Antarctica, a code nobody assigned)
            // cannot read a national number any more than no region can.
            match region.and_then(|r| r.phone_region()) {
                Some(region) => phonenumber::parse(Some(region), &compact),
                None => {
                    return Err(Rejected::value(
                        "phone_needs_country_code",
                        "must start with + or 00 and the country code, e.g. +218 for Libya",
                    ));
                }
            }
        };
        let unknown_code =
            || Rejected::value("phone_unknown_country_code", "does not start with a country calling code in use");
        let number = parsed.map_err(|error| match error {
            phonenumber::ParseError::InvalidCountryCode => unknown_code(),
            phonenumber::ParseError::TooShortAfterIdd
            | phonenumber::ParseError::TooShortNsn
            | phonenumber::ParseError::TooLong => {
                Rejected::value("phone_wrong_length", "has too few or too many digits to be a phone number")
            }
            _ => Rejected::value("invalid_phone", "is not a phone number"),
        })?;
        let national = number.national().to_string();
        let plan = calling_code_plan(number.code().value()).ok_or_else(unknown_code)?;
        // Only the *possible* test (a length this country's numbers have) is applied, never the
        // finer *valid* one (the number falls in a range the plan lists): numbering plans gain
        // ranges faster than the metadata follows (new mobile operators, new area codes), and a
        // real number an operator cannot save is a family nobody calls back. A length that is
        // only possible for dialling within an area (a number without its area code) is refused:
        // nobody can call it from the room.
        let lengths = possible_lengths(plan);
        if !lengths.contains(&(national.len() as u16)) {
            let lengths: Vec<String> = lengths.iter().map(u16::to_string).collect();
            return Err(Rejected::value(
                "phone_wrong_length",
                format!(
                    "has {} digits after the country code +{}, where numbers have {}",
                    national.len(),
                    number.code().value(),
                    lengths.join(" or ")
                ),
            ));
        }
        Ok(Self(format!("+{}{national}", number.code().value())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The lengths of the plan's numbers, of any kind (libphonenumber's metadata builder computes
/// this union for its general description; the crate's loader leaves that list empty).
fn possible_lengths(plan: &phonenumber::Metadata) -> Vec<u16> {
    let d = plan.descriptors();
    let kinds = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
        d.no_international(),
    ];
    let mut lengths: Vec<u16> = kinds.into_iter().flatten().flat_map(|kind| kind.possible_length()).copied().collect();
    lengths.extend(d.general().possible_length());
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

/// The numbering plan of a calling code: that of its main country where several share it (the
/// US for +1), as libphonenumber's own possible-number test does.
fn calling_code_plan(code: u16) -> Option<&'static phonenumber::Metadata> {
    let plans = phonenumber::metadata::DATABASE.by_code(&code)?;
    plans.iter().find(|plan| plan.is_main_country_for_code()).or(plans.first()).copied()
}

/// A passport number, upper-cased with spaces and dashes removed: 5 to 20 letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PassportNumber(String);

impl PassportNumber {
    pub fn parse(raw: &str) -> Result<Self, Rejected> {
        let normalised: String = ascii_digits(raw)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{00A0}'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !(5..=20).contains(&normalised.len()) || !normalised.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Rejected::value("invalid_passport", "must be 5 to 20 Latin letters and digits"));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn region(iso: &str) -> Option<CountryCode> {
        Some(CountryCode::parse(iso).unwrap())
    }

    #[test]
    fn phones_normalise_to_e164() {
        for raw in ["+249 912 345 678", "00249-912-345678", "(+249) 912345678", "+٢٤٩٩١٢٣٤٥٦٧٨", "+۲۴۹۹۱۲۳۴۵۶۷۸"]
        {
            assert_eq!(PhoneNumber::parse(raw, None).unwrap().as_str(), "+249912345678", "{raw}");
        }
        assert_eq!(PhoneNumber::parse("+20 100 123 4567", None).unwrap().as_str(), "+201001234567");
        // A trunk 0 typed after the country code is dropped where it is a trunk prefix...
        assert_eq!(PhoneNumber::parse("+249 0912 345 678", None).unwrap().as_str(), "+249912345678");
        assert_eq!(PhoneNumber::parse("0020 0100 123 4567", None).unwrap().as_str(), "+201001234567");
        assert_eq!(PhoneNumber::parse("+218 091 234 5678", None).unwrap().as_str(), "+218912345678");
        assert_eq!(PhoneNumber::parse("+44 (0)20 7946 0958", None).unwrap().as_str(), "+442079460958");
        // ...and kept where it is part of the number (Italy).
        assert_eq!(PhoneNumber::parse("+39 06 1234 5678", None).unwrap().as_str(), "+390612345678");
        // An international number ignores the region it would otherwise be read in.
        assert_eq!(PhoneNumber::parse("+218 91 234 5678", region("EG")).unwrap().as_str(), "+218912345678");
    }

    #[test]
    fn local_formats_of_many_countries_are_read_in_their_region() {
        let cases = [
            ("LY", "091 234 5678", "+218912345678"),
            ("LY", "٠٩١-٢٣٤-٥٦٧٨", "+218912345678"),
            ("SD", "0912 345 678", "+249912345678"),
            ("SD", "۰۹۱۲۳۴۵۶۷۸", "+249912345678"),
            ("EG", "010 0123 4567", "+201001234567"),
            ("EG", "(02) 2345 6789", "+20223456789"),
            ("LB", "03 123 456", "+9613123456"),
            ("LB", "01-234567", "+9611234567"),
            ("SY", "0944 123 456", "+963944123456"),
            ("YE", "0712 345 678", "+967712345678"),
            ("SA", "050 123 4567", "+966501234567"),
            ("JO", "079 123 4567", "+962791234567"),
            ("PS", "0599 123 456", "+970599123456"),
            ("IQ", "0790 123 4567", "+9647901234567"),
            ("GB", "07700 900123", "+447700900123"),
            ("GB", "(020) 7946-0958", "+442079460958"),
            ("US", "(201) 555-0123", "+12015550123"),
            ("US", "201.555.0123", "+12015550123"),
            ("TN", "20 123 456", "+21620123456"),
            ("AE", "050 123 4567", "+971501234567"),
        ];
        for (iso, raw, e164) in cases {
            assert_eq!(PhoneNumber::parse(raw, region(iso)).map(|p| p.0), Ok(e164.to_owned()), "{iso} {raw}");
        }
    }

    #[test]
    fn what_cannot_be_a_number_is_refused_with_its_reason() {
        let code = |raw: &str, iso: Option<&str>| match PhoneNumber::parse(raw, iso.and_then(region)) {
            Ok(phone) => panic!("{raw} was read as {}", phone.0),
            Err(refused) => refused.code,
        };
        assert_eq!(code("0912345678", None), "phone_needs_country_code");
        assert_eq!(code("0912345678", Some("AQ")), "phone_needs_country_code", "Antarctica has no numbering plan");
        assert_eq!(code("+249 91x 345", None), "invalid_phone");
        assert_eq!(code("+249+912345678", None), "invalid_phone");
        assert_eq!(code("+12", None), "invalid_phone", "too few digits to be any number");
        assert_eq!(code("+1234567890123456", None), "phone_wrong_length");
        assert_eq!(code("+999 123 456 789", None), "phone_unknown_country_code");
        // Lengths no number of the country has: a digit short, a digit too many, an American
        // number without its area code (dialable only inside its area).
        assert_eq!(code("+249 91 234 567", None), "phone_wrong_length");
        assert_eq!(code("091 234 56789", Some("LY")), "phone_wrong_length");
        assert_eq!(code("555-0123", Some("US")), "phone_wrong_length");
        let message = PhoneNumber::parse("+249 91 234 567", None).unwrap_err().message;
        assert_eq!(message, "has 8 digits after the country code +249, where numbers have 9");
    }

    #[test]
    fn numbers_of_a_range_the_plans_do_not_list_yet_are_kept() {
        // Libya's plan lists no mobile range starting 99: a possible length is enough.
        let unlisted = phonenumber::parse(None, "+218 99 123 4567").unwrap();
        assert!(!unlisted.is_valid());
        assert_eq!(PhoneNumber::parse("099 123 4567", region("LY")).unwrap().as_str(), "+218991234567");
    }

    #[test]
    fn passports_are_normalised() {
        assert_eq!(PassportNumber::parse(" a12-34 567 ").unwrap().as_str(), "A1234567");
        assert!(PassportNumber::parse("A1").is_err());
        assert!(PassportNumber::parse("A123456$").is_err());
    }

    #[test]
    fn names_refuse_control_characters_and_excess_length() {
        assert_eq!(PersonName::parse_optional("Ali\u{0}").unwrap_err().code, "control_character");
        assert_eq!(PersonName::parse_optional("a\nb").unwrap_err().code, "control_character");
        assert_eq!(PersonName::parse_optional(&"م".repeat(10_000)).unwrap_err().code, "too_long");
        assert_eq!(PersonName::parse_optional("   ").unwrap(), None);
        assert_eq!(PersonName::parse_optional("  منى   أحمد ").unwrap().unwrap().as_str(), "منى أحمد");
    }

    #[test]
    fn messages_keep_line_breaks() {
        let m = Message::parse_optional("we are safe\r\nno water").unwrap().unwrap();
        assert_eq!(m.as_str(), "we are safe\nno water");
        assert!(Message::parse_optional("bell\u{7}").is_err());
        assert!(Message::parse_optional("not\u{FFFE}xml").is_err());
        assert!(PersonName::parse_optional("x\u{FDD0}").is_err());
    }

    /// A name, a place and a message from the same raw text: every text type must agree.
    fn refusal_codes(raw: &str) -> [Option<&'static str>; 3] {
        [
            PersonName::parse_optional(raw).err().map(|r| r.code),
            PlaceName::parse_optional(raw).err().map(|r| r.code),
            Message::parse_optional(raw).err().map(|r| r.code),
        ]
    }

    #[test]
    fn every_direction_control_is_refused_by_name_in_every_text_type() {
        for (control, name) in DIRECTION_CONTROLS {
            for raw in [format!("Mona{control} Osman"), format!("{control}منى"), format!("Ali {control}")] {
                assert_eq!(refusal_codes(&raw), [Some("invalid_characters"); 3], "{raw:?}");
                let message = PersonName::parse_optional(&raw).unwrap_err().message;
                assert!(
                    message.contains(&format!("U+{:04X}", u32::from(control))) && message.contains(name),
                    "{message}"
                );
            }
        }
        // The refusal names the field it is in.
        let refused = Message::parse_field(Some("call +249912345678\u{202E}"), "text").unwrap_err();
        assert_eq!((refused.code, refused.field.as_deref()), ("invalid_characters", Some("text")));
    }

    #[test]
    fn invisible_only_text_is_refused_in_every_text_type() {
        for raw in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            " \u{FEFF} \u{2060} ",
            "\u{200E}\u{200F}\u{061C}",
            "\u{180E}",
            "\u{3164}\u{3164}",
            "\u{2800}",
            "\u{00AD}\u{034F}\u{FE0F}",
            "\u{E0041}\u{E007F}",
            "\u{2062}\u{00A0}\u{3000}",
        ] {
            assert_eq!(refusal_codes(raw), [Some("no_visible_characters"); 3], "{raw:?}");
        }
        // Blank is still simply absent.
        assert_eq!(PersonName::parse_optional(" \u{00A0} ").unwrap(), None);
    }

    #[test]
    fn real_names_keep_their_joiners_and_marks() {
        for raw in [
            "منى عثمان",
            "Mona Osman",
            // Persian spells some words with a zero-width non-joiner.
            "می\u{200C}خواهم",
            "Fatemeh Mohammad\u{200C}zadeh",
            // A right-to-left mark settling the punctuation of a mixed name.
            "محمد (Mohamed)\u{200F}",
            "👩\u{200D}👧 Sara",
        ] {
            assert_eq!(refusal_codes(raw), [None; 3], "{raw:?}");
            assert_eq!(PersonName::parse_optional(raw).unwrap().unwrap().as_str(), raw);
        }
    }

    /// Text drawn from ordinary letters, spaces and every character this module treats specially.
    fn tricky_text() -> impl Strategy<Value = String> {
        let special: Vec<char> = DIRECTION_CONTROLS
            .iter()
            .map(|(c, _)| *c)
            .chain(['\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{2060}', '\u{FEFF}'])
            .chain(['\u{180E}', '\u{061C}', '\u{3164}', ' ', '\u{00A0}', 'a', 'Z', 'م', 'ن', '5'])
            .collect();
        prop::collection::vec(prop_oneof![prop::sample::select(special), any::<char>()], 0..40)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn accepted_text_has_no_direction_control_and_something_visible(raw in tricky_text()) {
            let accepted = [
                PersonName::parse_optional(&raw).ok().flatten().map(|n| n.as_str().to_owned()),
                PlaceName::parse_optional(&raw).ok().flatten().map(|n| n.as_str().to_owned()),
                Message::parse_optional(&raw).ok().flatten().map(|m| m.as_str().to_owned()),
            ];
            for text in accepted.into_iter().flatten() {
                prop_assert!(!text.chars().any(|c| DIRECTION_CONTROLS.iter().any(|(d, _)| *d == c)), "{:?}", text);
                prop_assert!(!text.chars().all(is_invisible), "{:?}", text);
            }
        }

        #[test]
        fn a_direction_control_anywhere_in_a_valid_name_is_refused(
            name in "[a-zA-Zء-ي]{1,10}( [a-zA-Zء-ي]{1,10}){0,3}",
            at in any::<prop::sample::Index>(),
            control in prop::sample::select(DIRECTION_CONTROLS.map(|(c, _)| c).to_vec()),
        ) {
            prop_assert!(PersonName::parse_optional(&name).unwrap().is_some());
            let mut chars: Vec<char> = name.chars().collect();
            chars.insert(at.index(chars.len() + 1), control);
            let tampered: String = chars.into_iter().collect();
            prop_assert_eq!(refusal_codes(&tampered), [Some("invalid_characters"); 3]);
        }

        #[test]
        fn parsed_names_are_bounded_single_lines(raw in "\\PC{0,300}") {
            if let Ok(Some(name)) = PersonName::parse_optional(&raw) {
                prop_assert!(name.as_str().chars().count() <= MAX_NAME_CHARS);
                prop_assert!(!name.as_str().chars().any(char::is_control));
                prop_assert_eq!(name.as_str().trim(), name.as_str());
            }
        }

        #[test]
        fn parsed_phones_are_e164(raw in "[+0-9 ()٠-٩-]{0,25}", iso in prop::sample::select(vec![None, Some("LY"), Some("EG"), Some("US")])) {
            if let Ok(phone) = PhoneNumber::parse(&raw, iso.and_then(region)) {
                let s = phone.as_str();
                prop_assert!(s.starts_with('+'));
                prop_assert!((9..=16).contains(&s.len()));
                prop_assert!(s[1..].bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
