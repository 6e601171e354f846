"""The whole product on 127.0.0.1, as deployed: ``hotelbox relay``, ``hotelbox run`` and the fake
QloApps as supervised processes (restarted when they die, like systemd's ``Restart=``), the fake
Graph API and fake Meta in this process, and guests who write like guests do — on WhatsApp in
text and voice notes, and on the web chat — each waiting for the answer before writing again.

Used by the chaos test (random SIGKILLs of relay, box and PMS; short form in CI, long with
``make soak``) and by the load benchmark (hundreds of conversations for minutes). Every message
is timed at each hop the harness can see: posted → accepted (Meta's 200 / the chat's 202) →
answered (the reply reaches the Graph API / the chat's transcript).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import signal
import sqlite3
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from hotelbox.relay.protocol import new_key
from tests.e2e.processes import Proc
from tests.fakes.graph import (
    ACCESS_TOKEN,
    APP_SECRET,
    PNID,
    FakeGraph,
    MetaWebhooks,
    message_body,
    sha256_b64,
)
from tests.fakes.qloapps import FULL_KEY
from tests.fakes.qloapps.seed import qloapps_room_text
from tests.support import REPO, free_port, hotel_today

TEXT_QUESTIONS = {
    "es": [
        "¿tenéis parking?",
        "¿hay wifi?",
        "¿a qué hora es el desayuno?",
        "¿admitís mascotas?",
        "¿dónde estáis?",
    ],
    "en": ["do you have parking?", "is there wifi?", "what time is breakfast?", "do you allow pets?"],
    "pt": ["vocês têm estacionamento?", "tem wifi?", "a que horas é o pequeno-almoço?", "aceitam animais?"],
}
VOICE_QUESTIONS = ["Do you have parking?", "What time is breakfast?", "Is there wifi in the rooms?"]
BOOKERS = ["Ana García", "Luis Martín", "Elena Torres", "Pablo Gómez", "Marta Ruiz", "Jorge Sanz"]


@dataclass
class Sample:
    kind: str  # text | voice | web
    posted: float
    accepted: float = 0.0
    answered: float = 0.0


@dataclass
class Ledger:
    """Everything the guests did and saw, for the checks and the figures."""

    samples: list[Sample] = field(default_factory=list)
    acked: dict[str, str] = field(default_factory=dict)  # channel message id → guest address
    bookings: dict[str, str] = field(default_factory=dict)  # e-mail → name, bookings asked for
    unanswered: list[str] = field(default_factory=list)


def write_stack_config(d: Path, ports: dict[str, int], key: str, resend_s: float, sync: bool) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name, value in {
        "link.key": key,
        "token": ACCESS_TOKEN,
        "secret": APP_SECRET,
        "verify": "verify-token",
        "qloapps.key": FULL_KEY,
    }.items():
        (d / name).write_text(value)
    config = d / "hotelbox.toml"
    config.write_text(
        f"""
state_dir = "{d / "var"}"

[web]
port = {ports["web"]}
try_page = "public"
try_posts_per_minute_per_client = 1000000  # every simulated guest comes from 127.0.0.1
try_posts_per_minute_per_session = 1000
try_uploads_per_day = 1000000

[pms]
kind = "qloapps"
retry_base_s = 0.5
retry_max_s = 5

[pms.qloapps]
url = "http://127.0.0.1:{ports["pms"]}"
key_file = "{d / "qloapps.key"}"
timeout_s = 5
connect_timeout_s = 1

[pms.sync]
{"far_interval_s = 30" if sync else ""}

[whatsapp]
enabled = true
phone_number_id = "{PNID}"
graph_url = "{{graph}}"
access_token_file = "{d / "token"}"
app_secret_file = "{d / "secret"}"
uncertain_resend_after_s = {resend_s}

[relay_link]
url = "ws://127.0.0.1:{ports["relay"]}/box/v1/link"
box_id = "hotel-1"
key_file = "{d / "link.key"}"
backoff_min_s = 0.1
backoff_max_s = 1.0

[relay]
port = {ports["relay"]}
app_secret_file = "{d / "secret"}"
verify_token_file = "{d / "verify"}"

[relay.boxes.hotel-1]
phone_number_ids = ["{PNID}"]
key_file = "{d / "link.key"}"
"""
    )
    with config.open("a") as f:  # what the installer writes: the room types' names in each language
        for rid, text in qloapps_room_text().items():
            names = ", ".join(f"{k} = {json.dumps(v)}" for k, v in text["names"].items())
            f.write(
                f"\n[pms.qloapps.room_types.{rid}]\nnames = {{ {names} }}\naliases = {json.dumps(text['aliases'])}\n"
            )
    return config


def make_voice_notes(tmp: Path) -> list[bytes]:
    from hotelbox.speech.models import ModelStore
    from hotelbox.speech.tts import PiperTts, voice_note

    store = ModelStore(tmp / "models", tmp / "model-cache")
    tts = PiperTts({"en": store.locate("en_US-joe-medium")})
    tts.load()
    return [voice_note(tts.synthesize(q, "en")) for q in VOICE_QUESTIONS]


class Stack:
    def __init__(
        self,
        tmp: Path,
        graph: FakeGraph,
        *,
        resend_s: float = 30.0,
        sync: bool = True,
        pms_latency_ms: float = 3.0,
        realistic_pms: bool = False,
    ) -> None:
        self.tmp = tmp
        self.graph = graph
        self.ports = {"relay": free_port(), "web": free_port(), "pms": free_port()}
        self.config = write_stack_config(tmp, self.ports, new_key(), resend_s, sync)
        self.config.write_text(self.config.read_text().replace("{graph}", graph.url))
        env = {"PYTHONPATH": str(REPO)}
        self.relay = Proc("relay", ["relay"], tmp, self.config, env=env)
        self.box = Proc("box", ["run"], tmp, self.config, env=env)
        self.pms = Proc(
            "pms",
            [],
            tmp,
            self.config,
            env=env,
            argv=[
                sys.executable, "-m", "tests.fakes.qloapps", "--port", str(self.ports["pms"]),
                "--hotel", "demo-like", "--state", str(tmp / "qloapps.state"), "--latency-ms", str(pms_latency_ms),
                *(["--realistic"] if realistic_pms else []),
            ],
        )  # fmt: skip
        self.webhook = f"http://127.0.0.1:{self.ports['relay']}/wa/webhook"
        graph.webhook_url = self.webhook
        self.meta = MetaWebhooks(self.webhook)
        self.web = f"http://127.0.0.1:{self.ports['web']}"
        self.ledger = Ledger()
        self.voice_notes: list[bytes] = []
        self._replies: dict[str, int] = defaultdict(int)  # WhatsApp text replies per phone
        self._wakeups: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self._http: aiohttp.ClientSession | None = None
        graph.on_sent = self._on_sent

    @property
    def procs(self) -> list[Proc]:
        return [self.pms, self.relay, self.box]

    def _on_sent(self, message: Any) -> None:
        if message.body.get("type") == "audio":
            return  # the voice copy of a text reply: the text one counts
        self._replies[message.recipient] += 1
        self._wakeups[message.recipient].set()

    async def start(self, with_voice: bool = False) -> None:
        if with_voice:
            self.voice_notes = await asyncio.to_thread(make_voice_notes, self.tmp)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        for proc in self.procs:
            proc.supervise()
        await self.wait_ready()

    async def stop(self) -> None:
        await self.meta.close()
        if self._http is not None:
            await self._http.close()
        for proc in reversed(self.procs):
            await proc.stop()

    async def wait_ready(self, within_s: float = 120) -> None:
        deadline = time.monotonic() + within_s
        assert self._http is not None
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError, KeyError, ValueError):
                async with self._http.get(f"http://127.0.0.1:{self.ports['relay']}/healthz") as resp:
                    if "hotel-1" in (await resp.json())["connected"]:
                        return
            await asyncio.sleep(0.2)
        raise AssertionError(f"the stack never came up\n{self.box.log()}\n{self.relay.log()}")

    # -- guests -------------------------------------------------------------------------------
    async def _await_reply(self, phone: str, before: int, within_s: float) -> float:
        deadline = time.monotonic() + within_s
        event = self._wakeups[phone]
        while self._replies[phone] <= before:
            event.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(phone)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return time.time()

    async def whatsapp_turn(self, phone: str, line: str | bytes, within_s: float = 180) -> Sample:
        before = self._replies[phone]
        wamid = f"wamid.{uuid.uuid4().hex}"
        if isinstance(line, bytes):
            media = self.graph.add_media(line)
            part = {
                "mime_type": "audio/ogg; codecs=opus",
                "sha256": sha256_b64(line),
                "id": media.id,
                "voice": True,
            }
            body = message_body(phone, kind="audio", part=part, wamid_=wamid)
        else:
            body = message_body(phone, text=line, wamid_=wamid)
        sample = Sample("voice" if isinstance(line, bytes) else "text", time.time())
        await self.meta.post(body, retry_for_s=within_s)  # retried until the relay says 200
        sample.accepted = time.time()
        self.ledger.acked[f"{PNID}:{wamid}"] = phone  # as the box keys it: business number + wamid
        try:
            sample.answered = await self._await_reply(phone, before, within_s)
        except TimeoutError:
            self.ledger.unanswered.append(f"{phone}: {line if isinstance(line, str) else 'voice note'}")
        self.ledger.samples.append(sample)
        return sample

    async def web_turn(self, session: str, text: str, within_s: float = 180) -> Sample:
        assert self._http is not None
        client_id = uuid.uuid4().hex
        sample = Sample("web", time.time())
        deadline = time.monotonic() + within_s
        before = -1
        while True:  # the page retries until the box says 202 (it may be restarting)
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                if before < 0:
                    before = await self._web_replies(session)
                payload = {"session": session, "client_id": client_id, "text": text}
                async with self._http.post(f"{self.web}/try/api/messages", json=payload) as resp:
                    if resp.status in (200, 202):
                        break
            if time.monotonic() > deadline:
                raise TimeoutError(f"web chat never accepted {session}")
            await asyncio.sleep(0.2)
        sample.accepted = time.time()
        self.ledger.acked[f"{session}:{client_id}"] = session
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                if await self._web_replies(session) > before:
                    sample.answered = time.time()
                    break
            await asyncio.sleep(0.1)
        else:
            self.ledger.unanswered.append(f"{session}: {text}")
        self.ledger.samples.append(sample)
        return sample

    async def _web_replies(self, session: str) -> int:
        assert self._http is not None
        async with self._http.get(f"{self.web}/try/api/messages", params={"session": session}) as resp:
            data = await resp.json()
        return sum(m["direction"] == "out" for m in data.get("messages", []))

    async def asker(
        self, g: int, turns: int, rng: random.Random, think_s: tuple[float, float], voice_share: float
    ) -> None:
        """A guest with questions: WhatsApp (text or voice) or web chat, in es/en/pt."""
        lang = ["es", "en", "pt"][g % 3]
        questions = itertools.cycle(rng.sample(TEXT_QUESTIONS[lang], len(TEXT_QUESTIONS[lang])))
        web = g % 5 == 4
        for _ in range(turns):
            await asyncio.sleep(rng.uniform(*think_s))
            if web:
                await self.web_turn(f"chaos-web-{g:05d}", next(questions))
            elif self.voice_notes and rng.random() < voice_share:
                await self.whatsapp_turn(f"+3462{g:07d}", rng.choice(self.voice_notes))
            else:
                await self.whatsapp_turn(f"+3462{g:07d}", next(questions))

    async def booker(self, b: int, think_s: tuple[float, float], rng: random.Random) -> None:
        """A guest who books a room on WhatsApp, giving what is asked one message at a time."""
        from tests.helpers import say_date

        day = hotel_today() + timedelta(days=30 + 3 * b)
        name = BOOKERS[b % len(BOOKERS)] + ("" if b < len(BOOKERS) else f" {b}")
        email = f"booker{b}@example.com"
        self.ledger.bookings[email] = name
        lines = [
            f"quiero la habitación doble del {say_date(day, 'es')} al {say_date(day + timedelta(days=2), 'es')}",
            "somos 2 adultos",
            name,
            email,
            "sí",
        ]
        for line in lines:
            await asyncio.sleep(rng.uniform(*think_s))
            await self.whatsapp_turn(f"+3463{b:07d}", line)


class Chaos:
    """SIGKILLs a random one of the stack's processes every few seconds (the supervisor restarts it)."""

    def __init__(self, stack: Stack, rng: random.Random, every_s: tuple[float, float]) -> None:
        self.stack = stack
        self.rng = rng
        self.every_s = every_s
        self.kills: dict[str, int] = defaultdict(int)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.rng.uniform(*self.every_s))
            proc = self.rng.choice(self.stack.procs)
            if proc.proc is not None and proc.proc.returncode is None:
                proc.proc.send_signal(signal.SIGKILL)
                self.kills[proc.name] += 1


def database_checks(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "foreign_keys": conn.execute("PRAGMA foreign_key_check").fetchall(),
        }
    finally:
        conn.close()


# -- the chaos run: guests write while processes die; then everything is checked ---------------------
@dataclass
class ChaosReport:
    kills: dict[str, int]
    sent: int  # guest messages posted (each retried until accepted)
    acked: int
    stored_once: int
    answered: int
    unanswered: list[str]
    graph_duplicates: int
    web_reply_mismatches: list[str]
    bookings_asked: int
    pms_live_orders: dict[str, int]  # e-mail → live orders in QloApps
    box_confirmed: dict[str, int]  # e-mail → confirmed bookings in the box
    integrity: dict[str, Any]
    seconds: float

    def problems(self) -> list[str]:
        out = []
        if self.unanswered:
            out.append(f"unanswered: {self.unanswered[:5]}")
        if self.stored_once != self.acked:
            out.append(f"stored once {self.stored_once} != acked {self.acked}")
        if self.graph_duplicates:
            out.append(f"{self.graph_duplicates} replies sent twice to WhatsApp")
        if self.web_reply_mismatches:
            out.append(f"web chat replies: {self.web_reply_mismatches[:5]}")
        wrong = {e: n for e, n in self.pms_live_orders.items() if n != 1}
        if wrong or len(self.pms_live_orders) != self.bookings_asked:
            out.append(f"QloApps orders per booker: {self.pms_live_orders}")
        if any(n != 1 for n in self.box_confirmed.values()) or len(self.box_confirmed) != self.bookings_asked:
            out.append(f"confirmed bookings per booker in the box: {self.box_confirmed}")
        for db, result in self.integrity.items():
            if result["integrity"] != "ok" or result["foreign_keys"]:
                out.append(f"{db}: {result}")
        return out

    def summary(self) -> str:
        return (
            f"{sum(self.kills.values())} SIGKILLs ({', '.join(f'{k} {v}' for k, v in sorted(self.kills.items()))})"
            f" in {self.seconds:.0f} s; guest messages sent {self.sent}, accepted {self.acked}, stored once"
            f" {self.stored_once}, answered {self.answered}; replies sent twice {self.graph_duplicates};"
            f" bookings asked {self.bookings_asked}, in QloApps {sum(self.pms_live_orders.values())},"
            f" confirmed in the box {sum(self.box_confirmed.values())}; databases"
            f" {', '.join(k + ' ' + str(v['integrity']) for k, v in self.integrity.items())}"
        )


async def settle(db: Path, within_s: float) -> None:
    """Wait until the box has nothing left to do: every message processed, sent, every PMS write done."""
    deadline = time.monotonic() + within_s
    query = (
        "SELECT (SELECT count(*) FROM inbox WHERE status = 'pending')"
        " + (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending', 'uncertain'))"
        " + (SELECT count(*) FROM pms_outbox WHERE status = 'pending')"
    )
    while time.monotonic() < deadline:
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            try:
                if conn.execute(query).fetchone()[0] == 0:
                    return
            finally:
                conn.close()
        await asyncio.sleep(0.5)
    raise TimeoutError(f"the box did not settle in {within_s} s")


def _pms_orders(state: Path) -> dict[str, int]:
    import pickle

    hotel = pickle.loads(state.read_bytes())  # the fake's own file
    emails = {c["id"]: str(c.get("email", "")).lower() for c in hotel.customers}
    live: dict[str, int] = defaultdict(int)
    for order in hotel.orders.values():
        if any(line.live for line in hotel.order_lines(order.id)):
            live[emails.get(order.id_customer, "?")] += 1
    return dict(live)


async def run_chaos(
    tmp: Path,
    *,
    guests: int,
    turns: int,
    bookers: int,
    kill_every_s: tuple[float, float],
    think_s: tuple[float, float] = (0.2, 1.5),
    voice_share: float = 0.15,
    seed: int = 20261128,
) -> ChaosReport:
    started = time.monotonic()
    async with FakeGraph() as graph:
        stack = Stack(tmp, graph, resend_s=30.0, sync=False)
        try:
            await stack.start(with_voice=voice_share > 0)
            chaos = Chaos(stack, random.Random(seed), kill_every_s)
            chaos.start()
            try:
                await asyncio.gather(
                    *(
                        stack.asker(g, turns, random.Random(seed + g), think_s, voice_share)
                        for g in range(guests)
                    ),
                    *(stack.booker(b, think_s, random.Random(seed - b)) for b in range(bookers)),
                )
            finally:
                await chaos.stop()
            await stack.wait_ready()
            db = tmp / "var" / "hotelbox.db"
            await settle(db, 180)
            await asyncio.sleep(3.0)  # anything sent twice would show up now
        finally:
            await stack.stop()
        callbacks = [m.body.get("biz_opaque_callback_data") for m in graph.sent]
        duplicates = len(callbacks) - len(set(callbacks))
    ledger = stack.ledger
    conn = sqlite3.connect(db)
    stored = defaultdict(int)
    for (mid,) in conn.execute("SELECT channel_message_id FROM messages WHERE direction = 'in'"):
        stored[mid] += 1
    mismatches = []
    for conv_id, address in conn.execute(
        "SELECT c.id, i.address FROM conversations c JOIN guest_identities i ON i.id = c.identity_id"
        " WHERE c.channel = 'webchat'"
    ).fetchall():
        ins = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM inbox WHERE conversation_id = ? AND kind = 'message'", (conv_id,)
            )
        ]
        outs = [
            r[0]
            for r in conn.execute(
                "SELECT reply_to FROM messages WHERE conversation_id = ? AND direction = 'out'", (conv_id,)
            )
        ]
        if sorted(outs) != sorted(ins):
            mismatches.append(f"{address}: in {ins} replies to {outs}")
    confirmed: dict[str, int] = defaultdict(int)
    for (email,) in conn.execute("SELECT lower(email) FROM bookings WHERE status = 'confirmed'"):
        confirmed[email] += 1
    conn.close()
    return ChaosReport(
        kills=dict(chaos.kills),
        sent=len(ledger.samples),
        acked=len(ledger.acked),
        stored_once=sum(1 for mid in ledger.acked if stored.get(mid) == 1),
        answered=sum(1 for s in ledger.samples if s.answered),
        unanswered=ledger.unanswered,
        graph_duplicates=duplicates,
        web_reply_mismatches=mismatches,
        bookings_asked=len(ledger.bookings),
        pms_live_orders=_pms_orders(tmp / "qloapps.state"),
        box_confirmed=dict(confirmed),
        integrity={name: database_checks(tmp / "var" / name) for name in ("hotelbox.db", "relay.db")},
        seconds=time.monotonic() - started,
    )
