"""The WhatsApp channel: replies rendered as Cloud API messages and sent through the Graph API.

Choices become reply buttons (≤ 3, titles ≤ 20) or a list (≤ 10 rows, titles ≤ 24) and,
beyond that, numbered lines the dialogue understands. Each send carries its outbox row in
``biz_opaque_callback_data`` so a status webhook can settle a send whose answer was lost.
Outside the 24-hour customer-service window (counted from the guest's own message time, with
a margin) no free text is sent: the front desk is told instead.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hotelbox.channels import SendError, SendResult, SendUncertain
from hotelbox.channels.whatsapp.graph import GraphApi, GraphError, GraphUncertain
from hotelbox.config import WhatsAppSettings
from hotelbox.dialogue.catalog import Catalog
from hotelbox.messages import Option, Reply
from hotelbox.store import Store, conversations, outbox
from hotelbox.store.outbox import OutboxItem

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=24)
TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024


def shorten(text: str, limit: int) -> str:
    """Cut on a word boundary and mark the cut (WhatsApp rejects titles over the limit)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def _unique(titles: list[str]) -> bool:
    return len(set(titles)) == len(titles)


def render(reply: Reply, catalog: Catalog) -> dict[str, Any]:
    """A reply as a Cloud API message body (without the recipient)."""
    options = reply.options
    text = reply.text
    if options and len(text) <= INTERACTIVE_BODY_MAX:
        if len(options) <= 3:
            titles = [shorten(o.title, 20) for o in options]
            if _unique(titles):
                return {
                    "type": "interactive",
                    "interactive": {
                        "type": "button",
                        "body": {"text": text},
                        "action": {
                            "buttons": [
                                {"type": "reply", "reply": {"id": o.id[:256], "title": t}}
                                for o, t in zip(options, titles, strict=True)
                            ]
                        },
                    },
                }
        if len(options) <= 10:
            titles = [shorten(o.title, 24) for o in options]
            if not _unique(titles):  # cut to the same words: number them, the row keeps the whole title
                titles = [shorten(f"{n}. {o.title}", 24) for n, o in enumerate(options, 1)]
            if _unique(titles):
                return {
                    "type": "interactive",
                    "interactive": {
                        "type": "list",
                        "body": {"text": text},
                        "action": {
                            "button": shorten(catalog.text(reply.lang, "choose"), 20),
                            "sections": [
                                {
                                    "title": shorten(catalog.text(reply.lang, "choose"), 24),
                                    "rows": [_row(o, t) for o, t in zip(options, titles, strict=True)],
                                }
                            ],
                        },
                    },
                }
    if options:  # too many or too long for WhatsApp's widgets: numbered lines the bot understands
        text = text + "\n" + "\n".join(f"{n}. {o.title}" for n, o in enumerate(options, 1))
    if len(text) > TEXT_MAX:
        log.warning("reply too long for one WhatsApp message: cut chars=%d", len(text))
        text = shorten(text, TEXT_MAX)
    return {"type": "text", "text": {"preview_url": False, "body": text}}


def _row(option: Option, title: str) -> dict[str, str]:
    row = {"id": option.id[:200], "title": title}
    description = option.description or (option.title if title != option.title else None)
    if description:
        row["description"] = shorten(description, 72)
    return row


def recipient_fields(address: str, phone: str | None) -> tuple[str, dict[str, str]]:
    """(business number id, ``to``/``recipient``) for a guest: the phone when known, else the BSUID."""
    pnid, _, who = address.partition(":")
    if phone:
        return pnid, {"to": phone}
    if who.startswith("+"):
        return pnid, {"to": who}
    return pnid, {"recipient": who}


class WhatsAppChannel:
    name = "whatsapp"
    idempotent_send = False
    accepts_voice = True
    marks_requests = True  # outbox.requested_at is set just before the message's POST to Meta

    def __init__(self, settings: WhatsAppSettings, graph: GraphApi, store: Store, catalog: Catalog) -> None:
        self.settings = settings
        self.graph = graph
        self.store = store
        self.catalog = catalog
        self.merge_replies = settings.merge_replies
        self.uncertain_resend_after_s = settings.uncertain_resend_after_s
        self.alert: str | None = None  # set when Meta says the operator must act (token, account)

    async def send(self, item: OutboxItem) -> SendResult:
        phone, last = await self.store.read(lambda c: conversations.guest_reach(c, item.conversation_id))
        if not self.window_open(last):
            raise SendError(
                "outside the 24-hour window: free text is not allowed (template or front desk)",
                retry=False,
                code="window_closed",
                attention="window_closed",
            )
        pnid, to = recipient_fields(item.recipient, phone)
        try:
            content = await self._voice_note(item) if item.reply.audio else render(item.reply, self.catalog)
            body = {**to, **content, "biz_opaque_callback_data": f"outbox:{item.id}"}
            # durable before the request: after a crash, a row without it was never sent (issue 14)
            await self.store.write(lambda c: outbox.mark_requested(c, item.id), label="outbox.requested")
            wamid = await self.graph.send(body, phone_number_id=pnid or None)
        except GraphUncertain as exc:
            raise SendUncertain(str(exc)) from exc
        except GraphError as exc:
            raise self._send_error(exc) from exc
        self.alert = None
        return SendResult(wamid)

    async def _voice_note(self, item: OutboxItem) -> dict[str, Any]:
        """Upload the OGG/Opus file (named .ogg, typed audio/ogg: Meta goes by both) and send it
        by media id as a voice note — no caption, ``voice: true``."""
        path = Path(item.reply.audio or "")
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise SendError(
                f"voice note file missing: {exc}", retry=False, code="voice_file_missing", attention=""
            ) from exc
        media_id = await self.graph.upload(data, "audio/ogg", "voice.ogg")
        return {"type": "audio", "audio": {"id": media_id, "voice": True}}

    def window_open(self, guest_sent_at: str | None, now: datetime | None = None) -> bool:
        if not guest_sent_at:
            return False
        opened = datetime.fromisoformat(guest_sent_at)
        closes = opened + WINDOW - timedelta(seconds=self.settings.window_margin_s)
        return (now or datetime.now(UTC)) < closes

    def _send_error(self, exc: GraphError) -> SendError:
        code = f"graph_{exc.code}" if exc.code is not None else f"graph_http_{exc.http_status or 'error'}"
        if exc.code == 131047:
            return SendError(str(exc), retry=False, code="window_closed", attention="window_closed")
        if exc.alert:
            self.alert = f"{code}: {exc}"
            log.error("the Graph API refuses the box: operator action needed code=%s", code)
            return SendError(str(exc), retry=True, code=code, retry_after_s=60.0)
        return SendError(str(exc), retry=exc.retry, code=code, retry_after_s=exc.retry_after_s)
