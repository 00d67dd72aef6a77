//! Common names of Sudan and Egypt with their usual spellings in both scripts.
//!
//! Owns one fact the skeletons cannot carry: which spellings are the *same name*. Hassan (حسن)
//! and Hussein (حسين), Ahmed (أحمد) and Hamed (حامد), Omar (عمر) and Amr (عمرو) share consonant
//! skeletons but are different names; Mohamed and Muhammad are one. Spellings are folded as
//! `names` folds them (lower-case ASCII; Arabic without hamza forms, ى as ي, ة as ه).
//! Names not listed here are compared by their skeletons alone.

use std::collections::HashMap;
use std::sync::OnceLock;

/// `(canonical, spellings)`.
const NAMES: &[(&str, &[&str])] = &[
    // Men
    (
        "muhammad",
        &[
            "محمد", "mohamed", "mohammed", "muhammad", "mohamad", "mohammad", "muhammed", "mohd", "mhd", "mohmed",
            "mouhamed", "mohammd",
        ],
    ),
    ("ahmad", &["احمد", "ahmed", "ahmad", "ahmet", "ehmed"]),
    ("mahmud", &["محمود", "mahmoud", "mahmud", "mahmood", "mahmod"]),
    ("mustafa", &["مصطفي", "mustafa", "mostafa", "moustafa", "mustapha", "mostapha", "mustafah"]),
    ("ali", &["علي", "ali", "aly", "alee"]),
    ("umar", &["عمر", "omar", "omer", "umar", "omr"]),
    ("amr", &["عمرو", "amr", "amro", "amru"]),
    ("uthman", &["عثمان", "osman", "othman", "usman", "uthman", "osmaan", "ousman"]),
    ("hasan", &["حسن", "hassan", "hasan", "hasen", "hassen"]),
    ("husayn", &["حسين", "hussein", "hussain", "husain", "husein", "hossein", "hussien", "hussin", "husseyn"]),
    ("hasanayn", &["حسنين", "hassanein", "hassanin", "hasanein"]),
    ("ibrahim", &["ابراهيم", "ibrahim", "ebrahim", "ibraheem", "ibrahem", "brahim"]),
    ("ismail", &["اسماعيل", "ismail", "ismael", "esmail", "ismaeel", "ismaiel"]),
    ("yusuf", &["يوسف", "youssef", "yousef", "yusuf", "yousif", "yusef", "youssif", "yousuf", "yossef"]),
    ("khalid", &["خالد", "khaled", "khalid", "khaleed"]),
    ("tariq", &["طارق", "tarek", "tariq", "tarik", "tareq"]),
    ("hamza", &["حمزه", "hamza", "hamzah", "hamzeh"]),
    ("hamid", &["حامد", "hamed", "hamid"]),
    ("hamid2", &["حميد", "humaid", "hameed", "humeid"]),
    ("hamdi", &["حمدي", "hamdi", "hamdy"]),
    ("abdallah", &["عبدالله", "abdallah", "abdalla", "abdullah", "abdulla", "abdellah", "abdella", "abdelah"]),
    (
        "abdalrahman",
        &["عبدالرحمن", "abdelrahman", "abdulrahman", "abdalrahman", "abdurrahman", "abdelrahmane", "abdarrahman"],
    ),
    ("abdalrahim", &["عبدالرحيم", "abdelrahim", "abdulrahim", "abdalrahim", "abdelraheem", "abdurrahim"]),
    ("abdalaziz", &["عبدالعزيز", "abdelaziz", "abdulaziz", "abdalaziz", "abdelazeez", "abdulazeez"]),
    (
        "abdalqadir",
        &[
            "عبدالقادر",
            "abdelgadir",
            "abdelqader",
            "abdulqadir",
            "abdelkader",
            "abdelgader",
            "abdalgadir",
            "abdulgadir",
        ],
    ),
    ("abdalmunim", &["عبدالمنعم", "abdelmoneim", "abdelmonem", "abdulmunim", "abdelmonim"]),
    ("abdalwahab", &["عبدالوهاب", "abdelwahab", "abdulwahab", "abdelwahhab"]),
    ("abdalhamid", &["عبدالحميد", "abdelhamid", "abdulhamid", "abdelhameed"]),
    ("abdalkarim", &["عبدالكريم", "abdelkarim", "abdulkarim", "abdelkareem", "abdulkareem"]),
    ("abdalmajid", &["عبدالمجيد", "abdelmagid", "abdelmajid", "abdulmajid", "abdelmageed"]),
    ("abdalnasir", &["عبدالناصر", "abdelnasser", "abdulnasir", "abdelnaser"]),
    ("abdalmahmud", &["عبدالمحمود", "abdelmahmoud", "abdulmahmud"]),
    ("abdalbagi", &["عبدالباقي", "abdelbagi", "abdelbaqi", "abdulbaqi"]),
    ("abubakr", &["ابوبكر", "abubakr", "abubaker", "aboubakr", "abubakar", "abobakr", "abubakir"]),
    ("adam", &["ادم", "adam", "adem"]),
    ("adil", &["عادل", "adel", "adil"]),
    ("ala", &["علاء", "علا", "alaa", "ala", "alaaeldin"]),
    ("amin", &["امين", "amin", "ameen", "amine", "elamin", "alamin"]),
    ("anas", &["انس", "anas"]),
    ("ashraf", &["اشرف", "ashraf"]),
    ("ayman", &["ايمن", "ayman", "aiman", "eyman"]),
    ("babikir", &["بابكر", "babiker", "babikir", "babikr", "babakir"]),
    ("bakri", &["بكري", "bakri", "bakry"]),
    ("bashir", &["بشير", "bashir", "basheer", "bechir", "elbashir"]),
    ("imad", &["عماد", "emad", "imad", "emaad"]),
    ("isam", &["عصام", "essam", "isam", "esam", "issam"]),
    ("faisal", &["فيصل", "faisal", "faysal", "feisal"]),
    ("fathi", &["فتحي", "fathi", "fathy", "fatehi"]),
    ("jamal", &["جمال", "gamal", "jamal", "gamaal"]),
    ("kamal", &["كمال", "kamal", "kamaal"]),
    ("hani", &["هاني", "hani", "hany"]),
    ("haytham", &["هيثم", "haitham", "haytham", "heitham"]),
    ("hatim", &["حاتم", "hatem", "hatim"]),
    ("hisham", &["هشام", "hesham", "hisham", "hicham"]),
    ("idris", &["ادريس", "idris", "idrees", "edris"]),
    ("jafar", &["جعفر", "jaafar", "jafar", "gaafar", "gafar"]),
    ("karim", &["كريم", "karim", "kareem"]),
    ("majdi", &["مجدي", "magdy", "magdi", "majdi", "majdy"]),
    ("mamun", &["مامون", "mamoun", "mamun", "maamoun", "elmamoun"]),
    ("mansur", &["منصور", "mansour", "mansur", "mansoor"]),
    ("muhsin", &["محسن", "mohsen", "muhsin", "mohsin"]),
    ("mubarak", &["مبارك", "mubarak", "mobarak"]),
    ("musa", &["موسي", "musa", "mousa", "moussa", "mosa"]),
    ("nabil", &["نبيل", "nabil", "nabeel"]),
    ("nasir", &["ناصر", "nasser", "nasir", "naser"]),
    ("nur", &["نور", "nour", "nur", "noor", "elnour", "alnour"]),
    ("usama", &["اسامه", "osama", "usama", "ousama", "osamah"]),
    ("rami", &["رامي", "rami", "ramy"]),
    ("sad", &["سعد", "saad", "sad"]),
    ("said", &["سعيد", "said", "saeed", "saied", "saaid"]),
    ("salah", &["صلاح", "salah", "salaheldin", "salahaldin", "salaheddine"]),
    ("salih", &["صالح", "saleh", "salih"]),
    ("salim", &["سالم", "salem", "salim"]),
    ("salim2", &["سليم", "selim", "saleem"]),
    ("sami", &["سامي", "sami", "samy"]),
    ("sayyid", &["السيد", "سيد", "sayed", "sayyid", "elsayed", "alsayed", "elsaid", "sayyed", "saiyed"]),
    ("sharif", &["شريف", "sherif", "sharif", "shereef"]),
    ("sulayman", &["سليمان", "suleiman", "sulaiman", "soliman", "suliman", "sulayman", "solaiman"]),
    ("taha", &["طه", "taha"]),
    ("tayyib", &["الطيب", "طيب", "tayeb", "tayyib", "eltayeb", "altayeb", "eltayyib", "tayib"]),
    ("walid", &["وليد", "waleed", "walid"]),
    ("yasir", &["ياسر", "yasser", "yasir", "yaser"]),
    ("yahya", &["يحيي", "yahia", "yahya", "yehia", "yehya"]),
    ("yasin", &["ياسين", "yassin", "yasin", "yaseen", "yassine"]),
    ("zakariya", &["زكريا", "zakaria", "zakariya", "zakariyya", "zakarya"]),
    ("ziyad", &["زياد", "ziad", "ziyad", "zeyad"]),
    ("hadi", &["الهادي", "هادي", "hadi", "elhadi", "alhadi", "hady"]),
    ("sadiq", &["الصادق", "صادق", "sadig", "sadiq", "sadek", "elsadig", "alsadig", "sadik"]),
    ("hashim", &["هاشم", "hashim", "hashem"]),
    ("awad", &["عوض", "awad", "awadh", "awadalla"]),
    ("jibril", &["جبريل", "gibril", "jibril", "gebril"]),
    ("tawfiq", &["توفيق", "tawfik", "tawfiq", "tawfeeq", "tewfik"]),
    ("fadl", &["فضل", "fadl", "fadul", "fadel"]),
    ("zayn", &["زين", "zein", "zain", "zayn", "zeinelabdin"]),
    ("mutasim", &["معتصم", "mutasim", "moatasim", "motasem", "mutassim"]),
    ("hamdan", &["حمدان", "hamdan"]),
    // Women
    ("fatima", &["فاطمه", "fatima", "fatma", "fatmah", "fatimah", "fatema", "fatime"]),
    ("fatin", &["فاتن", "faten", "fatin"]),
    ("aisha", &["عائشه", "عايشه", "aisha", "aicha", "ayesha", "aysha", "aishah", "eisha"]),
    ("amna", &["امنه", "amna", "aamna", "amnah"]),
    ("amina", &["امينه", "amina", "ameena", "aminah", "amena"]),
    ("asma", &["اسماء", "اسما", "asma", "asmaa", "esmaa"]),
    ("muna", &["مني", "mona", "muna", "mouna"]),
    ("maryam", &["مريم", "mariam", "maryam", "mariem", "meriam", "maryem"]),
    ("hanan", &["حنان", "hanan", "hanaan"]),
    ("huda", &["هدي", "huda", "hoda", "houda"]),
    ("khadija", &["خديجه", "khadija", "khadiga", "khadeeja", "khadijah"]),
    ("zaynab", &["زينب", "zeinab", "zainab", "zaynab", "zenab"]),
    ("salma", &["سلمي", "salma", "selma", "salmah"]),
    ("sara", &["ساره", "sara", "sarah"]),
    ("samia", &["ساميه", "samia", "samya", "samiya"]),
    ("samira", &["سميره", "samira", "sameera", "samirah"]),
    ("nadia", &["ناديه", "nadia", "nadya", "nadiya"]),
    ("nada", &["ندي", "nada"]),
    ("nuha", &["نهي", "noha", "nuha"]),
    ("rania", &["رانيا", "rania", "ranya", "raniya"]),
    ("rasha", &["رشا", "rasha"]),
    ("rim", &["ريم", "reem", "rim"]),
    ("sana", &["سناء", "سنا", "sana", "sanaa"]),
    ("hiba", &["هبه", "hiba", "heba", "hibah"]),
    ("hind", &["هند", "hind", "hend"]),
    ("iman", &["ايمان", "iman", "eman", "imane", "eiman"]),
    ("layla", &["ليلي", "laila", "layla", "leila", "leyla", "lela"]),
    ("najwa", &["نجوي", "nagwa", "najwa"]),
    ("nafisa", &["نفيسه", "nafisa", "nafeesa", "nefisa"]),
    ("halima", &["حليمه", "halima", "haleema", "halimah"]),
    ("hawa", &["حواء", "حوا", "hawa", "hawaa", "howa"]),
    ("hajar", &["هاجر", "hajar", "hajer", "hagar"]),
    ("suad", &["سعاد", "suad", "souad", "soad"]),
    ("sumaya", &["سميه", "sumaya", "somaya", "sumaia", "soumaya"]),
    ("tahani", &["تهاني", "tahani", "tahany"]),
    ("wafa", &["وفاء", "وفا", "wafaa", "wafa"]),
    ("yasmin", &["ياسمين", "yasmin", "yasmine", "yasmeen", "jasmin"]),
    ("zahra", &["زهراء", "زهرا", "zahra", "zahraa"]),
    ("ikhlas", &["اخلاص", "ikhlas", "ekhlas"]),
    ("ibtisam", &["ابتسام", "ibtisam", "ebtisam", "ebtesam"]),
    ("dalia", &["داليا", "dalia", "dalya"]),
    ("ghada", &["غاده", "ghada"]),
    ("manal", &["منال", "manal"]),
    ("marwa", &["مروه", "marwa", "marwah"]),
    ("nahla", &["نهله", "nahla"]),
    ("safa", &["صفاء", "صفا", "safaa", "safa"]),
    ("shayma", &["شيماء", "شيما", "shaimaa", "shaima", "shayma", "shimaa"]),
    ("dua", &["دعاء", "دعا", "doaa", "duaa", "dua"]),
    ("alawiya", &["علويه", "alawia", "alawiya", "elwiya"]),
    ("amal", &["امال", "امل", "amal", "amaal"]),
    ("rahma", &["رحمه", "rahma", "rahmah"]),
    ("ruqayya", &["رقيه", "ruqaya", "rugaya", "roqaya", "ruqayya"]),
    ("malak", &["ملاك", "malak"]),
    ("rawan", &["روان", "rawan"]),
    ("nusayba", &["نسيبه", "nusaiba", "nuseiba", "nesiba"]),
];

fn index() -> &'static HashMap<&'static str, &'static str> {
    static INDEX: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for (canonical, spellings) in NAMES {
            for spelling in *spellings {
                map.insert(*spelling, *canonical);
            }
        }
        map
    })
}

/// The name a folded spelling is one of, if it is a listed spelling.
pub fn canonical(folded: &str) -> Option<&'static str> {
    index().get(folded).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_spelling_belongs_to_two_names() {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for (canonical, spellings) in NAMES {
            for spelling in *spellings {
                if let Some(other) = seen.insert(spelling, canonical) {
                    panic!("{spelling} is listed for {other} and {canonical}");
                }
            }
        }
    }

    #[test]
    fn names_that_sound_alike_are_kept_apart() {
        assert_ne!(canonical("hassan"), canonical("hussein"));
        assert_ne!(canonical("احمد"), canonical("حامد"));
        assert_ne!(canonical("عمر"), canonical("عمرو"));
        assert_eq!(canonical("mohammed"), canonical("محمد"));
    }
}
