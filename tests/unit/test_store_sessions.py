"""Front desk sessions (store/sessions.py) against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from hotelbox.store import Store, sessions, staff


async def test_a_session_is_found_touched_and_ended(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        ana = await store.write(lambda c: staff.add_user(c, "ana", "admin", "hash-a", "en"))
        await store.write(lambda c: sessions.start(c, "hash-of-token", ana, "csrf-1", "10.0.0.9"))

        row = await store.read(lambda c: sessions.find(c, "hash-of-token"))
        assert row is not None
        assert (row["csrf"], row["id"], row["name"], row["role"], row["language"]) == (
            "csrf-1",
            ana,
            "ana",
            "admin",
            "en",
        )
        await store.write(lambda c: c.execute("UPDATE staff_sessions SET last_seen = '2000-01-01T00:00:00'"))
        await store.write(lambda c: sessions.touch(c, "hash-of-token"))
        touched = await store.read(lambda c: sessions.find(c, "hash-of-token"))
        assert touched is not None
        assert touched["last_seen"] > "2000-01-01T00:00:00"
        assert await store.read(lambda c: sessions.find(c, "another-hash")) is None

        await store.write(lambda c: sessions.end(c, "hash-of-token"))
        assert await store.read(lambda c: sessions.find(c, "hash-of-token")) is None


async def test_a_disabled_users_session_is_not_found(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        leo = await store.write(lambda c: staff.add_user(c, "leo", "frontdesk", "hash-l"))
        await store.write(lambda c: sessions.start(c, "h", leo, "csrf", "::1"))
        await store.write(lambda c: c.execute("UPDATE staff_users SET disabled = 1"))
        assert await store.read(lambda c: sessions.find(c, "h")) is None


async def test_idle_sessions_are_purged_and_counted(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        leo = await store.write(lambda c: staff.add_user(c, "leo", "frontdesk", "hash-l"))
        for token in ("old-1", "old-2", "fresh"):
            await store.write(lambda c, t=token: sessions.start(c, t, leo, "csrf", "::1"))
        await store.write(
            lambda c: c.execute(
                "UPDATE staff_sessions SET last_seen = '2000-01-01T00:00:00' WHERE token_hash LIKE 'old-%'"
            )
        )
        assert await store.write(lambda c: sessions.purge_idle(c, "2020-01-01T00:00:00")) == 2
        assert await store.read(lambda c: sessions.find(c, "fresh")) is not None
        assert await store.write(lambda c: sessions.purge_idle(c, "2020-01-01T00:00:00")) == 0
