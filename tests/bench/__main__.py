"""``make bench``: every benchmark, figures printed (no thresholds: read them, compare them)."""

from __future__ import annotations

import os

# BLAS single-threaded: the benchmarks decide how many threads work (the speech lane's budget)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import (
    bench_conversations,
    bench_desk,
    bench_load,
    bench_nlu,
    bench_pipeline,
    bench_pms,
    bench_relay_cluster,
    bench_roundtrip,
    bench_speech,
    bench_vocabulary,
    bench_voice_turn,
    bench_whatsapp,
)

BENCHES = {
    "nlu": bench_nlu.run,
    "pipeline": bench_pipeline.run,
    "pms": bench_pms.run,
    "whatsapp": bench_whatsapp.run,
    "speech": bench_speech.run,
    "voice_turn": bench_voice_turn.run,
    "vocabulary": bench_vocabulary.run,
    "roundtrip": bench_roundtrip.run,
    "beam": lambda tmp: asyncio.to_thread(bench_speech.beam_sizes, tmp),
    "desk": bench_desk.run,
    "relay_cluster": bench_relay_cluster.run,
    "load": bench_load.run,
    "conversations": bench_conversations.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("only", nargs="*", choices=[*BENCHES, []], help="benchmarks to run (default: all)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotelbox-bench-") as tmp:
        os.environ.setdefault("HOTELBOX_NLU__MODEL_DIR", str(Path.home() / ".cache" / "hotelbox" / "nlu"))
        print(
            f"# hotelbox benchmarks — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')}"
        )
        results = {}
        for name in args.only or BENCHES:
            print(f"\n## {name}")
            results[name] = asyncio.run(BENCHES[name](Path(tmp)))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))


main()
