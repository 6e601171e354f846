"""SQLite under asyncio: one writer fed by a queue (group commit), a small read pool.

Every write is an async function of the writer connection, queued with :meth:`Store.write`.
The writer takes whatever is queued (up to ``batch_max``), runs each inside its own SAVEPOINT
within a single ``BEGIN IMMEDIATE`` transaction and commits once; a caller's ``await`` returns
only after that COMMIT, so "written" always means durable (``synchronous=FULL`` by default).
One failing write rolls back to its savepoint and fails alone. Group commit is what lets a
2-core box take hundreds of guest messages a second while fsyncing every commit.

Reads go through a pool of ``query_only`` connections and never wait behind the writer (WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from hotelbox.config import StoreSettings
from hotelbox.errors import Unavailable
from hotelbox.store.migrations import apply_migrations

log = logging.getLogger(__name__)
T = TypeVar("T")
Conn = aiosqlite.Connection
Op = Callable[[Conn], Awaitable[T]]


def utcnow() -> str:
    """The store's timestamp format: UTC, millisecond precision, sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class _Pending:
    op: Op[Any]
    future: asyncio.Future[Any]
    label: str


@dataclass
class WriterStats:
    transactions: int = 0
    writes: int = 0
    failed_writes: int = 0
    busy_seconds: float = 0.0


class Store:
    """The box's database. Use as ``async with Store(path, settings) as store:``."""

    def __init__(self, path: Path, settings: StoreSettings | None = None) -> None:
        self.path = path
        self.settings = settings or StoreSettings()
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._writer: Conn | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self._readers: asyncio.Queue[Conn] = asyncio.Queue()
        self._all_readers: list[Conn] = []
        self._closing = False
        self.stats = WriterStats()
        self.applied_migrations: list[str] = []

    # -- lifecycle -----------------------------------------------------------------------
    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.applied_migrations = await asyncio.to_thread(apply_migrations, self.path)
        if self.applied_migrations:
            log.info("store migrated path=%s applied=%s", self.path, ",".join(self.applied_migrations))
        self._writer = await self._connect(readonly=False)
        for _ in range(self.settings.readers):
            conn = await self._connect(readonly=True)
            self._all_readers.append(conn)
            self._readers.put_nowait(conn)
        self._writer_task = asyncio.create_task(self._write_loop(), name="store-writer")

    async def _connect(self, *, readonly: bool) -> Conn:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout={int(self.settings.busy_timeout_ms)}")
        await conn.execute("PRAGMA foreign_keys=ON")
        if readonly:
            await conn.execute("PRAGMA query_only=ON")
        else:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute(f"PRAGMA synchronous={self.settings.synchronous}")
        return conn

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._writer_task is not None:
            await self._queue.put(None)  # drain what is queued, then stop
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer_task
        if self._writer is not None:
            with contextlib.suppress(sqlite3.Error):
                await self._writer.execute("PRAGMA optimize")
            await self._writer.close()
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()

    # -- writing -------------------------------------------------------------------------
    async def write(self, op: Op[T], label: str = "write") -> T:
        """Run ``op`` on the writer connection; returns once its transaction is committed."""
        if self._closing:
            raise Unavailable("the store is closing", code="store_closing")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(op, future, label))
        return await future

    async def _write_loop(self) -> None:
        assert self._writer is not None
        conn = self._writer
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.settings.batch_max and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            await self._commit_batch(conn, batch)

    async def _commit_batch(self, conn: Conn, batch: list[_Pending]) -> None:
        started = time.perf_counter()
        results: list[tuple[_Pending, bool, Any]] = []
        try:
            await conn.execute("BEGIN IMMEDIATE")
            for item in batch:
                if item.future.cancelled():
                    continue
                await conn.execute("SAVEPOINT op")
                try:
                    value = await item.op(conn)
                except Exception as exc:
                    await conn.execute("ROLLBACK TO op")
                    await conn.execute("RELEASE op")
                    results.append((item, False, exc))
                    self.stats.failed_writes += 1
                    log.warning("store write failed label=%s error=%r", item.label, exc)
                else:
                    await conn.execute("RELEASE op")
                    results.append((item, True, value))
            await conn.execute("COMMIT")
        except Exception as exc:  # the transaction itself failed: nothing in it was written
            log.error("store commit failed writes=%d error=%r", len(batch), exc)
            with contextlib.suppress(sqlite3.Error):
                await conn.execute("ROLLBACK")
            failure = Unavailable(f"database write failed: {exc}", code="store_write_failed")
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(failure)
            return
        finally:
            self.stats.busy_seconds += time.perf_counter() - started
        self.stats.transactions += 1
        self.stats.writes += len(results)
        for item, ok, value in results:
            if item.future.done():
                continue
            if ok:
                item.future.set_result(value)
            else:
                item.future.set_exception(value)

    # -- reading -------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def reader(self) -> AsyncIterator[Conn]:
        conn = await self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put_nowait(conn)

    async def read(self, op: Op[T]) -> T:
        async with self.reader() as conn:
            return await op(conn)

    async def fetchall(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        async with self.reader() as conn, conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        async with self.reader() as conn, conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def integrity_check(self) -> str:
        row = await self.fetchone("PRAGMA integrity_check")
        return str(row[0]) if row else "no answer"


async def fetchone(conn: Conn, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
    async with conn.execute(sql, params) as cur:
        return await cur.fetchone()


async def fetchall(conn: Conn, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def insert(conn: Conn, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
    async with conn.execute(sql, params) as cur:
        assert cur.lastrowid is not None
        return cur.lastrowid
