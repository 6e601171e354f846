-- Text first, voice after (issue 16): a reply the guest should also hear commits and goes out as
-- text at once; its voice note is a follow-up job here, made in the speech lane below the guests'
-- own voice notes, then queued in the outbox in one transaction with the job marked done.
CREATE TABLE voice_jobs (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    channel          TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    reply            TEXT NOT NULL,            -- JSON: the text reply to speak
    reply_to         INTEGER,                  -- the inbox item answered
    after_outbox_id  INTEGER NOT NULL,         -- the text reply's outbox row: anything newer supersedes us
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'done', 'skipped', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    error            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;

CREATE INDEX voice_jobs_pending ON voice_jobs (id) WHERE status = 'pending';
