"""Many boxes in one process, for the relay benchmarks: each a real :class:`RelayLink` (handshake,
MAC checks, batching, cumulative acks) whose "store" only notes when each event arrived.

``python -m tests.bench.relay_boxes KEYS.json OUT.jsonl URL [URL…]`` — box *i* links to URL
*i mod n*; runs until SIGTERM, then writes one line per event: box id, body sha256, arrival time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import signal
import sys
import time
from pathlib import Path

from hotelbox.channels.relay_link import RelayedEvent, RelayLink
from hotelbox.config import RelayLinkSettings
from hotelbox.relay.protocol import parse_key


async def main(keys: dict[str, str], out: Path, urls: list[str]) -> None:
    arrivals: list[tuple[str, str, float]] = []
    links: list[RelayLink] = []
    committed: dict[str, int] = {}

    for i, (box_id, key) in enumerate(sorted(keys.items())):

        async def resume(box_id: str = box_id) -> int:
            return committed.get(box_id, 0)

        async def store(events: list[RelayedEvent], box_id: str = box_id) -> None:
            now = time.time()
            for e in events:
                if e.seq > committed.get(box_id, 0):
                    arrivals.append((box_id, hashlib.sha256(e.body).hexdigest(), now))
                    committed[box_id] = e.seq

        settings = RelayLinkSettings(
            url=urls[i % len(urls)], box_id=box_id, backoff_min_s=0.2, backoff_max_s=2.0, heartbeat_s=30
        )
        links.append(RelayLink(settings, parse_key(key), resume_point=resume, store_batch=store))

    for link in links:
        await link.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("started", flush=True)
    while not stop.is_set():
        connected = sum(link.state.connected for link in links)
        await asyncio.to_thread(Path(str(out) + ".connected").write_text, str(connected))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    for link in links:
        await link.stop()
    lines = "".join(f"{box_id} {digest} {at:.6f}\n" for box_id, digest, at in arrivals)
    await asyncio.to_thread(out.write_text, lines)


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]), sys.argv[3:]))
