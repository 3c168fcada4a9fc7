DROP INDEX meetings_series_idx;
ALTER TABLE meetings DROP COLUMN series_id;
DROP TABLE meeting_series_participants;
DROP TABLE meeting_series_organizers;
DROP TABLE meeting_series;
