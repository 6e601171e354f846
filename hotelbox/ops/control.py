"""The control socket: how ``hotelbox chat``, ``bookings``… talk to the box that owns the state.

The owner of a state directory (see :mod:`hotelbox.ops.owner`) serves a small HTTP API on the
unix socket ``state_dir/control.sock`` (0600 in a 0700 directory: the box's user only). Other
commands never open the databases while a box owns them; they ask it here, so there is one
pipeline, one booking worker and one sender per state directory.

``POST /v1/users`` changes staff accounts and ``GET /v1/pms/status`` shows the mirror, so
``hotelbox users`` and ``hotelbox pms status`` never open the databases beside the box either.
``POST /v1/chat`` takes one console guest's line (or nothing: "what is waiting for me"), runs it
through the box and answers with that guest's replies only.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler

from hotelbox.errors import HotelboxError, InvalidInput

if TYPE_CHECKING:
    from hotelbox.channels.console import ConsoleChannel
    from hotelbox.daemon import Box

log = logging.getLogger(__name__)
BOX = web.AppKey("box", object)
CONSOLE = web.AppKey("console", object)
MAX_SOCKET_PATH = 107  # sun_path is 108 bytes with its NUL


class ControlUnavailable(HotelboxError):
    code = "control_unavailable"
    http_status = 503


async def chat_turn(box: Box, console: ConsoleChannel, request: dict[str, Any]) -> list[dict[str, Any]]:
    """One console line through the box; returns the replies waiting for that guest."""
    from hotelbox.messages import Inbound
    from hotelbox.store import conversations

    address = request.get("address")
    if not isinstance(address, str) or not address or len(address) > 64:
        raise InvalidInput("address: the console guest's address (1–64 characters)")
    phone, lang, text, choice, voice = (request.get(k) for k in ("phone", "lang", "text", "choice", "voice"))
    for name, value in (
        ("phone", phone),
        ("lang", lang),
        ("text", text),
        ("choice", choice),
        ("voice", voice),
    ):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string")
    if text is None and voice is None:  # a terminal starting: what a previous one never showed
        conversation_id = await box.store.read(lambda c: conversations.find(c, "console", address))
        if conversation_id is not None:
            await box.settle(conversation_id)
        return console.take(address)
    if voice is not None:
        inbound = voice_inbound(box, address, phone, lang, Path(voice))
    else:
        inbound = Inbound(
            channel="console",
            channel_message_id=f"{address}:{uuid.uuid4()}",
            sender=address,
            text=text,
            phone=phone,
            language_hint=lang,
            choice=choice,
        )
    accepted = await box.pipeline.accept(inbound)
    await box.settle(accepted.conversation_id, within_s=120 if voice is not None else 30)
    return console.take(address)


def voice_inbound(box: Box, address: str, phone: str | None, lang: str | None, path: Path) -> Any:
    from hotelbox.messages import Inbound

    if not path.is_file():
        raise InvalidInput(f"/voice {path}: no such file")
    stored = box.settings.media_dir / "in" / f"console-{uuid.uuid4().hex}{path.suffix[:16]}"
    stored.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, stored)
    return Inbound(
        channel="console",
        channel_message_id=f"{address}:{uuid.uuid4()}",
        sender=address,
        kind="audio",
        phone=phone,
        language_hint=lang,
        payload={"media": {"path": str(stored), "size": stored.stat().st_size, "voice": True}},
    )


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except HotelboxError as exc:
        return web.json_response({"error": exc.code, "message": exc.message}, status=exc.http_status)
    except TimeoutError as exc:
        return web.json_response({"error": "timeout", "message": str(exc)}, status=504)


def make_control_app(box: Box, console: ConsoleChannel | None) -> web.Application:
    app = web.Application(middlewares=[_errors], client_max_size=64 * 1024)
    app[BOX] = box
    app[CONSOLE] = console

    async def health(request: web.Request) -> web.Response:
        return web.json_response(await box.health())

    async def bookings(request: web.Request) -> web.Response:
        from hotelbox.store.bookings import listed_bookings

        return web.json_response(await box.store.read(listed_bookings))

    async def chat(request: web.Request) -> web.Response:
        if console is None:
            raise ControlUnavailable("this box has no console channel")
        try:
            body = await request.json()
        except ValueError as exc:
            raise InvalidInput("the body must be JSON") from exc
        if not isinstance(body, dict):
            raise InvalidInput("the body must be a JSON object")
        return web.json_response({"replies": await chat_turn(box, console, body)})

    async def users(request: web.Request) -> web.Response:
        from hotelbox.store.staff import account_change

        try:
            body = await request.json()
        except ValueError as exc:
            raise InvalidInput("the body must be JSON") from exc
        if not isinstance(body, dict):
            raise InvalidInput("the body must be a JSON object")
        try:
            result = await box.store.write(lambda c: account_change(c, body), label="users")
        except (KeyError, ValueError) as exc:
            raise InvalidInput(f"users: {exc}") from exc
        return web.json_response(result)

    async def pms_status(request: web.Request) -> web.Response:
        from hotelbox.pms.admin import status_of

        sync = getattr(box.pms, "sync", None)
        if sync is None:
            raise ControlUnavailable("this box runs the demo hotel: there is no mirror to show")
        return web.json_response(await status_of(sync))

    app.router.add_get("/v1/health", health)
    app.router.add_post("/v1/users", users)
    app.router.add_get("/v1/pms/status", pms_status)
    app.router.add_get("/v1/bookings", bookings)
    app.router.add_post("/v1/chat", chat)
    return app


class ControlServer:
    """``async with ControlServer(box, console, path):`` serves the control API on ``path``."""

    def __init__(self, box: Box, console: ConsoleChannel | None, path: Path) -> None:
        self.path = path
        self.runner = web.AppRunner(make_control_app(box, console), access_log=None, shutdown_timeout=2.0)

    async def __aenter__(self) -> ControlServer:
        if len(str(self.path).encode()) > MAX_SOCKET_PATH:
            log.error("state directory path too long for the control socket path=%s", self.path)
            return self
        await self.runner.setup()
        self.path.unlink(missing_ok=True)  # left by a box that died: we hold the lock, it is ours
        site = web.UnixSite(self.runner, str(self.path))
        await site.start()
        self.path.chmod(0o600)
        log.info("control socket serving path=%s", self.path)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()
        with contextlib.suppress(OSError):
            self.path.unlink()


class ControlClient:
    """The other side, for the CLI: ``async with ControlClient(path) as box: await box.get(…)``."""

    def __init__(self, path: Path, timeout_s: float = 180.0) -> None:
        self.path = path
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ControlClient:
        if not self.path.exists():
            raise ControlUnavailable(
                f"the box that owns {self.path.parent} has no control socket ({self.path.name}):"
                " it may be starting or stopping; try again"
            )
        connector = aiohttp.UnixConnector(path=str(self.path))
        self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self._session is not None
        try:
            async with self._session.request(method, f"http://box{path}", json=body) as answer:
                data = await answer.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise ControlUnavailable(f"the box did not answer on {self.path}: {exc!r}") from exc
        if answer.status >= 400:
            error = data if isinstance(data, dict) else {}
            raise HotelboxError(
                str(error.get("message", answer.status)), code=str(error.get("error", "error"))
            )
        return data
