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


class KeyValueFormatter(logging.Formatter):
    def __init__(self, as_json: bool = False) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        fields = dict(_KV.findall(message))
        text = _KV.sub("", message).strip() if fields else message
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
