-- Near-duplicate search: one text signature per order (jieba tokens and MinHash-LSH band
-- keys, keyed by district), kept current by an order listener.
CREATE TABLE dup_signatures (
  workorder_id      int PRIMARY KEY REFERENCES workorders(id),
  created_at        timestamptz NOT NULL,
  district_unit_id  int,
  lat               double precision,
  lng               double precision,
  open              boolean NOT NULL DEFAULT true,   -- false once the order is closed
  tokens            text[] NOT NULL,
  bands             int[] NOT NULL
);
CREATE INDEX dup_signatures_bands_idx ON dup_signatures USING gin (bands);
CREATE INDEX dup_signatures_created_idx ON dup_signatures (created_at);
CREATE INDEX dup_signatures_open_idx ON dup_signatures (created_at) WHERE open;

-- A duplicate order linked to its main order: closed as duplicate when it was still new,
-- only linked when it had already gone out to a unit. Undoing keeps the row (undone_at).
CREATE TABLE dup_merges (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  main_id       int NOT NULL REFERENCES workorders(id),
  duplicate_id  int NOT NULL REFERENCES workorders(id),
  mode          text NOT NULL CHECK (mode IN ('closed', 'linked')),
  created_by    int REFERENCES users(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  undone_by     int REFERENCES users(id),
  undone_at     timestamptz,
  CHECK (main_id <> duplicate_id)
);
CREATE UNIQUE INDEX dup_merges_active_idx ON dup_merges (duplicate_id) WHERE undone_at IS NULL;
CREATE INDEX dup_merges_main_idx ON dup_merges (main_id);

-- Everyone behind an order besides its own citizen: repeat callers and the citizens of
-- merged orders, so that all of them are surveyed. Personal data: masked like the order's.
CREATE TABLE dup_callers (
  id               int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workorder_id     int NOT NULL REFERENCES workorders(id),
  name             text,
  phone            text,
  contact_id       int,
  source           text NOT NULL CHECK (source IN ('repeat', 'merge')),
  source_order_id  int REFERENCES workorders(id),
  merge_id         int REFERENCES dup_merges(id),
  note             text,
  added_by         int REFERENCES users(id),
  added_at         timestamptz NOT NULL DEFAULT now(),
  removed_at       timestamptz
);
CREATE INDEX dup_callers_order_idx ON dup_callers (workorder_id);
CREATE INDEX dup_callers_merge_idx ON dup_callers (merge_id);

-- Duplicate history of each order (both sides of a merge), next to its lifecycle events.
CREATE TABLE dup_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workorder_id  int NOT NULL REFERENCES workorders(id),
  type          text NOT NULL CHECK (type IN ('repeat_added', 'merged_in', 'merged_into', 'unmerged_in', 'unmerged_from')),
  merge_id      int REFERENCES dup_merges(id),
  other_id      int REFERENCES workorders(id),
  actor_id      int REFERENCES users(id),
  at            timestamptz NOT NULL DEFAULT now(),
  data          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX dup_events_order_idx ON dup_events (workorder_id, id);
