"""The box's local web server: health, the "try it" guest chat, (later) the front desk.

Errors are mapped to HTTP in one place (:func:`error_middleware`); every response carries
security headers (a CSP with no inline script, no framing). Request bodies are size-capped.
The try-it chat stores a message in the inbox before it answers 202, like every channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from hotelbox import openapi
from hotelbox.config import Settings
from hotelbox.errors import HotelboxError, InvalidInput
from hotelbox.live_updates import Update
from hotelbox.messages import Inbound
from hotelbox.store import conversations
from hotelbox.web import desk_api
from hotelbox.web.auth import PUBLIC, Auth, client_address, make_auth_middleware, require_same_origin
from hotelbox.web.guest_files import guest_file_response
from hotelbox.web.interface import BOX, WebBox
from hotelbox.web.limits import RateLimited, TryLimits
from hotelbox.web.live_socket import live_socket

log = logging.getLogger(__name__)
LIMITS: web.AppKey[TryLimits] = web.AppKey("try_limits", TryLimits)
SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
API_PATHS = ("/desk/api/", "/try/api/")
STATIC_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except HotelboxError as exc:
        response = web.json_response({"error": exc.code, "message": exc.message}, status=exc.http_status)
        retry_after = getattr(exc, "retry_after_s", None)
        if retry_after:
            response.headers["Retry-After"] = str(max(1, round(retry_after)))
        return response
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith(API_PATHS):
            raise
        # aiohttp's own answers (no such route, wrong method, body too large) in the APIs' format
        code = HTTPStatus(exc.status).phrase.lower().replace(" ", "_").replace("-", "_")
        response = web.json_response({"error": code, "message": exc.reason}, status=exc.status)
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except Exception:
        log.exception("request failed path=%s", request.path)
        return web.json_response({"error": "internal", "message": "internal error"}, status=500)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _static(name: str) -> bytes:
    return (resources.files("hotelbox.web") / "static" / name).read_bytes()


async def healthz(request: web.Request) -> web.Response:
    health = await request.app[BOX].health()
    return web.json_response(health, status=200 if health["status"] == "ok" else 503)


async def metrics_page(request: web.Request) -> web.Response:
    """Prometheus exposition; counts and states only, never guest data."""
    body = await request.app[BOX].metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/desk")


async def try_page(request: web.Request) -> web.Response:
    return web.Response(body=_static("try.html"), content_type="text/html", charset="utf-8")


async def static_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    types = {".js": "application/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in types or not STATIC_NAME.match(name):  # no NUL, no path, no dot file (issue 13)
        raise web.HTTPNotFound()
    try:
        body = _static(name)
    except FileNotFoundError as exc:
        raise web.HTTPNotFound() from exc
    return web.Response(body=body, content_type=types[suffix], headers={"Cache-Control": "no-cache"})


async def _json_body(request: web.Request) -> dict[str, object]:
    limit = request.app[BOX].settings.web.max_message_bytes
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(raw))
    return desk_api.json_object(raw)


async def post_message(request: web.Request) -> web.Response:
    """Take a guest message from the try-it page: stored in the inbox before the 202."""
    data = await _json_body(request)
    session = str(data.get("session", ""))
    if not SESSION.match(session):
        raise InvalidInput("session must be 8-64 letters, digits, - or _")
    request.app[LIMITS].post(_client(request), session)
    client_id = str(data.get("client_id") or uuid.uuid4())
    if not CLIENT_ID.match(client_id):
        raise InvalidInput("client_id has invalid characters")
    text = data.get("text")
    choice = data.get("choice")
    if not isinstance(text, str) or (choice is not None and not isinstance(choice, str)):
        raise InvalidInput("text must be a string")
    lang = str(data["lang"]) if data.get("lang") in ("es", "en", "pt") else None
    inbound = Inbound(
        channel="webchat",
        channel_message_id=f"{session}:{client_id}",
        sender=session,
        kind="text",
        text=text,
        language_hint=lang,
        choice=choice,
        phone=None,  # anonymous: a number typed on a web page proves nothing (issue 13), any "phone" is ignored
    )
    accepted = await request.app[BOX].pipeline.accept(inbound)
    return web.json_response(
        {
            "conversation_id": accepted.conversation_id,
            "message_id": accepted.message_id,
            "duplicate": accepted.duplicate,
        },
        status=202,
    )


AUDIO_TYPES = {
    "audio/webm": ".webm",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/wav": ".wav",
}


async def post_voice(request: web.Request) -> web.Response:
    """A voice note recorded on the try-it page (raw audio body): stored, then 202 — like WhatsApp's."""
    box = request.app[BOX]
    session = request.query.get("session", "")
    client_id = request.query.get("client_id") or uuid.uuid4().hex
    if not SESSION.match(session) or not CLIENT_ID.match(client_id):
        raise InvalidInput("session and client_id are required")
    mime = request.content_type
    if mime not in AUDIO_TYPES:
        raise InvalidInput(f"unsupported audio type {mime!r}")
    limits = request.app[LIMITS]
    limits.post(_client(request), session)
    limit = box.settings.speech.max_audio_bytes
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    if limits.uploading >= box.settings.web.try_parallel_uploads:  # each one is held in memory
        raise RateLimited("the try-it page is receiving other voice notes: try again in a moment", 2.0)
    limits.uploading += 1
    try:
        data = bytearray()
        async for chunk in request.content.iter_chunked(65536):
            data += chunk
            if len(data) > limit:
                raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data))
    finally:
        limits.uploading -= 1
    if not data:
        raise InvalidInput("the voice note is empty")
    folder = box.settings.media_dir / "in"
    if limits.on_disk is None:
        limits.on_disk = await asyncio.to_thread(_webchat_bytes, folder)
    limits.upload(session, len(data), limits.on_disk)
    path = folder / f"webchat-{uuid.uuid4().hex}{AUDIO_TYPES[mime]}"
    await asyncio.to_thread(_store_file, path, bytes(data))
    limits.on_disk += len(data)
    lang = request.query.get("lang")
    inbound = Inbound(
        channel="webchat",
        channel_message_id=f"{session}:{client_id}",
        sender=session,
        kind="audio",
        language_hint=lang if lang in ("es", "en", "pt") else None,
        payload={"media": {"path": str(path), "mime_type": mime, "size": len(data), "voice": True}},
    )
    accepted = await box.pipeline.accept(inbound)
    return web.json_response(
        {"conversation_id": accepted.conversation_id, "message_id": accepted.message_id}, status=202
    )


async def _webchat_conversation(box: WebBox, session: str) -> int | None:
    return await box.store.read(lambda c: conversations.find(c, "webchat", session))


def _client(request: web.Request) -> str:
    return client_address(request, request.app[BOX].settings.web.trust_proxy)


def _webchat_bytes(folder: Path) -> int:
    """Bytes of try-it voice notes on disk (counted once; new ones are added as they come)."""
    try:
        return sum(e.stat().st_size for e in os.scandir(folder) if e.name.startswith("webchat-"))
    except FileNotFoundError:
        return 0


def _store_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def get_audio(request: web.Request) -> web.StreamResponse:
    """Play a voice note of this session's conversation (the guest's or the bot's)."""
    box = request.app[BOX]
    session = request.query.get("session", "")
    if not SESSION.match(session):
        raise InvalidInput("session must be 8-64 letters, digits, - or _")
    conversation_id = await _webchat_conversation(box, session)
    message_id = desk_api.record_id(request, "message_id")
    if conversation_id is None:
        raise web.HTTPNotFound()
    row = await box.store.read(lambda c: conversations.message_audio(c, message_id, conversation_id))
    if row is None:
        raise web.HTTPNotFound()
    payload = json.loads(row["payload"])
    path = payload.get("reply", {}).get("audio") or row["media_path"]
    if not path or not await asyncio.to_thread(Path(path).is_file):
        raise web.HTTPNotFound()
    return guest_file_response(path, row["mime_type"], f"message-{message_id}")


def _audio_url(message_id: int, session: str, payload: dict[str, object]) -> str | None:
    reply = payload.get("reply")
    inbound = payload.get("inbound")
    has_audio = (isinstance(reply, dict) and reply.get("audio")) or (
        isinstance(inbound, dict) and inbound.get("kind") == "audio"
    )
    return f"/try/api/audio/{message_id}?session={session}" if has_audio else None


async def get_messages(request: web.Request) -> web.Response:
    session = request.query.get("session", "")
    if not SESSION.match(session):
        raise InvalidInput("session must be 8-64 letters, digits, - or _")
    box = request.app[BOX]
    conversation_id = await _webchat_conversation(box, session)
    if conversation_id is None:
        return web.json_response({"messages": []})
    rows = await box.store.read(lambda c: conversations.recent_messages(c, conversation_id, limit=200))
    messages = []
    for r in rows:
        payload = json.loads(r["payload"])
        messages.append(
            {
                "id": r["id"],
                "direction": r["direction"],
                "text": r["text"],
                "options": payload.get("reply", {}).get("options", []),
                "audio": _audio_url(r["id"], session, payload),
                "transcript": bool(payload.get("transcript")),
                "at": r["created_at"],
            }
        )
    return web.json_response({"conversation_id": conversation_id, "messages": messages})


async def live(request: web.Request) -> web.WebSocketResponse:
    """Push the bot's replies for one try-it session as they are sent."""
    session = request.query.get("session", "")
    if not SESSION.match(session):
        raise InvalidInput("session must be 8-64 letters, digits, - or _")
    require_same_origin(request)

    def reply(update: Update) -> dict[str, Any]:
        shown = update["reply"]
        return {
            "type": "reply",
            "id": update["message_id"],
            "text": shown["text"],
            "options": shown.get("options", []),
            "audio": _audio_url(update["message_id"], session, {"reply": shown}),
        }

    return await live_socket(
        request, lambda e: e.get("type") == "webchat.reply" and e.get("session") == session, reply
    )


def make_app(box: WebBox) -> web.Application:
    settings = box.settings.web
    auth = Auth(box.store, idle_minutes=settings.session_idle_minutes, secure_cookies=settings.secure_cookies)
    app = web.Application(
        middlewares=[
            security_headers,
            error_middleware,
            make_auth_middleware(auth, trust_proxy=settings.trust_proxy),
        ],
        client_max_size=settings.max_message_bytes,
    )
    app[BOX] = box
    app[LIMITS] = TryLimits(
        settings.try_posts_per_minute_per_client,
        settings.try_posts_per_minute_per_session,
        settings.try_uploads_per_session_per_day,
        settings.try_uploads_per_day,
        settings.try_upload_mb * 1024 * 1024,
    )
    app[desk_api.AUTH] = auth
    try_role = {"public": PUBLIC, "staff": "frontdesk", "off": None}[try_page_mode(box.settings)]
    routes: list[tuple[str, str, Handler, str | None]] = [
        # method, path, handler, role (every route says who may use it; the middleware checks)
        ("GET", "/healthz", healthz, PUBLIC),
        ("GET", "/metrics", metrics_page, PUBLIC),
        ("GET", "/openapi.yaml", openapi.handler("desk"), PUBLIC),
        ("GET", "/", index, PUBLIC),
        ("GET", "/static/{name}", static_file, PUBLIC),
        ("GET", "/login", page("login.html"), PUBLIC),
        ("POST", "/desk/api/login", desk_api.api_login, PUBLIC),
        ("GET", "/desk", page("desk.html"), "frontdesk"),
        ("POST", "/desk/api/logout", desk_api.api_logout, "frontdesk"),
        ("GET", "/desk/api/me", desk_api.api_me, "frontdesk"),
        ("PUT", "/desk/api/me/language", desk_api.api_set_language, "frontdesk"),
        ("GET", "/desk/api/conversations", desk_api.api_conversations, "frontdesk"),
        ("GET", r"/desk/api/conversations/{id:\d+}", desk_api.api_conversation, "frontdesk"),
        ("POST", r"/desk/api/conversations/{id:\d+}/read", desk_api.api_read, "frontdesk"),
        ("POST", r"/desk/api/conversations/{id:\d+}/takeover", desk_api.api_takeover, "frontdesk"),
        ("POST", r"/desk/api/conversations/{id:\d+}/handback", desk_api.api_handback, "frontdesk"),
        ("POST", r"/desk/api/conversations/{id:\d+}/reply", desk_api.api_reply, "frontdesk"),
        ("GET", "/desk/api/canned", desk_api.api_canned, "frontdesk"),
        ("PUT", "/desk/api/canned/{lang}", desk_api.api_canned_save, "admin"),
        ("GET", "/desk/api/alerts", desk_api.api_alerts, "frontdesk"),
        ("POST", r"/desk/api/conversations/{id:\d+}/resolve", desk_api.api_resolve, "frontdesk"),
        ("POST", r"/desk/api/conversations/{id:\d+}/notes", desk_api.api_add_note, "frontdesk"),
        ("GET", r"/desk/api/audio/{id:\d+}", desk_api.api_audio, "frontdesk"),
        ("GET", "/desk/api/bookings", desk_api.api_bookings, "frontdesk"),
        ("POST", r"/desk/api/bookings/{id:\d+}/retry", desk_api.api_booking_retry, "frontdesk"),
        ("POST", r"/desk/api/bookings/{id:\d+}/handled", desk_api.api_booking_handled, "frontdesk"),
        ("GET", "/desk/api/knowledge", desk_api.api_knowledge, "frontdesk"),
        ("PUT", "/desk/api/knowledge/{lang}/{topic}", desk_api.api_knowledge_save, "frontdesk"),
        ("POST", "/desk/api/knowledge/preview", desk_api.api_knowledge_preview, "frontdesk"),
        ("GET", "/desk/api/health", desk_api.api_health, "frontdesk"),
        ("GET", "/desk/ws", desk_api.desk_ws, "frontdesk"),
        ("POST", r"/desk/api/guests/{id:\d+}/erase", desk_api.api_erase_guest, "admin"),
        ("GET", "/desk/api/users", desk_api.api_users, "admin"),
        ("POST", "/desk/api/users", desk_api.api_user_add, "admin"),
        ("PUT", "/desk/api/users/{name}", desk_api.api_user_change, "admin"),
        ("GET", "/desk/api/activity", desk_api.api_activity, "admin"),
        ("GET", "/desk/api/login-failures", desk_api.api_login_failures, "admin"),
    ]
    try_routes: list[tuple[str, str, Handler]] = [
        ("GET", "/try", try_page),
        ("POST", "/try/api/messages", post_message),
        ("GET", "/try/api/messages", get_messages),
        ("GET", "/try/ws", live),
        ("POST", "/try/api/voice", post_voice),
        ("GET", r"/try/api/audio/{message_id:\d+}", get_audio),
    ]
    if try_role is not None:
        routes += [(method, path, handler, try_role) for method, path, handler in try_routes]
    else:  # say why, rather than a bare 404
        routes += [(method, path, try_page_off, PUBLIC) for method, path, _ in try_routes]
    for method, path, handler, role in routes:
        app.router.add_route(method, path, with_role(handler, role))
    return app


def try_page_mode(settings: Settings) -> str:
    """Who may use the try-it chat. Unset: anyone with the embedded demo hotel (``make run``),
    nobody once the box books in a real PMS — anonymous strangers must not make real bookings
    unless the hotel opens the page on purpose (issue 13)."""
    if settings.web.try_page is not None:
        return settings.web.try_page
    return "public" if settings.pms.kind == "demo" else "off"


class TryPageOff(HotelboxError):
    code = "try_page_off"
    http_status = 404


async def try_page_off(request: web.Request) -> web.Response:
    raise TryPageOff(
        "the try-it chat is off on this box (it books in a real PMS); "
        "set web.try_page to 'staff' or 'public' to open it"
    )


def with_role(handler: Handler, role: str | None) -> Handler:
    """The handler, marked with the role it needs (read by the auth middleware)."""

    async def routed(request: web.Request) -> web.StreamResponse:
        return await handler(request)

    routed.hotelbox_role = role  # type: ignore[attr-defined]  # the role rides on the handler, for the auth middleware
    routed.__name__ = getattr(handler, "__name__", "handler")
    return routed


def page(name: str) -> Handler:
    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=_static(name), content_type="text/html", charset="utf-8")

    return serve
