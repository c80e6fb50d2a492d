-- Follow-up calls that did not reach the citizen (回访未接通), for the retry rules.
ALTER TABLE workorders ADD COLUMN survey_attempts int NOT NULL DEFAULT 0;
ALTER TABLE workorders ADD COLUMN last_survey_attempt_at timestamptz;
CREATE INDEX workorders_replied_idx ON workorders(replied_at) WHERE status = 'replied';
