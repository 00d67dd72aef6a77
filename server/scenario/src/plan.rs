//! The plan: every report a scenario will send, when, from whom and in which words, drawn from
//! the seed alone, so the same seed plays the same crisis.
//!
//! Owns the people generator (Egyptian names in Arabic and Latin spellings, mobile numbers of
//! the crisis's country and relatives' of Egypt, passports, ages that agree with the flags), the arrival times (phases spread evenly at random, waves as
//! bursts), and duplicates (the same person reported again, by another relative or in the other
//! script). Must not do any IO.

use opsroom_domain::need::{Flag, Need};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::format::{NameCrisis, Phase, Scenario};
use crate::gazetteer::Gazetteer;
use crate::phones::{MOBILE_PLANS, MobilePlan, mobile_plan};

/// One report to send.
#[derive(Debug, Clone)]
pub struct PlannedReport {
    pub index: usize,
    /// Scenario hours from the start.
    pub at_hours: f64,
    /// A call typed in by an operator (`POST /api/v1/cases`, channel hotline) rather than the
    /// web form.
    pub hotline: bool,
    /// The report, as the public API takes it.
    pub body: Value,
    /// The `Idempotency-Key` of a web report (drawn from the seed too).
    pub key: Uuid,
    /// The earlier report whose first person this one reports again.
    pub duplicate_of: Option<usize>,
}

/// (Arabic, Latin spellings) of common Egyptian given names; the first Latin spelling is the
/// usual one, the others are what relatives also type.
const MALE: &[(&str, &[&str])] = &[
    ("محمد", &["Mohamed", "Mohammed", "Muhammad"]),
    ("أحمد", &["Ahmed", "Ahmad"]),
    ("محمود", &["Mahmoud", "Mahmud"]),
    ("مصطفى", &["Mostafa", "Mustafa"]),
    ("عمر", &["Omar", "Umar"]),
    ("يوسف", &["Youssef", "Yousef", "Yusuf"]),
    ("حسن", &["Hassan", "Hasan"]),
    ("حسين", &["Hussein", "Hussain"]),
    ("علي", &["Ali", "Aly"]),
    ("إبراهيم", &["Ibrahim", "Ebrahim"]),
    ("خالد", &["Khaled", "Khalid"]),
    ("عبد الرحمن", &["Abdelrahman", "Abdul Rahman", "Abd El Rahman"]),
    ("كريم", &["Karim", "Kareem"]),
    ("طارق", &["Tarek", "Tariq"]),
    ("سامي", &["Sami", "Samy"]),
];

const FEMALE: &[(&str, &[&str])] = &[
    ("فاطمة", &["Fatma", "Fatima"]),
    ("مريم", &["Mariam", "Maryam"]),
    ("نور", &["Nour", "Noor"]),
    ("سارة", &["Sara", "Sarah"]),
    ("آية", &["Aya", "Aya"]),
    ("هدى", &["Hoda", "Huda"]),
    ("منى", &["Mona", "Muna"]),
    ("ياسمين", &["Yasmin", "Yasmine"]),
    ("رنا", &["Rana", "Rana"]),
    ("دينا", &["Dina", "Deena"]),
];

const FAMILY: &[(&str, &[&str])] = &[
    ("حسن", &["Hassan", "Hasan"]),
    ("السيد", &["El Sayed", "Elsayed", "Al-Sayed"]),
    ("عبد الله", &["Abdallah", "Abdullah"]),
    ("مصطفى", &["Mostafa", "Mustafa"]),
    ("إبراهيم", &["Ibrahim", "Ebrahim"]),
    ("سليمان", &["Soliman", "Suleiman"]),
    ("فاروق", &["Farouk", "Faruq"]),
    ("الشريف", &["El Sherif", "Elsherif"]),
    ("عثمان", &["Osman", "Othman"]),
    ("النجار", &["El Naggar", "Elnaggar"]),
];

/// Where the people in danger are when a scenario names no crisis, and where relatives are.
const DEFAULT_LOCAL: &str = "SD";
const HOME: &str = "EG";

fn plan_of(country: &str) -> &'static MobilePlan {
    MOBILE_PLANS.iter().find(|p| p.country == country).expect("in the table")
}

const RELATIONS: &[&str] = &["parent", "sibling", "child", "spouse", "relative", "friend"];

/// One person as generated, with both spellings so a duplicate can use the other.
#[derive(Debug, Clone)]
struct Person {
    arabic: String,
    latin_variants: Vec<String>,
    age: u32,
    sex: &'static str,
    phone: String,
    passport: Option<String>,
}

/// Uniform in `[range[0], range[1]]`.
pub fn between(rng: &mut ChaCha8Rng, range: [f64; 2]) -> f64 {
    if range[1] <= range[0] { range[0] } else { rng.random_range(range[0]..=range[1]) }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn person(rng: &mut ChaCha8Rng, age: u32, phones: &MobilePlan) -> Person {
    let female = rng.random_bool(0.5);
    let (given_ar, given_latin) = *pick(rng, if female { FEMALE } else { MALE });
    let (father_ar, father_latin) = *pick(rng, MALE);
    let (family_ar, family_latin) = *pick(rng, FAMILY);
    let latin_variants = given_latin
        .iter()
        .enumerate()
        .map(|(i, given)| {
            let father = father_latin[i.min(father_latin.len() - 1)];
            let family = family_latin[i.min(family_latin.len() - 1)];
            format!("{given} {father} {family}")
        })
        .collect();
    Person {
        arabic: format!("{given_ar} {father_ar} {family_ar}"),
        latin_variants,
        age,
        sex: if female { "female" } else { "male" },
        phone: phones.draw(rng),
        passport: rng.random_bool(0.6).then(|| format!("A{:08}", rng.random_range(0..100_000_000u32))),
    }
}

fn person_json(person: &Person, latin: bool, variant: usize) -> Value {
    let name = if latin {
        person.latin_variants[variant % person.latin_variants.len()].clone()
    } else {
        person.arabic.clone()
    };
    let mut body = json!({"name": name, "age": person.age, "sex": person.sex, "phone": person.phone});
    if let Some(passport) = &person.passport {
        body["passport"] = json!(passport);
    }
    body
}

/// A point up to `radius_km` from a place, uniform over the disc.
fn scatter(rng: &mut ChaCha8Rng, lat: f64, lon: f64, radius_km: f64) -> (f64, f64) {
    let distance = radius_km * rng.random::<f64>().sqrt();
    let bearing = rng.random::<f64>() * std::f64::consts::TAU;
    let dlat = distance * bearing.cos() / 111.0;
    let dlon = distance * bearing.sin() / (111.0 * lat.to_radians().cos().max(0.1));
    ((lat + dlat).clamp(-89.0, 89.0), lon + dlon)
}

/// What a report says, in its language.
fn message(needs: &[Need], arabic: bool) -> String {
    let words: Vec<&str> = needs
        .iter()
        .map(|need| match (need, arabic) {
            (Need::Medical, true) => "نحتاج طبيبا",
            (Need::Medical, false) => "we need a doctor",
            (Need::Water, true) => "لا ماء منذ يومين",
            (Need::Water, false) => "no water for two days",
            (Need::Food, true) => "نفد الطعام",
            (Need::Food, false) => "food has run out",
            (Need::Evacuation, true) => "نريد الخروج",
            (Need::Evacuation, false) => "we want to get out",
            (_, true) => "نحتاج مساعدة",
            (_, false) => "we need help",
        })
        .collect();
    words.join(if arabic { "، " } else { ", " })
}

/// Everything needed to draw a report.
struct Drawer<'a> {
    scenario: &'a Scenario,
    gazetteer: &'a Gazetteer,
    rng: ChaCha8Rng,
    /// The first person of each report so far (for duplicates).
    firsts: Vec<Person>,
    /// The people in danger's phones (the crisis's first country) and their relatives'.
    local: &'static MobilePlan,
    home: &'static MobilePlan,
}

impl<'a> Drawer<'a> {
    fn new(scenario: &'a Scenario, gazetteer: &'a Gazetteer, rng: ChaCha8Rng) -> Self {
        let local = scenario.crisis.as_ref().and_then(|c| c.countries.first().copied()).and_then(mobile_plan);
        Self {
            scenario,
            gazetteer,
            rng,
            firsts: Vec::new(),
            local: local.unwrap_or(plan_of(DEFAULT_LOCAL)),
            home: plan_of(HOME),
        }
    }
}

impl Drawer<'_> {
    fn place(&mut self, only: Option<&str>) -> (String, f64, f64, f64) {
        let places = &self.scenario.places;
        let place = match only {
            Some(name) => places.iter().find(|p| p.name == name).unwrap_or(&places[0]),
            None => {
                let total: f64 = places.iter().map(|p| p.weight).sum();
                let mut target = self.rng.random::<f64>() * total;
                places
                    .iter()
                    .find(|p| {
                        target -= p.weight;
                        target <= 0.0
                    })
                    .unwrap_or(&places[places.len() - 1])
            }
        };
        let town = self.gazetteer.find(&place.name, place.country).expect("checked when the scenario was parsed");
        (town.name_ar.clone().unwrap_or_else(|| town.name.clone()), town.lat, town.lon, place.radius_km)
    }

    fn report(&mut self, index: usize, at_hours: f64, phase: &Phase, only_place: Option<&str>) -> PlannedReport {
        let rng = &mut self.rng;
        let latin = rng.random_bool(phase.latin);
        let arabic = !latin;
        let needs: Vec<Need> = phase.needs.iter().filter(|(_, p)| rng.random_bool(**p)).map(|(n, _)| *n).collect();
        let mut flags: Vec<Flag> = phase.flags.iter().filter(|(_, p)| rng.random_bool(**p)).map(|(f, _)| *f).collect();
        let count = rng.random_range(phase.people[0]..=phase.people[1].max(phase.people[0]));
        let (minors, elderly) = (flags.contains(&Flag::UnaccompaniedMinors), flags.contains(&Flag::Elderly));
        let age_for = move |rng: &mut ChaCha8Rng, i: u32| {
            if minors {
                rng.random_range(6..17)
            } else if elderly && i == 0 {
                rng.random_range(70..88)
            } else {
                rng.random_range(1..65)
            }
        };
        let duplicate_of = (!self.firsts.is_empty() && rng.random_bool(phase.duplicates))
            .then(|| rng.random_range(0..self.firsts.len()));
        let mut people = Vec::new();
        let first = match duplicate_of {
            // Reported again: another spelling or the other script, the same phone; the flags
            // must fit the person as first reported.
            Some(earlier) => {
                let person = self.firsts[earlier].clone();
                people.push(person_json(&person, latin, 1 + index % 2));
                flags.retain(|flag| match flag {
                    Flag::UnaccompaniedMinors => person.age < 18,
                    Flag::Elderly => person.age >= 70,
                    _ => true,
                });
                person
            }
            None => {
                let age = age_for(rng, 0);
                let person = person(rng, age, self.local);
                people.push(person_json(&person, latin, 0));
                person
            }
        };
        for i in 1..count {
            let age = age_for(&mut self.rng, i);
            people.push(person_json(&person(&mut self.rng, age, self.local), latin, 0));
        }
        let rng = &mut self.rng;
        let abroad = rng.random_bool(phase.relatives_abroad);
        let home = self.home;
        let reporter = abroad.then(|| {
            json!({"phone": home.draw(rng),
                   "relation": *pick(rng, RELATIONS), "place": if arabic { "القاهرة" } else { "Cairo" }})
        });
        let located = rng.random_bool(phase.located);
        let (place_name, lat, lon, radius) = self.place(only_place);
        let rng = &mut self.rng;
        let location = if located {
            let (lat, lon) = scatter(rng, lat, lon, radius);
            json!({"lat": (lat * 1e5).round() / 1e5, "lon": (lon * 1e5).round() / 1e5,
                   "accuracy_m": rng.random_range(10..200), "place": place_name})
        } else {
            json!({"place": place_name})
        };
        let mut body = json!({
            "language": if arabic { "ar" } else { "en" },
            "location": location,
            "people": people,
            "needs": needs,
            "flags": flags,
            "message": message(&needs, arabic),
        });
        if let Some(reporter) = reporter {
            body["reporter"] = reporter;
        }
        if let Some(crisis) = &self.scenario.crisis {
            let names_it = match crisis.reports_name_it {
                NameCrisis::None => false,
                NameCrisis::Unlocated => !located,
                NameCrisis::All => true,
            };
            if names_it {
                body["crisis"] = json!(crisis.slug);
            }
        }
        let hotline = !rng.random_bool(phase.web_share);
        let key = Uuid::from_u128(rng.random());
        self.firsts.push(first);
        PlannedReport { index, at_hours, hotline, body, key, duplicate_of }
    }
}

/// Every timed report of the scenario, in time order, from `seed`.
pub fn plan(scenario: &Scenario, gazetteer: &Gazetteer, seed: u64) -> Vec<PlannedReport> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Times first (phases, then waves), then the reports in time order, so that a duplicate
    // always reports someone reported earlier.
    let mut times: Vec<(f64, usize, Option<String>)> = Vec::new();
    for (p, phase) in scenario.phases.iter().enumerate() {
        let count = (phase.reports_per_hour * (phase.to_hour - phase.from_hour)).round() as usize;
        for _ in 0..count {
            times.push((rng.random_range(phase.from_hour..phase.to_hour), p, None));
        }
    }
    for wave in &scenario.waves {
        let phase = phase_at(scenario, wave.at_hour);
        for _ in 0..wave.reports {
            let at = wave.at_hour + rng.random::<f64>() * wave.over_minutes / 60.0;
            times.push((at.min(scenario.duration_hours), phase, wave.place.clone()));
        }
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut drawer = Drawer::new(scenario, gazetteer, rng);
    times
        .into_iter()
        .enumerate()
        .map(|(index, (at, phase, place))| drawer.report(index, at, &scenario.phases[phase], place.as_deref()))
        .collect()
}

/// The phase in force at `hour` (the last one that started), for waves' mix.
fn phase_at(scenario: &Scenario, hour: f64) -> usize {
    scenario.phases.iter().rposition(|p| p.from_hour <= hour).unwrap_or(0)
}

/// The standing population of a load scenario: `count` reports drawn lazily (a million bodies
/// would not fit in memory at once), with the first phase's mix.
pub fn standing<'a>(
    scenario: &'a Scenario,
    gazetteer: &'a Gazetteer,
    seed: u64,
) -> impl Iterator<Item = PlannedReport> + 'a {
    let rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5354_414e_4449_4e47);
    let mut drawer = Drawer::new(scenario, gazetteer, rng);
    let phase = &scenario.phases[0];
    (0..scenario.standing_cases as usize).map(move |index| {
        let report = drawer.report(index, 0.0, phase, None);
        drawer.firsts.clear(); // no duplicates among the standing population, and no growth
        report
    })
}

/// A small valid report, different for each `n` (its message is `report n`, which load tests
/// use as a marker): for tests and benchmarks that need many distinct reports, not a crisis.
pub fn sample_report(n: usize) -> Value {
    json!({
        "language": "ar",
        "reporter": {"name": "أم أحمد", "phone": format!("+2010{:08}", n % 100_000_000), "relation": "parent", "place": "Cairo"},
        "location": {"lat": 15.5518 + (n % 100) as f64 * 0.001, "lon": 32.5324, "accuracy_m": 30, "place": "الرياض، الخرطوم"},
        // Each sample is another child: its own passport and phone, so the matcher suggests nothing.
        "people": [{"name": format!("أحمد {n}"), "age": 9 + (n % 10), "sex": "male",
                    "passport": format!("A{:08}", n % 100_000_000), "phone": format!("+2499{:08}", n % 100_000_000)}],
        "needs": ["medical", "evacuation"],
        "flags": ["unaccompanied_minors", "injured"],
        "message": format!("report {n}")
    })
}

#[cfg(test)]
mod tests {
    use opsroom_domain::country::CountryCode;

    use super::*;

    const SMALL: &str = r#"
        name = "t"
        duration_hours = 2
        [[places]]
        name = "Khartoum"
        weight = 3
        [[places]]
        name = "Omdurman"
        weight = 1
        [[phases]]
        name = "all"
        from_hour = 0
        to_hour = 2
        reports_per_hour = 50
        duplicates = 0.2
        latin = 0.5
        relatives_abroad = 0.5
        located = 0.9
        needs = { medical = 0.3, water = 0.6 }
        flags = { unaccompanied_minors = 0.1 }
        [[waves]]
        at_hour = 1
        reports = 20
        place = "Omdurman"
    "#;

    #[test]
    fn the_same_seed_plays_the_same_crisis() {
        let gazetteer = Gazetteer::builtin();
        let scenario = Scenario::parse(SMALL, &gazetteer).unwrap();
        let a = plan(&scenario, &gazetteer, 7);
        let b = plan(&scenario, &gazetteer, 7);
        let c = plan(&scenario, &gazetteer, 8);
        assert_eq!(a.len(), 120);
        let bodies = |p: &[PlannedReport]| p.iter().map(|r| r.body.to_string()).collect::<Vec<_>>();
        assert_eq!(bodies(&a), bodies(&b));
        assert_ne!(bodies(&a), bodies(&c));
        assert!(a.windows(2).all(|w| w[0].at_hours <= w[1].at_hours));
        assert!(a.iter().all(|r| r.duplicate_of.is_none_or(|d| d < r.index)));
        assert!(a.iter().any(|r| r.duplicate_of.is_some()));
    }

    #[test]
    fn minors_are_children_and_duplicates_keep_the_phone() {
        let gazetteer = Gazetteer::builtin();
        let scenario = Scenario::parse(SMALL, &gazetteer).unwrap();
        let plan = plan(&scenario, &gazetteer, 1);
        for report in &plan {
            if report.body["flags"].as_array().unwrap().contains(&json!("unaccompanied_minors")) {
                assert!(report.body["people"].as_array().unwrap().iter().all(|p| p["age"].as_u64().unwrap() < 18));
            }
            if let Some(earlier) = report.duplicate_of {
                assert_eq!(report.body["people"][0]["phone"], plan[earlier].body["people"][0]["phone"]);
            }
        }
    }

    #[test]
    fn drawn_mobile_numbers_are_numbers_of_their_country() {
        use opsroom_domain::text::PhoneNumber;
        let database = &*phonenumber::metadata::DATABASE;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for plan in &MOBILE_PLANS {
            let code = CountryCode::parse(plan.country).unwrap();
            for _ in 0..200 {
                let drawn = plan.draw(&mut rng);
                PhoneNumber::parse(&drawn, None).unwrap_or_else(|e| panic!("{}: {drawn}: {e}", plan.country));
                let parsed = phonenumber::parse(None, &drawn).unwrap();
                assert_eq!(parsed.code().value().to_string(), plan.calling_code);
                assert_eq!(
                    Some(parsed.code().value()),
                    code.calling_code(),
                    "{}: the calling code of the country",
                    plan.country
                );
                // Sudan's kept `9xxxxxxxx` is only of the right length (see MOBILE_PLANS).
                if plan.country != "SD" {
                    assert!(parsed.is_valid_with(database), "{}: {drawn} in no listed range", plan.country);
                    assert!(
                        matches!(
                            parsed.number_type(database),
                            phonenumber::Type::Mobile | phonenumber::Type::FixedLineOrMobile
                        ),
                        "{}: {drawn} is not a mobile number",
                        plan.country
                    );
                }
            }
        }
        for country in ["LY", "LB", "PS", "SD", "YE"] {
            assert!(mobile_plan(CountryCode::parse(country).unwrap()).is_some(), "{country}");
        }
    }

    #[test]
    fn a_crisis_draws_its_countrys_numbers_and_may_name_itself_in_reports() {
        let gazetteer = Gazetteer::builtin();
        let libya = SMALL.replace("Khartoum", "Benghazi").replace("Omdurman", "Tobruk")
            + "[crisis]\nslug = \"libya-2011\"\nname_ar = \"ليبيا\"\nname_en = \"Libya\"\ncountries = [\"LY\"]\nreports_name_it = \"all\"\n";
        let scenario = Scenario::parse(&libya, &gazetteer).unwrap();
        let reports = plan(&scenario, &gazetteer, 3);
        for report in &reports {
            assert_eq!(report.body["crisis"], "libya-2011");
            for person in report.body["people"].as_array().unwrap() {
                assert!(person["phone"].as_str().unwrap().starts_with("+2189"), "{person}");
            }
            if let Some(phone) = report.body["reporter"]["phone"].as_str() {
                assert!(phone.starts_with("+20"), "relatives are at home: {phone}");
            }
        }
        // Without a crisis: Sudanese numbers as always, and the location places the report.
        let sudan = plan(&Scenario::parse(SMALL, &gazetteer).unwrap(), &gazetteer, 3);
        assert!(sudan.iter().all(|r| r.body.get("crisis").is_none()));
        assert!(sudan.iter().all(|r| r.body["people"][0]["phone"].as_str().unwrap().starts_with("+2499")));
    }
}
