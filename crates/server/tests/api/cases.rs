//! Review cases through `/app`, and draft reminders.

use domain::identity::Audience;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_each_backend};

pub fn seed_catalogue(app: &TestApp) -> (String, String) {
    let report = server::seed::seed_demo(&app.platform.state.catalogue).unwrap();
    assert_eq!(report.created, 12);
    (
        "0193a1c0-0000-7000-8000-000000000001".into(),
        "0193a1c0-0000-7000-8000-000000000101".into(),
    )
}

pub fn case_body(rt: &str, dc: &str, status: &str) -> Value {
    json!({
        "rt_id": rt,
        "dc_id": dc,
        "patient_age": 54,
        "patient_gender": "female",
        "status": status,
        "medical_history": "Hypertension since 2019",
        "medical_documents": [
            { "url": "https://files.example.org/a.pdf", "key": "uploads/p1/a.pdf", "name": "a.pdf" }
        ]
    })
}

pub fn save(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post("/app/save-review-case", Some(token), body);
    assert_eq!((r.status, r.message()), (200, "Case saved"), "{}", r.text);
    r.json["data"]["case_id"].as_str().unwrap().to_owned()
}

fn details(app: &TestApp, token: &str, id: &str) -> crate::helpers::Response {
    app.post(
        "/app/review-case-details",
        Some(token),
        json!({ "case_id": id }),
    )
}

on_each_backend!(a_patient_saves_edits_submits_and_reads_a_case, |app| {
    let (rt, dc) = seed_catalogue(&app);
    let me = app.user();
    let id = save(&app, &me, case_body(&rt, &dc, "draft"));

    let d = details(&app, &me, &id);
    assert_eq!(d.status, 200);
    let data = &d.json["data"];
    assert_eq!(data["case_id"], id.as_str());
    assert_eq!(data["status"], "draft");
    assert_eq!(data["patient_age"], 54);
    assert_eq!(data["patient_gender"], "female");
    assert_eq!(data["medical_history"], "Hypertension since 2019");
    assert_eq!(data["medical_documents"][0]["name"], "a.pdf");
    assert_eq!(data["reject_reason"], Value::Null);
    assert_eq!(data["case_coordinator_id"], Value::Null);
    assert_eq!(data["timeline"][0]["event"], "created");
    assert_eq!(data["timeline"][0]["by"], "patient");

    // An update without documents keeps them.
    let mut edit = case_body(&rt, &dc, "draft");
    edit["case_id"] = json!(id);
    edit["patient_age"] = json!(55);
    edit.as_object_mut().unwrap().remove("medical_documents");
    let u = app.post("/app/update-review-case", Some(&me), edit.clone());
    assert_eq!((u.status, u.message()), (200, "Case updated"), "{}", u.text);
    assert_eq!(u.json["data"]["patient_age"], 55);
    assert_eq!(
        u.json["data"]["medical_documents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    edit["status"] = json!("review");
    assert_eq!(
        app.post("/app/update-review-case", Some(&me), edit.clone())
            .status,
        200
    );
    let after = details(&app, &me, &id);
    assert_eq!(after.json["data"]["status"], "review");
    let events: Vec<&str> = after.json["data"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["created", "updated", "submitted"]);

    // Submitted: no more edits, no more documents.
    let again = app.post("/app/update-review-case", Some(&me), edit);
    assert_eq!(
        (again.status, again.json["status"].as_u64()),
        (409, Some(1002))
    );
    assert_eq!(
        again.message(),
        "Updating is not possible while the case is review"
    );
    let docs = app.post(
        "/app/add-medical-documents",
        Some(&me),
        json!({ "case_id": id, "med_docs": [{ "url": "u", "key": "k", "name": "n" }] }),
    );
    assert_eq!(
        (docs.status, docs.message()),
        (
            409,
            "Adding documents is not possible while the case is review"
        )
    );
});

on_each_backend!(
    another_patients_case_is_indistinguishable_from_a_missing_one,
    |app| {
        let (rt, dc) = seed_catalogue(&app);
        let owner = app.user();
        let id = save(&app, &owner, case_body(&rt, &dc, "draft"));
        let intruder = app.token(Audience::SnrUsr, "patient-2", &[]);
        let missing = "0193a1c0-0000-7000-8000-0000000000ff";
        for case_id in [id.as_str(), missing] {
            let d = details(&app, &intruder, case_id);
            assert_eq!((d.status, d.message()), (404, "Case not found"));
            let mut edit = case_body(&rt, &dc, "review");
            edit["case_id"] = json!(case_id);
            let u = app.post("/app/update-review-case", Some(&intruder), edit);
            assert_eq!((u.status, u.message()), (404, "Case not found"));
            let a = app.post(
            "/app/add-medical-documents",
            Some(&intruder),
            json!({ "case_id": case_id, "med_docs": [{ "url": "u", "key": "k", "name": "n" }] }),
        );
            assert_eq!((a.status, a.message()), (404, "Case not found"));
        }
        let list = app.post("/app/review-cases", Some(&intruder), json!({}));
        assert_eq!(list.json["data"], json!([]));
        // The owner's case is untouched.
        assert_eq!(details(&app, &owner, &id).json["data"]["status"], "draft");
    }
);

on_each_backend!(
    bad_cases_are_refused_with_every_reason_and_nothing_is_written,
    |app| {
        let (rt, dc) = seed_catalogue(&app);
        let me = app.user();
        let bad = json!({
            "rt_id": "not-a-uuid", "dc_id": dc, "patient_age": 151, "patient_gender": "other",
            "status": "completed", "medical_documents": [{ "url": " ", "key": "k", "name": "n" }]
        });
        let r = app.post("/app/save-review-case", Some(&me), bad);
        assert_eq!((r.status, r.json["status"].as_u64()), (400, Some(1002)));
        assert_eq!(
            r.message(),
            "rt_id must be a UUID; patient_age must be a whole number from 0 to 150; patient_gender must be male or female; \
status must be draft or review; medical_documents[0].url must be 1 to 2048 characters"
        );

        let retired = app.post(
            "/admin/deactivate-review-type",
            Some(&app.admin()),
            json!({ "rt_id": rt }),
        );
        assert_eq!(retired.status, 200);
        let inactive = app.post(
            "/app/save-review-case",
            Some(&me),
            case_body(&rt, &dc, "draft"),
        );
        assert_eq!(
            (inactive.status, inactive.message()),
            (400, "rt_id is not an active review type")
        );
        let unknown_dc = app.post(
            "/app/save-review-case",
            Some(&me),
            case_body(
                "0193a1c0-0000-7000-8000-000000000002",
                "0193a1c0-0000-7000-8000-0000000000aa",
                "draft",
            ),
        );
        assert_eq!(
            (unknown_dc.status, unknown_dc.message()),
            (400, "dc_id is not an active disease category")
        );

        for field in [
            "user_id",
            "case_coordinator_id",
            "is_notified",
            "reject_reason",
        ] {
            let mut body = case_body("0193a1c0-0000-7000-8000-000000000002", &dc, "draft");
            body[field] = json!("x");
            let r = app.post("/app/save-review-case", Some(&me), body);
            assert_eq!(r.status, 400, "{field}");
            assert!(
                r.message().contains(&format!("unknown field `{field}`")),
                "{}",
                r.message()
            );
        }
        let float_age = {
            let mut b = case_body("0193a1c0-0000-7000-8000-000000000002", &dc, "draft");
            b["patient_age"] = json!(54.5);
            app.post("/app/save-review-case", Some(&me), b)
        };
        assert_eq!(float_age.status, 400);

        let too_many: Vec<Value> =
        (0..51).map(|i| json!({ "url": format!("u{i}"), "key": format!("k{i}"), "name": format!("n{i}") })).collect();
        let mut b = case_body("0193a1c0-0000-7000-8000-000000000002", &dc, "draft");
        b["medical_documents"] = json!(too_many);
        let r = app.post("/app/save-review-case", Some(&me), b);
        assert_eq!(
            (r.status, r.message()),
            (400, "medical_documents holds at most 50 documents")
        );

        let list = app.post("/app/review-cases", Some(&me), json!({}));
        assert_eq!(list.json["pagination"]["total"], 0, "nothing was written");

        // Updates refuse server-owned fields too.
        let mut good = case_body("0193a1c0-0000-7000-8000-000000000002", &dc, "draft");
        good["medical_documents"] = json!([]);
        let id = save(&app, &me, good.clone());
        for field in [
            "user_id",
            "case_coordinator_id",
            "is_notified",
            "status_note",
        ] {
            let mut edit = good.clone();
            edit["case_id"] = json!(id);
            edit[field] = json!("x");
            let r = app.post("/app/update-review-case", Some(&me), edit);
            assert_eq!(r.status, 400, "{field}");
            assert!(
                r.message().contains(&format!("unknown field `{field}`")),
                "{}",
                r.message()
            );
        }
        let missing = app.post(
            "/app/update-review-case",
            Some(&me),
            json!({ "case_id": id }),
        );
        assert_eq!(missing.status, 400);
        assert!(
            missing.message().contains("missing field `rt_id`"),
            "{}",
            missing.message()
        );
    }
);

on_each_backend!(documents_are_appended_up_to_fifty, |app| {
    let (rt, dc) = seed_catalogue(&app);
    let me = app.user();
    let id = save(&app, &me, case_body(&rt, &dc, "draft"));
    let docs = |n: usize, from: usize| -> Value {
        json!((from..from + n)
            .map(|i| json!({ "url": format!("https://f/{i}"), "key": format!("k/{i}"), "name": format!("{i}.pdf") }))
            .collect::<Vec<_>>())
    };
    let r = app.post(
        "/app/add-medical-documents",
        Some(&me),
        json!({ "case_id": id, "med_docs": docs(48, 1) }),
    );
    assert_eq!(
        (r.status, r.message(), r.json["data"].clone()),
        (200, "Medical documents updated", json!({}))
    );
    let over = app.post(
        "/app/add-medical-documents",
        Some(&me),
        json!({ "case_id": id, "med_docs": docs(2, 49) }),
    );
    assert_eq!(
        (over.status, over.message()),
        (
            400,
            "A case holds at most 50 medical documents: it has 49 and 2 were sent"
        )
    );
    let last = app.post(
        "/app/add-medical-documents",
        Some(&me),
        json!({ "case_id": id, "med_docs": docs(1, 49) }),
    );
    assert_eq!(last.status, 200);
    let d = details(&app, &me, &id);
    let stored = d.json["data"]["medical_documents"].as_array().unwrap();
    assert_eq!(stored.len(), 50);
    assert_eq!(stored[0]["name"], "a.pdf");
    assert_eq!(stored[49]["name"], "49.pdf");

    let empty_name = app.post(
        "/app/add-medical-documents",
        Some(&me),
        json!({ "case_id": id, "med_docs": [{ "url": "u", "key": "k", "name": "" }] }),
    );
    assert_eq!(empty_name.status, 400);
    let missing_key = app.post(
        "/app/add-medical-documents",
        Some(&me),
        json!({ "case_id": id, "med_docs": [{ "url": "u", "name": "n" }] }),
    );
    assert_eq!(missing_key.status, 400);
    assert!(missing_key.message().contains("missing field `key`"));
});

on_each_backend!(concurrent_appends_lose_nothing, |app| {
    let (rt, dc) = seed_catalogue(&app);
    let me = app.user();
    let mut body = case_body(&rt, &dc, "draft");
    body["medical_documents"] = json!([]);
    let id = save(&app, &me, body);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (app, me, id) = (&app, &me, &id);
            s.spawn(move || {
                for i in 0..5 {
                    let doc = json!([{ "url": format!("u{t}-{i}"), "key": format!("k{t}-{i}"), "name": format!("n{t}-{i}") }]);
                    let r = app.post("/app/add-medical-documents", Some(me), json!({ "case_id": id, "med_docs": doc }));
                    // Under contention a request may lose its race three times; it then says so.
                    assert!(r.status == 200 || r.status == 409, "{}", r.text);
                }
            });
        }
    });
    let d = details(&app, &me, &id);
    let stored = d.json["data"]["medical_documents"]
        .as_array()
        .unwrap()
        .len();
    let appended = d.json["data"]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["event"] == "documents_added")
        .count();
    assert_eq!(
        stored, appended,
        "every acknowledged append is stored, once"
    );
    assert!(stored >= 5, "{}", app.backend);
});

on_each_backend!(lists_are_the_patients_own_newest_first_and_paged, |app| {
    let (rt, dc) = seed_catalogue(&app);
    let me = app.user();
    let other = app.token(Audience::SnrUsr, "patient-2", &[]);
    save(&app, &other, case_body(&rt, &dc, "draft"));
    let ids: Vec<String> = (0..7)
        .map(|_| save(&app, &me, case_body(&rt, &dc, "draft")))
        .collect();
    let page = app.post(
        "/app/review-cases",
        Some(&me),
        json!({ "page": 2, "page_size": 3 }),
    );
    assert_eq!(
        page.json["pagination"],
        json!({ "total": 7, "page": 2, "page_size": 3 })
    );
    let got: Vec<&str> = page.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[3].as_str(), ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(page.json["data"][0]["reject_reason"], Value::Null);
    let bad = app.post("/app/review-cases", Some(&me), json!({ "page": 0 }));
    assert_eq!(bad.status, 400);
});

on_each_backend!(
    submitting_writes_a_notification_for_the_patient_in_their_language,
    |app| {
        let (rt, dc) = seed_catalogue(&app);
        let me = app.user();
        let id = app.post_with(
            "/app/save-review-case",
            Some(&me),
            &[("lang", "ar")],
            case_body(&rt, &dc, "review"),
        );
        assert_eq!(id.status, 200);
        let case_id = id.json["data"]["case_id"].as_str().unwrap();
        let draft = save(&app, &me, case_body(&rt, &dc, "draft"));
        let list = app.post("/admin/notifications", Some(&app.admin()), json!({}));
        let items = list.json["data"].as_array().unwrap();
        assert_eq!(items.len(), 1, "a draft notifies nobody");
        assert_eq!(items[0]["kind"], "case_submitted");
        assert_eq!(items[0]["code"], "UCP01");
        assert_eq!(items[0]["case_id"], case_id);
        assert_eq!(items[0]["recipient_id"], "patient-1");
        assert_eq!(items[0]["recipient_role"], "patient");
        assert_eq!(items[0]["lang"], "ar");
        assert_eq!(items[0]["status"], "pending");
        assert_ne!(items[0]["case_id"], draft.as_str());
        let bad = app.post(
            "/admin/notifications",
            Some(&app.admin()),
            json!({ "status": "sent" }),
        );
        assert_eq!(
            (bad.status, bad.message()),
            (400, "status must be pending, delivered or failed")
        );
    }
);

on_each_backend!(patients_keep_their_contact_details, |app| {
    let me = app.user();
    let none = app.post("/app/contact-details", Some(&me), json!({}));
    assert_eq!(none.json["data"], json!({ "email": null }));
    let set = app.post(
        "/app/update-contact-details",
        Some(&me),
        json!({ "email": " layla@example.org " }),
    );
    assert_eq!(
        (set.status, set.message()),
        (200, "Contact details updated")
    );
    assert_eq!(
        app.post("/app/contact-details", Some(&me), json!({})).json["data"]["email"],
        "layla@example.org"
    );
    let other = app.token(Audience::SnrUsr, "patient-2", &[]);
    assert_eq!(
        app.post("/app/contact-details", Some(&other), json!({}))
            .json["data"]["email"],
        Value::Null
    );
    let bad = app.post(
        "/app/update-contact-details",
        Some(&me),
        json!({ "email": "not an address" }),
    );
    assert_eq!(
        (bad.status, bad.message()),
        (400, "email must be an address like name@example.org")
    );
    let cleared = app.post(
        "/app/update-contact-details",
        Some(&me),
        json!({ "email": null }),
    );
    assert_eq!(cleared.json["data"]["email"], Value::Null);
});
