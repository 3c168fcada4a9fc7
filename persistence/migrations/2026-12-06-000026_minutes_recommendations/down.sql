DROP TABLE recommendation_endorsements;
DROP TABLE recommendation_changes;
DROP TABLE recommendation_indicators;
DROP TABLE recommendation_grants;
DROP TABLE recommendation_proposers;
DROP TABLE recommendations;
DROP TABLE meeting_minutes;
ALTER TABLE meeting_agenda_items DROP COLUMN recommendation_ids;
