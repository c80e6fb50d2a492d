-- Admins' TOTP secrets are encrypted at rest like citizens' personal data (a database dump
-- alone must not let anyone mint login codes). Plaintext secrets of older versions are moved
-- into the new column at start-up (src/privacy/store.ts).
ALTER TABLE users ADD COLUMN totp_secret_enc text;
