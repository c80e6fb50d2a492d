-- Call center: CTI/ACD events (append-only), a per-call projection for the measures,
-- raw call detail records imported from Asterisk, and agent state history.
CREATE TABLE cc_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_id      text NOT NULL,
  type         text NOT NULL CHECK (type IN ('offered','queued','answered','abandoned','transferred','ended')),
  at           timestamptz NOT NULL,
  agent_id     int REFERENCES users(id),
  queue        text,
  source       text NOT NULL DEFAULT 'cti' CHECK (source IN ('cti','cdr')),
  received_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (call_id, type, at)
);

-- One row per call, merged from its events with commutative rules (earliest offer,
-- earliest answer, latest end …) so batches may arrive in any order, concurrently.
CREATE TABLE cc_calls (
  call_id         text PRIMARY KEY,
  queue           text,
  agent_id        int REFERENCES users(id),
  first_at        timestamptz NOT NULL,   -- the earliest event: when the call asked for an agent
  answered_at     timestamptz,
  abandoned_at    timestamptz,
  transferred_at  timestamptz,
  ended_at        timestamptz
);
CREATE INDEX cc_calls_first_idx ON cc_calls (first_at);
CREATE INDEX cc_calls_open_idx ON cc_calls (first_at) WHERE answered_at IS NULL AND abandoned_at IS NULL AND ended_at IS NULL;

-- Asterisk Master.csv rows as imported; uniqueid makes a re-import skip what is there.
CREATE TABLE cc_cdr (
  uniqueid     text PRIMARY KEY,
  accountcode  text,
  src          text,
  dst          text,
  dcontext     text,
  clid         text,
  channel      text,
  dstchannel   text,
  lastapp      text,
  lastdata     text,
  start_at     timestamptz NOT NULL,
  answer_at    timestamptz,
  end_at       timestamptz NOT NULL,
  duration     int NOT NULL,
  billsec      int NOT NULL,
  disposition  text NOT NULL,
  amaflags     text,
  userfield    text,
  imported_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cc_agent_current (
  agent_id    int PRIMARY KEY REFERENCES users(id),
  state       text NOT NULL,
  since       timestamptz NOT NULL
);
CREATE TABLE cc_agent_states (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agent_id    int NOT NULL REFERENCES users(id),
  state       text NOT NULL CHECK (state IN ('ready','busy','wrap_up','break','offline')),
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  set_by      int REFERENCES users(id)
);
CREATE INDEX cc_agent_states_agent_idx ON cc_agent_states (agent_id, started_at);
CREATE INDEX cc_agent_states_time_idx ON cc_agent_states (started_at);
