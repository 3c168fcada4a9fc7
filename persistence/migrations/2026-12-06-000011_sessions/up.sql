-- A user's session generation: every access token carries the generation it was issued at,
-- and the statement that loads the caller on each request requires it to be current. A new
-- password (own or reset by an admin) increments it, so tokens issued before stop working at
-- once instead of living out their 15 minutes.
ALTER TABLE users ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;
