-- Co-units' timeliness (协办, issue #24): the parts a co-unit gave, and how many came before the
-- order's reply deadline, counted for the co-unit in the month of its part.
ALTER TABLE kpi_facts
  ADD COLUMN co_replied         int NOT NULL DEFAULT 0,
  ADD COLUMN co_replied_on_time int NOT NULL DEFAULT 0;
ALTER TABLE kpi_unit_month
  ADD COLUMN co_replied         int NOT NULL DEFAULT 0,
  ADD COLUMN co_replied_on_time int NOT NULL DEFAULT 0;
