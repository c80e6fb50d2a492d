-- Co-units are rare: index only the orders that have some. The full index held an entry for
-- every order's empty array, written on each insert. (Building it after a bulk load still
-- costs a scan of the table: about 25 s for 10 million orders either way.) Queries ask
-- `co_unit_ids && … AND co_unit_ids <> '{}'` so the planner can use it (an empty array
-- overlaps nothing, so the answer is the same).
DROP INDEX IF EXISTS workorders_co_units_idx;
CREATE INDEX workorders_co_units_idx ON workorders USING gin (co_unit_ids) WHERE co_unit_ids <> '{}';
