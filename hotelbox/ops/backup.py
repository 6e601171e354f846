"""Backups the box can take while it runs, and restores that refuse to make things worse.

``backup`` copies each database (the box's, the demo PMS's, the relay's when present) with
SQLite's online backup API — a consistent snapshot even while the daemon writes, because it
reads through SQLite's own locking (WAL readers never block the writer) — into a temporary file,
checks ``PRAGMA integrity_check`` on the copy, then renames it into place (a half-written backup
is never called a backup). Old sets beyond ``backup.keep`` are removed, oldest first.

``restore_set`` puts a whole set back (every database the backup wrote, listed in its
``manifest.json``) or nothing: a box's database and its demo PMS's refer to each other, so one
without the other is a box that contradicts itself (issue 18). It checks every file first, keeps
each current database aside as ``*.before-restore`` and rolls them all back if one step fails.
The CLI runs it only while holding the state directory's owner lock (never judged by a port).

Backups hold every guest's messages: sets and files are private (0700 / 0600) whatever the umask.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from hotelbox.errors import HotelboxError

PREFIX = "hotelbox-"
MANIFEST = "manifest.json"


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
    tmp.chmod(0o600)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    tmp.replace(target)


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


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
    _private_dir(target_dir)
    _private_dir(tmp_dir)
    files = []
    for db in databases:
        if db.exists():
            _copy(db, tmp_dir / db.name)
            files.append(directory / db.name)
    if not files:
        shutil.rmtree(tmp_dir)
        raise BackupError(f"no database found under {state_dir}", code="backup_nothing")
    manifest = tmp_dir / MANIFEST
    manifest.write_text(json.dumps({"files": [f.name for f in files], "taken_at": stamp}) + "\n")
    manifest.chmod(0o600)
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
    tmp.chmod(0o600)
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


def set_files(source: Path, names: list[str]) -> list[Path]:
    """The databases of the backup set ``source`` (its directory, or any file in it): what its
    manifest lists, else (a set from before manifests) every known database file in it."""
    directory = source if source.is_dir() else source.parent
    manifest = directory / MANIFEST
    if manifest.is_file():
        try:
            listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{manifest} is unreadable: {exc}", code="restore_refused") from exc
        unknown = [n for n in listed if n not in names]
        if unknown:
            raise BackupError(
                f"the set holds {', '.join(unknown)}, which this box does not keep ({', '.join(names)})",
                code="restore_refused",
            )
        missing = [n for n in listed if not (directory / n).is_file()]
        if missing:
            raise BackupError(
                f"the set in {directory} is incomplete: {', '.join(missing)} missing; nothing was changed",
                code="restore_refused",
            )
        return [directory / n for n in listed]
    if source.is_file() and source.name not in names:
        raise BackupError(
            f"{source.name} is none of {', '.join(names)}: which database is it?", code="restore_refused"
        )
    found = [directory / n for n in names if (directory / n).is_file()]
    if not found:
        raise BackupError(f"no database of this box in {directory}", code="restore_refused")
    return found


def restore_set(source: Path, databases: list[Path]) -> list[tuple[Path, Path]]:
    """Put back every database of the set ``source``, or none; returns (restored, kept aside).

    Refuses when the set lacks a database this box has now (the two would not match). The
    caller holds the state directory's owner lock: no box is running."""
    targets = {db.name: db for db in databases}
    files = set_files(source, list(targets))
    names = {f.name for f in files}
    orphans = [db for db in databases if db.exists() and db.name not in names]
    if orphans:
        raise BackupError(
            f"the set in {files[0].parent} has no {', '.join(db.name for db in orphans)} but the box has: "
            "restoring the rest alone would leave them out of step; nothing was changed",
            code="restore_refused",
        )
    for f in files:  # every file sound before anything is touched
        result = check(f)
        if result != "ok":
            raise BackupError(
                f"{f} is not a sound database ({result}): nothing was changed", code="restore_refused"
            )
    done: list[tuple[Path, Path]] = []
    try:
        for f in files:
            done.append((targets[f.name], restore(f, targets[f.name])))
    except BaseException:
        for target, aside in reversed(done):  # back to where we were: all or nothing
            _put_back(target, aside)
        raise
    return done


def _put_back(target: Path, aside: Path) -> None:
    for extra in ("-wal", "-shm"):
        Path(f"{target}{extra}").unlink(missing_ok=True)
    if aside.exists():
        aside.replace(target)
        for extra in ("-wal", "-shm"):
            wal = Path(f"{aside}{extra}")
            if wal.exists():
                wal.replace(Path(f"{target}{extra}"))
    else:
        target.unlink(missing_ok=True)
