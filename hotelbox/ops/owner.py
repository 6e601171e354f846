"""One owner per state directory: an exclusive ``flock`` on ``state_dir/hotelbox.lock``.

``hotelbox run`` (or ``hotelbox chat`` when no box runs) holds the lock for its whole life and
serves the control socket beside it; every other command looks at the lock — never at a port —
to learn whether a box owns the state, and then talks to it (or refuses) instead of opening the
databases itself. Two processes each running a booking worker on one database sent the same
booking to QloApps twice (issue 14). The kernel drops the lock when its holder dies, ``kill -9``
included, so a stale lock file never blocks a restart.

The state directory is created private (0700) and the process's umask made 0077 by
:func:`private_state`, so databases, media and backups are readable by the box's user only,
whoever starts it (issue 13, finding 9).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from pathlib import Path

from hotelbox.errors import HotelboxError

LOCK_NAME = "hotelbox.lock"
CONTROL_NAME = "control.sock"


class StateInUse(HotelboxError):
    code = "state_in_use"
    http_status = 409


def private_state(state_dir: Path) -> None:
    """Create the state directory 0700 (tighten it if it exists) and make new files 0600."""
    os.umask(0o077)
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # not ours (a packaged layout): leave it be
        if state_dir.stat().st_mode & 0o077:
            state_dir.chmod(0o700)
        for path in state_dir.iterdir():  # left readable by an older box or another umask
            with contextlib.suppress(OSError):
                mode = path.lstat().st_mode
                if stat.S_ISREG(mode) and mode & 0o077:
                    path.chmod(0o600)
                elif stat.S_ISDIR(mode) and mode & 0o077:
                    path.chmod(0o700)


def control_socket(state_dir: Path) -> Path:
    return state_dir / CONTROL_NAME


def holder(state_dir: Path) -> int | None:
    """The pid of the process that owns ``state_dir`` (0 if unknown), or None when nobody does.

    Probes with a shared lock: it fails only while someone holds the exclusive one."""
    path = state_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            return int(text) if text.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class StateOwner:
    """The exclusive lock on a state directory. ``acquire()`` or ``with StateOwner(dir):``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def try_acquire(self, wait_s: float = 1.0) -> bool:
        """Take the lock; False if another process holds it. Waits ``wait_s`` at most, so a
        command probing the lock at the same instant (a shared lock for a moment) is no owner."""
        private_state(self.state_dir)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def acquire(self, what: str = "start") -> None:
        if not self.try_acquire():
            raise StateInUse(busy_message(self.state_dir, holder(self.state_dir), what))

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> StateOwner:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def busy_message(state_dir: Path, pid: int | None, what: str) -> str:
    who = f"a box (pid {pid})" if pid else "another hotelbox process"
    return f"{who} owns {state_dir}: cannot {what} beside it (stop it first: systemctl stop hotelbox)"
