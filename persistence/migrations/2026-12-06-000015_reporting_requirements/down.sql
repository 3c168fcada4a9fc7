DROP TABLE reporting_requirement_moves;
DROP TABLE reporting_requirements;
ALTER TABLE calls DROP COLUMN reporting_due_days;
ALTER TABLE calls DROP COLUMN reporting_final_report;
ALTER TABLE calls DROP COLUMN reporting_frequency;
ALTER TABLE programmes DROP COLUMN reporting_due_days;
ALTER TABLE programmes DROP COLUMN reporting_final_report;
ALTER TABLE programmes DROP COLUMN reporting_frequency;
