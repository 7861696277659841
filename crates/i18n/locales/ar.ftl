# العربية: كل نص يراه الناس، مكتوب لقارئه (مريض أو طبيب أو موظف)، لا نقلًا حرفيًا للإنجليزية.
# أسماء الحقول تُشرح بالكلمات (field-name)، والأعداد تأخذ صيغة الجمع الصحيحة (zero, one, two, few, many, other).

## Successes

ok = تم بنجاح
case-saved = تم حفظ الحالة
case-updated = تم تحديث الحالة
documents-updated = تم تحديث المستندات الطبية
contact-updated = تم تحديث بيانات التواصل
review-type-created = تم إنشاء نوع المراجعة
review-type-updated = تم تحديث نوع المراجعة
review-type-activated = تم تفعيل نوع المراجعة
review-type-deactivated = تم إيقاف نوع المراجعة
disease-category-created = تم إنشاء التخصص الطبي
disease-category-updated = تم تحديث التخصص الطبي
disease-category-activated = تم تفعيل التخصص الطبي
disease-category-deactivated = تم إيقاف التخصص الطبي
drafts-processed = تمت معالجة تذكيرات المسودات بنجاح
notification-queued = تمت جدولة الإشعار لإرساله من جديد
doctor-assigned-to-case = عُيّن الطبيب للحالة
requested-documents-updated = تم تحديث المستندات المطلوبة
opinion-saved = تم إرسال الرأي الطبي
summary-saved = تم إرسال الملخص؛ اكتملت الحالة وتقريرها جاهز
coordinator-assigned-to-case = عُيّن المنسق للحالة
case-rejected-ok = تم رفض الحالة
payment-confirmed = تم تأكيد الدفع
provider-created = تمت إضافة الطبيب
provider-updated = تم تحديث بيانات الطبيب
provider-activated = تم تفعيل الطبيب
provider-deactivated = تم إيقاف الطبيب
providers-synced = تمت مزامنة بيانات الأطباء
eligibility-updated = تم تحديث صلاحيات الطبيب
documents-provided-ok = أُضيفت المستندات إلى الحالة

## Not found

case-not-found = لم نعثر على هذه الحالة
review-type-not-found = لم نعثر على نوع المراجعة
disease-category-not-found = لم نعثر على التخصص الطبي
notification-not-found = لم نعثر على الإشعار
notification-not-failed = لم نعثر على إشعار متعثر بهذا الرقم
provider-not-found = لم نعثر على هذا الطبيب
assignment-not-found = لم نعثر على هذا التكليف
request-not-found = لا يوجد طلب مستندات مفتوح بهذا الرقم على هذه الحالة
payment-not-found = لم نعثر على هذه الدفعة
declaration-request-not-found = لم نعثر على طلب التصريح
active-parent-declaration-not-found = لم نعثر على تصريح ساري المفعول لأحد الوالدين
declaration-not-found = لم نعثر على هذا التصريح

## Conflicts

case-changed = عُدّلت الحالة من طلب آخر في الوقت نفسه؛ يرجى تحديث الصفحة والمحاولة مجددًا
record-conflict = هذا السجل يتعارض مع سجل موجود
review-type-name-taken = يوجد نوع مراجعة بهذا الاسم من قبل
disease-category-name-taken = يوجد تخصص طبي بهذا الاسم من قبل
transition-refused = لا يمكن { $action } لأن الحالة { $status }
provider-id-taken = يوجد طبيب بهذا المعرّف من قبل
doctor-already-assigned = الطبيب { $doctor } مكلّف بهذه الحالة من قبل
opinions-missing = يمكن إرسال الملخص بعد أن يقدم كل طبيب مكلّف رأيه؛ لم يقدمه بعد: { $doctors }
report-not-ready = التقرير غير جاهز لأن الحالة { $status }
not-eligible-coordinator = { $doctor } ليس منسقًا فعّالًا لتخصص هذه الحالة
not-eligible-specialist = { $doctor } ليس طبيبًا أخصائيًا فعّالًا لتخصص هذه الحالة
payment-amount-mismatch = الدفعة لا تطابق الحالة: المتوقع { $expected } والمستلم { $received }
invalid-transition = لا يمكن تنفيذ هذا الإجراء على الطلب في وضعه الحالي
patient-not-verified = لم يتم التحقق من هوية المريض بعد
documents-not-uploaded = لم تُرفع المستندات التالية بعد: { $documents }

## Unprocessable

invalid-verification-code = رمز التحقق غير صحيح
verification-code-expired = انتهت صلاحية رمز التحقق، يرجى طلب رمز جديد
max-attempts-exceed = استُنفدت محاولات إدخال رمز التحقق، يرجى طلب رمز جديد
doctor-declaration-limit = { PLURAL($count) ->
    [zero] لا يستطيع هذا الطبيب توقيع أي تصريح
    [one] لدى هذا الطبيب تصريح واحد ولا يمكنه توقيع المزيد
    [two] لدى هذا الطبيب تصريحان ولا يمكنه توقيع المزيد
    [few] لدى هذا الطبيب { $count } تصريحات ولا يمكنه توقيع المزيد
    [many] لدى هذا الطبيب { $count } تصريحًا ولا يمكنه توقيع المزيد
   *[other] لدى هذا الطبيب { $count } تصريح ولا يمكنه توقيع المزيد
}
employee-public-key-missing = لم يسجّل الموظف مفتاحًا عامًا يمكن التحقق به من التوقيع

## Authentication and permission

auth-missing = يجب تسجيل الدخول أولًا
auth-malformed = رمز الدخول غير صالح، يرجى تسجيل الدخول مجددًا
auth-invalid = رمز الدخول غير صالح، يرجى تسجيل الدخول مجددًا
auth-wrong-audience = رمز الدخول هذا لا يصلح لهذه الخدمة
auth-expired = انتهت صلاحية الدخول، يرجى تسجيل الدخول مجددًا
auth-revoked = انتهت هذه الجلسة، يرجى تسجيل الدخول مجددًا
role-required = هذا الإجراء متاح لمن لديه دور { $role } فقط
roles-required = هذا الإجراء متاح فقط لمن لديه أحد هذه الأدوار: { $choices }
webhook-signature = توقيع الإشعار مفقود أو غير صحيح أو قديم
not-case-coordinator = هذا الإجراء متاح لمنسق الحالة فقط
not-your-assignment = لا يعدّل الطبيب إلا تكليفه هو
invalid-scopes = صلاحيات رمز الدخول لا تسمح بهذا الإجراء

## Validation

invalid-uuid = قيمة { $field } غير صحيحة: يجب أن تكون معرّفًا بصيغة UUID
invalid-actor-id = يجب أن يتكون المعرّف من 1 إلى 128 حرفًا قابلًا للطباعة
invalid-role = الدور «{ $role }» غير معروف؛ الأدوار المتاحة: { $choices }
invalid-ttl = يجب أن تكون مدة صلاحية الرمز بين ثانية واحدة و366 يومًا
invalid-choice = يجب أن تكون قيمة { $field } إحدى القيم: { $choices }
invalid-whole-number = يجب أن يكون { $field } عددًا صحيحًا من { $min } إلى { $max }
invalid-text-length = { PLURAL($max) ->
    [few] يجب أن يتكون { $field } من { $min } إلى { $max } أحرف
    [many] يجب أن يتكون { $field } من { $min } إلى { $max } حرفًا
   *[other] يجب أن يتكون { $field } من { $min } إلى { $max } حرف
}
invalid-max-length = { PLURAL($max) ->
    [one] يجب ألا يزيد { $field } على حرف واحد
    [two] يجب ألا يزيد { $field } على حرفين
    [few] يجب ألا يزيد { $field } على { $max } أحرف
    [many] يجب ألا يزيد { $field } على { $max } حرفًا
   *[other] يجب ألا يزيد { $field } على { $max } حرف
}
invalid-max-items = { PLURAL($max) ->
    [zero] لا يمكن أن تضم { $field } أي مستند
    [one] لا يمكن أن تضم { $field } أكثر من مستند واحد
    [two] لا يمكن أن تضم { $field } أكثر من مستندين
    [few] لا يمكن أن تضم { $field } أكثر من { $max } مستندات
    [many] لا يمكن أن تضم { $field } أكثر من { $max } مستندًا
   *[other] لا يمكن أن تضم { $field } أكثر من { $max } مستند
}
invalid-min-items = يجب أن تضم { $field } مستندًا واحدًا على الأقل
invalid-documents-total = { PLURAL($max) ->
    [few] لا تتسع الحالة لأكثر من { $max } مستندات طبية: فيها { $has } وأُرسل { $sent }
    [many] لا تتسع الحالة لأكثر من { $max } مستندًا طبيًا: فيها { $has } وأُرسل { $sent }
   *[other] لا تتسع الحالة لأكثر من { $max } مستند طبي: فيها { $has } وأُرسل { $sent }
}
invalid-page-too-large = { $field } كبير جدًا
invalid-min-one = يجب أن يكون { $field } واحدًا أو أكثر
invalid-email = يجب أن يكون { $field } عنوانًا صحيحًا مثل name@example.org
invalid-date = يجب أن يكون { $field } تاريخًا بصيغة 2026-01-31
inactive-review-type = { $field } الذي اخترته غير متاح حاليًا
inactive-disease-category = { $field } الذي اخترته غير متاح حاليًا
rule-length-between = { PLURAL($max) ->
    [few] يجب أن يتكون { $field } من { $min } إلى { $max } أحرف
    [many] يجب أن يتكون { $field } من { $min } إلى { $max } حرفًا
   *[other] يجب أن يتكون { $field } من { $min } إلى { $max } حرف
}
rule-length-max = { PLURAL($max) ->
    [few] يجب ألا يزيد { $field } على { $max } أحرف
    [many] يجب ألا يزيد { $field } على { $max } حرفًا
   *[other] يجب ألا يزيد { $field } على { $max } حرف
}
rule-range = يجب أن تكون قيمة { $field } بين { $min } و{ $max }
rule-not-after = يجب ألا يكون { $field } أكبر من { $other }
rule-decimals = { $max ->
    [0] يجب أن يكون { $field } عددًا صحيحًا بلا كسور
    [1] يجب ألا يحتوي { $field } على أكثر من منزلة عشرية واحدة
    [2] يجب ألا يحتوي { $field } على أكثر من منزلتين عشريتين
   *[other] يجب ألا يحتوي { $field } على أكثر من { $max } منازل عشرية
}
rule-currency = يجب أن تكون { $field } رمز عملة من ثلاثة أحرف إنجليزية كبيرة وفق ISO 4217، مثل USD
rule-icon = يجب أن يتكون { $field } من 1 إلى 40 حرفًا من a-z أو 0-9 أو _ أو -
rule-invalid = قيمة { $field } غير صحيحة
invalid-amount = يجب أن يكون { $field } رقمًا
invalid-item-count = { PLURAL($max) ->
    [few] يجب أن تضم { $field } من { $min } إلى { $max } عناصر
    [many] يجب أن تضم { $field } من { $min } إلى { $max } عنصرًا
   *[other] يجب أن تضم { $field } من { $min } إلى { $max } عنصر
}
duplicate-in-list = { $field } يكرر عنصرًا سابقًا
webhook-malformed = محتوى الإشعار ليس حدث دفع
verification-code-required = رمز التحقق مطلوب لاعتماد هذا الطلب
verification-code-not-allowed = لا يحتاج هذا الطلب إلى رمز تحقق، فلا ترسله
invalid-verification-code-format = يجب أن يتكون { $field } من 4 أرقام، رقمًا أو نصًا
person-not-found = لم نعثر على هذا الشخص في السجل
person-without-authentication-method = لا توجد لدى هذا الشخص أي طريقة للتحقق من هويته
employee-not-found = لم نعثر على هذا الموظف في السجل
employee-status-invalid = حالة الموظف لا تسمح له بقبول التصريحات
employee-not-in-legal-entity = لا يعمل هذا الموظف لدى هذه المنشأة الطبية
employee-not-doctor = يجب أن يكون الموظف المحدد طبيبًا
employee-speciality-not-doctor = تخصص الموظف ليس من تخصصات الأطباء المقبولة: طبيب باطني، طبيب أطفال، طبيب أسرة
speciality-age-mismatch = تخصص الطبيب لا يناسب عمر المريض
division-not-found = لم نعثر على هذا الفرع في السجل
division-not-in-legal-entity = لا يتبع هذا الفرع هذه المنشأة الطبية
signed-content-mismatch = المحتوى الموقَّع لا يطابق المحتوى الذي أُنشئ سابقًا
signature-not-verified = لا يمكن التحقق من التوقيع بالمفتاح العام المسجّل للموظف
schema-required = الحقل { $field } مطلوب
schema-additional-property = لا يقبل الطلب حقولًا إضافية
schema-type = نوع القيمة غير صحيح: المتوقع { $expected } والمرسل { $actual }
upload-link-invalid = رابط الرفع غير صالح أو انتهت صلاحيته

## Answers of the HTTP edge

no-route = لا توجد خدمة بهذا العنوان: { $method } { $path }
method-not-allowed = لا تقبل الخدمة { $path } الطريقة { $method }؛ استخدم { $allowed }
body-too-large = حجم الطلب أكبر من الحد المسموح به ({ $kib } كيلوبايت)
body-unreadable = تعذّرت قراءة محتوى الطلب
content-type-json = يجب أن يكون نوع محتوى الطلب application/json
body-not-object = يجب أن يكون محتوى الطلب كائن JSON بين قوسين { "{" } { "}" }
malformed-json = محتوى الطلب ليس JSON صحيحًا (السطر { $line }، العمود { $column })
invalid-body = في محتوى الطلب قيمة من نوع غير صحيح (السطر { $line }، العمود { $column })
unknown-field = الحقل «{ $name }» غير معروف في هذا الطلب
missing-field = الحقل { $field } مطلوب
unavailable = الخدمة غير متاحة مؤقتًا، يرجى المحاولة بعد قليل
internal = حدث خطأ في الخادم، يرجى المحاولة لاحقًا
validation-separator = {"؛ "}
list-separator = {"، "}
list-or = {" أو "}
field-in-item = { $leaf } (العنصر { $n } في { $list })

## Names, chosen by `value`

field-name = { $value ->
    [patient_age] عمر المريض
    [patient_gender] جنس المريض
    [rt_id] نوع المراجعة
    [dc_id] التخصص الطبي
    [status] الحالة
    [medical_history] التاريخ الطبي
    [medical_documents] المستندات الطبية
    [med_docs] المستندات الطبية
    [case_id] رقم الحالة
    [url] رابط المستند
    [key] مفتاح التخزين
    [name] اسم الملف
    [page] رقم الصفحة
    [page_size] عدد العناصر في الصفحة
    [limit] عدد العناصر في الصفحة
    [q] نص البحث
    [email] البريد الإلكتروني
    [notification_id] رقم الإشعار
    [name_en] الاسم بالإنجليزية
    [name_ar] الاسم بالعربية
    [description_en] الوصف بالإنجليزية
    [description_ar] الوصف بالعربية
    [min_review_days] أقل مدة للمراجعة بالأيام
    [max_review_days] أطول مدة للمراجعة بالأيام
    [doctor_count] عدد الأطباء
    [price] السعر
    [currency] العملة
    [icon] الأيقونة
    [speciality_en] التخصص بالإنجليزية
    [speciality_ar] التخصص بالعربية
    [active] حالة التفعيل
    [sub] معرّف المستخدم
    [ttl] مدة صلاحية الرمز
    [roles] الأدوار
    [aud] الخدمة المقصودة بالرمز
    [doctor_id] معرّف الطبيب
    [sop_id] رقم التكليف
    [opinion] الرأي الطبي
    [summary] الملخص النهائي
    [reject_reason] سبب الرفض
    [requested_documents] المستندات المطلوبة
    [created_from] تاريخ الإنشاء من
    [created_to] تاريخ الإنشاء إلى
    [phone] رقم الهاتف
    [lang] اللغة
    [coordinator] المنسق
    [payment_id] رقم الدفعة
    [providers] قائمة الأطباء
    [verification_code] رمز التحقق
    [patient_id] رقم المريض
    [study_id] رقم الدراسة التصويرية
    [findings] النتائج
    [impression] الانطباع
    [measurements] القياسات
    [actor_id] معرّف الموظف
    [action] الإجراء
    [object_type] نوع السجل
    [from] بداية المدة
    [to] نهاية المدة
    [sort] ترتيب حسب
    [order] اتجاه الترتيب
   *[other] { $value }
}
case-status-name = { $value ->
    [draft] مسودة
    [review] قيد المراجعة
    [rejected] مرفوضة
    [awaiting_payment] بانتظار الدفع
    [paid] مدفوعة
    [doctors_assigned] لدى الأطباء المختصين
    [completed] مكتملة
   *[other] { $value }
}
role-name = { $value ->
    [admin] مدير النظام
    [coordinator] المنسق
    [doctor] الطبيب
    [technician] الفني
    [receptionist] موظف الاستقبال
   *[other] { $value }
}
action-name = { $value ->
    [update] التعديل
    [add_documents] إضافة المستندات
    [reject] الرفض
    [assign_coordinator] تعيين منسق
    [change_coordinator] تغيير المنسق
    [confirm_payment] تأكيد الدفع
    [assign_doctors] تعيين الأطباء
    [submit_summary] إرسال الملخص النهائي
    [request_documents] طلب المستندات
    [answer_documents] إرسال المستندات المطلوبة
    [submit_opinion] تقديم الرأي
   *[other] { $value }
}
timeline-event = { $value ->
    [created] أُنشئت الحالة
    [submitted] أُرسلت الحالة للمراجعة
    [updated] عُدّلت الحالة
    [documents_added] أُضيفت مستندات
    [draft_reminder_sent] أُرسل تذكير بإكمال الحالة
    [coordinator_assigned] عُيّن منسق للحالة
    [awaiting_payment] بانتظار الدفع
    [coordinator_changed] تغيّر منسق الحالة
    [rejected] رُفضت الحالة
    [payment_received] استُلمت الدفعة
    [doctor_assigned] عُيّن الأطباء الأخصائيون
    [documents_requested] طُلبت مستندات
    [documents_provided] أُرسلت المستندات المطلوبة
    [opinion_submitted] قُدّم رأي طبي
    [completed] اكتملت المراجعة
   *[other] { $value }
}

## Patient copy

how-title = كيف يعمل الرأي الطبي الثاني
how-subtitle = بضع خطوات بسيطة للحصول على مراجعة طبية متخصصة لحالتك.
how-step-share = شارك مستنداتك وبياناتك الطبية بأمان.
how-step-match = يطابقك منسقونا مع الأطباء الأخصائيين المناسبين.
how-step-review = يراجع أطباء خبراء حالتك وسجلاتك.
how-step-receive = احصل على ملخص الرأي الطبي الثاني والخطوات التالية.
how-submit-now = أرسل حالتك الآن
review-types-title = اختر نوع المراجعة
review-types-subtitle = احصل على رأي طبي متخصص من فريقنا
duration = { $single ->
    [yes] { PLURAL($max) ->
        [one] يوم واحد
        [two] يومان
        [few] { $max } أيام
       *[other] { $max } يومًا
    }
   *[no] { PLURAL($max) ->
        [few] { $min } - { $max } أيام
       *[other] { $min } - { $max } يومًا
    }
}

## The second opinion's final report

report-title = تقرير الرأي الطبي الثاني
report-case = رقم الحالة
report-submitted = تاريخ الإرسال
report-completed = تاريخ الإنجاز
report-review-type = نوع المراجعة
report-disease-category = التخصص
report-patient = المريض
report-patient-value = { $sex ->
    [female] أنثى
   *[male] ذكر
}، { PLURAL($age) ->
    [zero] أقل من سنة
    [one] سنة واحدة
    [two] سنتان
    [few] { $age } سنوات
    [many] { $age } سنة
   *[other] { $age } سنة
}
report-coordinator = منسق الحالة
report-opinion = رأي { $doctor }
report-summary = الملخص النهائي
report-generated = صدر في { $date } عن { $issuer }. يمثل هذا التقرير رأي الأطباء المذكورين فيه بناءً على المستندات التي قدمها المريض.

## Notifications

case-submitted-title = استلمنا حالتك
case-submitted-body = { $has_type ->
    [yes] تم إرسال حالتك لطلب { $review_type }. سيطابقك منسقونا مع الأطباء الأخصائيين المناسبين ويتواصلون معك بشأن الخطوات التالية.
   *[no] تم إرسال حالتك. سيطابقك منسقونا مع الأطباء الأخصائيين المناسبين ويتواصلون معك بشأن الخطوات التالية.
}
draft-reminder-title = حالتك بانتظارك
draft-reminder-body = بدأت طلب رأي طبي ثانٍ ولم ترسله بعد. أكمله وأرسله ليتمكن أطباؤنا الأخصائيون من مراجعة حالتك.
case-rejected-title = لم نتمكن من قبول حالتك
case-rejected-body = نأسف لإبلاغك بأن حالتك لم تُقبل للمراجعة. السبب: { $reason }
payment-requested-title = منسقك جاهز: يرجى إتمام الدفع
payment-requested-body = عُيّن منسق لحالتك{ $has_type ->
    [yes] {" "}لطلب { $review_type }
   *[no] {""}
}. ادفع { $amount } { $currency } لتبدأ المراجعة: { $url }
payment-received-title = استلمنا الدفعة
payment-received-body = استلمنا دفعة الحالة { $case_id }. سيُعيَّن الأطباء الأخصائيون قريبًا.
documents-requested-title = يحتاج طبيبك إلى مستندات إضافية
documents-requested-body = يطلب { $doctor }: { $documents }. أضفها إلى حالتك في التطبيق.
report-ready-title = تقرير الرأي الطبي الثاني جاهز
report-ready-body = أتمّ الأطباء مراجعة حالتك{ $has_type ->
    [yes] {" "}لطلب { $review_type }
   *[no] {""}
}. افتح الحالة في التطبيق لقراءة التقرير النهائي.
coordinator-assigned-title = حالة بانتظار تنسيقك
coordinator-assigned-body = أنت منسق الحالة { $case_id }{ $has_type ->
    [yes] {" "}({ $review_type })
   *[no] {""}
}. بعد أن يدفع المريض، عيّن الأطباء الأخصائيين.
coordinator-replaced-title = أُسندت الحالة إلى منسق آخر
coordinator-replaced-body = أُسندت الحالة { $case_id } إلى منسق آخر، ولا يلزمك أي إجراء.
doctor-assigned-title = حالة بانتظار رأيك
doctor-assigned-body = كُلّفت بالحالة { $case_id }{ $has_type ->
    [yes] {" "}({ $review_type })
   *[no] {""}
}. راجع الحالة وأرسل رأيك.
documents-provided-title = أرسل المريض المستندات
documents-provided-body = أضاف المريض المستندات التي طلبتها إلى الحالة { $case_id }.
opinion-submitted-title = وصل رأي طبي
opinion-submitted-body = أرسل { $doctor } رأيه في الحالة { $case_id }.
verification-code-title = رمز التحقق
verification-code-body = رمز التحقق الخاص بك هو { $code }. لا تشاركه مع أحد.
email-case-reference = رقم الحالة:

## Clinic: staff accounts and sign-in
login-failed = اسم المستخدم أو كلمة المرور غير صحيحة
login-throttled = محاولات دخول فاشلة كثيرة؛ حاول مجددًا بعد { $n ->
    [one] ثانية واحدة
    [two] ثانيتين
    [few] { $n } ثوانٍ
   *[other] { $n } ثانية
}
login-audience-refused = لا يمكن لهذا الحساب تسجيل الدخول إلى { $value }
logged-in = تم تسجيل الدخول
logged-out = تم تسجيل الخروج
staff-not-found = حساب الموظف غير موجود
staff-created = تم إنشاء حساب الموظف
staff-updated = تم تحديث حساب الموظف
staff-deactivated = تم إيقاف حساب الموظف
password-changed = تم تغيير كلمة المرور؛ سجّل الدخول مجددًا بكلمة المرور الجديدة
username-taken = اسم المستخدم هذا مستخدم بالفعل
username-invalid = { $field }: يجب أن يتكوّن من { $min } إلى { $max } حرفًا من الحروف اللاتينية أو الأرقام أو النقاط أو الشرطات
staff-name-invalid = { $field }: يجب أن يتكوّن من { $min } إلى { $max } حرفًا، وألا يكون فارغًا أو يحوي محارف تحكّم
staff-roles-required = الأدوار: اختر دورًا واحدًا على الأقل من { $choices }
password-length = { $field }: يجب أن تتكوّن كلمة المرور من { $min } إلى { $max } حرفًا
password-common = { $field }: كلمة المرور هذه شائعة ويسهل تخمينها؛ اختر غيرها
password-is-username = { $field }: يجب ألا تكون كلمة المرور هي اسم المستخدم
password-wrong = { $field }: كلمة المرور الحالية غير صحيحة
last-active-admin = لا يمكن إيقاف آخر مسؤول نشط أو سحب دور المسؤول منه
own-admin-role = لا يمكنك سحب دور المسؤول من حسابك
cannot-deactivate-self = لا يمكنك إيقاف حسابك
staff-field-needs-admin = لا يغيّر { $field } إلا المسؤول
own-password-only = لا يمكنك تغيير كلمة مرور غير كلمة مرورك

## Clinic: patients and appointments
clinic-patient-not-found = لم يُعثر على المريض
clinic-appointment-not-found = لم يُعثر على الموعد
clinic-patient-created = أُنشئ ملف المريض
clinic-patient-updated = حُدّثت بيانات المريض
clinic-patient-deleted = حُذف المريض
clinic-patient-removed = حُذف ملف المريض نهائيًا
clinic-appointment-created = حُجز الموعد
clinic-appointments-scheduled = حُجزت المواعيد
clinic-appointment-updated = حُدّث الموعد
clinic-appointment-status-changed = تغيّرت حالة الموعد
clinic-appointment-cancelled = أُلغي الموعد
clinic-patient-referenced = لا يمكن حذف المريض نهائيًا ما دامت سجلات تشير إليه: عدد المواعيد { $appointments } وعدد التقارير { $reports } وعدد الدراسات التصويرية { $studies } وعدد المستندات { $documents }
clinic-appointment-status-refused = حالة الموعد الآن { $status }: لا يمكن نقله إلا إلى { $choices }
clinic-appointment-status-final = حالة الموعد { $status }: لم يعد تغيير حالته ممكنًا
clinic-appointment-not-editable = حالة الموعد { $status }: لا يُعدَّل إلا موعد مجدول أو في الانتظار
clinic-appointment-changed = عُدّل الموعد من طلب آخر في الوقت نفسه؛ يرجى تحديث الصفحة والمحاولة مجددًا
clinic-double-booked = { $field }: لدى الطبيب موعد آخر في الساعة { $time } من اليوم نفسه يتداخل مع هذا الموعد
clinic-unknown-patient = { $field } لا يشير إلى أي مريض في العيادة
clinic-unknown-doctor = يجب أن يكون { $field } معرّف حساب موظف نشط له دور الطبيب
clinic-invalid-phone = يجب أن يتكون { $field } من { $min } إلى { $max } من الأرقام أو المسافات أو + أو -
clinic-invalid-time = يجب أن يكون { $field } وقتًا مثل 09:30 (بنظام 24 ساعة)
clinic-date-in-future = يجب ألا يكون { $field } تاريخًا في المستقبل
clinic-past-midnight = { $field }: يجب أن ينتهي الموعد قبل منتصف الليل
clinic-search-required = يجب أن يحتوي { $field } على حرف واحد على الأقل للبحث عنه
clinic-invalid-boolean = يجب أن تكون قيمة { $field } true أو false

## Clinic: reports, the audit log, events
websocket-handshake-required = هذا العنوان يعمل ببروتوكول WebSocket: افتحه بعميل WebSocket
event-stream-behind = تأخر الاتصال كثيرًا عن الأحداث؛ أعد الاتصال للمتابعة

clinic-report-created = أُنشئ التقرير
clinic-report-updated = حُدّث التقرير
clinic-report-finalized-ok = اعتُمد التقرير
clinic-report-deleted = حُذف التقرير
clinic-report-not-found = لم نعثر على هذا التقرير
clinic-report-read-only = هذا التقرير معتمد ولم يعد من الممكن تعديله
clinic-report-changed = عُدّل التقرير من طلب آخر في الوقت نفسه؛ يرجى إعادة تحميله والمحاولة مجددًا
clinic-report-empty = يجب أن يتضمن التقرير نتائج أو انطباعًا قبل اعتماده
clinic-report-patient-unknown = لا يشير { $field } إلى أي مريض في العيادة
clinic-report-author-unknown = لا يكتب التقارير إلا أصحاب حسابات موظفي العيادة
clinic-study-id-format = يجب أن يتكون { $field } من 1 إلى 64 من الحروف اللاتينية أو الأرقام أو النقاط أو الشرطات
clinic-measurement-value = يجب أن يكون { $field } عددًا محدودًا
clinic-instant-format = يجب أن يكون { $field } وقتًا بصيغة 2026-11-30T10:00:00Z أو تاريخًا بصيغة 2026-11-30
clinic-report-status-name = { $value ->
    [draft] مسودة
    [finalized] معتمد
   *[other] الحالة { $value }
}
clinic-sex-name = { $value ->
    [male] ذكر
    [female] أنثى
    [other] آخر
   *[unknown] غير ذلك ({ $value })
}
clinic-report-title = تقرير طبي
clinic-report-draft-title = تقرير طبي (مسودة غير معتمدة)
clinic-report-patient = المريض
clinic-report-mrn = رقم الملف الطبي
clinic-report-birth-date = تاريخ الميلاد
clinic-report-sex = الجنس
clinic-report-date = تاريخ التقرير
clinic-report-doctor = الطبيب كاتب التقرير
clinic-report-status = الحالة
clinic-report-study = الدراسة التصويرية
clinic-report-findings = النتائج
clinic-report-impression = الانطباع
clinic-report-measurements = القياسات
clinic-report-measurement-name = القياس
clinic-report-measurement-value = القيمة
clinic-report-measurement-unit = الوحدة
clinic-report-generated = صدر في { $date } عن { $issuer }.

# Clinic: imaging.
clinic-dicom-not-dicom = الملف ليس ملف DICOM: ملف DICOM يحمل "DICM" بعد مقدمة من 128 بايت
clinic-dicom-no-meta = ملف DICOM بلا ترويسة معلومات الملف (المجموعة 0002)
clinic-dicom-truncated = ملف DICOM مقطوع: { $detail }
clinic-dicom-unreadable = تعذرت قراءة ملف DICOM: { $detail }
clinic-dicom-missing-uid = ملف DICOM بلا { $uid }، وهو لازم لحفظ أي صورة
clinic-dicom-empty = الملف فارغ
clinic-study-not-found = الدراسة غير موجودة
clinic-image-not-found = الصورة غير موجودة
clinic-study-deleted = حُذفت الدراسة
clinic-thumbnail-no-pixels = لا يحمل هذا الكائن بيانات صورة (تقرير أو موجة): لا صورة لعرضها
clinic-thumbnail-unsupported = تعذر رسم هذه الصورة هنا: { $detail }
clinic-worklist-target = أرسل appointment_id أو patient_id
clinic-worklist-closed = حالة الموعد { $status }: لم يعد يُدرج في قائمة العمل
clinic-worklist-published = نُشر بند قائمة العمل
clinic-worklist-modality = يجب أن تكون modality من 1 إلى 16 حرفًا لاتينيًا كبيرًا أو رقمًا (US، CT، MR)
clinic-worklist-station = يجب أن يكون station_ae_title من 1 إلى 16 حرفًا من الحروف اللاتينية أو الأرقام أو المسافات أو _ أو -
clinic-images-received = حُفظ من الملفات: { $stored }، ورُفض: { $refused }
clinic-multipart-malformed = يجب أن يكون الطلب multipart/form-data بجزء واحد أو أكثر اسمه file: { $detail }
clinic-too-many-files = لا يُرسل أكثر من { $max } ملف في طلب واحد
clinic-file-refused = الملف { $name }: { $reason }
document-empty = الملف فارغ
document-unsupported-type = هذا النوع من الملفات غير مقبول: أرسل ملف PDF أو JPEG أو PNG أو HEIC أو DICOM أو نصًا عاديًا (UTF-8)
document-not-found = المستند غير موجود
file-link-refused = انتهت صلاحية هذا الرابط أو أنه غير صالح
document-form-malformed = يجب أن يكون جسم الطلب multipart/form-data وفيه جزء واحد باسم file: { $detail }
document-file-missing = لا يحتوي النموذج على جزء باسم file: أرسل المستند في جزء باسم file
document-uploaded = رُفع المستند
document-already-stored = سبق رفع هذا المستند: أُعيد المستند المحفوظ
document-deleted = حُذف المستند
file-range-unsatisfiable = النطاق المطلوب خارج حدود الملف
dicomweb-bad-uid = يجب أن يكون { $name } معرّف UID أو عدة معرّفات مفصولة بفواصل
dicomweb-bad-number = يجب أن يكون { $name } عددًا صحيحًا من 0 فما فوق
dicomweb-bad-boolean = يجب أن تكون قيمة { $name } true أو false
dicomweb-bad-includefield = يجب أن يسرد { $name } وسومًا (00100010) أو كلمات مفتاحية (PatientName)، أو أن يكون all
dicomweb-bad-date = يجب أن يكون { $name } تاريخًا بصيغة YYYYMMDD أو نطاقًا من التواريخ (20240101-20240131، ويجوز ترك أحد الطرفين مفتوحًا)
dicomweb-bad-modality = يجب أن يكون { $name } نوع جهاز تصوير مثل US أو CT
dicomweb-unknown-parameter = { $name } ليس معيارًا يبحث به هذا الخادم
dicomweb-not-found = لا توجد دراسة أو سلسلة أو صورة بهذا المعرّف
dicomweb-no-pixels = لا تحتوي هذه الصورة على بيانات بكسل
dicomweb-no-such-frame = لا يوجد إطار بهذا الرقم: عدد إطارات الصورة { $frames }
dicomweb-not-acceptable = لا يمكن تقديم هذا بصيغة يقبلها الطلب: { $detail }
dicomweb-bad-viewport = يجب أن يكون { $name } بالصيغة العرض,الارتفاع بالبكسل، كل منهما من 1 إلى 4096
dicomweb-bad-window = يجب أن يكون { $name } بالصيغة المركز,العرض (عرض 1 فما فوق)، ويجوز أن يليه ,linear
dicomweb-bad-quality = يجب أن تكون قيمة { $name } عددًا صحيحًا من 1 إلى 100
dicomweb-stow-media-type = أرسل الصور بصيغة multipart/related; type="application/dicom"، كل جزء ملف DICOM من الجزء العاشر
dicomweb-other-study = تنتمي الصورة { $instance } إلى الدراسة { $found } وليس إلى الدراسة { $study } المذكورة في المسار
viewer-title = سجّل الدخول لعرض الصور
viewer-username = اسم المستخدم
viewer-password = كلمة المرور
viewer-sign-in = تسجيل الدخول
viewer-sign-out = تسجيل الخروج
viewer-signed-out = لقد سجّلت الخروج من عارض الصور.
viewer-refused = لا يحق لهذا الحساب عرض الصور: يحق ذلك للأطباء والفنيين فقط.
