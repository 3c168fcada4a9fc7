//! Table definitions, as `diesel print-schema` writes them for the migrations in
//! `migrations/`. Both backends share this file: the migrations keep their column types in step.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        system_role -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        session_generation -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        bin -> Nullable<Text>,
        country -> Text,
        region -> Nullable<Text>,
        themes -> Text,
        iati_identifier -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (organization_id, user_id) {
        organization_id -> Text,
        user_id -> Text,
        role -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        summary -> Text,
        programme_id -> Nullable<Text>,
        payload -> Text,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> organizations (organization_id));

diesel::table! {
    programmes (id) {
        id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        managing_organization_id -> Text,
        currency -> Text,
        budget_minor -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        regions -> Text,
        themes -> Text,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        funder_ids -> Nullable<Text>,
        reporting_frequency -> Text,
        reporting_final_report -> Bool,
        reporting_due_days -> Integer,
        report_template -> Text,
        results_stamp -> BigInt,
    }
}

diesel::table! {
    programme_funders (programme_id, organization_id) {
        programme_id -> Text,
        organization_id -> Text,
        committed_minor -> BigInt,
    }
}

diesel::table! {
    calls (id) {
        id -> Text,
        programme_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        max_award_minor -> BigInt,
        envelope_minor -> BigInt,
        eligible_kinds -> Text,
        eligible_regions -> Text,
        min_duration_months -> Integer,
        max_duration_months -> Integer,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        reporting_frequency -> Nullable<Text>,
        reporting_final_report -> Nullable<Bool>,
        reporting_due_days -> Nullable<Integer>,
    }
}

diesel::table! {
    call_criteria (id) {
        id -> Text,
        call_id -> Text,
        position -> Integer,
        name -> Text,
        weight -> Integer,
        max_score -> Integer,
    }
}

diesel::table! {
    call_committee (call_id, user_id) {
        call_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        call_id -> Text,
        applicant_organization_id -> Text,
        title -> Text,
        summary -> Text,
        currency -> Text,
        requested_minor -> BigInt,
        duration_months -> Integer,
        regions -> Text,
        target_groups -> Text,
        budget_lines -> Text,
        partner_organization_ids -> Text,
        status -> Text,
        submitted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        application_id -> Text,
        reviewer_user_id -> Text,
        status -> Text,
        conflict_of_interest -> Bool,
        conflict_note -> Nullable<Text>,
        scores -> Text,
        comment -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        conflict_declared_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        application_id -> Text,
        call_id -> Text,
        programme_id -> Text,
        grantee_organization_id -> Text,
        mentor_organization_id -> Nullable<Text>,
        currency -> Text,
        amount_minor -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        budget_lines -> Text,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        committed_minor -> BigInt,
        paid_minor -> BigInt,
        lines_json -> Nullable<Text>,
    }
}

diesel::table! {
    grant_amendments (id) {
        id -> Text,
        grant_id -> Text,
        reason -> Text,
        changes -> Text,
        actor_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    grant_budget_lines (id) {
        id -> Text,
        grant_id -> Text,
        position -> Integer,
        category -> Text,
        description -> Text,
        amount_minor -> BigInt,
    }
}

diesel::table! {
    disbursements (id) {
        id -> Text,
        grant_id -> Text,
        amount_minor -> BigInt,
        planned_on -> Date,
        condition -> Nullable<Text>,
        status -> Text,
        paid_on -> Nullable<Date>,
        payment_reference -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        requirement_id -> Nullable<Text>,
    }
}

diesel::table! {
    indicators (id) {
        id -> Text,
        programme_id -> Text,
        code -> Text,
        name -> Text,
        unit -> Text,
        kind -> Text,
        aggregation -> Text,
        baseline -> Nullable<BigInt>,
        target -> Nullable<BigInt>,
        dimensions -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grant_indicators (grant_id, indicator_id) {
        grant_id -> Text,
        indicator_id -> Text,
        position -> Integer,
        baseline -> Nullable<BigInt>,
        target -> Nullable<BigInt>,
    }
}

diesel::joinable!(grant_amendments -> grants (grant_id));
diesel::joinable!(disbursements -> grants (grant_id));
diesel::joinable!(grant_budget_lines -> grants (grant_id));
diesel::joinable!(grants -> programmes (programme_id));
diesel::joinable!(reviews -> applications (application_id));
diesel::joinable!(reviews -> users (reviewer_user_id));
diesel::joinable!(applications -> calls (call_id));
diesel::joinable!(applications -> organizations (applicant_organization_id));
diesel::joinable!(programmes -> organizations (managing_organization_id));
diesel::joinable!(programme_funders -> programmes (programme_id));
diesel::joinable!(calls -> programmes (programme_id));
diesel::joinable!(call_criteria -> calls (call_id));
diesel::joinable!(call_committee -> calls (call_id));
diesel::joinable!(programme_funders -> organizations (organization_id));
diesel::joinable!(indicators -> programmes (programme_id));
diesel::joinable!(grant_indicators -> grants (grant_id));
diesel::joinable!(grant_indicators -> indicators (indicator_id));

diesel::table! {
    event_audience (event_id, organization_id) {
        event_id -> Text,
        organization_id -> Text,
    }
}

diesel::joinable!(event_audience -> audit_events (event_id));

diesel::table! {
    reporting_requirements (id) {
        id -> Text,
        grant_id -> Text,
        kind -> Text,
        title -> Nullable<Text>,
        period_start -> Date,
        period_end -> Date,
        due_on -> Date,
        status -> Text,
        waived_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reporting_requirement_moves (id) {
        id -> Text,
        requirement_id -> Text,
        from_due_on -> Date,
        to_due_on -> Date,
        reason -> Text,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::joinable!(reporting_requirements -> grants (grant_id));
diesel::joinable!(reporting_requirement_moves -> reporting_requirements (requirement_id));

diesel::table! {
    reports (id) {
        id -> Text,
        grant_id -> Text,
        status -> Text,
        narrative -> Text,
        submissions -> Integer,
        submitted_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_values (report_id, indicator_id) {
        report_id -> Text,
        indicator_id -> Text,
        value -> Nullable<BigInt>,
        denominator -> Nullable<BigInt>,
        text_value -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    report_value_parts (report_id, indicator_id, dimension, category) {
        report_id -> Text,
        indicator_id -> Text,
        dimension -> Text,
        category -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    report_expenditures (report_id, budget_line_id) {
        report_id -> Text,
        budget_line_id -> Text,
        amount_minor -> BigInt,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    report_versions (report_id, number) {
        report_id -> Text,
        number -> Integer,
        form -> Text,
        submitted_by -> Nullable<Text>,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    report_comments (id) {
        id -> Text,
        report_id -> Text,
        author_id -> Nullable<Text>,
        kind -> Text,
        section -> Text,
        text -> Text,
        submission -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    report_attachments (id) {
        id -> Text,
        report_id -> Text,
        name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(reports -> grants (grant_id));
diesel::joinable!(reports -> reporting_requirements (id));
diesel::joinable!(report_values -> reports (report_id));
diesel::joinable!(report_values -> indicators (indicator_id));
diesel::joinable!(report_expenditures -> reports (report_id));
diesel::joinable!(report_versions -> reports (report_id));
diesel::joinable!(report_comments -> reports (report_id));
diesel::joinable!(report_attachments -> reports (report_id));

diesel::table! {
    network_memberships (id) {
        id -> Text,
        network_id -> Text,
        member_organization_id -> Text,
        joined_on -> Date,
        left_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(network_memberships -> organizations (member_organization_id));

diesel::table! {
    meetings (id) {
        id -> Text,
        kind -> Text,
        title -> Text,
        description -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        time_zone -> Text,
        format -> Text,
        place_address -> Nullable<Text>,
        place_region -> Nullable<Text>,
        online_url -> Nullable<Text>,
        visibility -> Text,
        capacity -> Nullable<Integer>,
        status -> Text,
        cancel_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        series_id -> Nullable<Text>,
        registration_open -> Bool,
        registration_contribution_required -> Bool,
        registration_demographics -> Text,
        registration_consent_version -> Nullable<Text>,
        registrations_confirmed -> Integer,
        registration_seq -> BigInt,
        grant_id -> Nullable<Text>,
        indicator_id -> Nullable<Text>,
    }
}

diesel::table! {
    meeting_organizers (meeting_id, organization_id) {
        meeting_id -> Text,
        organization_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    meeting_participants (meeting_id, organization_id) {
        meeting_id -> Text,
        organization_id -> Text,
        role -> Text,
        position -> Integer,
    }
}

diesel::table! {
    meeting_agenda_items (meeting_id, position) {
        meeting_id -> Text,
        position -> Integer,
        title -> Text,
        presenter -> Nullable<Text>,
        minutes -> Integer,
        recommendation_ids -> Text,
    }
}

diesel::joinable!(meeting_organizers -> meetings (meeting_id));
diesel::joinable!(meeting_participants -> meetings (meeting_id));
diesel::joinable!(meeting_agenda_items -> meetings (meeting_id));

diesel::table! {
    results_cache (programme_id, view) {
        programme_id -> Text,
        view -> Text,
        stamp -> BigInt,
        figures -> Text,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    action_items (id) {
        id -> Text,
        meeting_id -> Text,
        text -> Text,
        owner_organization_id -> Nullable<Text>,
        owner_user_id -> Nullable<Text>,
        due_on -> Date,
        done_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(action_items -> meetings (meeting_id));

diesel::table! {
    meeting_series (id) {
        id -> Text,
        kind -> Text,
        title -> Text,
        description -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        time_zone -> Text,
        format -> Text,
        place_address -> Nullable<Text>,
        place_region -> Nullable<Text>,
        online_url -> Nullable<Text>,
        visibility -> Text,
        capacity -> Nullable<Integer>,
        recurrence -> Text,
        frequency -> Text,
        occurrences -> Integer,
        last_starts_at -> Timestamp,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        meeting_id -> Text,
        seq -> BigInt,
        name -> Text,
        email -> Text,
        organization_id -> Nullable<Text>,
        organization_name -> Nullable<Text>,
        contribution_kind -> Nullable<Text>,
        contribution_text -> Nullable<Text>,
        consent_version -> Text,
        consented_at -> Timestamp,
        sex -> Nullable<Text>,
        age_band -> Nullable<Text>,
        disability -> Nullable<Text>,
        status -> Text,
        attendance -> Nullable<Text>,
        token_hash -> Text,
        user_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meeting_series_organizers (series_id, organization_id) {
        series_id -> Text,
        organization_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    meeting_series_participants (series_id, organization_id) {
        series_id -> Text,
        organization_id -> Text,
        role -> Text,
        position -> Integer,
    }
}

diesel::joinable!(meeting_series_organizers -> meeting_series (series_id));
diesel::joinable!(meeting_series_participants -> meeting_series (series_id));
diesel::joinable!(meetings -> meeting_series (series_id));
diesel::joinable!(registrations -> meetings (meeting_id));

diesel::table! {
    meeting_minutes (meeting_id) {
        meeting_id -> Text,
        decisions -> Text,
        summary -> Nullable<Text>,
        attendance -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    recommendations (id) {
        id -> Text,
        meeting_id -> Text,
        text -> Text,
        addressee_organization_id -> Text,
        theme -> Text,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    recommendation_proposers (recommendation_id, organization_id) {
        recommendation_id -> Text,
        organization_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    recommendation_grants (recommendation_id, grant_id) {
        recommendation_id -> Text,
        grant_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    recommendation_indicators (recommendation_id, indicator_id) {
        recommendation_id -> Text,
        indicator_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    recommendation_changes (id) {
        id -> Text,
        recommendation_id -> Text,
        from_status -> Text,
        to_status -> Text,
        on_date -> Date,
        note -> Text,
        evidence_url -> Nullable<Text>,
        author_user_id -> Text,
        acting_organization_id -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    recommendation_endorsements (id) {
        id -> Text,
        recommendation_id -> Text,
        organization_id -> Text,
        user_id -> Text,
        endorsed_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(meeting_minutes -> meetings (meeting_id));
diesel::joinable!(recommendations -> meetings (meeting_id));
diesel::joinable!(recommendation_proposers -> recommendations (recommendation_id));
diesel::joinable!(recommendation_grants -> recommendations (recommendation_id));
diesel::joinable!(recommendation_indicators -> recommendations (recommendation_id));
diesel::joinable!(recommendation_changes -> recommendations (recommendation_id));
diesel::joinable!(recommendation_endorsements -> recommendations (recommendation_id));
diesel::joinable!(recommendation_endorsements -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    idempotency_keys,
    throttle_windows,
    refresh_tokens,
    organizations,
    memberships,
    audit_events,
    programmes,
    programme_funders,
    calls,
    call_criteria,
    call_committee,
    applications,
    reviews,
    grants,
    grant_amendments,
    grant_budget_lines,
    disbursements,
    indicators,
    grant_indicators,
    event_audience,
    reporting_requirements,
    reporting_requirement_moves,
    reports,
    report_values,
    report_value_parts,
    report_expenditures,
    report_versions,
    report_comments,
    report_attachments,
    network_memberships,
    meetings,
    meeting_organizers,
    meeting_participants,
    meeting_agenda_items,
    results_cache,
    action_items,
    meeting_series,
    meeting_series_organizers,
    meeting_series_participants,
    registrations,
    meeting_minutes,
    recommendations,
    recommendation_proposers,
    recommendation_grants,
    recommendation_indicators,
    recommendation_changes,
    recommendation_endorsements,
);

diesel::table! {
    throttle_windows (key) {
        key -> Text,
        started_at -> Timestamp,
        failures -> Integer,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> Text,
        principal -> Text,
        key -> Text,
        fingerprint -> Text,
        started_at -> Timestamp,
        committed -> Bool,
        status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}
