//! Matching: is a newly reported person someone already known — the same person spelled another
//! way, in another script, reported by another relative?
//!
//! Owns the score of a pair of persons and its reasons in words, from their names (see `names`
//! and `dictionary`), phones, passports, ages, sexes and where they are on the H3 grid. Pure: no
//! IO, no candidates search (the store narrows candidates by blocking keys; see `blocking_keys`).
//! Must never decide anything by itself: a score above [`DUPLICATE_THRESHOLD`] is a suggestion an
//! operator confirms or dismisses.

pub mod dictionary;
pub mod names;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Timestamp;
use crate::location::Cell;
use crate::report::{Relation, Sex};
use names::{Name, Token};

/// Scores at or above this are suggested as "possibly the same person".
pub const DUPLICATE_THRESHOLD: f64 = 0.8;
/// Token similarity from which two names of a chain count as the same name.
const SAME_TOKEN: f64 = 0.75;

/// What is known about a person, as the matcher needs it. Phones are E.164 and passports
/// normalised (as `text` parses them).
#[derive(Debug, Clone, Default)]
pub struct PersonFacts {
    pub name: Option<Name>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub passport: Option<String>,
    pub cell: Option<Cell>,
}

impl PersonFacts {
    pub fn new(
        name: Option<&str>,
        age: Option<u8>,
        sex: Option<Sex>,
        phone: Option<&str>,
        passport: Option<&str>,
        cell: Option<Cell>,
    ) -> Self {
        Self {
            name: name.map(Name::parse).filter(|n| !n.tokens.is_empty()),
            age,
            sex,
            phone: phone.map(str::to_owned),
            passport: passport.map(str::to_owned),
            cell,
        }
    }
}

/// Why two persons look alike (or not), for the operator who decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchReason {
    /// Stable code: `name`, `same_phone`, `different_phones`, `same_passport`,
    /// `different_passports`, `age`, `sex_differs`, `distance`.
    pub code: String,
    pub en: String,
    pub ar: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchScore {
    /// 0 to 1.
    pub score: f64,
    pub reasons: Vec<MatchReason>,
}

impl MatchScore {
    pub fn is_suggested(&self) -> bool {
        self.score >= DUPLICATE_THRESHOLD
    }
}

fn reason(code: &str, en: impl Into<String>, ar: impl Into<String>) -> MatchReason {
    MatchReason { code: code.to_owned(), en: en.into(), ar: ar.into() }
}

/// What a suggestion proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MatchKind {
    /// Possibly the same person, reported twice.
    Duplicate,
    /// Possibly a relative (a family's shared phone, the same father's and grandfather's names).
    Relative,
}

/// An operator's answer to a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Decision {
    /// The same person: the two are linked as one (every report kept; undone by `undo`).
    Same,
    /// Relatives, with the relation.
    Related,
    /// Not related: remembered, never suggested again.
    NotRelated,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Same => "same",
            Decision::Related => "related",
            Decision::NotRelated => "not_related",
        }
    }
}

/// The matcher found a person in a new report that looks like a known one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchSuggested {
    pub suggestion_id: Uuid,
    /// The new report's case and person.
    pub case_id: Uuid,
    pub person_id: Uuid,
    /// The known case and person it looks like.
    pub other_case_id: Uuid,
    pub other_person_id: Uuid,
    pub kind: MatchKind,
    pub score: f64,
    pub reasons: Vec<MatchReason>,
    pub at: Timestamp,
}

/// An operator decided a suggestion, or (`decision: None`) undid their decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchDecided {
    pub suggestion_id: Uuid,
    pub case_id: Uuid,
    pub other_case_id: Uuid,
    pub person_id: Uuid,
    pub other_person_id: Uuid,
    pub decision: Option<Decision>,
    /// For `related`: what the first person is to the second.
    pub relation: Option<Relation>,
    pub by: Uuid,
    pub at: Timestamp,
}

/// Whether two persons that are not suggested as the same look like relatives: a shared phone
/// (a family's one phone), or siblings' names — different given names over the same father's and
/// grandfather's names — not far apart (common names would otherwise pair strangers).
pub fn relative_hint(a: &PersonFacts, b: &PersonFacts, score: &MatchScore) -> bool {
    if score.is_suggested() {
        return false;
    }
    let shared_phone = matches!((&a.phone, &b.phone), (Some(x), Some(y)) if x == y);
    let near = match (a.cell, b.cell) {
        (Some(x), Some(y)) => distance_km(x, y) <= SIBLINGS_WITHIN_KM,
        _ => false,
    };
    let siblings = match (&a.name, &b.name) {
        (Some(x), Some(y)) if x.tokens.len() >= 3 && y.tokens.len() >= 3 => {
            token_similarity(&x.tokens[0], &y.tokens[0]) < SAME_TOKEN
                && token_similarity(&x.tokens[1], &y.tokens[1]) >= SAME_TOKEN
                && token_similarity(&x.tokens[2], &y.tokens[2]) >= SAME_TOKEN
        }
        _ => false,
    };
    shared_phone || (siblings && near)
}

/// Siblings' names count as a hint only for people this close (km).
const SIBLINGS_WITHIN_KM: f64 = 10.0;

/// Levenshtein similarity of two strings, by characters: 1 for equal, 0 for nothing shared.
fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    1.0 - previous[b.len()] as f64 / longest as f64
}

/// How alike two names of a chain are, 0 to 1. Two listed spellings are the same name or not
/// at all; otherwise the consonant skeletons decide, with the spelling itself when both are in
/// one script.
pub fn token_similarity(a: &Token, b: &Token) -> f64 {
    if let (Some(x), Some(y)) = (a.canonical, b.canonical) {
        return if x == y { 1.0 } else { 0.0 };
    }
    if a.script == b.script && a.folded == b.folded {
        return 1.0;
    }
    let skeleton =
        a.skeletons.iter().flat_map(|x| b.skeletons.iter().map(move |y| similarity(x, y))).fold(0.0, f64::max);
    if a.script == b.script {
        // A typo changes one letter of the spelling but may change a short skeleton a lot.
        let spelling = similarity(&a.folded, &b.folded);
        (0.5 * skeleton + 0.5 * spelling).max(spelling)
    } else {
        // Across scripts only consonants can be compared: a little less certain.
        0.95 * skeleton
    }
}

/// How alike two names are, 0 to 1, and whether they were written in different scripts.
///
/// Arabic names are chains (given, father, grandfather, family) and are often given in part:
/// the shorter name must match an ordered part of the longer one, given name to given name.
/// A family name written first is tried too.
pub fn name_similarity(a: &Name, b: &Name) -> f64 {
    let (n, m) = (a.tokens.len(), b.tokens.len());
    if n == 0 || m == 0 {
        return 0.0;
    }
    // Every pair of tokens compared once; the orderings below only look the pairs up.
    let sim: Vec<Vec<f64>> =
        a.tokens.iter().map(|x| b.tokens.iter().map(|y| token_similarity(x, y)).collect()).collect();
    let order = |len: usize, rotate: bool| -> Vec<usize> {
        if rotate { std::iter::once(len - 1).chain(0..len - 1).collect() } else { (0..len).collect() }
    };
    [(false, false), (true, false), (false, true)]
        .into_iter()
        .map(|(rotate_a, rotate_b)| chain_similarity(&order(n, rotate_a), &order(m, rotate_b), &sim))
        .fold(0.0, f64::max)
}

/// The chain score of `a`'s tokens in order `ia` against `b`'s in order `ib`; `sim[i][j]` is the
/// similarity of `a`'s token `i` and `b`'s token `j`.
fn chain_similarity(ia: &[usize], ib: &[usize], sim: &[Vec<f64>]) -> f64 {
    // The shorter chain is matched into the longer one.
    let swapped = ia.len() > ib.len();
    let (short, long) = if swapped { (ib, ia) } else { (ia, ib) };
    let pair = |s: usize, l: usize| if swapped { sim[l][s] } else { sim[s][l] };
    let given = pair(short[0], long[0]);
    if given < SAME_TOKEN {
        // Different given names: relatives perhaps, the same person no.
        return given * 0.4;
    }
    // Best ordered matching of the rest of the short chain into the rest of the long one.
    let (rest_short, rest_long) = (&short[1..], &long[1..]);
    let mut best = vec![vec![0.0f64; rest_long.len() + 1]; rest_short.len() + 1];
    for i in 1..=rest_short.len() {
        for j in 1..=rest_long.len() {
            let similar = pair(rest_short[i - 1], rest_long[j - 1]);
            let matched = if similar >= SAME_TOKEN { best[i - 1][j - 1] + similar } else { best[i - 1][j - 1] };
            best[i][j] = matched.max(best[i - 1][j]).max(best[i][j - 1]);
        }
    }
    let matched = best[rest_short.len()][rest_long.len()];
    let mut score = (2.0 * given + matched) / (2.0 + rest_short.len() as f64);
    if short.len() == 1 {
        // A given name alone says little.
        score *= 0.75;
    }
    score
}

/// Distance between two cells' centres in km.
fn distance_km(a: Cell, b: Cell) -> f64 {
    let (a, b) = (h3o::LatLng::from(a.index()), h3o::LatLng::from(b.index()));
    a.distance_km(b)
}

/// Score a pair of persons. Symmetric.
pub fn compare(a: &PersonFacts, b: &PersonFacts) -> MatchScore {
    let mut reasons = Vec::new();
    let mut score = match (&a.name, &b.name) {
        (Some(x), Some(y)) => {
            let s = name_similarity(x, y);
            let across = x.tokens[0].script != y.tokens[0].script;
            let (en, ar) =
                if across { (" across scripts", " بين العربية واللاتينية") } else { ("", "") };
            reasons.push(reason("name", format!("name match {s:.2}{en}"), format!("تطابق الاسم {s:.2}{ar}")));
            s
        }
        _ => 0.0,
    };
    let name_score = score;

    if let (Some(x), Some(y)) = (&a.passport, &b.passport) {
        if x == y {
            if name_score >= 0.5 {
                score = score.max(0.97);
            }
            reasons.push(reason("same_passport", "same passport", "رقم الجواز نفسه"));
        } else {
            score *= 0.2;
            reasons.push(reason("different_passports", "different passports", "رقما جواز مختلفان"));
        }
    }
    if let (Some(x), Some(y)) = (&a.phone, &b.phone) {
        if x == y {
            // A family shares a phone: the same number makes the same person only with names
            // that already agree.
            if name_score >= 0.6 {
                score = score.max(0.9);
            }
            reasons.push(reason("same_phone", "same phone", "رقم الهاتف نفسه"));
        } else {
            score *= 0.9;
            reasons.push(reason("different_phones", "different phones", "رقما هاتف مختلفان"));
        }
    }
    if let (Some(x), Some(y)) = (a.age, b.age) {
        let gap = x.abs_diff(y);
        let factor = match gap {
            0..=2 => 1.0,
            3..=5 => 0.9,
            6..=9 => 0.6,
            _ => 0.2,
        };
        score *= factor;
        let (en, ar) = if gap <= 2 {
            (format!("ages agree ({x}, {y})"), format!("العمران متقاربان ({x}، {y})"))
        } else {
            (format!("ages {x} and {y}"), format!("العمران {x} و{y}"))
        };
        reasons.push(reason("age", en, ar));
    }
    if let (Some(x), Some(y)) = (a.sex, b.sex)
        && x != Sex::Unknown
        && y != Sex::Unknown
        && x != y
    {
        score *= 0.2;
        reasons.push(reason("sex_differs", "one is female, the other male", "أحدهما أنثى والآخر ذكر"));
    }
    if let (Some(x), Some(y)) = (a.cell, b.cell) {
        let km = distance_km(x, y);
        if km > 300.0 {
            score *= 0.85;
        }
        let shown = if km < 1.0 { "under 1".to_owned() } else { format!("{km:.0}") };
        let shown_ar = if km < 1.0 { "أقل من 1".to_owned() } else { format!("{km:.0}") };
        reasons.push(reason("distance", format!("{shown} km apart"), format!("المسافة بينهما {shown_ar} كم")));
    }
    MatchScore { score: score.clamp(0.0, 1.0), reasons }
}

/// Keys under which a person is filed for candidate search: a candidate shares at least one
/// key. Recall-oriented: keys are consonant skeletons (every reading of an ambiguous letter), so
/// an Arabic name, its Latin spellings and most typos meet. The keys are the given and father's
/// names together (`broad`: common pairs are shared by many), and the specific ones: given,
/// father's and grandfather's names; the last name before the given name (for a chain written
/// family name first); the phone; the passport. A given name alone is not a key: it cannot make
/// a suggestion without a phone or passport, which are keys themselves.
pub fn blocking_keys(facts: &PersonFacts) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(name) = &facts.name {
        // An empty skeleton (a name of vowels alone, such as "Aya") files nothing by itself.
        let key_of =
            |t: &Token| t.skeletons.iter().filter(|s| !s.is_empty()).map(|s| format!("s:{s}")).collect::<Vec<_>>();
        let joined = |firsts: &[String], seconds: &[String]| -> Vec<String> {
            firsts.iter().flat_map(|a| seconds.iter().map(move |b| format!("{a}+{b}"))).collect()
        };
        let given = key_of(&name.tokens[0]);
        if let Some(father) = name.tokens.get(1) {
            let pairs = joined(&given, &key_of(father));
            if let Some(grandfather) = name.tokens.get(2) {
                keys.extend(joined(&pairs, &key_of(grandfather)));
            }
            keys.extend(pairs);
            if let Some(last) = name.tokens.last() {
                keys.extend(joined(&key_of(last), &given).into_iter().map(|k| format!("{k}+<")));
            }
        }
    }
    keys.extend(facts.phone.iter().map(|p| format!("p:{p}")));
    keys.extend(facts.passport.iter().map(|p| format!("d:{p}")));
    keys.sort();
    keys.dedup();
    keys
}

/// Whether `key` is a given-and-father pair, which common names share by the thousand; a
/// candidate search asks the specific keys first.
pub fn is_broad_key(key: &str) -> bool {
    key.starts_with("s:") && key.matches('+').count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> PersonFacts {
        PersonFacts::new(Some(name), None, None, None, None, None)
    }

    fn score(a: &PersonFacts, b: &PersonFacts) -> f64 {
        compare(a, b).score
    }

    #[test]
    fn spellings_of_one_name_match_and_sound_alike_names_do_not() {
        assert!(score(&person("Mohamed Abdelrahim Osman"), &person("محمد عبد الرحيم عثمان")) >= DUPLICATE_THRESHOLD);
        assert!(
            score(&person("Muhammad Abd El Rahim Othman"), &person("Mohamed Abdelrahim Osman")) >= DUPLICATE_THRESHOLD
        );
        assert!(score(&person("Hassan Ali Omer"), &person("Hussein Ali Omer")) < DUPLICATE_THRESHOLD);
        assert!(score(&person("أحمد خالد"), &person("حامد خالد")) < DUPLICATE_THRESHOLD);
    }

    #[test]
    fn partial_and_reordered_chains_match() {
        assert!(score(&person("Amna Hassan"), &person("Amna Hassan Ali Elsayed")) >= DUPLICATE_THRESHOLD);
        assert!(score(&person("Elsayed Amna Hassan"), &person("Amna Hassan Elsayed")) >= DUPLICATE_THRESHOLD);
        assert!(score(&person("Ahmed Hassan Ali"), &person("Omar Hassan Ali")) < 0.5, "brothers");
    }

    #[test]
    fn evidence_beyond_the_name_moves_the_score() {
        let with = |age: u8, passport: &str| {
            PersonFacts::new(Some("Mohamed Ahmed"), Some(age), None, None, Some(passport), None)
        };
        assert!(score(&with(30, "P1"), &with(31, "P1")) >= 0.97);
        assert!(score(&with(30, "P1"), &with(30, "P2")) < DUPLICATE_THRESHOLD, "different passports");
        let aged = |age: u8| PersonFacts::new(Some("Fatima Ali"), Some(age), None, None, None, None);
        assert!(score(&aged(8), &aged(52)) < DUPLICATE_THRESHOLD, "a girl and a woman");
        let phone = |name: &str| PersonFacts::new(Some(name), None, None, Some("+249912345678"), None, None);
        let same = compare(&phone("Mohamed Osman"), &phone("Mohammed Othman Ali"));
        assert!(same.score >= 0.9);
        assert!(same.reasons.iter().any(|r| r.code == "same_phone"));
        let family = (phone("Sara Babiker"), phone("Omar Babiker"));
        assert!(
            relative_hint(&family.0, &family.1, &compare(&family.0, &family.1)),
            "a family's phone hints at relatives"
        );
        let near = |name: &str, lat: f64| {
            let cell = crate::location::Coordinates::parse(lat, 32.53).unwrap().cell();
            PersonFacts::new(Some(name), None, None, None, None, Some(cell))
        };
        let (brother, sister) = (near("Ahmed Osman Babiker", 15.55), near("Huda Osman Babiker", 15.56));
        assert!(relative_hint(&brother, &sister, &compare(&brother, &sister)), "siblings' names, close by");
        let far = near("Huda Osman Babiker", 19.6);
        assert!(!relative_hint(&brother, &far, &compare(&brother, &far)), "common names far apart are strangers");
        let namesake = near("Ahmed Osman Babiker", 15.55);
        let older = PersonFacts { age: Some(70), ..namesake.clone() };
        let young = PersonFacts { age: Some(7), ..namesake };
        assert!(!relative_hint(&older, &young, &compare(&older, &young)), "one name, two ages: not siblings");
        assert!(score(&phone("Sara Babiker"), &phone("Omar Babiker")) < DUPLICATE_THRESHOLD, "a family's phone");
    }

    #[test]
    fn the_score_is_symmetric_and_explained() {
        let a = PersonFacts::new(Some("Khalid Mustafa"), Some(40), Some(Sex::Male), None, None, None);
        let b = PersonFacts::new(Some("خالد مصطفى"), Some(41), Some(Sex::Male), None, None, None);
        let (ab, ba) = (compare(&a, &b), compare(&b, &a));
        assert_eq!(ab.score, ba.score);
        assert!(ab.reasons.iter().any(|r| r.en.contains("across scripts")), "{:?}", ab.reasons);
    }

    #[test]
    fn arabic_and_latin_spellings_share_blocking_keys() {
        let keys = |name: &str| blocking_keys(&person(name));
        let arabic = keys("محمد عبدالرحيم");
        let latin = keys("Mohammed Abdel Rahim");
        assert!(arabic.iter().any(|k| latin.contains(k) && k.contains('+')), "{arabic:?} / {latin:?}");
        let typo = keys("Mohamd Abdelrahim");
        assert!(typo.iter().any(|k| arabic.contains(k)), "a typo in a listed name still meets: {typo:?}");
    }
}
