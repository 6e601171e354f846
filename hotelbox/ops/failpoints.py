"""Failpoints: named places where a test can have the process killed with SIGKILL.

``HOTELBOX_FAILPOINTS="relay.after_commit@3,box.before_ack"`` makes the 3rd pass through
``failpoint("relay.after_commit")`` and the first through ``failpoint("box.before_ack")`` kill
the process on the spot (``name@n:block`` blocks the calling thread for good instead: a hung
event loop, for the watchdog test) — the crash tests use them to hit the exact moments the durability
rules are about (between commit and 200, between commit and ack). Unset, a failpoint is one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import time

_counts: dict[str, int] = {}


def _parse(spec: str) -> dict[str, tuple[int, str]]:
    points: dict[str, tuple[int, str]] = {}
    for part in spec.split(","):
        point, _, action = part.strip().partition(":")
        name, _, nth = point.partition("@")
        if name:
            points[name] = (int(nth) if nth.isdigit() else 1, action or "kill")
    return points


_ACTIVE = _parse(os.environ.get("HOTELBOX_FAILPOINTS", ""))


def failpoint(name: str) -> None:
    spec = _ACTIVE.get(name)
    if spec is None:
        return
    nth, action = spec
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] != nth:
        return
    if action == "block":
        while True:  # the thread (an event loop, say) never comes back
            time.sleep(3600)
    os.kill(os.getpid(), signal.SIGKILL)
