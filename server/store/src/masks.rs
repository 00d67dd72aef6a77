//! The needs and flags columns of `case_file`: bit sets, bit `i` the `i`-th of `Need::ALL` or
//! `Flag::ALL`, portable across backends and indexable. A leaf: it imports nothing of the crate.

use opsroom_domain::need::{Flag, Need};

/// Bit set of needs as stored: bit `i` is `Need::ALL[i]`. Portable across backends and indexable.
pub fn needs_mask(needs: &[Need]) -> i64 {
    needs.iter().map(|n| 1i64 << Need::ALL.iter().position(|a| a == n).expect("Need::ALL lists every need")).sum()
}

/// Bit set of flags as stored: bit `i` is `Flag::ALL[i]`.
pub fn flags_mask(flags: &[Flag]) -> i64 {
    flags.iter().map(|f| 1i64 << Flag::ALL.iter().position(|a| a == f).expect("Flag::ALL lists every flag")).sum()
}

pub fn needs_from_mask(mask: i64) -> Vec<Need> {
    Need::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, n)| *n).collect()
}

pub fn flags_from_mask(mask: i64) -> Vec<Flag> {
    Flag::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, f)| *f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_round_trip() {
        assert_eq!(needs_mask(&[]), 0);
        assert_eq!(flags_mask(&[]), 0);
        assert_eq!(needs_from_mask(0), []);
        assert_eq!(flags_from_mask(0), []);
        for (i, need) in Need::ALL.iter().enumerate() {
            assert_eq!(needs_mask(&[*need]), 1 << i, "bit {i} is {need:?}");
            assert_eq!(needs_from_mask(1 << i), [*need]);
        }
        for (i, flag) in Flag::ALL.iter().enumerate() {
            assert_eq!(flags_mask(&[*flag]), 1 << i, "bit {i} is {flag:?}");
            assert_eq!(flags_from_mask(1 << i), [*flag]);
        }
        // Every subset round-trips, in the canonical (ALL) order.
        for bits in 0..(1i64 << Need::ALL.len()) {
            let needs = needs_from_mask(bits);
            assert_eq!(needs_mask(&needs), bits);
            assert!(needs.windows(2).all(|w| w[0] < w[1]));
        }
        for bits in 0..(1i64 << Flag::ALL.len()) {
            let flags = flags_from_mask(bits);
            assert_eq!(flags_mask(&flags), bits);
            assert!(flags.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(needs_from_mask(needs_mask(&[Need::Water, Need::Medical])), [Need::Medical, Need::Water]);
        assert_eq!(flags_mask(&Flag::ALL), (1 << Flag::ALL.len()) - 1);
        assert_eq!(needs_mask(&Need::ALL), (1 << Need::ALL.len()) - 1);
    }
}
