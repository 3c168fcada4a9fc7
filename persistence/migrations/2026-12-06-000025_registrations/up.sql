-- Public registration for meetings (domain::registration). The meeting gets its registration
-- settings and two counters: `registrations_confirmed`, raised only by a conditional update
-- (`... WHERE registrations_confirmed < capacity`) in the registering transaction, so that
-- concurrent registrations never exceed the capacity; and `registration_seq`, the order of
-- arrival that the waitlist follows.
ALTER TABLE meetings ADD COLUMN registration_open BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE meetings ADD COLUMN registration_contribution_required BOOLEAN NOT NULL DEFAULT FALSE;
-- The demographics asked, comma-separated dimension names (`sex,age_band`); never filtered.
ALTER TABLE meetings ADD COLUMN registration_demographics TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN registration_consent_version TEXT;
ALTER TABLE meetings ADD COLUMN registrations_confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN registration_seq BIGINT NOT NULL DEFAULT 0;

-- Registrations hold personal data: only the organisers read them. The management token is
-- stored as its SHA-256 hash only. One e-mail registers once per meeting among registrations
-- that are not cancelled (a partial unique index, so that concurrent duplicates are refused
-- by the database too).
CREATE TABLE registrations (
    id                  TEXT PRIMARY KEY,
    meeting_id          TEXT NOT NULL REFERENCES meetings (id),
    seq                 BIGINT NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT NOT NULL,
    organization_id     TEXT REFERENCES organizations (id),
    organization_name   TEXT,
    contribution_kind   TEXT CHECK (contribution_kind IN ('volunteering', 'talk', 'in_kind', 'idea', 'other')),
    contribution_text   TEXT,
    consent_version     TEXT NOT NULL,
    consented_at        TIMESTAMP NOT NULL,
    sex                 TEXT CHECK (sex IN ('female', 'male', 'other', 'not_stated')),
    age_band            TEXT CHECK (age_band IN ('0-17', '18-29', '30-64', '65+')),
    disability          TEXT CHECK (disability IN ('with', 'without', 'not_stated')),
    status              TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    attendance          TEXT CHECK (attendance IN ('attended', 'no_show')),
    token_hash          TEXT NOT NULL,
    user_id             TEXT REFERENCES users (id),
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    CHECK (organization_id IS NULL OR organization_name IS NULL),
    CHECK (attendance IS NULL OR status = 'confirmed')
);
CREATE UNIQUE INDEX registrations_email_key ON registrations (meeting_id, email) WHERE status <> 'cancelled';
CREATE UNIQUE INDEX registrations_seq_key ON registrations (meeting_id, seq);
CREATE INDEX registrations_meeting_idx ON registrations (meeting_id, id);
CREATE INDEX registrations_updated_at_idx ON registrations (updated_at);
