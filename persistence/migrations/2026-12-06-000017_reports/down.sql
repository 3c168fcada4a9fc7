ALTER TABLE disbursements DROP COLUMN requirement_id;
DROP TABLE report_attachments;
DROP TABLE report_comments;
DROP TABLE report_versions;
DROP TABLE report_expenditures;
DROP TABLE report_value_parts;
DROP TABLE report_values;
DROP TABLE reports;
