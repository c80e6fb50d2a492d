-- Security: login throttling, TOTP for admins, an append-only audit trail and retention.

-- One row per failed login, keyed 'user:<name>' and 'ip:<addr>'; a sliding window is a count
-- over the last N seconds, shared by every node through the database.
CREATE TABLE login_failures (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key   text NOT NULL,
  at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, at);

-- TOTP (RFC 6238): the base32 secret, whether it is required at login, and the last
-- time step accepted (a code cannot be replayed).
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE users ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN totp_last_step bigint;

-- Retention: when an order's personal data was anonymised.
ALTER TABLE workorders ADD COLUMN anonymised_at timestamptz;

-- Administrative actions worth keeping (retention runs, session revocations, TOTP changes).
CREATE TABLE audit_events (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor_id  int REFERENCES users(id),
  action    text NOT NULL,
  data      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at_idx ON audit_events (at);

-- Nobody edits the audit trail: UPDATE, DELETE and TRUNCATE raise, on both engines.
CREATE FUNCTION security_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (审计日志不可修改)', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
CREATE TRIGGER pii_access_log_append_only BEFORE UPDATE OR DELETE ON pii_access_log
  FOR EACH ROW EXECUTE FUNCTION security_append_only();
CREATE TRIGGER pii_access_log_no_truncate BEFORE TRUNCATE ON pii_access_log
  FOR EACH STATEMENT EXECUTE FUNCTION security_append_only();
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION security_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION security_append_only();
CREATE INDEX pii_access_log_user_idx ON pii_access_log (user_id, id);
CREATE INDEX pii_access_log_order_idx ON pii_access_log (workorder_id, id);
