-- Search indexes without a pending list. A GIN index with fastupdate (the default) queues new
-- entries in a pending list that every search reads in full until VACUUM merges it; PGlite has
-- no autovacuum, so the list stayed up to 4 MB long and the planner, rightly, preferred scanning
-- the whole table (the assistant's similar orders took ~50–90 ms at 20,000 orders). Articles
-- change rarely and an order is indexed once: writing the entries straight away is cheap.
ALTER INDEX kb_articles_tsv_idx SET (fastupdate = off);
ALTER INDEX kb_order_index_tsv_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('kb_articles_tsv_idx'::regclass);
SELECT gin_clean_pending_list('kb_order_index_tsv_idx'::regclass);

-- The head of an article (title and question variants, weights A and B) has its own GIN
-- index, so the OR fallback of a search looks among the few articles whose head holds a
-- query word before it falls back to every article whose answer holds one: a common word
-- is in thousands of answers, and fetching and ranking them all was most of a slow search.
CREATE INDEX kb_articles_head_idx ON kb_articles USING gin (ts_filter(tsv, '{a,b}')) WITH (fastupdate = off);
-- Likewise for the assistant's similar orders: the title is weight A of the order index.
CREATE INDEX kb_order_index_title_idx ON kb_order_index USING gin (ts_filter(tsv, '{a}')) WITH (fastupdate = off);
