-- Applications to calls. Budget lines, regions, target groups and partners are JSON lists:
-- they are read and written with the application, never queried on their own.
CREATE TABLE applications (
    id                        TEXT PRIMARY KEY,
    call_id                   TEXT NOT NULL REFERENCES calls (id),
    applicant_organization_id TEXT NOT NULL REFERENCES organizations (id),
    title                     TEXT NOT NULL,
    summary                   TEXT NOT NULL,
    currency                  TEXT NOT NULL,
    requested_minor           BIGINT NOT NULL CHECK (requested_minor > 0),
    duration_months           INTEGER NOT NULL CHECK (duration_months > 0),
    regions                   TEXT NOT NULL DEFAULT '[]',
    target_groups             TEXT NOT NULL DEFAULT '[]',
    budget_lines              TEXT NOT NULL DEFAULT '[]',
    partner_organization_ids  TEXT NOT NULL DEFAULT '[]',
    status                    TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'under_review', 'awarded', 'rejected', 'withdrawn')),
    submitted_at              TIMESTAMP,
    version                   BIGINT NOT NULL DEFAULT 1,
    created_at                TIMESTAMP NOT NULL,
    updated_at                TIMESTAMP NOT NULL
);
CREATE INDEX applications_call_idx ON applications (call_id);
CREATE INDEX applications_applicant_idx ON applications (applicant_organization_id);
CREATE INDEX applications_updated_at_idx ON applications (updated_at);
