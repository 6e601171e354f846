"""The text pipeline under load: 200 simultaneous guest conversations (ES/EN/PT: greetings,
hotel questions, availability from the demo PMS — local, so no PMS network round trip).

Two scenarios, because one number would mislead:
* paced — each guest pauses 0.5–1.5 s after the bot answers before writing again (people read
  and type), so about 200 messages/s are offered: the latency a guest sees at that load;
* saturated — no pauses: the most messages/s the box sustains. Here latency is queueing by
  construction (Little's law: conversations ÷ throughput) and is printed only for completeness.
Latency is from the moment the message is handed to the pipeline to the moment its reply is
handed to the channel."""

from __future__ import annotations

import asyncio
import random
import resource
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hotelbox.channels import SendResult
from hotelbox.config import load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.pipeline import stage_summary
from hotelbox.store.outbox import OutboxItem

GUESTS = 200
MESSAGES_EACH = 6


class TimingChannel:
    name = "bench"
    idempotent_send = True
    accepts_voice = False
    merge_replies = False

    def __init__(self) -> None:
        self.waiters: dict[str, asyncio.Future[float]] = {}

    async def send(self, item: OutboxItem) -> SendResult:
        waiter = self.waiters.pop(item.recipient, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(time.perf_counter())
        return SendResult(str(item.id))


def script(n: int) -> list[str]:
    day = datetime.now(ZoneInfo("Europe/Madrid")).date() + timedelta(days=30 + n % 60)
    months = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ]
    when = f"del {day.day} de {months[day.month - 1]} al {(day + timedelta(days=2)).day} de {months[(day + timedelta(days=2)).month - 1]}"
    pool = [
        ["hola", "¿tenéis parking?", f"¿hay habitación {when} para 2 adultos?", "¿a qué hora es el desayuno?",
         "¿admitís perros?", "gracias"],
        ["hello", "what time is check-in?", "is there wifi?", "do you have a pool?", "how much is the double room?",
         "thanks"],
        ["olá", "têm estacionamento?", "a que horas é o check-out?", "aceitam cartão?", "onde fica o hotel?", "obrigado"],
    ]  # fmt: skip
    return pool[n % 3]


async def guest(
    box: Box, channel: TimingChannel, n: int, latencies: list[float], think: tuple[float, float], tag: str
) -> None:
    address = f"+3460{n:07d}{tag}"
    rng = random.Random(n)
    await asyncio.sleep(rng.uniform(0, max(0.5, think[1])))
    for k, text in enumerate(script(n)[:MESSAGES_EACH]):
        if k and think[1]:
            await asyncio.sleep(rng.uniform(*think))
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        channel.waiters[address] = waiter
        sent = time.perf_counter()
        await box.pipeline.accept(
            Inbound(
                channel="bench", channel_message_id=f"{address}-{k}", sender=address, text=text, phone=address
            )
        )
        done = await asyncio.wait_for(waiter, 60)
        latencies.append(done - sent)


async def scenario(box: Box, channel: TimingChannel, name: str, think: tuple[float, float]) -> dict[str, Any]:
    latencies: list[float] = []
    stats = box.store.stats
    writes0, tx0 = stats.writes, stats.transactions
    times = box.pipeline.times
    marks = {stage: len(getattr(times, stage)) for stage in ("understand", "dialogue", "commit")}
    started = time.perf_counter()
    await asyncio.gather(*(guest(box, channel, n, latencies, think, name[0]) for n in range(GUESTS)))
    elapsed = time.perf_counter() - started
    summary = stage_summary(latencies)
    throughput = len(latencies) / elapsed
    print(f"### {name}: {GUESTS} conversations × {MESSAGES_EACH} messages, pause {think[0]}–{think[1]} s")
    print(
        f"latency to reply: p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms"
    )
    print(f"throughput: {throughput:.0f} messages/s ({len(latencies)} in {elapsed:.1f} s)")
    for stage, mark in marks.items():
        s = stage_summary(getattr(times, stage)[mark:])
        print(f"  stage {stage:10} p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms")
    writes, tx = stats.writes - writes0, stats.transactions - tx0
    print(f"  store: {writes} writes in {tx} transactions ({writes / max(1, tx):.1f} per fsync)")
    return {"latency": summary, "throughput_per_s": throughput, "writes_per_transaction": writes / max(1, tx)}


async def run(tmp: Path) -> dict[str, Any]:
    settings = load_settings(state_dir=tmp / "pipeline")
    channel = TimingChannel()
    async with Box(settings, {"bench": channel}) as box:
        paced = await scenario(box, channel, "paced", (0.5, 1.5))
        saturated = await scenario(box, channel, "saturated", (0.0, 0.0))
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {peak_rss_mb:.0f} MB")
        return {"paced": paced, "saturated": saturated, "peak_rss_mb": peak_rss_mb}
