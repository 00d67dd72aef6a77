//! Names as the matcher sees them: folded, split into the tokens of an Arabic naming chain
//! (given, father, grandfather, family), each with its phonetic keys in both scripts.
//!
//! Owns the normalisations: Arabic folding (hamza forms, alef maqsura, ta marbuta, tashkeel,
//! tatweel, compounds such as عبد الله and أبو بكر, the particles ال, بن/ابن, بنت) and Latin
//! folding (case, accents, El-/Al-, Abdel/Abdul/Abd El, doubled letters, ou/u, ee/i), and the
//! transliteration of both into one consonant skeleton, so an Arabic name and its Latin spellings
//! meet. Must not decide whether two people are the same: that is `matching`'s job.

use super::dictionary;

/// The script a token was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Arabic,
    Latin,
}

/// One name of a chain, ready for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub script: Script,
    /// The folded spelling (Arabic letters for Arabic, lower-case ASCII for Latin).
    pub folded: String,
    /// The common name this is a spelling of, if the dictionary knows it.
    pub canonical: Option<&'static str>,
    /// Consonant skeletons (a few, where a letter has more than one usual reading).
    pub skeletons: Vec<String>,
}

/// A person's name: its tokens in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub tokens: Vec<Token>,
}

impl Name {
    pub fn parse(raw: &str) -> Self {
        let arabic = raw.chars().any(is_arabic_letter);
        let tokens = if arabic { arabic_tokens(raw) } else { latin_tokens(raw) };
        let script = if arabic { Script::Arabic } else { Script::Latin };
        let tokens = tokens
            .into_iter()
            // Digits and marks are no part of a name ("Ahmed 2" is Ahmed).
            .filter(|t| t.chars().any(char::is_alphabetic))
            .map(|folded| Token {
                script,
                canonical: dictionary::canonical(&folded),
                skeletons: skeletons(&folded, script),
                folded,
            })
            .collect();
        Self { tokens }
    }
}

fn is_arabic_letter(c: char) -> bool {
    ('\u{0621}'..='\u{064A}').contains(&c) || matches!(c, '\u{0671}' | '\u{06A9}' | '\u{06CC}' | '\u{06AF}')
}

/// Fold one Arabic character; `None` drops it (diacritics, tatweel, a lone hamza).
fn fold_arabic(c: char) -> Option<char> {
    match c {
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' | 'ء' => None,
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ؤ' => Some('و'),
        'ئ' | 'ى' | 'ی' => Some('ي'),
        'ة' => Some('ه'),
        'ک' => Some('ك'),
        'گ' => Some('ج'),
        _ => Some(c),
    }
}

fn split(raw: &str) -> Vec<String> {
    raw.split(|c: char| c.is_whitespace() || matches!(c, '-' | '_' | '.' | ',' | '/' | '\'' | '’' | '`' | '،'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Second halves of compound names, joined to the word before them (هبة الله, نور الدين).
const ARABIC_SECOND_HALVES: [&str; 6] = ["الله", "الدين", "الرحمن", "الرحيم", "الكريم", "العزيز"];
/// The same in Latin spellings, after an article (Nour El Din, Hebat Allah, Awad El Karim).
const LATIN_SECOND_HALVES: [&str; 10] =
    ["din", "deen", "dine", "allah", "alla", "llah", "rahman", "rahim", "karim", "aziz"];

/// Arabic tokens, folded, with compounds joined and particles dropped.
fn arabic_tokens(raw: &str) -> Vec<String> {
    let folded: String = raw.chars().filter_map(fold_arabic).collect();
    let mut tokens = Vec::new();
    let mut pending_prefix: Option<String> = None;
    for token in split(&folded) {
        if matches!(token.as_str(), "بن" | "ابن" | "بنت") {
            continue;
        }
        if let Some(prefix) = pending_prefix.take() {
            tokens.push(format!("{prefix}{token}"));
            continue;
        }
        // عبد الله, أبو بكر: one name written in two words (or one).
        if matches!(token.as_str(), "عبد" | "ابو") {
            pending_prefix = Some(token);
            continue;
        }
        // هبة الله, نور الدين, عوض الكريم: a name whose second half is one of God's names or الدين.
        if ARABIC_SECOND_HALVES.contains(&token.as_str())
            && let Some(previous) = tokens.last_mut()
        {
            // A ta marbuta (folded to ه) before the second half is read t: هبة الله, Hebatallah.
            if previous.ends_with('ه') {
                previous.pop();
                previous.push('ت');
            }
            previous.push_str(&token);
            continue;
        }
        tokens.push(token);
    }
    tokens.extend(pending_prefix);
    tokens
}

/// Fold one Latin character to lower-case ASCII; `None` drops it.
fn fold_latin(c: char) -> Option<char> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let plain = match lower {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ḥ' => 'h',
        'ṣ' => 's',
        'ṭ' => 't',
        'ḍ' => 'd',
        'ẓ' => 'z',
        other => other,
    };
    plain.is_ascii_alphanumeric().then_some(plain)
}

/// Latin articles written as their own word (El Tayeb, Al-Amin).
const LATIN_ARTICLES: [&str; 12] = ["el", "al", "ul", "il", "ad", "ed", "as", "es", "ar", "er", "an", "en"];
/// The first halves of Abdel-/Abdul- compounds when written apart (Abd El Rahman, Abdel Aziz).
const LATIN_ABD: [&str; 7] = ["abd", "abdel", "abdul", "abdal", "abdil", "abdou", "abdu"];
const LATIN_ABU: [&str; 3] = ["abu", "abou", "abo"];

/// Latin tokens, folded, with Abdel-/Abu compounds joined and standalone articles dropped.
fn latin_tokens(raw: &str) -> Vec<String> {
    let folded: String =
        raw.chars().map(|c| if c.is_alphanumeric() { fold_latin(c).unwrap_or(' ') } else { c }).collect();
    let words = split(&folded);
    let mut tokens: Vec<String> = Vec::new();
    let mut pending_prefix: Option<String> = None;
    let mut article: Option<String> = None;
    for word in words {
        if LATIN_ARTICLES.contains(&word.as_str()) {
            // "Abd El Rahman": the article between the halves belongs to the compound.
            if let Some(prefix) = pending_prefix.as_mut() {
                prefix.push_str(&word);
            } else {
                article = Some(word);
            }
            continue;
        }
        // "Nour El Din", "Hebat Allah": a second half joins the word before it, with its article.
        let joined_article = article.take();
        if pending_prefix.is_none()
            && LATIN_SECOND_HALVES.contains(&word.as_str())
            && let Some(previous) = tokens.last_mut()
        {
            previous.push_str(joined_article.as_deref().unwrap_or(""));
            previous.push_str(&word);
            continue;
        }
        if let Some(prefix) = pending_prefix.take() {
            tokens.push(format!("{prefix}{word}"));
            continue;
        }
        if LATIN_ABD.contains(&word.as_str()) || LATIN_ABU.contains(&word.as_str()) {
            pending_prefix = Some(word);
            continue;
        }
        tokens.push(word);
    }
    tokens.extend(pending_prefix);
    tokens
}

/// A consonant class letter for each sound the two scripts share. Vowels are dropped, except a
/// word-initial w or y; letters with two usual readings yield two skeletons.
fn skeletons(folded: &str, script: Script) -> Vec<String> {
    let units = match script {
        Script::Arabic => arabic_units(folded),
        Script::Latin => latin_units(folded),
    };
    let mut out: Vec<String> = vec![String::new()];
    for choices in units {
        if choices.is_empty() {
            continue;
        }
        let mut next = Vec::with_capacity(out.len() * choices.len());
        for prefix in &out {
            for &piece in &choices {
                let mut s = prefix.clone();
                for c in piece.chars() {
                    // Doubled letters (Hassan, Mohammed, الشدة) are one sound.
                    if !s.ends_with(c) {
                        s.push(c);
                    }
                }
                next.push(s);
            }
        }
        next.sort();
        next.dedup();
        next.truncate(8);
        out = next;
    }
    out
}

/// Arabic letters as consonant classes. Long vowels (ا و ي) are vowels inside a word and
/// consonants at its start (و → W, ي → Y); ع and ء are dropped like vowels.
fn arabic_units(folded: &str) -> Vec<Vec<&'static str>> {
    let mut units = Vec::new();
    let chars: Vec<char> = folded.chars().collect();
    let mut i = 0;
    // The article ال at the start of a word (not the ال of عبدالله or the لله of a name).
    if chars.len() > 4 && chars[0] == 'ا' && chars[1] == 'ل' {
        i = 2;
    }
    let start = i;
    while i < chars.len() {
        let c = chars[i];
        let last = i + 1 == chars.len();
        let class: Vec<&'static str> = match c {
            'ب' => vec!["B"],
            'ت' | 'ط' => vec!["T"],
            'ث' => vec!["T", "S"],
            'ج' => vec!["J"],
            'ح' | 'ه' => {
                if last && c == 'ه' {
                    vec![] // ta marbuta or a final ha: "Fatma", "Fatmah"
                } else {
                    vec!["H"]
                }
            }
            'خ' => vec!["X"],
            'د' | 'ض' => vec!["D"],
            'ذ' => vec!["D", "Z"],
            'ر' => vec!["R"],
            'ز' | 'ظ' => vec!["Z"],
            'س' | 'ص' => vec!["S"],
            'ش' => vec!["C"],
            'ع' => vec![],
            'غ' => vec!["G"],
            'ف' => vec!["F"],
            'ق' | 'ك' => vec!["K"],
            'ل' => vec!["L"],
            'م' => vec!["M"],
            'ن' => vec!["N"],
            'و' if i == start => vec!["W"],
            'ي' if i == start => vec!["Y"],
            'ا' | 'و' | 'ي' => vec![],
            _ => vec![],
        };
        units.push(class);
        i += 1;
    }
    units
}

/// Latin spellings as the same consonant classes as [`arabic_units`].
fn latin_units(folded: &str) -> Vec<Vec<&'static str>> {
    let mut word = folded;
    // El-/Al- glued to the name (Elsayed, Alamin): an article when a name of 3+ letters remains
    // that is not itself a known name starting with "al"/"el" (Ali, Alaa, Elias, Elham).
    if word.len() > 5
        && (word.starts_with("el") || word.starts_with("al"))
        && dictionary::canonical(word).is_none_or(|c| !c.starts_with("al") && !c.starts_with("el"))
    {
        word = &word[2..];
    }
    let bytes = word.as_bytes();
    let mut units = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &word[i..];
        let (class, used): (Vec<&'static str>, usize) = if rest.starts_with("kh") {
            (vec!["X"], 2)
        } else if rest.starts_with("sh") {
            // Ishag (إسحاق) is s + h, Hisham (هشام) is sh.
            (vec!["C", "SH"], 2)
        } else if rest.starts_with("ch") {
            (vec!["C"], 2)
        } else if rest.starts_with("th") {
            // Othman (عثمان) is th, Fathi (فتحي) is t + h.
            (vec!["T", "S", "TH"], 2)
        } else if rest.starts_with("dh") {
            (vec!["D", "Z"], 2)
        } else if rest.starts_with("gh") {
            (vec!["G"], 2)
        } else if rest.starts_with("ph") {
            (vec!["F"], 2)
        } else {
            let c = bytes[i] as char;
            let class = match c {
                'b' | 'p' => vec!["B"],
                't' => vec!["T"],
                'j' => vec!["J"],
                // Egyptians write ج as g (Gamal), Sudanese ق as g (Abdelgadir).
                'g' => vec!["J", "K"],
                // A final h after a vowel is the silent ending of Fatmah, Allah, Hebatallah.
                'h' if i + 1 == bytes.len() && i > 0 && b"aeiou".contains(&bytes[i - 1]) => vec![],
                'h' => vec!["H"],
                'x' => vec!["X"],
                'd' => vec!["D"],
                'r' => vec!["R"],
                'z' => vec!["Z"],
                's' | 'c' => vec!["S"],
                'f' | 'v' => vec!["F"],
                'q' | 'k' => vec!["K"],
                'l' => vec!["L"],
                'm' => vec!["M"],
                'n' => vec!["N"],
                'w' if i == 0 => vec!["W"],
                'y' if i == 0 => vec!["Y"],
                _ => vec![], // vowels, and w/y inside a word
            };
            (class, 1)
        };
        units.push(class);
        i += used;
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(raw: &str) -> Vec<String> {
        Name::parse(raw).tokens.into_iter().map(|t| t.folded).collect()
    }

    fn skeleton(raw: &str) -> Vec<String> {
        Name::parse(raw).tokens[0].skeletons.clone()
    }

    #[test]
    fn arabic_folding_and_compounds() {
        assert_eq!(folded("أحمد إبراهيم"), folded("احمد ابراهيم"));
        assert_eq!(folded("عبد الله"), vec!["عبدالله"]);
        assert_eq!(folded("عبدالله"), vec!["عبدالله"]);
        assert_eq!(folded("أبو بكر"), vec!["ابوبكر"]);
        assert_eq!(folded("فاطمة بنت علي"), vec!["فاطمه", "علي"]);
        assert_eq!(folded("مُحَمَّد"), vec!["محمد"]);
        assert_eq!(folded("محـــمد"), vec!["محمد"]);
        assert_eq!(folded("مصطفى"), folded("مصطفي"));
        assert_eq!(folded("هبة الله عثمان"), vec!["هبتالله", "عثمان"]);
        assert_eq!(folded("نور الدين"), vec!["نورالدين"]);
    }

    #[test]
    fn latin_folding_and_compounds() {
        assert_eq!(folded("Abd El Rahman Osman"), vec!["abdelrahman", "osman"]);
        assert_eq!(folded("Abdel-Aziz"), vec!["abdelaziz"]);
        assert_eq!(folded("Mohamed El Tayeb"), vec!["mohamed", "tayeb"]);
        assert_eq!(folded("ABU BAKR"), vec!["abubakr"]);
        assert_eq!(folded("Hélène"), vec!["helene"]);
        assert_eq!(folded("Nour El Din Ali"), vec!["noureldin", "ali"]);
        assert_eq!(folded("Hebat Allah"), vec!["hebatallah"]);
    }

    #[test]
    fn an_arabic_name_and_its_latin_spellings_share_a_skeleton() {
        let arabic = skeleton("محمد");
        for latin in ["Mohamed", "Mohammed", "Muhammad", "Mohamad"] {
            assert!(skeleton(latin).iter().any(|s| arabic.contains(s)), "{latin}: {:?} vs {arabic:?}", skeleton(latin));
        }
        let osman = skeleton("عثمان");
        for latin in ["Osman", "Othman", "Usman"] {
            assert!(skeleton(latin).iter().any(|s| osman.contains(s)), "{latin}");
        }
        assert!(skeleton("الطيب").iter().any(|s| skeleton("Eltayeb").contains(s)));
        assert!(skeleton("عبدالقادر").iter().any(|s| skeleton("Abdelgadir").contains(s)));
    }
}
