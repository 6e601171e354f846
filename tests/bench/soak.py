"""``make soak``: the long forms of the crash and load harnesses (CI runs their short forms).

1. Chaos: guests on WhatsApp (text, voice) and the web chat, and bookers, while relay, box and
   PMS are SIGKILLed at random every 2–6 s — about ten minutes — then every promise checked.
2. Load: 500 conversations for 10 minutes (``tests/bench/bench_load.py``), with RSS drift.

``HOTELBOX_SOAK_GUESTS`` (60), ``HOTELBOX_SOAK_TURNS`` (12) and ``HOTELBOX_SOAK_BOOKERS`` (12) size
the chaos run; the load run takes ``HOTELBOX_LOAD_*``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from tests.bench import bench_load
from tests.e2e.stack import run_chaos


async def main(tmp: Path) -> int:
    report = await run_chaos(
        tmp / "chaos",
        guests=int(os.environ.get("HOTELBOX_SOAK_GUESTS", "60")),
        turns=int(os.environ.get("HOTELBOX_SOAK_TURNS", "12")),
        bookers=int(os.environ.get("HOTELBOX_SOAK_BOOKERS", "12")),
        kill_every_s=(2.0, 6.0),
        think_s=(1.0, 8.0),
    )
    print("## chaos")
    print(report.summary())
    problems = report.problems()
    for problem in problems:
        print("PROBLEM:", problem)
    print("\n## load")
    result = await bench_load.run(tmp)
    if result["unanswered"]:
        problems.append(f"{len(result['unanswered'])} unanswered under load")
    return 1 if problems else 0


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory(prefix="hotelbox-soak-") as tmp:
        os.environ.setdefault("HOTELBOX_NLU__MODEL_DIR", str(Path.home() / ".cache" / "hotelbox" / "nlu"))
        sys.exit(asyncio.run(main(Path(tmp))))
