"""Real processes for the WhatsApp tests and benchmarks: ``hotelbox relay`` and ``hotelbox run``
started as subprocesses on 127.0.0.1 (:class:`Proc`, killed with SIGKILL where a crash matters),
their settings (:func:`write_config`), and :class:`World` — fake Meta → relay → box → fake Graph
API — with the guests' questions it asks (:data:`QUESTIONS`). Used by
``test_whatsapp_processes.py``, ``test_relay_cluster.py``, ``tests/e2e/stack.py`` and the
WhatsApp and relay-cluster benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

import aiohttp

from hotelbox.relay.protocol import new_key
from tests.fakes.graph import ACCESS_TOKEN, APP_SECRET, PNID, FakeGraph, MetaWebhooks, message_body, wamid
from tests.support import HOTELBOX, free_port

QUESTIONS = [
    ("¿tenéis parking?", "parking"),
    ("¿hay wifi?", "wifi"),
    ("¿a qué hora es el desayuno?", "desayuno"),
    ("¿admitís mascotas?", "perros"),
    ("¿dónde estáis?", "paseo"),
    ("¿cómo puedo pagar?", "tarjeta"),
]


def write_config(directory: Path, relay_port: int, graph_url: str, key: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "link.key").write_text(key)
    (directory / "token").write_text(ACCESS_TOKEN)
    (directory / "secret").write_text(APP_SECRET)
    (directory / "verify").write_text("verify-token")
    config = directory / "hotelbox.toml"
    config.write_text(
        f"""
[web]
port = {free_port()}

[whatsapp]
enabled = true
phone_number_id = "{PNID}"
graph_url = "{graph_url}"
access_token_file = "{directory / "token"}"
app_secret_file = "{directory / "secret"}"
uncertain_resend_after_s = 5

[relay_link]
url = "ws://127.0.0.1:{relay_port}/box/v1/link"
box_id = "hotel-1"
key_file = "{directory / "link.key"}"
backoff_min_s = 0.1
backoff_max_s = 0.5

[relay]
port = {relay_port}
app_secret_file = "{directory / "secret"}"
verify_token_file = "{directory / "verify"}"

[relay.boxes.hotel-1]
phone_number_ids = ["{PNID}"]
key_file = "{directory / "link.key"}"
"""
    )
    return config


class Proc:
    """A hotelbox process that a supervisor restarts when it dies (like systemd's Restart=)."""

    def __init__(
        self,
        name: str,
        args: list[str],
        cwd: Path,
        config: Path,
        env: dict[str, str] | None = None,
        argv: list[str] | None = None,
    ) -> None:
        self.name = name
        self.env = env or {}
        self.argv = argv  # another program (the fake QloApps), instead of hotelbox with its config
        self.args = args
        self.cwd = cwd
        self.config = config
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0  # exits by SIGKILL (failpoints, tests)
        self.failpoints = ""
        self._supervisor: asyncio.Task[None] | None = None
        self.keep_running = True

    async def start(self, failpoints: str = "") -> None:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1", "HOTELBOX_FAILPOINTS": failpoints}
        log = open(self.cwd / f"{self.name}.log", "ab")  # noqa: SIM115, ASYNC230 - the process owns it
        argv = self.argv or [str(HOTELBOX), "--config", str(self.config), *self.args]
        self.proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=self.cwd, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        self.starts += 1

    def supervise(self, failpoints: str = "") -> None:
        """Start now (with failpoints, the first run only) and restart after every death."""

        async def loop() -> None:
            await self.start(failpoints)
            while self.keep_running:
                assert self.proc is not None
                code = await self.proc.wait()
                self.kills += code == -signal.SIGKILL
                if self.keep_running:
                    await self.start()

        self._supervisor = asyncio.create_task(loop())

    async def stop(self) -> None:
        self.keep_running = False
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)

    def log(self) -> str:
        return (self.cwd / f"{self.name}.log").read_text(errors="replace")[-3000:]


class World:
    def __init__(self, tmp: Path, graph: FakeGraph) -> None:
        self.relay_port = free_port()
        self.graph = graph
        self.config = write_config(tmp, self.relay_port, graph.url, new_key())
        self.relay = Proc("relay", ["relay"], tmp, self.config)
        self.box = Proc("box", ["run"], tmp, self.config)
        self.webhook = f"http://127.0.0.1:{self.relay_port}/wa/webhook"
        graph.webhook_url = self.webhook
        self.meta = MetaWebhooks(self.webhook)

    async def box_connected(self, within_s: float = 60) -> None:
        url = f"http://127.0.0.1:{self.relay_port}/healthz"
        deadline = asyncio.get_running_loop().time() + within_s
        async with aiohttp.ClientSession() as http:
            while asyncio.get_running_loop().time() < deadline:
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(url) as resp:
                        if "hotel-1" in (await resp.json())["connected"]:
                            return
                await asyncio.sleep(0.1)
        raise AssertionError(f"the box never connected\n{self.box.log()}\n{self.relay.log()}")

    async def guests_ask(self, guests: int, per_guest: int, concurrency: int = 8) -> dict[str, list[str]]:
        """Each guest asks ``per_guest`` questions in order (each posted until Meta gets a 200)."""
        asked: dict[str, list[str]] = {}
        gate = asyncio.Semaphore(concurrency)

        async def guest(g: int) -> None:
            phone = f"+3460090{g:04d}"
            asked[phone] = []
            for k in range(per_guest):
                question, topic = QUESTIONS[(g + k) % len(QUESTIONS)]
                async with gate:
                    await self.meta.post(message_body(phone, text=question, wamid_=wamid()), retry_for_s=90)
                asked[phone].append(topic)
                await asyncio.sleep(0.05)

        await asyncio.gather(*(guest(g) for g in range(guests)))
        return asked

    async def check_answered_once_in_order(self, asked: dict[str, list[str]], within_s: float = 90) -> None:
        total = sum(len(v) for v in asked.values())
        try:
            await self.graph.wait_sent(total, within_s)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n{self.box.log()}") from exc
        await asyncio.sleep(2.0)  # anything sent twice would show up now
        for phone, topics in asked.items():
            replies = [m.text.lower() for m in self.graph.sent if m.recipient == phone]
            assert len(replies) == len(topics), (phone, replies)
            for topic, reply in zip(topics, replies, strict=True):
                assert topic in reply, (phone, topic, reply)
