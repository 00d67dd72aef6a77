//! The short reference a case is known by: read aloud on a bad phone line, typed by a relative.
//!
//! Eight Crockford base-32 characters in two groups (`K7QM-2XPD`): no I, L, O or U, so nothing is
//! misread, and parsing forgives lower case, spaces and the look-alikes. The caller supplies the
//! 40 random bits; uniqueness is the store's job (a collision is retried with fresh bits).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Rejected;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A case reference such as `K7QM-2XPD`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reference(String);

impl Reference {
    /// Build a reference from the low 40 bits of `random`.
    pub fn from_random(random: u64) -> Self {
        let mut out = String::with_capacity(9);
        for i in 0..8 {
            if i == 4 {
                out.push('-');
            }
            let shift = 35 - 5 * i;
            out.push(ALPHABET[((random >> shift) & 31) as usize] as char);
        }
        Self(out)
    }

    /// Parse what a person typed or read out: case, spaces, dashes and the look-alikes
    /// (O→0, I/L→1) are forgiven.
    pub fn parse(raw: &str) -> Result<Self, Rejected> {
        let mut symbols = Vec::with_capacity(8);
        for c in raw.chars().filter(|c| !matches!(c, ' ' | '-')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            match ALPHABET.iter().position(|&a| a as char == c) {
                Some(value) => symbols.push(value as u64),
                None => return Err(Rejected::value("invalid_reference", "not a case reference")),
            }
        }
        if symbols.len() != 8 {
            return Err(Rejected::value("invalid_reference", "a case reference has 8 characters"));
        }
        Ok(Self::from_random(symbols.iter().fold(0, |acc, s| (acc << 5) | s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn looks_like_two_groups_of_four() {
        let r = Reference::from_random(0x00_12_34_56_78_9A);
        assert_eq!(r.as_str().len(), 9);
        assert_eq!(&r.as_str()[4..5], "-");
    }

    #[test]
    fn forgiving_parse() {
        let r = Reference::from_random(0xFF_FF_FF_FF_FF);
        assert_eq!(r.as_str(), "ZZZZ-ZZZZ");
        assert_eq!(Reference::parse("zzzz zzzz").unwrap(), r);
        assert_eq!(Reference::parse("0O1I-L000").unwrap().as_str(), "0011-1000");
        assert!(Reference::parse("ZZZZ-ZZZ").is_err());
        assert!(Reference::parse("ZZZZ-ZZZU").is_err());
    }

    proptest! {
        #[test]
        fn round_trips(bits in 0u64..(1 << 40)) {
            let r = Reference::from_random(bits);
            prop_assert_eq!(Reference::parse(r.as_str()).unwrap(), r.clone());
            prop_assert_eq!(Reference::parse(&r.as_str().to_lowercase()).unwrap(), r);
        }
    }
}
