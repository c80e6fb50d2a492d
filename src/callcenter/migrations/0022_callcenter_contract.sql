-- The call-center service contract (外包合同): its period and value, the targets it sets and
-- the deductions for missing them. One row; stats use it for the cost per effective call.
CREATE TABLE cc_contract (
  id           int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  period_from  date NOT NULL,
  period_to    date NOT NULL,   -- inclusive
  value        numeric(14, 2) NOT NULL CHECK (value >= 0),
  targets      jsonb NOT NULL DEFAULT '{}',
  deductions   jsonb NOT NULL DEFAULT '[]',
  updated_by   int REFERENCES users(id),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (period_to >= period_from)
);
