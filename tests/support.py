"""What the tests share about a running box: the recording channel and a guest on it, waiting for a
condition, the ``hotelbox`` command as a subprocess, the fake QloApps as a process, the hotel's
date, paths. ``tests/conftest.py`` builds its fixtures from these; test modules import them from
here (language and speech helpers are in ``tests/helpers.py``), never from another test module.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hotelbox.channels import SendResult
from hotelbox.daemon import Box
from hotelbox.messages import Inbound, Reply
from hotelbox.pms import BookingRequest, PmsBooking
from hotelbox.store.outbox import OutboxItem
from tests.fakes.qloapps import FakeQloApps
from tests.fakes.qloapps.seed import qloapps_room_text

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"  # fixtures the tests carry (tests/data/README.md)
HOTELBOX = Path(sys.executable).with_name("hotelbox")
TZ = ZoneInfo("Europe/Madrid")


def hotel_today() -> date:
    return datetime.now(TZ).date()


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


_seeded = itertools.count(1)


@dataclass
class Chat(Guest):
    """A guest who is also the phone it writes from, keeping every reply (``last``: this turn's)."""

    replies: list[Reply] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.phone = self.phone or self.address

    async def __call__(self, text: str) -> list[Reply]:
        self.last = await self.says(text)
        self.replies.extend(self.last)
        return self.last

    def said(self, *words: str, last: bool = False) -> bool:
        from hotelbox.nlu.text import fold

        text = fold(" ".join(r.text for r in (self.last if last else self.replies)))
        return all(fold(w) in text for w in words)

    def transcript(self) -> dict[str, Any]:
        return {"transcript": [(r.key, r.text) for r in self.replies]}  # shown when an assertion fails


def chats(box: tuple[Box, RecordingChannel], today: date, hour: int = 11) -> Callable[[str], Chat]:
    """Guests chatting with the box on ``today`` (its clock pinned at ``hour``): ``make(prefix)`` is
    a new guest whose WhatsApp number is ``prefix`` and a running count."""
    b, channel = box
    b.pipeline.clock = lambda: datetime(today.year, today.month, today.day, hour, tzinfo=TZ)
    numbers = itertools.count(1)
    return lambda prefix: Chat(b, channel, f"{prefix}{next(numbers):08d}")


async def seed_booking(
    box: Box,
    phone: str | None,
    name: str = "Lucía Fernández Ruiz",
    *,
    room: str = "double",
    check_in: date = date(2027, 7, 20),
    check_out: date = date(2027, 7, 23),
    adults: int = 2,
    email: str = "lucia@example.com",
) -> PmsBooking:
    """A booking already in the box's PMS before the chat starts: the guest's earlier booking."""
    return await box.pms.create_booking(
        BookingRequest(
            idempotency_key=f"seed-{os.getpid()}-{next(_seeded)}",
            room_type=room,
            check_in=check_in,
            check_out=check_out,
            adults=adults,
            children=0,
            guest_name=name,
            email=email,
            phone=phone,
            expected_total=None,
        )
    )


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
