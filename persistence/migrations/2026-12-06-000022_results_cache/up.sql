-- A programme's rolled-up results, kept once computed (DESIGN "Reports and results": the
-- roll-up is computed in SQL; this keeps its rows). Accepted values never change, so the
-- figures change only when a report of the programme is accepted, or a grantee organisation's
-- region changes, or an indicator changes: each of those bumps `results_stamp` in the same
-- transaction, and a kept roll-up counts only while its stamp equals the programme's. Kept per
-- view (with or without the breakdown by grant), for the unfiltered roll-up only; filtered
-- ones are computed each time. Shared by every API replica (it is a table).
ALTER TABLE programmes ADD COLUMN results_stamp BIGINT NOT NULL DEFAULT 0;
CREATE TABLE results_cache (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    view         TEXT NOT NULL CHECK (view IN ('full', 'aggregate')),
    stamp        BIGINT NOT NULL,
    figures      TEXT NOT NULL,
    computed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (programme_id, view)
);
