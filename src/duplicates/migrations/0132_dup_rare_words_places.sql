-- What makes two reports the same problem besides their words.
-- The places an order names (its address, the estates and lanes in its text), compared as a whole.
ALTER TABLE dup_signatures ADD COLUMN places text[] NOT NULL DEFAULT '{}';

-- Document frequencies of the tokens over the latest signatures, rebuilt as a whole by one node
-- at a time (advisory lock) every JIESU_DUP_DF_MINUTES: creating an order never writes here, so
-- no order waits on a counter row of a common word.
CREATE TABLE dup_token_df (
  token  text PRIMARY KEY,
  df     int NOT NULL
);
CREATE TABLE dup_df_state (
  id            int PRIMARY KEY CHECK (id = 1),
  docs          int NOT NULL,
  refreshed_at  timestamptz NOT NULL
);

-- A caller's earlier orders, closed ones too, by the phone's blind index (the open-only index
-- of 0085 serves the call panel).
CREATE INDEX workorders_phone_bidx_created_idx ON workorders (citizen_phone_bidx, created_at)
  WHERE citizen_phone_bidx IS NOT NULL;
