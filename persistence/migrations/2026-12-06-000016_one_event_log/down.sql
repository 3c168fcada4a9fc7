CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    at           TIMESTAMP NOT NULL,
    kind         TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    programme_id TEXT,
    payload      TEXT NOT NULL
);
CREATE INDEX outbox_entity_idx ON outbox (entity_type, entity_id);
CREATE INDEX outbox_programme_idx ON outbox (programme_id, id);
CREATE TABLE outbox_audience (
    outbox_id       TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    PRIMARY KEY (outbox_id, organization_id)
);
CREATE INDEX outbox_audience_org_idx ON outbox_audience (organization_id, outbox_id);
INSERT INTO outbox (id, at, kind, entity_type, entity_id, programme_id, payload)
    SELECT id, at, action, entity_type, entity_id, programme_id, payload FROM audit_events;
INSERT INTO outbox_audience (outbox_id, organization_id)
    SELECT event_id, organization_id FROM event_audience;
DROP TABLE event_audience;
DROP INDEX audit_events_programme_idx;
ALTER TABLE audit_events DROP COLUMN payload;
ALTER TABLE audit_events DROP COLUMN programme_id;
