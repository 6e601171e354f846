"""Structured logs: one line per event, ``key=value`` (or JSON), to stderr.

Messages are written as ``"what happened key=value key=value"``; the formatter turns them into
``ts=… level=… logger=… msg="what happened" key=value…``. Guest text, phone numbers and
e-mails are never logged at INFO; ids are.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

_KV = re.compile(r"(\w+)=(\S+)")
_SPEC = re.compile(r"(?:(\w+)=)?%[-#0 +]*\d*(?:\.\d+)?[sdirfgex]|%%")


def split_message(record: logging.LogRecord) -> tuple[str, dict[str, str]]:
    """The message text and its ``key=value`` fields. Fields are bound from the template
    (``"sync failed job=%s error=%s"``), so a value may hold spaces; literal ``key=value`` in
    the text count too."""
    args = record.args
    if not isinstance(args, tuple) or not args or not isinstance(record.msg, str):
        message = record.getMessage()
        fields = dict(_KV.findall(message))
        return (_KV.sub("", message).strip() if fields else message), fields
    fields: dict[str, str] = {}
    parts: list[str] = []
    pos = 0
    index = 0
    try:
        for m in _SPEC.finditer(record.msg):
            parts.append(record.msg[pos : m.start()])
            pos = m.end()
            if m.group(0) == "%%":
                parts.append("%")
                continue
            spec = m.group(0).split("=", 1)[1] if m.group(1) else m.group(0)
            value = spec % (args[index],)
            index += 1
            if m.group(1):
                fields[m.group(1)] = value
            else:
                parts.append(value)
    except (IndexError, TypeError, ValueError):
        return record.getMessage(), {}
    parts.append(record.msg[pos:])
    text = "".join(parts)
    literal = dict(_KV.findall(text))
    if literal:
        text = _KV.sub("", text)
    return " ".join(text.split()), {**literal, **fields}


class KeyValueFormatter(logging.Formatter):
    def __init__(self, as_json: bool = False) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        text, fields = split_message(record)
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        data = {
            "ts": ts,
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": text,
            **fields,
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        if self.as_json:
            return json.dumps(data, ensure_ascii=False)
        parts = []
        for key, value in data.items():
            value = str(value)
            if key == "exc":
                continue
            if not value or any(c in value for c in ' "='):
                value = json.dumps(value, ensure_ascii=False)
            parts.append(f"{key}={value}")
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + data["exc"]
        return line


def setup_logging(level: str = "INFO", fmt: str = "kv") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter(as_json=fmt == "json"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiosqlite", "asyncio", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
