-- Citizen personal data encrypted at rest (see src/privacy/pii.ts). SQL has no key, so this
-- only adds the columns: at start-up the platform encrypts rows still holding plaintext
-- (once, idempotent) and empties the plaintext columns.
ALTER TABLE workorders ADD COLUMN citizen_name_enc text, ADD COLUMN citizen_phone_enc text, ADD COLUMN citizen_phone_bidx text;
ALTER TABLE contacts ADD COLUMN caller_name_enc text, ADD COLUMN caller_phone_enc text, ADD COLUMN caller_phone_bidx text;
ALTER TABLE dup_callers ADD COLUMN name_enc text, ADD COLUMN phone_enc text, ADD COLUMN phone_bidx text;
ALTER TABLE open311_requests ADD COLUMN email_enc text;

-- Caller history finds a caller by the blind index of the normalised phone.
DROP INDEX IF EXISTS workorders_open_phone_idx;
DROP INDEX IF EXISTS contacts_phone_idx;
CREATE INDEX workorders_open_phone_bidx_idx ON workorders (citizen_phone_bidx)
  WHERE citizen_phone_bidx IS NOT NULL AND status <> 'closed';
CREATE INDEX contacts_phone_bidx_idx ON contacts (caller_phone_bidx, id) WHERE caller_phone_bidx IS NOT NULL;
CREATE INDEX dup_callers_phone_bidx_idx ON dup_callers (phone_bidx) WHERE phone_bidx IS NOT NULL;

-- One row per key id ever used: a known text encrypted under it, so a wrong key is caught at
-- start-up; retired_at is set by `jiesu privacy rotate` once no row needs the key any more.
CREATE TABLE pii_keys (
  key_id      text PRIMARY KEY,
  check_value text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz
);

-- One-off start-up steps done (e.g. 'encrypt_legacy').
CREATE TABLE pii_state (
  name     text PRIMARY KEY,
  done_at  timestamptz NOT NULL DEFAULT now()
);
