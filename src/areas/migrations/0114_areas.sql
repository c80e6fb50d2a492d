-- Areas: the boundaries of the city's districts, sub-districts and communities, each tied to its
-- unit, and the gazetteer (aliases, roads, estates, landmarks) that addresses are read against.
CREATE TABLE areas (
  unit_id     int PRIMARY KEY REFERENCES units(id),
  geometry    jsonb NOT NULL,          -- GeoJSON Polygon or MultiPolygon, WGS 84 [lng, lat]
  min_lng     float8 NOT NULL,
  min_lat     float8 NOT NULL,
  max_lng     float8 NOT NULL,
  max_lat     float8 NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE area_places (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('alias','road','estate','landmark')),
  unit_id     int NOT NULL REFERENCES units(id),
  UNIQUE (name, unit_id)
);
CREATE INDEX area_places_unit_idx ON area_places (unit_id);

-- Bumped by every change to areas, places or the units they name: each node rebuilds its
-- in-memory index when it sees a newer version.
CREATE TABLE areas_version (
  id       int PRIMARY KEY CHECK (id = 1),
  version  bigint NOT NULL
);
INSERT INTO areas_version (id, version) VALUES (1, 0);
