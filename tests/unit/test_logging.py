from __future__ import annotations

import json
import logging

from hotelbox.ops.logging import KeyValueFormatter


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("hotelbox.x", logging.INFO, __file__, 1, msg, args, None)


def test_key_value_lines() -> None:
    line = KeyValueFormatter().format(record("message processed conversation=%d lang=%s", 7, "es"))
    assert 'msg="message processed"' in line
    assert "conversation=7" in line
    assert "lang=es" in line
    assert line.startswith("ts=")


def test_json_lines() -> None:
    data = json.loads(KeyValueFormatter(as_json=True).format(record("box ready pms=%s", "demo")))
    assert (data["msg"], data["pms"], data["level"]) == ("box ready", "demo", "info")


def test_values_with_spaces_stay_whole() -> None:
    rec = record(
        "PMS sync failed job=%s code=%s error=%s", "near", "pms_unreachable", "cannot reach x: refused"
    )
    data = json.loads(KeyValueFormatter(as_json=True).format(rec))
    assert data["msg"] == "PMS sync failed"
    assert data["error"] == "cannot reach x: refused"
    line = KeyValueFormatter().format(rec)
    assert 'error="cannot reach x: refused"' in line
    assert "job=near" in line
    odd = KeyValueFormatter().format(record("100%% done in %.1f s n=%d", 2.345, 3))
    assert 'msg="100% done in 2.3 s"' in odd
    assert "n=3" in odd
