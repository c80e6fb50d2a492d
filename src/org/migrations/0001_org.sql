-- Organisation: the unit tree, staff users and their login sessions.
CREATE TABLE units (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('city','district','subdistrict','community','bureau','utility')),
  parent_id   int REFERENCES units(id),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_parent_idx ON units(parent_id);

CREATE TABLE users (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name  text NOT NULL,
  unit_id       int REFERENCES units(id),
  roles         text[] NOT NULL DEFAULT '{}',
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_unit_idx ON users(unit_id);

-- Bearer tokens are random; only their SHA-256 is stored, so a leaked table grants nothing.
CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     int NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions(user_id);
