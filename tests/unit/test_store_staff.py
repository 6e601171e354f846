"""Front desk accounts (store/staff.py) against a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hotelbox.store import Store, sessions, staff


async def _session_count(store: Store) -> int:
    row = await store.fetchone("SELECT count(*) AS n FROM staff_sessions")
    assert row is not None
    return int(row["n"])


async def test_accounts_are_added_listed_and_never_show_their_hash(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        ana = await store.write(lambda c: staff.add_user(c, "ana", "admin", "hash-a", "es"))
        await store.write(lambda c: staff.add_user(c, "leo", "frontdesk", "hash-l", "en"))
        assert await store.write(lambda c: staff.exists(c, "ana"))
        assert not await store.write(lambda c: staff.exists(c, "nobody"))
        with pytest.raises(sqlite3.IntegrityError):
            await store.write(lambda c: staff.add_user(c, "ana", "frontdesk", "hash-x"))

        listed = await store.write(staff.listed)
        assert listed == [
            {"name": "ana", "role": "admin", "language": "es", "disabled": 0},
            {"name": "leo", "role": "frontdesk", "language": "en", "disabled": 0},
        ]
        accounts = await store.read(staff.accounts)
        assert [(a["name"], a["role"], bool(a["created_at"])) for a in accounts] == [
            ("ana", "admin", True),
            ("leo", "frontdesk", True),
        ]
        assert all("password_hash" not in a for a in [*listed, *accounts])

        row = await store.read(lambda c: staff.active_by_name(c, "ana"))
        assert row is not None
        assert (row["id"], row["password_hash"], row["language"]) == (ana, "hash-a", "es")
        await store.write(lambda c: staff.set_language(c, ana, "pt"))
        row = await store.read(lambda c: staff.active_by_name(c, "ana"))
        assert row is not None
        assert row["language"] == "pt"
        assert await store.read(lambda c: staff.active_by_name(c, "nobody")) is None


async def test_a_new_password_or_disabling_ends_that_users_sessions_only(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        ana = await store.write(lambda c: staff.add_user(c, "ana", "admin", "hash-a"))
        leo = await store.write(lambda c: staff.add_user(c, "leo", "frontdesk", "hash-l"))
        for token, user in (("t-ana-1", ana), ("t-ana-2", ana), ("t-leo", leo)):
            await store.write(lambda c, t=token, u=user: sessions.start(c, t, u, "csrf", "127.0.0.1"))

        assert await store.write(lambda c: staff.set_password(c, "ana", "hash-a2"))
        assert await _session_count(store) == 1
        row = await store.read(lambda c: staff.active_by_name(c, "ana"))
        assert row is not None
        assert row["password_hash"] == "hash-a2"
        assert not await store.write(lambda c: staff.set_password(c, "nobody", "h"))

        assert await store.write(lambda c: staff.disable(c, "leo")) == 1
        assert await _session_count(store) == 0
        assert await store.read(lambda c: staff.active_by_name(c, "leo")) is None
        assert await store.write(lambda c: staff.disable(c, "nobody")) == 0
