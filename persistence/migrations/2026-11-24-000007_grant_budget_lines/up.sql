-- Budget lines of grants, each with a stable id (reports record expenditures per line).
-- Lines of existing grants are copied from grants.budget_lines by the backfill that runs
-- right after migrations (persistence::grants::backfill_budget_lines).
CREATE TABLE grant_budget_lines (
    id           TEXT PRIMARY KEY,
    grant_id     TEXT NOT NULL REFERENCES grants (id),
    position     INTEGER NOT NULL,
    category     TEXT NOT NULL,
    description  TEXT NOT NULL,
    amount_minor BIGINT NOT NULL
);
CREATE INDEX grant_budget_lines_grant_idx ON grant_budget_lines (grant_id, position);
