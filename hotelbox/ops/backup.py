"""Backups the box can take while it runs, and restores that refuse to make things worse.

``backup`` copies each database (the box's, the demo PMS's, the relay's when present) with
SQLite's online backup API — a consistent snapshot even while the daemon writes, because it
reads through SQLite's own locking (WAL readers never block the writer) — into a temporary file,
checks ``PRAGMA integrity_check`` on the copy, then renames it into place (a half-written backup
is never called a backup). Old sets beyond ``backup.keep`` are removed, oldest first.

``restore`` checks the file first, refuses while a box holds the database (its lock is taken
with ``BEGIN EXCLUSIVE``), keeps the current database aside as ``*.before-restore``, and
replaces it atomically.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from hotelbox.errors import HotelboxError

PREFIX = "hotelbox-"


class BackupError(HotelboxError):
    code = "backup_failed"


@dataclass(frozen=True)
class BackupSet:
    directory: Path
    files: list[Path]
    seconds: float
    bytes: int


def _copy(source: Path, target: Path) -> None:
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst, pages=1024, sleep=0.005)  # in steps: the box keeps writing in between
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy of {source.name} fails its integrity check: {check}")
        dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
    finally:
        dst.close()
        src.close()
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    tmp.replace(target)


def backup(state_dir: Path, databases: list[Path], target_dir: Path, keep: int = 14) -> BackupSet:
    """Take a consistent copy of every database that exists into ``target_dir/hotelbox-<time>/``."""
    started = time.perf_counter()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    directory = target_dir / f"{PREFIX}{stamp}"
    suffix = 0
    while directory.exists():
        suffix += 1
        directory = target_dir / f"{PREFIX}{stamp}-{suffix}"
    tmp_dir = directory.with_name(directory.name + ".part")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    files = []
    for db in databases:
        if db.exists():
            _copy(db, tmp_dir / db.name)
            files.append(directory / db.name)
    if not files:
        shutil.rmtree(tmp_dir)
        raise BackupError(f"no database found under {state_dir}", code="backup_nothing")
    tmp_dir.rename(directory)
    size = sum(f.stat().st_size for f in files)
    rotate(target_dir, keep, spare=directory)
    return BackupSet(directory, files, time.perf_counter() - started, size)


def rotate(target_dir: Path, keep: int, spare: Path | None = None) -> list[Path]:
    """Keep the newest ``keep`` sets (by the time they were written; never ``spare``)."""
    sets = sorted(
        (p for p in target_dir.glob(f"{PREFIX}*") if p.is_dir() and not p.name.endswith(".part")),
        key=lambda p: (p.stat().st_mtime_ns, p.name),
    )
    removed = [p for p in sets[: max(0, len(sets) - keep)] if p != spare]
    for old in removed:
        shutil.rmtree(old)
    for stale in target_dir.glob(f"{PREFIX}*.part"):  # a backup killed half-way
        shutil.rmtree(stale, ignore_errors=True)
    return removed


def check(path: Path) -> str:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"not a database: {exc}"


def restore(source: Path, target: Path) -> Path:
    """Put ``source`` (a backup file) in place of ``target``; returns where the old one went."""
    result = check(source)
    if result != "ok":
        raise BackupError(
            f"{source} is not a sound database ({result}): nothing was changed", code="restore_refused"
        )
    if target.exists():
        live = sqlite3.connect(target, timeout=0.5)
        try:
            live.execute("BEGIN EXCLUSIVE")  # fails while a running box holds the database
            live.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            raise BackupError(
                f"{target} is in use: stop the box first (systemctl stop hotelbox)", code="restore_in_use"
            ) from exc
        finally:
            live.close()
    aside = target.with_name(target.name + ".before-restore")
    tmp = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    if target.exists():
        target.replace(aside)
        for extra in ("-wal", "-shm"):  # the old WAL may hold commits: it goes aside with its database
            wal = Path(f"{target}{extra}")
            if wal.exists():
                wal.replace(Path(f"{aside}{extra}"))
    tmp.replace(target)
    return aside
