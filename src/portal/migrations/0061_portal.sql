-- Citizen portal: requests submitted on the web with their query code (hash only),
-- the photos attached, the citizen's rating, fixed-window rate limits and used challenges.
CREATE TABLE portal_requests (
  workorder_id  int PRIMARY KEY REFERENCES workorders(id),
  code_hash     text NOT NULL,
  rating        jsonb,
  rated_at      timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE portal_photos (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workorder_id  int NOT NULL REFERENCES workorders(id),
  mime          text NOT NULL,
  data          bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_photos_order_idx ON portal_photos(workorder_id);

-- Fixed-window counters shared by every node: bucket is e.g. 'ip:1.2.3.4' or 'phone:<sha256>'.
CREATE TABLE portal_rate_limits (
  bucket        text NOT NULL,
  window_start  timestamptz NOT NULL,
  count         int NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX portal_rate_limits_window_idx ON portal_rate_limits(window_start);

-- A challenge answer may be used once.
CREATE TABLE portal_used_challenges (
  nonce       text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX portal_used_challenges_exp_idx ON portal_used_challenges(expires_at);

-- The HMAC secret of the challenges, created once and shared by every node.
CREATE TABLE portal_secrets (
  name    text PRIMARY KEY,
  secret  text NOT NULL
);
