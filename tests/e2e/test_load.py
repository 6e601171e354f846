"""The load scenario in its short form (CI): 100 conversations for 45 s through the whole product,
text, voice notes and web chat mixed, the PMS syncing. Every message must be answered; the
figures are printed, not asserted (``make bench load`` and ``make soak`` run the long form)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench.bench_load import scenario


@pytest.mark.timeout(600)
async def test_a_hundred_conversations_at_once_are_all_answered(tmp_path: Path, nlu_cache: Path) -> None:
    result = await scenario(tmp_path, conversations=100, seconds=45)
    assert result["messages"] > 100
    assert result["unanswered"] == []
    assert result["answered"] == result["messages"]
    assert {"understand", "dialogue", "commit", "send"} <= set(result["box_stages"])
