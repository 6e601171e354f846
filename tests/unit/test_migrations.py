from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hotelbox.store.migrations import Migration, applied_migrations, apply_migrations, shipped_migrations


def test_shipped_migrations_apply_once(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    first = apply_migrations(db)
    assert first == [m.name for m in shipped_migrations()]
    assert apply_migrations(db) == []
    assert applied_migrations(db) == first
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"guests", "guest_identities", "conversations", "messages", "inbox", "outbox", "bookings",
            "pms_outbox", "audit_log", "schema_migrations"} <= tables  # fmt: skip


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    apply_migrations(db)
    bad = Migration("9999_bad", "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n")
    with pytest.raises(sqlite3.OperationalError):
        apply_migrations(db, [*shipped_migrations(), bad])
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0
    assert "9999_bad" not in applied_migrations(db)


def test_statements_split_keeps_triggers_whole() -> None:
    m = Migration(
        "x",
        "-- comment\nCREATE TABLE t (a INTEGER);\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\n  SELECT 1;\nEND;\n",
    )
    statements = m.statements()
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")


def test_what_doctor_reads_on_a_plain_connection(tmp_path: Path) -> None:
    from hotelbox.store import identity
    from hotelbox.store.migrations import count_applied, quick_check

    db = tmp_path / "d.db"
    apply_migrations(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert quick_check(conn) == "ok"
    assert count_applied(conn) == len(shipped_migrations())
    made = identity.made(conn)
    assert made is not None
    assert len(made[0]) >= 8
    assert made[1][:2] == "20"
    assert identity.made(sqlite3.connect(tmp_path / "empty.db")) is None  # predates the identity
