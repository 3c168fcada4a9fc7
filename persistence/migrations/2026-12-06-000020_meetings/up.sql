-- Stakeholder meetings (domain::meeting): the meeting, its organisers and invited participant
-- organisations (own tables: lists filter by them), and its agenda. Times are UTC; the IANA
-- time zone the meeting is held in is kept beside them. Titles and descriptions are
-- multilingual JSON text, never filtered.
CREATE TABLE meetings (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('round_table', 'dialogue', 'forum', 'conference',
                                                'training', 'seminar', 'other')),
    title         TEXT NOT NULL,
    description   TEXT,
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    time_zone     TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('in_person', 'online', 'hybrid')),
    place_address TEXT,
    place_region  TEXT,
    online_url    TEXT,
    visibility    TEXT NOT NULL CHECK (visibility IN ('public', 'participants')),
    capacity      INTEGER CHECK (capacity IS NULL OR capacity > 0),
    status        TEXT NOT NULL CHECK (status IN ('planned', 'held', 'minutes_published', 'cancelled')),
    cancel_reason TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK ((place_address IS NULL) = (place_region IS NULL))
);
CREATE INDEX meetings_starts_at_idx ON meetings (starts_at, id);
CREATE INDEX meetings_updated_at_idx ON meetings (updated_at);

CREATE TABLE meeting_organizers (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    position        INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, organization_id)
);
CREATE INDEX meeting_organizers_organization_idx ON meeting_organizers (organization_id);

CREATE TABLE meeting_participants (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    role            TEXT NOT NULL CHECK (role IN ('government_body', 'cso', 'donor', 'business',
                                                  'media', 'academic')),
    position        INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, organization_id)
);
CREATE INDEX meeting_participants_organization_idx ON meeting_participants (organization_id);

-- The agenda, replaced whole; `position` orders it.
CREATE TABLE meeting_agenda_items (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    presenter  TEXT,
    minutes    INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    PRIMARY KEY (meeting_id, position)
);
