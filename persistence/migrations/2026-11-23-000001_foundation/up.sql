-- Foundation: users, refresh tokens, organisations, memberships, audit events.
-- Ids are UUID strings, times are UTC TIMESTAMPs, enums are TEXT with CHECK constraints, and
-- structured values are JSON in TEXT, so the same diesel code runs on SQLite and PostgreSQL.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    system_role   TEXT NOT NULL CHECK (system_role IN ('admin', 'user')),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_updated_at_idx ON users (updated_at);

CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE organizations (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('ngo', 'donor', 'government', 'business', 'media', 'academic', 'international', 'network')),
    name            TEXT NOT NULL,
    bin             TEXT,
    country         TEXT NOT NULL,
    region          TEXT,
    themes          TEXT NOT NULL DEFAULT '[]',
    iati_identifier TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CONSTRAINT organizations_bin_key UNIQUE (bin),
    CONSTRAINT organizations_iati_identifier_key UNIQUE (iati_identifier)
);
CREATE INDEX organizations_updated_at_idx ON organizations (updated_at);

CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'member', 'accountant')),
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT REFERENCES users (id),
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    summary     TEXT NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id);
