ALTER TABLE grants DROP COLUMN lines_json;
ALTER TABLE grants DROP COLUMN paid_minor;
ALTER TABLE grants DROP COLUMN committed_minor;
