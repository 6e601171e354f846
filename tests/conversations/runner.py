"""Plays corpus conversations on one real Box and checks how each ended.

One :class:`CorpusRunner` holds one Box (real SQLite store in a temporary directory, the
embedded demo PMS, the NLU model as shipped, speech off: the corpus is text) and plays
conversations one after another, each on its own:

* the hotel's clock is pinned to the conversation's ``today`` (it then runs on from there);
* the demo PMS is emptied and the conversation's ``bookings`` are made in it;
* each guest turn goes in through the channel's real intake — WhatsApp: a Cloud API webhook
  body through the box's webhook parser and intake transaction, exactly as the relay link
  hands it over (each run is a new WhatsApp user, so no state leaks between conversations);
  e-mail: a MIME mail through the e-mail channel's parser and store, as IMAP hands it over;
  the try-it chat: the Inbound its handler builds;
* after each turn the runner waits until the box has settled (pipeline idle, PMS writes done,
  replies sent) and keeps what the guest's phone received, rendered as WhatsApp shows it
  (so ``tap: n`` presses the n-th button or list row that was really on screen);
* at the end the expectations are checked against the PMS, the conversation row and the
  replies, plus the checks every conversation gets (see README.md).

:func:`ConversationResult.transcript` prints a failure readably.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import tempfile
import time
import traceback
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as TimeOfDay
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hotelbox.channels import SendResult
from hotelbox.channels.email.email_channel import EmailChannel
from hotelbox.channels.email.imap import FetchedMail
from hotelbox.channels.relay_link import RelayedEvent
from hotelbox.channels.whatsapp.intake import WhatsAppIntake
from hotelbox.channels.whatsapp.whatsapp_channel import render
from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.dialogue.catalog import Catalog
from hotelbox.messages import Inbound, Reply
from hotelbox.pms import BookingRequest, PmsBooking
from hotelbox.pms.demo import DemoPms
from hotelbox.pms.qloapps import split_name
from hotelbox.store.outbox import OutboxItem
from tests.conversations.langcheck import clearly_other, fold
from tests.conversations.schema import PLACEHOLDER, Conversation, ExpectedBooking, SeedBooking, Tap
from tests.fakes.graph import encode, message_body

START_OF_DAY = TimeOfDay(10, 0)
# a stack trace, a Python value or an unfilled template slot leaking into a reply
ERROR_TEXT = re.compile(r"Traceback|Exception|(?<=\w )None\b|\bNaN\b|\{\w*\}|<\w+ object at")


class PinnedClock:
    """The hotel's time: pinned to a date, then running on in real time (time-outs still work)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.base: datetime | None = None
        self.t0 = 0.0

    def pin(self, day: date, at: TimeOfDay) -> None:
        self.base = datetime.combine(day, at, tzinfo=self.tz)
        self.t0 = time.monotonic()

    def __call__(self) -> datetime:
        if self.base is None:
            return datetime.now(self.tz)
        return self.base + timedelta(seconds=time.monotonic() - self.t0)


@dataclass
class Seen:
    """One message as the guest's phone shows it."""

    text: str  # the body, with buttons / list rows / numbered choices under it
    keys: list[str]  # the catalogue keys it was made from (several when a turn's replies merge)
    lang: str
    choices: list[dict[str, str]]  # what a tap sends: WhatsApp button/list reply ({id, title…})
    widget: str  # "button_reply" | "list_reply" (WhatsApp), "choice" (other channels), "" (none)
    numbered: bool  # choices shown as numbered lines (answered by typing the number)
    sent_at: float


@dataclass
class TurnRecord:
    guest: str
    replies: list[Seen] = field(default_factory=list)
    latency_s: float | None = None  # guest message handed in → first reply handed to the channel
    control: str = "bot"  # who held the conversation once the turn settled (bot | waiting_staff | staff)


class GuestPhone:
    """The channel the box sends to in the runner: keeps every message, rendered for its channel."""

    idempotent_send = True
    accepts_voice = False

    def __init__(self, name: str, merge_replies: bool) -> None:
        self.name = name
        self.merge_replies = merge_replies
        self.catalog: Catalog | None = None
        self.sent: dict[int, list[Seen]] = {}

    async def send(self, item: OutboxItem) -> SendResult:
        self.sent.setdefault(item.conversation_id, []).append(self.seen(item.reply))
        return SendResult(f"wamid.HBOUT{item.id}" if self.name == "whatsapp" else f"{self.name}-{item.id}")

    def seen(self, reply: Reply) -> Seen:
        keys = [k for k in reply.key.split("+") if k]
        now = time.perf_counter()
        if self.name == "whatsapp" and self.catalog is not None:
            body = render(reply, self.catalog)
            if body["type"] == "interactive":
                inter = body["interactive"]
                if inter["type"] == "button":
                    choices, widget = [b["reply"] for b in inter["action"]["buttons"]], "button_reply"
                else:
                    choices = [row for s in inter["action"]["sections"] for row in s["rows"]]
                    widget = "list_reply"
                shown = "\n".join(f"  [{c['title']}]" for c in choices)
                text = f"{inter['body']['text']}\n{shown}"
                return Seen(text, keys, reply.lang, choices, widget, False, now)
            text = body["text"]["body"]
            return Seen(text, keys, reply.lang, [], "", bool(reply.options), now)
        choices = [{"id": o.id, "title": o.title} for o in reply.options]
        text = reply.text + "".join(f"\n  [{o.title}]" for o in reply.options)
        numbered = self.name == "email" and bool(choices)  # a mail shows them as lines to answer
        return Seen(text, keys, reply.lang, [] if numbered else choices, "choice", numbered, now)


@dataclass
class ConversationResult:
    conversation: Conversation
    passed: bool = False
    reasons: list[str] = field(default_factory=list)
    turns: list[TurnRecord] = field(default_factory=list)
    bookings: list[str] = field(default_factory=list)  # the PMS at the end, one line each
    control: str = "bot"
    attention: str | None = None
    seconds: float = 0.0

    @property
    def id(self) -> str:
        return self.conversation.id

    def transcript(self) -> str:
        c = self.conversation
        lines = [
            f"{c.id} ({c.variety}, {c.category}, {c.split}, {c.channel}, today {c.today}) — {c.note}",
            f"result: {'PASS' if self.passed else 'FAIL'}",
        ]
        lines += [f"  ✗ {r}" for r in self.reasons]
        for n, turn in enumerate(self.turns, 1):
            lines.append(f"guest {n}> {turn.guest}")
            for seen in turn.replies:
                body = seen.text.replace("\n", "\n        ")
                lines.append(f"  bot  < {body}   ({'+'.join(seen.keys)}, {seen.lang})")
            if turn.control != "bot" and (n == 1 or self.turns[n - 2].control == "bot"):
                lines.append(f"  (handed over: control={turn.control})")
        lines.append(f"end: control={self.control} attention={self.attention}")
        lines += [f"  pms: {b}" for b in self.bookings] or ["  pms: no bookings"]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        c = self.conversation
        return {
            "id": c.id,
            "lang": c.lang,
            "variety": c.variety,
            "category": c.category,
            "split": c.split,
            "passed": self.passed,
            "reasons": self.reasons,
            "latencies_s": [t.latency_s for t in self.turns if t.latency_s is not None],
        }


def corpus_settings(state_dir: Path, **overrides: Any) -> Settings:
    """The box as shipped on its embedded demo hotel, speech off (the corpus is text), state under
    ``state_dir``."""
    return load_settings(state_dir=state_dir, speech={"enabled": False}, pms={"kind": "demo"}, **overrides)


class CorpusRunner:
    """``async with CorpusRunner() as runner: result = await runner.play(conversation)``"""

    def __init__(self, state_dir: Path | None = None, **settings_overrides: Any) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="hotelbox-corpus-")
            state_dir = Path(self._tmp.name)
        self.settings = corpus_settings(state_dir / "var", **settings_overrides)
        self.clock = PinnedClock(ZoneInfo(self.settings.hotel.timezone))
        self.phones = {
            "whatsapp": GuestPhone("whatsapp", self.settings.whatsapp.merge_replies),
            "webchat": GuestPhone("webchat", False),
            "email": GuestPhone("email", True),
        }
        self.box = Box(self.settings, dict(self.phones), clock=self.clock)
        for phone in self.phones.values():
            phone.catalog = self.box.dialogue.catalog
        self.intake = WhatsAppIntake(
            self.box.store, self.box.pipeline.accepted, app_secret=None, graph=None, media_fetcher=None
        )
        self.mail_intake = EmailChannel(
            self.settings.email, "corpus", self.box.store, self.settings.media_dir, "corpus"
        )
        self._uids = itertools.count(1)
        self._runs = itertools.count(1)
        self._seq = itertools.count(1)

    async def __aenter__(self) -> CorpusRunner:
        await self.box.__aenter__()
        if not isinstance(self.box.pms, DemoPms):
            await self.box.__aexit__(None, None, None)
            raise RuntimeError("the corpus runs on the embedded demo PMS")
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.intake.close()
            await self.box.__aexit__(*exc)
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()

    @property
    def pms(self) -> DemoPms:
        assert isinstance(self.box.pms, DemoPms)
        return self.box.pms

    # -- one conversation -------------------------------------------------------------------
    async def play(self, conv: Conversation) -> ConversationResult:
        result = ConversationResult(conv)
        started = time.perf_counter()
        try:
            await self._play(conv, result)
        except Exception as exc:  # the harness must report, not crash the corpus run
            result.reasons.append(f"the run broke: {type(exc).__name__}: {exc}")
            result.reasons.append(traceback.format_exc(limit=4).replace("\n", " | "))
        result.seconds = time.perf_counter() - started
        result.passed = not result.reasons
        return result

    async def _play(self, conv: Conversation, result: ConversationResult) -> None:
        run = next(self._runs)
        self.clock.pin(conv.today, conv.time or START_OF_DAY)
        refs = await self._reset_pms(conv, run)
        phone = self.phones[conv.channel]
        failed_before = self.box.pipeline.failed
        conversation_id: int | None = None
        for n, turn in enumerate(conv.turns, 1):
            record = TurnRecord(guest="")
            result.turns.append(record)
            last = self._last_with_choices(phone, conversation_id)
            inbound = self._inbound(conv, run, n, turn, refs, last, record, result)
            if inbound is None:
                continue
            before = len(phone.sent.get(conversation_id, [])) if conversation_id is not None else 0
            t0 = time.perf_counter()
            conversation_id = await self._hand_in(inbound)
            await self.box.settle(conversation_id, within_s=60.0)
            record.replies = phone.sent.get(conversation_id, [])[before:]
            if record.replies:
                record.latency_s = record.replies[0].sent_at - t0
            row = await self.box.store.fetchone(
                "SELECT control FROM conversations WHERE id = ?", (conversation_id,)
            )
            record.control = row["control"] if row else "bot"
        if conversation_id is None:
            result.reasons.append("no guest message went in")
            return
        row = await self.box.store.fetchone(
            "SELECT control, attention FROM conversations WHERE id = ?", (conversation_id,)
        )
        assert row is not None
        result.control, result.attention = row["control"], row["attention"]
        if self.box.pipeline.failed > failed_before:
            result.reasons.append("the pipeline gave up on a message (bot_error)")
        await self._check(conv, result, conversation_id, refs)

    async def _reset_pms(self, conv: Conversation, run: int) -> dict[str, str]:
        """An empty demo hotel with only this conversation's bookings in it."""
        async with self.pms._write_lock:
            await self.pms.db.execute("BEGIN IMMEDIATE")
            await self.pms.db.execute("DELETE FROM bookings")
            await self.pms.db.execute("DELETE FROM operations")
            await self.pms.db.execute("COMMIT")
        refs: dict[str, str] = {}
        hotel_today = self.pms.today
        for b in conv.bookings:
            # a stay under way or over (a guest in the house, last month's stay) was booked back then
            self.pms.today = lambda b=b: min(b.check_in, conv.today)  # type: ignore[misc]
            try:
                made = await self._seed(run, b)
            finally:
                self.pms.today = hotel_today
            if b.status == "cancelled":
                await self.pms.cancel_booking(made.reference, f"corpus-{run}-{b.key}-cancel")
            refs[b.key] = made.reference
        return refs

    async def _seed(self, run: int, b: SeedBooking) -> PmsBooking:
        return await self.pms.create_booking(
            BookingRequest(
                idempotency_key=f"corpus-{run}-{b.key}",
                room_type=b.room,
                check_in=b.check_in,
                check_out=b.check_out,
                adults=b.adults,
                children=b.children,
                guest_name=b.name,
                email=b.email,
                phone=b.phone,
            )
        )

    def _last_with_choices(self, phone: GuestPhone, conversation_id: int | None) -> Seen | None:
        if conversation_id is None:
            return None
        sent = phone.sent.get(conversation_id, [])
        return sent[-1] if sent else None

    def _inbound(
        self,
        conv: Conversation,
        run: int,
        n: int,
        turn: str | Tap,
        refs: dict[str, str],
        last: Seen | None,
        record: TurnRecord,
        result: ConversationResult,
    ) -> Inbound | FetchedMail | dict[str, Any] | None:
        """What the channel hands the box for this turn: a webhook body (WhatsApp), a mail as
        fetched from IMAP (e-mail) or the Inbound the try-it page's handler builds (web chat)."""
        text: str | None = None
        choice: dict[str, str] | None = None
        if isinstance(turn, Tap):
            if last is None or (not last.choices and not last.numbered):
                record.guest = f"(tap {turn.tap}: the bot's last message offered no choices)"
                result.reasons.append(
                    f"turn {n}: tap {turn.tap}, but the bot's last message offered no choices"
                )
                return None
            if last.numbered or not last.choices:
                text = str(turn.tap)
                record.guest = f"{text}   (typed: the choices were numbered lines)"
            elif turn.tap > len(last.choices):
                record.guest = f"(tap {turn.tap}: only {len(last.choices)} choices)"
                result.reasons.append(
                    f"turn {n}: tap {turn.tap}, but the bot offered {len(last.choices)} choices"
                )
                return None
            else:
                choice = last.choices[turn.tap - 1]
                record.guest = f"[taps {choice['title']}]"
        else:
            text = PLACEHOLDER.sub(lambda m: refs[m.group(1)], turn)
            record.guest = text
        stamp = self.clock()
        guest = f"{conv.id}.{run}"
        if conv.channel == "whatsapp":
            assert conv.phone is not None
            if choice is not None:
                assert last is not None
                kind = last.widget
                return message_body(
                    conv.phone,
                    user_id=f"HB.{guest}",
                    name=conv.profile_name or "",
                    wamid_=f"wamid.HBIN{run}x{n}",
                    timestamp=int(stamp.timestamp()),
                    kind="interactive",
                    part={"type": kind, kind: choice},
                )
            return message_body(
                conv.phone,
                text=text,
                user_id=f"HB.{guest}",
                name=conv.profile_name or "",
                wamid_=f"wamid.HBIN{run}x{n}",
                timestamp=int(stamp.timestamp()),
            )
        if conv.channel == "webchat":
            return Inbound(
                channel="webchat",
                channel_message_id=f"web-{guest}:{n}",
                sender=f"web-{guest}",
                text=choice["title"] if choice else text,
                choice=choice["id"] if choice else None,
                phone=conv.phone,
                sent_at=stamp,
            )
        mail = EmailMessage()
        mail["From"] = f"Guest <guest-{guest}@guest.example>".lower()
        mail["To"] = self.settings.email.address
        mail["Subject"] = "Booking" if n == 1 else "Re: Booking"
        mail["Message-ID"] = f"<{guest}.{n}@guest.example>"
        mail["Date"] = format_datetime(stamp)
        mail.set_content(text or "")
        raw = mail.as_bytes()
        return FetchedMail(next(self._uids), raw, len(raw), False)

    async def _hand_in(self, inbound: Inbound | FetchedMail | dict[str, Any]) -> int:
        if isinstance(inbound, Inbound):
            return (await self.box.pipeline.accept(inbound)).conversation_id
        if isinstance(inbound, FetchedMail):  # as the IMAP watcher hands a new mail over
            taken = await self.mail_intake.store_mails("INBOX", 1, [inbound])
            self.box.pipeline.accepted(taken)
            if len(taken) != 1:
                raise RuntimeError(f"the e-mail intake took {len(taken)} messages from one mail")
            return taken[0][1].conversation_id
        seq = next(self._seq)
        event = RelayedEvent(
            seq,
            "whatsapp.webhook",
            int(time.time() * 1000),
            {"content-type": "application/json"},
            encode(inbound),
        )
        stored = await self.intake.store_batch([event])
        if len(stored.accepted) != 1:
            raise RuntimeError(f"the WhatsApp intake took {len(stored.accepted)} messages from one webhook")
        return stored.accepted[0][1].conversation_id

    # -- checks -------------------------------------------------------------------------------
    async def _check(
        self, conv: Conversation, result: ConversationResult, conversation_id: int, refs: dict[str, str]
    ) -> None:
        reasons = result.reasons
        pms = await self.pms.all_bookings()
        seeded = set(refs.values())
        result.bookings = [_describe(b) + (" (seeded)" if b.reference in seeded else "") for b in pms]
        new = [b for b in pms if b.reference not in seeded]
        unmade = await self.box.store.fetchall(
            "SELECT b.* FROM bookings b JOIN pms_outbox o ON o.booking_id = b.id"
            " WHERE b.conversation_id = ? AND o.operation = 'create' AND b.pms_reference IS NULL"
            " AND b.status IN ('pending', 'needs_human')",
            (conversation_id,),
        )
        new_rows = [_from_row(r) for r in unmade]
        result.bookings += [_describe(b) + " (queued, not in the PMS)" for b in new_rows]
        new += new_rows
        e = conv.expect
        if e.new_bookings is not None and len(new) != e.new_bookings:
            reasons.append(f"expected {e.new_bookings} new booking(s), the chat made {len(new)}")
        by_ref = {b.reference: b for b in pms}
        unmatched = list(new)
        for want in e.bookings:
            if want.key is not None:
                have = by_ref.get(refs[want.key])
                if have is None:
                    reasons.append(f"booking {want.key} ({refs[want.key]}) is gone from the PMS")
                    continue
                wrong = _mismatch(want, have)
                if wrong:
                    reasons.append(f"booking {want.key}: {wrong} (PMS: {_describe(have)})")
                continue
            match = next((b for b in unmatched if not _mismatch(want, b)), None)
            if match is None:
                closest = ", ".join(f"{_describe(b)}: {_mismatch(want, b)}" for b in unmatched) or "none left"
                reasons.append(f"no new booking with {_wanted(want)} (new bookings: {closest})")
            else:
                unmatched.remove(match)
        handed = result.control != "bot"
        if e.handoff is not None and handed != e.handoff:
            reasons.append(
                "expected a handoff to a person, the bot kept the conversation"
                if e.handoff
                else f"unexpected handoff (control={result.control}, attention={result.attention})"
            )
        replies = [s for t in result.turns for s in t.replies]
        everything = fold("\n".join(s.text for s in replies))
        for mention in e.mentions:
            wanted = PLACEHOLDER.sub(lambda m: refs[m.group(1)], mention)
            if fold(wanted) not in everything:
                reasons.append(f"no reply mentions {wanted!r}")
        for bad in e.never:
            hits = [s for s in replies if fold(bad) in fold(s.text)]
            if hits:
                reasons.append(f"a reply contains {bad!r}: {hits[0].text[:120]!r}")
        self._always(conv, result)

    def _always(self, conv: Conversation, result: ConversationResult) -> None:
        """What every conversation is checked for, whatever its file says."""
        reasons = result.reasons
        want = conv.reply_lang
        for n, turn in enumerate(result.turns, 1):
            bots = n == 1 or result.turns[n - 2].control == "bot"  # after a handoff, people answer
            if bots and not turn.replies and turn.guest and not turn.guest.startswith("(tap"):
                reasons.append(f"turn {n}: no reply")
            for seen in turn.replies:
                if not seen.text.strip():
                    reasons.append(f"turn {n}: an empty reply")
                if "bot_error" in seen.keys:
                    reasons.append(f"turn {n}: the bot failed (bot_error)")
                bad = ERROR_TEXT.search(seen.text)
                if bad:
                    reasons.append(f"turn {n}: error or template text in a reply: {bad.group(0)!r}")
                if seen.lang != want:
                    reasons.append(
                        f"turn {n}: a reply in {seen.lang}, expected {want} ({'+'.join(seen.keys)})"
                    )
                else:
                    other = clearly_other(seen.text, want)
                    if other:
                        reasons.append(
                            f"turn {n}: a reply reads as {other}, expected {want}: {seen.text[:80]!r}"
                        )
        # the same question three guest turns in a row: the last message of each turn
        last = [
            (t.replies[-1].keys[-1] if t.replies[-1].keys else "", t.replies[-1]) if t.replies else ("", None)
            for t in result.turns
        ]
        for n in range(len(last) - 2):
            (k1, s1), (k2, _), (k3, _) = last[n], last[n + 1], last[n + 2]
            if k1 and k1 == k2 == k3 and s1 is not None and ("?" in s1.text or s1.choices or s1.numbered):
                reasons.append(f"turns {n + 1}-{n + 3}: the same question ({k1}) three times in a row")
                break


def stored_name(b: PmsBooking) -> tuple[str, str]:
    """(first name, last name) as a PMS with both fields keeps them. The demo PMS keeps one name
    field, so the split is the one the QloApps adapter makes from it (issue 12, class 9: "Lucía
    Fernández Ruiz" is "Lucía" + "Fernández Ruiz"); a booking that carries both fields wins."""
    first, last = getattr(b, "first_name", None), getattr(b, "last_name", None)
    if isinstance(first, str) and isinstance(last, str):
        return first, last
    return split_name(b.guest_name)


def _describe(b: PmsBooking) -> str:
    return (
        f"{b.reference} {b.status} {b.room_type} {b.check_in}→{b.check_out} "
        f"{b.adults}a+{b.children}c {b.guest_name!r} {b.email or '-'}"
    )


def _from_row(r: Any) -> PmsBooking:
    from decimal import Decimal

    status = "pending"
    return PmsBooking(
        reference=f"box#{r['id']}",
        status=status,
        room_type=r["room_type"],
        check_in=date.fromisoformat(r["check_in"]),
        check_out=date.fromisoformat(r["check_out"]),
        adults=r["adults"],
        children=r["children"],
        guest_name=r["guest_name"] or "",
        email=r["email"],
        phone=r["phone"],
        total_price=Decimal(r["total_price"] or 0),
        currency=r["currency"] or "EUR",
    )


def _wanted(want: ExpectedBooking) -> str:
    fields = want.model_dump(exclude_none=True)
    return json.dumps(fields, default=str, ensure_ascii=False)


def _mismatch(want: ExpectedBooking, have: PmsBooking) -> str:
    """What differs between an expected booking and a PMS booking ('' when it matches)."""
    wrong = []
    for name in ("room", "check_in", "check_out", "adults", "children", "status"):
        expected = getattr(want, name)
        actual = getattr(have, "room_type" if name == "room" else name)
        if expected is not None and expected != actual:
            wrong.append(f"{name} {actual} (expected {expected})")
    if want.first_name is not None or want.last_name is not None:
        first, last = stored_name(have)
        if (want.first_name is not None and fold(first) != fold(want.first_name)) or (
            want.last_name is not None and fold(last) != fold(want.last_name)
        ):
            wrong.append(
                f"name {first!r} + {last!r} (expected {want.first_name or '…'!r} + {want.last_name or '…'!r})"
            )
    if want.email is not None and fold(have.email or "") != fold(want.email):
        wrong.append(f"email {have.email!r} (expected {want.email!r})")
    return ", ".join(wrong)


@contextlib.asynccontextmanager
async def corpus_runner(**settings_overrides: Any) -> AsyncIterator[CorpusRunner]:
    async with CorpusRunner(**settings_overrides) as runner:
        yield runner
