-- Files on a work order (附件): the citizen's photos taken in by the agent, a unit's photos of
-- the work done. Kept in the database (bytea), so that one backup holds everything and every
-- node serves every file. Never changed; removed only with the order's personal data (retention).
CREATE TABLE workorder_attachments (
  id            serial PRIMARY KEY,
  workorder_id  int  NOT NULL REFERENCES workorders(id),
  name          text NOT NULL,
  content_type  text NOT NULL,
  size          int  NOT NULL,
  sha256        text NOT NULL,
  data          bytea NOT NULL,
  uploaded_by   int  REFERENCES users(id),
  unit_id       int  REFERENCES units(id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workorder_attachments_order_idx ON workorder_attachments (workorder_id, id);
