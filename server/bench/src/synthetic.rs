//! Synthetic cases: Sudanese and Egyptian naming chains in Arabic and Latin letters, phones,
//! places over greater Khartoum and the rest of Sudan, drawn by a small deterministic generator.
//!
//! Owns the one generator both users share: the benchmark's million stored cases ([`command`]:
//! one person each, as the matching, capacity and evacuation phases have always measured) and
//! `opsroom seed` ([`room_case`] and [`seed`]: whole cases as a room sees them — several people,
//! reporters abroad, passports, needs and flags, channels, reported over the last hours — and
//! some moved to every status, so that every column of the board has cases). Must not measure
//! anything.

use std::collections::BTreeMap;
use std::time::Instant;

use opsroom_domain::case::{CaseStatus, report_case};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::reference::Reference;
use opsroom_domain::report::{
    Channel, Language, LocationInput, NewReport, PersonInput, Relation, ReportInput, ReporterInput, Sex,
};
use opsroom_domain::search::split_e164;
use opsroom_domain::user::Role;
use opsroom_domain::workflow::{Actor, CaseCommand, ContactChannel, ContactOutcome};
use opsroom_store::testing::PHONE_REGIONS;
use opsroom_store::{ActionOutcome, CaseAction, ReportCase, ReportOutcome, Store, StoreOptions, UserOutcome};
use uuid::Uuid;

pub(crate) const GIVEN: [&str; 40] = [
    "Mohamed",
    "محمد",
    "Ahmed",
    "أحمد",
    "Osman",
    "عثمان",
    "Hassan",
    "حسن",
    "Hussein",
    "حسين",
    "Ali",
    "علي",
    "Omar",
    "عمر",
    "Khalid",
    "خالد",
    "Yousif",
    "يوسف",
    "Ibrahim",
    "إبراهيم",
    "Fatima",
    "فاطمة",
    "Amna",
    "آمنة",
    "Aisha",
    "عائشة",
    "Hawa",
    "حواء",
    "Mariam",
    "مريم",
    "Sara",
    "سارة",
    "Zeinab",
    "زينب",
    "Abdallah",
    "عبد الله",
    "Mustafa",
    "مصطفى",
    "Adam",
    "آدم",
];
pub(crate) const FATHERS: [&str; 30] = [
    "Babiker",
    "بابكر",
    "Elamin",
    "الأمين",
    "Abdelrahim",
    "عبد الرحيم",
    "Musa",
    "موسى",
    "Ishag",
    "إسحاق",
    "Hamid",
    "حامد",
    "Elhassan",
    "الحسن",
    "Abdelgadir",
    "عبد القادر",
    "Idris",
    "إدريس",
    "Elsayed",
    "السيد",
    "Salih",
    "صالح",
    "Bashir",
    "بشير",
    "Awad",
    "عوض",
    "Elnour",
    "النور",
    "Mahmoud",
    "محمود",
];
pub(crate) const FAMILIES: [&str; 16] = [
    "Eltayeb",
    "الطيب",
    "Abdelaziz",
    "عبد العزيز",
    "Mostafa",
    "مصطفى",
    "Ibrahim",
    "إبراهيم",
    "Elfaki",
    "الفكي",
    "Taha",
    "طه",
    "Suleiman",
    "سليمان",
    "Hamdan",
    "حمدان",
];

/// A small deterministic generator (xorshift): the same persons on every run.
pub struct Draw(pub u64);

impl Draw {
    pub fn bits(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.bits() % list.len() as u64) as usize]
    }
}

pub(crate) fn person(draw: &mut Draw) -> PersonInput {
    let name = match draw.bits() % 3 {
        0 => format!("{} {}", draw.pick(&GIVEN), draw.pick(&FATHERS)),
        1 => format!("{} {} {}", draw.pick(&GIVEN), draw.pick(&FATHERS), draw.pick(&FATHERS)),
        _ => format!("{} {} {} {}", draw.pick(&GIVEN), draw.pick(&FATHERS), draw.pick(&FATHERS), draw.pick(&FAMILIES)),
    };
    let phone = (draw.bits() % 10 < 4).then(|| format!("+2499{:08}", draw.bits() % 100_000_000));
    PersonInput {
        name: Some(name),
        age: Some((draw.bits() % 80) as u32 + 1),
        sex: Some(if draw.bits().is_multiple_of(2) { Sex::Female } else { Sex::Male }),
        passport: None,
        phone,
    }
}

/// Where a synthetic case is: nine in ten in greater Khartoum, evenly spread, the rest anywhere
/// in Sudan (the map phase counts them); `true` when in Khartoum.
fn spot(draw: &mut Draw) -> (f64, f64, bool) {
    if draw.bits() % 10 < 9 {
        (
            KHARTOUM_BOX[0] + (draw.bits() % 60_000) as f64 / 100_000.0,
            KHARTOUM_BOX[1] + (draw.bits() % 50_000) as f64 / 100_000.0,
            true,
        )
    } else {
        (9.0 + (draw.bits() % 1_300_000) as f64 / 100_000.0, 22.0 + (draw.bits() % 1_600_000) as f64 / 100_000.0, false)
    }
}

/// Greater Khartoum as the synthetic cases fill it, `[south, west, north, east]` in degrees: nine
/// in ten stored cases lie in it, evenly spread (the evacuation phase draws its districts here).
pub const KHARTOUM_BOX: [f64; 4] = [15.3, 32.3, 15.9, 32.8];

/// The benchmark's synthetic case `n`: one person, located, with a need or two (medical in about
/// three cases of ten), reported `n` ms after a fixed moment in April 2023 (so every case is
/// long overdue).
pub(crate) fn command(draw: &mut Draw, n: u64) -> ReportCase {
    let (lat, lon, _) = spot(draw);
    let location = LocationInput { lat: Some(lat), lon: Some(lon), ..Default::default() };
    // Needs from a draw of their own, so the persons are the same as before needs were drawn.
    let mut needs_draw = Draw((n + 1).wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
    let needs = match needs_draw.bits() % 10 {
        0..=2 => vec![Need::Medical],
        3..=5 => vec![Need::Food, Need::Water],
        6..=7 => vec![Need::Evacuation],
        _ => vec![Need::Shelter],
    };
    let input = ReportInput { people: vec![person(draw)], location: Some(location), needs, ..Default::default() };
    let report = NewReport::parse(&input, Channel::Web, &PHONE_REGIONS).expect("synthetic reports are valid");
    let ids = opsroom::http::reports::new_case_ids(&report);
    ReportCase {
        event: report_case(report, ids, Timestamp::from_millis(1_681_551_000_000 + n as i64)),
        tracking_token_hash: format!("{:064x}", u128::from(n as u32) << 64 | u128::from(draw.bits())),
        idempotency: None,
    }
}

/// Places named in room cases: neighbourhoods of greater Khartoum, and towns elsewhere.
const KHARTOUM_PLACES: [&str; 12] = [
    "Omdurman",
    "أم درمان",
    "Bahri",
    "بحري",
    "Riyadh, Khartoum",
    "الرياض، الخرطوم",
    "Jabra",
    "جبرة",
    "Kalakla",
    "الكلاكلة",
    "Burri",
    "بري",
];
const OTHER_PLACES: [&str; 10] =
    ["Port Sudan", "بورتسودان", "Wad Madani", "ود مدني", "El Obeid", "الأبيض", "Kassala", "كسلا", "Atbara", "عطبرة"];
/// Where reporters abroad write from.
const REPORTER_PLACES: [&str; 6] = ["Cairo", "القاهرة", "Riyadh", "الرياض", "Aswan", "أسوان"];

/// A phone number: Sudanese (Zain, Sudani, MTN) or Egyptian (Vodafone, Etisalat, Orange, WE).
fn phone(draw: &mut Draw) -> String {
    match draw.bits() % 10 {
        0..=5 => format!("+2499{}{:07}", [1, 2, 6, 9][(draw.bits() % 4) as usize], draw.bits() % 10_000_000),
        _ => format!("+201{}{:08}", [0, 1, 2, 5][(draw.bits() % 4) as usize], draw.bits() % 100_000_000),
    }
}

/// One of a list's Arabic entries (the lists alternate a Latin spelling and its Arabic) and its
/// Latin twin.
fn arabic_and_latin<'a>(draw: &mut Draw, list: &[&'a str]) -> (&'a str, &'a str) {
    let pair = (draw.bits() % (list.len() as u64 / 2)) as usize * 2;
    (list[pair + 1], list[pair])
}

/// A case as the room sees them: one to four people (the first named in Arabic, with its Latin
/// twin returned beside the case so that a search in the other script can be tried), a
/// reporter abroad for most, passports and phones for some, a place, needs and flags, a channel.
pub fn room_case(draw: &mut Draw, reported_at: Timestamp) -> (ReportCase, String) {
    let (given, given_latin) = arabic_and_latin(draw, &GIVEN);
    let (father, father_latin) = arabic_and_latin(draw, &FATHERS);
    let (family, family_latin) = arabic_and_latin(draw, &FAMILIES);
    let mut lead = person(draw);
    lead.name = Some(format!("{given} {father} {family}"));
    let latin = format!("{given_latin} {father_latin} {family_latin}");
    let mut people = vec![lead];
    for _ in 0..draw.bits() % 4 {
        people.push(person(draw));
    }
    for person in &mut people {
        if draw.bits() % 10 < 3 {
            person.passport = Some(format!("P{:08}", draw.bits() % 100_000_000));
        }
        if person.phone.is_some() && draw.bits().is_multiple_of(3) {
            person.phone = Some(phone(draw));
        }
    }
    if people[0].phone.is_none() {
        people[0].phone = Some(phone(draw));
    }
    let reporter = (draw.bits() % 10 < 6).then(|| ReporterInput {
        name: Some(person(draw).name.expect("synthetic persons are named")),
        phone: Some(phone(draw)),
        relation: Some(
            [Relation::Child, Relation::Sibling, Relation::Parent, Relation::Relative, Relation::Friend]
                [(draw.bits() % 5) as usize],
        ),
        place: Some(draw.pick(&REPORTER_PLACES).to_owned()),
    });
    let (lat, lon, khartoum) = spot(draw);
    let place = if khartoum { draw.pick(&KHARTOUM_PLACES) } else { draw.pick(&OTHER_PLACES) };
    let location =
        LocationInput { lat: Some(lat), lon: Some(lon), place: Some(place.to_owned()), ..Default::default() };
    let mut needs: Vec<Need> =
        (0..1 + draw.bits() % 3).map(|_| Need::ALL[(draw.bits() % Need::ALL.len() as u64) as usize]).collect();
    needs.sort();
    needs.dedup();
    let mut flags: Vec<Flag> =
        (0..draw.bits() % 3).map(|_| Flag::ALL[(draw.bits() % Flag::ALL.len() as u64) as usize]).collect();
    flags.sort();
    flags.dedup();
    let channel = match draw.bits() % 20 {
        0..=9 => Channel::Web,
        10..=13 => Channel::Hotline,
        14..=17 => Channel::Whatsapp,
        18 => Channel::Facebook,
        _ => Channel::Email,
    };
    let input = ReportInput {
        language: Some(if draw.bits().is_multiple_of(5) { Language::En } else { Language::Ar }),
        reporter,
        location: Some(location),
        people,
        needs,
        flags,
        message: None,
    };
    let report = NewReport::parse(&input, channel, &PHONE_REGIONS).expect("synthetic reports are valid");
    let mut ids = opsroom::http::reports::new_case_ids(&report);
    ids.reference = Reference::from_random(draw.bits());
    let case = ReportCase {
        event: report_case(report, ids, reported_at),
        tracking_token_hash: format!("{:064x}", u128::from(draw.bits()) << 64 | u128::from(draw.bits())),
        idempotency: None,
    };
    (case, latin)
}

/// The account `name` with `role` (made with `password`, or the one an earlier run made: then
/// its password is that run's), as the actor of the workflow actions a set-up takes through the
/// store.
pub(crate) async fn account(store: &Store, name: &str, role: Role, password: String) -> anyhow::Result<Actor> {
    let (UserOutcome::Created { .. } | UserOutcome::NameTaken) =
        opsroom::server::create_user(store, name, role, password).await?;
    let user = store.user_by_name(name).await?.ok_or_else(|| anyhow::anyhow!("the {name} account vanished"))?;
    Ok(Actor { user_id: user.user_id, role: user.role })
}

/// How long ago the oldest seeded case was reported.
const SEEDED_HOURS: i64 = 8;

/// The status a seeded case ends in, and the actions (after the report) that take it there,
/// for a draw in 0..100: seven in ten stay new.
fn status_plan(roll: u64, original: Option<Uuid>, me: Uuid) -> Vec<CaseCommand> {
    use CaseStatus::*;
    let to = |status: CaseStatus| CaseCommand::ChangeStatus { to: status, reason: None, duplicate_of: None };
    let assign = CaseCommand::Assign { to: Some(me) };
    let reached = CaseCommand::RecordContact {
        contact_id: Uuid::now_v7(),
        channel: ContactChannel::Phone,
        outcome: ContactOutcome::Reached,
        note: None,
    };
    match roll {
        0..=63 => vec![],
        64..=66 => vec![assign],
        67..=69 => vec![reached],
        70..=77 => vec![to(Triaged), assign],
        78..=84 => vec![assign, reached, to(InProgress)],
        85..=88 => vec![to(Triaged), reached, to(AwaitingEvacuation)],
        89..=90 => vec![to(Triaged), reached, to(AwaitingEvacuation), to(Evacuated)],
        91..=94 => vec![to(Triaged), reached, to(Resolved)],
        95..=97 => vec![to(Closed)],
        _ => match original {
            Some(original) => {
                vec![CaseCommand::ChangeStatus { to: Duplicate, reason: None, duplicate_of: Some(original) }]
            }
            None => vec![to(Closed)],
        },
    }
}

/// Fill the database at `url` with `cases` synthetic room cases reported over the last
/// [`SEEDED_HOURS`] hours, some moved to every status by a `seed` account (a supervisor with a
/// random password nobody is told), drawn from `seed`. Returns what it stored, as JSON: the
/// counts per status and one case to search for (its reference, its lead person's Arabic name
/// and that name in Latin letters, a phone in E.164 and national form, and a passport if any).
pub async fn seed(url: &str, cases: usize, seed: u64) -> anyhow::Result<serde_json::Value> {
    let started = Instant::now();
    let store = Store::open(url, StoreOptions::default()).await?;
    let outcome = async {
        let actor = account(&store, "seed", Role::Supervisor, opsroom::secrets::new_token()).await?;
        let me = actor.user_id;
        let now = opsroom::server::now_ms();
        let first = now - SEEDED_HOURS * 3_600_000;
        // xorshift must not start at zero.
        let mut draw = Draw(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut sample = None;
        let mut previous: Option<Uuid> = None;
        let mut n = 0usize;
        while n < cases {
            let chunk = 512.min(cases - n);
            let drawn: Vec<(ReportCase, String)> = (0..chunk)
                .map(|i| {
                    let at = first + ((n + i) as i64 * SEEDED_HOURS * 3_600_000) / cases.max(1) as i64;
                    room_case(&mut draw, Timestamp::from_millis(at))
                })
                .collect();
            n += chunk;
            let outcomes =
                futures_util::future::join_all(drawn.iter().map(|(c, _)| store.report_case(c.clone()))).await;
            let mut stored = Vec::with_capacity(chunk);
            for ((mut case, latin), outcome) in drawn.into_iter().zip(outcomes) {
                let mut outcome = outcome?;
                while outcome == ReportOutcome::ReferenceTaken {
                    case.event.reference = Reference::from_random(draw.bits());
                    outcome = store.report_case(case.clone()).await?;
                }
                anyhow::ensure!(matches!(outcome, ReportOutcome::Created { .. }), "a seeded case was not stored");
                if sample.is_none() {
                    sample = Some((case.clone(), latin));
                }
                stored.push(case);
            }
            // Every case's actions in order; the cases of a chunk side by side.
            let mut plans: Vec<(Uuid, u32, Vec<CaseCommand>)> = Vec::with_capacity(chunk);
            for case in &stored {
                let plan = status_plan(draw.bits() % 100, previous, me);
                previous = Some(case.event.case_id);
                plans.push((case.event.case_id, 1, plan.into_iter().rev().collect()));
            }
            loop {
                let step: Vec<(usize, CaseAction)> = plans
                    .iter_mut()
                    .enumerate()
                    .filter_map(|(i, (case_id, version, plan))| {
                        plan.pop().map(|command| {
                            (i, CaseAction { case_id: *case_id, expected_version: *version, actor, command, at: now })
                        })
                    })
                    .collect();
                if step.is_empty() {
                    break;
                }
                let outcomes =
                    futures_util::future::join_all(step.iter().map(|(_, a)| store.apply_to_case(a.clone()))).await;
                for ((i, _), outcome) in step.iter().zip(outcomes) {
                    match outcome? {
                        ActionOutcome::Applied { version, .. } => plans[*i].1 = version,
                        other => anyhow::bail!("a seeded case could not be moved: {other:?}"),
                    }
                }
            }
        }
        let counts = store.case_counts(&opsroom_store::CaseFilter { now_ms: now, ..Default::default() }).await?;
        let by_status: BTreeMap<&str, u64> = counts.by_status.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        let sample = sample.map(|(case, latin)| {
            let lead = &case.event.people[0].details;
            let phone = lead.phone.as_ref().map(|p| p.as_str().to_owned());
            let national = phone.as_deref().and_then(split_e164).map(|(_, nsn)| format!("0{nsn}"));
            serde_json::json!({
                "case_id": case.event.case_id,
                "reference": case.event.reference.as_str(),
                "name": lead.name.as_ref().map(|n| n.as_str()),
                "name_latin": latin,
                "phone": phone,
                "phone_national": national,
                "passport": lead.passport.as_ref().map(|p| p.as_str()),
            })
        });
        Ok(serde_json::json!({
            "cases": cases,
            "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            "by_status": by_status,
            "overdue": counts.overdue,
            "sample": sample,
        }))
    }
    .await;
    store.close(std::time::Duration::from_secs(10)).await;
    outcome
}
