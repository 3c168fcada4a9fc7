DROP INDEX grants_programme_idx;
