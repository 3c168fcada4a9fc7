-- Idempotency keys (domain::idempotency): per caller, the fingerprint of the request that took
-- the key, whether its write transaction committed (set inside that transaction), and its
-- answer once it has one. Kept 24 hours.
CREATE TABLE idempotency_keys (
    id TEXT PRIMARY KEY NOT NULL,
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    committed BOOLEAN NOT NULL DEFAULT FALSE,
    status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT idempotency_keys_principal_key_key UNIQUE (principal, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
