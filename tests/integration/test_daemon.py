"""The box starts its parts in order and, when one of them fails, stops what had started (issue 19):
no writer thread, background task or log handler outlives a box that could not start."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.nlu.training import ExampleError
from tests.support import RecordingChannel


def leftovers(handlers_before: list[logging.Handler]) -> dict[str, object]:
    """What a box that is gone may have left behind."""
    tasks = [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    return {
        "tasks": tasks,
        "store_writers": [t.name for t in threading.enumerate() if t.name == "store-writer"],
        "new_log_handlers": [h for h in logging.getLogger("hotelbox").handlers if h not in handlers_before],
    }


NOTHING: dict[str, object] = {"tasks": [], "store_writers": [], "new_log_handlers": []}


async def test_a_store_that_cannot_open_leaves_nothing_running(settings: Settings) -> None:
    settings.db_path.mkdir(parents=True)  # a directory where the database file should be
    handlers = list(logging.getLogger("hotelbox").handlers)
    box = Box(settings, {"test": RecordingChannel()})
    with pytest.raises(Exception):  # noqa: B017, PT011 — SQLite's own error, whichever it is
        async with box:
            pytest.fail("the box started without its store")
    assert box.ready is False
    assert leftovers(handlers) == NOTHING


async def test_a_part_failing_half_way_stops_the_parts_started_before_it(
    tmp_path: Path, nlu_cache: Path
) -> None:
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "ours.jsonl").write_text('{"text": "hola", "intent": "no_such_intent", "lang": "es"}\n')
    settings = load_settings(state_dir=tmp_path / "var", nlu={"extra_examples_dir": examples})
    handlers = list(logging.getLogger("hotelbox").handlers)
    box = Box(settings, {"test": RecordingChannel()})
    with pytest.raises(ExampleError):  # the understanding models load after the store and the PMS
        async with box:
            pytest.fail("the box started with examples it cannot learn from")
    assert box.ready is False
    assert leftovers(handlers) == NOTHING
    # what it had opened is closed: the same state directory opens again at once
    async with Box(load_settings(state_dir=tmp_path / "var"), {"test": RecordingChannel()}) as again:
        assert again.ready
