-- E-mail: where the box is in the hotel's mailbox, and every mail it saw (headers, not bodies:
-- what the guest wrote lives in messages; attachments in media files).

CREATE TABLE mailbox_state (
    folder       TEXT PRIMARY KEY,
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,     -- every mail up to this UID is stored
    updated_at   TEXT NOT NULL
) STRICT;

CREATE TABLE email_log (
    id           INTEGER PRIMARY KEY,
    folder       TEXT NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    message_id   TEXT NOT NULL,
    category     TEXT NOT NULL,        -- guest | auto_reply | bounce | list | ota | own | oversize
    reason       TEXT,
    size         INTEGER NOT NULL,
    sender_hash  TEXT,                 -- sha256 prefix of the sender: rate limits without keeping the address
    stored_at    TEXT NOT NULL,
    UNIQUE (folder, uidvalidity, uid)
) STRICT;
CREATE INDEX email_log_sender ON email_log(sender_hash, stored_at);
