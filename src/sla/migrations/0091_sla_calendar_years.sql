-- Years of the working calendar an administrator has set (imported the State Council's notice,
-- edited a day, or replaced the year's days): for these the stored days are the whole year's
-- holidays and swapped working days, and the built-in data (`chinese-days`) is not consulted,
-- even once a newer package ships the year.
CREATE TABLE calendar_years (
  year          int PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  origin        text NOT NULL CHECK (origin IN ('notice', 'edit', 'replace')),
  notice_title  text,
  set_by        int REFERENCES users(id),
  set_at        timestamptz NOT NULL DEFAULT now(),
  changed_by    int REFERENCES users(id),
  changed_at    timestamptz NOT NULL DEFAULT now()
);

-- Where each stored day came from and why: 'notice' (an imported notice), 'builtin' (copied from
-- the built-in data when a covered year was first edited), 'edit' (one day set by hand, with
-- its reason) or 'put' (PUT /sla/calendar/{year}). A notice import replaces the year's national
-- days ('notice', 'builtin') and keeps the city's own.
ALTER TABLE calendar_local_days ADD COLUMN origin text NOT NULL DEFAULT 'put' CHECK (origin IN ('notice', 'builtin', 'edit', 'put'));
ALTER TABLE calendar_local_days ADD COLUMN reason text;

-- Years entered by PUT before this migration, beyond the built-in data of the time (which ends
-- in 2026), were set by an administrator.
INSERT INTO calendar_years (year, origin)
SELECT DISTINCT extract(year FROM day)::int, 'replace' FROM calendar_local_days WHERE day >= DATE '2027-01-01';

-- The built-in data's version the running deadlines were last computed with: a server that finds
-- a newer package recomputes them once.
CREATE TABLE calendar_builtin (
  id          int PRIMARY KEY CHECK (id = 1),
  version     text,
  years       int[] NOT NULL DEFAULT '{}',
  checked_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO calendar_builtin (id) VALUES (1);
