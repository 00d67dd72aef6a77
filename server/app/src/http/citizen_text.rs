//! Every word the public pages show, in Arabic and English, and error messages in both.
//!
//! Owns the citizen-facing vocabulary, so a translator edits one file. Plain words for frightened
//! people on small screens: short sentences, no jargon, no codes.

use opsroom_domain::need::{Flag, Need};
use opsroom_domain::report::{Language, Relation};

use crate::wire::Problem;

pub struct Words {
    pub lang: &'static str,
    pub dir: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub advisories: &'static str,
    pub about_you: &'static str,
    pub your_name: &'static str,
    pub your_phone: &'static str,
    pub where_you_are: &'static str,
    pub where_they_are: &'static str,
    pub position: &'static str,
    pub position_hint: &'static str,
    pub use_my_location: &'static str,
    pub people: &'static str,
    pub person: &'static str,
    pub name: &'static str,
    pub age: &'static str,
    pub sex: &'static str,
    pub female: &'static str,
    pub male: &'static str,
    pub unknown: &'static str,
    pub passport: &'static str,
    pub phone: &'static str,
    pub add_person: &'static str,
    pub needs: &'static str,
    pub situation: &'static str,
    pub message: &'static str,
    pub leave_empty: &'static str,
    pub send: &'static str,
    pub clear_form: &'static str,
    pub sending: &'static str,
    pub queued: &'static str,
    pub draft_saved: &'static str,
    pub check_fields: &'static str,
    pub received: &'static str,
    pub reference: &'static str,
    pub follow: &'static str,
    pub keep_private: &'static str,
    pub another: &'static str,
    pub case: &'static str,
    pub reported: &'static str,
    pub what_happened: &'static str,
    pub send_update: &'static str,
    pub update_kinds: [(&'static str, &'static str); 4],
    pub update_sent: &'static str,
    pub bad_link: &'static str,
    pub bad_link_help: &'static str,
    pub new_report: &'static str,
    pub for_area: &'static str,
    pub expires: &'static str,
    pub who_in_danger: &'static str,
    pub its_me: &'static str,
    pub call_phone: &'static str,
    pub where_short: &'static str,
    pub need_most: &'static str,
    pub other_needs: &'static str,
    pub more_detail: &'static str,
    pub reporting_for: &'static str,
    pub example: &'static str,
    pub located: &'static str,
    pub advisories_below: &'static str,
    pub hotline: &'static str,
    pub whatsapp: &'static str,
    pub what_next: &'static str,
    pub call_back_from: &'static str,
    pub call_back: &'static str,
    pub danger_now_call: &'static str,
    pub danger_now: &'static str,
    pub copy_link: &'static str,
    pub copied: &'static str,
    pub share_link: &'static str,
    pub times_in: &'static str,
}

pub const AR: Words = Words {
    lang: "ar",
    dir: "rtl",
    other_lang: "en",
    other_lang_name: "English",
    title: "بلاغ عن أشخاص في خطر",
    intro: "يكفي ما تعرفه.",
    advisories: "إرشادات رسمية",
    about_you: "عنك",
    your_name: "اسمك",
    your_phone: "رقم هاتفك",
    where_you_are: "أين أنت الآن؟ (مثلًا: القاهرة)",
    where_they_are: "أين هم؟",
    position: "الإحداثيات إن كانت لديك (من تطبيق الخرائط)",
    position_hint: "15.55, 32.53",
    use_my_location: "موقعي",
    people: "الأشخاص",
    person: "شخص",
    name: "الاسم الكامل",
    age: "العمر",
    sex: "الجنس",
    female: "أنثى",
    male: "ذكر",
    unknown: "غير معروف",
    passport: "رقم جواز السفر",
    phone: "رقم الهاتف",
    add_person: "أضف شخصًا آخر",
    needs: "ماذا يحتاجون؟",
    situation: "هل ينطبق أي مما يلي؟",
    message: "أي شيء آخر يجب أن نعرفه",
    leave_empty: "اترك هذا الحقل فارغًا",
    send: "أرسل البلاغ",
    clear_form: "امسح النموذج",
    sending: "جارٍ الإرسال…",
    queued: "في الانتظار — لم يُرسل بعد. سيُرسل تلقائيًا عند عودة الشبكة. أبقِ هذه الصفحة مفتوحة أو افتحها مرة أخرى عندما تتوفر الشبكة.",
    draft_saved: "حُفظت المسودة على هذا الجهاز",
    check_fields: "يرجى تصحيح ما يلي. ما كتبته محفوظ.",
    received: "استلمنا بلاغك.",
    reference: "رقم البلاغ",
    follow: "تابع حالتك من هذا الرابط:",
    keep_private: "احفظ هذا الرابط ولا تشاركه: كل من يملكه يرى حالة البلاغ ويستطيع إرسال تحديثات.",
    another: "أرسل بلاغًا آخر",
    case: "البلاغ",
    reported: "تاريخ البلاغ",
    what_happened: "ما الذي حدث",
    send_update: "أرسل تحديثًا",
    update_kinds: [
        ("moved", "انتقلنا إلى مكان آخر"),
        ("safe", "نحن في أمان الآن"),
        ("needs", "تغيّرت احتياجاتنا"),
        ("message", "رسالة"),
    ],
    update_sent: "وصلنا تحديثك. شكرًا.",
    bad_link: "هذا الرابط لا يعمل.",
    bad_link_help: "ربما نُسخ بشكل خاطئ أو استُبدل برابط جديد. أرسل بلاغًا جديدًا أو تواصل معنا.",
    new_report: "بلاغ جديد",
    for_area: "لمنطقة محددة",
    expires: "ينتهي",
    who_in_danger: "من في خطر؟ (الاسم)",
    its_me: "أنا في خطر",
    call_phone: "رقم هاتف نتصل بك عليه",
    where_short: "أين؟ (مكان أو عنوان أو أي وصف)",
    need_most: "ما أشد ما يحتاجونه؟",
    other_needs: "احتياجات أخرى",
    more_detail: "أضف تفاصيل أكثر (اختياري)",
    reporting_for: "إن كان شخصًا آخر: ما صلتك به؟",
    example: "مثال:",
    located: "حُدّد الموقع:",
    advisories_below: "إرشادات رسمية أسفل الصفحة",
    hotline: "الخط الساخن",
    whatsapp: "واتساب",
    what_next: "ماذا يحدث الآن",
    call_back_from: "سيتصل بك أحد موظفينا من الرقم",
    call_back: "سيتصل بك أحد موظفينا على الرقم الذي أعطيتنا. أبقِ هاتفك مفتوحًا.",
    danger_now_call: "إن كنت في خطر مباشر الآن، اتصل بالخط الساخن:",
    danger_now: "إن كنت في خطر مباشر الآن، ابتعد عن الخطر إن استطعت واتصل بأي رقم طوارئ محلي.",
    copy_link: "انسخ الرابط",
    copied: "نُسخ الرابط.",
    share_link: "احفظه أو أرسله لنفسك",
    times_in: "الأوقات بتوقيت",
};

pub const EN: Words = Words {
    lang: "en",
    dir: "ltr",
    other_lang: "ar",
    other_lang_name: "العربية",
    title: "Report people in danger",
    intro: "Whatever you know is enough.",
    advisories: "Official advisories",
    about_you: "About you",
    your_name: "Your name",
    your_phone: "Your phone number",
    where_you_are: "Where are you now? (e.g. Cairo)",
    where_they_are: "Where are they?",
    position: "Coordinates, if you have them (from a map app)",
    position_hint: "15.55, 32.53",
    use_my_location: "My location",
    people: "People",
    person: "Person",
    name: "Full name",
    age: "Age",
    sex: "Sex",
    female: "Female",
    male: "Male",
    unknown: "Unknown",
    passport: "Passport number",
    phone: "Phone number",
    add_person: "Add another person",
    needs: "What do they need?",
    situation: "Does any of this apply?",
    message: "Anything else we should know",
    leave_empty: "Leave this field empty",
    send: "Send report",
    clear_form: "Clear the form",
    sending: "Sending…",
    queued: "Queued — not sent yet. It will be sent automatically when the network returns. Keep this page open, or open it again when you have a connection.",
    draft_saved: "Draft saved on this device",
    check_fields: "Please fix the following. What you typed is kept.",
    received: "We received your report.",
    reference: "Reference",
    follow: "Follow your case at this link:",
    keep_private: "Save this link and do not share it: anyone who has it can see the case and send updates.",
    another: "Send another report",
    case: "Report",
    reported: "Reported",
    what_happened: "What happened",
    send_update: "Send an update",
    update_kinds: [
        ("moved", "We moved"),
        ("safe", "We are safe now"),
        ("needs", "Our needs changed"),
        ("message", "A message"),
    ],
    update_sent: "We received your update. Thank you.",
    bad_link: "This link does not work.",
    bad_link_help: "It may have been copied wrongly or replaced by a new one. Send a new report, or reach us.",
    new_report: "New report",
    for_area: "for a specific area",
    expires: "Until",
    who_in_danger: "Who is in danger? (their name)",
    its_me: "It is me",
    call_phone: "A phone number we can call",
    where_short: "Where? (place, address, anything)",
    need_most: "What is needed most?",
    other_needs: "Other needs",
    more_detail: "Add more detail (optional)",
    reporting_for: "If it is someone else: who are they to you?",
    example: "Example:",
    located: "Location found:",
    advisories_below: "Official advisories below",
    hotline: "Hotline",
    whatsapp: "WhatsApp",
    what_next: "What happens next",
    call_back_from: "An operator will call you from",
    call_back: "An operator will call you on the number you gave us. Keep your phone on.",
    danger_now_call: "If you are in immediate danger now, call the hotline:",
    danger_now: "If you are in immediate danger now, get away from it if you can and call any local emergency number.",
    copy_link: "Copy the link",
    copied: "Link copied.",
    share_link: "Save or send it to yourself",
    times_in: "Times are in",
};

pub fn words(language: Language) -> &'static Words {
    match language {
        Language::Ar => &AR,
        Language::En => &EN,
    }
}

/// `?lang=en` chooses English; anything else is Arabic, the default.
pub fn language_from(raw: Option<&str>) -> Language {
    if raw == Some("en") { Language::En } else { Language::Ar }
}

/// "Who are you reporting for" choices, as the relation the reporter has to the people in danger
/// (reporting for "my child" makes the reporter their parent).
pub fn relations(language: Language) -> [(Relation, &'static str); 8] {
    let ar = language == Language::Ar;
    let pick = |a: &'static str, e: &'static str| if ar { a } else { e };
    [
        (Relation::Myself, pick("نفسي (أنا في خطر)", "Myself (I am in danger)")),
        (Relation::Parent, pick("ابني أو ابنتي أو أطفالي", "My child or children")),
        (Relation::Child, pick("أبي أو أمي", "My father or mother")),
        (Relation::Spouse, pick("زوجي أو زوجتي", "My husband or wife")),
        (Relation::Sibling, pick("أخي أو أختي", "My brother or sister")),
        (Relation::Relative, pick("قريب آخر", "Another relative")),
        (Relation::Friend, pick("صديق", "A friend")),
        (Relation::Other, pick("شخص آخر", "Someone else")),
    ]
}

pub fn need_label(need: Need, language: Language) -> &'static str {
    let (ar, en) = match need {
        Need::Medical => ("علاج أو دواء", "Medical care"),
        Need::Evacuation => ("إجلاء", "Evacuation"),
        Need::Food => ("طعام", "Food"),
        Need::Water => ("ماء", "Water"),
        Need::Shelter => ("مأوى", "Shelter"),
        Need::Power => ("كهرباء أو شحن الهاتف", "Power or phone charging"),
        Need::Documents => ("وثائق أو جواز سفر", "Documents or passport"),
        Need::MissingPerson => ("شخص مفقود", "A missing person"),
        Need::Other => ("شيء آخر", "Something else"),
    };
    if language == Language::Ar { ar } else { en }
}

pub fn flag_label(flag: Flag, language: Language) -> &'static str {
    let (ar, en) = match flag {
        Flag::UnaccompaniedMinors => ("أطفال بلا مرافق بالغ", "Children without an adult"),
        Flag::Injured => ("مصاب", "Someone is injured"),
        Flag::Elderly => ("كبير في السن", "Someone elderly"),
        Flag::Pregnant => ("امرأة حامل", "A pregnant woman"),
        Flag::Disabled => ("شخص ذو إعاقة", "Someone with a disability"),
        Flag::ChronicIllness => ("مرض مزمن", "A chronic illness"),
    };
    if language == Language::Ar { ar } else { en }
}

/// An error message for the person who typed the input, in their language.
pub fn localize(problem: &Problem, language: Language) -> String {
    let (ar, en) = match problem.code.as_str() {
        "too_long" => ("النص أطول من المسموح.", "This is too long."),
        "control_character" => ("يحتوي على رموز غير مسموحة.", "This contains characters that are not allowed."),
        "invalid_characters" => (
            "يحتوي على رموز خفية تقلب اتجاه الكتابة. احذفه واكتبه من جديد.",
            "This contains hidden characters that change the direction of the text. Delete it and type it again.",
        ),
        "no_visible_characters" => (
            "لا يحتوي إلا على رموز غير مرئية. اكتبه بالحروف أو الأرقام، أو اتركه فارغًا.",
            "This has only invisible characters. Write it in letters or digits, or leave it empty.",
        ),
        "invalid_phone" => (
            "رقم الهاتف غير صحيح. اختر رمز الدولة واكتب الرقم.",
            "This phone number is not valid. Choose the country code and type the number.",
        ),
        "phone_needs_country_code" => (
            "اختر رمز الدولة أو اكتب الرقم مبتدئًا بـ + أو 00.",
            "Choose the country code, or write the number starting with + or 00.",
        ),
        "phone_wrong_length" => (
            "عدد أرقام هذا الهاتف لا يناسب رمز الدولة. تأكد من الرقم ومن رمز الدولة.",
            "This phone number has too few or too many digits for its country code. Check the number and the country code.",
        ),
        "phone_unknown_country_code" => (
            "لا توجد دولة بهذا الرمز. تأكد من الأرقام بعد + أو 00.",
            "No country has this code. Check the digits after + or 00.",
        ),
        "invalid_field" => ("اختر قيمة من القائمة.", "Choose a value from the list."),
        "invalid_passport" => ("رقم الجواز غير صحيح.", "This passport number is not valid."),
        "out_of_range" => ("القيمة خارج النطاق المسموح.", "This value is out of range."),
        "missing" => ("هذا الحقل مطلوب.", "This is required."),
        "empty_report" => (
            "اكتب اسم شخص واحد على الأقل أو رسالة تصف الوضع.",
            "Write at least one person's name, or a message describing the situation.",
        ),
        "empty_person" => {
            ("اكتب الاسم أو العمر أو الهاتف لهذا الشخص.", "Give a name, an age or a phone for this person.")
        }
        "too_many" => {
            ("عدد الأشخاص كبير جدًا؛ أرسل بلاغًا آخر للباقين.", "Too many people; send another report for the rest.")
        }
        "invalid_number" => ("اكتب رقمًا.", "Type a number."),
        "honeypot" => ("اترك الحقل الأخير فارغًا.", "Leave the last field empty."),
        "rate_limited" => (
            "طلبات كثيرة من عنوانك. انتظر دقيقة ثم حاول مرة أخرى. ما كتبته محفوظ.",
            "Too many requests from your address. Wait a minute and try again. What you typed is kept.",
        ),
        "unavailable" => ("لم يُحفظ. حاول مرة أخرى بعد لحظات.", "Not saved. Please try again in a moment."),
        "payload_too_large" => ("البلاغ طويل جدًا.", "The report is too long."),
        "idempotency_key_reused" => (
            "استُخدم هذا النموذج لبلاغ آخر من قبل. راجعه ثم أرسله مرة أخرى.",
            "This form was already used for another report. Check it and send it again.",
        ),
        _ => ("قيمة غير صحيحة.", "This value is not valid."),
    };
    match language {
        Language::Ar => ar.to_owned(),
        Language::En => en.to_owned(),
    }
}

/// The words of working with no network: the reports waiting on the phone (edit, cancel) and the
/// page a tracking link opens offline (the service worker's shell; it holds no case data).
pub struct OfflineWords {
    pub waiting: &'static str,
    pub edit: &'static str,
    pub cancel: &'static str,
    pub cancelled: &'static str,
    pub unnamed: &'static str,
    pub no_connection: &'static str,
    pub tracking_offline: &'static str,
}

pub fn offline_words(language: Language) -> &'static OfflineWords {
    match language {
        Language::Ar => &OFFLINE_AR,
        Language::En => &OFFLINE_EN,
    }
}

static OFFLINE_AR: OfflineWords = OfflineWords {
    waiting: "بلاغات على هذا الهاتف لم تُرسل بعد",
    edit: "تعديل",
    cancel: "إلغاء هذا البلاغ",
    cancelled: "أُلغي البلاغ ولن يُرسل.",
    unnamed: "بلاغ بلا اسم",
    no_connection: "لا يوجد اتصال",
    tracking_offline: "صفحة بلاغك تحتاج إلى الشبكة. افتح الرابط مرة أخرى عندما يعود الاتصال لترى آخر الأخبار. البلاغ الذي أرسلته دون شبكة يبقى على هذا الهاتف حتى يصل.",
};

static OFFLINE_EN: OfflineWords = OfflineWords {
    waiting: "Reports on this phone, not sent yet",
    edit: "Edit",
    cancel: "Cancel this report",
    cancelled: "The report is cancelled and will not be sent.",
    unnamed: "Report without a name",
    no_connection: "No connection",
    tracking_offline: "Your case's page needs the network. Open the link again when you are back online to see the latest. A report you sent with no network stays on this phone until it arrives.",
};
