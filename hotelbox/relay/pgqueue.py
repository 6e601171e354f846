"""The relay's queue on PostgreSQL: several relay processes, one database, any relay serves any box.

For a chain or a hosting partner with hundreds of hotels: relays behind a load balancer share an
existing, replicated PostgreSQL. Same interface and promises as :class:`SqliteQueue`:

* ``append`` returns after COMMIT (Meta gets its 200 after it). The same bytes for the same box
  are one event (unique ``(box_id, body_sha256)``), whichever relay Meta's retry reaches.
* **Per-box order survives concurrent writers.** Boxes ack cumulatively ("everything up to
  seq N"), so a box must never see seq 11 committed before seq 10 of its own. Each append first
  upserts the box's row in ``relay_heads`` (a row lock held to COMMIT) and only then draws its
  seq: appends for one box serialize, appends for different boxes do not.
* Acks are updates (``GREATEST`` on the box's ack row, queued → delivered). Retention deletes run
  in batches claimed with ``FOR UPDATE SKIP LOCKED``, so every relay's maintenance can run at
  once without waiting on the others.
* A relay's box sessions wake on ``LISTEN``/``NOTIFY``: an append anywhere notifies the box's id
  on commit. The listening connection is watched; after a reconnect every session re-reads.
* Database errors become :class:`Unavailable` (``queue_unavailable``): Meta gets a 503 and retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

from hotelbox.errors import Unavailable
from hotelbox.relay.protocol import sha256_hex
from hotelbox.relay.queue import Backlog, StoredEvent, now_ms

log = logging.getLogger(__name__)
T = TypeVar("T")
CHANNEL = "hotelbox_relay_events"
SCHEMA_LOCK = 0x686F74656C626F78  # advisory lock id ("hotelbox") for schema changes
PURGE_BATCH = 5000

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE relay_heads (
            box_id      text PRIMARY KEY,
            appended    bigint NOT NULL DEFAULT 0    -- the row lock that orders a box's appends
        );
        CREATE SEQUENCE relay_event_seq;
        CREATE TABLE relay_events (
            seq             bigint PRIMARY KEY,
            box_id          text NOT NULL,
            kind            text NOT NULL,
            received_at_ms  bigint NOT NULL,
            headers         text NOT NULL,
            body            bytea NOT NULL,
            body_sha256     text NOT NULL,
            status          text NOT NULL DEFAULT 'queued'
                            CHECK (status IN ('queued', 'delivered', 'quarantined')),
            delivered_at_ms bigint,
            attempts        integer NOT NULL DEFAULT 0,
            note            text,
            UNIQUE (box_id, body_sha256)
        );
        CREATE INDEX relay_events_queued ON relay_events (box_id, seq) WHERE status = 'queued';
        CREATE INDEX relay_events_delivered ON relay_events (delivered_at_ms) WHERE status = 'delivered';
        CREATE TABLE relay_acks (
            box_id  text PRIMARY KEY,
            upto    bigint NOT NULL,
            at_ms   bigint NOT NULL
        );
        """,
    ),
]


class PostgresQueue:
    def __init__(self, dsn: str, *, password: str | None = None, pool_size: int = 10) -> None:
        self.dsn = dsn
        self.password = password
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._waiters: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self._listener: asyncio.Task[None] | None = None
        self.listening = False
        self.listen_reconnects = 0

    # -- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.dsn, password=self.password, min_size=1, max_size=self.pool_size, command_timeout=30
        )
        async with self._pool.acquire() as conn:
            await migrate(conn)
        self._listener = asyncio.create_task(self._listen(), name="relay-pg-listen")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # a dying connection's error
                await self._listener
        if self._pool is not None:
            await self._pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "queue not open"
        return self._pool

    async def _run(self, what: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        try:
            async with self.pool.acquire() as conn:
                return await work(conn)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            log.error("relay queue unavailable op=%s error=%s code=queue_unavailable", what, exc)
            raise Unavailable(
                f"the relay's database failed ({what}): {exc}", code="queue_unavailable"
            ) from exc

    async def _listen(self) -> None:
        """One connection LISTENing for appends made by any relay; re-established when lost."""
        delay = 0.2
        while True:
            lost = asyncio.Event()
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self.dsn, password=self.password)
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, self._notified)
                self.listening = True
                delay = 0.2
                for event in self._waiters.values():  # appends made while we were deaf
                    event.set()
                await lost.wait()
            except asyncio.CancelledError:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=2)
                raise
            except Exception as exc:  # whatever asyncpg raises for a broken connection: reconnect
                log.warning("relay queue listener down error=%s", exc)
            self.listening = False
            self.listen_reconnects += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload in self._waiters:
            self._waiters[payload].set()

    # -- the interface ------------------------------------------------------------------------
    def waiter(self, box_id: str) -> asyncio.Event:
        return self._waiters[box_id]

    def require_space(self) -> None:
        """The database server's disk is its operator's; a full one fails the append (503)."""

    def health(self) -> dict[str, object]:
        pool = self._pool
        return {
            "backend": "postgres",
            "listening": self.listening,
            "listen_reconnects": self.listen_reconnects,
            "pool": {"size": pool.get_size(), "idle": pool.get_idle_size()} if pool else None,
        }

    async def append(
        self, box_ids: list[str], kind: str, headers: dict[str, str], body: bytes, note: str | None = None
    ) -> list[int]:
        digest = sha256_hex(body)
        received = now_ms()
        head = json.dumps(headers, separators=(",", ":"))

        async def work(conn: asyncpg.Connection) -> list[int]:
            targets = sorted(set(box_ids))  # one lock order: no deadlock between relays
            if len(targets) == 1:  # the usual case: one statement, one round trip, autocommit
                seqs = {
                    targets[0]: await self._append_one(
                        conn, targets[0], kind, received, head, body, digest, note
                    )
                }
            else:
                async with conn.transaction():
                    seqs = {
                        b: await self._append_one(conn, b, kind, received, head, body, digest, note)
                        for b in targets
                    }
            return [seqs[b] for b in box_ids]

        seqs = await self._run("append", work)
        for box_id in box_ids:  # this relay's own sessions need not wait for the round trip
            self._waiters[box_id].set()
        return seqs

    @staticmethod
    async def _append_one(
        conn: asyncpg.Connection,
        box_id: str,
        kind: str,
        received: int,
        head: str,
        body: bytes,
        digest: str,
        note: str | None,
    ) -> int:
        # The events INSERT reads the heads upsert's row, so it runs after the upsert took the
        # box's row lock: the seq is drawn under that lock. NOTIFY is delivered on COMMIT.
        seq = await conn.fetchval(
            "WITH head AS ("
            "  INSERT INTO relay_heads (box_id, appended) VALUES ($1, 1)"
            "  ON CONFLICT (box_id) DO UPDATE SET appended = relay_heads.appended + 1 RETURNING box_id),"
            " ins AS ("
            "  INSERT INTO relay_events (seq, box_id, kind, received_at_ms, headers, body, body_sha256, note)"
            "  SELECT nextval('relay_event_seq'), head.box_id, $2, $3, $4, $5, $6, $7 FROM head"
            "  ON CONFLICT (box_id, body_sha256) DO NOTHING RETURNING seq)"
            " SELECT ins.seq FROM ins, LATERAL (SELECT pg_notify($8, $1)) n",
            box_id,
            kind,
            received,
            head,
            body,
            digest,
            note,
            CHANNEL,
        )
        if seq is None:  # the same bytes again (Meta's retry, maybe via another relay)
            seq = await conn.fetchval(
                "SELECT seq FROM relay_events WHERE box_id = $1 AND body_sha256 = $2", box_id, digest
            )
        return int(seq)

    async def read_from(self, box_id: str, after: int, limit: int) -> list[StoredEvent]:
        async def work(conn: asyncpg.Connection) -> list[Any]:
            return list(
                await conn.fetch(
                    "SELECT seq, box_id, kind, received_at_ms, headers, body, body_sha256, attempts"
                    " FROM relay_events WHERE box_id = $1 AND seq > $2 AND status <> 'quarantined'"
                    " ORDER BY seq LIMIT $3",
                    box_id,
                    after,
                    limit,
                )
            )

        rows = await self._run("read", work)
        return [StoredEvent.from_row(r) for r in rows]

    async def ack(self, box_id: str, upto: int) -> int:
        at = now_ms()

        async def work(conn: asyncpg.Connection) -> int:
            settled = await conn.fetchval(  # one statement: the ack row and the events, atomically
                "WITH a AS ("
                "  INSERT INTO relay_acks (box_id, upto, at_ms) VALUES ($1, $2, $3) ON CONFLICT (box_id)"
                "  DO UPDATE SET upto = GREATEST(relay_acks.upto, excluded.upto), at_ms = excluded.at_ms),"
                " u AS ("
                "  UPDATE relay_events SET status = 'delivered', delivered_at_ms = $3"
                "  WHERE box_id = $1 AND seq <= $2 AND status = 'queued' RETURNING 1)"
                " SELECT count(*) FROM u",
                box_id,
                upto,
                at,
            )
            return int(settled)

        return await self._run("ack", work)

    async def acked_upto(self, box_id: str) -> int:
        async def work(conn: asyncpg.Connection) -> int:
            value = await conn.fetchval("SELECT upto FROM relay_acks WHERE box_id = $1", box_id)
            return int(value or 0)

        return await self._run("acked_upto", work)

    async def last_seen(self) -> dict[str, int]:
        async def work(conn: asyncpg.Connection) -> dict[str, int]:
            rows = await conn.fetch("SELECT box_id, at_ms FROM relay_acks")
            return {r["box_id"]: int(r["at_ms"]) for r in rows}

        return await self._run("last_seen", work)

    async def mark_sent(self, box_id: str, seqs: list[int]) -> None:
        if not seqs:
            return

        async def work(conn: asyncpg.Connection) -> None:
            await conn.execute(
                "UPDATE relay_events SET attempts = attempts + 1 WHERE box_id = $1 AND seq = ANY($2::bigint[])",
                box_id,
                seqs,
            )

        await self._run("mark_sent", work)

    async def quarantine(self, box_id: str, seq: int, reason: str) -> None:
        async def work(conn: asyncpg.Connection) -> None:
            await conn.execute(
                "UPDATE relay_events SET status = 'quarantined', note = $1 WHERE box_id = $2 AND seq = $3",
                reason[:200],
                box_id,
                seq,
            )

        await self._run("quarantine", work)

    async def backlog(self) -> dict[str, Backlog]:
        async def work(conn: asyncpg.Connection) -> list[Any]:
            return list(
                await conn.fetch(
                    "SELECT box_id, count(*) AS n, min(received_at_ms) AS oldest FROM relay_events"
                    " WHERE status IN ('queued', 'quarantined') GROUP BY box_id"
                )
            )

        rows = await self._run("backlog", work)
        return {r["box_id"]: Backlog(int(r["n"]), r["oldest"]) for r in rows}

    async def purge(self, delivered_before_ms: int, undelivered_before_ms: int) -> int:
        async def work(conn: asyncpg.Connection) -> int:
            total = 0
            while True:  # small batches, claimed past any other relay's batch
                status = await conn.execute(
                    "WITH doomed AS (SELECT seq FROM relay_events"
                    "   WHERE (status = 'delivered' AND delivered_at_ms < $1)"
                    "      OR (status <> 'delivered' AND received_at_ms < $2)"
                    "   LIMIT $3 FOR UPDATE SKIP LOCKED)"
                    " DELETE FROM relay_events e USING doomed d WHERE e.seq = d.seq",
                    delivered_before_ms,
                    undelivered_before_ms,
                    PURGE_BATCH,
                )
                deleted = int(status.split()[-1])
                total += deleted
                if deleted < PURGE_BATCH:
                    return total

        return await self._run("purge", work)


async def migrate(conn: asyncpg.Connection) -> list[int]:
    """Apply the schema versions this relay knows, once, whichever relay starts first."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS relay_schema (version integer PRIMARY KEY,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM relay_schema")}
        applied = []
        for version, sql in MIGRATIONS:
            if version in done:
                continue
            await conn.execute(sql)
            await conn.execute("INSERT INTO relay_schema (version) VALUES ($1)", version)
            applied.append(version)
    if applied:
        log.info("relay queue schema migrated versions=%s", ",".join(map(str, applied)))
    return applied
