//! Priority v1: how urgent a case is, computed from what the report says, with reasons a
//! supervisor can read and argue with.
//!
//! Owns the scoring table and the level thresholds. Each rule that fires adds points and one
//! reason; the level follows from the total. Later versions add waiting time and danger zones,
//! which need a clock and a map; this one needs only the report.

use serde::{Deserialize, Serialize};

use crate::need::{Flag, Need};

/// Coarse urgency used for SLA clocks and colours on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PriorityLevel {
    Low,
    Normal,
    High,
    Critical,
}

impl PriorityLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityLevel::Low => "low",
            PriorityLevel::Normal => "normal",
            PriorityLevel::High => "high",
            PriorityLevel::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Low, Self::Normal, Self::High, Self::Critical].into_iter().find(|l| l.as_str() == s)
    }

    /// The level a score earns.
    pub fn from_score(score: u32) -> Self {
        match score {
            60.. => PriorityLevel::Critical,
            35..60 => PriorityLevel::High,
            15..35 => PriorityLevel::Normal,
            _ => PriorityLevel::Low,
        }
    }
}

/// Why priority went up: one rule that fired. Stored and streamed as its code; people read
/// [`ReasonCode::text`] in their language, so no sentence is stored with every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReasonCode {
    LifeThreateningMedical,
    Injured,
    Medical,
    UnaccompaniedMinors,
    Children,
    Pregnant,
    Elderly,
    ChronicIllness,
    Disabled,
    NoWater,
    NoFood,
    NoPower,
    MissingPerson,
    NoShelter,
    Evacuation,
    Documents,
    /// Added when the first-contact clock runs out: waiting itself makes a case more urgent.
    Waiting,
    /// Added when the case lies inside a declared danger zone (on declaration, or on arrival).
    DangerZone,
}

impl ReasonCode {
    /// The reason in plain words: `(english, arabic)`.
    pub fn text(self) -> (&'static str, &'static str) {
        use ReasonCode::*;
        match self {
            LifeThreateningMedical => ("Injured and in need of medical care", "مصاب ويحتاج إلى رعاية طبية"),
            Injured => ("Someone is injured", "يوجد مصاب"),
            Medical => ("Needs medical care", "يحتاج إلى رعاية طبية"),
            UnaccompaniedMinors => ("Children without an adult", "أطفال بلا مرافق بالغ"),
            Children => ("Children in the group", "أطفال ضمن المجموعة"),
            Pregnant => ("A pregnant woman", "امرأة حامل"),
            Elderly => ("An elderly person", "شخص مسن"),
            ChronicIllness => ("Chronic illness (medication may run out)", "مرض مزمن (قد ينفد الدواء)"),
            Disabled => ("A person with a disability", "شخص من ذوي الإعاقة"),
            NoWater => ("No drinking water", "لا تتوفر مياه للشرب"),
            NoFood => ("No food", "لا يتوفر طعام"),
            NoPower => ("No electricity", "لا توجد كهرباء"),
            MissingPerson => ("A person is missing", "شخص مفقود"),
            NoShelter => ("Needs shelter", "يحتاج إلى مأوى"),
            Evacuation => ("Asks for evacuation", "يطلب الإجلاء"),
            Documents => ("Needs travel documents", "يحتاج إلى وثائق سفر"),
            Waiting => ("Waiting past the first-contact time", "تجاوز الانتظار وقت التواصل الأول"),
            DangerZone => ("Inside a declared danger zone", "داخل منطقة خطر معلنة"),
        }
    }
}

/// One rule that fired and the points it added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub code: ReasonCode,
    pub points: u32,
}

/// The computed priority of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    pub level: PriorityLevel,
    pub score: u32,
    /// Strongest first.
    pub reasons: Vec<Reason>,
}

/// Points a case gains when its first-contact time runs out.
pub const WAITING_POINTS: u32 = 20;

/// Points a case gains when it lies inside a declared danger zone.
pub const DANGER_ZONE_POINTS: u32 = 30;

/// The priority of a case that something outside its report made more urgent (waiting past its
/// first-contact time, a danger zone): the reason added once, with its points. `None` if it
/// already has that reason.
pub fn raise(priority: &Priority, code: ReasonCode, points: u32) -> Option<Priority> {
    if priority.reasons.iter().any(|r| r.code == code) {
        return None;
    }
    let mut reasons = priority.reasons.clone();
    reasons.push(Reason { code, points });
    reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
    let score = priority.score + points;
    // A level is never lowered by a new reason.
    let level = PriorityLevel::from_score(score).max(priority.level);
    Some(Priority { level, score, reasons })
}

/// [`raise`] for waiting past the first-contact time.
pub fn raise_for_waiting(priority: &Priority) -> Option<Priority> {
    raise(priority, ReasonCode::Waiting, WAITING_POINTS)
}

/// [`raise`] for lying inside a danger zone.
pub fn raise_for_danger(priority: &Priority) -> Option<Priority> {
    raise(priority, ReasonCode::DangerZone, DANGER_ZONE_POINTS)
}

/// What priority v1 looks at.
#[derive(Debug, Clone, Copy)]
pub struct PriorityInput<'a> {
    pub needs: &'a [Need],
    pub flags: &'a [Flag],
    /// Ages of the people in the case, where known.
    pub ages: &'a [u8],
}

/// Age from which a person counts as elderly when the reporter did not tick the flag.
const ELDERLY_AGE: u8 = 65;
const ADULT_AGE: u8 = 18;

/// Compute priority v1. Pure and total: every input has a priority.
pub fn compute(input: PriorityInput<'_>) -> Priority {
    let need = |n: Need| input.needs.contains(&n);
    let flag = |f: Flag| input.flags.contains(&f);
    let mut reasons = Vec::new();
    let mut add = |code: ReasonCode, points: u32| reasons.push(Reason { code, points });

    match (flag(Flag::Injured), need(Need::Medical)) {
        (true, true) => add(ReasonCode::LifeThreateningMedical, 60),
        (true, false) => add(ReasonCode::Injured, 40),
        (false, true) => add(ReasonCode::Medical, 30),
        (false, false) => {}
    }
    if flag(Flag::UnaccompaniedMinors) {
        add(ReasonCode::UnaccompaniedMinors, 60);
    } else if input.ages.iter().any(|&age| age < ADULT_AGE) {
        add(ReasonCode::Children, 10);
    }
    if flag(Flag::Pregnant) {
        add(ReasonCode::Pregnant, 25);
    }
    if flag(Flag::Elderly) || input.ages.iter().any(|&age| age >= ELDERLY_AGE) {
        add(ReasonCode::Elderly, 20);
    }
    if flag(Flag::ChronicIllness) {
        add(ReasonCode::ChronicIllness, 20);
    }
    if flag(Flag::Disabled) {
        add(ReasonCode::Disabled, 20);
    }
    if need(Need::Water) {
        add(ReasonCode::NoWater, 25);
    }
    if need(Need::Food) {
        add(ReasonCode::NoFood, 15);
    }
    if need(Need::Power) {
        add(ReasonCode::NoPower, 10);
    }
    if need(Need::MissingPerson) {
        add(ReasonCode::MissingPerson, 20);
    }
    if need(Need::Shelter) {
        add(ReasonCode::NoShelter, 15);
    }
    if need(Need::Evacuation) {
        add(ReasonCode::Evacuation, 10);
    }
    if need(Need::Documents) {
        add(ReasonCode::Documents, 5);
    }

    reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
    let score = reasons.iter().map(|r| r.points).sum();
    Priority { level: PriorityLevel::from_score(score), score, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn level(needs: &[Need], flags: &[Flag], ages: &[u8]) -> PriorityLevel {
        compute(PriorityInput { needs, flags, ages }).level
    }

    #[test]
    fn children_alone_and_injured_are_critical() {
        let p = compute(PriorityInput {
            needs: &[Need::Medical, Need::Evacuation],
            flags: &[Flag::UnaccompaniedMinors, Flag::Injured],
            ages: &[9],
        });
        assert_eq!(p.level, PriorityLevel::Critical);
        assert_eq!(p.reasons[0].code, ReasonCode::LifeThreateningMedical);
        assert!(p.reasons.iter().any(|r| r.code == ReasonCode::UnaccompaniedMinors));
        assert_eq!(p.score, p.reasons.iter().map(|r| r.points).sum::<u32>());
    }

    #[test]
    fn levels_follow_the_table() {
        assert_eq!(level(&[], &[], &[]), PriorityLevel::Low);
        assert_eq!(level(&[Need::Documents], &[], &[]), PriorityLevel::Low);
        assert_eq!(level(&[Need::Food], &[], &[]), PriorityLevel::Normal);
        assert_eq!(level(&[Need::Medical], &[], &[]), PriorityLevel::Normal);
        assert_eq!(level(&[Need::Water, Need::Food], &[], &[]), PriorityLevel::High);
        assert_eq!(level(&[], &[Flag::Injured], &[]), PriorityLevel::High);
        assert_eq!(level(&[], &[Flag::UnaccompaniedMinors], &[]), PriorityLevel::Critical);
    }

    #[test]
    fn waiting_raises_priority_once() {
        let food = compute(PriorityInput { needs: &[Need::Food], flags: &[], ages: &[] });
        assert_eq!(food.level, PriorityLevel::Normal);
        let raised = raise_for_waiting(&food).unwrap();
        assert_eq!((raised.level, raised.score), (PriorityLevel::High, food.score + WAITING_POINTS));
        assert!(raised.reasons.iter().any(|r| r.code == ReasonCode::Waiting));
        assert_eq!(raise_for_waiting(&raised), None, "once");
        let critical = compute(PriorityInput { needs: &[], flags: &[Flag::UnaccompaniedMinors], ages: &[] });
        assert_eq!(raise_for_waiting(&critical).unwrap().level, PriorityLevel::Critical);
        let endangered = raise_for_danger(&raised).unwrap();
        assert_eq!((endangered.level, endangered.reasons[0].code), (PriorityLevel::Critical, ReasonCode::DangerZone));
        assert_eq!(raise_for_danger(&endangered), None, "once per reason");
    }

    #[test]
    fn age_implies_elderly_without_the_flag() {
        let p = compute(PriorityInput { needs: &[], flags: &[], ages: &[70] });
        assert_eq!(p.reasons.iter().map(|r| r.code).collect::<Vec<_>>(), [ReasonCode::Elderly]);
    }

    fn any_needs() -> impl Strategy<Value = Vec<Need>> {
        proptest::sample::subsequence(Need::ALL.to_vec(), 0..=Need::ALL.len())
    }
    fn any_flags() -> impl Strategy<Value = Vec<Flag>> {
        proptest::sample::subsequence(Flag::ALL.to_vec(), 0..=Flag::ALL.len())
    }

    proptest! {
        /// Adding a need or a flag never lowers priority, and the score is the sum of its reasons.
        #[test]
        fn more_trouble_never_lowers_priority(needs in any_needs(), flags in any_flags(), extra_need in 0..9usize, extra_flag in 0..6usize) {
            let base = compute(PriorityInput { needs: &needs, flags: &flags, ages: &[] });
            prop_assert_eq!(base.score, base.reasons.iter().map(|r| r.points).sum::<u32>());
            let mut more_needs = needs.clone();
            more_needs.push(Need::ALL[extra_need]);
            let mut more_flags = flags.clone();
            more_flags.push(Flag::ALL[extra_flag]);
            let more = compute(PriorityInput { needs: &more_needs, flags: &more_flags, ages: &[] });
            prop_assert!(more.score >= base.score);
            prop_assert!(more.level >= base.level);
        }
    }
}
