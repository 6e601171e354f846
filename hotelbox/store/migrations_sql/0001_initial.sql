-- hotelbox store, first schema. Times are UTC ISO-8601 strings ("2026-11-25T10:00:00.000+00:00").

CREATE TABLE guests (
    id          INTEGER PRIMARY KEY,
    name        TEXT,
    email       TEXT,
    phone       TEXT,                 -- E.164 when known
    language    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    erased_at   TEXT                  -- set when the guest's data was erased on request
) STRICT;

-- How a guest is reached on one channel: whatsapp "<business number>:<bsuid>", an e-mail
-- address, a web-chat session, a console phone number.
CREATE TABLE guest_identities (
    id            INTEGER PRIMARY KEY,
    guest_id      INTEGER NOT NULL REFERENCES guests(id) ON DELETE CASCADE,
    channel       TEXT NOT NULL,
    address       TEXT NOT NULL,
    phone         TEXT,
    display_name  TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (channel, address)
) STRICT;
CREATE INDEX guest_identities_guest ON guest_identities(guest_id);

CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    guest_id         INTEGER NOT NULL REFERENCES guests(id) ON DELETE CASCADE,
    identity_id      INTEGER NOT NULL UNIQUE REFERENCES guest_identities(id) ON DELETE CASCADE,
    channel          TEXT NOT NULL,
    language         TEXT,
    -- who answers: the bot, nobody yet (handed off, waiting for staff), or staff
    control          TEXT NOT NULL DEFAULT 'bot' CHECK (control IN ('bot', 'waiting_staff', 'staff')),
    attention        TEXT,            -- why staff should look: handoff, complaint, booking_failed…
    dialogue         TEXT NOT NULL DEFAULT '{}',   -- the dialogue state, JSON
    version          INTEGER NOT NULL DEFAULT 0,   -- bumped on every state change
    last_message_at  TEXT,
    last_inbound_at  TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX conversations_recent ON conversations(last_message_at DESC);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    conversation_id     INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    direction           TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    author              TEXT NOT NULL,            -- guest | bot | staff:<user> | system
    channel             TEXT NOT NULL,
    channel_message_id  TEXT,                      -- the channel's id (set on send for 'out')
    kind                TEXT NOT NULL,             -- text, audio, interactive, location, event…
    text                TEXT,
    payload             TEXT NOT NULL DEFAULT '{}',  -- JSON: options, understanding, media…
    language            TEXT,
    reply_to            INTEGER,                   -- 'out': the inbox item whose handling wrote it
    created_at          TEXT NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages(conversation_id, id);

-- Durable queue of everything a conversation must react to, in arrival order.
CREATE TABLE inbox (
    id                  INTEGER PRIMARY KEY,
    channel             TEXT NOT NULL,
    channel_message_id  TEXT NOT NULL,
    conversation_id     INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    message_id          INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('message', 'event')),
    payload             TEXT NOT NULL DEFAULT '{}',
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    error               TEXT,
    received_at         TEXT NOT NULL,
    processed_at        TEXT,
    UNIQUE (channel, channel_message_id)
) STRICT;
CREATE INDEX inbox_pending ON inbox(conversation_id, id) WHERE status = 'pending';

-- Durable queue of messages to send; one row per outbound message.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    conversation_id     INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    message_id          INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    channel             TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    payload             TEXT NOT NULL,             -- JSON: the reply as the channel sends it
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'read',
                                          'failed', 'uncertain', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT,
    last_error          TEXT,
    channel_message_id  TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_pending ON outbox(channel, id) WHERE status IN ('pending', 'sending');

-- The bookings the bot made, changed or tried to make, as hotelbox knows them.
CREATE TABLE bookings (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
    guest_id         INTEGER REFERENCES guests(id) ON DELETE SET NULL,
    pms_reference    TEXT UNIQUE,
    status           TEXT NOT NULL
                     CHECK (status IN ('pending', 'confirmed', 'cancelled', 'failed', 'needs_human')),
    check_in         TEXT NOT NULL,
    check_out        TEXT NOT NULL,
    adults           INTEGER NOT NULL,
    children         INTEGER NOT NULL DEFAULT 0,
    room_type        TEXT NOT NULL,
    total_price      TEXT,                         -- decimal as text, in currency
    currency         TEXT,
    guest_name       TEXT,
    email            TEXT,
    phone            TEXT,
    handled_at       TEXT,                         -- staff marked a problem as handled
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;

-- Durable queue of writes to the PMS (create / modify / cancel), each with an idempotency key.
CREATE TABLE pms_outbox (
    id                INTEGER PRIMARY KEY,
    booking_id        INTEGER NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    conversation_id   INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
    operation         TEXT NOT NULL CHECK (operation IN ('create', 'modify', 'cancel')),
    idempotency_key   TEXT NOT NULL UNIQUE,
    request           TEXT NOT NULL,               -- JSON
    status            TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'done', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT,
    last_error        TEXT,
    result            TEXT,                        -- JSON
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX pms_outbox_pending ON pms_outbox(id) WHERE status = 'pending';

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    actor            TEXT NOT NULL,                -- bot | staff:<user> | system | guest
    action           TEXT NOT NULL,
    conversation_id  INTEGER,
    booking_id       INTEGER,
    details          TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_log_conversation ON audit_log(conversation_id, id);
