//! The manifest's rules: as what each passenger on a movement travels (unaccompanied child,
//! medical, elderly, child with family, adult), who escorts a child (the adults of the child's
//! case on the same movement), and how many travel in each class.
//!
//! Owns only those decisions. Must not read anything: the store hands over the passengers
//! holding a seat and what their case's report said (needs, flags, ages); the page and the CSV
//! only say the answers in words.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use crate::need::{Flag, Need};

/// Under this age a passenger is a child, who must not travel without an adult of its case.
pub const ADULT_AGE: u8 = 18;
/// From this age a passenger is elderly.
pub const ELDERLY_AGE: u8 = 70;

/// A passenger as the manifest's rules need one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aboard {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub age: Option<u8>,
    /// What the passenger's case reported (needs and flags are the case's, not the person's).
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
}

/// As what a passenger travels: whom the crew and the border must look after first. Ordered
/// as the manifest's totals list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PassengerClass {
    /// A child with no adult of its case on this movement.
    UnaccompaniedChild,
    /// Medical care reported for the case (a medical need, injured, pregnant, chronic illness,
    /// disabled).
    Medical,
    Elderly,
    /// A child travelling with an adult of its case.
    ChildWithFamily,
    Adult,
}

impl PassengerClass {
    pub const ALL: [PassengerClass; 5] = [
        PassengerClass::UnaccompaniedChild,
        PassengerClass::Medical,
        PassengerClass::Elderly,
        PassengerClass::ChildWithFamily,
        PassengerClass::Adult,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PassengerClass::UnaccompaniedChild => "unaccompanied_child",
            PassengerClass::Medical => "medical",
            PassengerClass::Elderly => "elderly",
            PassengerClass::ChildWithFamily => "child_with_family",
            PassengerClass::Adult => "adult",
        }
    }

    /// The class in words: (English, Arabic).
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            PassengerClass::UnaccompaniedChild => ("Unaccompanied child", "طفل بلا مرافق"),
            PassengerClass::Medical => ("Medical", "حالة طبية"),
            PassengerClass::Elderly => ("Elderly", "مسن"),
            PassengerClass::ChildWithFamily => ("Child with family", "طفل مع أسرته"),
            PassengerClass::Adult => ("Adult", "بالغ"),
        }
    }
}

/// A passenger's line of the manifest: its class and, for a child, its escorts (empty for an
/// unaccompanied child and for adults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Travelling {
    pub person_id: Uuid,
    pub class: PassengerClass,
    pub escorts: Vec<Uuid>,
}

/// Whether a passenger counts as a child: under [`ADULT_AGE`], or of unknown age in a case
/// reported as unaccompanied minors (a name without an age is then most likely a child's).
fn is_child(p: &Aboard) -> bool {
    match p.age {
        Some(age) => age < ADULT_AGE,
        None => p.flags.contains(&Flag::UnaccompaniedMinors),
    }
}

fn needs_care(p: &Aboard) -> bool {
    p.needs.contains(&Need::Medical)
        || p.flags.iter().any(|f| matches!(f, Flag::Injured | Flag::Pregnant | Flag::ChronicIllness | Flag::Disabled))
}

/// Class and escorts of everyone aboard, in the order given. A child's escorts are the adults
/// of its own case on this movement (someone of unknown age escorts nobody: the sheet must not
/// promise an adult it cannot vouch for); a child with none travels unaccompanied, whatever
/// else was reported, because that is what the crew must act on.
pub fn classify(aboard: &[Aboard]) -> Vec<Travelling> {
    aboard
        .iter()
        .map(|p| {
            if is_child(p) {
                let escorts: Vec<Uuid> = aboard
                    .iter()
                    .filter(|o| o.case_id == p.case_id && o.age.is_some_and(|age| age >= ADULT_AGE))
                    .map(|o| o.person_id)
                    .collect();
                let class = if escorts.is_empty() {
                    PassengerClass::UnaccompaniedChild
                } else if needs_care(p) {
                    PassengerClass::Medical
                } else {
                    PassengerClass::ChildWithFamily
                };
                return Travelling { person_id: p.person_id, class, escorts };
            }
            let elderly = p.age.map_or(p.flags.contains(&Flag::Elderly), |age| age >= ELDERLY_AGE);
            let class = if needs_care(p) {
                PassengerClass::Medical
            } else if elderly {
                PassengerClass::Elderly
            } else {
                PassengerClass::Adult
            };
            Travelling { person_id: p.person_id, class, escorts: Vec::new() }
        })
        .collect()
}

/// How many travel in each class, every class listed (zero included, so a sheet always shows
/// "unaccompanied children: 0" rather than leaving the reader to wonder).
pub fn totals(lines: &[Travelling]) -> BTreeMap<PassengerClass, usize> {
    let mut totals: BTreeMap<PassengerClass, usize> = PassengerClass::ALL.iter().map(|c| (*c, 0)).collect();
    for line in lines {
        *totals.entry(line.class).or_default() += 1;
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aboard(person: u128, case: u128, age: Option<u8>, needs: &[Need], flags: &[Flag]) -> Aboard {
        Aboard {
            person_id: Uuid::from_u128(person),
            case_id: Uuid::from_u128(case),
            age,
            needs: needs.to_vec(),
            flags: flags.to_vec(),
        }
    }

    fn classes(lines: &[Travelling]) -> Vec<PassengerClass> {
        lines.iter().map(|l| l.class).collect()
    }

    #[test]
    fn children_without_an_adult_of_their_case_travel_unaccompanied() {
        use PassengerClass::*;
        // The bus that was checked: children of 6 to 16, and the only adult from another case.
        let bus = [
            aboard(1, 10, Some(6), &[], &[]),
            aboard(2, 10, Some(16), &[], &[]),
            aboard(3, 11, Some(40), &[], &[]),
            aboard(4, 12, Some(9), &[], &[]),
            aboard(5, 12, Some(38), &[], &[]),
            aboard(6, 12, None, &[], &[]),
        ];
        let lines = classify(&bus);
        assert_eq!(classes(&lines), [UnaccompaniedChild, UnaccompaniedChild, Adult, ChildWithFamily, Adult, Adult]);
        assert_eq!(lines[3].escorts, [Uuid::from_u128(5)], "only an adult of the child's own case, of known age");
        assert!(lines[0].escorts.is_empty() && lines[2].escorts.is_empty());
        let totals = totals(&lines);
        assert_eq!(totals[&UnaccompaniedChild], 2);
        assert_eq!(totals[&Adult], 3);
        assert_eq!(totals[&Medical], 0, "every class is listed, zero included");
        assert_eq!(totals.len(), PassengerClass::ALL.len());
    }

    #[test]
    fn care_and_age_decide_for_the_rest() {
        use PassengerClass::*;
        let lines = classify(&[
            aboard(1, 1, Some(30), &[Need::Medical], &[]),
            aboard(2, 2, Some(75), &[], &[]),
            aboard(3, 3, None, &[], &[Flag::Elderly]),
            aboard(4, 4, Some(50), &[], &[Flag::Pregnant]),
            aboard(5, 4, Some(8), &[], &[Flag::Pregnant]),
            aboard(6, 5, None, &[], &[Flag::UnaccompaniedMinors]),
        ]);
        assert_eq!(classes(&lines), [Medical, Elderly, Elderly, Medical, Medical, UnaccompaniedChild]);
    }
}
