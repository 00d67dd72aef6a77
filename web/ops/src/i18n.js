// Words of the ops room in Arabic and English. The operator picks the language; Arabic is
// written right to left, so the page's `dir` follows the language.
const words = {
  ar: {
    title: 'غرفة العمليات', name: 'اسم المستخدم', password: 'كلمة المرور', signIn: 'دخول', signOut: 'خروج',
    badLogin: 'اسم المستخدم أو كلمة المرور غير صحيحة', live: 'متصل', reconnecting: 'إعادة الاتصال…',
    offline: 'غير متصل', language: 'English', open: 'مفتوحة', slaRed: 'تجاوزت المهلة', contacted: 'تم التواصل',
    firstContact: 'زمن أول تواصل (الوسيط)', unlocated: 'بلا موقع', all: 'الكل', mine: 'حالاتي',
    priority: 'الأولوية', need: 'الاحتياج', flag: 'الهشاشة', channel: 'القناة', sla: 'المهلة', clearCell: 'إلغاء تحديد الخلية',
    people: 'الأشخاص', reports: 'البلاغات', notes: 'الملاحظات', contacts: 'محاولات التواصل', timeline: 'السجل',
    assignMe: 'أسندها لي', release: 'تخلَّ عنها', addNote: 'أضف ملاحظة', record: 'سجّل', reason: 'السبب',
    setPriority: 'غيّر الأولوية', moveTo: 'انقل إلى', close: 'إغلاق', more: 'المزيد',
    duplicateOf: 'مكررة عن (رقم الحالة)', unassigned: 'غير مسندة', assign: 'أسند',
    conflict: 'غيّر زميل هذه الحالة قبل قليل. هذه حالتها الآن؛ راجعها ثم أعد المحاولة.', error: 'خطأ',
    status: { new: 'جديدة', triaged: 'مفروزة', in_progress: 'قيد المتابعة', awaiting_evacuation: 'بانتظار الإجلاء', evacuated: 'تم الإجلاء', resolved: 'حُلّت', closed: 'مغلقة', duplicate: 'مكررة', finished: 'منتهية' },
    level: { critical: 'حرجة', high: 'عالية', normal: 'عادية', low: 'منخفضة' },
    slaState: { green: 'ضمن المهلة', amber: 'تقترب المهلة', red: 'تجاوزت المهلة', met: 'تم التواصل' },
    outcome: { reached: 'تم الوصول', no_answer: 'لا رد', wrong_number: 'رقم خاطئ', message_left: 'تُركت رسالة' },
    needs: { medical: 'رعاية طبية', evacuation: 'إجلاء', food: 'طعام', water: 'ماء', shelter: 'مأوى', power: 'كهرباء', documents: 'وثائق', missing_person: 'شخص مفقود', other: 'أخرى' },
    flags: { unaccompanied_minors: 'أطفال بلا مرافق', injured: 'مصاب', elderly: 'مسن', pregnant: 'حامل', disabled: 'ذو إعاقة', chronic_illness: 'مرض مزمن' },
    relation: { self: 'نفسه', parent: 'أحد الوالدين', child: 'ابن/ابنة', spouse: 'زوج/زوجة', sibling: 'أخ/أخت', guardian: 'وصي', relative: 'قريب', friend: 'صديق', other: 'آخر' },
    citizenUpdate: { moved: 'المواطن: انتقلوا', safe: 'المواطن: في أمان', needs: 'المواطن: تغيرت الاحتياجات', message: 'المواطن: رسالة' },
    trackingLink: 'رابط المتابعة', reissueLink: 'أصدر رابطًا جديدًا', revokeLink: 'أبطل الرابط', newLink: 'الرابط الجديد (يظهر مرة واحدة):', linkRevoked: 'أُبطل الرابط.',
    confirmReissue: 'سيتوقف الرابط الحالي عن العمل. أصدر رابطًا جديدًا؟', confirmRevoke: 'لن يستطيع أحد استخدام الرابط بعد الآن. أبطله؟', confirmWithdraw: 'سحب هذا الإرشاد من الصفحات العامة؟',
    family: 'العائلة', tracing: { missing: 'مفقود', located: 'عُرف مكانه', in_contact: 'على تواصل', safe: 'في أمان', evacuated: 'تم إجلاؤه', reunited: 'التأم شمله' },
    possibleMatch: 'تطابق محتمل', matchesTitle: 'تطابقات محتملة', kindDuplicate: 'قد يكون الشخص نفسه', kindRelative: 'قد يكون قريبًا',
    same: 'الشخص نفسه', related: 'أقارب', notRelated: 'لا علاقة', undo: 'تراجع', openCase: 'افتح',
    matchStatus: { open: 'بانتظار القرار', same: 'الشخص نفسه', related: 'أقارب', not_related: 'لا علاقة' },
    advisories: 'الإرشادات', publish: 'انشر', withdraw: 'اسحب', headline: 'العنوان', body: 'النص', instruction: 'التعليمات', severity: 'الخطورة', kind: 'النوع', expires: 'ينتهي', onlyCell: 'للخلية المحددة فقط',
    severities: { extreme: 'قصوى', severe: 'شديدة', moderate: 'متوسطة', minor: 'طفيفة', unknown: 'غير معروفة' },
    kinds: { instruction: 'تعليمات', rumour_rebuttal: 'تصحيح شائعة', information: 'معلومات' },
    referrals: 'الإحالات', referTo: 'أحِل إلى شريك', partner: 'الشريك', requestType: 'نوع الطلب', referNote: 'ملاحظة للشريك', refer: 'أحِل',
    withdrawReferral: 'اسحب الإحالة', confirmWithdrawReferral: 'سيفقد الشريك الوصول إلى هذه الحالة. اسحب الإحالة؟', noPartners: 'لا يوجد شركاء مسجلون.',
    escalated: 'لم يرد الشريك في الوقت المحدد', byPartner: 'الشريك', byOperator: 'غرفة العمليات',
    requestTypes: { medical_evacuation: 'إجلاء طبي', transport: 'نقل', shelter: 'مأوى', food_water: 'طعام وماء', consular_documents: 'وثائق قنصلية', family_tracing: 'البحث عن الأسر' },
    referralStatus: { pending: 'بانتظار الرد', accepted: 'قُبلت', en_route: 'في الطريق', reached: 'وصلوا', picked_up: 'تم الاصطحاب', handed_over: 'تم التسليم', completed: 'اكتملت', unable: 'تعذّر التنفيذ', declined: 'رُفضت', withdrawn: 'سُحبت' },
    referralAttention: { escalated: 'إحالة بلا رد', declined: 'رفض الشريك الإحالة', unable: 'تعذّر على الشريك التنفيذ' },
    partners: 'الشركاء', partnerName: 'الاسم (بالإنجليزية)', partnerNameAr: 'الاسم بالعربية', partnerKind: 'نوع الجهة', register: 'سجّل',
    partnerKinds: { red_crescent: 'الهلال الأحمر', foreign_affairs: 'وزارة الخارجية', embassy: 'سفارة', un_agency: 'وكالة أممية', ngo: 'منظمة غير حكومية', other: 'أخرى' },
    profileFields: { names: 'الأسماء', ages: 'الأعمار', sex: 'الجنس', phones: 'الهواتف', passports: 'جوازات السفر', needs: 'الاحتياجات', flags: 'الهشاشة', place: 'اسم المكان', message: 'رسالة المبلّغ', reporter: 'المبلّغ' },
    receives: 'يتلقى', resolution: 'دقة الموقع (H3)', issueToken: 'أصدر رمز دخول', tokens: 'رموز الدخول', revoke: 'أبطل', revoked: 'أُبطل', issued: 'صدر',
    tokenOnce: 'رمز الدخول — يظهر هذه المرة فقط. انسخه الآن وسلّمه للشريك بطريقة آمنة؛ لا يمكن عرضه مرة أخرى.', copy: 'انسخ', copied: 'نُسخ', hide: 'أخفِ',
    confirmRevokeToken: 'سيتوقف هذا الرمز عن العمل فورًا. أبطله؟', deadLetters: 'إشعارات لم تُسلَّم', replay: 'أعد الإرسال', replayed: 'أُعيد إرسالها', attempts: 'محاولات',
    contactChannel: { phone: 'هاتف', whatsapp: 'واتساب', sms: 'رسالة نصية', facebook: 'فيسبوك', email: 'بريد', in_person: 'حضوريًا' },
  },
  en: {
    title: 'Ops room', name: 'User name', password: 'Password', signIn: 'Sign in', signOut: 'Sign out',
    badLogin: 'Wrong user name or password', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline',
    language: 'عربي', open: 'Open', slaRed: 'Past SLA', contacted: 'Contacted', firstContact: 'Time to first contact (median)',
    unlocated: 'Unlocated', all: 'All', mine: 'Mine', priority: 'Priority', need: 'Need', flag: 'Vulnerability',
    channel: 'Channel', sla: 'SLA', clearCell: 'Clear cell filter', people: 'People', reports: 'Reports', notes: 'Notes',
    contacts: 'Contact attempts', timeline: 'Timeline', assignMe: 'Assign to me', release: 'Release', addNote: 'Add note',
    record: 'Record', reason: 'Reason', setPriority: 'Set priority', moveTo: 'Move to', close: 'Close', more: 'More',
    duplicateOf: 'Duplicate of (case id)', unassigned: 'Unassigned', assign: 'Assign',
    conflict: 'A colleague changed this case a moment ago. This is how it stands now; check it and try again.', error: 'Error',
    status: { new: 'New', triaged: 'Triaged', in_progress: 'In progress', awaiting_evacuation: 'Awaiting evacuation', evacuated: 'Evacuated', resolved: 'Resolved', closed: 'Closed', duplicate: 'Duplicate', finished: 'Finished' },
    level: { critical: 'Critical', high: 'High', normal: 'Normal', low: 'Low' },
    slaState: { green: 'On time', amber: 'Due soon', red: 'Overdue', met: 'Contacted' },
    outcome: { reached: 'Reached', no_answer: 'No answer', wrong_number: 'Wrong number', message_left: 'Message left' },
    needs: { medical: 'Medical', evacuation: 'Evacuation', food: 'Food', water: 'Water', shelter: 'Shelter', power: 'Power', documents: 'Documents', missing_person: 'Missing person', other: 'Other' },
    flags: { unaccompanied_minors: 'Children alone', injured: 'Injured', elderly: 'Elderly', pregnant: 'Pregnant', disabled: 'Disabled', chronic_illness: 'Chronic illness' },
    relation: { self: 'self', parent: 'parent', child: 'child', spouse: 'spouse', sibling: 'sibling', guardian: 'guardian', relative: 'relative', friend: 'friend', other: 'other' },
    citizenUpdate: { moved: 'Citizen: moved', safe: 'Citizen: safe now', needs: 'Citizen: needs changed', message: 'Citizen: message' },
    trackingLink: 'Tracking link', reissueLink: 'Issue a new link', revokeLink: 'Revoke the link', newLink: 'New link (shown once):', linkRevoked: 'Link revoked.',
    confirmReissue: 'The current link will stop working. Issue a new one?', confirmRevoke: 'Nobody will be able to use the link any more. Revoke it?', confirmWithdraw: 'Withdraw this advisory from the public pages?',
    family: 'Family', tracing: { missing: 'Missing', located: 'Located', in_contact: 'In contact', safe: 'Safe', evacuated: 'Evacuated', reunited: 'Reunited' },
    possibleMatch: 'Possible match', matchesTitle: 'Possible matches', kindDuplicate: 'Possibly the same person', kindRelative: 'Possibly a relative',
    same: 'Same person', related: 'Relatives', notRelated: 'Not related', undo: 'Undo', openCase: 'Open',
    matchStatus: { open: 'Awaiting a decision', same: 'Same person', related: 'Relatives', not_related: 'Not related' },
    advisories: 'Advisories', publish: 'Publish', withdraw: 'Withdraw', headline: 'Headline', body: 'Text', instruction: 'Instruction', severity: 'Severity', kind: 'Kind', expires: 'Expires', onlyCell: 'Only the selected cell',
    severities: { extreme: 'Extreme', severe: 'Severe', moderate: 'Moderate', minor: 'Minor', unknown: 'Unknown' },
    kinds: { instruction: 'Instruction', rumour_rebuttal: 'Rumour rebuttal', information: 'Information' },
    referrals: 'Referrals', referTo: 'Refer to a partner', partner: 'Partner', requestType: 'Request', referNote: 'Note for the partner', refer: 'Refer',
    withdrawReferral: 'Withdraw', confirmWithdrawReferral: 'The partner will lose access to this case. Withdraw the referral?', noPartners: 'No partners are registered.',
    escalated: 'Not answered in time', byPartner: 'partner', byOperator: 'ops room',
    requestTypes: { medical_evacuation: 'Medical evacuation', transport: 'Transport', shelter: 'Shelter', food_water: 'Food and water', consular_documents: 'Consular documents', family_tracing: 'Family tracing' },
    referralStatus: { pending: 'Awaiting an answer', accepted: 'Accepted', en_route: 'On the way', reached: 'Reached', picked_up: 'Picked up', handed_over: 'Handed over', completed: 'Completed', unable: 'Unable', declined: 'Declined', withdrawn: 'Withdrawn' },
    referralAttention: { escalated: 'Referral unanswered', declined: 'Referral declined', unable: 'Partner unable' },
    partners: 'Partners', partnerName: 'Name (English)', partnerNameAr: 'Arabic name', partnerKind: 'Kind', register: 'Register',
    partnerKinds: { red_crescent: 'Red Crescent', foreign_affairs: 'Foreign affairs', embassy: 'Embassy', un_agency: 'UN agency', ngo: 'NGO', other: 'Other' },
    profileFields: { names: 'names', ages: 'ages', sex: 'sex', phones: 'phones', passports: 'passports', needs: 'needs', flags: 'vulnerabilities', place: 'place name', message: "reporter's message", reporter: 'reporter' },
    receives: 'Receives', resolution: 'Location precision (H3)', issueToken: 'Issue a token', tokens: 'Tokens', revoke: 'Revoke', revoked: 'Revoked', issued: 'Issued',
    tokenOnce: 'Token — shown this once only. Copy it now and hand it to the partner securely; it cannot be shown again.', copy: 'Copy', copied: 'Copied', hide: 'Hide',
    confirmRevokeToken: 'This token stops working at once. Revoke it?', deadLetters: 'Undelivered webhooks', replay: 'Send again', replayed: 'Sent again', attempts: 'attempts',
    contactChannel: { phone: 'Phone', whatsapp: 'WhatsApp', sms: 'SMS', facebook: 'Facebook', email: 'Email', in_person: 'In person' },
  },
};

let current = localStorage.getItem('opsroom.lang') === 'en' ? 'en' : 'ar';

export function lang() {
  return current;
}

export function setLang(next) {
  current = next === 'en' ? 'en' : 'ar';
  localStorage.setItem('opsroom.lang', current);
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr';
}

/** The word for `key` (`status.new`, `signIn`) in the current language. */
export function t(key) {
  return key.split('.').reduce((node, part) => (node ? node[part] : undefined), words[current]) ?? key;
}

setLang(current);
