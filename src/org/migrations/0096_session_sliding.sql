-- Sessions slide: `expires_at` moves forward with activity (an idle timeout), never past
-- `absolute_expires_at`, the cap counted from sign-in. Sessions opened before had a fixed
-- lifetime, which becomes their cap.
ALTER TABLE sessions ADD COLUMN absolute_expires_at timestamptz;
UPDATE sessions SET absolute_expires_at = expires_at;
ALTER TABLE sessions ALTER COLUMN absolute_expires_at SET NOT NULL;
