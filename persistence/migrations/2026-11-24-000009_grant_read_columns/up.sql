-- What every read of a grant shows, kept on its row so that a page of grants is one indexed
-- range scan without a sub-query per grant:
--   committed_minor  the sum of its tranches not cancelled;
--   paid_minor       the sum of its tranches paid;
--   lines_json       its budget lines (`grant_budget_lines`) as a JSON array, in position order.
-- persistence::grants is the only writer of tranches and budget lines, and it updates these in
-- the same statement sequence and transaction (tests/api/grants.rs checks them against the
-- tables they copy). lines_json is NULL until the backfill that runs after migrations fills it.
ALTER TABLE grants ADD COLUMN committed_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE grants ADD COLUMN paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE grants ADD COLUMN lines_json TEXT;
UPDATE grants SET
    committed_minor = COALESCE((SELECT SUM(d.amount_minor) FROM disbursements d
                                WHERE d.grant_id = grants.id AND d.status <> 'cancelled'), 0),
    paid_minor = COALESCE((SELECT SUM(d.amount_minor) FROM disbursements d
                           WHERE d.grant_id = grants.id AND d.status = 'paid'), 0);
