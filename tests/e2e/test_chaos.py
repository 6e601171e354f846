"""Crash consistency, all processes at once: guests write on WhatsApp (text and voice notes) and
on the web chat, and book rooms, while the relay, the box and the PMS are SIGKILLed at random
every few seconds and restarted. At the end: every accepted message stored once and answered
once, no booking lost or made twice, both databases intact. (Long form: ``make soak``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.stack import run_chaos


@pytest.mark.timeout(900)
async def test_random_kills_of_relay_box_and_pms_lose_and_repeat_nothing(
    tmp_path: Path, nlu_cache: Path
) -> None:
    report = await run_chaos(tmp_path, guests=20, turns=4, bookers=4, kill_every_s=(2.0, 5.0))
    print(report.summary())
    assert not report.problems(), report.problems()
    assert set(report.kills) == {"relay", "box", "pms"}, report.kills  # each one really died
    assert report.sent == report.acked == report.stored_once == report.answered
