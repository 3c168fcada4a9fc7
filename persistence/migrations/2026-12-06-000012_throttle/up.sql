-- Counts of failed password guesses, shared by every API replica (domain::throttle): one row
-- per subject (an e-mail from an address, an address, an e-mail, a user's current password),
-- the start of its window and the failures in it. Rows whose window is over are swept when a
-- failure is counted.
CREATE TABLE throttle_windows (
    key TEXT PRIMARY KEY NOT NULL,
    started_at TIMESTAMP NOT NULL,
    failures INTEGER NOT NULL
);
CREATE INDEX throttle_windows_started_at ON throttle_windows (started_at);
