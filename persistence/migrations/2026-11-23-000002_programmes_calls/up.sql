-- Programmes (with their funders) and calls for proposals (with criteria and committee).
-- Money is BIGINT minor units in the programme's currency; multilingual text and lists are JSON.
CREATE TABLE programmes (
    id                       TEXT PRIMARY KEY,
    title                    TEXT NOT NULL,
    description              TEXT,
    managing_organization_id TEXT NOT NULL REFERENCES organizations (id),
    currency                 TEXT NOT NULL,
    budget_minor             BIGINT NOT NULL CHECK (budget_minor > 0),
    starts_on                DATE NOT NULL,
    ends_on                  DATE NOT NULL,
    regions                  TEXT NOT NULL DEFAULT '[]',
    themes                   TEXT NOT NULL DEFAULT '[]',
    status                   TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    version                  BIGINT NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX programmes_managing_idx ON programmes (managing_organization_id);
CREATE INDEX programmes_updated_at_idx ON programmes (updated_at);

CREATE TABLE programme_funders (
    programme_id    TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    committed_minor BIGINT NOT NULL CHECK (committed_minor > 0),
    PRIMARY KEY (programme_id, organization_id)
);
CREATE INDEX programme_funders_org_idx ON programme_funders (organization_id);

CREATE TABLE calls (
    id                  TEXT PRIMARY KEY,
    programme_id        TEXT NOT NULL REFERENCES programmes (id),
    title               TEXT NOT NULL,
    description         TEXT,
    opens_at            TIMESTAMP NOT NULL,
    closes_at           TIMESTAMP NOT NULL,
    max_award_minor     BIGINT NOT NULL CHECK (max_award_minor > 0),
    envelope_minor      BIGINT NOT NULL CHECK (envelope_minor > 0),
    eligible_kinds      TEXT NOT NULL DEFAULT '[]',
    eligible_regions    TEXT NOT NULL DEFAULT '[]',
    min_duration_months INTEGER NOT NULL CHECK (min_duration_months > 0),
    max_duration_months INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'decided')),
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    CHECK (closes_at > opens_at),
    CHECK (max_duration_months >= min_duration_months),
    CHECK (max_award_minor <= envelope_minor)
);
CREATE INDEX calls_programme_idx ON calls (programme_id);
CREATE INDEX calls_updated_at_idx ON calls (updated_at);

CREATE TABLE call_criteria (
    id        TEXT PRIMARY KEY,
    call_id   TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    weight    INTEGER NOT NULL CHECK (weight > 0),
    max_score INTEGER NOT NULL CHECK (max_score > 0)
);
CREATE INDEX call_criteria_call_idx ON call_criteria (call_id);

CREATE TABLE call_committee (
    call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX call_committee_user_idx ON call_committee (user_id);
