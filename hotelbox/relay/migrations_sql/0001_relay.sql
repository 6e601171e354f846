-- hotelbox relay: webhooks stored before Meta is told 200, one row per box they belong to.

CREATE TABLE events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,   -- increasing, never reused
    box_id          TEXT NOT NULL,                       -- '_unrouted' when no box claims it
    kind            TEXT NOT NULL,                       -- whatsapp.webhook | whatsapp.unparsed
    received_at_ms  INTEGER NOT NULL,
    headers         TEXT NOT NULL,                       -- JSON: x-hub-signature-256, content-type
    body            BLOB NOT NULL,                       -- the raw bytes, exactly as received
    body_sha256     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'delivered', 'quarantined')),
    delivered_at_ms INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,          -- times sent to the box
    note            TEXT                                 -- why unrouted / quarantined
) STRICT;
-- the same bytes twice (Meta's retry, several apps subscribed) are one event per box
CREATE UNIQUE INDEX events_dedup ON events(box_id, body_sha256);
CREATE INDEX events_queued ON events(box_id, seq) WHERE status = 'queued';
CREATE INDEX events_delivered ON events(delivered_at_ms) WHERE status = 'delivered';

-- Each box's cumulative acknowledgement (everything up to `upto` is committed on the box).
CREATE TABLE acks (
    box_id     TEXT PRIMARY KEY,
    upto       INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL
) STRICT;
