-- Open data: monthly statistics are computed once and cached; the current month is
-- refreshed after a few minutes, a past month is frozen a week after it ends.
CREATE TABLE opendata_monthly (
  month        text PRIMARY KEY,       -- YYYY-MM
  computed_at  timestamptz NOT NULL,
  data         jsonb NOT NULL
);
