-- Idempotency-Key on POST /api/v1/workorders: the key is claimed by this row's primary key
-- in the transaction that creates the order, so a retry waits for the first attempt's commit
-- and then answers its order (same body) or 409 (another body).
CREATE TABLE workorder_idempotency (
  created_by   int NOT NULL REFERENCES users(id),
  key          text NOT NULL,
  request_hash text NOT NULL,
  workorder_id int REFERENCES workorders(id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (created_by, key)
);
