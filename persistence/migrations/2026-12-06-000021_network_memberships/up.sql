-- Coalitions (DESIGN "Coalitions"): an organisation of kind network has member organisations,
-- each membership from the day it joined to the day it left (NULL: a current member). An
-- organisation is a current member of a network once at a time (the partial unique index;
-- both backends support it); it may join again after it left, as a new membership.
CREATE TABLE network_memberships (
    id                     TEXT PRIMARY KEY,
    network_id             TEXT NOT NULL REFERENCES organizations (id),
    member_organization_id TEXT NOT NULL REFERENCES organizations (id),
    joined_on              DATE NOT NULL,
    left_on                DATE,
    version                BIGINT NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    CHECK (network_id <> member_organization_id),
    CHECK (left_on IS NULL OR left_on >= joined_on)
);
CREATE UNIQUE INDEX network_memberships_member_organization_id_key
    ON network_memberships (network_id, member_organization_id) WHERE left_on IS NULL;
-- A network's members are listed by id; its growth counts by the days members joined and left.
CREATE INDEX network_memberships_network_idx ON network_memberships (network_id, id);
CREATE INDEX network_memberships_joined_idx ON network_memberships (network_id, joined_on);
CREATE INDEX network_memberships_member_idx ON network_memberships (member_organization_id);
CREATE INDEX network_memberships_updated_at_idx ON network_memberships (updated_at);
