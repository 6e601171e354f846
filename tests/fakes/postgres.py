"""A real PostgreSQL server for the tests: Debian's binaries, a fresh cluster in a temp dir, on
127.0.0.1 with a free port. Not a fake — the name of the folder notwithstanding — but it lives
with the other things tests start. As root (CI), the server runs as the ``postgres`` user (it
refuses to run as root)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from tests.support import free_port


def pg_bin() -> Path | None:
    for version in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (version / "postgres").is_file():
            return version
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


class Postgres:
    def __init__(self) -> None:
        binaries = pg_bin()
        if binaries is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = binaries
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hotelbox-pg-"))  # not under pytest's 0700 root dir
        self.data = self.dir / "data"
        self.proc: subprocess.Popen[bytes] | None = None
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql://hotelbox@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(args, check=check, capture_output=True, user=self.user, timeout=120)

    def start(self) -> Postgres:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "hotelbox", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        log = open(self.dir / "postgres.log", "ab")  # noqa: SIM115 - the server owns it
        self.proc = subprocess.Popen(
            [
                str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
                "-k", str(self.dir), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
            ],
            stdout=log, stderr=log, user=self.user,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = self._run(
                str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), check=False
            )
            if ready.returncode == 0:
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not start:\n{self.log()}")

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "hotelbox", name)
        return f"postgresql://hotelbox@127.0.0.1:{self.port}/{name}"

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "postgres.log").read_text(errors="replace")[-3000:]
        return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown: sessions are cut, not waited for
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
