"""A faithful fake of Meta's side of WhatsApp: the Graph API the box calls, and the webhooks Meta
posts (to the relay), as Meta's Cloud API reference documents them
(https://developers.facebook.com/docs/whatsapp/cloud-api) and tests/data/whatsapp records them.

``FakeGraph`` answers ``POST /{ver}/{pnid}/messages`` (shape checked against the documented
limits: 4096-char text, ≤ 3 buttons of ≤ 20 chars, lists of ≤ 10 rows of ≤ 24 chars, one of
``to``/``recipient``…; a bad request gets Meta's ``(#100)`` error), mark-as-read, media upload
(Meta classifies by file name; ``audio/opus`` is accepted and fails later with 131053, as in
chatwoot#12713), media info and download (token required; URLs the fake hands out). Errors
such as 131047 (window closed), 131056 (pair rate) and 130429 can be queued; a send can be
accepted and its answer lost (the ambiguous case). Each accepted message can be followed by
status webhooks (sent, delivered, read) posted back through the relay like Meta, signed with
the app secret. ``MetaWebhooks`` builds signed webhook bodies the way Meta sends them
(compact JSON, non-ASCII escaped) and posts them, retrying on anything but 200.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from hotelbox.relay.protocol import meta_signature

APP_SECRET = "hotelbox-test-app-secret"
ACCESS_TOKEN = "EAAG-test-token"
PNID = "106540352242922"
DISPLAY_NUMBER = "15550783881"
_counter = itertools.count(1)


def wamid() -> str:
    return "wamid." + base64.b64encode(f"HB{next(_counter):08d}{secrets.token_hex(6)}".encode()).decode()


def graph_error(status: int, code: int, message: str, details: str = "") -> web.Response:
    body = {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": secrets.token_urlsafe(12),
        }
    }
    return web.json_response(body, status=status)


class Invalid(Exception):
    pass


def _need(cond: bool, why: str) -> None:
    if not cond:
        raise Invalid(why)


def check_message(body: dict[str, Any]) -> str:
    """Validate a send request as Meta documents it; returns the message type."""
    _need(body.get("messaging_product") == "whatsapp", "messaging_product must be whatsapp")
    _need(body.get("recipient_type", "individual") == "individual", "recipient_type must be individual")
    to, recipient = body.get("to"), body.get("recipient")
    _need(bool(to) or bool(recipient), "to or recipient is required")
    if to:
        _need(isinstance(to, str) and to.lstrip("+").isdigit() and 7 <= len(to.lstrip("+")) <= 15, "bad to")
    cb = body.get("biz_opaque_callback_data")
    _need(cb is None or (isinstance(cb, str) and len(cb) <= 512), "biz_opaque_callback_data too long")
    kind = body.get("type", "text")
    part = body.get(kind)
    _need(isinstance(part, dict), f"the {kind} object is required")
    if kind == "text":
        text = part.get("body")
        _need(isinstance(text, str) and 0 < len(text) <= 4096, "text.body must be 1-4096 characters")
    elif kind == "interactive":
        itype = part.get("type")
        body_text = (part.get("body") or {}).get("text")
        action = part.get("action") or {}
        if itype == "button":
            _need(isinstance(body_text, str) and 0 < len(body_text) <= 1024, "interactive body ≤ 1024")
            buttons = action.get("buttons") or []
            _need(1 <= len(buttons) <= 3, "1 to 3 buttons")
            titles = [b["reply"]["title"] for b in buttons]
            ids = [b["reply"]["id"] for b in buttons]
            _need(all(0 < len(t) <= 20 for t in titles), "button title ≤ 20 characters")
            _need(all(0 < len(i) <= 256 for i in ids), "button id ≤ 256 characters")
            _need(len(set(titles)) == len(titles) and len(set(ids)) == len(ids), "buttons must be unique")
        elif itype == "list":
            _need(isinstance(body_text, str) and 0 < len(body_text) <= 4096, "list body ≤ 4096")
            _need(0 < len(action.get("button", "")) <= 20, "list button ≤ 20 characters")
            sections = action.get("sections") or []
            rows = [r for s in sections for r in s.get("rows", [])]
            _need(1 <= len(sections) <= 10 and 1 <= len(rows) <= 10, "≤ 10 sections and ≤ 10 rows")
            _need(all(len(s.get("title", "")) <= 24 for s in sections), "section title ≤ 24")
            _need(all(0 < len(r["title"]) <= 24 for r in rows), "row title ≤ 24 characters")
            _need(all(0 < len(r["id"]) <= 200 for r in rows), "row id ≤ 200 characters")
            _need(all(len(r.get("description", "")) <= 72 for r in rows), "row description ≤ 72")
            _need(len({r["id"] for r in rows}) == len(rows), "row ids must be unique")
        else:
            raise Invalid(f"unsupported interactive type {itype!r}")
    elif kind == "audio":
        _need(bool(part.get("id")) != bool(part.get("link")), "audio needs id or link")
        _need("caption" not in part, "audio has no caption")
    elif kind in ("image", "template", "reaction", "document"):
        pass
    else:
        raise Invalid(f"unsupported message type {kind!r}")
    return str(kind)


@dataclass
class SentMessage:
    wamid: str
    body: dict[str, Any]
    pnid: str
    at: float

    @property
    def recipient(self) -> str:
        return str(self.body.get("to") or self.body.get("recipient"))

    @property
    def text(self) -> str:
        kind = self.body.get("type")
        if kind == "text":
            return str(self.body["text"]["body"])
        if kind == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        return ""


@dataclass
class Media:
    id: str
    data: bytes
    mime_type: str
    filename: str = ""


@dataclass
class Switches:
    latency_s: float = 0.0
    errors: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # (http status, code, message) next sends
    lose_answers: int = 0  # accept the next N sends, then drop the connection without answering
    hang: bool = False
    window_closed_for: set[str] = field(default_factory=set)  # recipients whose window Meta says is closed
    statuses: tuple[str, ...] = ("sent", "delivered", "read")  # posted back after each accepted send


class FakeGraph:
    def __init__(
        self, *, token: str = ACCESS_TOKEN, version: str = "v25.0", app_secret: str = APP_SECRET
    ) -> None:
        self.token = token
        self.version = version
        self.app_secret = app_secret
        self.switches = Switches()
        self.sent: list[SentMessage] = []
        self.read: list[str] = []
        self.rejected: list[tuple[dict[str, Any], str]] = []
        self.media: dict[str, Media] = {}
        self.requests = 0
        self.webhook_url: str | None = None  # where status webhooks go (the relay)
        self.new_message = asyncio.Event()
        self.on_sent: Callable[[SentMessage], None] | None = None  # benchmarks time replies with it
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    # -- lifecycle ----------------------------------------------------------------------------
    async def __aenter__(self) -> FakeGraph:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_post("/{ver}/{pnid}/messages", self._messages)
        app.router.add_post("/{ver}/{pnid}/media", self._upload)
        app.router.add_get("/{ver}/{media_id}", self._media_info)
        app.router.add_get("/download/{media_id}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the API --------------------------------------------------------------------------------
    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        arrived = time.time()
        self.requests += 1
        if not self._authorized(request):
            return graph_error(401, 190, "Error validating access token", "Session has expired")
        if request.match_info["ver"] != self.version:
            return graph_error(400, 2500, "Unknown path components")
        try:
            body = await request.json()
        except ValueError:
            return graph_error(400, 100, "Invalid parameter", "body is not JSON")
        if self.switches.latency_s:
            await asyncio.sleep(self.switches.latency_s)
        if self.switches.hang:
            await asyncio.sleep(3600)
        if body.get("status") == "read":
            self.read.append(str(body.get("message_id")))
            return web.json_response({"success": True})
        try:
            check_message(body)
        except (Invalid, KeyError, TypeError, AttributeError) as exc:
            self.rejected.append((body, str(exc)))
            return graph_error(400, 100, "Invalid parameter", str(exc))
        if self.switches.errors:
            status, code, message = self.switches.errors.pop(0)
            return graph_error(status, code, message)
        recipient = str(body.get("to") or body.get("recipient"))
        if recipient in self.switches.window_closed_for:
            return graph_error(
                400,
                131047,
                "Re-engagement message",
                "More than 24 hours have passed since the recipient last replied",
            )
        message = SentMessage(wamid(), body, request.match_info["pnid"], arrived)
        self.sent.append(message)
        self.new_message.set()
        if self.on_sent is not None:
            self.on_sent(message)
        if body.get("type") == "audio" and self.media.get(body["audio"].get("id", ""), None) is not None:
            media = self.media[body["audio"]["id"]]
            if media.mime_type == "audio/opus" or not media.filename.endswith(".ogg"):
                self._spawn(self._post_statuses(message, failed=(131053, "Media upload error")))
                return self._accepted(body, message)
        self._spawn(self._post_statuses(message))
        if self.switches.lose_answers:
            self.switches.lose_answers -= 1
            assert request.transport is not None
            request.transport.close()  # Meta took it; the box never hears so
            return web.Response()
        return self._accepted(body, message)

    def _accepted(self, body: dict[str, Any], message: SentMessage) -> web.Response:
        contact: dict[str, str] = {"input": str(body.get("to") or body.get("recipient"))}
        if body.get("to"):
            contact["wa_id"] = str(body["to"]).lstrip("+")
        else:
            contact["user_id"] = str(body["recipient"])
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": message.wamid}]}
        )

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return graph_error(401, 190, "Error validating access token")
        form = await request.post()
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp" or not isinstance(upload, web.FileField):
            return graph_error(400, 100, "Invalid parameter", "messaging_product and file are required")
        data = upload.file.read()
        media = Media(str(next(_counter) + 10**15), data, upload.content_type, upload.filename)
        self.media[media.id] = media
        return web.json_response({"id": media.id})

    async def _media_info(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return graph_error(401, 190, "Error validating access token")
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return graph_error(404, 100, "Invalid parameter", "media id not found")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/download/{media.id}",
                "mime_type": media.mime_type,
                "sha256": sha256_b64(media.data),
                "file_size": str(len(media.data)),
                "id": media.id,
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        if not self._authorized(request):  # "If you omit your token, the request will fail."
            return graph_error(401, 190, "Error validating access token")
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404)
        return web.Response(body=media.data, content_type=media.mime_type.split(";")[0])

    # -- media a guest sends ------------------------------------------------------------------------
    def add_media(self, data: bytes, mime_type: str = "audio/ogg; codecs=opus") -> Media:
        media = Media(str(next(_counter) + 2 * 10**15), data, mime_type)
        self.media[media.id] = media
        return media

    # -- status webhooks ----------------------------------------------------------------------------
    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_statuses(self, message: SentMessage, failed: tuple[int, str] | None = None) -> None:
        if not self.webhook_url:
            return
        sender = MetaWebhooks(self.webhook_url, self.app_secret)
        try:
            if failed:
                await sender.post(status_body(message, "failed", errors=[failed]))
                return
            for status in self.switches.statuses:
                await asyncio.sleep(0.01)
                await sender.post(status_body(message, status))
        finally:
            await sender.close()

    async def wait_sent(self, count: int, within_s: float = 20.0) -> list[SentMessage]:
        deadline = time.monotonic() + within_s
        while len(self.sent) < count:
            self.new_message.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self.sent)} of {count} messages sent")
            try:
                await asyncio.wait_for(self.new_message.wait(), remaining)
            except TimeoutError:
                continue
        return self.sent[:count]


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


# -- Meta's webhooks ---------------------------------------------------------------------------------
def envelope(value: dict[str, Any], pnid: str = PNID) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": pnid},
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def message_body(
    phone: str | None,
    *,
    text: str | None = None,
    user_id: str | None = None,
    name: str = "Guest",
    wamid_: str | None = None,
    timestamp: int | None = None,
    pnid: str = PNID,
    kind: str = "text",
    part: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A guest's message as Meta posts it (phone digits without +, BSUID optional)."""
    contact: dict[str, Any] = {"profile": {"name": name}}
    msg: dict[str, Any] = {
        "id": wamid_ or wamid(),
        "timestamp": str(timestamp or int(time.time())),
        "type": kind,
    }
    if phone:
        contact["wa_id"] = phone.lstrip("+")
        msg["from"] = phone.lstrip("+")
    if user_id:
        contact["user_id"] = user_id
        msg["from_user_id"] = user_id
    if kind == "text":
        msg["text"] = {"body": text or ""}
    else:
        msg[kind] = part or {}
    if context:
        msg["context"] = context
    return envelope({"contacts": [contact], "messages": [msg]}, pnid)


def status_body(
    message: SentMessage, status: str, errors: list[tuple[int, str]] | None = None
) -> dict[str, Any]:
    st: dict[str, Any] = {
        "id": message.wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": message.recipient.lstrip("+"),
    }
    if message.body.get("biz_opaque_callback_data") and status != "failed":
        st["biz_opaque_callback_data"] = message.body["biz_opaque_callback_data"]
    if errors:
        st["errors"] = [
            {"code": code, "title": title, "message": title, "error_data": {"details": title}}
            for code, title in errors
        ]
    return envelope({"statuses": [st]}, message.pnid)


def encode(body: dict[str, Any]) -> bytes:
    """Bytes as Meta sends them: compact, non-ASCII escaped as \\uXXXX."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True).encode()


class MetaWebhooks:
    """Posts webhooks like Meta: signed raw bytes, retried until a 200."""

    def __init__(self, url: str, app_secret: str = APP_SECRET) -> None:
        self.url = url
        self.app_secret = app_secret
        self._session: aiohttp.ClientSession | None = None
        self.attempts = 0

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post_raw(self, raw: bytes, signature: str | None = "auto") -> tuple[int, float]:
        """One POST; (status, seconds). ``signature`` None sends none; "auto" signs correctly."""
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = meta_signature(self.app_secret, raw)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        started = time.perf_counter()
        async with self.session.post(self.url, data=raw, headers=headers) as resp:
            await resp.read()
            return resp.status, time.perf_counter() - started

    async def post(self, body: dict[str, Any] | bytes, *, retry_for_s: float = 60.0) -> float:
        """Deliver until 200 (Meta retries for days; tests for ``retry_for_s``); the last latency."""
        raw = body if isinstance(body, bytes) else encode(body)
        deadline = time.monotonic() + retry_for_s
        delay = 0.05
        while True:
            self.attempts += 1
            try:
                status, seconds = await self.post_raw(raw)
                if status == 200:
                    return seconds
            except (aiohttp.ClientError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the webhook was never accepted")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
