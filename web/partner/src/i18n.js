// Words of the partner page in Arabic and English, errors included: the server's messages are
// English only, so every refusal the page can expect is said here by its code. Arabic is written
// right to left, so the page's `dir` follows the language (shared/i18n.js).
import { languages } from '../../shared/i18n.js';

const words = {
  ar: {
    title: 'بوابة الشركاء', token: 'رمز الدخول', signIn: 'دخول', signOut: 'خروج', language: 'English',
    tokenHint: 'الصق رمز الدخول الذي سلّمته لكم غرفة العمليات. لا يحفظه هذا المتصفح إلا في ملف تعريف محمي ينتهي مع انتهاء المناوبة.',
    live: 'متصل', reconnecting: 'إعادة الاتصال…',
    receives: 'ما تتلقونه من كل حالة', precision: 'الموقع: خلية تقريبية بعرض نحو', km: 'كم', afterEvacuation: '؛ وبعد قبول إجلاء طبي: نحو',
    region: 'تقتصر الإحالات على منطقة عملكم.', download: 'تنزيل', csv: 'CSV (مع وسوم HXL)', geojson: 'GeoJSON',
    cases: 'الحالات المحالة إليكم', noCases: 'لا توجد حالات محالة إليكم الآن.', location: 'الموقع التقريبي', noLocation: 'بلا موقع',
    people: 'الأشخاص', age: 'العمر', needs: 'الاحتياجات', flags: 'الهشاشة', place: 'المكان', message: 'رسالة المبلّغ', reporter: 'المبلّغ',
    referrals: 'الطلبات', opsNote: 'ملاحظة غرفة العمليات', history: 'السجل',
    accept: 'اقبل', acceptNote: 'ملاحظة (اختياري)', decline: 'اعتذر', reason: 'سبب الاعتذار',
    movements: 'الرحلات المشتركة معكم', noMovements: 'لا توجد رحلات مشتركة معكم الآن.',
    departure: 'موعد الانطلاق', seats: 'المقاعد', seatsTaken: 'محجوزة', passengers: 'الركاب', noPassengers: 'لم يُحجز لأحد بعد.',
    reference: 'المرجع', routeArrow: '←', needsCare: 'يحتاج رعاية طبية', needCareCount: 'بحاجة إلى رعاية طبية',
    sex: { male: 'ذكر', female: 'أنثى' },
    relation: { self: 'الشخص نفسه', parent: 'أحد الوالدين', child: 'ابن أو ابنة', spouse: 'زوج أو زوجة', sibling: 'أخ أو أخت', guardian: 'وصي', relative: 'قريب', friend: 'صديق', other: 'صلة أخرى' },
    area: 'منطقة تقريبية', areaAcross: (km) => `بعرض نحو ${km} كم`, openInMaps: 'افتح في الخرائط',
    referred: 'أُحيلت', justNow: 'الآن',
    // Arabic counts: one and two have their own forms, three to ten the plural, eleven and up
    // the singular.
    ago: (n, unit) => {
      const [one, two, few, many] = { minute: ['دقيقة', 'دقيقتين', 'دقائق', 'دقيقة'], hour: ['ساعة', 'ساعتين', 'ساعات', 'ساعة'], day: ['يوم', 'يومين', 'أيام', 'يومًا'] }[unit];
      return n === 1 ? `منذ ${one}` : n === 2 ? `منذ ${two}` : `منذ ${n} ${n <= 10 ? few : many}`;
    },
    filters: 'تصفية', filterStatus: 'حالة الطلب', filterRequest: 'نوع الطلب', any: 'الكل', shown: (n, all) => `${n} من ${all}`,
    statusFilter: { pending: 'بانتظار ردكم', under_way: 'قيد التنفيذ', finished: 'منتهية' },
    noMatch: 'لا توجد حالات بهذه التصفية.',
    modes: { bus: 'حافلة', flight: 'طائرة', ship: 'سفينة', train: 'قطار' },
    placeKinds: { assembly_point: 'نقطة تجمع', border_crossing: 'معبر حدودي', airport: 'مطار', port: 'ميناء' },
    movementStatus: { planned: 'مخطط لها', boarding: 'جارٍ الصعود', departed: 'انطلقت', arrived: 'وصلت', cancelled: 'أُلغيت' },
    passengerStatus: { waiting: 'عاد إلى الانتظار', assigned: 'له مقعد', boarded: 'صعد', departed: 'انطلق', crossed: 'عبر الحدود', arrived_home: 'وصل إلى الوطن', no_show: 'لم يحضر' },
    passengerCount: { waiting: 'عادوا إلى الانتظار', assigned: 'لهم مقاعد', boarded: 'صعدوا', departed: 'انطلقوا', crossed: 'عبروا الحدود', arrived_home: 'وصلوا إلى الوطن', no_show: 'لم يحضروا' },
    step: 'المرحلة', stepText: 'ملاحظة (مطلوبة إن تعذّر التنفيذ)', report: 'أبلغ', showOnMap: 'على الخريطة',
    errors: {
      badToken: 'رمز الدخول غير صحيح أو انتهت صلاحيته أو أُبطل.',
      tooMany: 'محاولات كثيرة. انتظروا قليلًا ثم أعيدوا المحاولة.',
      network: 'تعذّر الوصول إلى الخادم. تحققوا من الاتصال وأعيدوا المحاولة.',
      sessionEnded: 'انتهت الجلسة أو أُبطل رمز الدخول. ادخلوا من جديد.',
      reason: 'اذكروا سبب الاعتذار عن هذا الطلب.',
      text: 'اذكروا سبب تعذّر التنفيذ.',
      gone: 'لم تعد هذه الحالة متاحة لكم.',
      failed: 'تعذّر الحفظ:',
    },
    // A refusal's words by the API's error code.
    refusals: {
      invalid_transition: 'تغيّر هذا الطلب قبل قليل؛ هذه حالته الآن.',
      step_not_for_request: 'هذه المرحلة لا تخص هذا النوع من الطلبات.',
      too_long: 'النص أطول من المسموح.',
    },
    status: { new: 'جديدة', triaged: 'مفروزة', in_progress: 'قيد المتابعة', awaiting_evacuation: 'بانتظار الإجلاء', evacuated: 'تم الإجلاء', resolved: 'حُلّت', closed: 'مغلقة', duplicate: 'مكررة' },
    level: { critical: 'حرجة', high: 'عالية', normal: 'عادية', low: 'منخفضة' },
    need: { medical: 'رعاية طبية', evacuation: 'إجلاء', food: 'طعام', water: 'ماء', shelter: 'مأوى', power: 'كهرباء', documents: 'وثائق', missing_person: 'شخص مفقود', other: 'أخرى' },
    flag: { unaccompanied_minors: 'أطفال بلا مرافق', injured: 'مصاب', elderly: 'مسن', pregnant: 'حامل', disabled: 'ذو إعاقة', chronic_illness: 'مرض مزمن' },
    requestType: { medical_evacuation: 'إجلاء طبي', transport: 'نقل', shelter: 'مأوى', food_water: 'طعام وماء', consular_documents: 'وثائق قنصلية', family_tracing: 'البحث عن الأسر' },
    referralStatus: { pending: 'بانتظار ردكم', accepted: 'قبلتموه', en_route: 'في الطريق', reached: 'وصلتم', picked_up: 'تم الاصطحاب', handed_over: 'تم التسليم', contacted: 'تم التواصل مع الأسرة', located: 'عُثر على الشخص', reunited: 'لُمّ شمل الأسرة', appointment_set: 'حُدّد موعد', issued: 'صدرت الوثيقة', completed: 'اكتمل', unable: 'تعذّر التنفيذ', declined: 'اعتذرتم', withdrawn: 'سحبته غرفة العمليات' },
    profileField: { names: 'الأسماء', ages: 'الأعمار', sex: 'الجنس', phones: 'الهواتف', passports: 'جوازات السفر', needs: 'الاحتياجات', flags: 'الهشاشة', place: 'اسم المكان', message: 'رسالة المبلّغ', reporter: 'المبلّغ' },
  },
  en: {
    title: 'Partner desk', token: 'Access token', signIn: 'Sign in', signOut: 'Sign out', language: 'عربي',
    tokenHint: 'Paste the access token the ops room gave you. This browser keeps it only in a protected cookie that ends with the shift.',
    live: 'Live', reconnecting: 'Reconnecting…',
    receives: 'What you receive of each case', precision: 'Location: an approximate cell about', km: 'km across', afterEvacuation: '; after you accept a medical evacuation: about',
    region: 'Referrals are limited to your region.', download: 'Download', csv: 'CSV (with HXL tags)', geojson: 'GeoJSON',
    cases: 'Cases referred to you', noCases: 'No cases are referred to you now.', location: 'Approximate location', noLocation: 'No location',
    people: 'People', age: 'age', needs: 'Needs', flags: 'Vulnerabilities', place: 'Place', message: "Reporter's message", reporter: 'Reporter',
    referrals: 'Requests', opsNote: "Ops room's note", history: 'History',
    accept: 'Accept', acceptNote: 'Note (optional)', decline: 'Decline', reason: 'Reason for declining',
    movements: 'Movements shared with you', noMovements: 'No movements are shared with you now.',
    departure: 'Departure', seats: 'Seats', seatsTaken: 'taken', passengers: 'Passengers', noPassengers: 'No one has a seat yet.',
    reference: 'Reference', routeArrow: '→', needsCare: 'Needs medical care', needCareCount: 'Need medical care',
    sex: { male: 'male', female: 'female' },
    relation: { self: 'the person themself', parent: 'parent', child: 'son or daughter', spouse: 'spouse', sibling: 'brother or sister', guardian: 'guardian', relative: 'relative', friend: 'friend', other: 'other relation' },
    area: 'Approximate area', areaAcross: (km) => `about ${km} km across`, openInMaps: 'Open in maps',
    referred: 'Referred', justNow: 'just now',
    ago: (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'} ago`,
    filters: 'Filter', filterStatus: 'Request status', filterRequest: 'Request type', any: 'All', shown: (n, all) => `${n} of ${all}`,
    statusFilter: { pending: 'Awaiting your answer', under_way: 'Under way', finished: 'Finished' },
    noMatch: 'No cases match this filter.',
    modes: { bus: 'Bus', flight: 'Flight', ship: 'Ship', train: 'Train' },
    placeKinds: { assembly_point: 'Assembly point', border_crossing: 'Border crossing', airport: 'Airport', port: 'Port' },
    movementStatus: { planned: 'Planned', boarding: 'Boarding', departed: 'Departed', arrived: 'Arrived', cancelled: 'Cancelled' },
    passengerStatus: { waiting: 'Waiting again', assigned: 'Assigned', boarded: 'Boarded', departed: 'Departed', crossed: 'Crossed the border', arrived_home: 'Arrived home', no_show: 'No-show' },
    passengerCount: { waiting: 'Waiting again', assigned: 'Assigned', boarded: 'Boarded', departed: 'Departed', crossed: 'Crossed the border', arrived_home: 'Arrived home', no_show: 'No-show' },
    step: 'Step', stepText: 'Note (required if unable)', report: 'Report', showOnMap: 'On the map',
    errors: {
      badToken: 'This token is wrong, expired or revoked.',
      tooMany: 'Too many attempts. Wait a moment and try again.',
      network: 'Cannot reach the server. Check the connection and try again.',
      sessionEnded: 'The session ended or the token was revoked. Sign in again.',
      reason: 'Say why you decline this request.',
      text: 'Say why it cannot be done.',
      gone: 'This case is no longer available to you.',
      failed: 'Could not save:',
    },
    // A refusal's words by the API's error code.
    refusals: {
      invalid_transition: 'This request changed a moment ago; this is how it stands now.',
      step_not_for_request: 'This step does not belong to this kind of request.',
      too_long: 'The text is too long.',
    },
    status: { new: 'New', triaged: 'Triaged', in_progress: 'In progress', awaiting_evacuation: 'Awaiting evacuation', evacuated: 'Evacuated', resolved: 'Resolved', closed: 'Closed', duplicate: 'Duplicate' },
    level: { critical: 'Critical', high: 'High', normal: 'Normal', low: 'Low' },
    need: { medical: 'Medical', evacuation: 'Evacuation', food: 'Food', water: 'Water', shelter: 'Shelter', power: 'Power', documents: 'Documents', missing_person: 'Missing person', other: 'Other' },
    flag: { unaccompanied_minors: 'Children alone', injured: 'Injured', elderly: 'Elderly', pregnant: 'Pregnant', disabled: 'Disabled', chronic_illness: 'Chronic illness' },
    requestType: { medical_evacuation: 'Medical evacuation', transport: 'Transport', shelter: 'Shelter', food_water: 'Food and water', consular_documents: 'Consular documents', family_tracing: 'Family tracing' },
    referralStatus: { pending: 'Awaiting your answer', accepted: 'Accepted', en_route: 'On the way', reached: 'Reached', picked_up: 'Picked up', handed_over: 'Handed over', contacted: 'Family contacted', located: 'Person located', reunited: 'Reunited', appointment_set: 'Appointment set', issued: 'Document issued', completed: 'Completed', unable: 'Unable', declined: 'Declined', withdrawn: 'Withdrawn by the ops room' },
    profileField: { names: 'names', ages: 'ages', sex: 'sex', phones: 'phones', passports: 'passports', needs: 'needs', flags: 'vulnerabilities', place: 'place name', message: "reporter's message", reporter: 'reporter' },
  },
};

const { lang, setLang, t, byCode, words: wordsNow } = languages(words, {
  storageKey: 'opsroom.partner.lang',
  onSwitch: (chosen) => {
    document.title = `Opsroom — ${chosen.title}`;
  },
});
export { lang, setLang, t };

/** A list in the current language's punctuation. */
export function list(items) {
  return items.join(lang() === 'ar' ? '، ' : ', ');
}

/** How long ago `at` (ms) was, at `now` (ms), in whole minutes, hours or days, the largest that
 * fits: "12 minutes ago", "منذ 3 ساعات". Digits stay Western, as every number on the page. */
export function timeAgo(at, now) {
  const minutes = Math.floor(Math.max(0, now - at) / 60_000);
  if (minutes < 1) return t('justNow');
  const [n, unit] = minutes < 60 ? [minutes, 'minute'] : minutes < 48 * 60 ? [Math.floor(minutes / 60), 'hour'] : [Math.floor(minutes / 1440), 'day'];
  return wordsNow().ago(n, unit);
}

/** A word that takes arguments (`areaAcross`, `shown`), called with them. */
export function tf(key, ...args) {
  return wordsNow()[key](...args);
}

/** What an answer's HTTP status alone says, whatever its body. */
const BY_STATUS = { 0: 'errors.network', 401: 'errors.sessionEnded', 429: 'errors.tooMany', 404: 'errors.gone' };

/**
 * A refusal from the API in the page's language: by its status, code and field where the page
 * knows them, else the server's own (English) message after a translated lead.
 */
export function errorText(answer) {
  const error = answer.body?.error ?? {};
  if (BY_STATUS[answer.status]) return t(BY_STATUS[answer.status]);
  if (error.code === 'required' && (error.field === 'reason' || error.field === 'text')) return t(`errors.${error.field}`);
  return byCode('refusals', error.code) ?? `${t('errors.failed')} ${error.message ?? answer.status}`;
}
