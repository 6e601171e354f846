"""Past one relay VM: N boxes × 1 webhook/s through two ``hotelbox relay`` processes sharing one
PostgreSQL queue (Debian's server, started here). The boxes are real link clients (handshake,
MACs, acks) in a separate process, half linked to each relay; fake Meta posts each webhook to
either relay (as a load balancer would), so half the events cross from one relay to the other
through the database and NOTIFY.

* accept: webhook POST → 200 (commit in PostgreSQL inside);
* delivery: webhook POST sent → the event committed by its box (the other relay half the time).

``HOTELBOX_BENCH_BOXES`` (500) and ``HOTELBOX_BENCH_SECONDS`` (60) change the load.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from hotelbox.pipeline import stage_summary
from hotelbox.relay.protocol import new_key
from tests.bench.openloop import open_loop
from tests.e2e.processes import Proc, write_config
from tests.fakes.graph import MetaWebhooks, encode, message_body
from tests.fakes.postgres import Postgres
from tests.support import free_port

BOXES = int(os.environ.get("HOTELBOX_BENCH_BOXES", "500"))
SECONDS = float(os.environ.get("HOTELBOX_BENCH_SECONDS", "60"))


def pnid(i: int) -> str:
    return f"7{i:08d}"


def linked(marker: Path) -> int:
    try:
        return int(marker.read_text() or 0)
    except (OSError, ValueError):
        return 0


async def wait_connected(marker: Path, n: int, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(linked, marker) >= n:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"only {linked(marker)} of {n} boxes linked")


async def run(tmp: Path) -> dict[str, Any]:
    directory = tmp / "relay-cluster"
    pg = Postgres().start()
    try:
        return await _run(directory, pg)
    finally:
        pg.stop()


async def _run(directory: Path, pg: Postgres) -> dict[str, Any]:
    config = write_config(directory, free_port(), "http://127.0.0.1:9", new_key())
    keys = {f"hotel-{i:04d}": new_key() for i in range(BOXES)}
    with config.open("a") as f:
        for i, (box_id, key) in enumerate(sorted(keys.items())):
            f.write(f'\n[relay.boxes.{box_id}]\nphone_number_ids = ["{pnid(i)}"]\nkey = "{key}"\n')
    (directory / "keys.json").write_text(json.dumps(keys))
    queue_url = pg.new_database()
    ports = [free_port(), free_port()]
    relays = [
        Proc(
            f"relay-{n}",
            ["relay"],
            directory,
            config,
            env={
                "HOTELBOX_RELAY__PORT": str(port),
                "HOTELBOX_RELAY__RELAY_ID": f"relay-{n}",
                "HOTELBOX_RELAY__QUEUE_URL": queue_url,
                "HOTELBOX_RELAY__MAX_BODY_BYTES": "65536",
                "HOTELBOX_LOG__LEVEL": "WARNING",
            },
        )
        for n, port in zip("ab", ports, strict=True)
    ]
    for relay in relays:
        await relay.start()
    posters = [MetaWebhooks(f"http://127.0.0.1:{p}/wa/webhook") for p in ports]
    async with aiohttp.ClientSession() as http:
        for p in ports:  # up?
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    async with http.get(f"http://127.0.0.1:{p}/healthz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
    out = directory / "arrivals.txt"
    boxes = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.bench.relay_boxes", str(directory / "keys.json"), str(out),
        *(f"ws://127.0.0.1:{p}/box/v1/link" for p in ports),
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    sent: dict[str, float] = {}
    accept: list[float] = []
    errors = 0
    try:
        await wait_connected(Path(str(out) + ".connected"), BOXES, 120)
        procs = [psutil.Process(r.proc.pid) for r in relays if r.proc] + [psutil.Process(boxes.pid)]
        cpu0 = [p.cpu_times() for p in procs]

        async def post(i: int, n: int) -> None:
            nonlocal errors
            raw = encode(message_body(f"+3460{i:07d}", text=f"¿hay parking? {n}", pnid=pnid(i)))
            sent[hashlib.sha256(raw).hexdigest()] = time.time()
            try:
                status, seconds = await posters[n % 2].post_raw(raw)
                accept.append(seconds)
                errors += status != 200
            except Exception:
                errors += 1

        start = time.monotonic()
        n = await open_loop(BOXES, SECONDS, lambda n: post(n % BOXES, n))  # BOXES webhooks a second
        wall = time.monotonic() - start
        await asyncio.sleep(5.0)  # deliveries still in flight
        cpu = [
            (b.user + b.system) - (a.user + a.system)
            for a, b in zip(cpu0, [p.cpu_times() for p in procs], strict=True)
        ]
        rss = [p.memory_info().rss / 2**20 for p in procs]
    finally:
        if boxes.returncode is None:
            boxes.send_signal(signal.SIGTERM)
            await boxes.wait()
        for poster in posters:
            await poster.close()
        for relay in relays:
            await relay.stop()
    delivered: dict[str, float] = {}
    duplicates = 0
    for line in out.read_text().splitlines():
        _box, digest, at = line.split()
        if digest in delivered:
            duplicates += 1
        delivered[digest] = float(at)
    latencies = [delivered[d] - t for d, t in sent.items() if d in delivered]
    a, d = stage_summary(accept), stage_summary(latencies)
    print(
        f"### {BOXES} boxes × 1 webhook/s through 2 relays + PostgreSQL {pg.bin.parent.name}, {SECONDS:.0f} s"
    )
    print(f"offered {n} webhooks in {wall:.1f} s = {n / wall:.0f}/s; refused or failed posts {errors}")
    print(
        f"accept (POST → 200, PostgreSQL commit): p50 {a['p50_ms']} ms, p95 {a['p95_ms']} ms, p99 {a['p99_ms']} ms"
    )
    print(f"delivery (POST → box commit): p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms, p99 {d['p99_ms']} ms")
    print(f"delivered {len(latencies)}/{n}, duplicates {duplicates}")
    print(
        f"CPU per webhook: relays {1000 * (cpu[0] + cpu[1]) / n:.2f} ms, {BOXES} simulated boxes {1000 * cpu[2] / n:.2f} ms;"
        f" RSS relay-a {rss[0]:.0f} MB, relay-b {rss[1]:.0f} MB"
    )
    return {
        "boxes": BOXES,
        "offered": n,
        "rate": n / wall,
        "errors": errors,
        "accept": a,
        "delivery": d,
        "delivered": len(latencies),
        "duplicates": duplicates,
        "relay_cpu_ms_per_webhook": 1000 * (cpu[0] + cpu[1]) / n,
        "rss_mb": rss[:2],
    }
