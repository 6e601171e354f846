"""Fixtures for the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hotelbox.relay.protocol import new_key
from hotelbox.relay.server import running_relay
from tests.fakes.graph import FakeGraph, MetaWebhooks
from tests.integration.wa_rig import Rig, relay_settings


@pytest.fixture
async def rig(tmp_path: Path, nlu_cache: Path) -> AsyncIterator[Rig]:
    key = new_key()
    async with FakeGraph() as graph, running_relay(relay_settings(tmp_path, key)) as (relay, url):
        graph.webhook_url = f"{url}/wa/webhook"
        meta = MetaWebhooks(f"{url}/wa/webhook")
        try:
            yield Rig(relay, url, graph, meta, tmp_path, key)
        finally:
            await meta.close()
