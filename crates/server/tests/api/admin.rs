//! Catalogue upkeep under `/admin`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, on_each_backend};

fn standard() -> Value {
    json!({
        "name_en": "Standard Review",
        "name_ar": "مراجعة قياسية",
        "description_en": "Reviewed by 3 specialist oncologists",
        "description_ar": "يراجعها 3 أخصائيين في الأورام",
        "min_review_days": 8,
        "max_review_days": 12,
        "doctor_count": 3,
        "price": 900
    })
}

fn create(app: &TestApp, body: Value) -> Value {
    let r = app.post("/admin/create-review-type", Some(&app.admin()), body);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], 1000);
    r.json["data"].clone()
}

on_each_backend!(review_type_lifecycle, |app| {
    let admin = app.admin();
    let created = create(&app, standard());
    let id = created["rt_id"].as_str().unwrap().to_owned();
    assert_eq!(created["icon"], Value::Null);
    assert_eq!(created["currency"], "USD");
    assert_eq!(created["active"], true);
    assert_eq!(created["created_date"], created["updated_date"]);

    let details = app.post(
        "/admin/review-type-details",
        Some(&admin),
        json!({ "rt_id": id }),
    );
    assert_eq!(details.json["data"], created);

    let updated = app.post(
        "/admin/update-review-type",
        Some(&admin),
        json!({ "rt_id": id, "price": 950.25, "icon": "star", "doctor_count": 4 }),
    );
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.message(), "Review type updated");
    assert_eq!(updated.json["data"]["price"], 950.25);
    assert_eq!(updated.json["data"]["icon"], "star");
    assert_eq!(updated.json["data"]["name_en"], "Standard Review");
    assert_eq!(
        updated.json["data"]["created_date"],
        created["created_date"]
    );

    // `icon: null` clears the icon; patients then see "document".
    let cleared = app.post(
        "/admin/update-review-type",
        Some(&admin),
        json!({ "rt_id": id, "icon": null }),
    );
    assert_eq!(cleared.json["data"]["icon"], Value::Null);
    let user = app.user();
    let picker = app.post("/app/review-types", Some(&user), json!({}));
    assert_eq!(picker.json["data"]["items"][0]["icon"], "document");
    assert_eq!(picker.json["data"]["items"][0]["doctor_count"], 4);

    let off = app.post(
        "/admin/deactivate-review-type",
        Some(&admin),
        json!({ "rt_id": id }),
    );
    assert_eq!(off.message(), "Review type deactivated");
    assert_eq!(off.json["data"]["active"], false);
    let picker = app.post("/app/review-types", Some(&user), json!({}));
    assert_eq!(picker.json["data"]["items"], json!([]));
    // Idempotent.
    let again = app.post(
        "/admin/deactivate-review-type",
        Some(&admin),
        json!({ "rt_id": id }),
    );
    assert_eq!(again.status, 200);

    let on = app.post(
        "/admin/activate-review-type",
        Some(&admin),
        json!({ "rt_id": id }),
    );
    assert_eq!(on.json["data"]["active"], true);
    let picker = app.post("/app/review-types", Some(&user), json!({}));
    assert_eq!(picker.json["data"]["items"].as_array().unwrap().len(), 1);
});

on_each_backend!(
    review_type_validation_answers_400_and_writes_nothing,
    |app| {
        let admin = app.admin();
        let cases: [(Value, &str); 7] = [
            (
                json!({ "name_en": "  " }),
                "name_en: must be 1 to 120 characters",
            ),
            (
                json!({ "min_review_days": 13 }),
                "min_review_days: must not be greater than max_review_days",
            ),
            (
                json!({ "doctor_count": 0 }),
                "doctor_count: must be between 1 and 50",
            ),
            (
                json!({ "price": -1 }),
                "price: must be between 0 and 1000000",
            ),
            (
                json!({ "price": 1.005 }),
                "price: must have at most 2 decimals",
            ),
            (
                json!({ "currency": "usd" }),
                "currency: must be an ISO 4217 code of three capital letters",
            ),
            (
                json!({ "icon": "Big Icon" }),
                "icon: must be 1 to 40 characters of a-z, 0-9, '_' or '-'",
            ),
        ];
        for (change, message) in cases {
            let mut body = standard();
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = app.post("/admin/create-review-type", Some(&admin), body);
            assert_eq!((r.status, r.message()), (400, message), "{}", app.backend);
            assert_eq!(r.json["status"], 1002);
        }
        let missing = app.post(
            "/admin/create-review-type",
            Some(&admin),
            json!({ "name_en": "x" }),
        );
        assert_eq!(missing.status, 400);
        assert!(
            missing.message().contains("missing field"),
            "{}",
            missing.message()
        );

        let mass = app.post("/admin/create-review-type", Some(&admin), {
            let mut b = standard();
            b["rt_id"] = json!("0193a1c0-0000-7000-8000-000000000001");
            b
        });
        assert_eq!(mass.status, 400);
        assert!(mass.message().contains("unknown field `rt_id`"));

        let list = app.post("/admin/review-types", Some(&admin), json!({}));
        assert_eq!(list.json["pagination"]["total"], 0, "nothing was written");
    }
);

on_each_backend!(duplicates_conflict_and_unknown_ids_are_404, |app| {
    let admin = app.admin();
    let first = create(&app, standard());
    let mut dup = standard();
    dup["name_en"] = json!("STANDARD review");
    dup["name_ar"] = json!("اسم آخر");
    let r = app.post("/admin/create-review-type", Some(&admin), dup);
    assert_eq!((r.status, r.json["status"].as_u64()), (409, Some(1002)));
    assert_eq!(r.message(), "A review type with this name already exists");

    let mut other = standard();
    other["name_en"] = json!("Express Review");
    other["name_ar"] = json!("مراجعة سريعة");
    let second = create(&app, other);
    let clash = app.post(
        "/admin/update-review-type",
        Some(&admin),
        json!({ "rt_id": second["rt_id"], "name_ar": first["name_ar"] }),
    );
    assert_eq!(clash.status, 409);
    let kept = app.post(
        "/admin/review-type-details",
        Some(&admin),
        json!({ "rt_id": second["rt_id"] }),
    );
    assert_eq!(kept.json["data"]["name_ar"], "مراجعة سريعة");

    let unknown = "0193a1c0-0000-7000-8000-00000000dead";
    for path in [
        "/admin/review-type-details",
        "/admin/update-review-type",
        "/admin/activate-review-type",
    ] {
        let r = app.post(path, Some(&admin), json!({ "rt_id": unknown }));
        assert_eq!(
            (r.status, r.message()),
            (404, "Review type not found"),
            "{path}"
        );
    }
    let bad = app.post(
        "/admin/review-type-details",
        Some(&admin),
        json!({ "rt_id": "nope" }),
    );
    assert_eq!((bad.status, bad.message()), (400, "rt_id must be a UUID"));
});

on_each_backend!(lists_page_and_filter, |app| {
    let admin = app.admin();
    for i in 0..20 {
        let r = app.post(
            "/admin/create-disease-category",
            Some(&admin),
            json!({ "speciality_en": format!("Speciality {i:02}"), "speciality_ar": format!("تخصص {i:02}"), "active": i % 2 == 0 }),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let page = app.post(
        "/admin/disease-categories",
        Some(&admin),
        json!({ "page": 2, "page_size": 6 }),
    );
    assert_eq!(
        page.json["pagination"],
        json!({ "total": 20, "page": 2, "page_size": 6 })
    );
    let names: Vec<&str> = page.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["speciality_en"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Speciality 13",
            "Speciality 12",
            "Speciality 11",
            "Speciality 10",
            "Speciality 09",
            "Speciality 08"
        ]
    );

    let inactive = app.post(
        "/admin/disease-categories",
        Some(&admin),
        json!({ "active": false, "q": "1" }),
    );
    assert_eq!(inactive.json["pagination"]["total"], 6, "{}", inactive.text);

    let clamped = app.post(
        "/admin/disease-categories",
        Some(&admin),
        json!({ "page_size": 1000 }),
    );
    assert_eq!(clamped.json["pagination"]["page_size"], 100);
    assert_eq!(clamped.json["pagination"]["page"], 1);

    for (body, message) in [
        (json!({ "page": 0 }), "page must be 1 or more"),
        (json!({ "page_size": -3 }), "page_size must be 1 or more"),
    ] {
        let r = app.post("/admin/disease-categories", Some(&admin), body);
        assert_eq!((r.status, r.message()), (400, message));
    }
    let fractional = app.post(
        "/admin/disease-categories",
        Some(&admin),
        json!({ "page": 1.5 }),
    );
    assert_eq!(fractional.status, 400);

    let empty_page = app.post(
        "/admin/disease-categories",
        Some(&admin),
        json!({ "page": 9 }),
    );
    assert_eq!(empty_page.json["data"], json!([]));
    assert_eq!(empty_page.json["pagination"]["total"], 20);
});

on_each_backend!(disease_category_upkeep, |app| {
    let admin = app.admin();
    let r = app.post(
        "/admin/create-disease-category",
        Some(&admin),
        json!({ "speciality_en": "Cardiology", "speciality_ar": "أمراض القلب" }),
    );
    assert_eq!(r.message(), "Disease category created");
    let id = r.json["data"]["dc_id"].clone();
    let dup = app.post(
        "/admin/create-disease-category",
        Some(&admin),
        json!({ "speciality_en": "cardiology", "speciality_ar": "قلب" }),
    );
    assert_eq!(
        (dup.status, dup.message()),
        (409, "A disease category with this name already exists")
    );

    let renamed = app.post(
        "/admin/update-disease-category",
        Some(&admin),
        json!({ "dc_id": id, "speciality_en": "Cardiovascular Medicine" }),
    );
    assert_eq!(
        renamed.json["data"]["speciality_en"],
        "Cardiovascular Medicine"
    );
    assert_eq!(renamed.json["data"]["speciality_ar"], "أمراض القلب");

    let off = app.post(
        "/admin/deactivate-disease-category",
        Some(&admin),
        json!({ "dc_id": id }),
    );
    assert_eq!(off.json["data"]["active"], false);
    let picker = app.post("/app/disease-categories", Some(&app.user()), json!({}));
    assert_eq!(picker.json["data"]["items"], json!([]));
    let on = app.post(
        "/admin/activate-disease-category",
        Some(&admin),
        json!({ "dc_id": id }),
    );
    assert_eq!(on.message(), "Disease category activated");

    let details = app.post(
        "/admin/disease-category-details",
        Some(&admin),
        json!({ "dc_id": id }),
    );
    assert_eq!(details.json["data"]["active"], true);
    let empty = app.post(
        "/admin/update-disease-category",
        Some(&admin),
        json!({ "dc_id": id, "speciality_ar": "" }),
    );
    assert_eq!(
        (empty.status, empty.message()),
        (400, "speciality_ar: must be 1 to 120 characters")
    );
});

on_each_backend!(admin_routes_need_an_admin_token, |app| {
    let patient = app.user();
    let r = app.post("/admin/create-review-type", Some(&patient), standard());
    assert_eq!((r.status, r.json["status"].as_u64()), (401, Some(1003)));
    assert_eq!(r.message(), "Token is not valid for this service");
    let none = app.post("/admin/review-types", None, json!({}));
    assert_eq!(
        (none.status, none.message()),
        (401, "Missing Authorization header")
    );
    // A bad body never tells an anonymous caller anything about the route's fields.
    let anonymous_bad_body = app.post("/admin/create-review-type", None, json!({ "nonsense": 1 }));
    assert_eq!(anonymous_bad_body.status, 401);
});
