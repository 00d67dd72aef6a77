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
    unassigned: 'غير مسندة', assign: 'أسند',
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
    users: 'المستخدمون', role: 'الدور', roles: { operator: 'مشغّل', supervisor: 'مشرف', admin: 'مدير' },
    accountEnabled: 'مفعّل', accountDisabled: 'معطّل', disable: 'عطّل', enable: 'فعّل', resetPassword: 'أعد تعيين كلمة المرور',
    endSessions: 'أنهِ جلساته', activeSessions: 'الجلسات النشطة', noSessions: 'لا جلسات نشطة.', opened: 'بدأت', lastSeen: 'آخر استخدام',
    userName: 'اسم الدخول', createAccount: 'أنشئ الحساب',
    thisSession: 'جلستك هذه', newPassword: 'كلمة المرور الجديدة', setPassword: 'عيّن', passwordHint: 'اتركها فارغة لتوليد كلمة مرور.',
    passwordOnce: 'كلمة المرور الجديدة — تظهر هذه المرة فقط. سلّمها لصاحبها بطريقة آمنة؛ لا يمكن عرضها مرة أخرى.',
    confirmDisable: 'لن يستطيع {name} الدخول، وستنتهي جلساته فورًا. عطّل الحساب؟', confirmEndSessions: 'ستنتهي كل جلسات {name} فورًا. أنهِها؟',
    sessionEnded: 'انتهت جلستك. سجّل الدخول مرة أخرى.',
    confirmRevokeToken: 'سيتوقف هذا الرمز عن العمل فورًا. أبطله؟', deadLetters: 'إشعارات لم تُسلَّم', replay: 'أعد الإرسال', replayed: 'أُعيد إرسالها', attempts: 'محاولات',
    contactChannel: { phone: 'هاتف', whatsapp: 'واتساب', sms: 'رسالة نصية', facebook: 'فيسبوك', email: 'بريد', in_person: 'حضوريًا' },

    inDangerZone: 'في منطقة خطر', evacuation: 'الإجلاء', places: 'الأماكن', zones: 'المناطق', movements: 'رحلات الإجلاء',
    placeKinds: { assembly_point: 'نقطة تجمع', border_crossing: 'معبر حدودي', airport: 'مطار', port: 'ميناء' },
    zoneKinds: { danger: 'منطقة خطر', safe_corridor: 'ممر آمن' },
    showOnMap: 'اعرض على الخريطة', noPlaces: 'لا توجد أماكن بعد.', noZones: 'لا توجد مناطق معلنة.', noMovements: 'لا توجد رحلات مخطط لها.',
    flaggedCases: 'حالات عُلّمت', lifted: 'رُفعت', lift: 'ارفع المنطقة', confirmLift: 'رفع هذه المنطقة؟ لن تُعلَّم البلاغات الجديدة داخلها بعد الآن.',
    addPlace: 'أضف مكانًا', clickPlace: 'انقر على الخريطة في موقع المكان.', coordinates: 'الإحداثيات', placeKind: 'نوع المكان',
    drawZone: 'ارسم منطقة', clickVertices: 'انقر على الخريطة عند كل زاوية من زوايا المنطقة، ثم اضغط «أنهِ الرسم».', vertices: 'الزوايا',
    undoPoint: 'تراجع عن آخر نقطة', finishShape: 'أنهِ الرسم', zoneKind: 'نوع المنطقة', declare: 'أعلن المنطقة', save: 'احفظ', cancel: 'إلغاء',
    nameEn: 'الاسم بالإنجليزية', nameAr: 'الاسم بالعربية',
    modes: { bus: 'حافلة', flight: 'طائرة', ship: 'سفينة', train: 'قطار' },
    movementStatus: { planned: 'مخطط لها', boarding: 'جارٍ الصعود', departed: 'انطلقت', arrived: 'وصلت', cancelled: 'أُلغيت' },
    movementAction: { boarding: 'ابدأ الصعود', departed: 'سجّل الانطلاق', planned: 'أعدها إلى التخطيط', arrived: 'سجّل الوصول', cancelled: 'ألغِ الرحلة' },
    confirmCancelMovement: 'إلغاء هذه الرحلة؟ سيعود ركابها إلى قائمة الانتظار.', confirmDepart: 'لم يصعد {n} من أصحاب المقاعد وسيُسجَّلون «لم يحضروا». سجّل الانطلاق؟',
    routeArrow: '←', departure: 'موعد الانطلاق', seats: 'المقاعد', passengers: 'الركاب', passport: 'الجواز',
    passengerStatus: { waiting: 'بالانتظار', assigned: 'لهم مقاعد', boarded: 'صعدوا', departed: 'غادروا', crossed: 'عبروا الحدود', arrived_home: 'وصلوا إلى الوطن', no_show: 'لم يحضروا' },
    passengerAction: { boarded: 'صعد', no_show: 'لم يحضر', waiting: 'أعده إلى الانتظار', crossed: 'عبر الحدود', arrived_home: 'وصل إلى الوطن' },
    classes: { unaccompanied_children: 'أطفال بلا مرافق', medical: 'حالة طبية', elderly: 'كبار السن', families_with_children: 'أسرة مع أطفال', others: 'آخرون' },
    manifestAr: 'الكشف (عربي)', manifestEn: 'الكشف (إنجليزي)', manifestCsv: 'الكشف (CSV)',
    suggest: 'اقترح ركابًا', radiusKm: 'نطاق البحث (كم)', splitFamilies: 'يُسمح بتفريق العائلات', seatsLeft: 'مقاعد متبقية', considered: 'عدد من رُوجعوا',
    personName: 'الاسم', km: 'كم', age: 'العمر', class: 'الفئة', waitingSince: 'بالانتظار منذ', distance: 'المسافة',
    noneWaiting: 'لا أحد بالانتظار ضمن هذا النطاق.', confirmPassengers: 'ثبّت الركاب المختارين', discard: 'تجاهل الاقتراح',
    planMovement: 'خطّط لرحلة', mode: 'الوسيلة', movementLabel: 'التسمية (مثل: حافلة 3)', origin: 'من (نقطة تجمع)', destination: 'إلى (معبر أو مطار أو ميناء)',
    shareWith: 'شاركها مع', plan: 'خطّط',
    counterWaiting: 'بالانتظار', counterAssigned: 'لهم مقاعد',
    counters: { waiting: 'بالانتظار (الكل)', seats_planned: 'مقاعد مخططة', boarded: 'صعدوا', departed: 'غادروا', crossed: 'عبروا الحدود', arrived_home: 'وصلوا إلى الوطن' },
    refused: 'رُفض الطلب',
    fields: { area: 'المنطقة', name: 'الاسم', kind: 'النوع', lat: 'خط العرض', lon: 'خط الطول', label: 'التسمية', mode: 'الوسيلة', seats: 'المقاعد', departure_at: 'موعد الانطلاق', origin_place_id: 'نقطة التجمع', destination_place_id: 'الوجهة', shared_with: 'الشركاء', radius_km: 'النطاق', person_ids: 'الركاب', status: 'الحالة', to: 'الحالة' },
    // The case's timeline in words, errors by their code, shift handover, situation report.
    eventWords: {
      case_reported: 'وصل البلاغ عبر {channel}', case_reported_by: 'سجّل {by} البلاغ عبر {channel}',
      status_changed: 'غيّر {by} الحالة: {from} ← {to}', duplicate_of: 'مكررة عن {reference}', reason: 'السبب: {reason}',
      assigned_self: 'أسند {by} الحالة لنفسه', assigned_to: 'أسند {by} الحالة إلى {to}', released: 'تخلّى {by} عن الحالة', unassigned: 'سحب {by} الحالة من {from}',
      note_added: 'أضاف {by} ملاحظة:', contact_recorded: 'حاول {by} التواصل عبر {channel}: {outcome}', first_contact: 'أول تواصل بعد {wait}',
      priority_overridden: 'غيّر {by} الأولوية: {from} ← {to}', sla_breached: 'انقضت مهلة أول تواصل (الأولوية {level})', raised_to: 'رُفعت الأولوية إلى {level}',
      citizen_updated: 'أرسل المواطن تحديثًا: {update}', tracking_link_revoked: 'أبطل {by} رابط المتابعة', tracking_link_reissued: 'أصدر {by} رابط متابعة جديدًا',
      match_suggested: 'تطابق محتمل مع الحالة {reference}', match_decided: 'قرّر {by} بشأن تطابق مع {reference}: {decision}', match_undone: 'تراجع {by} عن قرار تطابق مع {reference}',
      tracing_status_changed: 'غيّر {by} حالة البحث عن {person}: {from} ← {to}',
      referral_made: 'أحيلت الحالة إلى {partner}: {request}', referral_updated: 'إحالة {partner}: {from} ← {to} ({by})', referral_escalated: 'إحالة {partner}: لم يرد الشريك في الوقت المحدد',
      danger_zone_flagged: 'الحالة داخل منطقة خطر معلنة', passenger_changed: 'الإجلاء: {person} — {from} ← {to}',
      call_logged: 'سجّل {by} مكالمة {direction} مع {phone}: {outcome}', call_in: 'واردة', call_out: 'صادرة',
      other: 'تغيير آخر على الحالة', someone: 'مستخدم', system: 'النظام', anotherCase: 'حالة أخرى',
    },
    viaChannel: { web: 'النموذج الإلكتروني', hotline: 'الخط الساخن', whatsapp: 'واتساب', facebook: 'فيسبوك', email: 'البريد', walk_in: 'الحضور الشخصي', import: 'استيراد' },
    sitrepChannels: { web: 'النموذج الإلكتروني', hotline: 'الخط الساخن', whatsapp: 'واتساب', facebook: 'فيسبوك', email: 'البريد', walk_in: 'الحضور الشخصي', import: 'استيراد' },
    callOutcome: { report_taken: 'أُخذ بلاغ', update_given: 'أُبلغ بحال حالته', information_only: 'معلومات فقط', dropped: 'انقطع الخط', wrong_number: 'رقم خاطئ' },
    errorGeneric: 'تعذّر تنفيذ الطلب.',
    errors: {
      version_conflict: 'غيّر زميل هذه الحالة قبل قليل.', transition_not_allowed: 'لا يمكن نقل الحالة إلى هذه المرحلة من مرحلتها الحالية.', invalid_transition: 'هذا الانتقال غير مسموح.',
      missing: 'هذا الحقل مطلوب.', required: 'هذا الحقل مطلوب.', invalid: 'القيمة غير صالحة.', too_long: 'النص أطول من المسموح.', too_many: 'العدد أكبر من المسموح.', too_small: 'القيمة أصغر من المسموح.',
      out_of_range: 'القيمة خارج النطاق المسموح.', invalid_characters: 'النص يحتوي على رموز تحكم في الاتجاه غير مسموحة.', no_visible_characters: 'النص لا يحتوي على أحرف ظاهرة.', control_character: 'النص يحتوي على رموز تحكم.',
      unknown_case: 'لا توجد حالة بهذا الرقم المرجعي.', invalid_reference: 'هذا ليس رقمًا مرجعيًا صالحًا (ثمانية رموز مثل K7QM-2XPD).', unknown_user: 'لا يوجد مستخدم بهذا الاسم، أو أن حسابه معطّل.',
      supervisor_required: 'هذا الإجراء للمشرفين فقط.', unchanged: 'لا تغيير: الحالة هكذا بالفعل.', forbidden: 'ليست لديك صلاحية لهذا الإجراء.', unauthenticated: 'انتهت جلستك. سجّل الدخول مرة أخرى.',
      not_found: 'غير موجود.', rate_limited: 'طلبات كثيرة جدًا؛ انتظر دقيقة ثم أعد المحاولة.', unavailable: 'لم يُنفَّذ الطلب؛ أعد المحاولة بعد لحظة.', internal: 'حدث خطأ في الخادم.', network: 'تعذّر الاتصال بالخادم.',
      invalid_json: 'الطلب غير صالح.', invalid_body: 'الطلب غير صالح.', invalid_query: 'الطلب غير صالح.', invalid_answer: 'ردّ الخادم غير مفهوم.', invalid_time: 'الوقت غير صالح.',
      invalid_phone: 'رقم الهاتف غير صالح.', phone_needs_country_code: 'أضف رمز الدولة إلى رقم الهاتف.', invalid_passport: 'رقم الجواز غير صالح.',
      already_decided: 'اتُّخذ قرار بشأن هذا التطابق من قبل.', not_decided: 'لا يوجد قرار للتراجع عنه.', already_referred: 'أحيلت الحالة إلى هذا الشريك من قبل.', withdrawn: 'سُحب هذا من قبل.', gone: 'لم يعد متاحًا.',
      zone_lifted: 'رُفعت هذه المنطقة.', no_seats: 'لا توجد مقاعد كافية.', not_waiting: 'هذا الشخص ليس بالانتظار.', name_taken: 'الاسم مستخدم من قبل.', weak_password: 'كلمة المرور ضعيفة.',
      last_admin: 'هذا آخر مدير مفعّل.', own_account: 'لا يمكنك تعطيل حسابك أو خفض دورك.', nothing_to_change: 'لا شيء لتغييره.', payload_too_large: 'الطلب أكبر من المسموح.',
      cross_origin: 'رُفض طلب من موقع آخر.', request_timeout: 'انتهت مهلة الطلب.', invalid_area: 'المنطقة غير صالحة.', invalid_cell: 'الخلية غير صالحة.', outside_region: 'الموقع خارج المنطقة المسموحة.', duplicate: 'مكرر.',
    },
    errorFields: { duplicate_of: 'مكررة عن', promised: 'ما وُعد به', open_note: 'ملاحظات', reason: 'السبب', text: 'النص', from: 'من', to: 'إلى', limit: 'العدد', user_id: 'المستخدم', level: 'الأولوية', version: 'النسخة', status: 'الحالة' },
    duplicateOfRef: 'مكررة عن (الرقم المرجعي)',
    handover: 'تسليم المناوبة', handoverWrite: 'اكتب ملاحظة التسليم', handoverOpenNow: 'المفتوح الآن', handoverPromised: 'ما وُعد به، ولمن', handoverOpenNote: 'ملاحظات أخرى عن المفتوح',
    handoverSave: 'سلّم المناوبة', handoverSaved: 'حُفظت ملاحظة التسليم.', handoverNone: 'لا توجد ملاحظات تسليم بعد.', handoverBy: 'كتبها {by} في {at}', handoverOlder: 'ملاحظات أقدم',
    handoverFigures: { open_cases: 'حالات مفتوحة', overdue: 'تجاوزت المهلة', unassigned_critical: 'حرجة غير مسندة', assigned_to_author: 'مسندة إلى كاتبها' },
    sitrep: 'تقرير الموقف', sitrepFrom: 'من', sitrepTo: 'إلى', sitrepShow: 'اعرض', sitrepPrint: 'اطبع', sitrepCsv: 'CSV', sitrepWindow: 'من {from} إلى {to} ({zone})',
    sitrepTotals: { new_cases: 'حالات جديدة', contacted: 'تم التواصل معها', resolved: 'حُلّت', evacuated: 'تم إجلاؤها', overdue: 'تجاوزت المهلة' },
    sitrepByArea: 'حسب المنطقة', sitrepByChannel: 'حسب القناة', sitrepOverTime: 'الحالات عبر الوقت', sitrepFirstContact: 'زمن أول تواصل',
    sitrepMedian: 'الوسيط', sitrepP90: 'المئين 90', sitrepUnderMinutes: 'أقل من {n} د', sitrepLonger: 'أطول', sitrepUnknownArea: 'بلا موقع', sitrepCases: 'حالات', sitrepArea: 'المنطقة',
    sitrepLegend: { new_cases: 'جديدة', contacted: 'تم التواصل', resolved: 'حُلّت' },

    // Issue 16: search, board over every case, table, overdue queue, alerts (h-board).
    search: 'البحث', searchPlaceholder: 'ابحث برقم الحالة أو الهاتف أو الجواز أو الاسم', noResults: 'لا نتائج.', loading: 'جارٍ التحميل…',
    matchedBy: { reference: 'رقم الحالة', phone: 'الهاتف', passport: 'الجواز', name: 'الاسم' },
    filterText: 'تصفية بنص', assignee: 'المسؤول', assigneeMe: 'أنا', assigned: 'مسندة', sortBy: 'الترتيب',
    sorts: { urgency: 'الأشد إلحاحًا أولًا', waiting: 'الأطول انتظارًا', sla_due: 'أقرب موعد للمهلة', score: 'أعلى درجة', updated: 'آخر تحديث', newest: 'الأحدث' },
    clearFilters: 'امسح عوامل التصفية', min: 'د', hours: 'س', days: 'ي', noName: 'بلا اسم', overdueBy: 'متأخرة', waiting: 'تنتظر',
    finishedShown: 'الحالات المنتهية المعروضة', noCases: 'لا حالات.', noMoreCases: 'لا مزيد من الحالات.', loadFailed: 'تعذّر التحميل. أعد المحاولة بعد قليل.',
    statusLabel: 'الحالة', overdueQueue: 'طابور المتأخرات', tableView: 'جدول الحالات', exportCsv: 'تصدير CSV',
    columns: { reference: 'رقم الحالة', people: 'الأشخاص', place: 'المكان', statusLabel: 'الحالة', priority: 'الأولوية', waiting: 'الانتظار', overdue: 'التأخر', assignee: 'المسؤول', channel: 'القناة' },
    channels: { web: 'الموقع', hotline: 'الخط الساخن', whatsapp: 'واتساب', facebook: 'فيسبوك', email: 'بريد', walk_in: 'حضوريًا', import: 'استيراد' },
    views: { board: 'اللوحة', table: 'الجدول', overdue: 'المتأخرات' },
    unassignedCritical: 'حرجة بلا مسؤول', peopleCount: 'أشخاص', soundOn: 'التنبيه الصوتي مفعّل', soundOff: 'التنبيه الصوتي متوقف',
    alertSoundHint: 'صوت قصير حين تزيد الحالات الحرجة غير المسندة', allowNotifications: 'اسمح بالإشعارات',
  },
  en: {
    title: 'Ops room', name: 'User name', password: 'Password', signIn: 'Sign in', signOut: 'Sign out',
    badLogin: 'Wrong user name or password', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline',
    language: 'عربي', open: 'Open', slaRed: 'Past SLA', contacted: 'Contacted', firstContact: 'Time to first contact (median)',
    unlocated: 'Unlocated', all: 'All', mine: 'Mine', priority: 'Priority', need: 'Need', flag: 'Vulnerability',
    channel: 'Channel', sla: 'SLA', clearCell: 'Clear cell filter', people: 'People', reports: 'Reports', notes: 'Notes',
    contacts: 'Contact attempts', timeline: 'Timeline', assignMe: 'Assign to me', release: 'Release', addNote: 'Add note',
    record: 'Record', reason: 'Reason', setPriority: 'Set priority', moveTo: 'Move to', close: 'Close', more: 'More',
    unassigned: 'Unassigned', assign: 'Assign',
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
    users: 'Users', role: 'Role', roles: { operator: 'Operator', supervisor: 'Supervisor', admin: 'Admin' },
    accountEnabled: 'enabled', accountDisabled: 'disabled', disable: 'Disable', enable: 'Enable', resetPassword: 'Reset password',
    endSessions: 'End sessions', activeSessions: 'Active sessions', noSessions: 'No active sessions.', opened: 'Opened', lastSeen: 'last used',
    userName: 'Login name', createAccount: 'Create account',
    thisSession: 'this session', newPassword: 'New password', setPassword: 'Set', passwordHint: 'Leave empty to generate one.',
    passwordOnce: 'New password — shown this once only. Hand it to its owner securely; it cannot be shown again.',
    confirmDisable: '{name} will not be able to sign in, and their sessions end at once. Disable the account?', confirmEndSessions: 'Every session of {name} ends at once. End them?',
    sessionEnded: 'Your session has ended. Please sign in again.',
    confirmRevokeToken: 'This token stops working at once. Revoke it?', deadLetters: 'Undelivered webhooks', replay: 'Send again', replayed: 'Sent again', attempts: 'attempts',
    contactChannel: { phone: 'Phone', whatsapp: 'WhatsApp', sms: 'SMS', facebook: 'Facebook', email: 'Email', in_person: 'In person' },

    inDangerZone: 'In a danger zone', evacuation: 'Evacuation', places: 'Places', zones: 'Zones', movements: 'Movements',
    placeKinds: { assembly_point: 'Assembly point', border_crossing: 'Border crossing', airport: 'Airport', port: 'Port' },
    zoneKinds: { danger: 'Danger zone', safe_corridor: 'Safe corridor' },
    showOnMap: 'Show on the map', noPlaces: 'No places yet.', noZones: 'No zones declared.', noMovements: 'No movements planned.',
    flaggedCases: 'cases flagged', lifted: 'lifted', lift: 'Lift zone', confirmLift: 'Lift this zone? New reports inside it will no longer be flagged.',
    addPlace: 'Add a place', clickPlace: 'Click the map where the place is.', coordinates: 'Coordinates', placeKind: 'Kind of place',
    drawZone: 'Draw a zone', clickVertices: 'Click the map at each corner of the zone, then press “Finish shape”.', vertices: 'Corners',
    undoPoint: 'Undo last point', finishShape: 'Finish shape', zoneKind: 'Kind of zone', declare: 'Declare zone', save: 'Save', cancel: 'Cancel',
    nameEn: 'Name (English)', nameAr: 'Name (Arabic)',
    modes: { bus: 'Bus', flight: 'Flight', ship: 'Ship', train: 'Train' },
    movementStatus: { planned: 'Planned', boarding: 'Boarding', departed: 'Departed', arrived: 'Arrived', cancelled: 'Cancelled' },
    movementAction: { boarding: 'Start boarding', departed: 'Mark departed', planned: 'Back to planned', arrived: 'Mark arrived', cancelled: 'Cancel movement' },
    confirmCancelMovement: 'Cancel this movement? Its passengers go back to waiting.', confirmDepart: '{n} assigned passengers have not boarded and will be marked no-show. Mark departed?',
    routeArrow: '→', departure: 'Departure', seats: 'Seats', passengers: 'Passengers', passport: 'Passport',
    passengerStatus: { waiting: 'Waiting', assigned: 'Assigned', boarded: 'Boarded', departed: 'Departed', crossed: 'Crossed the border', arrived_home: 'Arrived home', no_show: 'No-show' },
    passengerAction: { boarded: 'Boarded', no_show: 'No-show', waiting: 'Back to waiting', crossed: 'Crossed', arrived_home: 'Arrived home' },
    classes: { unaccompanied_children: 'Unaccompanied children', medical: 'Medical', elderly: 'Elderly', families_with_children: 'Family with children', others: 'Others' },
    manifestAr: 'Manifest (Arabic)', manifestEn: 'Manifest (English)', manifestCsv: 'Manifest (CSV)',
    suggest: 'Suggest passengers', radiusKm: 'Radius (km)', splitFamilies: 'Allow splitting families', seatsLeft: 'Seats left', considered: 'People considered',
    personName: 'Name', km: 'km', age: 'Age', class: 'Class', waitingSince: 'Waiting since', distance: 'Distance',
    noneWaiting: 'Nobody is waiting within this radius.', confirmPassengers: 'Confirm chosen passengers', discard: 'Discard suggestion',
    planMovement: 'Plan a movement', mode: 'Mode', movementLabel: 'Label (e.g. Bus 3)', origin: 'From (assembly point)', destination: 'To (crossing, airport or port)',
    shareWith: 'Share with', plan: 'Plan',
    counterWaiting: 'waiting', counterAssigned: 'assigned',
    counters: { waiting: 'Waiting (all)', seats_planned: 'Seats planned', boarded: 'Boarded', departed: 'Departed', crossed: 'Crossed', arrived_home: 'Arrived home' },
    refused: 'Refused',
    fields: { area: 'area', name: 'name', kind: 'kind', lat: 'latitude', lon: 'longitude', label: 'label', mode: 'mode', seats: 'seats', departure_at: 'departure', origin_place_id: 'assembly point', destination_place_id: 'destination', shared_with: 'partners', radius_km: 'radius', person_ids: 'passengers', status: 'status', to: 'status' },
    // The case's timeline in words, errors by their code, shift handover, situation report.
    eventWords: {
      case_reported: 'Report received by {channel}', case_reported_by: '{by} took the report by {channel}',
      status_changed: '{by} changed the status: {from} → {to}', duplicate_of: 'duplicate of {reference}', reason: 'reason: {reason}',
      assigned_self: '{by} took the case', assigned_to: '{by} assigned the case to {to}', released: '{by} released the case', unassigned: '{by} took the case from {from}',
      note_added: '{by} added a note:', contact_recorded: '{by} tried to reach them by {channel}: {outcome}', first_contact: 'first contact after {wait}',
      priority_overridden: '{by} set the priority: {from} → {to}', sla_breached: 'First-contact time ran out (priority {level})', raised_to: 'priority raised to {level}',
      citizen_updated: 'The citizen sent an update: {update}', tracking_link_revoked: '{by} revoked the tracking link', tracking_link_reissued: '{by} issued a new tracking link',
      match_suggested: 'Possible match with case {reference}', match_decided: '{by} decided on a match with {reference}: {decision}', match_undone: '{by} undid a match decision with {reference}',
      tracing_status_changed: '{by} set the search for {person}: {from} → {to}',
      referral_made: 'Referred to {partner}: {request}', referral_updated: 'Referral to {partner}: {from} → {to} ({by})', referral_escalated: 'Referral to {partner}: not answered in time',
      danger_zone_flagged: 'The case lies inside a declared danger zone', passenger_changed: 'Evacuation: {person} — {from} → {to}',
      call_logged: '{by} logged an {direction} call with {phone}: {outcome}', call_in: 'incoming', call_out: 'outgoing',
      other: 'Another change to the case', someone: 'a user', system: 'the system', anotherCase: 'another case',
    },
    viaChannel: { web: 'the web form', hotline: 'the hotline', whatsapp: 'WhatsApp', facebook: 'Facebook', email: 'email', walk_in: 'a walk-in', import: 'an import' },
    sitrepChannels: { web: 'Web form', hotline: 'Hotline', whatsapp: 'WhatsApp', facebook: 'Facebook', email: 'Email', walk_in: 'Walk-in', import: 'Import' },
    callOutcome: { report_taken: 'report taken', update_given: 'told where the case stands', information_only: 'information only', dropped: 'the line dropped', wrong_number: 'wrong number' },
    errorGeneric: 'The request could not be carried out.',
    errors: {
      version_conflict: 'A colleague changed this case a moment ago.', transition_not_allowed: 'The case cannot move to that status from where it is.', invalid_transition: 'That step is not allowed.',
      missing: 'This field is required.', required: 'This field is required.', invalid: 'The value is not valid.', too_long: 'The text is too long.', too_many: 'Too many.', too_small: 'Too small.',
      out_of_range: 'The value is out of range.', invalid_characters: 'The text contains direction controls, which are not allowed.', no_visible_characters: 'The text has no visible characters.', control_character: 'The text contains control characters.',
      unknown_case: 'No case has that reference.', invalid_reference: 'That is not a case reference (eight characters, like K7QM-2XPD).', unknown_user: 'No such user, or the account is disabled.',
      supervisor_required: 'Only a supervisor can do this.', unchanged: 'Nothing changed: it is already so.', forbidden: 'You are not allowed to do this.', unauthenticated: 'Your session has ended. Please sign in again.',
      not_found: 'Not found.', rate_limited: 'Too many requests; wait a minute and try again.', unavailable: 'Not carried out; try again in a moment.', internal: 'Something went wrong on the server.', network: 'The server cannot be reached.',
      invalid_json: 'The request is not valid.', invalid_body: 'The request is not valid.', invalid_query: 'The request is not valid.', invalid_answer: 'The server answered something unreadable.', invalid_time: 'The time is not valid.',
      invalid_phone: 'The phone number is not valid.', phone_needs_country_code: 'Add the country code to the phone number.', invalid_passport: 'The passport number is not valid.',
      already_decided: 'This match was already decided.', not_decided: 'There is no decision to undo.', already_referred: 'Already referred to this partner.', withdrawn: 'Already withdrawn.', gone: 'No longer available.',
      zone_lifted: 'This zone was lifted.', no_seats: 'Not enough seats.', not_waiting: 'This person is not waiting.', name_taken: 'The name is taken.', weak_password: 'The password is too weak.',
      last_admin: 'This is the last enabled admin.', own_account: 'You cannot disable or demote your own account.', nothing_to_change: 'Nothing to change.', payload_too_large: 'The request is too large.',
      cross_origin: 'A request from another site was refused.', request_timeout: 'The request timed out.', invalid_area: 'The area is not valid.', invalid_cell: 'The cell is not valid.', outside_region: 'The place is outside the allowed region.', duplicate: 'Duplicate.',
    },
    errorFields: { duplicate_of: 'duplicate of', promised: 'what was promised', open_note: 'notes', reason: 'reason', text: 'text', from: 'from', to: 'to', limit: 'count', user_id: 'user', level: 'priority', version: 'version', status: 'status' },
    duplicateOfRef: 'Duplicate of (reference)',
    handover: 'Shift handover', handoverWrite: 'Write the handover note', handoverOpenNow: 'Open now', handoverPromised: 'What was promised, and to whom', handoverOpenNote: 'Anything else about what is open',
    handoverSave: 'Hand over', handoverSaved: 'Handover note saved.', handoverNone: 'No handover notes yet.', handoverBy: 'by {by}, {at}', handoverOlder: 'Older notes',
    handoverFigures: { open_cases: 'open cases', overdue: 'overdue', unassigned_critical: 'unassigned critical', assigned_to_author: "assigned to the writer" },
    sitrep: 'Situation report', sitrepFrom: 'From', sitrepTo: 'To', sitrepShow: 'Show', sitrepPrint: 'Print', sitrepCsv: 'CSV', sitrepWindow: '{from} to {to} ({zone})',
    sitrepTotals: { new_cases: 'New cases', contacted: 'Contacted', resolved: 'Resolved', evacuated: 'Evacuated', overdue: 'Overdue' },
    sitrepByArea: 'By area', sitrepByChannel: 'By channel', sitrepOverTime: 'Cases over time', sitrepFirstContact: 'Time to first contact',
    sitrepMedian: 'Median', sitrepP90: '90th percentile', sitrepUnderMinutes: 'under {n} min', sitrepLonger: 'longer', sitrepUnknownArea: 'Unlocated', sitrepCases: 'cases', sitrepArea: 'Area',
    sitrepLegend: { new_cases: 'new', contacted: 'contacted', resolved: 'resolved' },

    // Issue 16: search, board over every case, table, overdue queue, alerts (h-board).
    search: 'Search', searchPlaceholder: 'Search by reference, phone, passport or name', noResults: 'No results.', loading: 'Loading…',
    matchedBy: { reference: 'reference', phone: 'phone', passport: 'passport', name: 'name' },
    filterText: 'Filter by text', assignee: 'Assignee', assigneeMe: 'Me', assigned: 'Assigned', sortBy: 'Sort',
    sorts: { urgency: 'Most urgent first', waiting: 'Longest waiting', sla_due: 'SLA due soonest', score: 'Highest score', updated: 'Last updated', newest: 'Newest' },
    clearFilters: 'Clear filters', min: 'min', hours: 'h', days: 'd', noName: 'No name', overdueBy: 'Overdue', waiting: 'Waiting',
    finishedShown: 'Finished cases shown', noCases: 'No cases.', noMoreCases: 'No more cases.', loadFailed: 'Could not load. Try again in a moment.',
    statusLabel: 'Status', overdueQueue: 'Overdue queue', tableView: 'Case table', exportCsv: 'Export CSV',
    columns: { reference: 'Reference', people: 'People', place: 'Place', statusLabel: 'Status', priority: 'Priority', waiting: 'Waiting', overdue: 'Overdue', assignee: 'Assignee', channel: 'Channel' },
    channels: { web: 'Web', hotline: 'Hotline', whatsapp: 'WhatsApp', facebook: 'Facebook', email: 'Email', walk_in: 'Walk-in', import: 'Import' },
    views: { board: 'Board', table: 'Table', overdue: 'Overdue' },
    unassignedCritical: 'Critical, unassigned', peopleCount: 'people', soundOn: 'Alert sound on', soundOff: 'Alert sound off',
    alertSoundHint: 'A short beep when unassigned critical cases grow', allowNotifications: 'Allow notifications',
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

/** Whether `key` has a word in the current language. */
function known(key) {
  return key.split('.').reduce((node, part) => (node ? node[part] : undefined), words[current]) !== undefined;
}

/**
 * The words for `key` with its `{name}` places filled from `parts` (text or elements: a typed
 * value goes in as an isolate, never concatenated), as children for h().
 */
export function phrase(key, parts = {}) {
  return t(key)
    .split(/(\{[a-z_]+\})/)
    .filter((piece) => piece !== '')
    .map((piece) => (/^\{[a-z_]+\}$/.test(piece) ? parts[piece.slice(1, -1)] ?? '' : piece));
}

/**
 * Why the server refused `answer`, in the page's language: the words for its error `code` (a
 * generic sentence for a code the room does not know; never the server's English message),
 * and the field it names when the room has a word for it.
 */
export function explain(answer) {
  const error = answer?.body?.error ?? {};
  const text = error.code && known(`errors.${error.code}`) ? t(`errors.${error.code}`) : t('errorGeneric');
  const field = error.field?.split(/[.[]/)[0];
  const label = field && (known(`errorFields.${field}`) ? t(`errorFields.${field}`) : known(`fields.${field}`) ? t(`fields.${field}`) : null);
  return label ? `${text} (${label})` : text;
}

setLang(current);
