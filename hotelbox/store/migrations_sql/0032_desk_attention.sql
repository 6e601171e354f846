-- The front desk (issue 17): since when a conversation has needed a person (set by triggers whenever
-- its attention reason appears or changes, or it is handed to staff), so the list can say
-- "waiting 12 min"; private notes staff leave for colleagues; canned replies edited in the page.
ALTER TABLE conversations ADD COLUMN attention_since TEXT;
-- "Resolve": the guest's messages up to here need nobody any more (as if staff had answered)
ALTER TABLE conversations ADD COLUMN answered_upto INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER conversations_attention_since AFTER UPDATE OF attention, control ON conversations
WHEN (new.attention IS NOT NULL AND new.attention IS NOT old.attention)
  OR (new.control = 'waiting_staff' AND old.control != 'waiting_staff')
BEGIN
  UPDATE conversations SET attention_since = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') WHERE id = new.id;
END;

UPDATE conversations SET attention_since = updated_at
WHERE attention IS NOT NULL OR control = 'waiting_staff';

CREATE TABLE desk_notes (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    author          TEXT NOT NULL,
    text            TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX desk_notes_conversation ON desk_notes(conversation_id, id);

CREATE TABLE canned_replies (
    lang       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (lang, position)
) STRICT;
