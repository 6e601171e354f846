"""From relay events to the box's store, in one transaction per batch — then, and only then, ack.

For each event: the raw body into ``relay_events`` (unique by relay seq, so a resend after a
lost ack is stored once), then what it holds: guest messages into the inbox (unique by business
number + wamid, so Meta's duplicates with other bytes are one message), delivery statuses onto
the outbox rows (monotonic), identity changes onto the guests, media rows to download. A body
that fails Meta's signature (when the box holds the app secret) or is not JSON is kept and
reported, never parsed, never answered. After the commit: the pipeline is scheduled, media
downloads start, messages are marked read.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import mimetypes
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hotelbox.background import WakeableJob
from hotelbox.channels.relay_link import RelayedEvent
from hotelbox.channels.whatsapp.graph import GraphApi, GraphError, gather_quietly
from hotelbox.channels.whatsapp.webhook import CHANNEL, ParsedWebhook, parse_body
from hotelbox.messages import Inbound
from hotelbox.relay.protocol import meta_signature_ok
from hotelbox.store import Store, conversations, inbox, media, outbox, relay_events
from hotelbox.store.database import Conn
from hotelbox.store.inbox import Accepted

log = logging.getLogger(__name__)
MEDIA_ATTEMPTS = 5


@dataclass
class IntakeResult:
    accepted: list[tuple[Inbound, Accepted]] = field(default_factory=list)
    stored_events: int = 0
    duplicates: int = 0
    rejected: int = 0
    unparsed: int = 0
    statuses: int = 0
    problems: int = 0
    failed_deliveries: list[int] = field(default_factory=list)  # conversations to tell staff about


def _unroll(
    event: RelayedEvent, app_secret: str | None
) -> tuple[str, ParsedWebhook | None, list[dict[str, str]]]:
    if event.kind != "whatsapp.webhook":
        return "unparsed", None, [{"code": "not_a_webhook", "detail": event.kind}]
    if app_secret and not meta_signature_ok(app_secret, event.body, event.headers.get("x-hub-signature-256")):
        return (
            "rejected",
            None,
            [{"code": "bad_meta_signature", "detail": "X-Hub-Signature-256 does not match"}],
        )
    try:
        parsed = parse_body(event.body)
    except (ValueError, UnicodeDecodeError) as exc:
        return "unparsed", None, [{"code": "not_json", "detail": str(exc)[:200]}]
    return "parsed", parsed, [asdict(p) for p in parsed.problems]


def store_events(conn: Conn, events: list[RelayedEvent], app_secret: str | None) -> IntakeResult:
    """The write: every event and everything in it, or (on error) nothing."""
    result = IntakeResult()
    for event in events:
        if relay_events.seen(conn, event.seq):
            result.duplicates += 1
            continue
        status, parsed, problems = _unroll(event, app_secret)
        relay_events.record(
            conn, event.seq, event.kind, event.received_at_ms, event.headers, event.body, status, problems
        )
        result.stored_events += 1
        result.problems += len(problems)
        if status == "rejected":
            result.rejected += 1
            log.error("relayed webhook fails Meta's signature: kept, not answered seq=%d", event.seq)
        elif status == "unparsed":
            result.unparsed += 1
            log.error("relayed event not understood: kept seq=%d kind=%s", event.seq, event.kind)
        if parsed is None:
            continue
        for message in parsed.messages:
            _bsuid_takes_over_phone(conn, message)
            accepted = inbox.accept(conn, message)  # media rows too: downloaded right after the commit
            result.accepted.append((message, accepted))
        for change in parsed.identity_changes:
            if change.old_address and change.new_address:
                conversations.rekey_identity(
                    conn, CHANNEL, change.old_address, change.new_address, change.new_phone
                )
        for st in parsed.statuses:
            callback = st.callback or ""
            outbox_id = (
                int(callback[7:]) if callback.startswith("outbox:") and callback[7:].isdigit() else None
            )
            outcome = outbox.apply_status(
                conn,
                st.wamid,
                st.status,
                st.at.isoformat() if st.at else None,
                outbox_id=outbox_id,
                errors=st.errors,
            )
            result.statuses += 1
            if st.status == "failed" and outcome.changed and outcome.conversation_id is not None:
                codes = {e.get("code") for e in st.errors}
                reason = "window_closed" if 131047 in codes else "delivery_failed"
                conversations.flag_attention(conn, outcome.conversation_id, reason)
                result.failed_deliveries.append(outcome.conversation_id)
    return result


def _bsuid_takes_over_phone(conn: Conn, message: Inbound) -> None:
    """A guest first known by phone (old payloads) keeps their conversation under their BSUID."""
    user_id = message.payload.get("user_id")
    if user_id and message.phone:
        legacy = f"{message.payload['phone_number_id']}:{message.phone}"
        if legacy != message.sender:
            conversations.rekey_identity(conn, CHANNEL, legacy, message.sender, message.phone)


class WhatsAppIntake:
    """What the relay link calls with each batch of verified events."""

    def __init__(
        self,
        store: Store,
        on_accepted: Callable[[list[tuple[Inbound, Accepted]]], None],
        *,
        app_secret: str | None,
        graph: GraphApi | None,
        media_fetcher: MediaFetcher | None,
        on_status: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.on_accepted = on_accepted
        self.app_secret = app_secret
        self.graph = graph
        self.media_fetcher = media_fetcher
        self.on_status = on_status or (lambda: None)
        self.totals = IntakeResult()
        self._tasks: set[asyncio.Task[None]] = set()

    async def store_batch(self, events: list[RelayedEvent]) -> IntakeResult:
        """Commit the batch (durable when this returns), then start what follows from it."""
        self.store.require_space()  # disk nearly full: not acked, the relay keeps the events
        result = await self.store.write(
            lambda c: store_events(c, events, self.app_secret), label="whatsapp.intake"
        )
        for name in ("stored_events", "duplicates", "rejected", "unparsed", "statuses", "problems"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(result, name))
        self.on_accepted(result.accepted)
        fresh = [(m, a) for m, a in result.accepted if not a.duplicate]
        if self.media_fetcher is not None and any(m.payload.get("media") for m, _ in fresh):
            self.media_fetcher.wake()
        if result.statuses:
            self.on_status()
        if self.graph is not None and fresh:
            self._spawn(self._mark_read([m for m, _ in fresh if m.kind != "reaction"]))
        return result

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _mark_read(self, messages: list[Inbound]) -> None:
        assert self.graph is not None
        await gather_quietly(
            *(
                self.graph.mark_read(
                    m.payload["wamid"], typing=m.kind == "audio", phone_number_id=m.payload["phone_number_id"]
                )
                for m in messages
            )
        )

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class MediaFetcher(WakeableJob):
    """Downloads what guests sent as soon as it is stored (Meta's URLs live 5 minutes, ids 7 days),
    checks Meta's sha256, and keeps the file under the state directory."""

    name = "whatsapp-media"
    interval_s = 30.0

    def __init__(self, store: Store, graph: GraphApi, directory: Path, max_bytes: int) -> None:
        super().__init__()
        self.store = store
        self.graph = graph
        self.directory = directory
        self.max_bytes = max_bytes
        self.done = asyncio.Event()  # set after each pass (tests and the voice pipeline wait on it)
        self.downloaded = 0
        self.failed = 0

    async def run_pass(self) -> None:
        items = await self.store.read(media.pending)
        await asyncio.gather(*(self.fetch(item) for item in items))
        self.done.set()

    async def fetch(self, item: media.MediaItem) -> None:
        try:
            data, mime = await self._download(item)
            digest = hashlib.sha256(data).digest()
            if item.sha256 and base64.b64encode(digest).decode() != item.sha256.strip():
                raise GraphError("downloaded media does not match Meta's sha256", retry=item.attempts < 2)
            ext = mimetypes.guess_extension((mime or item.mime_type or "").split(";")[0].strip()) or ".bin"
            if (mime or item.mime_type or "").startswith("audio/ogg"):
                ext = ".ogg"
            path = self.directory / f"{item.id}-{digest.hex()[:16]}{ext}"
            await asyncio.to_thread(_write_file, path, data)
            await self.store.write(lambda c: media.stored(c, item.id, str(path), len(data), mime))
            self.downloaded += 1
            log.info("media stored media=%d message=%d bytes=%d", item.id, item.message_id, len(data))
        except GraphError as exc:
            final = not exc.retry or item.attempts + 1 >= MEDIA_ATTEMPTS
            error = str(exc)
            await self.store.write(lambda c: media.failed(c, item.id, error, final=final))
            self.failed += final
            log.warning("media download failed media=%d final=%s error=%s", item.id, final, exc)
            if not final:  # Meta's URL lives 5 minutes: try again soon, not at the next sweep
                asyncio.get_running_loop().call_later(2.0**item.attempts, self.wake)

    async def _download(self, item: media.MediaItem) -> tuple[bytes, str | None]:
        if item.url:  # newer webhooks carry the URL: one round trip fewer, same 5-minute expiry
            try:
                return await self.graph.download(item.url, self.max_bytes)
            except GraphError as exc:
                if not item.channel_media_id:
                    raise
                log.info("media URL from the webhook failed, asking for a new one media=%d: %s", item.id, exc)
        if not item.channel_media_id:
            raise GraphError("the message names no media to download", retry=False)
        info = await self.graph.media_info(item.channel_media_id)
        if info.size is not None and info.size > self.max_bytes:
            raise GraphError(f"media of {info.size} bytes is over the cap", retry=False)
        data, mime = await self.graph.download(info.url, self.max_bytes)
        return data, mime or info.mime_type


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
