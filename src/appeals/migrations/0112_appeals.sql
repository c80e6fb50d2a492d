-- Appeals (申诉): a unit contests a survey it was assessed on (an unreasonable demand, not its
-- duty, a survey recorded wrongly); a supervisor upholds or rejects it. The events
-- (`appeal_filed`, `appeal_ruled`) are in the order's history; this table is their projection,
-- written by the module's order listener in the same transaction. One appeal per survey, and
-- at most one waiting per order.
CREATE TABLE workorder_appeals (
  id             serial PRIMARY KEY,
  workorder_id   int  NOT NULL REFERENCES workorders(id),
  -- the appeal_filed event, and the surveyed event it contests
  seq            int  NOT NULL,
  survey_seq     int  NOT NULL,
  -- the assessed unit (which filed it) and the survey's assessment fact (month, unit, counters)
  unit_id        int  NOT NULL REFERENCES units(id),
  assessed       jsonb NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('unreasonable', 'not_our_duty', 'survey_error')),
  reason         text NOT NULL,
  attachments    int[] NOT NULL DEFAULT '{}',
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'upheld', 'rejected')),
  filed_by       int  REFERENCES users(id),
  filed_at       timestamptz NOT NULL,
  window_ends_at timestamptz NOT NULL,
  ruled_by       int  REFERENCES users(id),
  ruled_at       timestamptz,
  note           text,
  -- for an upheld not_our_duty appeal: the unit whose account the survey moves to
  right_unit_id  int  REFERENCES units(id),
  UNIQUE (workorder_id, survey_seq)
);
CREATE UNIQUE INDEX workorder_appeals_pending_idx ON workorder_appeals (workorder_id) WHERE status = 'pending';
CREATE INDEX workorder_appeals_status_idx ON workorder_appeals (status, id);
CREATE INDEX workorder_appeals_unit_idx ON workorder_appeals (unit_id, id);

CREATE TABLE appeal_settings (
  id          int PRIMARY KEY CHECK (id = 1),
  settings    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO appeal_settings (id, settings) VALUES (1, '{}');
