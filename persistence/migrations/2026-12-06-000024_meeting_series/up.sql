-- Meeting series (domain::meeting_series): a recurring meeting whose occurrences are ordinary
-- meetings (meetings.series_id). The series keeps the template its occurrences were made from
-- (the first occurrence's start and end, UTC, with the IANA time zone the RFC 5545 rule is
-- read in), the rule as given, its frequency (the compliance view's period) and the span of
-- its occurrences. Organisers and participants have their own tables, as lists filter by them.
CREATE TABLE meeting_series (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('round_table', 'dialogue', 'forum', 'conference',
                                                   'training', 'seminar', 'other')),
    title            TEXT NOT NULL,
    description      TEXT,
    starts_at        TIMESTAMP NOT NULL,
    ends_at          TIMESTAMP NOT NULL,
    time_zone        TEXT NOT NULL,
    format           TEXT NOT NULL CHECK (format IN ('in_person', 'online', 'hybrid')),
    place_address    TEXT,
    place_region     TEXT,
    online_url       TEXT,
    visibility       TEXT NOT NULL CHECK (visibility IN ('public', 'participants')),
    capacity         INTEGER CHECK (capacity IS NULL OR capacity > 0),
    recurrence       TEXT NOT NULL,
    frequency        TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'yearly')),
    occurrences      INTEGER NOT NULL CHECK (occurrences BETWEEN 1 AND 120),
    last_starts_at   TIMESTAMP NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (last_starts_at >= starts_at),
    CHECK ((place_address IS NULL) = (place_region IS NULL))
);
CREATE INDEX meeting_series_updated_at_idx ON meeting_series (updated_at);

CREATE TABLE meeting_series_organizers (
    series_id       TEXT NOT NULL REFERENCES meeting_series (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    position        INTEGER NOT NULL,
    PRIMARY KEY (series_id, organization_id)
);
CREATE INDEX meeting_series_organizers_organization_idx
    ON meeting_series_organizers (organization_id);

CREATE TABLE meeting_series_participants (
    series_id       TEXT NOT NULL REFERENCES meeting_series (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    role            TEXT NOT NULL CHECK (role IN ('government_body', 'cso', 'donor', 'business',
                                                  'media', 'academic')),
    position        INTEGER NOT NULL,
    PRIMARY KEY (series_id, organization_id)
);
CREATE INDEX meeting_series_participants_organization_idx
    ON meeting_series_participants (organization_id);

-- The series an occurrence belongs to (NULL: a meeting of its own).
ALTER TABLE meetings ADD COLUMN series_id TEXT REFERENCES meeting_series (id);
CREATE INDEX meetings_series_idx ON meetings (series_id, starts_at);
