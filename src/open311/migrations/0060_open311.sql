-- Open311 GeoReport v2: the public service catalogue, API keys of third-party
-- clients, and the link from each request received through Open311 to its work order.
CREATE TABLE open311_services (
  service_code  text PRIMARY KEY,      -- maps to workorders.category_code
  service_name  text NOT NULL,
  description   text NOT NULL DEFAULT '',
  group_name    text NOT NULL DEFAULT '',
  keywords      text[] NOT NULL DEFAULT '{}',
  metadata      boolean NOT NULL DEFAULT false,   -- true when the service has attributes
  attributes    jsonb NOT NULL DEFAULT '[]',      -- GeoReport attribute definitions
  order_type    text NOT NULL DEFAULT 'request'
                CHECK (order_type IN ('consultation','request','complaint','report','suggestion','praise')),
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Keys are random; only their SHA-256 is stored.
CREATE TABLE open311_api_keys (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  created_by  int REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- One row per work order created through an external channel (open311, portal).
-- email is personal data: it is stored for the center, never returned by a GET.
CREATE TABLE open311_requests (
  workorder_id  int PRIMARY KEY REFERENCES workorders(id),
  token         text NOT NULL UNIQUE,
  channel       text NOT NULL DEFAULT 'open311',
  api_key_id    int REFERENCES open311_api_keys(id),
  service_code  text NOT NULL,
  address_id    text,
  email         text,
  media_url     text,
  attributes    jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now()
);
