//! What a search finds a case by: its reference, the phone numbers and passports of its people,
//! and their names in either script.
//!
//! Owns the normalisations on both sides of a search: the terms a case is filed under (the
//! folded name tokens and their transliteration skeletons, from `matching::names`), the parts of
//! an E.164 number (country calling code and national significant number, by the ITU table of
//! codes, which is prefix-free so the split is unambiguous), and what a typed query means (digits
//! in any script, a trunk 0 dropped, `00` or `+` for an international number). Must not decide
//! how the store looks terms up or ranks them beyond saying which kind of match each is.

use std::collections::BTreeSet;

use crate::matching::names::Name;

/// Country calling codes (ITU-T E.164 assignments). No code is a prefix of another.
const COUNTRY_CODES: &[&str] = &[
    "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48",
    "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81", "82", "84",
    "86", "90", "91", "92", "93", "94", "95", "98", "211", "212", "213", "216", "218", "220", "221", "222", "223",
    "224", "225", "226", "227", "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239",
    "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251", "252", "253", "254", "255",
    "256", "257", "258", "260", "261", "262", "263", "264", "265", "266", "267", "268", "269", "290", "291", "297",
    "298", "299", "350", "351", "352", "353", "354", "355", "356", "357", "358", "359", "370", "371", "372", "373",
    "374", "375", "376", "377", "378", "380", "381", "382", "383", "385", "386", "387", "389", "420", "421", "423",
    "500", "501", "502", "503", "504", "505", "506", "507", "508", "509", "590", "591", "592", "593", "594", "595",
    "596", "597", "598", "599", "670", "672", "673", "674", "675", "676", "677", "678", "679", "680", "681", "682",
    "683", "685", "686", "687", "688", "689", "690", "691", "692", "800", "808", "850", "852", "853", "855", "856",
    "870", "878", "880", "881", "882", "883", "886", "888", "960", "961", "962", "963", "964", "965", "966", "967",
    "968", "970", "971", "972", "973", "974", "975", "976", "977", "979", "992", "993", "994", "995", "996", "998",
];

/// Most digits in an E.164 number.
const MAX_DIGITS: usize = 15;
/// Fewest digits a typed number needs before it is searched as a phone (shorter digit strings
/// would match too much to be meant as one).
const MIN_PHONE_DIGITS: usize = 6;

/// An E.164 number split into its country calling code and national significant number:
/// `+249912345678` → `("249", "912345678")`. `None` when it is not `+` and digits, or starts
/// with no known code.
pub fn split_e164(e164: &str) -> Option<(&str, &str)> {
    let digits = e164.strip_prefix('+')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    COUNTRY_CODES.iter().find(|code| digits.starts_with(**code)).map(|code| digits.split_at(code.len()))
}

/// The digit a character stands for: ASCII, Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹).
fn digit_value(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
        '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
        _ => None,
    }
}

/// A phone number as someone typed it into the search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneQuery {
    /// Typed with `+` or `00`: the digits after it, country code included.
    International(String),
    /// Typed as at home: the national significant number (a trunk 0 dropped).
    National(String),
}

impl PhoneQuery {
    /// Read a query as a phone number: digits in any script with spaces, dashes, dots and
    /// brackets between them, optionally after `+` or `00`. `None` when it is anything else or
    /// too short or long to be one.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let mut digits = String::new();
        for c in rest.chars() {
            match digit_value(c) {
                Some(d) => digits.push(d),
                None if matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{00A0}') => {}
                None => return None,
            }
        }
        let query = if plus {
            Self::International(digits)
        } else if let Some(international) = digits.strip_prefix("00") {
            Self::International(international.to_owned())
        } else {
            Self::National(digits.trim_start_matches('0').to_owned())
        };
        let len = match &query {
            Self::International(d) | Self::National(d) => d.len(),
        };
        (MIN_PHONE_DIGITS..=MAX_DIGITS).contains(&len).then_some(query)
    }

    /// Every stored (E.164) number this query matches: the number itself when international;
    /// when national, the number under every country code it fits (a stored number's national
    /// significant number is what was typed).
    pub fn stored_forms(&self) -> Vec<String> {
        match self {
            Self::International(digits) => vec![format!("+{digits}")],
            Self::National(nsn) => COUNTRY_CODES
                .iter()
                .filter(|code| code.len() + nsn.len() <= MAX_DIGITS)
                .map(|code| format!("+{code}{nsn}"))
                .collect(),
        }
    }
}

/// Prefix of a term that holds a folded name token.
pub const FOLDED: &str = "n:";
/// Prefix of a term that holds a name token's consonant skeleton.
pub const SKELETON: &str = "s:";

/// The terms a case is filed under for its people's names: each token's folded spelling and its
/// skeletons, once each.
pub fn name_terms<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for name in names {
        for token in Name::parse(name).tokens {
            terms.insert(format!("{FOLDED}{}", token.folded));
            for skeleton in token.skeletons.iter().filter(|s| !s.is_empty()) {
                terms.insert(format!("{SKELETON}{skeleton}"));
            }
        }
    }
    terms
}

/// One word of a name query and the terms that match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameQueryToken {
    /// The folded word as a term (`n:…`): a stored term equal to it is an exact match.
    pub exact: String,
    /// Whether stored terms that merely begin with [`Self::exact`] match (the word is long
    /// enough to be a prefix worth finding: two letters or more).
    pub prefix: bool,
    /// Skeleton terms (`s:…`) that match exactly: the same name in the other script or another
    /// spelling.
    pub skeletons: Vec<String>,
}

/// The words of a name query, each with its terms; empty when the query holds no name.
pub fn name_query(raw: &str) -> Vec<NameQueryToken> {
    Name::parse(raw)
        .tokens
        .into_iter()
        .map(|token| NameQueryToken {
            prefix: token.folded.chars().count() >= 2,
            exact: format!("{FOLDED}{}", token.folded),
            skeletons: token
                .skeletons
                .iter()
                .filter(|s| s.chars().count() >= 2)
                .map(|s| format!("{SKELETON}{s}"))
                .collect(),
        })
        .collect()
}

/// The exclusive upper bound of the terms that begin with `prefix` (compared byte by byte, as
/// both backends compare the term column).
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

/// A passport number as typed, as the store keeps it: upper case, no spaces or dashes. `None`
/// when it has no digit (then it is a name, not a passport) or is not letters and digits.
pub fn passport_query(raw: &str) -> Option<String> {
    let normal: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect();
    (normal.len() >= 5
        && normal.len() <= 20
        && normal.bytes().all(|b| b.is_ascii_alphanumeric())
        && normal.bytes().any(|b| b.is_ascii_digit()))
    .then_some(normal)
}

/// How a case matched a search, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SearchMatch {
    Reference,
    Phone,
    Passport,
    /// Every word of the query is a whole name token of someone in the case.
    NameExact,
    /// Every word matched, some by prefix or by skeleton (another script or spelling).
    NameSimilar,
}

impl SearchMatch {
    /// The rank searches order by (smaller first): reference, then phone and passport alike,
    /// then exact names, then similar ones.
    pub fn rank(self) -> u8 {
        match self {
            Self::Reference => 0,
            Self::Phone | Self::Passport => 1,
            Self::NameExact => 2,
            Self::NameSimilar => 3,
        }
    }

    /// The name the API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Phone => "phone",
            Self::Passport => "passport",
            Self::NameExact | Self::NameSimilar => "name",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_prefix_free_and_unique() {
        for a in COUNTRY_CODES {
            for b in COUNTRY_CODES {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
        let unique: BTreeSet<_> = COUNTRY_CODES.iter().collect();
        assert_eq!(unique.len(), COUNTRY_CODES.len());
    }

    #[test]
    fn an_e164_number_splits_at_its_country_code() {
        assert_eq!(split_e164("+249912345678"), Some(("249", "912345678")));
        assert_eq!(split_e164("+201001234567"), Some(("20", "1001234567")));
        assert_eq!(split_e164("+12025550123"), Some(("1", "2025550123")));
        assert_eq!(split_e164("+211912345678"), Some(("211", "912345678")), "South Sudan is not Sudan");
        assert_eq!(split_e164("249912345678"), None);
        assert_eq!(split_e164("+2809"), None, "28 is unassigned");
        assert_eq!(split_e164("+"), None);
    }

    #[test]
    fn typed_numbers_are_read_in_any_format() {
        let sudan = PhoneQuery::National("912345678".into());
        assert_eq!(PhoneQuery::parse("0912345678"), Some(sudan.clone()));
        assert_eq!(PhoneQuery::parse("912345678"), Some(sudan.clone()));
        assert_eq!(PhoneQuery::parse("091-234 5678"), Some(sudan.clone()));
        assert_eq!(PhoneQuery::parse("٠٩١٢٣٤٥٦٧٨"), Some(sudan.clone()), "Arabic-Indic digits");
        assert_eq!(PhoneQuery::parse("۰۹۱۲۳۴۵۶۷۸"), Some(sudan), "Eastern Arabic-Indic digits");
        let international = PhoneQuery::International("249912345678".into());
        assert_eq!(PhoneQuery::parse("+249 912 345 678"), Some(international.clone()));
        assert_eq!(PhoneQuery::parse("00249912345678"), Some(international.clone()));
        assert_eq!(PhoneQuery::parse("+249 (91) 234-5678"), Some(international));
        assert_eq!(PhoneQuery::parse("12345"), None, "too short to be a phone");
        assert_eq!(PhoneQuery::parse("K7QM-2XPD"), None);
        assert_eq!(PhoneQuery::parse("Ahmed 0912"), None);
        assert_eq!(PhoneQuery::parse("+2499123456789012"), None, "longer than E.164 allows");
    }

    #[test]
    fn a_national_number_matches_the_stored_number_of_any_country() {
        let forms = PhoneQuery::parse("0912345678").unwrap().stored_forms();
        assert!(forms.contains(&"+249912345678".to_owned()));
        assert!(forms.contains(&"+211912345678".to_owned()));
        // Every form splits back into the typed national number.
        for form in &forms {
            assert_eq!(split_e164(form).unwrap().1, "912345678");
        }
        let egypt = PhoneQuery::parse("01001234567").unwrap().stored_forms();
        assert!(egypt.contains(&"+201001234567".to_owned()));
        assert_eq!(PhoneQuery::parse("+249912345678").unwrap().stored_forms(), ["+249912345678"]);
    }

    #[test]
    fn names_are_filed_under_folded_tokens_and_skeletons_that_meet_across_scripts() {
        let arabic = name_terms(["أحمد عثمان"]);
        let latin = name_query("Ahmed Osman");
        assert_eq!(latin.len(), 2);
        for token in &latin {
            assert!(
                token.skeletons.iter().any(|s| arabic.contains(s)),
                "{token:?} meets the Arabic spelling by skeleton ({arabic:?})"
            );
            assert!(!arabic.contains(&token.exact), "not by its folded spelling");
        }
        let stored = name_terms(["Mohamed Babiker"]);
        let moh = &name_query("moh")[0];
        assert!(moh.prefix);
        assert!(stored.iter().any(|t| t.starts_with(&moh.exact) && t.as_str() < prefix_end(&moh.exact).as_str()));
        assert!(stored.contains(&name_query("MOHAMED")[0].exact), "case is folded");
        assert!(name_query("0912345678").is_empty(), "digits are no name");
        assert!(!name_query("a")[0].prefix, "one letter is no prefix");
    }

    #[test]
    fn passports_are_letters_and_digits() {
        assert_eq!(passport_query("p 0123-4567"), Some("P01234567".into()));
        assert_eq!(passport_query("Ahmed"), None);
        assert_eq!(passport_query("أحمد123"), None);
    }

    #[test]
    fn ranks_follow_the_contract() {
        assert!(SearchMatch::Reference.rank() < SearchMatch::Phone.rank());
        assert_eq!(SearchMatch::Phone.rank(), SearchMatch::Passport.rank());
        assert!(SearchMatch::Passport.rank() < SearchMatch::NameExact.rank());
        assert!(SearchMatch::NameExact.rank() < SearchMatch::NameSimilar.rank());
    }
}
