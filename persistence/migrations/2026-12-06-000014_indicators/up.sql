-- A programme's indicator catalogue and the indicators each grant carries (DESIGN: Reports
-- and results). `name` is JSON multilingual text, `dimensions` a JSON array of the
-- disaggregation dimensions in registry order. Baselines and targets are whole numbers (a
-- count, or whole percent); a qualitative indicator has none. A grant's own baseline and
-- target are NULL where it keeps the catalogue's.
CREATE TABLE indicators (
    id           TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL CHECK (unit IN ('people', 'organisations', 'events', 'documents', 'sessions', 'hours', 'percent', 'other')),
    kind         TEXT NOT NULL CHECK (kind IN ('count', 'percentage', 'qualitative')),
    aggregation  TEXT NOT NULL CHECK (aggregation IN ('sum', 'latest', 'max')),
    baseline     BIGINT,
    target       BIGINT,
    dimensions   TEXT NOT NULL DEFAULT '[]',
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    -- Mapped to 409 `indicator-code-taken` (the field is `code` on both backends).
    CONSTRAINT indicators_code_key UNIQUE (programme_id, code),
    CHECK (kind <> 'qualitative' OR (baseline IS NULL AND target IS NULL))
);
CREATE INDEX indicators_updated_at_idx ON indicators (updated_at);

CREATE TABLE grant_indicators (
    grant_id     TEXT NOT NULL REFERENCES grants (id),
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    position     INTEGER NOT NULL,
    baseline     BIGINT,
    target       BIGINT,
    PRIMARY KEY (grant_id, indicator_id)
);
CREATE INDEX grant_indicators_indicator_idx ON grant_indicators (indicator_id);
