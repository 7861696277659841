//! The tables as diesel sees them, written by hand to match both migration sets
//! (`migrations/sqlite` and `migrations/postgres`); the schema parity test keeps the two honest.

diesel::table! {
    review_types (review_type_id) {
        review_type_id -> Text,
        name_en -> Text,
        name_ar -> Text,
        description_en -> Text,
        description_ar -> Text,
        min_review_days -> Integer,
        max_review_days -> Integer,
        doctor_count -> Integer,
        price_minor -> BigInt,
        currency -> Text,
        icon -> Nullable<Text>,
        active -> Bool,
        created_date -> Text,
        updated_date -> Text,
    }
}

diesel::table! {
    disease_categories (dc_id) {
        dc_id -> Text,
        speciality_en -> Text,
        speciality_ar -> Text,
        active -> Bool,
        created_date -> Text,
        updated_date -> Text,
    }
}

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        expires_at -> BigInt,
        revoked_at -> Text,
    }
}

diesel::table! {
    review_cases (case_id) {
        case_id -> Text,
        user_id -> Text,
        rt_id -> Text,
        dc_id -> Text,
        patient_age -> Integer,
        patient_gender -> Text,
        status -> Text,
        medical_history -> Nullable<Text>,
        medical_documents -> Text,
        reject_reason -> Nullable<Text>,
        case_coordinator_id -> Nullable<Text>,
        lang -> Text,
        is_notified -> Bool,
        version -> BigInt,
        created_date -> Text,
        updated_date -> Text,
    }
}

diesel::table! {
    second_opinions (sop_id) {
        sop_id -> Text,
        case_id -> Text,
        doctor_id -> Text,
        requested_documents -> Text,
        created_date -> Text,
        active -> Bool,
        is_coordinator -> Bool,
    }
}

diesel::table! {
    case_timeline (entry_id) {
        entry_id -> Text,
        case_id -> Text,
        actor_id -> Text,
        actor_role -> Text,
        event -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        note -> Nullable<Text>,
        created_date -> Text,
    }
}

diesel::table! {
    notification_outbox (notification_id) {
        notification_id -> Text,
        kind -> Text,
        recipient_id -> Text,
        recipient_role -> Text,
        lang -> Text,
        case_id -> Nullable<Text>,
        data -> Text,
        status -> Text,
        attempts -> Integer,
        delivered_channels -> Text,
        last_error -> Nullable<Text>,
        next_attempt_at -> Text,
        locked_until -> Nullable<Text>,
        created_date -> Text,
        delivered_date -> Nullable<Text>,
    }
}

diesel::table! {
    user_contacts (user_id) {
        user_id -> Text,
        email -> Nullable<Text>,
        updated_date -> Text,
    }
}

diesel::table! {
    store_events (event_id) {
        event_id -> BigInt,
        payload -> Text,
        created_date -> Text,
    }
}

diesel::table! {
    user_case_counts (user_id) {
        user_id -> Text,
        total -> BigInt,
    }
}
