-- Photos sent on the portal become files on their order like any other (workorder_attachments,
-- migration 0004): one list for staff, one place for retention to delete them.
INSERT INTO workorder_attachments (workorder_id, name, content_type, size, sha256, data, created_at)
SELECT workorder_id,
       '市民照片-' || row_number() OVER (PARTITION BY workorder_id ORDER BY id) || '.' || replace(substr(mime, 7), 'jpeg', 'jpg'),
       mime, length(data), encode(sha256(data), 'hex'), data, created_at
  FROM portal_photos ORDER BY id;
DROP TABLE portal_photos;
