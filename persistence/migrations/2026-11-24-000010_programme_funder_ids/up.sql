-- The ids of a programme's funders (`programme_funders.organization_id`), comma-separated, kept
-- on the programme's row: every read of a grant needs them for its access policy, and a page of
-- grants joins the programme already (before, a sub-query per grant aggregated them).
-- persistence::programmes is the only writer of funders and updates this in the same
-- transaction (tests/api/grants.rs checks it against the table). NULL until filled: this
-- statement, and the backfill after migrations for rows written by other means.
-- string_agg exists on PostgreSQL and on SQLite since 3.44 (the bundled one is newer).
ALTER TABLE programmes ADD COLUMN funder_ids TEXT;
UPDATE programmes SET funder_ids = COALESCE(
    (SELECT string_agg(f.organization_id, ',') FROM programme_funders f WHERE f.programme_id = programmes.id), '');
