-- The same counters rolled up per unit and month: rankings without a category or district
-- filter read a few hundred rows instead of the detailed aggregates.
CREATE TABLE kpi_unit_month (LIKE kpi_facts INCLUDING DEFAULTS);
ALTER TABLE kpi_unit_month DROP COLUMN category_code, DROP COLUMN district_id;
ALTER TABLE kpi_unit_month ADD PRIMARY KEY (month, unit_id);
-- Filled from the detailed aggregates that exist already.
INSERT INTO kpi_unit_month SELECT month, unit_id,
  sum(received), sum(signed), sum(signed_on_time), sum(returned), sum(extended), sum(replied), sum(replied_on_time),
  sum(handling_hours), sum(surveyed), sum(resolved), sum(satisfied), sum(basically_satisfied), sum(unsatisfied),
  sum(reopened), sum(unreachable), sum(supervised)
  FROM kpi_facts GROUP BY month, unit_id;
