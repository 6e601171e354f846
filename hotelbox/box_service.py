"""``hotelbox run``: the box under systemd — web server, signals, READY/STATUS/STOPPING."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from hotelbox.channels import Channel
from hotelbox.channels.console import ConsoleChannel
from hotelbox.channels.webchat import WebChatChannel
from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.live_updates import LiveUpdates
from hotelbox.ops.control import ControlServer
from hotelbox.ops.notify import notify
from hotelbox.ops.owner import StateOwner, control_socket
from hotelbox.ops.watchdog import Watchdog
from hotelbox.web.app import make_app

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    owner = StateOwner(settings.state_dir)
    owner.acquire("start a box")  # one owner per state directory (issue 14): held until we exit
    try:
        await _serve(settings)
    finally:
        owner.release()


async def _serve(settings: Settings) -> None:
    notify("STATUS=starting: opening the store and loading models")
    live = LiveUpdates()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    console = ConsoleChannel()  # `hotelbox chat` beside the box, through the control socket
    channels: dict[str, Channel] = {"webchat": WebChatChannel(live), "console": console}
    async with (
        Box(settings, channels, live, live_channels=True) as box,
        ControlServer(box, console, control_socket(settings.state_dir)),
    ):
        runner = web.AppRunner(make_app(box), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, settings.web.host, settings.web.port)
        await site.start()
        url = f"http://{settings.web.host}:{runner.addresses[0][1]}"
        log.info("serving url=%s desk=%s/desk", url, url)
        watchdog = Watchdog(box, url)
        notify("READY=1", f"STATUS=serving on {url}")
        pinger = asyncio.create_task(watchdog.run(), name="watchdog")
        try:
            await stop.wait()
        finally:
            notify("STOPPING=1", "STATUS=stopping")
            log.info("stopping")
            pinger.cancel()
            await runner.cleanup()
