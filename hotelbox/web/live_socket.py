"""The WebSocket that carries live updates to a page (the front desk, the try-it chat).

A page's socket sends what the box publishes and the page is allowed to see, shaped for it. A page
that falls behind (64 updates queued) is closed with 1013 and reconnects: it can never slow the
box down. What the page sends is ignored; its socket closing ends the subscription.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from hotelbox.live_updates import Update
from hotelbox.web.interface import BOX

QUEUED_AT_MOST = 64


async def live_socket(
    request: web.Request, accept: Callable[[Update], bool], shape: Callable[[Update], dict[str, Any]]
) -> web.WebSocketResponse:
    """Send ``shape(update)`` for every live update ``accept`` lets through, until either side
    closes. The caller has checked who may open it (origin, session)."""
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=4096)
    await ws.prepare(request)
    subscription = request.app[BOX].live.subscribe(accept, maxsize=QUEUED_AT_MOST)

    async def pump() -> None:
        async for update in subscription:
            await ws.send_json(shape(update))
        await ws.close(code=1013, message=b"too slow")

    task = asyncio.create_task(pump())
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    finally:
        subscription.close()
        task.cancel()
    return ws
