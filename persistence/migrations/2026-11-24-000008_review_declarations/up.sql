-- A reviewer declares, before scoring, that they have no conflict of interest
-- (conflict_of_interest = FALSE) or that they have one (TRUE, and the review is recused);
-- conflict_declared_at is when. NULL: not declared yet, so the review cannot be scored,
-- submitted or counted in a ranking.
ALTER TABLE reviews ADD COLUMN conflict_declared_at TIMESTAMP;
