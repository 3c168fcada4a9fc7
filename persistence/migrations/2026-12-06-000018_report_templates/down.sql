ALTER TABLE programmes DROP COLUMN report_template;
