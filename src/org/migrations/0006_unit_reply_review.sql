-- Whether the unit's manager approves its handlers' replies before they go out (答复审核).
ALTER TABLE units ADD COLUMN reply_review boolean NOT NULL DEFAULT false;
