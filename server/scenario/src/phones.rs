//! The countries whose mobile numbers a scenario can draw, and drawing one. A leaf: the format
//! checks a crisis's country against it, the plan draws from it.

use opsroom_domain::country::CountryCode;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// How a country's mobile numbers look: the calling code, the national prefixes of its mobile
/// ranges, and how many digits follow a prefix. A small table of real ranges (each checked
/// against libphonenumber's metadata by the tests), not a numbering plan.
#[derive(Debug, Clone, Copy)]
pub struct MobilePlan {
    pub country: &'static str,
    pub calling_code: &'static str,
    pub prefixes: &'static [&'static str],
    pub digits: u32,
}

/// The countries whose mobile numbers a scenario can draw.
pub const MOBILE_PLANS: [MobilePlan; 9] = [
    // Sudan's entry is the `+2499…` scenarios always drew, so that existing seeds play the same
    // reports: the right length everywhere, though libphonenumber lists only some `9x` ranges.
    MobilePlan { country: "SD", calling_code: "249", prefixes: &["9"], digits: 8 },
    // Egypt's is the relatives' `+2010…` (Vodafone's range), for the same reason.
    MobilePlan { country: "EG", calling_code: "20", prefixes: &["10"], digits: 8 },
    MobilePlan { country: "LY", calling_code: "218", prefixes: &["91", "92", "94"], digits: 7 },
    MobilePlan { country: "LB", calling_code: "961", prefixes: &["70", "71", "81"], digits: 6 },
    MobilePlan { country: "PS", calling_code: "970", prefixes: &["59", "56"], digits: 7 },
    MobilePlan { country: "YE", calling_code: "967", prefixes: &["77", "73", "71", "70"], digits: 7 },
    MobilePlan { country: "SY", calling_code: "963", prefixes: &["93", "94", "95", "98", "99"], digits: 7 },
    MobilePlan { country: "IQ", calling_code: "964", prefixes: &["770", "780", "750"], digits: 7 },
    MobilePlan { country: "TN", calling_code: "216", prefixes: &["2", "5", "9"], digits: 7 },
];

/// The mobile numbering of `country`, if the table has it.
pub fn mobile_plan(country: CountryCode) -> Option<&'static MobilePlan> {
    MOBILE_PLANS.iter().find(|p| p.country == country.as_str())
}

impl MobilePlan {
    /// A mobile number, international format. One prefix draws no choice, so the plans of one
    /// prefix (Sudan's, Egypt's) draw exactly what the generator always drew.
    pub fn draw(&self, rng: &mut ChaCha8Rng) -> String {
        let prefix = if self.prefixes.len() == 1 {
            self.prefixes[0]
        } else {
            self.prefixes[rng.random_range(0..self.prefixes.len())]
        };
        let rest = rng.random_range(0..10u32.pow(self.digits));
        format!("+{}{prefix}{rest:0width$}", self.calling_code, width = self.digits as usize)
    }
}
