-- The single reporting form (DESIGN: Reports and results). A report is the report of one
-- reporting requirement and shares its id; it exists once someone has saved it (until then
-- the requirement's report is `due`). The narrative is JSON ({section: {lang: text}}), never
-- filtered or summed; the values, their parts and the expenditures, which results add up, get
-- tables of their own. Every submission is kept whole as a version.
CREATE TABLE reports (
    id           TEXT PRIMARY KEY REFERENCES reporting_requirements (id),
    grant_id     TEXT NOT NULL REFERENCES grants (id),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'revision_requested')),
    narrative    TEXT NOT NULL DEFAULT '{}',
    submissions  INTEGER NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP,
    decided_at   TIMESTAMP,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX reports_grant_idx ON reports (grant_id, status);
CREATE INDEX reports_updated_at_idx ON reports (updated_at);

-- One indicator's value for the report's period: `value` is the count or the numerator.
CREATE TABLE report_values (
    report_id    TEXT NOT NULL REFERENCES reports (id),
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    value        BIGINT CHECK (value >= 0),
    denominator  BIGINT CHECK (denominator > 0),
    text_value   TEXT,
    note         TEXT,
    PRIMARY KEY (report_id, indicator_id)
);
CREATE INDEX report_values_indicator_idx ON report_values (indicator_id);

-- A value's disaggregated parts: per dimension, they add up to the value.
CREATE TABLE report_value_parts (
    report_id    TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    dimension    TEXT NOT NULL CHECK (dimension IN ('sex', 'age_band', 'disability', 'region')),
    category     TEXT NOT NULL,
    count        BIGINT NOT NULL CHECK (count >= 0),
    PRIMARY KEY (report_id, indicator_id, dimension, category),
    FOREIGN KEY (report_id, indicator_id) REFERENCES report_values (report_id, indicator_id) ON DELETE CASCADE
);

-- What the period spent per budget line of the grant, in the grant's currency. No foreign key
-- to the line: an amendment rewrites a grant's lines (keeping their ids), and the use case
-- checks that a line belongs to the grant.
CREATE TABLE report_expenditures (
    report_id      TEXT NOT NULL REFERENCES reports (id),
    budget_line_id TEXT NOT NULL,
    amount_minor   BIGINT NOT NULL CHECK (amount_minor >= 0),
    note           TEXT,
    PRIMARY KEY (report_id, budget_line_id)
);

-- Each submission, whole (JSON), so that a reviewer sees what changed since the last one.
CREATE TABLE report_versions (
    report_id    TEXT NOT NULL REFERENCES reports (id),
    number       INTEGER NOT NULL,
    form         TEXT NOT NULL,
    submitted_by TEXT REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (report_id, number)
);

-- Review comments (with a revision request) and comments (reviewers, mentors, authors).
CREATE TABLE report_comments (
    id         TEXT PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES reports (id),
    author_id  TEXT REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('revision', 'comment')),
    section    TEXT NOT NULL,
    text       TEXT NOT NULL,
    submission INTEGER,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX report_comments_report_idx ON report_comments (report_id, created_at, id);

-- Files attached to a report; the contents live in the file store under the id.
CREATE TABLE report_attachments (
    id          TEXT PRIMARY KEY,
    report_id   TEXT NOT NULL REFERENCES reports (id),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size_bytes  BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256      TEXT NOT NULL,
    uploaded_by TEXT REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX report_attachments_report_idx ON report_attachments (report_id, id);

-- A tranche may wait for a report: approved and paid only once that report is accepted.
ALTER TABLE disbursements ADD COLUMN requirement_id TEXT REFERENCES reporting_requirements (id);
