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
        doctors_assigned_date -> Nullable<Text>,
        summary -> Nullable<Text>,
        completed_date -> Nullable<Text>,
        report_key_en -> Nullable<Text>,
        report_key_ar -> Nullable<Text>,
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
        requested_date -> Nullable<Text>,
        answered_date -> Nullable<Text>,
        opinion -> Nullable<Text>,
        opinion_date -> Nullable<Text>,
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

// The patient's list reads its total as a subquery beside the page's rows.
diesel::allow_tables_to_appear_in_same_query!(review_cases, user_case_counts);

diesel::table! {
    providers (provider_id) {
        provider_id -> Text,
        name_en -> Text,
        name_ar -> Text,
        speciality_en -> Text,
        speciality_ar -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        lang -> Text,
        active -> Bool,
        created_date -> Text,
        updated_date -> Text,
    }
}

diesel::table! {
    case_coordinators (provider_id, dc_id) {
        provider_id -> Text,
        dc_id -> Text,
    }
}

diesel::table! {
    sop_doctors (provider_id, dc_id) {
        provider_id -> Text,
        dc_id -> Text,
    }
}

diesel::table! {
    payments (payment_id) {
        payment_id -> Text,
        case_id -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        status -> Text,
        url -> Text,
        created_date -> Text,
        paid_date -> Nullable<Text>,
        paid_by -> Nullable<Text>,
    }
}

diesel::table! {
    payment_events (event_id) {
        event_id -> Text,
        payment_id -> Text,
        received_date -> Text,
    }
}

diesel::table! {
    legal_entities (legal_entity_id) {
        legal_entity_id -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        edrpou -> Nullable<Text>,
        inserted_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    divisions (division_id) {
        division_id -> Text,
        legal_entity_id -> Text,
        name -> Text,
        inserted_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    employees (employee_id) {
        employee_id -> Text,
        legal_entity_id -> Text,
        division_id -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        second_name -> Nullable<Text>,
        employee_type -> Text,
        speciality -> Nullable<Text>,
        status -> Text,
        public_key -> Nullable<Text>,
        inserted_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    persons (person_id) {
        person_id -> Text,
        first_name -> Text,
        last_name -> Text,
        second_name -> Nullable<Text>,
        birth_date -> Text,
        tax_id -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        verification_status -> Text,
        authentication_methods -> Text,
        inserted_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    declarations (declaration_id) {
        declaration_id -> Text,
        declaration_number -> Text,
        person_id -> Text,
        employee_id -> Text,
        legal_entity_id -> Text,
        division_id -> Nullable<Text>,
        status -> Text,
        reason -> Nullable<Text>,
        start_date -> Text,
        declaration_request_id -> Nullable<Text>,
        signed_at -> Nullable<Text>,
        block_number -> Nullable<BigInt>,
        inserted_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    declaration_requests (declaration_request_id) {
        declaration_request_id -> Text,
        person_id -> Text,
        employee_id -> Text,
        division_id -> Text,
        legal_entity_id -> Text,
        start_date -> Text,
        parent_declaration_id -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        authentication_method_current -> Nullable<Text>,
        declaration_number -> Text,
        declaration_id -> Text,
        data_to_be_signed -> Nullable<Text>,
        printout_content -> Nullable<Text>,
        seed -> Nullable<Text>,
        is_shareable -> Bool,
        documents -> Text,
        inserted_at -> Text,
        inserted_by -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    verifications (verification_id) {
        verification_id -> Text,
        phone_number -> Text,
        declaration_request_id -> Nullable<Text>,
        code_salt -> Text,
        code_digest -> Text,
        status -> Text,
        attempts_count -> Integer,
        code_expired_at -> Text,
        inserted_at -> Text,
    }
}

diesel::table! {
    declaration_blocks (block_number) {
        block_number -> BigInt,
        hash -> Text,
        previous_hash -> Text,
        declaration_count -> BigInt,
        first_declaration_id -> Text,
        last_declaration_id -> Text,
        closed_at -> Text,
    }
}

diesel::joinable!(case_coordinators -> providers (provider_id));
diesel::joinable!(sop_doctors -> providers (provider_id));
diesel::allow_tables_to_appear_in_same_query!(providers, case_coordinators, sop_doctors);

diesel::table! {
    staff_accounts (staff_id) {
        staff_id -> Text,
        username -> Text,
        username_key -> Text,
        name -> Text,
        name_ar -> Nullable<Text>,
        roles -> Text,
        is_active -> Bool,
        provider_id -> Nullable<Text>,
        password_hash -> Text,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    staff_tokens (jti) {
        jti -> Text,
        staff_id -> Text,
        expires_at -> BigInt,
        issued_at -> Text,
    }
}

diesel::table! {
    clinic_counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    patients (patient_id) {
        patient_id -> Text,
        mrn -> Text,
        name -> Text,
        name_ar -> Nullable<Text>,
        birth_date -> Nullable<Text>,
        sex -> Nullable<Text>,
        phone -> Nullable<Text>,
        national_id -> Nullable<Text>,
        address -> Nullable<Text>,
        search_text -> Text,
        deleted_at -> Nullable<Text>,
        created_at -> Text,
        created_by -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    patient_search_terms (term, patient_id) {
        term -> Text,
        patient_id -> Text,
    }
}

diesel::table! {
    appointments (appointment_id) {
        appointment_id -> Text,
        patient_id -> Text,
        doctor_id -> Text,
        date -> Text,
        time -> Text,
        duration_minutes -> Integer,
        department -> Nullable<Text>,
        notes -> Nullable<Text>,
        status -> Text,
        accession_number -> Text,
        version -> BigInt,
        created_at -> Text,
        created_by -> Text,
        updated_at -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    appointment_history (appointment_id, seq) {
        appointment_id -> Text,
        seq -> Integer,
        from_status -> Nullable<Text>,
        to_status -> Text,
        changed_by -> Text,
        changed_at -> Text,
    }
}

diesel::table! {
    clinic_reports (report_id) {
        report_id -> Text,
        patient_id -> Text,
        study_id -> Nullable<Text>,
        doctor_id -> Text,
        findings -> Text,
        impression -> Text,
        measurements -> Text,
        status -> Text,
        version -> BigInt,
        finalized_at -> Nullable<Text>,
        finalized_by -> Nullable<Text>,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    audit_log (audit_id) {
        audit_id -> Text,
        at -> Text,
        actor_id -> Text,
        action -> Text,
        patient_id -> Nullable<Text>,
        object_type -> Text,
        object_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    dicom_studies (study_id) {
        study_id -> Text,
        study_instance_uid -> Text,
        patient_id -> Nullable<Text>,
        appointment_id -> Nullable<Text>,
        dicom_patient_id -> Nullable<Text>,
        patient_name -> Nullable<Text>,
        patient_birth_date -> Nullable<Text>,
        patient_sex -> Nullable<Text>,
        study_date -> Nullable<Text>,
        study_time -> Nullable<Text>,
        description -> Nullable<Text>,
        accession_number -> Nullable<Text>,
        referring_physician -> Nullable<Text>,
        modalities -> Text,
        series_count -> Integer,
        image_count -> Integer,
        size_bytes -> BigInt,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    dicom_series (series_id) {
        series_id -> Text,
        series_instance_uid -> Text,
        study_id -> Text,
        modality -> Nullable<Text>,
        body_part -> Nullable<Text>,
        description -> Nullable<Text>,
        series_number -> Nullable<Integer>,
        image_count -> Integer,
        created_at -> Text,
    }
}

diesel::table! {
    dicom_images (image_id) {
        image_id -> Text,
        sop_instance_uid -> Text,
        series_id -> Text,
        study_id -> Text,
        patient_id -> Nullable<Text>,
        sop_class_uid -> Text,
        transfer_syntax_uid -> Text,
        instance_number -> Nullable<Integer>,
        pixel_rows -> Nullable<BigInt>,
        pixel_columns -> Nullable<BigInt>,
        frames -> Nullable<BigInt>,
        has_pixels -> Bool,
        photometric_interpretation -> Nullable<Text>,
        size_bytes -> BigInt,
        sha256 -> Text,
        blob_key -> Text,
        arrival -> Text,
        received_by -> Text,
        received_at -> Text,
    }
}

diesel::table! {
    dicom_thumbnails (image_id, size) {
        image_id -> Text,
        size -> Integer,
        blob_key -> Text,
    }
}

diesel::table! {
    blob_trash (blob_key) {
        blob_key -> Text,
        due_at -> Text,
    }
}

diesel::table! {
    documents (document_id) {
        document_id -> Text,
        owner_kind -> Text,
        owner_id -> Text,
        patient_id -> Nullable<Text>,
        blob_key -> Text,
        name -> Text,
        title -> Nullable<Text>,
        kind -> Nullable<Text>,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Text,
        created_at -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::table! {
    dicom_worklist (worklist_id) {
        worklist_id -> Text,
        appointment_id -> Nullable<Text>,
        patient_id -> Text,
        patient_name -> Text,
        patient_mrn -> Text,
        patient_birth_date -> Nullable<Text>,
        patient_sex -> Nullable<Text>,
        accession_number -> Text,
        requested_procedure_id -> Text,
        requested_procedure_description -> Nullable<Text>,
        study_instance_uid -> Text,
        scheduled_step_id -> Text,
        modality -> Text,
        station_ae_title -> Nullable<Text>,
        start_date -> Text,
        start_time -> Text,
        step_description -> Nullable<Text>,
        performing_physician -> Nullable<Text>,
        created_at -> Text,
        created_by -> Text,
    }
}

diesel::joinable!(appointments -> patients (patient_id));
diesel::joinable!(appointments -> staff_accounts (doctor_id));
diesel::joinable!(clinic_reports -> patients (patient_id));
diesel::joinable!(patient_search_terms -> patients (patient_id));
diesel::joinable!(dicom_studies -> patients (patient_id));
diesel::joinable!(dicom_studies -> appointments (appointment_id));
diesel::joinable!(dicom_series -> dicom_studies (study_id));
diesel::joinable!(dicom_images -> dicom_series (series_id));
diesel::joinable!(dicom_images -> dicom_studies (study_id));
diesel::joinable!(dicom_images -> patients (patient_id));
diesel::joinable!(dicom_thumbnails -> dicom_images (image_id));
diesel::joinable!(dicom_worklist -> appointments (appointment_id));
diesel::joinable!(dicom_worklist -> patients (patient_id));
diesel::allow_tables_to_appear_in_same_query!(
    staff_accounts,
    patients,
    patient_search_terms,
    appointments,
    appointment_history,
    clinic_reports,
    audit_log,
    dicom_studies,
    dicom_series,
    dicom_images,
    dicom_thumbnails,
    blob_trash,
    dicom_worklist,
    documents
);
