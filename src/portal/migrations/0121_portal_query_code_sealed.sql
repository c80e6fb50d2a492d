-- The query code, sealed, until the receipt message (src/sms) has carried it to the citizen;
-- then it is emptied. Look-ups keep using the hash.
ALTER TABLE portal_requests ADD COLUMN code_enc text;
