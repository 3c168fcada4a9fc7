ALTER TABLE programmes DROP COLUMN funder_ids;
