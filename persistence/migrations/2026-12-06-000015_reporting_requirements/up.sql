-- Reporting schedules and the reporting requirements of grants (domain::reporting).
-- A programme's schedule: existing programmes get the default (quarterly, a final report, due
-- 30 days after a period's end). A call's schedule: NULL in all three columns means the
-- programme's; persistence writes the three together.
ALTER TABLE programmes ADD COLUMN reporting_frequency TEXT NOT NULL DEFAULT 'quarterly'
    CHECK (reporting_frequency IN ('quarterly', 'semiannual', 'annual', 'none'));
ALTER TABLE programmes ADD COLUMN reporting_final_report BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE programmes ADD COLUMN reporting_due_days INTEGER NOT NULL DEFAULT 30
    CHECK (reporting_due_days BETWEEN 0 AND 180);
ALTER TABLE calls ADD COLUMN reporting_frequency TEXT
    CHECK (reporting_frequency IN ('quarterly', 'semiannual', 'annual', 'none'));
ALTER TABLE calls ADD COLUMN reporting_final_report BOOLEAN;
ALTER TABLE calls ADD COLUMN reporting_due_days INTEGER
    CHECK (reporting_due_days BETWEEN 0 AND 180);

-- What a grant must report and when: generated on award (periodic, final), added by the
-- programme's managers (ad_hoc). Overdue is derived from due_on and status, never stored.
CREATE TABLE reporting_requirements (
    id            TEXT PRIMARY KEY,
    grant_id      TEXT NOT NULL REFERENCES grants (id),
    kind          TEXT NOT NULL CHECK (kind IN ('periodic', 'final', 'ad_hoc')),
    title         TEXT,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    due_on        DATE NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'waived')),
    waived_reason TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK (period_end >= period_start)
);
-- A grant's requirements are listed by due date, then id (the list's keyset).
CREATE INDEX reporting_requirements_grant_due_idx ON reporting_requirements (grant_id, due_on, id);
CREATE INDEX reporting_requirements_updated_at_idx ON reporting_requirements (updated_at);

-- Every move of a due date, with its reason. Removed with its requirement when an amendment
-- of the grant's period replaces it.
CREATE TABLE reporting_requirement_moves (
    id             TEXT PRIMARY KEY,
    requirement_id TEXT NOT NULL REFERENCES reporting_requirements (id) ON DELETE CASCADE,
    from_due_on    DATE NOT NULL,
    to_due_on      DATE NOT NULL,
    reason         TEXT NOT NULL,
    actor_id       TEXT REFERENCES users (id),
    at             TIMESTAMP NOT NULL
);
CREATE INDEX reporting_requirement_moves_requirement_idx
    ON reporting_requirement_moves (requirement_id, at);
