-- Results (persistence::results) read a programme's grants: their accepted reports' values, and
-- the grants carrying the programme's indicators. Without this index each request scans every
-- grant of every programme.
CREATE INDEX grants_programme_idx ON grants (programme_id);
