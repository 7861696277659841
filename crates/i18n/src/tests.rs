use domain::kernel::lang::Lang;
use domain::kernel::text::{Arg, Key, Text, Translator};
use strum::VariantArray;

use super::*;

fn catalogues() -> Catalogues {
    match Catalogues::load() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

/// Without the Unicode isolation marks Arabic output wraps values in.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect()
}

fn has_arabic_letter(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{FB50}'..='\u{FEFF}').contains(&c))
}

/// A value for every argument any message uses, so that each renders fully.
fn sample(key: Key) -> Text {
    let value = match key {
        Key::FieldName => "patient_age",
        Key::CaseStatusName => "review",
        Key::RoleName => "doctor",
        Key::ActionName => "update",
        Key::TimelineEvent => "submitted",
        Key::ClinicReportStatusName => "finalized",
        Key::ClinicSexName => "female",
        _ => "x",
    };
    Text::new(key)
        .with("value", value)
        .field("field", "patient_age")
        .field("other", "max_review_days")
        .with("min", 1i64)
        .with("max", 12i64)
        .with("has", 49i64)
        .with("sent", 2i64)
        .with("kib", 64i64)
        .with("line", 1i64)
        .with("column", 9i64)
        .with("method", "POST")
        .with("path", "/app/x")
        .with("allowed", "POST")
        .with("detail", "EOF while parsing a value")
        .with("name", "user_id")
        .with("role", "wizard")
        .with("single", "no")
        .with("has_type", "yes")
        .with(
            "review_type",
            Arg::Localized {
                en: "Standard Review".into(),
                ar: "مراجعة قياسية".into(),
            },
        )
        .with(
            "choices",
            Arg::Choices(vec!["draft".into(), "review".into()]),
        )
        .with("action", Text::term(Key::ActionName, "update"))
        .with("status", Text::term(Key::CaseStatusName, "review"))
        .with("list", "x")
        .with("leaf", "x")
        .with("n", 1i64)
        .with("sex", "female")
        .with("age", 54i64)
        .with("doctor", "Dr. Lina Haddad")
        .with("date", "2026-11-30")
        .with("issuer", "Second Opinion")
        .with("doctors", Arg::Items(vec!["EMP2".into(), "EMP3".into()]))
        .with("expected", "900 USD")
        .with("received", "90 USD")
        .with("actual", "number")
        .with("code", "1230")
        .with("url", "https://pay.example.org/checkout/1")
        .with("amount", "900")
        .with("currency", "USD")
        .with(
            "documents",
            Arg::Items(vec!["ECG".into(), "MRI report".into()]),
        )
        .with("reason", "The documents are unreadable")
        .with("case_id", "0193a1c0-0000-7000-8000-00000000ca5e")
        .with("count", 2000i64)
        .with("time", "09:30")
        .with("appointments", 2i64)
        .with("reports", 1i64)
        .with("studies", 3i64)
        .with("documents", 2i64)
        .with("frames", 30i64)
        .with(
            "detail",
            "(7FE0,0010) declares 8192 bytes but only 8130 remain",
        )
        .with("uid", "SOPInstanceUID")
        .with("stored", 2i64)
        .with("refused", 1i64)
        .with("name", "scan.dcm")
        .with("instance", "1.2.840.113619.2.3")
        .with("found", "1.2.840.113619.2.1")
        .with("study", "1.2.840.113619.2.2")
}

#[test]
fn both_catalogues_have_every_key_and_nothing_else() {
    let c = catalogues();
    assert_eq!(c.missing(), Vec::<String>::new());
    let mut en = Catalogues::entries(ENGLISH);
    let mut ar = Catalogues::entries(ARABIC);
    en.sort();
    ar.sort();
    assert_eq!(en, ar, "the catalogues define different entries");
    let mut keys: Vec<String> = Key::VARIANTS.iter().map(|k| k.id().to_owned()).collect();
    keys.sort();
    assert_eq!(
        en, keys,
        "catalogue entries that no Key names, or the reverse"
    );
}

#[test]
fn every_arabic_text_is_arabic_and_renders_fully() {
    let c = catalogues();
    for &key in Key::VARIANTS {
        let text = sample(key);
        let ar = c.translate(Lang::Ar, &text);
        let en = c.translate(Lang::En, &text);
        assert!(!en.is_empty() && !ar.is_empty(), "{key:?}");
        assert!(
            has_arabic_letter(&ar),
            "{key:?} in Arabic has no Arabic letter: {ar}"
        );
        for rendered in [&en, &ar] {
            assert!(
                !rendered.contains("{$"),
                "{key:?} left an argument: {rendered}"
            );
        }
        assert!(
            !en.contains('\u{2068}'),
            "{key:?}: English must carry no isolation marks"
        );
    }
}

#[test]
fn english_is_word_for_word_what_clients_rely_on() {
    let c = catalogues();
    let en = |t: Text| c.translate(Lang::En, &t);
    let table: Vec<(Text, &str)> = vec![
        (Text::new(Key::CaseNotFound), "Case not found"),
        (Text::new(Key::AuthMissing), "Missing Authorization header"),
        (
            Text::new(Key::AuthWrongAudience),
            "Token is not valid for this service",
        ),
        (
            Text::new(Key::TransitionRefused)
                .with("action", Text::term(Key::ActionName, "update"))
                .with("status", Text::term(Key::CaseStatusName, "review")),
            "Updating is not possible while the case is review",
        ),
        (
            Text::new(Key::InvalidWholeNumber)
                .field("field", "patient_age")
                .with("min", 0i64)
                .with("max", 150i64),
            "patient_age must be a whole number from 0 to 150",
        ),
        (
            Text::new(Key::InvalidTextLength)
                .field("field", "med_docs[1].key")
                .with("min", 1i64)
                .with("max", 1024i64),
            "med_docs[1].key must be 1 to 1024 characters",
        ),
        (
            Text::new(Key::InvalidChoice).field("field", "status").with(
                "choices",
                Arg::Choices(vec!["draft".into(), "review".into()]),
            ),
            "status must be draft or review",
        ),
        (
            Text::new(Key::InvalidChoice).field("field", "status").with(
                "choices",
                Arg::Choices(vec!["pending".into(), "delivered".into(), "failed".into()]),
            ),
            "status must be pending, delivered or failed",
        ),
        (
            Text::new(Key::RuleRange)
                .field("field", "price")
                .with("min", 0i64)
                .with("max", 1_000_000i64),
            "price: must be between 0 and 1000000",
        ),
        (
            Text::new(Key::RuleDecimals)
                .field("field", "price")
                .with("max", 2i64),
            "price: must have at most 2 decimals",
        ),
        (
            Text::new(Key::RoleRequired).with("role", Text::term(Key::RoleName, "coordinator")),
            "This action needs the coordinator role",
        ),
        (
            Text::new(Key::InvalidDocumentsTotal)
                .with("max", 50i64)
                .with("has", 49i64)
                .with("sent", 2i64),
            "A case holds at most 50 medical documents: it has 49 and 2 were sent",
        ),
        (
            Text::new(Key::MethodNotAllowed)
                .with("method", "GET")
                .with("path", "/app/how")
                .with("allowed", "POST"),
            "Method GET is not allowed on /app/how; use POST",
        ),
        (
            Text::new(Key::BodyTooLarge).with("kib", 64i64),
            "Request body is larger than the limit of 64 KiB",
        ),
        // The eHealth surface's messages, word for word as the national API gives them.
        (Text::new(Key::InvalidTransition), "Invalid transition"),
        (
            Text::new(Key::PatientNotVerified),
            "Patient is not verified",
        ),
        (
            Text::new(Key::InvalidVerificationCode),
            "Invalid verification code",
        ),
        (
            Text::new(Key::VerificationCodeExpired),
            "Verification code expired",
        ),
        (Text::new(Key::MaxAttemptsExceed), "Maximum attempts exceed"),
        (
            Text::new(Key::ActiveParentDeclarationNotFound),
            "Active parent declaration was not found",
        ),
        (Text::new(Key::InvalidScopes), "Invalid scopes"),
        (
            Text::new(Key::DocumentsNotUploaded).with(
                "documents",
                Arg::Items(vec!["PASSPORT".into(), "person.tax_id".into()]),
            ),
            "Documents PASSPORT, person.tax_id is not uploaded",
        ),
        (
            Text::new(Key::DoctorDeclarationLimit).with("count", 2000i64),
            "This doctor has 2000 declarations and could not sign more",
        ),
        (Text::new(Key::PersonNotFound), "Person not found"),
        (Text::new(Key::EmployeeNotFound), "Employee not found"),
        (Text::new(Key::DivisionNotFound), "Division not found"),
        (
            Text::new(Key::EmployeeStatusInvalid),
            "Invalid employee status",
        ),
        (
            Text::new(Key::EmployeeNotInLegalEntity),
            "Employee does not belong to legal entity.",
        ),
        (
            Text::new(Key::EmployeeNotDoctor),
            "Employee ID must reference a doctor.",
        ),
        (
            Text::new(Key::EmployeeSpecialityNotDoctor),
            "Employee's speciality does not belong to a doctor: THERAPIST, PEDIATRICIAN, FAMILY_DOCTOR",
        ),
        (
            Text::new(Key::SpecialityAgeMismatch),
            "Doctor speciality doesn't match patient's age",
        ),
        (
            Text::new(Key::DivisionNotInLegalEntity),
            "Division does not belong to legal entity.",
        ),
        (
            Text::new(Key::SignedContentMismatch),
            "Signed content does not match the previously created content",
        ),
    ];
    for (text, want) in table {
        assert_eq!(en(text), want);
    }
}

#[test]
fn durations_agree_with_their_number() {
    let c = catalogues();
    let d = |lang, min: i64, max: i64| {
        let text = Text::new(Key::Duration)
            .with("single", if min == max { "yes" } else { "no" })
            .with("min", min)
            .with("max", max);
        plain(&c.translate(lang, &text))
    };
    let table = [
        (Lang::En, 8, 12, "8 - 12 days"),
        (Lang::En, 1, 1, "1 day"),
        (Lang::En, 2, 2, "2 days"),
        (Lang::En, 5, 5, "5 days"),
        (Lang::Ar, 8, 12, "8 - 12 يومًا"),
        (Lang::Ar, 3, 5, "3 - 5 أيام"),
        (Lang::Ar, 1, 1, "يوم واحد"),
        (Lang::Ar, 2, 2, "يومان"),
        (Lang::Ar, 7, 7, "7 أيام"),
        (Lang::Ar, 14, 14, "14 يومًا"),
        (Lang::Ar, 1, 2, "1 - 2 يومًا"),
    ];
    for (lang, min, max, want) in table {
        assert_eq!(d(lang, min, max), want, "{lang:?} {min}-{max}");
    }
}

#[test]
fn arabic_counts_take_all_six_plural_forms() {
    let c = catalogues();
    let limit = |n: i64| {
        plain(
            &c.translate(
                Lang::Ar,
                &Text::new(Key::InvalidMaxItems)
                    .field("field", "medical_documents")
                    .with("max", n),
            ),
        )
    };
    let table = [
        (0, "لا يمكن أن تضم المستندات الطبية أي مستند"),
        (1, "لا يمكن أن تضم المستندات الطبية أكثر من مستند واحد"),
        (2, "لا يمكن أن تضم المستندات الطبية أكثر من مستندين"),
        (3, "لا يمكن أن تضم المستندات الطبية أكثر من 3 مستندات"),
        (11, "لا يمكن أن تضم المستندات الطبية أكثر من 11 مستندًا"),
        (100, "لا يمكن أن تضم المستندات الطبية أكثر من 100 مستند"),
    ];
    for (n, want) in table {
        assert_eq!(limit(n), want, "{n}");
    }
    let en = c.translate(
        Lang::En,
        &Text::new(Key::InvalidMaxItems)
            .field("field", "medical_documents")
            .with("max", 50i64),
    );
    assert_eq!(en, "medical_documents holds at most 50 documents");
}

#[test]
fn arabic_explains_field_paths_and_isolates_values() {
    let c = catalogues();
    let text = Text::new(Key::InvalidTextLength)
        .field("field", "med_docs[1].url")
        .with("min", 1i64)
        .with("max", 2048i64);
    let ar = c.translate(Lang::Ar, &text);
    assert_eq!(
        plain(&ar),
        "يجب أن يتكون رابط المستند (العنصر 2 في المستندات الطبية) من 1 إلى 2048 حرفًا"
    );
    assert!(ar.contains("\u{2068}2048\u{2069}"), "{ar:?}");
    let age = c.translate(
        Lang::Ar,
        &Text::new(Key::InvalidUuid).field("field", "case_id"),
    );
    assert!(plain(&age).contains("رقم الحالة"), "{age}");
    // A path the catalogue cannot explain is shown as sent.
    let odd = c.translate(
        Lang::Ar,
        &Text::new(Key::RuleInvalid).field("field", "a.b.c"),
    );
    assert!(plain(&odd).contains("a.b.c"), "{odd}");
}

#[test]
fn localized_names_follow_the_language() {
    let c = catalogues();
    let body = Text::new(Key::CaseSubmittedBody)
        .with("has_type", "yes")
        .with(
            "review_type",
            Arg::Localized {
                en: "Standard Review".into(),
                ar: "مراجعة قياسية".into(),
            },
        );
    assert!(
        c.translate(Lang::En, &body)
            .contains("for a Standard Review has")
    );
    assert!(plain(&c.translate(Lang::Ar, &body)).contains("لطلب مراجعة قياسية."));
}

#[test]
fn arabic_plural_forms_follow_the_last_two_digits() {
    let c = catalogues();
    let table = [
        (103, "3 أحرف"),
        (111, "111 حرفًا"),
        (120, "120 حرفًا"),
        (200, "200 حرف"),
        (1011, "1011 حرفًا"),
        (1024, "1024 حرفًا"),
        (10000, "10000 حرف"),
    ];
    for (n, want) in table {
        let n: i64 = n;
        let t = Text::new(Key::InvalidMaxLength)
            .field("field", "q")
            .with("max", n);
        let got = plain(&c.translate(Lang::Ar, &t));
        let want = want.replacen("3 ", "103 ", 1);
        assert!(got.ends_with(&want), "{n}: {got}");
    }
}
