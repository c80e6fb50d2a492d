-- Appeals (申诉, src/appeals) in the assessment: per unit and month, the appeals its unit filed
-- against that month's surveys, and how many were upheld or rejected. An upheld appeal also
-- takes the contested survey out of the unit's counters (docs/MEASURES.md).
ALTER TABLE kpi_facts
  ADD COLUMN appeals_filed    int NOT NULL DEFAULT 0,
  ADD COLUMN appeals_upheld   int NOT NULL DEFAULT 0,
  ADD COLUMN appeals_rejected int NOT NULL DEFAULT 0;
ALTER TABLE kpi_unit_month
  ADD COLUMN appeals_filed    int NOT NULL DEFAULT 0,
  ADD COLUMN appeals_upheld   int NOT NULL DEFAULT 0,
  ADD COLUMN appeals_rejected int NOT NULL DEFAULT 0;
