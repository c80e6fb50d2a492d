-- 答复审核: in a unit whose manager reviews (units.manager_review, migration 0006), a handler's
-- reply waits on the order for the manager's approval before it reaches the center.
ALTER TABLE workorders ADD COLUMN pending_reply jsonb;
