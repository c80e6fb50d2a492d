-- Whether the unit's manager approves what its handlers send to the center: replies (答复审核)
-- and extension requests.
ALTER TABLE units ADD COLUMN manager_review boolean NOT NULL DEFAULT false;
