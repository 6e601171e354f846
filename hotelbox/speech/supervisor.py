"""The box's speech workers as supervised child processes: started before READY, watched, killed
when they outgrow their memory budget or hang, restarted with backoff when they die.

A worker that dies while hearing a guest's note costs that note a "please type" answer (the
client sees the connection close); the next note finds it back within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from hotelbox.errors import ModelError

log = logging.getLogger(__name__)
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a worker that lived this long starts the backoff again from the first step


class SpeechWorker:
    def __init__(
        self,
        role: str,
        spec_json: str,
        socket_path: Path,
        *,
        max_rss_mb: int,
        load_timeout_s: float = 180.0,
        on_event: Any = None,
    ) -> None:
        self.role = role
        self.spec_json = spec_json
        self.socket_path = socket_path
        self.max_rss_mb = max_rss_mb
        self.load_timeout_s = load_timeout_s
        self.on_event = on_event or (lambda code: None)  # counted by the box's metrics
        self.process: asyncio.subprocess.Process | None = None
        self.ready = asyncio.Event()
        self.restarts = 0
        self.deaths = 0
        self.rss_mb = 0.0
        self.peak_rss_mb = 0.0
        self.last_error: str | None = None
        self._stopping = False
        self._watch: asyncio.Task[None] | None = None
        self._memory: asyncio.Task[None] | None = None

    @property
    def uri(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.returncode is None else None

    async def start(self) -> None:
        """Start the worker and wait until its models are loaded (ModelError if it cannot)."""
        await self._spawn()
        if not await self._wait_listening(self.load_timeout_s):
            code = self.process.returncode if self.process else None
            await self._terminate()
            raise ModelError(
                f"speech worker {self.role} did not start (exit {code}): {self.last_error or 'see its log'}",
                code="speech_worker_failed",
            )
        self._watch = asyncio.create_task(self._supervise(), name=f"speech-{self.role}-watch")
        self._memory = asyncio.create_task(self._watch_memory(), name=f"speech-{self.role}-memory")

    async def _spawn(self) -> None:
        self.ready.clear()
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hotelbox.speech.worker",
            self.role,
            "--uri",
            self.uri,
            "--spec",
            self.spec_json,
            stdin=asyncio.subprocess.DEVNULL,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"},
        )
        log.info("speech worker started role=%s pid=%d", self.role, self.process.pid)

    async def _wait_listening(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is None or self.process.returncode is not None:
                return False
            try:
                _reader, writer = await asyncio.open_unix_connection(str(self.socket_path))
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            self.ready.set()
            return True
        return False

    async def _supervise(self) -> None:
        backoff = BACKOFF_FIRST_S
        while not self._stopping:
            assert self.process is not None
            born = time.monotonic()
            code = await self.process.wait()
            self.ready.clear()
            if self._stopping:
                return
            self.deaths += 1
            self.last_error = f"exit {code}"
            self.on_event("speech_worker_died")
            log.error("speech worker died role=%s exit=%s code=speech_worker_died", self.role, code)
            if time.monotonic() - born > STABLE_AFTER_S:
                backoff = BACKOFF_FIRST_S
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX_S)
            if self._stopping:
                return
            try:
                await self._spawn()
            except OSError as exc:
                log.error("speech worker cannot start role=%s error=%s", self.role, exc)
                continue
            if await self._wait_listening(self.load_timeout_s):
                self.restarts += 1
                log.info("speech worker back role=%s pid=%s restarts=%d", self.role, self.pid, self.restarts)
            elif self.process is not None and self.process.returncode is None:
                self.kill()  # loading hung: the loop above starts it again

    async def _watch_memory(self) -> None:
        while not self._stopping:
            await asyncio.sleep(1.0)
            pid = self.pid
            if pid is None:
                continue
            try:
                rss = psutil.Process(pid).memory_info().rss / 2**20
            except psutil.Error:
                continue
            self.rss_mb = rss
            self.peak_rss_mb = max(self.peak_rss_mb, rss)
            if rss > self.max_rss_mb:
                log.error(
                    "speech worker over its memory budget role=%s rss_mb=%.0f max_mb=%d code=speech_worker_memory",
                    self.role,
                    rss,
                    self.max_rss_mb,
                )
                self.on_event("speech_worker_memory")
                self.kill()

    async def wait_ready(self, timeout_s: float) -> None:
        try:
            async with asyncio.timeout(timeout_s):
                await self.ready.wait()
        except TimeoutError:
            raise ModelError(
                f"speech worker {self.role} is not running (restarting)", code="speech_worker_down"
            ) from None

    def kill(self) -> None:
        """SIGKILL (a hang or a memory blow-up): the supervisor starts it again."""
        self.ready.clear()
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGKILL)

    async def _terminate(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            async with asyncio.timeout(5):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def stop(self) -> None:
        self._stopping = True
        for task in (self._watch, self._memory):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._terminate()
        self.socket_path.unlink(missing_ok=True)

    def health(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "ready": self.ready.is_set(),
            "deaths": self.deaths,
            "restarts": self.restarts,
            "rss_mb": round(self.rss_mb, 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
        }
