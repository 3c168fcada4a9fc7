DROP TABLE registrations;
ALTER TABLE meetings DROP COLUMN registration_seq;
ALTER TABLE meetings DROP COLUMN registrations_confirmed;
ALTER TABLE meetings DROP COLUMN registration_consent_version;
ALTER TABLE meetings DROP COLUMN registration_demographics;
ALTER TABLE meetings DROP COLUMN registration_contribution_required;
ALTER TABLE meetings DROP COLUMN registration_open;
