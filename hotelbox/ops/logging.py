"""Structured logs: one line per event, ``key=value`` (or JSON), to stderr — or, under systemd,
straight to journald with every field as a journal field (``CONVERSATION=12``, ``CODE=…``).

Messages are written as ``"what happened key=value key=value"``; the formatter turns them into
``ts=… level=… logger=… msg="what happened" key=value…``. Guest text, phone numbers and
e-mails are never logged at INFO; ids are — and as a safety net, anything that looks like a
phone number or an e-mail address is masked in every record above DEBUG.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import socket
import sys
import time
from typing import ClassVar

_KV = re.compile(r"(\w+)=(\S+)")
_SPEC = re.compile(r"(?:(\w+)=)?%[-#0 +]*\d*(?:\.\d+)?[sdirfgex]|%%")


def split_message(record: logging.LogRecord) -> tuple[str, dict[str, str]]:
    """The message text and its ``key=value`` fields. Fields are bound from the template
    (``"sync failed job=%s error=%s"``), so a value may hold spaces; literal ``key=value`` in
    the text count too."""
    args = record.args
    if not isinstance(args, tuple) or not args or not isinstance(record.msg, str):
        message = record.getMessage()
        found = dict(_KV.findall(message))
        return (_KV.sub("", message).strip() if found else message), found
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


PHONE = re.compile(r"(?<![\w+])\+\d[\d \-]{6,16}\d(?![\w.])")  # E.164, how hotelbox writes phones
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask(text: str) -> str:
    """Phone numbers and e-mail addresses out of a log line (a short hash keeps lines linkable)."""
    text = EMAIL.sub(lambda m: "email#" + hashlib.sha256(m.group(0).lower().encode()).hexdigest()[:8], text)
    return PHONE.sub(
        lambda m: "phone#" + hashlib.sha256(re.sub(r"\D", "", m.group(0)).encode()).hexdigest()[:8], text
    )


def record_fields(record: logging.LogRecord) -> tuple[str, dict[str, str]]:
    text, fields = split_message(record)
    if record.levelno > logging.DEBUG:
        text = mask(text)
        fields = {k: mask(v) for k, v in fields.items()}
    return text, fields


class KeyValueFormatter(logging.Formatter):
    def __init__(self, as_json: bool = False) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        text, fields = record_fields(record)
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


class JournalHandler(logging.Handler):
    """journald's native protocol (one datagram per record) without systemd-python: the message,
    its priority and every ``key=value`` field as a journal field, so ``journalctl
    CONVERSATION=12`` finds a conversation's lines."""

    SOCKET = "/run/systemd/journal/socket"
    PRIORITY: ClassVar[dict[int, int]] = {
        logging.DEBUG: 7,
        logging.INFO: 6,
        logging.WARNING: 4,
        logging.ERROR: 3,
        logging.CRITICAL: 2,
    }

    def __init__(self, identifier: str = "hotelbox", socket_path: str | None = None) -> None:
        super().__init__()
        self.identifier = identifier
        self.path = socket_path or self.SOCKET
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.fallback = logging.StreamHandler(sys.stderr)
        self.fallback.setFormatter(KeyValueFormatter())

    @staticmethod
    def field(name: str, value: str) -> bytes:
        data = value.encode("utf-8", "replace")
        if b"\n" in data:  # binary-safe form: name, newline, 64-bit little-endian length, value
            return name.encode() + b"\n" + len(data).to_bytes(8, "little") + data + b"\n"
        return name.encode() + b"=" + data + b"\n"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text, fields = record_fields(record)
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            parts = [
                self.field("MESSAGE", text),
                self.field("PRIORITY", str(self.PRIORITY.get(record.levelno, 6))),
                self.field("SYSLOG_IDENTIFIER", self.identifier),
                self.field("LOGGER", record.name),
            ]
            for key, value in fields.items():
                name = re.sub(r"[^A-Z0-9_]", "_", key.upper()).lstrip("_")[:60]
                if name in ("MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "LOGGER", "CODE_FILE"):
                    name = "HB_" + name  # message=345 is our message id, not journald's MESSAGE
                if name:
                    parts.append(self.field(name, value))
            self.sock.sendto(b"".join(parts), self.path)
        except OSError:
            self.fallback.emit(record)  # journald gone (or too big a record): stderr still reaches it


def under_journald() -> bool:
    """systemd connected our stderr to the journal (JOURNAL_STREAM names that very stream)."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    try:
        dev, inode = (int(x) for x in stream.split(":"))
        st = os.fstat(sys.stderr.fileno())
    except (ValueError, OSError):
        return False
    return (st.st_dev, st.st_ino) == (dev, inode) and os.path.exists(JournalHandler.SOCKET)


def setup_logging(level: str = "INFO", fmt: str = "kv", identifier: str = "hotelbox") -> None:
    handler: logging.Handler
    if fmt != "json" and under_journald():
        handler = JournalHandler(identifier)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(KeyValueFormatter(as_json=fmt == "json"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiosqlite", "asyncio", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
