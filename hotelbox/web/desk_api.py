"""The front desk's API and live socket (the page itself is static: desk.html + desk.js).

Every handler here is registered with the role it needs (see :func:`hotelbox.web.app.make_app`);
the auth middleware has checked the session, the role and the CSRF token before a handler runs.
Actions go through the store's write functions and the audit log, then tell every open page.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from hotelbox.errors import InvalidInput, NotFound
from hotelbox.maintenance import delete_files
from hotelbox.store import audit, conversations, desk, privacy, staff
from hotelbox.web.auth import (
    COOKIE,
    ROLES,
    Auth,
    add_user,
    client_address,
    current,
    hash_password,
    password_problem,
    require_same_origin,
    same_origin,
    set_password,
)
from hotelbox.web.guest_files import guest_file_response
from hotelbox.web.interface import BOX
from hotelbox.web.live_socket import live_socket

log = logging.getLogger(__name__)
AUTH: web.AppKey[Auth] = web.AppKey("desk_auth", Auth)
LANGS = ("es", "en", "pt")
MAX_REPLY = 4000


def canned_replies() -> dict[str, list[str]]:
    text = (resources.files("hotelbox.web") / "canned.toml").read_text(encoding="utf-8")
    return {lang: list(v) for lang, v in tomllib.loads(text).items()}


async def _json(request: web.Request, limit: int = 16384) -> dict[str, Any]:
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(raw))
    return json_object(raw or b"{}")


def json_object(raw: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object; anything else is a clear 400."""
    try:
        data = json.loads(raw)
    except RecursionError as exc:  # "[[[[…" nested deeper than the parser's stack (issue 13)
        raise InvalidInput("body is nested too deeply") from exc
    except ValueError as exc:
        raise InvalidInput("body is not JSON") from exc
    if not isinstance(data, dict):
        raise InvalidInput("body must be a JSON object")
    return data


def record_id(request: web.Request, name: str = "id") -> int:
    try:
        value = int(request.match_info[name])
    except ValueError as exc:
        raise NotFound("no such record") from exc
    if not 0 < value < 2**63:  # SQLite's INTEGER: anything else is no record of ours
        raise NotFound("no such record")
    return value


def _changed(request: web.Request, conversation_id: int | None = None, kind: str = "conversation") -> None:
    request.app[BOX].live.publish({"type": kind, "conversation_id": conversation_id, "by": "staff"})


# -- session ----------------------------------------------------------------------------------------
async def api_login(request: web.Request) -> web.Response:
    if not same_origin(request):
        raise InvalidInput("cross-site login refused")
    data = await _json(request, 4096)
    name, password = str(data.get("name", "")), str(data.get("password", ""))
    if not name or not password:
        raise InvalidInput("name and password are required")
    auth = request.app[AUTH]
    box = request.app[BOX]
    token, session = await auth.login(name, password, client_address(request, box.settings.web.trust_proxy))
    log.info("staff logged in user=%s role=%s", session.user.name, session.user.role)
    response = web.json_response(_me(session))
    auth.set_cookie(response, token)
    return response


async def api_logout(request: web.Request) -> web.Response:
    session = current(request)
    await request.app[AUTH].logout(session.token_hash)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


def _me(session: Any) -> dict[str, Any]:
    u = session.user
    return {"name": u.name, "role": u.role, "language": u.language, "csrf": session.csrf}


async def api_me(request: web.Request) -> web.Response:
    return web.json_response(_me(current(request)))


async def api_set_language(request: web.Request) -> web.Response:
    lang = (await _json(request)).get("language")
    if lang not in LANGS:
        raise InvalidInput("language must be es, en or pt")
    user = current(request).user
    await request.app[BOX].store.write(lambda c: staff.set_language(c, user.id, lang))
    return web.json_response({"language": lang})


# -- inbox and conversations ---------------------------------------------------------------------------
async def api_conversations(request: web.Request) -> web.Response:
    """The inbox: ?filter=all|attention|mine and ?q= to search (name, phone, text, booking ref)."""
    chosen = request.query.get("filter", "all")
    if chosen not in desk.FILTERS:
        raise InvalidInput("filter must be all, attention or mine")
    search = request.query.get("q", "")
    if len(search) > 200:
        raise InvalidInput("a search has at most 200 characters")
    actor = current(request).user.actor
    store = request.app[BOX].store
    rows = await store.read(
        lambda c: desk.inbox_list(
            c, attention_only=chosen == "attention", mine=actor if chosen == "mine" else None, search=search
        )
    )
    counts = await store.read(lambda c: desk.inbox_counts(c, actor))
    return web.json_response({"conversations": rows, "counts": counts})


async def api_alerts(request: web.Request) -> web.Response:
    """What the page rings for (new keys), and the counts for the tab title."""
    actor = current(request).user.actor
    store = request.app[BOX].store
    items = await store.read(desk.alerts)
    counts = await store.read(lambda c: desk.inbox_counts(c, actor))
    return web.json_response({"alerts": items, "counts": counts})


async def api_resolve(request: web.Request) -> web.Response:
    conversation_id = record_id(request)
    actor = current(request).user.actor
    await _act(request, lambda c: desk.resolve(c, conversation_id, actor), "desk.resolve")
    log.info("staff resolved conversation=%d user=%s", conversation_id, actor)
    _changed(request, conversation_id)
    return web.json_response({"ok": True})


async def api_add_note(request: web.Request) -> web.Response:
    conversation_id = record_id(request)
    text = str((await _json(request)).get("text", "")).strip()
    if not text or len(text) > desk.MAX_NOTE:
        raise InvalidInput(f"a note has 1 to {desk.MAX_NOTE} characters")
    actor = current(request).user.actor
    note_id = await _act(request, lambda c: desk.add_note(c, conversation_id, actor, text), "desk.note")
    _changed(request, conversation_id)
    return web.json_response({"id": note_id}, status=201)


async def api_conversation(request: web.Request) -> web.Response:
    conversation_id = record_id(request)
    box = request.app[BOX]
    detail = await box.store.read(lambda c: desk.conversation_detail(c, conversation_id))
    if detail is None:
        raise NotFound("no such conversation")
    detail["audit"] = await box.store.read(lambda c: desk.audit_trail(c, conversation_id))
    detail["notes"] = await box.store.read(lambda c: desk.notes(c, conversation_id))
    for m in detail["messages"]:
        m["audio_url"] = f"/desk/api/audio/{m['id']}" if m.pop("audio") else None
    return web.json_response(detail)


async def _act(request: web.Request, op: Any, label: str) -> Any:
    try:
        return await request.app[BOX].store.write(op, label=label)
    except LookupError as exc:
        raise NotFound("no such record") from exc


async def api_read(request: web.Request) -> web.Response:
    conversation_id = record_id(request)
    if await _act(request, lambda c: desk.mark_read(c, conversation_id), "desk.read"):
        _changed(request, conversation_id)
    return web.json_response({"ok": True})


async def api_takeover(request: web.Request) -> web.Response:
    conversation_id = record_id(request)
    actor = current(request).user.actor
    force = (await _json(request)).get("force") is True
    before = await _act(
        request, lambda c: desk.take_over(c, conversation_id, actor, force=force), "desk.takeover"
    )
    log.info("staff took over conversation=%d user=%s from=%s", conversation_id, actor, before)
    _changed(request, conversation_id)
    return web.json_response({"control": "staff"})


async def api_handback(request: web.Request) -> web.Response:
    conversation_id = record_id(request)
    actor = current(request).user.actor
    await _act(request, lambda c: desk.hand_back(c, conversation_id, actor), "desk.handback")
    log.info("staff handed back conversation=%d user=%s", conversation_id, actor)
    _changed(request, conversation_id)
    return web.json_response({"control": "bot"})


async def api_reply(request: web.Request) -> web.Response:
    conversation_id = record_id(request)
    data = await _json(request)
    text = str(data.get("text", "")).strip()
    if not text or len(text) > MAX_REPLY:
        raise InvalidInput(f"a reply has 1 to {MAX_REPLY} characters")
    box = request.app[BOX]
    lang = str(data["lang"]) if data.get("lang") in LANGS else box.settings.hotel.default_language
    actor = current(request).user.actor
    outbox_id = await _act(
        request,
        lambda c: desk.staff_reply(c, conversation_id, actor, text, lang, force=data.get("force") is True),
        "desk.reply",
    )
    box.sender.wake()
    _changed(request, conversation_id)
    return web.json_response({"outbox_id": outbox_id, "control": "staff"}, status=201)


async def api_canned(request: web.Request) -> web.Response:
    shipped = canned_replies()
    return web.json_response(await request.app[BOX].store.read(lambda c: desk.canned(c, shipped)))


MAX_CANNED = (50, 1000)  # lines per language, characters per line


async def api_canned_save(request: web.Request) -> web.Response:
    """An admin replaces one language's canned replies (one per line in the page)."""
    lang = request.match_info["lang"]
    if lang not in LANGS:
        raise NotFound("no such language")
    lines = (await _json(request, 65536)).get("lines")
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise InvalidInput("lines must be a list of texts")
    lines = [x.strip() for x in lines if x.strip()]
    if len(lines) > MAX_CANNED[0] or any(len(x) > MAX_CANNED[1] for x in lines):
        raise InvalidInput(f"at most {MAX_CANNED[0]} replies of {MAX_CANNED[1]} characters")
    actor = current(request).user.actor
    await _act(request, lambda c: desk.save_canned(c, lang, lines, actor), "desk.canned")
    return web.json_response({"lang": lang, "lines": lines})


async def api_audio(request: web.Request) -> web.StreamResponse:
    message_id = record_id(request)
    box = request.app[BOX]
    row = await box.store.read(lambda c: conversations.message_audio(c, message_id))
    if row is None:
        raise NotFound("no such message")
    path = json.loads(row["payload"] or "{}").get("reply", {}).get("audio") or row["media_path"]
    if not path or not await asyncio.to_thread(Path(path).is_file):
        raise NotFound("the audio is gone (retention) or never arrived")
    return guest_file_response(path, row["mime_type"], f"message-{message_id}")


# -- bookings ---------------------------------------------------------------------------------------------
async def api_bookings(request: web.Request) -> web.Response:
    problems = request.query.get("filter") == "problems"
    rows = await request.app[BOX].store.read(lambda c: desk.bookings_list(c, problems_only=problems))
    return web.json_response({"bookings": rows})


async def api_booking_retry(request: web.Request) -> web.Response:
    booking_id = record_id(request)
    box = request.app[BOX]
    actor = current(request).user.actor
    if not await _act(request, lambda c: desk.retry_booking(c, booking_id, actor), "desk.retry"):
        raise InvalidInput("nothing to retry for this booking")
    box.bookings.wake()
    _changed(request, None, "booking")
    return web.json_response({"ok": True})


async def api_booking_handled(request: web.Request) -> web.Response:
    booking_id = record_id(request)
    actor = current(request).user.actor
    if not await _act(request, lambda c: desk.mark_handled(c, booking_id, actor), "desk.handled"):
        raise NotFound("no such booking")
    _changed(request, None, "booking")
    return web.json_response({"ok": True})


# -- the hotel's answers ------------------------------------------------------------------------------------
async def api_knowledge(request: web.Request) -> web.Response:
    knowledge = request.app[BOX].dialogue.knowledge
    followups = await request.app[BOX].store.read(desk.answer_followups)
    return web.json_response(
        {
            "topics": knowledge.topics(),
            "answers": {lang: dict(knowledge.answers.get(lang, {})) for lang in LANGS},
            "followups": followups,
        }
    )


async def api_knowledge_save(request: web.Request) -> web.Response:
    lang, topic = request.match_info["lang"], request.match_info["topic"]
    box = request.app[BOX]
    if lang not in LANGS or topic not in box.dialogue.knowledge.topics():
        raise NotFound("no such language or topic")
    text = str((await _json(request)).get("text", "")).strip()
    if not text or len(text) > 1000:
        raise InvalidInput("an answer has 1 to 1000 characters")
    actor = current(request).user.actor
    await _act(request, lambda c: desk.save_answer(c, lang, topic, text, actor, LANGS), "desk.knowledge")
    box.dialogue.knowledge.set(lang, topic, text)
    return web.json_response({"lang": lang, "topic": topic, "text": text})


async def api_knowledge_preview(request: web.Request) -> web.Response:
    """How the bot would answer ``question`` — with ``draft`` in place of the saved answer."""
    data = await _json(request)
    question = str(data.get("question", "")).strip()[:500]
    lang = data.get("lang") if data.get("lang") in LANGS else None
    if not question:
        raise InvalidInput("question is required")
    box = request.app[BOX]
    understood = await box.scheduler.lane("nlu").run(
        box.understander.understand, question, today=box.pipeline.today(), lang=lang
    )
    topic = understood.topic if understood.intent == "ask_info" else None
    answer_lang = lang or understood.lang
    answer = box.dialogue.knowledge.answer(answer_lang, topic)
    if topic and data.get("topic") == topic and data.get("draft"):
        answer = str(data["draft"])
    return web.json_response(
        {"intent": understood.intent, "topic": topic, "lang": answer_lang, "answer": answer}
    )


# -- health, privacy, users --------------------------------------------------------------------------------
async def api_health(request: web.Request) -> web.Response:
    return web.json_response(await request.app[BOX].health())


async def api_erase_guest(request: web.Request) -> web.Response:
    guest_id = record_id(request)
    box = request.app[BOX]
    actor = current(request).user.actor
    files = await _act(request, lambda c: privacy.erase_guest(c, guest_id, actor), "desk.erase")
    deleted = await asyncio.to_thread(delete_files, files, box.settings.state_dir.resolve())
    log.info("guest erased guest=%d user=%s files=%d", guest_id, actor, deleted)
    _changed(request, None)
    return web.json_response({"erased": guest_id, "files": deleted})


async def api_users(request: web.Request) -> web.Response:
    return web.json_response({"users": await request.app[BOX].store.read(staff.accounts)})


USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


async def api_user_add(request: web.Request) -> web.Response:
    """An admin opens an account for a colleague (the CLI's ``hotelbox users add``, in the page)."""
    data = await _json(request, 4096)
    name, role, language = str(data.get("name", "")), data.get("role"), data.get("language", "es")
    password = str(data.get("password", ""))
    if not USER_NAME.fullmatch(name):
        raise InvalidInput("a name has 1 to 64 letters, digits, dots, dashes or underscores")
    if role not in ROLES or language not in LANGS:
        raise InvalidInput("role must be frontdesk or admin; language es, en or pt")
    problem = password_problem(password)
    if problem:
        raise InvalidInput(problem)
    hashed = await asyncio.to_thread(hash_password, password)
    actor = current(request).user.actor

    def add(c: Any) -> None:
        if staff.exists(c, name):
            raise InvalidInput("that name is taken")
        add_user(c, name, str(role), hashed, str(language))
        audit.record(c, actor, "user.add", details={"name": name, "role": role})

    await request.app[BOX].store.write(add, label="desk.user")
    log.info("staff account added name=%s role=%s by=%s", name, role, actor)
    return web.json_response({"name": name, "role": role, "language": language}, status=201)


async def api_user_change(request: web.Request) -> web.Response:
    """An admin changes a colleague's password (their sessions end) or disables the account."""
    name = request.match_info["name"]
    data = await _json(request, 4096)
    me = current(request).user
    password = data.get("password")
    disabled = data.get("disabled")
    if password is None and disabled is not True:
        raise InvalidInput("send a new password, or disabled: true")
    if password is not None:
        problem = password_problem(str(password))
        if problem:
            raise InvalidInput(problem)
    if disabled is True and name == me.name:
        raise InvalidInput("you cannot disable your own account")
    hashed = await asyncio.to_thread(hash_password, str(password)) if password is not None else None

    def change(c: Any) -> None:
        if not staff.exists(c, name):
            raise LookupError(name)
        if hashed is not None:
            set_password(c, name, hashed)
        if disabled is True:
            staff.disable(c, name)
        audit.record(
            c,
            me.actor,
            "user.change",
            details={"name": name, "password": hashed is not None, "disabled": disabled is True},
        )

    await _act(request, change, "desk.user")
    log.info("staff account changed name=%s by=%s", name, me.actor)
    return web.json_response({"ok": True})


async def api_activity(request: web.Request) -> web.Response:
    """What staff did outside any conversation, newest first: erasures, accounts, edits (admin)."""
    return web.json_response({"activity": await request.app[BOX].store.read(desk.activity)})


async def api_login_failures(request: web.Request) -> web.Response:
    """Who failed to log in, from where and when (newest first): the throttle's side of the story."""
    failures = await request.app[BOX].store.read(lambda c: audit.login_failures(c, limit=200))
    return web.json_response({"failures": failures})


# -- live updates ------------------------------------------------------------------------------------------
async def desk_ws(request: web.Request) -> web.WebSocketResponse:
    """What changed, as it happens; the page refetches what it shows. A page that falls behind
    (64 updates queued) is dropped and reconnects — it can never slow the box down."""
    require_same_origin(request)
    shown = ("type", "conversation_id", "direction", "by")
    return await live_socket(
        request,
        lambda e: e.get("type") in ("message", "conversation", "delivery", "booking"),
        lambda e: {k: v for k, v in e.items() if k in shown},
    )
