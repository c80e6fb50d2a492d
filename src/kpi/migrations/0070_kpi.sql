-- Assessment (考核) aggregates, kept current by an order listener so that a month's
-- ranking reads a few thousand rows, never the orders. See docs/MEASURES.md.
CREATE TABLE kpi_facts (
  month                text NOT NULL,              -- YYYY-MM in the city's time zone
  unit_id              int  NOT NULL,
  category_code        text NOT NULL DEFAULT '',
  district_id          int  NOT NULL DEFAULT 0,
  received             int  NOT NULL DEFAULT 0,
  signed               int  NOT NULL DEFAULT 0,
  signed_on_time       int  NOT NULL DEFAULT 0,
  returned             int  NOT NULL DEFAULT 0,
  extended             int  NOT NULL DEFAULT 0,
  replied              int  NOT NULL DEFAULT 0,
  replied_on_time      int  NOT NULL DEFAULT 0,
  handling_hours       double precision NOT NULL DEFAULT 0,
  surveyed             int  NOT NULL DEFAULT 0,
  resolved             int  NOT NULL DEFAULT 0,
  satisfied            int  NOT NULL DEFAULT 0,
  basically_satisfied  int  NOT NULL DEFAULT 0,
  unsatisfied          int  NOT NULL DEFAULT 0,
  reopened             int  NOT NULL DEFAULT 0,
  unreachable          int  NOT NULL DEFAULT 0,
  supervised           int  NOT NULL DEFAULT 0,
  PRIMARY KEY (month, unit_id, category_code, district_id)
);
CREATE INDEX kpi_facts_unit_idx ON kpi_facts (unit_id, month);

CREATE TABLE kpi_settings (
  id        int PRIMARY KEY CHECK (id = 1),
  settings  jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO kpi_settings (id, settings) VALUES (1, '{}');

-- Drill-down from a figure to its orders reads events by type and time.
CREATE INDEX workorder_events_type_at_idx ON workorder_events (type, at);

-- The orders behind each figure: one row per order and counter it added to, so that
-- every number opens into exactly the list that makes it.
CREATE TABLE kpi_fact_orders (
  month         text NOT NULL,
  unit_id       int  NOT NULL,
  measure       text NOT NULL,
  workorder_id  int  NOT NULL,
  at            timestamptz NOT NULL
);
CREATE INDEX kpi_fact_orders_idx ON kpi_fact_orders (unit_id, month, measure);
