"""Shared fixtures: a model trained once per session, settings in a temp dir, a running Box."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotelbox.channels import SendResult
from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound, Reply
from hotelbox.nlu.understanding import Understander
from hotelbox.pms import PmsBooking
from hotelbox.pms.demo import DEMO_ROOM_TYPES
from hotelbox.store.outbox import OutboxItem
from tests.fakes.qloapps import FakeQloApps
from tests.fakes.qloapps.seed import demo_like_seed, qloapps_room_text

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"  # fixtures the tests carry (tests/data/README.md)
HOTELBOX = Path(sys.executable).with_name("hotelbox")
TZ = ZoneInfo("Europe/Madrid")


def pytest_configure(config: pytest.Config) -> None:
    # The box runs speech in a worker process by default (issue 16); the suite's hundreds of
    # boxes share one in-process copy of the models instead (a worker per box loads them each
    # time). Tests of the workers ask for them: speech={"engines": "workers"}.
    os.environ.setdefault("HOTELBOX_SPEECH__ENGINES", "in_process")


def hotel_today() -> date:
    return datetime.now(TZ).date()


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One trained model for the whole session (training takes ~10 s); subprocesses share it."""
    cache = Path(os.environ.get("HOTELBOX_TEST_NLU_CACHE") or tmp_path_factory.mktemp("nlu-cache"))
    old = os.environ.get("HOTELBOX_NLU__MODEL_DIR")
    os.environ["HOTELBOX_NLU__MODEL_DIR"] = str(cache)
    from hotelbox.nlu.training import ensure_model

    ensure_model(cache)
    yield cache
    if old is None:
        os.environ.pop("HOTELBOX_NLU__MODEL_DIR", None)
    else:
        os.environ["HOTELBOX_NLU__MODEL_DIR"] = old


@pytest.fixture(scope="session")
def understander(nlu_cache: Path) -> Understander:
    u = Understander(cache_root=nlu_cache)
    u.load()
    return u


@pytest.fixture(params=["demo"])
def pms_kind(request: pytest.FixtureRequest) -> str:
    """Which PMS the box books in; conversation tests override it to run against both."""
    return str(request.param)


@pytest.fixture
async def qloapps_fake(pms_kind: str) -> AsyncIterator[FakeQloApps | None]:
    if pms_kind != "qloapps":
        yield None
        return
    async with FakeQloApps(seed=demo_like_seed()) as fake:
        yield fake


@pytest.fixture
def room_code(pms_kind: str) -> dict[str, str]:
    """The demo hotel's room codes as the PMS in use knows them."""
    codes = [row[0] for row in DEMO_ROOM_TYPES]
    return {c: str(n) if pms_kind == "qloapps" else c for n, c in enumerate(codes, 1)}


def qloapps_overrides(fake: FakeQloApps) -> dict[str, Any]:
    return {
        "pms": {
            "kind": "qloapps",
            "retry_base_s": 0.2,
            "qloapps": {
                "url": fake.url,
                "key": fake.key,
                "room_types": qloapps_room_text(),
                "breaker_cooldown_s": 0.5,
            },
        }
    }


@pytest.fixture
def settings(
    tmp_path: Path, nlu_cache: Path, monkeypatch: pytest.MonkeyPatch, qloapps_fake: FakeQloApps | None
) -> Settings:
    monkeypatch.chdir(tmp_path)
    overrides = qloapps_overrides(qloapps_fake) if qloapps_fake is not None else {}
    return load_settings(state_dir=tmp_path / "var", **overrides)


async def pms_bookings(box: Box) -> list[PmsBooking]:
    """What the PMS holds for the bookings the box made (any PMS kind)."""
    rows = await box.store.fetchall("SELECT pms_reference FROM bookings WHERE pms_reference IS NOT NULL")
    return [await box.pms.get_booking(r["pms_reference"]) for r in rows]


@dataclass
class RecordingChannel:
    """A channel that keeps what it was asked to send (the 'guest's phone' in tests)."""

    name: str = "test"
    idempotent_send: bool = True
    accepts_voice: bool = False
    merge_replies: bool = False
    sent: list[OutboxItem] = field(default_factory=list)
    fail_next: int = 0

    async def send(self, item: OutboxItem) -> SendResult:
        if self.fail_next:
            from hotelbox.channels import SendError

            self.fail_next -= 1
            raise SendError("simulated outage")
        self.sent.append(item)
        return SendResult(f"{self.name}-{item.id}")

    def replies(self, recipient: str | None = None) -> list[Reply]:
        return [i.reply for i in self.sent if recipient is None or i.recipient == recipient]


@dataclass
class Guest:
    """A guest on the recording channel: ``await guest.says("hola")`` → the bot's replies."""

    box: Box
    channel: RecordingChannel
    address: str
    phone: str | None = None
    counter: int = 0

    async def says(self, text: str, choice: str | None = None) -> list[Reply]:
        before = len(self.channel.replies(self.address))
        self.counter += 1
        accepted = await self.box.pipeline.accept(
            Inbound(
                channel=self.channel.name,
                channel_message_id=f"{self.address}-{self.counter}",
                sender=self.address,
                text=text,
                phone=self.phone,
                choice=choice,
            )
        )
        await self.box.settle(accepted.conversation_id)
        return self.channel.replies(self.address)[before:]

    async def conversation(self) -> dict[str, Any]:
        row = await self.box.store.fetchone(
            "SELECT c.* FROM conversations c JOIN guest_identities i ON i.id = c.identity_id"
            " WHERE i.channel = ? AND i.address = ?",
            (self.channel.name, self.address),
        )
        assert row is not None
        return dict(row)


@pytest.fixture
async def box(settings: Settings) -> AsyncIterator[tuple[Box, RecordingChannel]]:
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as running:
        yield running, channel


@pytest.fixture
def make_guest(box: tuple[Box, RecordingChannel]):  # type: ignore[no-untyped-def]
    def make(address: str = "+34600000001", phone: str | None = "same") -> Guest:
        b, channel = box
        return Guest(b, channel, address, address if phone == "same" else phone)

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(
    *args: str, cwd: Path, input: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [str(HOTELBOX), *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


async def wait_for(predicate, within_s: float = 10.0, interval: float = 0.02):  # type: ignore[no-untyped-def]
    """Poll an async or sync predicate until it is truthy (tests only)."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(interval)


@contextlib.contextmanager
def running_fake_qloapps(hotel: str = "install", *extra: str) -> Iterator[str]:
    """The fake QloApps as its own process (like the real one, another machine on the LAN)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.qloapps", "--port", str(port), "--hotel", hotel, *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError(f"the fake QloApps did not start: {line!r}")
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def test_voices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated piper test voices for es and pt (no registry ships real ones), with a site manifest."""
    from tests.fakes.test_voice import make_test_voice, write_site_manifest

    directory = tmp_path_factory.mktemp("test-voices")
    write_site_manifest(directory, [make_test_voice(directory, lang) for lang in ("es", "pt")])
    return directory


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL (Debian's package, installed by .ci/run) for the relay's shared queue."""
    from tests.fakes.postgres import Postgres

    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()
