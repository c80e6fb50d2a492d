-- In-app inbox and a webhook outbox (retried, every attempt recorded).
CREATE TABLE notifications (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       int NOT NULL REFERENCES users(id),
  kind          text NOT NULL,
  title         text NOT NULL,
  body          text NOT NULL,
  workorder_id  int REFERENCES workorders(id),
  data          jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  read_at       timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE webhook_outbox (
  id               int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url              text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','dead')),
  attempts         int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,
  last_error       text,
  last_status      int,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id   int NOT NULL REFERENCES webhook_outbox(id),
  at          timestamptz NOT NULL DEFAULT now(),
  status      int,
  error       text
);
CREATE INDEX webhook_attempts_outbox_idx ON webhook_attempts (outbox_id);
