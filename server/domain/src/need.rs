//! What a report asks for and who is vulnerable: closed vocabularies with stable wire names.

use serde::{Deserialize, Serialize};

/// What the people in a case need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Need {
    Medical,
    Evacuation,
    Food,
    Water,
    Shelter,
    Power,
    Documents,
    MissingPerson,
    Other,
}

impl Need {
    pub const ALL: [Need; 9] = [
        Need::Medical,
        Need::Evacuation,
        Need::Food,
        Need::Water,
        Need::Shelter,
        Need::Power,
        Need::Documents,
        Need::MissingPerson,
        Need::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Need::Medical => "medical",
            Need::Evacuation => "evacuation",
            Need::Food => "food",
            Need::Water => "water",
            Need::Shelter => "shelter",
            Need::Power => "power",
            Need::Documents => "documents",
            Need::MissingPerson => "missing_person",
            Need::Other => "other",
        }
    }
}

/// Vulnerabilities of the people in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Flag {
    UnaccompaniedMinors,
    Injured,
    Elderly,
    Pregnant,
    Disabled,
    ChronicIllness,
}

impl Flag {
    pub const ALL: [Flag; 6] =
        [Flag::UnaccompaniedMinors, Flag::Injured, Flag::Elderly, Flag::Pregnant, Flag::Disabled, Flag::ChronicIllness];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::UnaccompaniedMinors => "unaccompanied_minors",
            Flag::Injured => "injured",
            Flag::Elderly => "elderly",
            Flag::Pregnant => "pregnant",
            Flag::Disabled => "disabled",
            Flag::ChronicIllness => "chronic_illness",
        }
    }
}

/// A list of needs or flags as stored: sorted, each once.
pub fn sorted_unique<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut sorted = items.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
}
