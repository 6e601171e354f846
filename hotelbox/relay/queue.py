"""The relay's durable queue, behind a small interface: append / read_from / ack.

One relay VM keeps it in SQLite (:class:`SqliteQueue`, WAL, ``synchronous=FULL``, the box's
own group-commit writer); a chain can put the same interface on an existing replicated engine
without the box noticing. ``append`` returns only after COMMIT: the webhook handler answers
Meta's 200 after it, never before.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hotelbox.config import ConfigError, Settings, StoreSettings, read_secret
from hotelbox.relay.protocol import sha256_hex
from hotelbox.store.database import Conn, Store

UNROUTED = "_unrouted"


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    box_id: str
    kind: str
    received_at_ms: int
    headers: dict[str, str]
    body: bytes
    body_sha256: str
    attempts: int = 0  # times sent to the box before

    @classmethod
    def from_row(cls, r: Any) -> StoredEvent:
        """From a row of either backend (sqlite3.Row or asyncpg.Record: both index by name)."""
        return cls(
            r["seq"],
            r["box_id"],
            r["kind"],
            r["received_at_ms"],
            json.loads(r["headers"]),
            bytes(r["body"]),
            r["body_sha256"],
            r["attempts"],
        )


@dataclass(frozen=True)
class Backlog:
    events: int
    oldest_ms: int | None  # received time of the oldest undelivered event

    def oldest_age_s(self, at_ms: int) -> float:
        return 0.0 if self.oldest_ms is None else max(0.0, (at_ms - self.oldest_ms) / 1000)


class EventQueue(Protocol):
    """What the relay needs from its storage."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def append(
        self, box_ids: list[str], kind: str, headers: dict[str, str], body: bytes, note: str | None = None
    ) -> list[int]:
        """Store the raw body once per box (durable on return); the seq of each (an existing
        seq when the box already holds the same bytes)."""

    def require_space(self) -> None:
        """Raise :class:`~hotelbox.errors.Unavailable` (code ``disk_full``) when storing more would
        risk the storage itself; Meta is then answered 503 and retries."""

    def health(self) -> dict[str, object]: ...

    async def read_from(self, box_id: str, after: int, limit: int) -> list[StoredEvent]:
        """The box's events with seq > ``after``, in order (quarantined ones left out)."""

    async def ack(self, box_id: str, upto: int) -> int:
        """Everything of the box up to ``upto`` is committed on the box; returns rows settled."""

    async def acked_upto(self, box_id: str) -> int: ...

    async def last_seen(self) -> dict[str, int]:
        """Each box's last link or acknowledgement (epoch ms); a box never connected is absent."""

    async def mark_sent(self, box_id: str, seqs: list[int]) -> None:
        """Count a delivery attempt (resends show in metrics and the operator's view)."""

    async def quarantine(self, box_id: str, seq: int, reason: str) -> None: ...

    async def backlog(self) -> dict[str, Backlog]: ...

    async def purge(self, delivered_before_ms: int, undelivered_before_ms: int) -> int: ...

    def waiter(self, box_id: str) -> asyncio.Event:
        """Set whenever something new is appended for ``box_id`` (the link's send loop waits on it)."""


def make_queue(settings: Settings) -> EventQueue:
    """The queue the settings ask for: PostgreSQL when ``relay.queue_url`` is set, else SQLite."""
    r = settings.relay
    if r.queue_url:
        try:
            from hotelbox.relay.pgqueue import PostgresQueue
        except ImportError as exc:
            raise ConfigError(
                "relay.queue_url is set but asyncpg is not installed: pip install 'hotelbox[postgres]'"
            ) from exc
        password = read_secret(None, r.queue_password_file, "relay_queue_password")
        return PostgresQueue(r.queue_url, password=password, pool_size=r.queue_pool_size)
    return SqliteQueue(settings.relay_db_path, settings.store)


class SqliteQueue:
    def __init__(self, path: Path, settings: StoreSettings | None = None) -> None:
        self.store = Store(path, settings or StoreSettings(), migrations="hotelbox.relay.migrations_sql")
        self._waiters: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def open(self) -> None:
        await self.store.open()

    async def close(self) -> None:
        await self.store.close()

    def waiter(self, box_id: str) -> asyncio.Event:
        return self._waiters[box_id]

    def require_space(self) -> None:
        self.store.require_space()

    def health(self) -> dict[str, object]:
        return {"backend": "sqlite", "disk": self.store.disk.snapshot()}

    async def append(
        self, box_ids: list[str], kind: str, headers: dict[str, str], body: bytes, note: str | None = None
    ) -> list[int]:
        digest = sha256_hex(body)
        received = now_ms()
        head = json.dumps(headers, separators=(",", ":"))

        def op(c: Conn) -> list[int]:
            seqs = []
            for box_id in box_ids:
                row = c.execute(
                    "INSERT INTO events (box_id, kind, received_at_ms, headers, body, body_sha256, note)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (box_id, body_sha256) DO NOTHING RETURNING seq",
                    (box_id, kind, received, head, body, digest, note),
                ).fetchone()
                if row is None:
                    row = c.execute(
                        "SELECT seq FROM events WHERE box_id = ? AND body_sha256 = ?", (box_id, digest)
                    ).fetchone()
                seqs.append(int(row[0]))
            return seqs

        seqs = await self.store.write(op, label="relay.append")
        for box_id in box_ids:
            self._waiters[box_id].set()
        return seqs

    async def read_from(self, box_id: str, after: int, limit: int) -> list[StoredEvent]:
        rows = await self.store.fetchall(
            "SELECT seq, box_id, kind, received_at_ms, headers, body, body_sha256, attempts FROM events"
            " WHERE box_id = ? AND seq > ? AND status != 'quarantined' ORDER BY seq LIMIT ?",
            (box_id, after, limit),
        )
        return [StoredEvent.from_row(r) for r in rows]

    async def ack(self, box_id: str, upto: int) -> int:
        at = now_ms()

        def op(c: Conn) -> int:
            c.execute(
                "INSERT INTO acks (box_id, upto, at_ms) VALUES (?, ?, ?) ON CONFLICT (box_id)"
                " DO UPDATE SET upto = max(upto, excluded.upto), at_ms = excluded.at_ms",
                (box_id, upto, at),
            )
            cur = c.execute(
                "UPDATE events SET status = 'delivered', delivered_at_ms = ?"
                " WHERE box_id = ? AND seq <= ? AND status = 'queued'",
                (at, box_id, upto),
            )
            return cur.rowcount

        return int(await self.store.write(op, label="relay.ack"))

    async def acked_upto(self, box_id: str) -> int:
        row = await self.store.fetchone("SELECT upto FROM acks WHERE box_id = ?", (box_id,))
        return int(row["upto"]) if row else 0

    async def last_seen(self) -> dict[str, int]:
        rows = await self.store.fetchall("SELECT box_id, at_ms FROM acks")
        return {r["box_id"]: int(r["at_ms"]) for r in rows}

    async def mark_sent(self, box_id: str, seqs: list[int]) -> None:
        if not seqs:
            return
        marks = ",".join("?" * len(seqs))
        await self.store.write(
            lambda c: c.execute(
                f"UPDATE events SET attempts = attempts + 1 WHERE box_id = ? AND seq IN ({marks})",
                (box_id, *seqs),
            ),
            label="relay.sent",
        )

    async def quarantine(self, box_id: str, seq: int, reason: str) -> None:
        await self.store.write(
            lambda c: c.execute(
                "UPDATE events SET status = 'quarantined', note = ? WHERE box_id = ? AND seq = ?",
                (reason[:200], box_id, seq),
            ),
            label="relay.quarantine",
        )

    async def backlog(self) -> dict[str, Backlog]:
        rows = await self.store.fetchall(
            "SELECT box_id, count(*) AS n, min(received_at_ms) AS oldest FROM events"
            " WHERE status IN ('queued', 'quarantined') GROUP BY box_id"
        )
        return {r["box_id"]: Backlog(r["n"], r["oldest"]) for r in rows}

    async def purge(self, delivered_before_ms: int, undelivered_before_ms: int) -> int:
        def op(c: Conn) -> int:
            a = c.execute(
                "DELETE FROM events WHERE status = 'delivered' AND delivered_at_ms < ?",
                (delivered_before_ms,),
            ).rowcount
            b = c.execute(
                "DELETE FROM events WHERE status != 'delivered' AND received_at_ms < ?",
                (undelivered_before_ms,),
            ).rowcount
            return a + b

        return int(await self.store.write(op, label="relay.purge"))
