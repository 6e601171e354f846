"""Turn the captured QloApps exchanges into exchanges.jsonl (run from the repository root).

Source: ``*.http`` captures — real exchanges with QloApps 1.6.1 (PHP 8.2, demo data),
recorded 2026-11-24 for the hotelbox developers (not redistributed; the extract is). Kept here so the
contract test of tests/fakes/qloapps runs on a clean clone. Only what a replay needs is kept:
request line, the headers that change behaviour, bodies, status and content type; the
front-office cookies and timing headers are dropped.

    python tests/data/qloapps/extract.py CAPTURES_DIR > tests/data/qloapps/exchanges.jsonl
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

KEEP = {"authorization", "io-format", "output-format", "accept", "content-type"}


def parse(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    request, response = text.split("### RESPONSE", 1)
    request = request.split("### REQUEST", 1)[1].strip("\n")
    line, _, rest = request.partition("\n")
    head, _, body = rest.partition("\n\n")
    method, target, _ = line.split(" ", 2)
    headers = {}
    for h in head.splitlines():
        name, _, value = h.partition(": ")
        if name.lower() in KEEP:
            headers[name] = value
    status_line = next(line for line in response.splitlines() if line.startswith("HTTP/"))
    response_head, _, response_body = response.split(status_line, 1)[1].partition("\n\n")
    ctype = re.search(r"^content-type: (.*)$", response_head, re.I | re.M)
    return {
        "name": path.stem,
        "method": method,
        "target": target,
        "headers": headers,
        "body": body.rstrip("\n"),
        "status": int(status_line.split()[1]),
        "content_type": ctype.group(1).strip() if ctype else None,
        "response": response_body.rstrip("\n"),
    }


def main(folder: Path) -> None:
    for path in sorted(folder.glob("*.http")):
        sys.stdout.write(json.dumps(parse(path), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
