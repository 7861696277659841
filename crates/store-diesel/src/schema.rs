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
