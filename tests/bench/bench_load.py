"""Load and soak: hundreds of guest conversations at once, text and voice notes mixed, through the
whole product as deployed (fake Meta → ``hotelbox relay`` → ``hotelbox run`` → fake Graph; the
web chat; the box syncing a fake QloApps that answers as slowly as the measured one, a full
sync every 30 s). Guests wait for each answer and think 5–25 s before writing again.

Reported: throughput; p50/p95/p99 per hop the harness sees (accepted, answered — per kind) and
per pipeline stage inside the box (its own histogram, bucket-interpolated); peak RSS of each
process and the box's RSS drift over the second half of the run (a leak shows as a slope).

``HOTELBOX_LOAD_CONVERSATIONS`` (500) and ``HOTELBOX_LOAD_SECONDS`` (600) set the size.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from prometheus_client.parser import text_string_to_metric_families

from hotelbox.pipeline import stage_summary
from tests.e2e.stack import Stack
from tests.fakes.graph import FakeGraph

CONVERSATIONS = int(os.environ.get("HOTELBOX_LOAD_CONVERSATIONS", "500"))
SECONDS = float(os.environ.get("HOTELBOX_LOAD_SECONDS", "600"))
VOICE_SHARE = 0.03
THINK_S = (5.0, 25.0)


def histogram_percentiles(text: str, metric: str) -> dict[str, dict[str, float]]:
    """p50/p95/p99 (ms) per label from a Prometheus histogram, interpolated within buckets."""
    out: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name != metric:
            continue
        buckets: dict[str, list[tuple[float, float]]] = {}
        for s in family.samples:
            if s.name.endswith("_bucket"):
                buckets.setdefault(s.labels["stage"], []).append((float(s.labels["le"]), s.value))
        for stage, bs in buckets.items():
            bs.sort()
            total = bs[-1][1]
            if not total:
                continue
            row = {"n": total}
            for p in (0.5, 0.95, 0.99):
                rank, lower, below = p * total, 0.0, 0.0
                for le, count in bs:
                    if count >= rank:
                        upper = le if le != float("inf") else lower * 2
                        share = (rank - below) / (count - below) if count > below else 0.0
                        row[f"p{round(p * 100)}_ms"] = round(1000 * (lower + share * (upper - lower)), 1)
                        break
                    lower, below = le, count
            out[stage] = row
    return out


def conversations_with_staff(db: Path, unanswered: list[str]) -> dict[str, int]:
    """Why guests got no answer from the bot: their conversation's state at the end (a guest
    handed to staff — after two messages not understood, a complaint… — waits for a person,
    and the harness has none), and what is left undone in their outbox and inbox."""
    phones = {u.split(":", 1)[0] for u in unanswered}
    out: dict[str, int] = {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        rows = conn.execute(
            "SELECT c.id, i.address, i.phone, c.control, c.attention FROM conversations c"
            " JOIN guest_identities i ON i.id = c.identity_id"
        ).fetchall()
        ids = [cid for cid, address, phone, *_ in rows if address in phones or phone in phones]
        marks = ",".join("?" * len(ids))
        details = conn.execute(
            f"SELECT 'outbox ' || status || ' ' || coalesce(last_error, '') FROM outbox WHERE conversation_id IN ({marks})"
            f" AND status NOT IN ('sent', 'delivered', 'read') UNION ALL"
            f" SELECT 'inbox ' || status || ' ' || coalesce(error, '') FROM inbox WHERE conversation_id IN ({marks})"
            f" AND status != 'done'",
            ids + ids,
        ).fetchall()
    finally:
        conn.close()
    for _, address, phone, control, attention in rows:
        if address in phones or phone in phones:
            key = f"conversation {control}/{attention or '-'}"
            out[key] = out.get(key, 0) + 1
    for (detail,) in details:
        out[detail[:80]] = out.get(detail[:80], 0) + 1
    return out


def error_counts(text: str, codes: tuple[str, ...]) -> dict[str, float]:
    """hotelbox_errors_total by code: the given ones (0 when never counted) and any other."""
    out = dict.fromkeys(codes, 0.0)
    for family in text_string_to_metric_families(text):
        if family.name == "hotelbox_errors":
            for s in family.samples:
                if s.name == "hotelbox_errors_total":
                    out[s.labels["code"]] = s.value
    return out


class RssSampler:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.samples: dict[str, list[tuple[float, float]]] = {}

    async def run(self, every_s: float = 1.0) -> None:
        start = time.monotonic()
        while True:
            now = time.monotonic() - start
            for proc in self.stack.procs:
                if proc.proc is not None and proc.proc.returncode is None:
                    try:
                        process = psutil.Process(proc.proc.pid)
                        rss = process.memory_info().rss / 2**20
                        children = process.children(recursive=True)
                    except psutil.Error:
                        continue
                    self.samples.setdefault(proc.name, []).append((now, rss))
                    if proc.name != "box":
                        continue
                    together = rss
                    for child in children:  # the box's speech worker(s), issue 16
                        try:
                            role = child.cmdline()[3] if "hotelbox.speech.worker" in child.cmdline() else None
                            child_rss = child.memory_info().rss / 2**20
                        except (psutil.Error, IndexError):
                            continue
                        if role:
                            self.samples.setdefault(f"speech worker ({role})", []).append((now, child_rss))
                            together += child_rss
                    self.samples.setdefault("box + workers", []).append((now, together))
            await asyncio.sleep(every_s)

    def report(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name, points in self.samples.items():
            half = points[len(points) // 2 :]
            slope = (
                statistics.linear_regression([t for t, _ in half], [r for _, r in half]).slope
                if len(half) > 2
                else 0.0
            )
            minutes: dict[int, float] = {}
            for t, r in points:
                minutes[int(t // 60)] = r  # the last sample of each minute
            out[name] = {
                "per_minute_mb": [round(r) for _, r in sorted(minutes.items())],
                "peak_mb": round(max(r for _, r in points), 1),
                "start_mb": round(points[0][1], 1),
                "end_mb": round(points[-1][1], 1),
                "drift_mb_per_min_second_half": round(60 * slope, 2),
            }
        return out


async def scenario(tmp: Path, conversations: int, seconds: float) -> dict[str, Any]:
    async with FakeGraph() as graph:
        stack = Stack(tmp, graph, resend_s=30.0, sync=True, pms_latency_ms=0.0, realistic_pms=True)
        await stack.start(with_voice=True)
        sampler = RssSampler(stack)
        sampling = asyncio.create_task(sampler.run())
        deadline = time.monotonic() + seconds
        try:

            async def guest(g: int) -> None:
                rng = random.Random(g)
                await asyncio.sleep(rng.uniform(0, THINK_S[1]))  # arrivals spread, not a thundering herd
                while time.monotonic() < deadline:
                    await stack.asker(g, 1, rng, THINK_S, VOICE_SHARE)

            started = time.monotonic()
            await asyncio.gather(*(guest(g) for g in range(conversations)))
            wall = time.monotonic() - started
            async with aiohttp.ClientSession() as http, http.get(f"{stack.web}/metrics") as resp:
                metrics = await resp.text()
            handed = await asyncio.to_thread(
                conversations_with_staff, tmp / "var" / "hotelbox.db", stack.ledger.unanswered
            )
        finally:
            sampling.cancel()
            await stack.stop()
    samples = stack.ledger.samples
    answered = [s for s in samples if s.answered]
    by_kind = {
        kind: {
            "accepted": stage_summary([s.accepted - s.posted for s in samples if s.kind == kind]),
            "answered": stage_summary([s.answered - s.posted for s in answered if s.kind == kind]),
        }
        for kind in ("text", "voice", "web")
    }
    stages = histogram_percentiles(metrics, "hotelbox_stage_seconds")
    shed = error_counts(metrics, ("speech_busy", "voice_reply_skipped"))
    rss = sampler.report()
    print(
        f"### {conversations} conversations for {seconds:.0f} s (voice {VOICE_SHARE:.0%} of WhatsApp messages, PMS syncing)"
    )
    print(
        f"{len(samples)} guest messages in {wall:.0f} s = {len(samples) / wall:.1f}/s; answered {len(answered)}, unanswered {len(stack.ledger.unanswered)}"
    )
    for kind, row in by_kind.items():
        a, e = row["accepted"], row["answered"]
        if e.get("n"):
            print(
                f"{kind:5}: accepted p50 {a['p50_ms']} / p95 {a['p95_ms']} / p99 {a['p99_ms']} ms;"
                f" answered p50 {e['p50_ms']} / p95 {e['p95_ms']} / p99 {e['p99_ms']} ms (n={e['n']})"
            )
    for stage in (
        "decode",
        "transcribe",
        "understand",
        "dialogue",
        "commit",
        "synthesize",
        "send",
        "pms",
        "total",
    ):
        if stage in stages:
            s = stages[stage]
            print(
                f"  box stage {stage:10}: p50 {s.get('p50_ms')} / p95 {s.get('p95_ms')} / p99 {s.get('p99_ms')} ms (n={s['n']:.0f})"
            )
    if stack.ledger.unanswered:
        print(f"  unanswered within 180 s: {stack.ledger.unanswered[:10]}")
        print(f"  their conversations and what is left undone: {handed}")
    voice_notes = by_kind["voice"]["answered"].get("n", 0)
    print(
        f"  voice notes: {voice_notes} answered, of which {shed['speech_busy']:.0f} handed to staff"
        f" (no speech slot within speech.max_queue_wait_s); voice replies skipped while others waited:"
        f" {shed['voice_reply_skipped']:.0f}"
    )
    print(f"  errors and warnings counted by code: {shed}")
    for name, r in rss.items():
        print(
            f"  RSS {name}: start {r['start_mb']} MB, peak {r['peak_mb']} MB, end {r['end_mb']} MB,"
            f" drift {r['drift_mb_per_min_second_half']} MB/min over the second half"
        )
        print(f"    per minute: {r['per_minute_mb']}")
    return {
        "conversations": conversations,
        "seconds": wall,
        "messages": len(samples),
        "answered": len(answered),
        "unanswered": stack.ledger.unanswered,
        "rate": len(samples) / wall,
        "by_kind": by_kind,
        "box_stages": stages,
        "shed": shed,
        "unanswered_by_state": handed,
        "rss": rss,
    }


async def run(tmp: Path) -> dict[str, Any]:
    return await scenario(tmp / "load", CONVERSATIONS, SECONDS)
