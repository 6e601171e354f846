"""Run the fake QloApps on its own (for end-to-end tests, benchmarks and trying the box out).

    python -m tests.fakes.qloapps --port 8081 --hotel demo-like --latency-ms 3

``--hotel install`` is QloApps' own demo install (4 room types × 5 rooms); ``demo-like`` is
set up like hotelbox's embedded demo hotel; ``large`` has ``--room-types`` types of 8 rooms.
Prints one line ``listening <url>`` once it accepts connections; stops on SIGTERM / SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

from tests.fakes.qloapps.seed import RoomTypeSpec, Seed, demo_like_seed
from tests.fakes.qloapps.server import FakeQloApps


def make_seed(hotel: str, room_types: int) -> Seed:
    seed = Seed()
    if hotel == "demo-like":
        return demo_like_seed()
    if hotel == "large":
        seed.set_room_types(
            [
                RoomTypeSpec(f"Room type {n}", str(80 + 10 * n), 8, max_adults=2 + n % 3, prefix=f"T{n}")
                for n in range(1, room_types + 1)
            ]
        )
    return seed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--hotel", choices=["install", "demo-like", "large"], default="install")
    parser.add_argument("--room-types", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    parser.add_argument("--state", type=Path, help="keep the hotel in this file (survives kill -9)")
    parser.add_argument(
        "--realistic", action="store_true", help="answer as slowly as the measured QloApps (ServiceTimes)"
    )
    args = parser.parse_args()
    fake = FakeQloApps(host=args.host, port=args.port, seed=make_seed(args.hotel, args.room_types))
    fake.switches.latency_s = args.latency_ms / 1000
    fake.switches.realistic = args.realistic
    if args.state is not None:
        fake.persist_to(args.state)
    await fake.start()
    print(f"listening {fake.url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
