"""Named schema migrations, applied at start in the same transaction as their bookkeeping row.

Migrations are ``NNNN_name.sql`` files next to this module. Each runs inside one
``BEGIN IMMEDIATE`` transaction together with its ``schema_migrations`` row, so a ``kill -9``
half-way leaves the database exactly as before that migration, and two processes starting at
once (``hotelbox run`` and ``hotelbox chat``) never apply one twice.

Why not yoyo-migrations: it commits a migration and its record in separate transactions and
keeps a pid lock row that outlives a killed process (checked against yoyo 9.0.0), which breaks
both promises above for an appliance that may lose power at any moment.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    def statements(self) -> list[str]:
        """Split the script into complete statements (triggers with BEGIN…END stay whole)."""
        out: list[str] = []
        buf = ""
        for line in self.sql.splitlines(keepends=True):
            if not buf and (not line.strip() or line.lstrip().startswith("--")):
                continue
            buf += line
            if sqlite3.complete_statement(buf):
                out.append(buf.strip())
                buf = ""
        if buf.strip():
            raise ValueError(f"migration {self.name}: incomplete statement at end: {buf[:80]!r}")
        return out


def shipped_migrations(package: str = "hotelbox.store.migrations_sql") -> list[Migration]:
    files = resources.files(package)
    found = [
        Migration(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8"))
        for f in files.iterdir()
        if f.name.endswith(".sql")
    ]
    return sorted(found, key=lambda m: m.name)


def apply_migrations(path: Path, migrations: list[Migration] | None = None) -> list[str]:
    """Apply pending migrations to the database at ``path``; return the names applied."""
    migrations = shipped_migrations() if migrations is None else migrations
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT"
        )
        applied: list[str] = []
        for migration in migrations:
            conn.execute("BEGIN IMMEDIATE")
            try:
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (migration.name,)
                ).fetchone()
                if done:
                    conn.execute("ROLLBACK")
                    continue
                for statement in migration.statements():
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, datetime.now(UTC).isoformat(timespec="seconds")),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            applied.append(migration.name)
        return applied
    finally:
        conn.close()


def count_applied(conn: sqlite3.Connection) -> int:
    """How many migrations the database has had."""
    return int(conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0])


def quick_check(conn: sqlite3.Connection) -> str:
    """SQLite's quick integrity check: ``ok``, or what is wrong."""
    return str(conn.execute("PRAGMA quick_check").fetchone()[0])


def applied_migrations(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    finally:
        conn.close()
