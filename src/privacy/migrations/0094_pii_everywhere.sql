-- Personal data encrypted on every path (src/privacy/pii.ts sealCitizen, store.ts encryptLegacy).
--
-- Call detail records carry the caller's number (src) and caller id (clid, '"张三" <138…>'); on a
-- call-back the citizen is the destination (dst, and the dial string in lastdata). They are stored
-- encrypted like the other personal data, src with its blind index; rows imported in clear by
-- older versions are encrypted at the next start.
ALTER TABLE cc_cdr ADD COLUMN src_enc text, ADD COLUMN dst_enc text, ADD COLUMN clid_enc text,
  ADD COLUMN lastdata_enc text, ADD COLUMN src_bidx text;

-- Plaintext is looked for at every start, not only once: contacts recorded with an Idempotency-Key
-- were stored in clear (and without the blind index) after the one-off pass of 0085 had run. Each
-- index holds only rows still in clear, normally none, so the look is one probe of an empty index.
-- (The predicates are the ones encryptLegacy queries with, column for column.)
CREATE INDEX workorders_plain_pii_idx ON workorders (id) WHERE citizen_name IS NOT NULL OR citizen_phone IS NOT NULL;
CREATE INDEX contacts_plain_pii_idx ON contacts (id) WHERE caller_name IS NOT NULL OR caller_phone IS NOT NULL;
CREATE INDEX dup_callers_plain_pii_idx ON dup_callers (id) WHERE name IS NOT NULL OR phone IS NOT NULL;
CREATE INDEX open311_requests_plain_pii_idx ON open311_requests (workorder_id) WHERE email IS NOT NULL;
CREATE INDEX cc_cdr_plain_pii_idx ON cc_cdr (uniqueid)
  WHERE src IS NOT NULL OR dst IS NOT NULL OR clid IS NOT NULL OR lastdata IS NOT NULL;
