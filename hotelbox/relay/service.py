"""``hotelbox relay`` under systemd: serve until SIGTERM, READY once the queue is open."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from hotelbox.config import Settings
from hotelbox.ops.notify import notify
from hotelbox.relay.queue import make_queue, now_ms
from hotelbox.relay.server import running_relay

log = logging.getLogger(__name__)


async def serve_relay(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running_relay(settings) as (relay, url):
        log.info("relay serving url=%s boxes=%d", url, len(relay.secrets.box_keys))
        print(f"relay listening {url}", flush=True)
        notify("READY=1", f"STATUS=serving on {url}")
        await stop.wait()
        notify("STOPPING=1")


async def queue_status(settings: Settings) -> dict[str, Any]:
    queue = make_queue(settings)
    await queue.open()
    try:
        at = now_ms()
        backlog = await queue.backlog()
        seen = await queue.last_seen()
        return {
            "backlog": {
                box: {"events": b.events, "oldest_age_s": round(b.oldest_age_s(at), 1)}
                for box, b in backlog.items()
            },
            # every configured box, so one that never connected shows (issue 14)
            "boxes": {
                box: {
                    "configured": box in settings.relay.boxes,
                    "last_seen_ms": seen.get(box),
                    "last_seen_age_s": round((at - seen[box]) / 1000, 1) if box in seen else None,
                }
                for box in sorted({*settings.relay.boxes, *seen})
            },
        }
    finally:
        await queue.close()
