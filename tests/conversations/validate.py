"""``python -m tests.conversations.validate [paths]``: check corpus files against the format.

Prints one line per problem (``path: where: what``) and a summary; exits 1 if any file is
broken. Without paths it checks the whole corpus under ``tests/conversations``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from tests.conversations.schema import Conversation, CorpusError, corpus_files, load_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conversations.validate")
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories (default: the corpus)")
    args = parser.parse_args(argv)
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"no such file or directory: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    files = corpus_files(args.paths)
    good: list[Conversation] = []
    broken = 0
    for item in load_all(args.paths):
        if isinstance(item, CorpusError):
            broken += 1
            for problem in item.problems:
                print(f"{item.path}: {problem}")
        else:
            good.append(item)
    by = Counter((c.lang, c.split) for c in good)
    summary = ", ".join(f"{lang}/{split} {n}" for (lang, split), n in sorted(by.items()))
    print(f"{len(files)} files: {len(good)} valid ({summary or 'none'}), {broken} broken")
    return 1 if broken or not files else 0


if __name__ == "__main__":
    sys.exit(main())
