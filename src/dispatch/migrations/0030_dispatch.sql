-- Smart dispatch: the category tree (事项分类), the responsibility list (权责清单),
-- trained text models (stored in the database so every node loads the same one),
-- settings for automatic dispatch, and the suggestion made for each order.
CREATE TABLE categories (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  parent_id   int REFERENCES categories(id),
  level       int NOT NULL CHECK (level BETWEEN 1 AND 3),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX categories_parent_idx ON categories(parent_id);
CREATE UNIQUE INDEX categories_sibling_name_idx ON categories(COALESCE(parent_id, 0), name);

-- A rule: orders of this category (or any below it) located in this area (the unit's
-- subtree; NULL = the whole city) go to main_unit_id, with co_unit_ids.
CREATE TABLE dispatch_rules (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  category_id   int NOT NULL REFERENCES categories(id),
  area_unit_id  int REFERENCES units(id),
  main_unit_id  int NOT NULL REFERENCES units(id),
  co_unit_ids   int[] NOT NULL DEFAULT '{}',
  note          text,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dispatch_rules_key_idx ON dispatch_rules(category_id, COALESCE(area_unit_id, 0));

CREATE TABLE dispatch_models (
  id          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  target      text NOT NULL CHECK (target IN ('unit', 'category')),
  meta        jsonb NOT NULL,
  metrics     jsonb,
  created_by  int REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dispatch_models_target_idx ON dispatch_models(target, id);

CREATE TABLE dispatch_model_files (
  model_id  int NOT NULL REFERENCES dispatch_models(id) ON DELETE CASCADE,
  name      text NOT NULL,
  data      bytea NOT NULL,
  PRIMARY KEY (model_id, name)
);

CREATE TABLE dispatch_settings (
  id               int PRIMARY KEY CHECK (id = 1),
  auto_dispatch    boolean NOT NULL DEFAULT false,
  auto_threshold   double precision NOT NULL DEFAULT 0.9 CHECK (auto_threshold > 0 AND auto_threshold <= 1),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO dispatch_settings (id) VALUES (1);

-- What the platform suggested when the order was created, and whether it dispatched it itself.
CREATE TABLE dispatch_suggestions (
  workorder_id  int PRIMARY KEY REFERENCES workorders(id),
  result        jsonb NOT NULL,
  auto          boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);
