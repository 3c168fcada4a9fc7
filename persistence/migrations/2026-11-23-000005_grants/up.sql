-- Grants (one per awarded application), their amendments (kept as history) and tranches.
CREATE TABLE grants (
    id                      TEXT PRIMARY KEY,
    application_id          TEXT NOT NULL REFERENCES applications (id),
    call_id                 TEXT NOT NULL REFERENCES calls (id),
    programme_id            TEXT NOT NULL REFERENCES programmes (id),
    grantee_organization_id TEXT NOT NULL REFERENCES organizations (id),
    mentor_organization_id  TEXT REFERENCES organizations (id),
    currency                TEXT NOT NULL,
    amount_minor            BIGINT NOT NULL CHECK (amount_minor > 0),
    starts_on               DATE NOT NULL,
    ends_on                 DATE NOT NULL,
    budget_lines            TEXT NOT NULL DEFAULT '[]',
    status                  TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'completed', 'terminated')),
    version                 BIGINT NOT NULL DEFAULT 1,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL,
    CONSTRAINT grants_application_id_key UNIQUE (application_id),
    CHECK (ends_on >= starts_on)
);
CREATE INDEX grants_call_idx ON grants (call_id);
CREATE INDEX grants_grantee_idx ON grants (grantee_organization_id);
CREATE INDEX grants_mentor_idx ON grants (mentor_organization_id);
CREATE INDEX grants_updated_at_idx ON grants (updated_at);

CREATE TABLE grant_amendments (
    id         TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants (id),
    reason     TEXT NOT NULL,
    changes    TEXT NOT NULL,
    actor_id   TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX grant_amendments_grant_idx ON grant_amendments (grant_id);

CREATE TABLE disbursements (
    id                TEXT PRIMARY KEY,
    grant_id          TEXT NOT NULL REFERENCES grants (id),
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    planned_on        DATE NOT NULL,
    condition         TEXT,
    status            TEXT NOT NULL CHECK (status IN ('planned', 'approved', 'paid', 'cancelled')),
    paid_on           DATE,
    payment_reference TEXT,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX disbursements_grant_idx ON disbursements (grant_id);
