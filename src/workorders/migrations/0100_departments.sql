-- The departments' side of an order (issue #24): transfers down the tree (转派), the named
-- handler, co-units' parts (协办), suspension (挂起), return review and the final ruling
-- (退单审核 / 终审). All are folded from events like the rest of the row (lifecycle.ts).
ALTER TABLE workorders
  ADD COLUMN transfer_chain     jsonb NOT NULL DEFAULT '[]',
  -- The units above the holder (each transfer's fromUnitId): they keep seeing the order.
  ADD COLUMN transfer_unit_ids  int[] NOT NULL DEFAULT '{}',
  ADD COLUMN assignee_id        int REFERENCES users(id),
  ADD COLUMN co_replies         jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN pending_suspension jsonb,
  ADD COLUMN suspension         jsonb,
  -- The end of a running suspension, for the time-limit job that resumes it.
  ADD COLUMN suspended_until    timestamptz,
  ADD COLUMN pending_return     jsonb,
  ADD COLUMN awaiting_ruling    boolean NOT NULL DEFAULT false,
  ADD COLUMN final_unit_id      int REFERENCES units(id);

-- Few orders hold any of these: index only those that do (as 0090 does for co-units).
CREATE INDEX workorders_transfer_units_idx ON workorders USING gin (transfer_unit_ids) WHERE transfer_unit_ids <> '{}';
CREATE INDEX workorders_assignee_idx ON workorders (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX workorders_suspended_until_idx ON workorders (suspended_until) WHERE suspended_until IS NOT NULL;
CREATE INDEX workorders_waiting_center_idx ON workorders (id)
  WHERE pending_suspension IS NOT NULL OR pending_return IS NOT NULL OR awaiting_ruling;

-- The center's switches for the departments' side (GET/PATCH /api/v1/workorders/settings).
CREATE TABLE workorder_settings (
  id          int PRIMARY KEY CHECK (id = 1),
  settings    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO workorder_settings (id, settings) VALUES (1, '{}');
