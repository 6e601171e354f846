-- WhatsApp through the relay: raw events as the relay delivered them, Meta's delivery statuses,
-- media to download, and the guest's own send time (the 24-hour customer-service window).

-- Every event the relay delivered, stored (with the inbox rows it holds) before the ack.
CREATE TABLE relay_events (
    relay_seq       INTEGER PRIMARY KEY,      -- a resend after a lost ack is stored once
    kind            TEXT NOT NULL,
    received_at_ms  INTEGER NOT NULL,         -- when the relay got it from Meta
    stored_at       TEXT NOT NULL,
    headers         TEXT NOT NULL,
    body            BLOB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('parsed', 'unparsed', 'rejected')),
    problems        TEXT                      -- JSON list of what could not be used
) STRICT;

-- Meta's statuses for what we sent, once each (duplicates and regressions are normal).
CREATE TABLE delivery_statuses (
    channel_message_id  TEXT NOT NULL,
    status              TEXT NOT NULL,
    at                  TEXT,
    outbox_id           INTEGER,
    errors              TEXT,
    PRIMARY KEY (channel_message_id, status)
) STRICT, WITHOUT ROWID;

ALTER TABLE outbox ADD COLUMN delivery TEXT;          -- sent | delivered | read | played | failed
ALTER TABLE outbox ADD COLUMN delivery_at TEXT;
ALTER TABLE outbox ADD COLUMN uncertain_since TEXT;   -- send outcome unknown: waiting for a status
CREATE INDEX outbox_channel_message ON outbox(channel_message_id);
CREATE INDEX outbox_uncertain ON outbox(uncertain_since) WHERE status = 'uncertain';

ALTER TABLE conversations ADD COLUMN guest_sent_at TEXT;  -- channel time of the guest's last message

-- Media a guest sent (voice notes, images), downloaded as soon as the message is stored.
CREATE TABLE media (
    id                INTEGER PRIMARY KEY,
    message_id        INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    channel           TEXT NOT NULL,
    channel_media_id  TEXT,
    mime_type         TEXT,
    sha256            TEXT,                   -- as the channel gave it (WhatsApp: base64)
    url               TEXT,
    path              TEXT,                   -- under the state directory, once stored
    size              INTEGER,
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'stored', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    error             TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (message_id)
) STRICT;
CREATE INDEX media_pending ON media(id) WHERE status = 'pending';
