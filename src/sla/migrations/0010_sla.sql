-- Time limits: settings, the city's own calendar days, policies, each order's deadlines
-- and the escalations fired for them (one row per order, cycle, deadline kind and level).
CREATE TABLE sla_settings (
  id          int PRIMARY KEY CHECK (id = 1),
  settings    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sla_settings (id, settings) VALUES (1, '{}');

-- Local days override the official calendar (holidays and 调休 from chinese-days).
CREATE TABLE calendar_local_days (
  day         date PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('workday','holiday')),
  name        text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sla_policies (
  id                  int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_type          text CHECK (order_type IN ('consultation','request','complaint','report','suggestion','praise')),
  urgency             text CHECK (urgency IN ('normal','urgent')),
  category_prefix     text,
  sign_amount         numeric NOT NULL CHECK (sign_amount > 0),
  sign_unit           text NOT NULL CHECK (sign_unit IN ('hours','days')),
  reply_amount        numeric NOT NULL CHECK (reply_amount > 0),
  reply_unit          text NOT NULL CHECK (reply_unit IN ('hours','days')),
  max_extension_days  int NOT NULL DEFAULT 10 CHECK (max_extension_days >= 0),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sla_policies_scope_idx ON sla_policies (coalesce(order_type, ''), coalesce(urgency, ''), coalesce(category_prefix, ''));
INSERT INTO sla_policies (order_type, urgency, category_prefix, sign_amount, sign_unit, reply_amount, reply_unit, max_extension_days) VALUES
  (NULL, 'normal', NULL, 1, 'days', 5, 'days', 10),
  (NULL, 'urgent', NULL, 2, 'hours', 1, 'days', 2),
  ('consultation', 'normal', NULL, 1, 'days', 3, 'days', 5);

CREATE TABLE order_deadlines (
  workorder_id    int NOT NULL REFERENCES workorders(id),
  kind            text NOT NULL CHECK (kind IN ('sign','reply')),
  cycle           int NOT NULL,            -- the order's dispatch count when set
  unit_id         int REFERENCES units(id),
  policy_id       int REFERENCES sla_policies(id) ON DELETE SET NULL,
  duration        jsonb NOT NULL,          -- {amount, unit}
  extension_days  int NOT NULL DEFAULT 0,
  started_at      timestamptz NOT NULL,
  due_at          timestamptz NOT NULL,
  warn_at         timestamptz NOT NULL,
  escalate_at     timestamptz NOT NULL,
  state           text NOT NULL CHECK (state IN ('running','met','suspended','cleared')),
  met_at          timestamptz,
  level           text NOT NULL DEFAULT 'green' CHECK (level IN ('green','yellow','red','escalated')),
  next_at         timestamptz,             -- when the job must look again; null when nothing is left to fire
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workorder_id, kind)
);
CREATE INDEX order_deadlines_next_idx ON order_deadlines (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX order_deadlines_level_idx ON order_deadlines (level, state);

CREATE TABLE sla_escalations (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workorder_id  int NOT NULL REFERENCES workorders(id),
  cycle         int NOT NULL,
  kind          text NOT NULL,
  level         text NOT NULL CHECK (level IN ('yellow','red','escalated')),
  due_at        timestamptz NOT NULL,
  fired_at      timestamptz NOT NULL DEFAULT now(),
  job_now       timestamptz NOT NULL,      -- the `now` the job ran with
  UNIQUE (workorder_id, cycle, kind, level)
);
