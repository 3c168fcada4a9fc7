-- A training or seminar may count its attendance toward one indicator of one grant
-- (domain::training): both columns are set together or neither. The report of the grant reads
-- the linked meetings by grant, hence the index.
ALTER TABLE meetings ADD COLUMN grant_id TEXT REFERENCES grants (id);
ALTER TABLE meetings ADD COLUMN indicator_id TEXT REFERENCES indicators (id);
CREATE INDEX meetings_grant_idx ON meetings (grant_id);
