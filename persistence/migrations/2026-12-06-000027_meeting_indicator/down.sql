DROP INDEX meetings_grant_idx;
ALTER TABLE meetings DROP COLUMN indicator_id;
ALTER TABLE meetings DROP COLUMN grant_id;
