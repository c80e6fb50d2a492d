-- The duplicate check reads this index on every new contact. With fastupdate (the default),
-- new signatures queue in a pending list that each check reads in full until VACUUM merges it,
-- and PGlite has no autovacuum: write the entries straight into the index instead.
ALTER INDEX dup_signatures_bands_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('dup_signatures_bands_idx'::regclass);
