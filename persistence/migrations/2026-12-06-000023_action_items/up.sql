-- A meeting's action items (DESIGN "Stakeholder meetings and recommendations"): what is to be
-- done, by whom (an organisation, a user or both), by when; done once marked done. Overdue is
-- derived from due_on and done_at, never stored.
CREATE TABLE action_items (
    id                    TEXT PRIMARY KEY,
    meeting_id            TEXT NOT NULL REFERENCES meetings (id),
    text                  TEXT NOT NULL,
    owner_organization_id TEXT REFERENCES organizations (id),
    owner_user_id         TEXT REFERENCES users (id),
    due_on                DATE NOT NULL,
    done_at               TIMESTAMP,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    CHECK (owner_organization_id IS NOT NULL OR owner_user_id IS NOT NULL)
);
CREATE INDEX action_items_meeting_idx ON action_items (meeting_id, id);
CREATE INDEX action_items_owner_user_idx ON action_items (owner_user_id, id);
CREATE INDEX action_items_owner_organization_idx ON action_items (owner_organization_id, id);
CREATE INDEX action_items_updated_at_idx ON action_items (updated_at);
