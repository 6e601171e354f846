"""QloApps: answers from the mirror vs a live round trip, the full sync, and the scheduler under
pressure. The fake QloApps runs as its own process and answers as slowly as the measured real
instance did (``ServiceTimes``: hotel_ari ≈ 19 ms + 1 ms per room-type-night, a booking
≈ 140 ms, a GET ≈ 10 ms, plus 0.5 ms of LAN) — it stands for another machine on the LAN.

1. availability: 300 random stays (1–7 nights in the next 60 days, 1–3 adults) asked of the
   mirror and of QloApps live (the same ``search``), p50/p95 and the ratio; then the same as a
   guest sees it — message in, reply out — with a fresh mirror and with every answer re-checked
   live (``stale_after_s`` ≈ 0).
2. sync: one hotel × 10 room types × 365 days, from empty, chunk by chunk.
3. pressure: paced guests (availability + questions) with nothing else running; with the speech
   lane saturated; and with the speech lane saturated *and* a full sync started in the
   background — guest-facing p95 in each, and the ratio to the unloaded value. The speech work
   is a stand-in for CTranslate2 (no model can be fetched here): ``threads`` BLAS threads doing
   float32 matrix products with the GIL released, one job after another.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.pipeline import stage_summary
from hotelbox.pms.mirror import MirroredPms
from hotelbox.scheduler import Priority
from tests.bench.bench_pipeline import TimingChannel
from tests.fakes.qloapps import FULL_KEY
from tests.helpers import say_date
from tests.support import hotel_today, running_fake_qloapps

STAYS = 300


def settings_for(tmp: Path, url: str, **sync: Any) -> Settings:
    sync_settings = {"horizon_days": 365, "availability_interval_s": 3600, "far_interval_s": 3600, **sync}
    return load_settings(
        state_dir=tmp,
        pms={"kind": "qloapps", "qloapps": {"url": url, "key": FULL_KEY}, "sync": sync_settings},
    )


@contextmanager
def fake(*args: str) -> Iterator[str]:
    with running_fake_qloapps("large", "--room-types", "10", "--realistic", *args) as url:
        yield url


def stays(rng: random.Random) -> list[tuple[date, date, int]]:
    out = []
    for _ in range(STAYS):
        ci = hotel_today() + timedelta(days=rng.randint(1, 60))
        out.append((ci, ci + timedelta(days=rng.randint(1, 7)), rng.randint(1, 3)))
    return out


def ms(values: list[float]) -> dict[str, float]:
    return stage_summary(values)


async def availability(tmp: Path) -> dict[str, Any]:
    rng = random.Random(3)
    with fake() as url:
        settings = settings_for(tmp / "avail", url)
        async with Box(settings, {}) as box:
            pms = box.pms
            assert isinstance(pms, MirroredPms)
            await pms.sync.initial_done.wait()
            mirror, live = [], []
            for ci, co, adults in stays(rng):
                t = time.perf_counter()
                a = await pms.search(ci, co, adults, 0)
                mirror.append(time.perf_counter() - t)
                t = time.perf_counter()
                b = await pms.remote.search(ci, co, adults, 0)
                live.append(time.perf_counter() - t)
                assert [o.room_type.code for o in a] == [o.room_type.code for o in b]
    m, lv = ms(mirror), ms(live)
    print(f"### availability ({STAYS} random stays, 10 room types)")
    print(f"mirror: p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms")
    print(f"live QloApps round trip: p50 {lv['p50_ms']} ms, p95 {lv['p95_ms']} ms")
    print(
        f"mirror is {lv['p50_ms'] / max(m['p50_ms'], 0.001):.0f}× faster at p50, {lv['p95_ms'] / max(m['p95_ms'], 0.001):.0f}× at p95"
    )
    return {"mirror": m, "live": lv}


async def ask(box: Box, channel: TimingChannel, address: str, n: int, text: str) -> float:
    waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    channel.waiters[address] = waiter
    sent = time.perf_counter()
    await box.pipeline.accept(
        Inbound(
            channel="bench", channel_message_id=f"{address}-{n}", sender=address, text=text, phone=address
        )
    )
    return await asyncio.wait_for(waiter, 60) - sent


def availability_question(rng: random.Random) -> str:
    ci = hotel_today() + timedelta(days=rng.randint(2, 60))
    co = ci + timedelta(days=rng.randint(1, 5))
    return f"¿tenéis habitación del {say_date(ci, 'es')} al {say_date(co, 'es')} para 2 adultos?"


async def guest_answers(tmp: Path, url: str, name: str, **sync: Any) -> dict[str, float]:
    """Each of 40 guests asks for availability three times (new conversations each time)."""
    channel = TimingChannel()
    settings = settings_for(tmp / name, url, **sync)
    latencies: list[float] = []
    async with Box(settings, {"bench": channel}) as box:
        await box.pms.sync.initial_done.wait()  # type: ignore[attr-defined]

        async def guest(n: int) -> None:
            rng = random.Random(n)
            await asyncio.sleep(rng.uniform(0, 1))
            for k in range(3):
                latencies.append(await ask(box, channel, f"+3465{n:07d}{k}", 0, availability_question(rng)))
                await asyncio.sleep(rng.uniform(0.3, 1.0))

        await asyncio.gather(*(guest(n) for n in range(40)))
    return ms(latencies)


async def sync_duration(tmp: Path) -> dict[str, Any]:
    with fake() as url:
        settings = settings_for(tmp / "sync", url)
        box = Box(settings, {})
        async with box:
            pms = box.pms
            assert isinstance(pms, MirroredPms)
            await pms.sync.initial_done.wait()
            first = pms.sync.full_sync_s
            # again, timed job by job, from an empty mirror
            await box.store.write(lambda c: c.execute("DELETE FROM pms_nights"))
            times = {}
            for job in ("catalogue", "near", "far", "bookings"):
                t = time.perf_counter()
                assert await pms.sync.run_job(job, Priority.BACKGROUND)
                times[job] = time.perf_counter() - t
            rows = await box.store.fetchone("SELECT count(*) AS n FROM pms_nights")
            assert rows is not None
        nights = rows["n"]
    total = sum(times.values())
    chunks = -(-30 // 31) + -(-335 // 31)
    print("### full sync: 1 hotel × 10 room types × 365 days")
    print(
        f"{nights} room-type-nights in {total:.2f} s ({nights / total:.0f}/s, {chunks} hotel_ari calls of ≤ 31 nights); "
        + ", ".join(f"{job} {seconds:.2f} s" for job, seconds in times.items())
    )
    print(f"(the box's own full sync at start took {first:.2f} s)")
    return {"seconds": total, "nights": nights, "jobs": times, "at_start_s": first}


class SpeechLoad:
    """Keeps the speech lane busy: job after job, each ``threads`` BLAS threads of matmuls."""

    def __init__(self, box: Box) -> None:
        self.box = box
        self.stop = False
        self.jobs = 0
        self._task: asyncio.Task[None] | None = None
        rng = np.random.default_rng(0)
        self.big = rng.standard_normal((1536, 1536), dtype=np.float32)

    def job(self, threads: int) -> None:
        """About 0.3 s of work per thread, all inside BLAS with the GIL released — the way
        CTranslate2 runs a whole encoder/decoder pass in C++."""

        def work() -> None:
            self.big @ self.big

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    async def run(self) -> None:
        lane = self.box.scheduler.lane("speech")
        while not self.stop:
            await lane.run(self.job, lane.threads)
            self.jobs += 1

    def __enter__(self) -> SpeechLoad:
        self._task = asyncio.create_task(self.run())
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop = True


async def paced_guests(
    box: Box, channel: TimingChannel, tag: str, until: asyncio.Task[Any] | None = None
) -> list[float]:
    """60 guests, 6 messages each (every other one an availability question), 0.3–1.2 s apart;
    with ``until``, only the replies that came while that task still ran are kept."""
    latencies: list[float] = []
    questions = ["hola", "¿a qué hora es el desayuno?", "¿tenéis parking?", "is there wifi?", "gracias"]

    async def guest(n: int) -> None:
        rng = random.Random(f"{tag}-{n}")
        await asyncio.sleep(rng.uniform(0, 1.0))
        for k in range(6):
            text = availability_question(rng) if k % 2 else questions[(n + k) % len(questions)]
            latency = await ask(box, channel, f"+3466{n:06d}{tag}", k, text)
            if until is None or not until.done():
                latencies.append(latency)
            await asyncio.sleep(rng.uniform(0.3, 1.2))

    await asyncio.gather(*(guest(n) for n in range(60)))
    return latencies


ROUNDS = 3


async def pressure(tmp: Path) -> dict[str, Any]:
    """Three scenarios, interleaved over ROUNDS rounds so drift (a growing database, a warming
    cache) falls on all of them alike; samples pooled per scenario."""
    samples: dict[str, list[float]] = {"unloaded": [], "speech": [], "speech+sync": []}
    sync_seconds: list[float] = []
    with fake() as url:
        channel = TimingChannel()
        settings = settings_for(tmp / "pressure", url)
        async with Box(settings, {"bench": channel}) as box:
            pms = box.pms
            assert isinstance(pms, MirroredPms)
            await pms.sync.initial_done.wait()
            pauses0 = box.scheduler.pauses
            for r in range(ROUNDS):
                samples["unloaded"] += await paced_guests(box, channel, f"a{r}")
                with SpeechLoad(box):
                    await asyncio.sleep(0.5)
                    samples["speech"] += await paced_guests(box, channel, f"b{r}")
                    started = time.perf_counter()
                    sync_task = asyncio.create_task(pms.sync.full(Priority.BACKGROUND))
                    k = 0
                    while not sync_task.done():  # guests for as long as the sync runs
                        samples["speech+sync"] += await paced_guests(
                            box, channel, f"c{r}{k}", until=sync_task
                        )
                        k += 1
                    assert await sync_task
                    sync_seconds.append(time.perf_counter() - started)
            snapshot = box.scheduler.snapshot()
            speech_jobs = snapshot["lanes"]["speech"]["completed"]
            pauses = box.scheduler.pauses - pauses0
    figures = {name: ms(values) for name, values in samples.items()}
    base = figures["unloaded"]["p95_ms"]
    print(
        f"### pressure: paced guests (half availability questions), 10 room types, {ROUNDS} interleaved rounds"
    )
    for name, f in figures.items():
        print(
            f"{name:12} n={f['n']:4}  p50 {f['p50_ms']} ms  p95 {f['p95_ms']} ms  → p95 {f['p95_ms'] / base:.2f}× unloaded"
        )
    sync_cost = figures["speech+sync"]["p95_ms"] / figures["speech"]["p95_ms"]
    print(
        f"  what the background sync costs guests while speech is saturated: p95 {sync_cost:.2f}× "
        "(speech+sync vs speech alone)"
    )
    print(
        f"  full sync under load (3650 room-type-nights, background priority): {min(sync_seconds):.1f}–"
        f"{max(sync_seconds):.1f} s (unloaded: see 'full sync'); background paused {pauses} times behind"
        f" queued guests; {speech_jobs} speech jobs ran on a {box.scheduler.lane('speech').threads}-thread budget"
    )
    return {name: f for name, f in figures.items()} | {
        "p95_ratio": figures["speech+sync"]["p95_ms"] / base,
        "sync_cost_ratio": sync_cost,
        "sync_under_load_s": sync_seconds,
    }


async def run(tmp: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    results["availability"] = await availability(tmp)
    with fake() as url:
        fresh = await guest_answers(tmp, url, "fresh")
        live = await guest_answers(tmp, url, "live", stale_after_s=0.001)
    print("### availability as a guest sees it (message in → reply out, 40 guests × 3 questions)")
    print(f"from the mirror:         p50 {fresh['p50_ms']} ms, p95 {fresh['p95_ms']} ms")
    print(f"re-checked live each time: p50 {live['p50_ms']} ms, p95 {live['p95_ms']} ms")
    results["guest_availability"] = {"mirror": fresh, "live": live}
    results["sync"] = await sync_duration(tmp)
    results["pressure"] = await pressure(tmp)
    return results
