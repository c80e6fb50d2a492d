-- The head of an article (title and question variants, weights A and B) has its own GIN
-- index, so the OR fallback of a search looks among the few articles whose head holds a
-- query word before it falls back to every article whose answer holds one: a common word
-- is in thousands of answers, and fetching and ranking them all was most of a slow search.
CREATE INDEX kb_articles_head_idx ON kb_articles USING gin (ts_filter(tsv, '{a,b}'));
-- Likewise for the assistant's similar orders: the title is weight A of the order index.
CREATE INDEX kb_order_index_title_idx ON kb_order_index USING gin (ts_filter(tsv, '{a}'));
