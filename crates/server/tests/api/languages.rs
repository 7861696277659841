//! Every answer in the caller's language, end to end: `lang: ar`, `lang: 1` (in any case) asks for
//! Arabic; `lang: en`, `lang: 0` or no header at all gets the English the other tests assert, byte
//! for byte. The HTTP code and the envelope's `status` never depend on the language. The eHealth
//! surface answers English whatever the header says.

use domain::identity::{RevocationRepository, TokenCodec};
use domain::kernel::ids::TokenId;
use serde_json::{Value, json};
use token::Codec;

use crate::auth::{claims_with_id, now};
use crate::cases::{case_body, save, seed_catalogue};
use crate::helpers::{Response, on_each_backend};

/// The `lang` headers that ask for Arabic: each gets the very same answer.
const ARABIC: [&str; 3] = ["ar", "1", "AR"];

/// English: asked for, or not asked for at all.
const ENGLISH: [Option<&str>; 3] = [None, Some("en"), Some("0")];

/// The Unicode isolation marks Arabic answers put around each inserted value.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

/// `s` without its isolation marks.
fn plain(s: &str) -> String {
    s.chars().filter(|c| *c != FSI && *c != PDI).collect()
}

fn has_arabic_letters(s: &str) -> bool {
    s.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c))
}

/// Words the English messages are made of; none belongs in an Arabic one.
const ENGLISH_WORDS: [&str; 30] = [
    "a", "an", "the", "is", "be", "must", "not", "no", "for", "of", "to", "on", "or", "has",
    "been", "use", "this", "case", "found", "missing", "header", "token", "valid", "service",
    "revoked", "route", "method", "allowed", "request", "larger",
];

/// The English in an Arabic message, if any: two English words in a row, or one of the words
/// English messages are made of. Values a client sends (`male`, `GET`, a path) and names of
/// standards (`UUID`, `ISO 4217`) may appear, one at a time.
fn english_in(message: &str) -> Option<String> {
    let text = plain(message);
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c.is_ascii_punctuation() || c == '؛' || c == '،'))
        .collect();
    let english = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic());
    if let Some(pair) = words
        .windows(2)
        .find(|pair| english(pair[0]) && english(pair[1]))
    {
        return Some(format!("{} {}", pair[0], pair[1]));
    }
    words
        .iter()
        .find(|w| ENGLISH_WORDS.contains(&w.to_lowercase().as_str()))
        .map(|w| (*w).to_owned())
}

/// `lang` as a header list, with a token when given.
fn headers<'a>(lang: Option<&'a str>, token: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut headers = Vec::new();
    if let Some(lang) = lang {
        headers.push(("lang", lang));
    }
    if let Some(token) = token {
        headers.push(("authorization", token));
    }
    headers
}

/// What one request must answer, the same in both languages but for the message.
struct Expect<'a> {
    http: u16,
    status: u64,
    english: &'a str,
    /// Without its isolation marks.
    arabic: &'a str,
}

/// Asks `ask` once per language header and checks each answer against `want`; gives back the
/// Arabic answer for further checks.
fn in_each_language(
    what: &str,
    mut ask: impl FnMut(Option<&str>) -> Response,
    want: Expect<'_>,
) -> Response {
    for lang in ENGLISH {
        let r = ask(lang);
        assert_eq!(
            (r.status, r.json["status"].as_u64(), r.message()),
            (want.http, Some(want.status), want.english),
            "{what}, lang {lang:?}: {}",
            r.text
        );
    }
    let mut arabic: Option<Response> = None;
    for lang in ARABIC {
        let r = ask(Some(lang));
        assert_eq!(
            (r.status, r.json["status"].as_u64()),
            (want.http, Some(want.status)),
            "{what}, lang {lang}: {}",
            r.text
        );
        assert_eq!(plain(r.message()), want.arabic, "{what}, lang {lang}");
        assert!(has_arabic_letters(r.message()), "{what}, lang {lang}");
        assert_eq!(
            english_in(r.message()),
            None,
            "{what}, lang {lang}: {}",
            r.message()
        );
        match &arabic {
            Some(first) => assert_eq!(r.message(), first.message(), "{what}, lang {lang}"),
            None => arabic = Some(r),
        }
    }
    arabic.expect("asked in Arabic")
}

/// A review type to create, its names made unique by `n`.
fn review_type(n: usize) -> Value {
    json!({
        "name_en": format!("Standard Review {n}"),
        "name_ar": format!("مراجعة قياسية {n}"),
        "description_en": "Reviewed by 3 specialist oncologists",
        "description_ar": "يراجعها 3 أخصائيين في الأورام",
        "min_review_days": 8,
        "max_review_days": 12,
        "doctor_count": 3,
        "price": 900
    })
}

on_each_backend!(not_found_in_the_callers_language, |app| {
    let user = app.user();
    let admin = app.admin();
    in_each_language(
        "unknown case",
        |lang| {
            app.post_with(
                "/app/review-case-details",
                Some(&user),
                &headers(lang, None),
                json!({ "case_id": "0193a1c0-0000-7000-8000-0000000000ff" }),
            )
        },
        Expect {
            http: 404,
            status: 1002,
            english: "Case not found",
            arabic: "لم نعثر على هذه الحالة",
        },
    );
    in_each_language(
        "unknown review type",
        |lang| {
            app.post_with(
                "/admin/review-type-details",
                Some(&admin),
                &headers(lang, None),
                json!({ "rt_id": "0193a1c0-0000-7000-8000-00000000dead" }),
            )
        },
        Expect {
            http: 404,
            status: 1002,
            english: "Review type not found",
            arabic: "لم نعثر على نوع المراجعة",
        },
    );
});

on_each_backend!(every_failing_field_in_the_callers_language, |app| {
    let (_, dc) = seed_catalogue(&app);
    let me = app.user();
    let mut bad = case_body("not-a-uuid", &dc, "nope");
    bad["patient_age"] = json!(151);
    bad["patient_gender"] = json!("x");
    let arabic = [
        "قيمة نوع المراجعة غير صحيحة: يجب أن تكون معرّفًا بصيغة UUID",
        "يجب أن يكون عمر المريض عددًا صحيحًا من 0 إلى 150",
        "يجب أن تكون قيمة جنس المريض إحدى القيم: male أو female",
        "يجب أن تكون قيمة الحالة إحدى القيم: draft أو review",
    ]
    .join("؛ ");
    let r = in_each_language(
        "a case with four bad fields",
        |lang| {
            app.post_with(
                "/app/save-review-case",
                Some(&me),
                &headers(lang, None),
                bad.clone(),
            )
        },
        Expect {
            http: 400,
            status: 1002,
            english: "rt_id must be a UUID; patient_age must be a whole number from 0 to 150; \
patient_gender must be male or female; status must be draft or review",
            arabic: &arabic,
        },
    );
    // Fields are named in words, each isolated, never by their raw names.
    let message = r.message();
    for name in ["نوع المراجعة", "عمر المريض", "جنس المريض", "الحالة"]
    {
        assert!(
            message.contains(&format!("{FSI}{name}{PDI}")),
            "{name} isolated in {message:?}"
        );
    }
    for raw in ["rt_id", "patient_age", "patient_gender", "status"] {
        assert!(!message.contains(raw), "{raw} in {message:?}");
    }
    assert_eq!(plain(message).split("؛ ").count(), 4, "{message}");
    let list = app.post("/app/review-cases", Some(&me), json!({}));
    assert_eq!(list.json["pagination"]["total"], 0, "nothing was written");

    let admin = app.admin();
    let review_types = || {
        app.post("/admin/review-types", Some(&admin), json!({}))
            .json["pagination"]["total"]
            .clone()
    };
    let before = review_types();
    let mut bad = review_type(1);
    bad["name_en"] = json!("  ");
    bad["doctor_count"] = json!(0);
    bad["currency"] = json!("usd");
    let arabic = [
        "يجب أن تكون العملة رمز عملة من ثلاثة أحرف إنجليزية كبيرة وفق ISO 4217، مثل USD",
        "يجب أن تكون قيمة عدد الأطباء بين 1 و50",
        "يجب أن يتكون الاسم بالإنجليزية من 1 إلى 120 حرفًا",
    ]
    .join("؛ ");
    let r = in_each_language(
        "a review type with three bad fields",
        |lang| {
            app.post_with(
                "/admin/create-review-type",
                Some(&admin),
                &headers(lang, None),
                bad.clone(),
            )
        },
        Expect {
            http: 400,
            status: 1002,
            // Ordered by field, as every validation answer is.
            english: "currency: must be an ISO 4217 code of three capital letters; \
doctor_count: must be between 1 and 50; name_en: must be 1 to 120 characters",
            arabic: &arabic,
        },
    );
    for raw in ["name_en", "doctor_count", "currency"] {
        assert!(!r.message().contains(raw), "{raw} in {:?}", r.message());
    }
    assert_eq!(review_types(), before, "nothing was written");
});

on_each_backend!(token_refusals_in_the_callers_language, |app| {
    let codec = Codec::new(app.ring.clone());
    for (path, audience, wrong_audience) in [
        ("/app/how", "snr_usr", app.admin()),
        ("/admin/review-types", "snr_admin", app.user()),
    ] {
        let ask = |token: Option<&str>, lang: Option<&str>| {
            app.post_with(path, token, &headers(lang, None), json!({}))
        };
        in_each_language(
            &format!("no token on {path}"),
            |lang| ask(None, lang),
            Expect {
                http: 401,
                status: 1003,
                english: "Missing Authorization header",
                arabic: "يجب تسجيل الدخول أولًا",
            },
        );

        let exp = now() + 600;
        let jti = TokenId::from_uuid(uuid::Uuid::now_v7());
        let revoked = codec
            .seal(&claims_with_id(audience, exp, &jti.to_string()))
            .unwrap();
        app.platform
            .store
            .revoke(jti, exp, time::OffsetDateTime::now_utc())
            .unwrap();
        in_each_language(
            &format!("a revoked token on {path}"),
            |lang| ask(Some(&revoked), lang),
            Expect {
                http: 401,
                status: 1003,
                english: "Token has been revoked",
                arabic: "انتهت هذه الجلسة، يرجى تسجيل الدخول مجددًا",
            },
        );

        in_each_language(
            &format!("a token for another service on {path}"),
            |lang| ask(Some(&wrong_audience), lang),
            Expect {
                http: 401,
                status: 1003,
                english: "Token is not valid for this service",
                arabic: "رمز الدخول هذا لا يصلح لهذه الخدمة",
            },
        );
    }
});

on_each_backend!(edge_answers_in_the_callers_language, |app| {
    let user = app.user();
    let admin = app.admin();
    for (surface, token, post_route) in [
        ("app", user.as_str(), "/app/save-review-case"),
        ("admin", admin.as_str(), "/admin/review-types"),
    ] {
        let nowhere = format!("/{surface}/nothing-here");
        in_each_language(
            &format!("POST {nowhere}"),
            |lang| app.post_with(&nowhere, None, &headers(lang, None), json!({})),
            Expect {
                http: 404,
                status: 1002,
                english: &format!("No route for POST {nowhere}"),
                arabic: &format!("لا توجد خدمة بهذا العنوان: POST {nowhere}"),
            },
        );

        in_each_language(
            &format!("GET {post_route}"),
            |lang| {
                let r = app.send("GET", post_route, &headers(lang, Some(token)), None);
                assert_eq!(r.headers.get("allow").unwrap(), "POST", "lang {lang:?}");
                r
            },
            Expect {
                http: 405,
                status: 1002,
                english: &format!("Method GET is not allowed on {post_route}; use POST"),
                arabic: &format!("لا تقبل الخدمة {post_route} الطريقة GET؛ استخدم POST"),
            },
        );

        let huge = format!("{{\"q\": \"{}\"}}", "x".repeat(70 * 1024));
        let big = in_each_language(
            &format!("70 KiB to {post_route}"),
            |lang| {
                app.send(
                    "POST",
                    post_route,
                    &headers(lang, Some(token)),
                    Some(("application/json", huge.clone().into_bytes())),
                )
            },
            Expect {
                http: 413,
                status: 1002,
                english: "Request body is larger than the limit of 64 KiB",
                arabic: "حجم الطلب أكبر من الحد المسموح به (64 كيلوبايت)",
            },
        );
        assert!(
            big.message().contains(&format!("{FSI}64{PDI}")),
            "the number is isolated: {:?}",
            big.message()
        );
    }
});

on_each_backend!(successes_in_the_callers_language, |app| {
    let (rt, dc) = seed_catalogue(&app);
    let me = app.user();
    in_each_language(
        "a saved case",
        |lang| {
            app.post_with(
                "/app/save-review-case",
                Some(&me),
                &headers(lang, None),
                case_body(&rt, &dc, "draft"),
            )
        },
        Expect {
            http: 200,
            status: 1000,
            english: "Case saved",
            arabic: "تم حفظ الحالة",
        },
    );
    let admin = app.admin();
    let mut n = 0;
    in_each_language(
        "a created review type",
        |lang| {
            n += 1;
            app.post_with(
                "/admin/create-review-type",
                Some(&admin),
                &headers(lang, None),
                review_type(n),
            )
        },
        Expect {
            http: 200,
            status: 1000,
            english: "Review type created",
            arabic: "تم إنشاء نوع المراجعة",
        },
    );
});

on_each_backend!(timeline_titles_in_the_callers_language, |app| {
    let (rt, dc) = seed_catalogue(&app);
    let me = app.user();
    let id = save(&app, &me, case_body(&rt, &dc, "draft"));
    for status in ["draft", "review"] {
        let mut edit = case_body(&rt, &dc, status);
        edit["case_id"] = json!(id);
        let r = app.post("/app/update-review-case", Some(&me), edit);
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let timeline = |lang: Option<&str>| -> Vec<(String, String)> {
        let r = app.post_with(
            "/app/review-case-details",
            Some(&me),
            &headers(lang, None),
            json!({ "case_id": id }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["data"]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["event"].as_str().unwrap().to_owned(),
                    t["title"].as_str().unwrap_or("<no title>").to_owned(),
                )
            })
            .collect()
    };
    let english = [
        ("created".to_owned(), "Case created".to_owned()),
        ("updated".to_owned(), "Case updated".to_owned()),
        ("submitted".to_owned(), "Case submitted".to_owned()),
    ];
    for lang in ENGLISH {
        assert_eq!(timeline(lang), english, "lang {lang:?}");
    }
    let arabic = [
        ("created".to_owned(), "أُنشئت الحالة".to_owned()),
        ("updated".to_owned(), "عُدّلت الحالة".to_owned()),
        ("submitted".to_owned(), "أُرسلت الحالة للمراجعة".to_owned()),
    ];
    for lang in ARABIC {
        let got: Vec<(String, String)> = timeline(Some(lang))
            .into_iter()
            .map(|(event, title)| (event, plain(&title)))
            .collect();
        assert_eq!(got, arabic, "lang {lang}");
    }
});

on_each_backend!(ehealth_answers_english_whatever_the_header, |app| {
    let path = "/api/v3/declaration_requests/x/nothing-here";
    let english = app.send("GET", path, &[], None);
    assert_eq!(english.status, 404, "{}", english.text);
    assert_eq!(english.json["meta"]["code"], 404);
    assert_eq!(english.json["error"]["type"], "not_found");
    let message = english.json["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(message, format!("No route for GET {path}"));
    for lang in ARABIC {
        let r = app.send("GET", path, &[("lang", lang)], None);
        assert_eq!(r.status, 404, "lang {lang}");
        assert_eq!(r.json["error"], english.json["error"], "lang {lang}");
        assert_eq!(r.json["meta"]["code"], 404);
        assert!(!has_arabic_letters(&r.text), "lang {lang}: {}", r.text);
    }
});

/// The helpers' own idea of Arabic and English.
#[test]
fn the_language_checks_themselves() {
    assert_eq!(plain("\u{2068}64\u{2069} كيلوبايت"), "64 كيلوبايت");
    assert!(has_arabic_letters("تم حفظ الحالة"));
    assert!(!has_arabic_letters("Case saved"));
    for arabic in [
        "لا تقبل الخدمة /app/how الطريقة GET؛ استخدم POST",
        "يجب أن تكون قيمة جنس المريض إحدى القيم: male أو female",
        "لا توجد خدمة بهذا العنوان: POST /app/nothing-here",
        "قيمة نوع المراجعة غير صحيحة: يجب أن تكون معرّفًا بصيغة UUID",
    ] {
        assert_eq!(english_in(arabic), None, "{arabic}");
    }
    for english in ["Case saved", "تم حفظ الحالة: not found", "الحالة Token"] {
        assert!(english_in(english).is_some(), "{english} passed as Arabic");
    }
}
