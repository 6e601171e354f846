-- The front desk: who holds a conversation staff took over (staff:<user>), so a colleague sees it
-- and is asked before taking it (issue 17).
ALTER TABLE conversations ADD COLUMN held_by TEXT;
