-- Open311 both ways (issue #30).
-- Server side: several media URLs and the jurisdiction per request, attributes a service does
-- not declare (stored with the declared ones), jurisdictions one jiesu may serve, and the
-- comments clients post through servicerequestupdates.
ALTER TABLE open311_requests ADD COLUMN media_urls text[] NOT NULL DEFAULT '{}';
ALTER TABLE open311_requests ADD COLUMN jurisdiction_id text;
ALTER TABLE open311_requests ADD COLUMN extra_attributes jsonb NOT NULL DEFAULT '{}';
UPDATE open311_requests SET media_urls = ARRAY[media_url] WHERE media_url IS NOT NULL;

-- One row per center this endpoint serves; none: a single-jurisdiction endpoint (jurisdiction_id ignored).
-- unit_id: the unit whose subtree holds that center's orders.
CREATE TABLE open311_jurisdictions (
  jurisdiction_id  text PRIMARY KEY,
  name             text NOT NULL,
  unit_id          int NOT NULL REFERENCES units(id),
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- A citizen's comment posted by a client (POST servicerequestupdates): the event on the order is
-- (workorder_id, seq); the client's own update_id makes a repeated post answer the same update.
-- No personal data is kept here (the commenter's name, phone and e-mail are not stored).
CREATE TABLE open311_comments (
  workorder_id      int NOT NULL REFERENCES workorders(id),
  seq               int NOT NULL,
  api_key_id        int NOT NULL REFERENCES open311_api_keys(id),
  client_update_id  text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workorder_id, seq)
);
CREATE UNIQUE INDEX open311_comments_client_idx ON open311_comments (api_key_id, client_update_id) WHERE client_update_id IS NOT NULL;

-- servicerequestupdates reads the events that make an update, by time.
CREATE INDEX open311_update_events_at_idx ON workorder_events (at)
  WHERE type IN ('dispatched', 'signed', 'returned', 'replied', 'surveyed', 'survey_failed', 'closed', 'unmerged');

-- Keywords are the admin's: the category sync used to fill them with category names, which clients read as flags.
UPDATE open311_services s SET keywords = '{}'
 WHERE cardinality(s.keywords) = 2 AND s.keywords[1] = s.group_name
   AND EXISTS (SELECT 1 FROM categories c WHERE c.code = s.service_code AND c.name = s.keywords[2]);

-- Client side: a unit served by its own system (a district's 数字城管, a utility's ticketing).
-- api_key_enc: the key that system gave us, encrypted like citizens' data (src/privacy).
CREATE TABLE open311_endpoints (
  unit_id               int PRIMARY KEY REFERENCES units(id),
  base_url              text NOT NULL,
  api_key_enc           text NOT NULL,
  jurisdiction_id       text,
  service_codes         jsonb NOT NULL DEFAULT '{}',   -- jiesu category code → their service_code
  default_service_code  text,
  active                boolean NOT NULL DEFAULT true,
  polled_until          timestamptz,                   -- updates read up to here
  poll_lease_until      timestamptz,
  last_poll_error       text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- The outbox: one row per dispatch of an order to a unit with an endpoint; retried with backoff,
-- claimed with FOR UPDATE SKIP LOCKED and a lease so that any number of nodes may deliver.
CREATE TABLE open311_outbound (
  id                 int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workorder_id       int NOT NULL REFERENCES workorders(id),
  unit_id            int NOT NULL REFERENCES units(id),
  dispatch_seq       int NOT NULL,
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead', 'cancelled')),
  attempts           int NOT NULL DEFAULT 0,
  next_attempt_at    timestamptz NOT NULL DEFAULT now(),
  lease_until        timestamptz,
  last_status        int,
  last_error         text,
  remote_request_id  text,
  remote_token       text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  sent_at            timestamptz,
  UNIQUE (workorder_id, dispatch_seq)
);
CREATE INDEX open311_outbound_due_idx ON open311_outbound (next_attempt_at) WHERE status = 'pending';
CREATE INDEX open311_outbound_remote_idx ON open311_outbound (unit_id, remote_request_id) WHERE remote_request_id IS NOT NULL;
CREATE INDEX open311_outbound_token_idx ON open311_outbound (unit_id) WHERE status = 'sent' AND remote_request_id IS NULL;

-- Updates read from a unit's system, once each.
CREATE TABLE open311_inbound_updates (
  outbound_id       int NOT NULL REFERENCES open311_outbound(id),
  remote_update_id  text NOT NULL,
  status            text NOT NULL,
  outcome           text NOT NULL,   -- the action taken: sign, reply, return, none, or refused:<code>
  applied_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (outbound_id, remote_update_id)
);

-- service_name is the category path, unique where two leaves may both be 「其他」 (names the sync gave, not an admin's).
WITH RECURSIVE path AS (
  SELECT id, code, name, name::text AS full_name FROM categories WHERE parent_id IS NULL
  UNION ALL
  SELECT c.id, c.code, c.name, p.full_name || ' / ' || c.name FROM categories c JOIN path p ON c.parent_id = p.id)
UPDATE open311_services s SET service_name = p.full_name
  FROM path p
 WHERE p.code = s.service_code AND s.service_name = p.name AND s.description = p.full_name;
