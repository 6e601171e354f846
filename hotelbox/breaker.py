"""A circuit breaker for calls to a dependency on the network (QloApps, later Graph).

closed: calls go through; ``failures`` consecutive failures open it. open: calls fail at once
(no waiting on a dead server while guests wait) until ``cooldown_s`` has passed. half-open: one
trial call; success closes the circuit, failure opens it again. Only failures that say "the
other side is unwell" count (timeouts, refused connections, 5xx) — a validation error is an
answer, not an outage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

State = Literal["closed", "open", "half_open"]
STATE_VALUE = {"closed": 0, "half_open": 1, "open": 2}  # for gauges


@dataclass
class CircuitBreaker:
    name: str
    failures: int = 5
    cooldown_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    consecutive: int = 0
    opened_at: float | None = None
    trial_running: bool = False
    transitions: list[tuple[float, State]] = field(default_factory=list)
    # called when a call succeeds on an open circuit: the other side is back (the booking worker
    # then pushes what waited at once, not after each write's own back-off — issue 14)
    on_close: Callable[[], None] | None = None

    @property
    def state(self) -> State:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a call go out now? (In half-open, only one trial at a time.)"""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.trial_running:
            self.trial_running = True
            return True
        return False

    def retry_in(self) -> float:
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.cooldown_s - (self.clock() - self.opened_at))

    def success(self) -> None:
        reopened = self.opened_at is not None
        if reopened:
            self.transitions.append((self.clock(), "closed"))
        self.consecutive = 0
        self.opened_at = None
        self.trial_running = False
        if reopened and self.on_close is not None:
            self.on_close()

    def failure(self) -> None:
        self.consecutive += 1
        self.trial_running = False
        if self.opened_at is not None or self.consecutive >= self.failures:
            self.opened_at = self.clock()
            self.transitions.append((self.opened_at, "open"))
