-- The drill-down log gets one row per fact (the counters one event adds for one unit and
-- month) with its measures as bits (bit i = DRILL_MEASURES[i] in measures.ts; append only),
-- instead of one row per measure: about half the rows, and a smaller index. The biggest
-- table and index of a bulk load (9 rows an order) shrink accordingly.
CREATE TABLE kpi_fact_orders_bits (
  month         text NOT NULL,
  unit_id       int  NOT NULL,
  measures      int  NOT NULL,
  workorder_id  int  NOT NULL,
  at            timestamptz NOT NULL
);
-- Rows of one fact merge; a measure counted twice at the same instant stays two rows (`copy`).
INSERT INTO kpi_fact_orders_bits (month, unit_id, measures, workorder_id, at)
SELECT month, unit_id, bit_or(bit), workorder_id, at
  FROM (SELECT month, unit_id, workorder_id, at,
               1 << (array_position(ARRAY['received', 'signed', 'signed_on_time', 'signed_late', 'returned', 'extended', 'replied',
                 'replied_on_time', 'replied_late', 'surveyed', 'resolved', 'unresolved', 'satisfied', 'basically_satisfied',
                 'unsatisfied', 'reopened', 'unreachable', 'supervised']::text[], measure) - 1) AS bit,
               row_number() OVER (PARTITION BY month, unit_id, workorder_id, at, measure) AS copy
          FROM kpi_fact_orders) m
 GROUP BY month, unit_id, workorder_id, at, copy;
DROP TABLE kpi_fact_orders;
ALTER TABLE kpi_fact_orders_bits RENAME TO kpi_fact_orders;
CREATE INDEX kpi_fact_orders_idx ON kpi_fact_orders (unit_id, month);
