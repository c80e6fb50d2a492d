-- Work orders: `workorders` is the current state, a projection of the append-only
-- `workorder_events`, and both are written in the same transaction.
CREATE TABLE workorder_number_counters (
  day   text PRIMARY KEY,          -- YYYYMMDD in the city's time zone
  last  int NOT NULL
);

CREATE TABLE workorders (
  id                int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number            text NOT NULL UNIQUE,
  type              text NOT NULL CHECK (type IN ('consultation','request','complaint','report','suggestion','praise')),
  title             text NOT NULL,
  content           text NOT NULL,
  category_code     text,
  urgency           text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal','urgent')),
  status            text NOT NULL CHECK (status IN ('new','dispatched','accepted','returned','replied','reopened','closed')),
  address           text,
  district_unit_id  int REFERENCES units(id),
  lat               double precision,
  lng               double precision,
  citizen_name      text,
  citizen_phone     text,
  contact_id        int,
  main_unit_id      int REFERENCES units(id),
  co_unit_ids       int[] NOT NULL DEFAULT '{}',
  extension         jsonb,           -- the pending extension request, if any
  extension_days    int NOT NULL DEFAULT 0,
  reply             jsonb,
  survey            jsonb,
  close_reason      text,
  duplicate_of      int REFERENCES workorders(id),
  dispatch_count    int NOT NULL DEFAULT 0,
  return_count      int NOT NULL DEFAULT 0,
  reopen_count      int NOT NULL DEFAULT 0,
  supervision_count int NOT NULL DEFAULT 0,
  version           int NOT NULL,
  created_by        int REFERENCES users(id),
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  dispatched_at     timestamptz,
  signed_at         timestamptz,
  replied_at        timestamptz,
  closed_at         timestamptz
);
CREATE INDEX workorders_status_idx ON workorders(status, id);
CREATE INDEX workorders_unit_idx ON workorders(main_unit_id, status, id);
CREATE INDEX workorders_created_idx ON workorders(created_at);
CREATE INDEX workorders_category_idx ON workorders(category_code);
CREATE INDEX workorders_co_units_idx ON workorders USING gin (co_unit_ids);

CREATE TABLE workorder_events (
  workorder_id  int NOT NULL REFERENCES workorders(id),
  seq           int NOT NULL,
  type          text NOT NULL,
  actor_id      int REFERENCES users(id),
  at            timestamptz NOT NULL,
  data          jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (workorder_id, seq)
);

-- Every read of a citizen's unmasked personal data, for the audit (PIPL).
CREATE TABLE pii_access_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       int REFERENCES users(id),
  workorder_id  int,
  fields        text[] NOT NULL,
  purpose       text NOT NULL,
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pii_access_log_at_idx ON pii_access_log(at);
