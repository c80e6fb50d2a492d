-- Reply templates (常用语): phrases the center and each unit keep for the reply, return,
-- co-reply and follow-up boxes, with placeholders ({{称呼}}, {{工单编号}}, …) filled per order.
-- A center-wide template has no unit; a unit's template belongs to that unit.
CREATE TABLE reply_templates (
  id          serial PRIMARY KEY,
  scope       text NOT NULL CHECK (scope IN ('center', 'unit')),
  unit_id     int  REFERENCES units(id),
  title       text NOT NULL,
  body        text NOT NULL,
  kinds       text[] NOT NULL CHECK (cardinality(kinds) > 0),
  created_by  int  REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  int  REFERENCES users(id),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope = 'center') = (unit_id IS NULL))
);
CREATE INDEX reply_templates_unit_idx ON reply_templates (unit_id, title);
