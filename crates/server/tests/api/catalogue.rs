//! The patient catalogue routes: `/app/how`, `/app/review-types`, `/app/disease-categories`.

use domain::kernel::money::Decimal;
use domain::second_opinion::{NewDiseaseCategory, NewReviewType};
use serde_json::json;

use crate::helpers::{TestApp, on_each_backend};

fn review_type(name: &str, active: bool) -> NewReviewType {
    NewReviewType {
        name_en: name.into(),
        name_ar: format!("{name} بالعربية"),
        description_en: format!("{name} description"),
        description_ar: format!("وصف {name}"),
        min_review_days: 8,
        max_review_days: 12,
        doctor_count: 3,
        price: Decimal::parse("900").unwrap(),
        currency: None,
        icon: None,
        active: Some(active),
    }
}

fn category(en: &str, ar: &str, active: bool) -> NewDiseaseCategory {
    NewDiseaseCategory {
        speciality_en: en.into(),
        speciality_ar: ar.into(),
        active: Some(active),
    }
}

on_each_backend!(how_it_works_in_both_languages, |app| {
    let user = app.user();
    let en = app.post("/app/how", Some(&user), json!({}));
    assert_eq!(en.status, 200, "{}", app.backend);
    assert_eq!(
        en.json,
        json!({
            "status": 1000,
            "message": "ok",
            "data": {
                "lang": 0,
                "title": "How second opinion works",
                "subtitle": "A few simple steps to get an expert medical review of your case.",
                "steps": [
                    { "seq": 1, "title": "Share your medical documents and details securely.", "icon": "document" },
                    { "seq": 2, "title": "Our coordinators match you with the right specialists.", "icon": "users" },
                    { "seq": 3, "title": "Expert doctors review your case and records.", "icon": "stethoscope" },
                    { "seq": 4, "title": "Receive your second opinion summary and next steps.", "icon": "check_circle" }
                ],
                "cta": { "submit_now": "Submit your case now" }
            }
        })
    );
    for lang in ["1", "ar", "AR"] {
        let ar = app.post_with("/app/how", Some(&user), &[("lang", lang)], json!({}));
        assert_eq!(ar.json["data"]["lang"], 1, "lang {lang}");
        assert_eq!(ar.json["data"]["title"], "كيف يعمل الرأي الطبي الثاني");
        assert_eq!(
            ar.json["data"]["subtitle"],
            "بضع خطوات بسيطة للحصول على مراجعة طبية متخصصة لحالتك."
        );
        assert_eq!(
            ar.json["data"]["steps"][0]["title"],
            "شارك مستنداتك وبياناتك الطبية بأمان."
        );
        assert_eq!(ar.json["data"]["cta"]["submit_now"], "أرسل حالتك الآن");
        assert_eq!(ar.json["data"]["steps"][3]["icon"], "check_circle");
    }
    for lang in ["0", "en", "EN", "2", "fr"] {
        let r = app.post_with("/app/how", Some(&user), &[("lang", lang)], json!({}));
        assert_eq!(r.json["data"]["lang"], 0, "lang {lang}");
    }
    // The body is ignored: none at all, or not JSON, is fine.
    let bare = app.send("POST", "/app/how", &[("authorization", &user)], None);
    assert_eq!(bare.status, 200);
});

on_each_backend!(review_types_are_active_newest_first_and_localized, |app| {
    let catalogue = &app.platform.state.catalogue;
    let older = catalogue
        .create_review_type(review_type("Standard Review", true))
        .unwrap();
    let mut express = review_type("Express Review", true);
    express.min_review_days = 2;
    express.max_review_days = 2;
    express.doctor_count = 1;
    express.price = Decimal::parse("650.5").unwrap();
    express.icon = Some("bolt".into());
    let newer = catalogue.create_review_type(express).unwrap();
    catalogue
        .create_review_type(review_type("Retired Review", false))
        .unwrap();

    let user = app.user();
    let en = app.post("/app/review-types", Some(&user), json!({}));
    assert_eq!(en.status, 200);
    let data = &en.json["data"];
    assert_eq!(data["lang"], 0);
    assert_eq!(data["title"], "Select review type");
    assert_eq!(
        data["subtitle"],
        "Get expert medical opinion from our panel"
    );
    assert_eq!(
        data["items"],
        json!([
            {
                "rt_id": newer.id.to_string(), "title": "Express Review",
                "description": "Express Review description", "duration": "2 days",
                "doctor_count": 1, "price": 650.5, "icon": "bolt"
            },
            {
                "rt_id": older.id.to_string(), "title": "Standard Review",
                "description": "Standard Review description", "duration": "8 - 12 days",
                "doctor_count": 3, "price": 900, "icon": "document"
            }
        ])
    );

    let ar = app.post_with(
        "/app/review-types",
        Some(&user),
        &[("lang", "ar")],
        json!({}),
    );
    let items = &ar.json["data"]["items"];
    assert_eq!(ar.json["data"]["title"], "اختر نوع المراجعة");
    assert_eq!(items[0]["title"], "Express Review بالعربية");
    assert_eq!(items[0]["duration"], "يومان");
    // Each number is isolated, so that it keeps its place in right-to-left text.
    assert_eq!(
        items[1]["duration"],
        "\u{2068}8\u{2069} - \u{2068}12\u{2069} يومًا"
    );
    assert_eq!(items[1]["description"], "وصف Standard Review");
});

on_each_backend!(review_types_are_capped_at_100, |app| {
    for i in 0..105 {
        app.platform
            .state
            .catalogue
            .create_review_type(review_type(&format!("Type {i:03}"), true))
            .unwrap();
    }
    let r = app.post("/app/review-types", Some(&app.user()), json!({}));
    let items = r.json["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 100);
    assert_eq!(items[0]["title"], "Type 104");
});

fn seed_categories(app: &TestApp) {
    let catalogue = &app.platform.state.catalogue;
    catalogue
        .create_disease_category(category("Cardiology", "أمراض القلب", true))
        .unwrap();
    catalogue
        .create_disease_category(category("Oncology", "الأورام", true))
        .unwrap();
    catalogue
        .create_disease_category(category("Cardiac Surgery", "جراحة القلب", true))
        .unwrap();
    catalogue
        .create_disease_category(category("Retired Cardio", "قلب قديم", false))
        .unwrap();
    catalogue
        .create_disease_category(category("100% Care_Unit", "رعاية", true))
        .unwrap();
}

fn values(r: &crate::helpers::Response) -> Vec<String> {
    r.json["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_str().unwrap().to_owned())
        .collect()
}

on_each_backend!(disease_categories_filter_over_both_languages, |app| {
    seed_categories(&app);
    let user = app.user();
    let all = app.post("/app/disease-categories", Some(&user), json!({}));
    assert_eq!(all.status, 200);
    assert_eq!(all.json["data"]["lang"], 0);
    assert_eq!(
        values(&all),
        [
            "100% Care_Unit",
            "Cardiac Surgery",
            "Oncology",
            "Cardiology"
        ]
    );
    let key = all.json["data"]["items"][3]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(uuid::Uuid::parse_str(&key).unwrap().get_version_num(), 7);

    let cardio = app.post(
        "/app/disease-categories",
        Some(&user),
        json!({ "q": "CARD" }),
    );
    assert_eq!(values(&cardio), ["Cardiac Surgery", "Cardiology"]);

    let heart = app.post_with(
        "/app/disease-categories",
        Some(&user),
        &[("lang", "1")],
        json!({ "q": "القلب" }),
    );
    assert_eq!(heart.json["data"]["lang"], 1);
    assert_eq!(values(&heart), ["جراحة القلب", "أمراض القلب"]);

    // Wildcards in q are literal characters.
    let percent = app.post("/app/disease-categories", Some(&user), json!({ "q": "0%" }));
    assert_eq!(values(&percent), ["100% Care_Unit"]);
    let underscore = app.post(
        "/app/disease-categories",
        Some(&user),
        json!({ "q": "e_u" }),
    );
    assert_eq!(values(&underscore), ["100% Care_Unit"]);
    let literal = app.post(
        "/app/disease-categories",
        Some(&user),
        json!({ "q": "c_s" }),
    );
    assert_eq!(
        values(&literal),
        Vec::<String>::new(),
        "`_` must not match \"c s\""
    );

    let none = app.post(
        "/app/disease-categories",
        Some(&user),
        json!({ "q": "dermatology" }),
    );
    assert_eq!(none.json["data"]["items"], json!([]));

    // No body at all is the same as {}.
    let bare = app.send(
        "POST",
        "/app/disease-categories",
        &[("authorization", &user)],
        None,
    );
    assert_eq!(values(&bare).len(), 4);
});

on_each_backend!(disease_categories_are_capped_at_300, |app| {
    for i in 0..305 {
        let c = category(&format!("Speciality {i:03}"), &format!("تخصص {i:03}"), true);
        app.platform
            .state
            .catalogue
            .create_disease_category(c)
            .unwrap();
    }
    let r = app.post("/app/disease-categories", Some(&app.user()), json!({}));
    assert_eq!(r.json["data"]["items"].as_array().unwrap().len(), 300);
});

on_each_backend!(disease_category_requests_are_checked, |app| {
    let user = app.user();
    let unknown = app.post(
        "/app/disease-categories",
        Some(&user),
        json!({ "q": "x", "page": 2 }),
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json["status"], 1002);
    assert!(
        unknown.message().contains("unknown field `page`"),
        "{}",
        unknown.message()
    );

    let wrong_type = app.post("/app/disease-categories", Some(&user), json!({ "q": 5 }));
    assert_eq!(wrong_type.status, 400);
    assert!(
        wrong_type
            .message()
            .starts_with("Invalid request body: invalid type: integer `5`")
    );

    let long = app.post(
        "/app/disease-categories",
        Some(&user),
        json!({ "q": "x".repeat(101) }),
    );
    assert_eq!(long.status, 400);
    assert_eq!(long.message(), "q must be at most 100 characters");
});
