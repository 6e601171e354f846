"""``hotelbox run`` as a real process: ready notification, health, chat, kill -9, clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

from tests.support import HOTELBOX, free_port


class Daemon:
    def __init__(self, cwd: Path, port: int, notify_path: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [str(HOTELBOX), "run"],
            cwd=cwd,
            env={**os.environ, "HOTELBOX_WEB__PORT": str(port), "NOTIFY_SOCKET": str(notify_path)},
            stdout=subprocess.DEVNULL,
            stderr=open(cwd / "daemon.log", "ab"),  # noqa: SIM115 - the process owns it
        )

    def get(self, path: str) -> tuple[int, dict]:  # type: ignore[type-arg]
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def post(self, path: str, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, json.loads(r.read())


def notifications(sock: socket.socket, until: str, timeout: float = 60) -> list[str]:
    sock.settimeout(timeout)
    seen: list[str] = []
    while not any(until in s for s in seen):
        seen.extend(sock.recv(4096).decode().split("\n"))
    return seen


def wait_history(d: Daemon, session: str, outbound: int, timeout: float = 20) -> list[dict]:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, data = d.get(f"/try/api/messages?session={session}")
        messages = data["messages"]
        if sum(m["direction"] == "out" for m in messages) >= outbound:
            return messages
        time.sleep(0.05)
    raise AssertionError(f"no {outbound} replies: {messages}")


def test_run_notifies_serves_survives_kill_9_and_stops_cleanly(tmp_path: Path, nlu_cache: Path) -> None:
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    port = free_port()
    session = uuid.uuid4().hex

    d = Daemon(tmp_path, port, notify_path)
    try:
        seen = notifications(sock, "READY=1")
        assert any(s.startswith("STATUS=") for s in seen)
        status, health = d.get("/healthz")
        assert (status, health["status"]) == (200, "ok")  # ready means ready: models loaded, store open
        assert d.post("/try/api/messages", {"session": session, "client_id": "1", "text": "hola"})[0] == 202
        wait_history(d, session, 1)
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait(10)
    finally:
        if d.proc.poll() is None:
            d.proc.kill()

    d = Daemon(tmp_path, port, notify_path)
    try:
        notifications(sock, "READY=1")
        d.post("/try/api/messages", {"session": session, "client_id": "2", "text": "¿tenéis parking?"})
        messages = wait_history(d, session, 2)
        assert [m["direction"] for m in messages] == ["in", "out", "in", "out"]  # nothing lost, nothing twice
        assert "parking" in messages[-1]["text"].lower()
        d.proc.send_signal(signal.SIGTERM)
        assert d.proc.wait(20) == 0
        assert any("STOPPING=1" in s for s in notifications(sock, "STOPPING=1", 5))
    finally:
        if d.proc.poll() is None:
            d.proc.kill()
        sock.close()
