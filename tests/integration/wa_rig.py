"""The WhatsApp test rig: a real relay (aiohttp + SQLite) and a fake Graph API in the test's
event loop, and boxes started against them (see tests/integration/conftest.py for ``rig``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.relay.server import Relay
from tests.fakes.graph import ACCESS_TOKEN, APP_SECRET, PNID, FakeGraph, MetaWebhooks
from tests.support import DATA, wait_for

FIXTURES = DATA / "whatsapp"
OTHER_PNIDS = ["1122334455667", "123456123"]
VERIFY = "verify-me-please"


def relay_settings(tmp: Path, key: str, port: int = 0) -> Settings:
    return load_settings(
        state_dir=tmp / "relay",
        relay={
            "port": port,
            "app_secret": APP_SECRET,
            "verify_token": VERIFY,
            "max_body_bytes": 64 * 1024,
            "boxes": {"hotel-1": {"phone_number_ids": [PNID, *OTHER_PNIDS], "key": key}},
        },
    )


def box_settings(tmp: Path, relay_url: str, graph_url: str, key: str, **extra: Any) -> Settings:
    ws = relay_url.replace("http://", "ws://") + "/box/v1/link"
    return load_settings(
        state_dir=tmp / "box",
        whatsapp={
            "enabled": True,
            "phone_number_id": PNID,
            "graph_url": graph_url,
            "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET,
            "uncertain_resend_after_s": 1.0,
            **extra.pop("whatsapp", {}),
        },
        relay_link={
            "url": ws,
            "box_id": "hotel-1",
            "key": key,
            "backoff_min_s": 0.05,
            "backoff_max_s": 0.3,
            **extra.pop("relay_link", {}),
        },
        **extra,
    )


@dataclass
class Rig:
    relay: Relay
    relay_url: str
    graph: FakeGraph
    meta: MetaWebhooks
    tmp: Path
    key: str
    box: Box | None = None

    async def box_query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        assert self.box is not None
        return [dict(r) for r in await self.box.store.fetchall(sql, params)]


@contextlib.asynccontextmanager
async def started_box(rig: Rig, **extra: Any) -> AsyncIterator[Box]:
    settings = box_settings(rig.tmp, rig.relay_url, rig.graph.url, rig.key, **extra)
    async with Box(settings, {}, live_channels=True) as box:
        rig.box = box
        assert box.whatsapp is not None
        assert box.whatsapp.link is not None
        await wait_for(lambda: box.whatsapp.link.state.connected, 10)  # type: ignore[union-attr]
        yield box
