-- The outbox: every change, recorded in the transaction that makes it, for the change feed and
-- webhooks to read later (nothing reads it yet). `audience` lists the organisations that may
-- see the change, so the feed filters with an index instead of re-deciding access per row.
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
