-- The local mirror of the PMS (QloApps): what the bot answers from without a network round trip.
-- Every row carries the time it was fetched, so staleness is a query, not a guess.

CREATE TABLE pms_catalogue (
    hotel_id    INTEGER PRIMARY KEY,
    data        TEXT NOT NULL,                 -- JSON: hotel, room types, rooms, tax groups
    fetched_at  TEXT NOT NULL
) STRICT;

CREATE TABLE pms_nights (
    room_type   TEXT NOT NULL,
    night       TEXT NOT NULL,                 -- YYYY-MM-DD
    free_rooms  TEXT NOT NULL,                 -- JSON list of the room ids free that night
    price       TEXT,                          -- decimal: that night, tax and automatic fees included
    currency    TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (night, room_type)
) STRICT, WITHOUT ROWID;

CREATE TABLE pms_sync (
    job              TEXT PRIMARY KEY,         -- catalogue | near | far | bookings
    last_ok_at       TEXT,
    last_attempt_at  TEXT,
    last_error       TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,   -- consecutive
    duration_s       REAL,
    rows             INTEGER NOT NULL DEFAULT 0,
    cursor           TEXT                      -- bookings: the last order update seen
) STRICT;

-- What staff should know about a booking the PMS took (placeholder e-mail, no phone…): JSON list.
ALTER TABLE bookings ADD COLUMN notes TEXT;
