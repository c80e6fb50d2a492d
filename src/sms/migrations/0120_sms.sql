-- Messages to citizens and to units' liaisons (短信): a durable outbox delivered by any node
-- (lease + SKIP LOCKED, backoff retries, dead letters), every attempt, the templates an admin
-- edits, opt-outs by reply keyword, the liaisons' numbers, one-time rating links and the city's
-- choices. No phone number is stored here in clear: a row names its recipient (the order's
-- citizen, or a liaison) and the phone's blind index; the number is decrypted when it is sent.
CREATE TABLE sms_outbox (
  id               int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('receipt','reply','followup','liaison_urgent','liaison_red')),
  workorder_id     int REFERENCES workorders(id),
  liaison_id       int,
  -- A dead letter resent as a new row names it here (and leaves the dead-letter list).
  resent_as        int,
  phone_bidx       text,
  params           jsonb NOT NULL DEFAULT '{}',
  -- What was sent, with the query code and the link's token masked (filled when sent).
  text             text,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','dead','skipped')),
  skip_reason      text,
  attempts         int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,
  last_error       text,
  last_status      int,
  provider         text,
  provider_message_id text,
  delivery         text CHECK (delivery IN ('delivered','undelivered')),
  delivery_note    text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX sms_outbox_due_idx ON sms_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX sms_outbox_order_idx ON sms_outbox (workorder_id);
CREATE INDEX sms_outbox_phone_idx ON sms_outbox (phone_bidx, sent_at);
CREATE INDEX sms_outbox_provider_id_idx ON sms_outbox (provider_message_id);

CREATE TABLE sms_attempts (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id   int NOT NULL REFERENCES sms_outbox(id),
  at          timestamptz NOT NULL DEFAULT now(),
  status      int,
  error       text
);
CREATE INDEX sms_attempts_outbox_idx ON sms_attempts (outbox_id);

-- An admin's wording of a message (the built-in one otherwise) and the provider's template id.
CREATE TABLE sms_templates (
  kind                  text PRIMARY KEY,
  body                  text NOT NULL,
  provider_template_id  text,
  updated_by            int REFERENCES users(id),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Numbers that replied 退订/TD: sealed like every phone (src/privacy); `phone` is the clear
-- column the key rotation expects and stays empty.
CREATE TABLE sms_optouts (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  phone       text,
  phone_enc   text,
  phone_bidx  text NOT NULL UNIQUE,
  keyword     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A unit's liaisons (联络员), who get urgent orders and overdue warnings by SMS.
CREATE TABLE sms_liaisons (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_id     int NOT NULL REFERENCES units(id),
  name        text NOT NULL,
  phone       text,
  phone_enc   text,
  phone_bidx  text,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_liaisons_unit_idx ON sms_liaisons (unit_id) WHERE active;

-- One-time rating links of the follow-up by message: only the token's SHA-256 is kept.
CREATE TABLE sms_rating_links (
  token_hash    text PRIMARY KEY,
  workorder_id  int NOT NULL REFERENCES workorders(id),
  outbox_id     int REFERENCES sms_outbox(id),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_rating_links_order_idx ON sms_rating_links (workorder_id);

-- The city's choices (one row).
CREATE TABLE sms_settings (
  id                int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  followup          text NOT NULL DEFAULT 'phone' CHECK (followup IN ('phone','sms')),
  liaison_urgent    boolean NOT NULL DEFAULT true,
  liaison_red       boolean NOT NULL DEFAULT true,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sms_settings (id) VALUES (1);

