ALTER TABLE reviews DROP COLUMN conflict_declared_at;
