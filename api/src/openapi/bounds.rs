//! Bounds in the contract: every limit the server checks, stated from the constant its check
//! uses, so clients and fuzzers see them (OWASP API4:2023, unrestricted resource consumption).
//!
//! utoipa-gen 5 reads only a literal after `max_length`, `max_items`, `minimum` and `maximum`
//! (a path to a constant does not compile), so a bound written there would be a second copy of
//! its constant. They are written here instead, once the document is complete: by format (ids,
//! dates, times), by query parameter and header name, and by schema property. Multilingual text
//! and pages build their schemas in code (`wire::localized_text!`, `response::Paginated`).
//! `.ci/run` lints the result with Spectral's OWASP rules, which fail on any string, array or
//! integer left unbounded; the tests below fail on an entry that names nothing.

use crate::auth::{jwt, refresh};
use crate::error as problem;
use crate::response;
use seriktes_domain::bin::Bin;
use seriktes_domain::email::Email;
use seriktes_domain::geo::{CountryCode, MAX_REGIONS, RegionCode};
use seriktes_domain::money::{Currency, MAX_AMOUNT_CHARS};
use seriktes_domain::user::NewPassword;
use seriktes_domain::{
    application, audit, budget, calendar, call, file, grant, ids, indicator, meeting,
    meeting_series, membership, minutes, organization, programme, recommendation, registration,
    report, reporting, results, review, training, user, workflow,
};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{OpenApi, RefOr};

/// One bound of a value.
#[derive(Debug, Clone, Copy)]
enum Bound {
    /// A string of at most this many characters.
    Chars(usize),
    /// A string of this many characters or between.
    CharsBetween(usize, usize),
    /// An id as a string: `format: uuid`, [`ids::ID_CHARS`] characters.
    Id,
    /// Exactly this string.
    Is(&'static str),
    /// An array of at most this many items.
    Items(usize),
    /// An array of this many items or between.
    ItemsBetween(usize, usize),
    /// An integer between these two, inclusive.
    Range(i64, i64),
}

/// An integer bound from a count.
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Bounds of query, path and header parameters, by name; a name means the same everywhere.
fn parameters() -> Vec<(&'static str, Bound)> {
    use Bound::{Chars, Range};
    vec![
        ("limit", Range(1, response::MAX_LIMIT)),
        ("cursor", Chars(response::MAX_CURSOR_CHARS)),
        ("If-Match", Chars(response::MAX_IF_MATCH_CHARS)),
        ("country", Chars(CountryCode::LEN)),
        ("region", Chars(RegionCode::MAX_CHARS)),
        ("bin", Chars(Bin::LEN)),
        ("email", Chars(Email::MAX_LEN)),
        ("entity_type", Chars(audit::MAX_ENTITY_TYPE_CHARS)),
        ("entity_id", Chars(audit::MAX_ENTITY_ID_CHARS)),
        ("number", Range(1, i64::from(i32::MAX))),
        ("Registration-Token", Chars(refresh::TOKEN_CHARS)),
    ]
}

/// Bounds of response headers, by name.
fn headers() -> Vec<(&'static str, Bound)> {
    vec![
        ("ETag", Bound::Chars(response::MAX_ETAG_CHARS)),
        ("Location", Bound::Chars(response::MAX_LOCATION_CHARS)),
    ]
}

/// Bounds of schema properties: `(schema, property, bound)`; `property[]` is an array's items.
fn properties() -> Vec<(&'static str, &'static str, Bound)> {
    use Bound::{Chars, CharsBetween, Id, Is, Items, ItemsBetween, Range};
    let months = Range(1, i64::from(call::MAX_MONTHS));
    let actions = [
        ("allowed_actions", Items(workflow::MAX_ACTIONS)),
        ("allowed_actions[]", Chars(workflow::MAX_NAME_CHARS)),
    ];
    let regions = |field: &'static str, items: &'static str| {
        [
            (field, Items(MAX_REGIONS)),
            (items, Chars(RegionCode::MAX_CHARS)),
        ]
    };
    let themes = [
        ("themes", Items(organization::MAX_THEMES)),
        ("themes[]", Chars(organization::MAX_THEME_CHARS)),
    ];
    let profile = [
        ("bin", Chars(Bin::LEN)),
        ("country", Chars(CountryCode::LEN)),
        ("region", Chars(RegionCode::MAX_CHARS)),
        (
            "iati_identifier",
            Chars(organization::MAX_IATI_IDENTIFIER_CHARS),
        ),
    ];
    let draft = [
        ("duration_months", months),
        ("budget_lines", Items(budget::MAX_LINES)),
        ("partner_organization_ids", Items(application::MAX_PARTNERS)),
        ("target_groups", Items(application::MAX_TARGET_GROUPS)),
        (
            "target_groups[]",
            Chars(application::MAX_TARGET_GROUP_CHARS),
        ),
    ];
    let call_fields = [
        ("min_duration_months", months),
        ("max_duration_months", months),
        ("eligible_kinds", Items(call::MAX_ELIGIBLE_KINDS)),
        ("committee_user_ids", Items(call::MAX_COMMITTEE)),
    ];
    let programme_fields = [
        ("funders", Items(programme::MAX_FUNDERS)),
        ("report_template", Items(report::MAX_SECTIONS)),
    ];
    // A count's range holds a percentage's (0 to 100, stated in the descriptions).
    let value = Range(0, indicator::MAX_COUNT);
    let dimensions = Items(indicator::Dimension::ALL.len());
    let indicator_fields = [
        ("baseline", value),
        ("target", value),
        ("disaggregation", dimensions),
    ];
    let grant_indicators = Items(indicator::MAX_GRANT_INDICATORS);
    let line = [
        ("category", Chars(budget::MAX_CATEGORY_CHARS)),
        ("description", Chars(budget::MAX_DESCRIPTION_CHARS)),
    ];
    let person = [
        ("email", Chars(Email::MAX_LEN)),
        ("name", Chars(user::MAX_NAME)),
    ];
    let password = CharsBetween(NewPassword::MIN_CHARS, NewPassword::MAX_CHARS);
    let weight = [
        ("weight", Range(1, i64::from(call::MAX_WEIGHT))),
        ("max_score", Range(1, i64::from(call::MAX_SCORE))),
    ];
    let applications = count(call::MAX_APPLICATIONS);
    let reviews = applications.saturating_mul(count(call::MAX_COMMITTEE));

    let mut out = Vec::new();
    let mut add = |schema: &'static str, fields: &[(&'static str, Bound)]| {
        out.extend(fields.iter().map(|(f, b)| (schema, *f, *b)));
    };
    add("AddMemberRequest", &[("email", Chars(Email::MAX_LEN))]);
    add(
        "AttachmentResponse",
        &[
            ("name", Chars(file::MAX_NAME_CHARS)),
            ("media_type", Chars(file::MAX_MEDIA_TYPE_CHARS)),
            ("sha256", CharsBetween(64, 64)),
            (
                "size_bytes",
                Range(1, count(crate::settings::MAX_FILES_MAX_BYTES)),
            ),
        ],
    );
    for schema in [
        "IndicatorResponse",
        "GrantIndicatorResponse",
        "CreateIndicatorRequest",
        "UpdateIndicatorRequest",
    ] {
        add(schema, &indicator_fields);
    }
    for schema in ["IndicatorResponse", "GrantIndicatorResponse"] {
        add(schema, &[("code", Chars(indicator::MAX_CODE_CHARS))]);
    }
    for schema in ["CreateIndicatorRequest", "UpdateIndicatorRequest"] {
        add(
            schema,
            &[("code", CharsBetween(1, indicator::MAX_CODE_CHARS))],
        );
    }
    add(
        "GrantIndicatorInput",
        &[("baseline", value), ("target", value)],
    );
    for schema in [
        "AwardRequest",
        "GrantIndicatorsResponse",
        "SetGrantIndicatorsRequest",
    ] {
        add(schema, &[("indicators", grant_indicators)]);
    }
    add(
        "AmendGrantRequest",
        &[
            ("reason", Chars(grant::MAX_REASON_CHARS)),
            ("budget_lines", Items(budget::MAX_LINES)),
        ],
    );
    add(
        "AmendmentResponse",
        &[("reason", Chars(grant::MAX_REASON_CHARS))],
    );
    for schema in [
        "ApplicationResponse",
        "CreateApplicationRequest",
        "UpdateApplicationRequest",
    ] {
        add(schema, &draft);
        add(schema, &regions("regions", "regions[]"));
    }
    add("ApplicationResponse", &actions);
    add("ApplicationResponse", &[("partner_organization_ids[]", Id)]);
    add(
        "AssignmentResult",
        &[
            ("assigned", Range(0, reviews)),
            ("skipped_conflicts", Range(0, reviews)),
        ],
    );
    add(
        "AuditEventResponse",
        &[
            ("action", Chars(audit::MAX_ACTION_CHARS)),
            ("entity_type", Chars(audit::MAX_ENTITY_TYPE_CHARS)),
            ("entity_id", Chars(audit::MAX_ENTITY_ID_CHARS)),
            ("summary", Chars(audit::MAX_SUMMARY_CHARS)),
        ],
    );
    add("BudgetLine", &line);
    add("GrantBudgetLine", &line);
    for schema in ["CallResponse", "CreateCallRequest", "UpdateCallRequest"] {
        add(schema, &call_fields);
        add(schema, &regions("eligible_regions", "eligible_regions[]"));
    }
    add("CallResponse", &actions);
    add(
        "CallResponse",
        &[
            ("committee_user_ids[]", Id),
            ("criteria", Items(call::MAX_CRITERIA)),
        ],
    );
    for schema in ["CreateCallRequest", "UpdateCallRequest"] {
        add(schema, &[("criteria", ItemsBetween(1, call::MAX_CRITERIA))]);
    }
    add("CriterionInput", &weight);
    add("CriterionResponse", &weight);
    add(
        "ChangePasswordRequest",
        &[
            ("current_password", Chars(NewPassword::MAX_CHARS)),
            ("new_password", password),
        ],
    );
    add(
        "CreateDisbursementRequest",
        &[("condition", Chars(grant::MAX_CONDITION_CHARS))],
    );
    for schema in [
        "OrganizationResponse",
        "CreateOrganizationRequest",
        "UpdateOrganizationRequest",
    ] {
        add(schema, &profile);
        add(schema, &themes);
    }
    for schema in [
        "ProgrammeResponse",
        "CreateProgrammeRequest",
        "UpdateProgrammeRequest",
    ] {
        add(schema, &programme_fields);
        add(schema, &themes);
        add(schema, &regions("regions", "regions[]"));
    }
    add("ProgrammeResponse", &actions);
    for schema in [
        "CreateUserRequest",
        "UpdateUserRequest",
        "UserResponse",
        "MemberResponse",
    ] {
        add(schema, &person);
    }
    for schema in ["CreateUserRequest", "UpdateUserRequest"] {
        add(schema, &[("password", password)]);
    }
    add(
        "DecisionResponse",
        &[
            ("awarded", Range(0, applications)),
            ("rejected", Range(0, applications)),
        ],
    );
    add("DisbursementResponse", &actions);
    add(
        "DisbursementResponse",
        &[
            ("condition", Chars(grant::MAX_CONDITION_CHARS)),
            ("payment_reference", Chars(grant::MAX_REFERENCE_CHARS)),
        ],
    );
    add("GrantResponse", &actions);
    add(
        "GrantResponse",
        &[("budget_lines", Items(budget::MAX_LINES))],
    );
    add("HealthResponse", &[("status", Is("ok"))]);
    add(
        "LoginRequest",
        &[
            ("email", Chars(Email::MAX_LEN)),
            ("password", Chars(NewPassword::MAX_CHARS)),
        ],
    );
    add(
        "MeResponse",
        &[("memberships", Items(membership::MAX_MEMBERSHIPS))],
    );
    add(
        "Money",
        &[
            ("amount", Chars(MAX_AMOUNT_CHARS)),
            ("currency", Chars(Currency::LEN)),
        ],
    );
    add(
        "PayRequest",
        &[("reference", Chars(grant::MAX_REFERENCE_CHARS))],
    );
    add(
        "Problem",
        &[
            ("type", Chars(problem::MAX_TYPE_CHARS)),
            ("title", Chars(problem::MAX_TITLE_CHARS)),
            ("status", Range(100, 599)),
            ("detail", Chars(problem::MAX_DETAIL_CHARS)),
            ("errors", Items(problem::MAX_FIELD_ERRORS)),
            ("current_state", Chars(workflow::MAX_NAME_CHARS)),
            ("allowed_actions", Items(workflow::MAX_ACTIONS)),
            ("allowed_actions[]", Chars(workflow::MAX_NAME_CHARS)),
            ("report_status", Chars(workflow::MAX_NAME_CHARS)),
        ],
    );
    add(
        "ProblemField",
        &[
            ("field", Chars(problem::MAX_FIELD_CHARS)),
            ("code", Chars(problem::MAX_CODE_CHARS)),
            ("message", Chars(problem::MAX_MESSAGE_CHARS)),
        ],
    );
    add("PublicGrant", &[("funders", Items(programme::MAX_FUNDERS))]);
    add("NetworkMembershipResponse", &actions);
    add("ActionItemResponse", &actions);
    let item_text = [("text", Chars(seriktes_domain::action_item::MAX_TEXT_CHARS))];
    for schema in [
        "ActionItemResponse",
        "CreateActionItemRequest",
        "PatchActionItemRequest",
    ] {
        add(schema, &item_text);
    }
    let memberships = Range(0, i64::from(i32::MAX));
    add(
        "NetworkGrowthResponse",
        &[
            ("current_members", memberships),
            ("joined", memberships),
            ("left", memberships),
        ],
    );
    add(
        "ReportingSchedule",
        &[("due_days", Range(0, i64::from(reporting::MAX_DUE_DAYS)))],
    );
    add("ReportResponse", &actions);
    let form = [
        ("indicator_values", Items(indicator::MAX_GRANT_INDICATORS)),
        ("expenditures", Items(budget::MAX_LINES)),
    ];
    add("ReportResponse", &form);
    add("PatchReportRequest", &form);
    add(
        "ReportResponse",
        &[
            ("kind", Chars(workflow::MAX_NAME_CHARS)),
            ("status", Chars(workflow::MAX_NAME_CHARS)),
            ("budget", Items(budget::MAX_LINES)),
            ("submissions", Range(0, i64::from(i32::MAX))),
        ],
    );
    add(
        "IndicatorValueDto",
        &[
            ("value", Range(0, indicator::MAX_COUNT)),
            ("denominator", Range(1, indicator::MAX_COUNT)),
            ("text", Chars(report::MAX_TEXT_CHARS)),
            ("note", Chars(report::MAX_TEXT_CHARS)),
            ("parts", Items(report::MAX_PARTS)),
        ],
    );
    add(
        "ReportResponse",
        &[("suggested_values", Items(indicator::MAX_GRANT_INDICATORS))],
    );
    add(
        "SuggestedValueDto",
        &[
            ("value", Range(0, i64::MAX)),
            ("parts", Items(report::MAX_PARTS)),
            ("meeting_ids", Items(training::MAX_SOURCES)),
        ],
    );
    add(
        "PartDto",
        &[
            ("dimension", Chars(workflow::MAX_NAME_CHARS)),
            ("category", Chars(report::MAX_SECTION_KEY_CHARS)),
            ("count", Range(0, indicator::MAX_COUNT)),
        ],
    );
    add("ExpenditureDto", &[("note", Chars(report::MAX_TEXT_CHARS))]);
    // Results: sums may exceed any one value's bound; breakdowns list at most `MAX_GROUPS`.
    let sum = Range(0, i64::MAX);
    let figure = [
        ("actual", Chars(results::MAX_DECIMAL_CHARS)),
        ("value", sum),
        ("denominator", sum),
        ("accepted_values", sum),
    ];
    let groups = Items(results::MAX_GROUPS);
    for schema in [
        "IndicatorResultsResponse",
        "GrantIndicatorResults",
        "RegionResult",
        "PeriodResult",
        "CallResult",
        "GrantResultResponse",
    ] {
        add(schema, &figure);
    }
    for schema in [
        "IndicatorResultsResponse",
        "GrantIndicatorResults",
        "GrantResultResponse",
    ] {
        add(
            schema,
            &[
                ("baseline", value),
                ("target", value),
                ("progress_percent", Chars(results::MAX_DECIMAL_CHARS)),
            ],
        );
    }
    for schema in ["IndicatorResultsResponse", "GrantIndicatorResults"] {
        add(
            schema,
            &[
                ("code", Chars(indicator::MAX_CODE_CHARS)),
                ("by_dimension", dimensions),
                ("by_period", groups),
            ],
        );
    }
    add(
        "IndicatorResultsResponse",
        &[
            ("by_region", groups),
            ("by_call", groups),
            ("by_grant", groups),
        ],
    );
    add("RegionResult", &[("region", Chars(RegionCode::MAX_CHARS))]);
    add("DimensionResult", &[("categories", groups)]);
    add(
        "CategoryResult",
        &[
            ("category", Chars(report::MAX_SECTION_KEY_CHARS)),
            ("value", sum),
        ],
    );
    add("GrantResultsResponse", &[("indicators", grant_indicators)]);
    add(
        "BudgetLineSummary",
        &[
            ("category", Chars(budget::MAX_CATEGORY_CHARS)),
            ("variance_percent", Chars(MAX_AMOUNT_CHARS)),
        ],
    );
    let submission = Range(1, i64::from(i32::MAX));
    add(
        "ReportChanges",
        &[
            ("sections", Items(report::MAX_SECTIONS)),
            ("sections[]", Chars(report::MAX_SECTION_KEY_CHARS)),
            ("indicator_ids", Items(indicator::MAX_GRANT_INDICATORS)),
            ("budget_line_ids", Items(budget::MAX_LINES)),
        ],
    );
    add("ReportVersionSummary", &[("number", submission)]);
    add("ReportVersionResponse", &form);
    add("ReportVersionResponse", &[("number", submission)]);
    add(
        "ReportCommentResponse",
        &[
            ("kind", Chars(workflow::MAX_NAME_CHARS)),
            ("section", Chars(report::MAX_SECTION_KEY_CHARS)),
            ("text", Chars(report::MAX_COMMENT_CHARS)),
            ("submission", submission),
        ],
    );
    add(
        "CommentDto",
        &[
            ("section", Chars(report::MAX_SECTION_KEY_CHARS)),
            ("text", Chars(report::MAX_COMMENT_CHARS)),
        ],
    );
    add(
        "RevisionRequest",
        &[("comments", Items(report::MAX_COMMENTS))],
    );
    add("RequirementResponse", &actions);
    add(
        "RequirementResponse",
        &[
            ("waived_reason", Chars(reporting::MAX_REASON_CHARS)),
            ("moves", Items(reporting::MAX_MOVES)),
            ("report_status", Chars(workflow::MAX_NAME_CHARS)),
        ],
    );
    add(
        "RequirementMoveResponse",
        &[("reason", Chars(reporting::MAX_REASON_CHARS))],
    );
    for schema in ["RescheduleRequest", "WaiveRequest"] {
        add(
            schema,
            &[("reason", CharsBetween(1, reporting::MAX_REASON_CHARS))],
        );
    }
    add(
        "RankingEntry",
        &[
            ("rank", Range(1, applications)),
            ("review_count", Range(0, count(call::MAX_COMMITTEE))),
        ],
    );
    add(
        "RankingResponse",
        &[("data", Items(call::MAX_APPLICATIONS))],
    );
    add(
        "RecuseRequest",
        &[("note", Chars(review::MAX_COMMENT_CHARS))],
    );
    add(
        "RefreshRequest",
        &[("refresh_token", Chars(refresh::TOKEN_CHARS))],
    );
    add("ReviewResponse", &actions);
    add(
        "ReviewResponse",
        &[
            ("comment", Chars(review::MAX_COMMENT_CHARS)),
            ("conflict_note", Chars(review::MAX_COMMENT_CHARS)),
            ("scores", Items(call::MAX_CRITERIA)),
        ],
    );
    add(
        "UpdateReviewRequest",
        &[
            ("comment", Chars(review::MAX_COMMENT_CHARS)),
            ("scores", Items(call::MAX_CRITERIA)),
        ],
    );
    add("Score", &[("score", Range(0, i64::from(call::MAX_SCORE)))]);
    let meeting_fields = [
        ("participants", Items(meeting::MAX_PARTICIPANTS)),
        ("time_zone", Chars(meeting::MAX_TIME_ZONE_CHARS)),
        ("online_url", Chars(meeting::MAX_URL_CHARS)),
        ("capacity", Range(1, i64::from(meeting::MAX_CAPACITY))),
    ];
    for schema in [
        "MeetingResponse",
        "CreateMeetingRequest",
        "UpdateMeetingRequest",
        "CreateMeetingSeriesRequest",
        "MeetingSeriesResponse",
    ] {
        add(schema, &meeting_fields);
    }
    let occurrences = count(meeting_series::MAX_OCCURRENCES);
    add(
        "CreateMeetingSeriesRequest",
        &[
            (
                "organizer_organization_ids",
                ItemsBetween(meeting::MIN_ORGANIZERS, meeting::MAX_ORGANIZERS),
            ),
            (
                "recurrence",
                CharsBetween(1, meeting_series::MAX_RULE_CHARS),
            ),
        ],
    );
    add(
        "MeetingSeriesResponse",
        &[
            ("organizer_organization_ids", Items(meeting::MAX_ORGANIZERS)),
            ("recurrence", Chars(meeting_series::MAX_RULE_CHARS)),
            ("occurrence_count", Range(1, occurrences)),
            ("meeting_ids", Items(meeting_series::MAX_OCCURRENCES)),
            ("meetings_url", Chars(response::MAX_LOCATION_CHARS)),
            ("version", Range(1, i64::MAX)),
        ],
    );
    add(
        "ComplianceResponse",
        &[
            ("time_zone", Chars(meeting::MAX_TIME_ZONE_CHARS)),
            ("periods", Items(meeting_series::MAX_OCCURRENCES)),
            ("outside", Items(meeting_series::MAX_OCCURRENCES)),
        ],
    );
    add(
        "CompliancePeriod",
        &[("meetings", Items(meeting_series::MAX_OCCURRENCES))],
    );
    add(
        "ComplianceTotals",
        &[
            ("periods", Range(0, occurrences)),
            ("compliant", Range(0, occurrences)),
            ("held", Range(0, occurrences)),
            ("held_without_minutes", Range(0, occurrences)),
            ("missed", Range(0, occurrences)),
            ("upcoming", Range(0, occurrences)),
        ],
    );
    for schema in ["MeetingResponse", "UpdateMeetingRequest"] {
        add(
            schema,
            &[("organizer_organization_ids", Items(meeting::MAX_ORGANIZERS))],
        );
    }
    add(
        "CreateMeetingRequest",
        &[(
            "organizer_organization_ids",
            ItemsBetween(meeting::MIN_ORGANIZERS, meeting::MAX_ORGANIZERS),
        )],
    );
    add("MeetingResponse", &actions);
    add(
        "MeetingResponse",
        &[
            ("agenda", Items(meeting::MAX_AGENDA_ITEMS)),
            ("cancel_reason", Chars(meeting::MAX_REASON_CHARS)),
            ("version", Range(1, i64::MAX)),
        ],
    );
    let settings = [
        ("demographics", Items(registration::DEMOGRAPHICS.len())),
        (
            "consent_version",
            CharsBetween(1, registration::MAX_CONSENT_VERSION_CHARS),
        ),
    ];
    add("RegistrationSettingsDto", &settings);
    let person = [
        ("name", CharsBetween(1, registration::MAX_NAME_CHARS)),
        ("email", Chars(Email::MAX_LEN)),
        (
            "organization",
            CharsBetween(1, registration::MAX_ORGANIZATION_CHARS),
        ),
        (
            "contribution_text",
            CharsBetween(1, registration::MAX_CONTRIBUTION_CHARS),
        ),
        ("sex", Chars(registration::MAX_DEMOGRAPHIC_CHARS)),
        ("age_band", Chars(registration::MAX_DEMOGRAPHIC_CHARS)),
        ("disability", Chars(registration::MAX_DEMOGRAPHIC_CHARS)),
    ];
    add("RegisterRequest", &person);
    add("RegistrationResponse", &person);
    add("RegistrationResponse", &actions);
    add(
        "RegistrationResponse",
        &[
            (
                "consent_version",
                CharsBetween(1, registration::MAX_CONSENT_VERSION_CHARS),
            ),
            ("waitlist_position", Range(1, i64::MAX)),
            ("version", Range(1, i64::MAX)),
        ],
    );
    add(
        "RegisteredResponse",
        &[(
            "token",
            CharsBetween(refresh::TOKEN_CHARS, refresh::TOKEN_CHARS),
        )],
    );
    add(
        "RegistrationCountsResponse",
        &[
            ("capacity", Range(1, i64::from(meeting::MAX_CAPACITY))),
            ("confirmed", Range(0, i64::MAX)),
            ("waitlisted", Range(0, i64::MAX)),
            ("attended", Range(0, i64::MAX)),
            ("no_show", Range(0, i64::MAX)),
        ],
    );
    add(
        "PlaceDto",
        &[
            ("address", CharsBetween(1, meeting::MAX_ADDRESS_CHARS)),
            ("region", Chars(RegionCode::MAX_CHARS)),
        ],
    );
    add(
        "AgendaItemDto",
        &[
            ("presenter", Chars(meeting::MAX_PRESENTER_CHARS)),
            (
                "minutes",
                Range(
                    i64::from(meeting::MIN_ITEM_MINUTES),
                    i64::from(meeting::MAX_ITEM_MINUTES),
                ),
            ),
        ],
    );
    add(
        "AgendaRequest",
        &[("items", Items(meeting::MAX_AGENDA_ITEMS))],
    );
    add(
        "CancelRequest",
        &[("reason", CharsBetween(1, meeting::MAX_REASON_CHARS))],
    );
    add(
        "CancelSeriesRequest",
        &[("reason", CharsBetween(1, meeting::MAX_REASON_CHARS))],
    );
    add(
        "AgendaItemDto",
        &[(
            "recommendation_ids",
            Items(meeting::MAX_ITEM_RECOMMENDATIONS),
        )],
    );
    add(
        "MinutesRequest",
        &[("decisions", Items(minutes::MAX_DECISIONS))],
    );
    add("MinutesResponse", &actions);
    add(
        "MinutesResponse",
        &[
            ("decisions", Items(minutes::MAX_DECISIONS)),
            ("recommendations", Items(recommendation::MAX_PER_MEETING)),
            ("version", Range(1, i64::MAX)),
        ],
    );
    let invited = Range(0, count(meeting::MAX_PARTICIPANTS));
    add(
        "AttendanceSummary",
        &[
            ("participant_organizations", invited),
            (
                "by_organization_kind",
                Items(organization::OrganizationKind::ALL.len()),
            ),
            (
                "by_participant_role",
                Items(meeting::ParticipantRole::ALL.len()),
            ),
            ("registered", Range(0, i64::MAX)),
            ("attended", Range(0, i64::MAX)),
            ("no_show", Range(0, i64::MAX)),
            (
                "attendees_by_organization_kind",
                Items(organization::OrganizationKind::ALL.len()),
            ),
            ("attendees_without_listed_organization", Range(0, i64::MAX)),
        ],
    );
    add("KindCount", &[("count", invited)]);
    add("RoleCount", &[("count", invited)]);
    let links = [
        ("grant_ids", Items(recommendation::MAX_GRANTS)),
        ("indicator_ids", Items(recommendation::MAX_INDICATORS)),
    ];
    let theme = ("theme", Chars(organization::MAX_THEME_CHARS));
    for schema in [
        "RecommendationResponse",
        "CreateRecommendationRequest",
        "LinksRequest",
    ] {
        add(schema, &links);
    }
    add("RecommendationResponse", &actions);
    add(
        "RecommendationResponse",
        &[
            theme,
            (
                "proposer_organization_ids",
                Items(recommendation::MAX_PROPOSERS),
            ),
            ("endorsement_count", Range(0, i64::MAX)),
            ("version", Range(1, i64::MAX)),
        ],
    );
    add(
        "CreateRecommendationRequest",
        &[
            theme,
            (
                "proposer_organization_ids",
                ItemsBetween(1, recommendation::MAX_PROPOSERS),
            ),
        ],
    );
    let evidence = ("evidence_url", Chars(meeting::MAX_URL_CHARS));
    add(
        "ChangeRequest",
        &[
            ("note", CharsBetween(1, recommendation::MAX_NOTE_CHARS)),
            evidence,
        ],
    );
    add(
        "RecommendationChangeResponse",
        &[("note", Chars(recommendation::MAX_NOTE_CHARS)), evidence],
    );
    let counted = Range(0, i64::MAX);
    add(
        "RecommendationStatistics",
        &[
            ("made", counted),
            ("proposed", counted),
            ("under_consideration", counted),
            ("adopted", counted),
            ("rejected", counted),
            ("implemented", counted),
        ],
    );
    add(
        "TokenResponse",
        &[
            ("access_token", Chars(jwt::MAX_TOKEN_CHARS)),
            ("token_type", Is("Bearer")),
            (
                "expires_in",
                Range(
                    1,
                    i64::try_from(crate::settings::MAX_ACCESS_TOKEN_TTL_SECS).unwrap_or(i64::MAX),
                ),
            ),
            ("refresh_token", Chars(refresh::TOKEN_CHARS)),
        ],
    );
    out
}

/// Writes every bound into `api`; returns the entries that named nothing (none, as a test
/// checks), so a renamed field is noticed.
pub fn apply(api: &mut OpenApi) -> Vec<String> {
    let mut missed = Vec::new();
    if let Some(components) = api.components.as_mut() {
        for (schema, path, bound) in properties() {
            let applied = components
                .schemas
                .get_mut(schema)
                .and_then(|s| property(s, path))
                .is_some_and(|s| set(s, bound));
            if !applied {
                missed.push(format!("{schema}.{path}"));
            }
        }
    }
    let parameters = parameters();
    let headers = headers();
    let mut seen = Vec::new();
    for item in api.paths.paths.values_mut() {
        for op in operations(item) {
            for p in op.parameters.iter_mut().flatten() {
                let bound = parameters.iter().find(|(n, _)| *n == p.name);
                if let (Some((name, bound)), Some(RefOr::T(s))) = (bound, p.schema.as_mut())
                    && set(s, *bound)
                {
                    seen.push(*name);
                }
            }
            for response in op.responses.responses.values_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                for (name, header) in &mut response.headers {
                    let bound = headers.iter().find(|(n, _)| n == name);
                    if let (Some((name, bound)), RefOr::T(s)) = (bound, &mut header.schema)
                        && set(s, *bound)
                    {
                        seen.push(*name);
                    }
                }
            }
        }
    }
    for (name, _) in parameters.iter().chain(&headers) {
        if !seen.contains(name) {
            missed.push((*name).to_owned());
        }
    }
    bound_special(api, &mut missed);
    bound_formats(api);
    missed
}

/// Bounds that are not one property's: a report's narrative (a map of section keys to
/// multilingual texts) and the bytes of a file, as uploaded and as served.
fn bound_special(api: &mut OpenApi, missed: &mut Vec<String>) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for schema in [
        "PatchReportRequest",
        "ReportResponse",
        "ReportVersionResponse",
    ] {
        let done = components
            .schemas
            .get_mut(schema)
            .and_then(|s| property(s, "narrative"))
            .is_some_and(|n| match n {
                Schema::Object(o) => {
                    o.property_names = Some(Box::new(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .max_length(Some(report::MAX_SECTION_KEY_CHARS))
                            .pattern(Some("^[a-z][a-z0-9_]*$"))
                            .into(),
                    ));
                    o.additional_properties = Some(Box::new(AdditionalProperties::RefOr(
                        crate::wire::localized_schema(
                            "The section's text in one or more languages.",
                            report::MAX_SECTION_CHARS,
                            serde_json::json!({"en": "Three trainings held."}),
                        ),
                    )));
                    o.max_properties = Some(report::MAX_SECTIONS);
                    true
                }
                _ => false,
            });
        if !done {
            missed.push(format!("{schema}.narrative"));
        }
    }
    let bytes = Bound::Chars(crate::settings::MAX_FILES_MAX_BYTES);
    let content = components
        .schemas
        .get_mut("AttachmentContent")
        .is_some_and(|s| match s {
            RefOr::T(s) => set(s, bytes),
            RefOr::Ref(_) => false,
        });
    let upload = components
        .schemas
        .get_mut("AttachmentUpload")
        .and_then(|s| property(s, "file"))
        .is_some_and(|s| set(s, bytes));
    // An iCalendar document: at most 500 events, each well under 64 KiB (its texts are bounded).
    let calendar = components
        .schemas
        .get_mut("MeetingCalendar")
        .is_some_and(|s| match s {
            RefOr::T(s) => set(
                s,
                Bound::Chars(meeting::MAX_FEED_EVENTS.saturating_mul(64 * 1024)),
            ),
            RefOr::Ref(_) => false,
        });
    if !calendar {
        missed.push("MeetingCalendar".to_owned());
    }
    // The volunteers' list: at most one line per place and waitlisted person, each under
    // 4 KiB (its cells are bounded); a capacity's worth twice over is a generous bound.
    let csv = components
        .schemas
        .get_mut("RegistrationsCsv")
        .is_some_and(|s| match s {
            RefOr::T(s) => set(
                s,
                Bound::Chars(
                    usize::try_from(meeting::MAX_CAPACITY)
                        .unwrap_or(usize::MAX)
                        .saturating_mul(2 * 4 * 1024),
                ),
            ),
            RefOr::Ref(_) => false,
        });
    if !csv {
        missed.push("RegistrationsCsv".to_owned());
    }
    if !(content && upload) {
        missed.push("AttachmentContent, AttachmentUpload.file".to_owned());
    }
}

/// The operations of a path.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// The schema of `path` (`name` or `name[]`) in an object schema (or the parts of an `allOf`).
fn property<'a>(schema: &'a mut RefOr<Schema>, path: &str) -> Option<&'a mut Schema> {
    let (name, items) = match path.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (path, false),
    };
    let found = match schema {
        RefOr::T(Schema::Object(o)) => o.properties.get_mut(name),
        RefOr::T(Schema::AllOf(all)) => all.items.iter_mut().find_map(|part| match part {
            RefOr::T(Schema::Object(o)) => o.properties.get_mut(name),
            _ => None,
        }),
        _ => None,
    }?;
    match (found, items) {
        (RefOr::T(s), false) => Some(s),
        (RefOr::T(Schema::Array(a)), true) => match &mut a.items {
            ArrayItems::RefOrSchema(inner) => match inner.as_mut() {
                RefOr::T(s) => Some(s),
                RefOr::Ref(_) => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Writes `bound` into a schema of the kind it fits; `false` when it does not fit.
fn set(schema: &mut Schema, bound: Bound) -> bool {
    match (schema, bound) {
        (Schema::Object(o), Bound::Chars(max)) => {
            o.max_length = Some(max);
            true
        }
        (Schema::Object(o), Bound::CharsBetween(min, max)) => {
            o.min_length = Some(min);
            o.max_length = Some(max);
            true
        }
        (Schema::Object(o), Bound::Id) => {
            o.format = Some(SchemaFormat::KnownFormat(KnownFormat::Uuid));
            o.max_length = Some(ids::ID_CHARS);
            true
        }
        (Schema::Object(o), Bound::Is(text)) => {
            o.enum_values = Some(vec![text.into()]);
            true
        }
        (Schema::Object(o), Bound::Range(min, max)) => {
            o.minimum = Some(min.into());
            o.maximum = Some(max.into());
            true
        }
        (Schema::Array(a), Bound::Items(max)) => {
            a.max_items = Some(max);
            true
        }
        (Schema::Array(a), Bound::ItemsBetween(min, max)) => {
            a.min_items = Some(min);
            a.max_items = Some(max);
            true
        }
        _ => false,
    }
}

/// Bounds every id, date and time by the length of its text form, wherever it appears.
fn bound_formats(api: &mut OpenApi) {
    if let Some(components) = api.components.as_mut() {
        components.schemas.values_mut().for_each(bound_format);
        for response in components.responses.values_mut() {
            if let RefOr::T(r) = response {
                r.content
                    .values_mut()
                    .filter_map(|c| c.schema.as_mut())
                    .for_each(bound_format);
            }
        }
    }
    for item in api.paths.paths.values_mut() {
        for op in operations(item) {
            op.parameters
                .iter_mut()
                .flatten()
                .filter_map(|p| p.schema.as_mut())
                .for_each(bound_format);
            if let Some(body) = op.request_body.as_mut() {
                body.content
                    .values_mut()
                    .filter_map(|c| c.schema.as_mut())
                    .for_each(bound_format);
            }
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(r) = response {
                    r.headers
                        .values_mut()
                        .for_each(|h| bound_format(&mut h.schema));
                    r.content
                        .values_mut()
                        .filter_map(|c| c.schema.as_mut())
                        .for_each(bound_format);
                }
            }
        }
    }
}

/// [`bound_formats`] for one schema and everything inside it.
fn bound_format(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(o) => {
            let chars = match &o.format {
                Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)) => Some(ids::ID_CHARS),
                Some(SchemaFormat::KnownFormat(KnownFormat::Date)) => {
                    Some(calendar::MAX_DATE_CHARS)
                }
                Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) => {
                    Some(calendar::MAX_TIMESTAMP_CHARS)
                }
                _ => None,
            };
            if o.max_length.is_none() {
                o.max_length = chars;
            }
            o.properties.values_mut().for_each(bound_format);
            if let Some(AdditionalProperties::RefOr(inner)) = o.additional_properties.as_deref_mut()
            {
                bound_format(inner);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(inner) = &mut a.items {
                bound_format(inner);
            }
        }
        Schema::OneOf(one) => one.items.iter_mut().for_each(bound_format),
        Schema::AllOf(all) => all.items.iter_mut().for_each(bound_format),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(bound_format),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_names_a_value_of_the_contract() {
        // `openapi_document` applies the bounds; applying them again reports what they missed.
        let mut api = crate::startup::openapi_document();
        assert_eq!(apply(&mut api), Vec::<String>::new());
    }

    #[test]
    fn ids_dates_and_times_are_bounded_by_their_text() {
        let api = serde_json::to_value(crate::startup::openapi_document()).unwrap();
        let grant = &api["components"]["schemas"]["GrantResponse"]["properties"];
        assert_eq!(grant["id"]["maxLength"], ids::ID_CHARS);
        assert_eq!(grant["starts_on"]["maxLength"], calendar::MAX_DATE_CHARS);
        assert_eq!(
            grant["created_at"]["maxLength"],
            calendar::MAX_TIMESTAMP_CHARS
        );
        let name = &api["components"]["schemas"]["CreateUserRequest"]["properties"]["name"];
        assert_eq!(name["maxLength"], user::MAX_NAME);
    }
}
