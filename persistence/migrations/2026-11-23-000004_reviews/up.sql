-- Reviews: one committee member's scores for one application. `scores` is a JSON object
-- {criterion_id: score}.
CREATE TABLE reviews (
    id                   TEXT PRIMARY KEY,
    application_id       TEXT NOT NULL REFERENCES applications (id),
    reviewer_user_id     TEXT NOT NULL REFERENCES users (id),
    status               TEXT NOT NULL CHECK (status IN ('assigned', 'submitted', 'recused')),
    conflict_of_interest BOOLEAN NOT NULL DEFAULT FALSE,
    conflict_note        TEXT,
    scores               TEXT NOT NULL DEFAULT '{}',
    comment              TEXT,
    submitted_at         TIMESTAMP,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CONSTRAINT reviews_application_reviewer_key UNIQUE (application_id, reviewer_user_id)
);
CREATE INDEX reviews_reviewer_idx ON reviews (reviewer_user_id);
