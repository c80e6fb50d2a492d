-- Quality inspection (质检) of recorded calls: a supervisor scores a call 0–100.
CREATE TABLE cc_quality (
  id            int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contact_id    int REFERENCES contacts(id),
  agent_id      int REFERENCES users(id),
  score         double precision NOT NULL CHECK (score >= 0 AND score <= 100),
  note          text,
  inspected_by  int NOT NULL REFERENCES users(id),
  inspected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cc_quality_at_idx ON cc_quality (inspected_at);
