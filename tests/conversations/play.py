"""``python -m tests.conversations.play PATH|ID…``: play conversations on a fresh box and print
their transcripts (pass or fail) — the quickest way to see one chat end to end. IDs are looked up
in the corpus; held-out transcripts print only with ``CORPUS_SHOW_HELDOUT=1``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from tests.conversations.report import show_heldout, table
from tests.conversations.runner import CorpusRunner
from tests.conversations.schema import CORPUS, Conversation, CorpusError, load_all


def select(names: list[str]) -> list[Conversation | CorpusError]:
    paths = [Path(n) for n in names if Path(n).exists()]
    ids = {n for n in names if not Path(n).exists()}
    chosen = list(load_all(paths)) if paths else []
    if ids:
        found = [c for c in load_all([CORPUS]) if isinstance(c, Conversation) and c.id in ids]
        missing = ids - {c.id for c in found}
        if missing:
            raise SystemExit(f"no conversation with id {', '.join(sorted(missing))} under {CORPUS}")
        chosen += found
    return chosen


async def play(conversations: list[Conversation]) -> int:
    async with CorpusRunner() as runner:
        results = [await runner.play(c) for c in conversations]
    for r in results:
        if r.conversation.split == "heldout" and not show_heldout():
            print(f"{r.id}: {'PASS' if r.passed else 'FAIL'} (held out: CORPUS_SHOW_HELDOUT=1 shows it)\n")
        else:
            print(r.transcript() + "\n")
    if len(results) > 1:
        print(table(results))
    return 0 if all(r.passed for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conversations.play")
    parser.add_argument("conversations", nargs="+", help="files, directories or conversation ids")
    args = parser.parse_args(argv)
    os.environ.setdefault("HOTELBOX_NLU__MODEL_DIR", str(Path.home() / ".cache" / "hotelbox" / "nlu"))
    chosen = select(args.conversations)
    broken = [c for c in chosen if isinstance(c, CorpusError)]
    for e in broken:
        print(e, file=sys.stderr)
    good = [c for c in chosen if isinstance(c, Conversation)]
    if not good:
        return 2
    return asyncio.run(play(good)) or (1 if broken else 0)


if __name__ == "__main__":
    sys.exit(main())
