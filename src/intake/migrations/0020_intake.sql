-- Contacts (来电/来信): every citizen interaction on any channel, one row each, none lost.
-- Phone numbers are stored normalised (no spaces/dashes, no +86/0086 prefix), the same way
-- intake_norm_phone() normalises them, so a caller is found by one indexed equality.
CREATE FUNCTION intake_norm_phone(p text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT regexp_replace(regexp_replace(p, '[[:space:]()（）-]', '', 'g'), '^(\+86|0086)', '') $$;

CREATE TABLE contacts (
  id               int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel          text NOT NULL CHECK (channel IN ('phone','web','app','miniprogram','email','open311','walkin')),
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz CHECK (ended_at IS NULL OR ended_at >= started_at),
  caller_phone     text,
  caller_name      text,
  agent_id         int REFERENCES users(id),
  summary          text NOT NULL,
  outcome          text NOT NULL CHECK (outcome IN ('answered','workorder','duplicate','transferred','invalid')),
  workorder_id     int REFERENCES workorders(id),
  transfer_to      text CHECK (transfer_to IN ('110','119','120','other')),
  invalid_reason   text,
  call_id          text,
  created_by       int NOT NULL REFERENCES users(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- Idempotent intake: a key belongs to the user who sent it; the hash is of the request body.
  idempotency_key  text,
  request_hash     text,
  CHECK ((outcome = 'transferred') = (transfer_to IS NOT NULL)),
  CHECK ((outcome = 'invalid') = (invalid_reason IS NOT NULL)),
  CHECK (outcome NOT IN ('duplicate') OR workorder_id IS NOT NULL)
);
CREATE UNIQUE INDEX contacts_idempotency_idx ON contacts (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX contacts_phone_idx ON contacts (caller_phone, id) WHERE caller_phone IS NOT NULL;
CREATE INDEX contacts_started_idx ON contacts (started_at);
CREATE INDEX contacts_workorder_idx ON contacts (workorder_id) WHERE workorder_id IS NOT NULL;
CREATE INDEX contacts_agent_idx ON contacts (agent_id, started_at);

-- Caller history looks up a caller's open orders by phone; orders store the phone as typed.
CREATE INDEX workorders_open_phone_idx ON workorders (intake_norm_phone(citizen_phone))
  WHERE citizen_phone IS NOT NULL AND status <> 'closed';
