-- When the channel's request for an outbox row was about to leave the box (issue 14). A row left
-- "sending" by a crash with no requested_at never reached the channel: it is sent at once after
-- a restart; only one with requested_at may have reached Meta and waits for its status.
ALTER TABLE outbox ADD COLUMN requested_at TEXT;
