DROP TABLE results_cache;
ALTER TABLE programmes DROP COLUMN results_stamp;
