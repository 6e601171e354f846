-- The front desk: staff accounts and their sessions, the hotel's edited answers, what staff
-- have read.

CREATE TABLE staff_users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role           TEXT NOT NULL CHECK (role IN ('frontdesk', 'admin')),
    password_hash  TEXT NOT NULL,               -- scrypt$N$r$p$salt$hash (hashlib.scrypt)
    language       TEXT NOT NULL DEFAULT 'es',  -- the interface's language for this user
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

-- A session is stored by the SHA-256 of its token: a copy of the database holds no usable cookie.
CREATE TABLE staff_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    remote       TEXT
) STRICT;
CREATE INDEX staff_sessions_user ON staff_sessions(user_id);

-- Answers staff edited on the front desk page; they win over the shipped/installed files.
CREATE TABLE knowledge (
    lang        TEXT NOT NULL,
    topic       TEXT NOT NULL,
    text        TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (lang, topic)
) STRICT;

ALTER TABLE conversations ADD COLUMN staff_read_upto INTEGER NOT NULL DEFAULT 0;  -- last message staff saw
CREATE INDEX messages_conversation_direction ON messages(conversation_id, direction, id);
CREATE INDEX media_created ON media(created_at);
CREATE INDEX messages_created ON messages(created_at);
CREATE INDEX relay_events_stored ON relay_events(stored_at);
CREATE INDEX bookings_status ON bookings(status, handled_at);
