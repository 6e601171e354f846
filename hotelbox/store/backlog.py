"""The pending backlog: work the box accepted and has not finished — guests' messages to
process (inbox), replies to send (outbox), writes to make in the PMS (pms_outbox), voice notes to speak
after their text reply went (voice_jobs).

One question asked three ways: box-wide by the health report and the metrics, and for one
conversation, only what is due now, by :meth:`hotelbox.daemon.Box.settle`."""

from __future__ import annotations

from dataclasses import dataclass

from hotelbox.store.database import AConn, fetchone


@dataclass(frozen=True)
class Backlog:
    inbox: int  # guests' messages not yet processed
    outbox: int  # replies waiting to be sent or being sent
    pms: int  # PMS writes not yet made
    uncertain: int  # sends with no status yet from the channel (sent or not: we wait to know)
    voice: int = 0  # voice replies still to be spoken (their text already went)

    @property
    def total(self) -> int:
        """What still has to happen (uncertain sends are waiting on the channel, not on us)."""
        return self.inbox + self.outbox + self.pms + self.voice


async def pending(conn: AConn, conversation_id: int | None = None, *, due_at: str | None = None) -> Backlog:
    """The backlog of the whole box, or of one conversation.

    With ``due_at`` (a store timestamp, :func:`~hotelbox.store.database.utcnow`) only work that
    may run at that time counts: sends not waiting out a retry delay, PMS writes not backing off
    after a failure."""
    scope = "" if conversation_id is None else " AND conversation_id = :c"
    send_due = "" if due_at is None else " AND (next_attempt_at IS NULL OR next_attempt_at <= :now)"
    pms_due = "" if due_at is None else " AND next_attempt_at IS NULL"
    row = await fetchone(
        conn,
        f"SELECT (SELECT count(*) FROM inbox WHERE status = 'pending'{scope}) AS inbox,"
        f" (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'){scope}{send_due}) AS outbox,"
        f" (SELECT count(*) FROM pms_outbox WHERE status = 'pending'{scope}{pms_due}) AS pms,"
        f" (SELECT count(*) FROM outbox WHERE status = 'uncertain' AND uncertain_since IS NOT NULL{scope})"
        " AS uncertain,"
        f" (SELECT count(*) FROM voice_jobs WHERE status = 'pending'{scope}) AS voice",
        {"c": conversation_id, "now": due_at},
    )
    assert row is not None  # a SELECT of counts always has its one row
    return Backlog(
        inbox=row["inbox"],
        outbox=row["outbox"],
        pms=row["pms"],
        uncertain=row["uncertain"],
        voice=row["voice"],
    )
