"""Failpoints: named places where a test can have the process killed with SIGKILL.

``HOTELBOX_FAILPOINTS="relay.after_commit@3,box.before_ack"`` makes the 3rd pass through
``failpoint("relay.after_commit")`` and the first through ``failpoint("box.before_ack")`` kill
the process on the spot — the crash tests use them to hit the exact moments the durability
rules are about (between commit and 200, between commit and ack). Unset, a failpoint is one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal

_counts: dict[str, int] = {}


def _parse(spec: str) -> dict[str, int]:
    points: dict[str, int] = {}
    for part in spec.split(","):
        name, _, nth = part.strip().partition("@")
        if name:
            points[name] = int(nth) if nth.isdigit() else 1
    return points


_ACTIVE = _parse(os.environ.get("HOTELBOX_FAILPOINTS", ""))


def failpoint(name: str) -> None:
    nth = _ACTIVE.get(name)
    if nth is None:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
