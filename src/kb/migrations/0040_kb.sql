-- Knowledge base (知识库): articles with versions, synonyms, use log, and a search
-- index of work orders for the agent's assistant. Chinese text is segmented with
-- jieba in Node and stored space-joined, so to_tsvector('simple', …) works on
-- PostgreSQL 15 and PGlite alike (no extension needed).
CREATE TABLE kb_articles (
  id                int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title             text NOT NULL,
  questions         text[] NOT NULL DEFAULT '{}',   -- question variants (问法)
  answer            text NOT NULL,
  category_code     text,
  owner_unit_id     int NOT NULL REFERENCES units(id),
  valid_from        date,
  valid_until       date,
  review_due        date,
  reviewed_at       timestamptz,
  status            text NOT NULL CHECK (status IN ('draft','published','retired')),
  version           int NOT NULL,                   -- the version whose content the row holds
  last_version      int NOT NULL,                   -- highest version number (drafts included)
  tsv               tsvector NOT NULL,              -- A: title, B: question variants, C: answer
  use_count         int NOT NULL DEFAULT 0,
  helpful_count     int NOT NULL DEFAULT 0,
  unhelpful_count   int NOT NULL DEFAULT 0,
  created_by        int REFERENCES users(id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  published_at      timestamptz
);
CREATE INDEX kb_articles_tsv_idx ON kb_articles USING gin (tsv);
CREATE INDEX kb_articles_owner_idx ON kb_articles (owner_unit_id, status, id);
CREATE INDEX kb_articles_review_idx ON kb_articles (review_due) WHERE status = 'published';
CREATE INDEX kb_articles_title_idx ON kb_articles (owner_unit_id, title);

-- Every change is a version: owners propose (draft), the center publishes or rejects.
CREATE TABLE kb_article_versions (
  article_id      int NOT NULL REFERENCES kb_articles(id),
  version         int NOT NULL,
  state           text NOT NULL CHECK (state IN ('draft','published','superseded','rejected')),
  content         jsonb NOT NULL,      -- {title, questions, answer, categoryCode, validFrom, validUntil, reviewDate}
  changed_fields  text[] NOT NULL DEFAULT '{}',
  note            text,
  created_by      int REFERENCES users(id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  decided_by      int REFERENCES users(id),
  decided_at      timestamptz,
  PRIMARY KEY (article_id, version)
);

-- Each time an agent answers with an article (直接答复), with optional feedback.
CREATE TABLE kb_article_uses (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  article_id  int NOT NULL REFERENCES kb_articles(id),
  user_id     int REFERENCES users(id),
  contact_id  int,
  helpful     boolean,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_article_uses_article_idx ON kb_article_uses (article_id, at);

-- Synonym groups managed by admins; a query term in a group matches every term of it.
CREATE TABLE kb_synonyms (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  terms       text[] NOT NULL CHECK (cardinality(terms) >= 2),
  created_by  int REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_synonyms_terms_idx ON kb_synonyms USING gin (terms);

-- Segmented text of work orders (filled by an order listener on `created`, or by
-- `jiesu kb index-orders` for older orders) so the assistant finds similar orders fast.
CREATE TABLE kb_order_index (
  workorder_id  int PRIMARY KEY REFERENCES workorders(id),
  created_at    timestamptz NOT NULL,
  tsv           tsvector NOT NULL
);
CREATE INDEX kb_order_index_tsv_idx ON kb_order_index USING gin (tsv);
CREATE INDEX kb_order_index_created_idx ON kb_order_index (created_at);
