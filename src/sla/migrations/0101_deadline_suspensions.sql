-- Suspension (挂起, issue #24): while the center has stopped an order's clock its running
-- deadlines are `paused` (the job and the overdue lists skip them); when the clock runs again
-- they move by exactly the suspended working time, kept with the reason on the deadline.
ALTER TABLE order_deadlines DROP CONSTRAINT order_deadlines_state_check;
ALTER TABLE order_deadlines ADD CONSTRAINT order_deadlines_state_check CHECK (state IN ('running','met','suspended','cleared','paused'));
ALTER TABLE order_deadlines
  ADD COLUMN paused_at     timestamptz,
  -- Working time (ms) the deadline has been moved by, the sum of `suspensions`.
  ADD COLUMN suspended_ms  bigint NOT NULL DEFAULT 0,
  -- [{from, to, workingMs, reason}], one per suspension of this dispatch cycle.
  ADD COLUMN suspensions   jsonb NOT NULL DEFAULT '[]';
