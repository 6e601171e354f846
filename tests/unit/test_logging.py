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
