"""The conversation corpus (tests/conversations, issue 12) on one Box: pass rate per language,
per language and split (dev / held-out), per category and per variety, and the text latency of
each guest turn (message handed to the box → first reply handed to the channel).

``make bench BENCH=conversations``; ``CORPUS=path1,path2`` plays other files or directories
(e.g. a draft corpus) instead of the repository's; ``CORPUS_REPORT=file`` keeps the transcripts.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from hotelbox.pipeline import stage_summary
from tests.conversations.report import latencies, pass_rates, table, write_transcripts
from tests.conversations.runner import CorpusRunner
from tests.conversations.schema import Conversation, CorpusError, load_all


async def run(tmp: Path) -> dict[str, Any]:
    paths = [Path(p) for p in os.environ.get("CORPUS", "").split(",") if p]
    loaded = list(load_all(paths))
    broken = [e for e in loaded if isinstance(e, CorpusError)]
    for e in broken:
        print(f"skipped, not valid: {e}")
    conversations = [c for c in loaded if isinstance(c, Conversation)]
    started = time.perf_counter()
    async with CorpusRunner(tmp / "conversations") as runner:
        load_s = time.perf_counter() - started
        results = [await runner.play(c) for c in conversations]
        stages = {
            name: stage_summary(getattr(runner.box.pipeline.times, name))
            for name in ("understand", "dialogue", "commit", "total")
        }
    took = time.perf_counter() - started
    print(
        f"{len(results)} conversations, {sum(len(r.turns) for r in results)} guest turns, "
        f"box start {load_s:.1f} s, whole run {took:.1f} s"
    )
    print(table(results))
    lat = latencies(results)
    print(
        f"text latency per turn: p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, max {lat['max_ms']} ms "
        f"({lat['turns']} turns)"
    )
    print(
        "inside the pipeline per message (p50/p95 ms): "
        + ", ".join(f"{k} {v.get('p50_ms', '-')}/{v.get('p95_ms', '-')}" for k, v in stages.items())
    )
    report = write_transcripts(results, Path(os.environ.get("CORPUS_REPORT") or tmp / "corpus-report.txt"))
    if os.environ.get("CORPUS_REPORT"):
        print(f"transcripts: {report}")
    return {
        "rates": pass_rates(results),
        "latency": lat,
        "pipeline_stages": stages,
        "broken_files": len(broken),
        "seconds": round(took, 1),
        "results": [r.to_json() for r in results],
    }
