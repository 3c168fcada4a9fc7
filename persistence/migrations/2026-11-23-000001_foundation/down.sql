DROP TABLE audit_events;
DROP TABLE memberships;
DROP TABLE organizations;
DROP TABLE refresh_tokens;
DROP TABLE users;
