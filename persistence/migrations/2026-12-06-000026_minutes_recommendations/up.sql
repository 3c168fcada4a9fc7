-- Minutes and recommendations of meetings (domain::minutes, domain::recommendation).

-- The recommendations discussed under each agenda item: a JSON list of ids, never filtered.
ALTER TABLE meeting_agenda_items ADD COLUMN recommendation_ids TEXT NOT NULL DEFAULT '[]';

-- A meeting's minutes: decisions (a JSON list of multilingual texts), a summary, and the
-- attendance summary (a JSON object) computed when published; frozen once published_at is set.
CREATE TABLE meeting_minutes (
    meeting_id   TEXT PRIMARY KEY REFERENCES meetings (id),
    decisions    TEXT NOT NULL,
    summary      TEXT,
    attendance   TEXT,
    published_at TIMESTAMP,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CHECK ((published_at IS NULL) = (attendance IS NULL))
);

-- A recommendation made at a meeting, addressed to an organisation; its status is counted
-- (GROUP BY) per meeting and per addressee.
CREATE TABLE recommendations (
    id                        TEXT PRIMARY KEY,
    meeting_id                TEXT NOT NULL REFERENCES meetings (id),
    text                      TEXT NOT NULL,
    addressee_organization_id TEXT NOT NULL REFERENCES organizations (id),
    theme                     TEXT NOT NULL,
    status                    TEXT NOT NULL CHECK (status IN ('proposed', 'under_consideration',
                                                              'adopted', 'rejected', 'implemented')),
    version                   BIGINT NOT NULL DEFAULT 1,
    created_at                TIMESTAMP NOT NULL,
    updated_at                TIMESTAMP NOT NULL
);
CREATE INDEX recommendations_meeting_idx ON recommendations (meeting_id, status);
CREATE INDEX recommendations_addressee_idx ON recommendations (addressee_organization_id, status);
CREATE INDEX recommendations_updated_at_idx ON recommendations (updated_at);

CREATE TABLE recommendation_proposers (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id),
    organization_id   TEXT NOT NULL REFERENCES organizations (id),
    position          INTEGER NOT NULL,
    PRIMARY KEY (recommendation_id, organization_id)
);

CREATE TABLE recommendation_grants (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id),
    grant_id          TEXT NOT NULL REFERENCES grants (id),
    position          INTEGER NOT NULL,
    PRIMARY KEY (recommendation_id, grant_id)
);
CREATE INDEX recommendation_grants_grant_idx ON recommendation_grants (grant_id);

CREATE TABLE recommendation_indicators (
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id),
    indicator_id      TEXT NOT NULL REFERENCES indicators (id),
    position          INTEGER NOT NULL,
    PRIMARY KEY (recommendation_id, indicator_id)
);
CREATE INDEX recommendation_indicators_indicator_idx ON recommendation_indicators (indicator_id);

-- Every status change, kept: from/to, the day it happened, note, evidence, author and the
-- organisation they acted for.
CREATE TABLE recommendation_changes (
    id                     TEXT PRIMARY KEY,
    recommendation_id      TEXT NOT NULL REFERENCES recommendations (id),
    from_status            TEXT NOT NULL,
    to_status              TEXT NOT NULL,
    on_date                DATE NOT NULL,
    note                   TEXT NOT NULL,
    evidence_url           TEXT,
    author_user_id         TEXT NOT NULL REFERENCES users (id),
    acting_organization_id TEXT REFERENCES organizations (id),
    at                     TIMESTAMP NOT NULL
);
CREATE INDEX recommendation_changes_recommendation_idx ON recommendation_changes (recommendation_id, id);

-- Endorsements: one standing endorsement per organisation and recommendation (the partial
-- unique index refuses a second one, also under parallel requests). Withdrawing stamps
-- `withdrawn_at` and keeps the row, so that a donor syncing with `updated_since` learns of it;
-- the organisation may endorse again (a new row).
CREATE TABLE recommendation_endorsements (
    id                TEXT PRIMARY KEY,
    recommendation_id TEXT NOT NULL REFERENCES recommendations (id),
    organization_id   TEXT NOT NULL REFERENCES organizations (id),
    user_id           TEXT NOT NULL REFERENCES users (id),
    endorsed_at       TIMESTAMP NOT NULL,
    withdrawn_at      TIMESTAMP,
    updated_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX recommendation_endorsements_organization_id_key
    ON recommendation_endorsements (recommendation_id, organization_id) WHERE withdrawn_at IS NULL;
CREATE INDEX recommendation_endorsements_updated_idx
    ON recommendation_endorsements (recommendation_id, updated_at);
