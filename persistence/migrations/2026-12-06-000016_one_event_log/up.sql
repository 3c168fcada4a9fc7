-- One event log: the audit row of a change is also its entry for the change feed and webhooks
-- (before, a copy of it in `outbox`). Every change is recorded once, in its own transaction,
-- with the programme it belongs to, a small payload and the organisations that may see it
-- (`event_audience`, so that the feed filters with an index).
ALTER TABLE audit_events ADD COLUMN programme_id TEXT;
ALTER TABLE audit_events ADD COLUMN payload TEXT NOT NULL DEFAULT '{}';
UPDATE audit_events
   SET programme_id = (SELECT o.programme_id FROM outbox o WHERE o.id = audit_events.id),
       payload = COALESCE((SELECT o.payload FROM outbox o WHERE o.id = audit_events.id), '{}');
CREATE INDEX audit_events_programme_idx ON audit_events (programme_id, id);

CREATE TABLE event_audience (
    event_id        TEXT NOT NULL REFERENCES audit_events (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    PRIMARY KEY (event_id, organization_id)
);
CREATE INDEX event_audience_org_idx ON event_audience (organization_id, event_id);
INSERT INTO event_audience (event_id, organization_id)
    SELECT a.outbox_id, a.organization_id FROM outbox_audience a
     WHERE a.outbox_id IN (SELECT id FROM audit_events);

DROP TABLE outbox_audience;
DROP TABLE outbox;
