-- Issue 15: who this box is, for good. A random id made once, here in the state database so that
-- backups carry it and a restore keeps it; it is part of every booking token the box writes into
-- the PMS, with a random nonce per PMS write, so neither a reinstall, a second box on the same
-- QloApps nor a restore to an older backup can ever write a token that is already in use.

CREATE TABLE box_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    box_id      TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

INSERT INTO box_identity (id, box_id, created_at)
VALUES (1, lower(hex(randomblob(8))), strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));

-- The token this write carries in the PMS (box id, nonce, idempotency key). NULL on writes queued
-- before this migration: they keep the token they may already have used (their idempotency key).
ALTER TABLE pms_outbox ADD COLUMN pms_token TEXT;
