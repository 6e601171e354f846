"""The console channel behind ``hotelbox chat``: a terminal (or a test) as the guest's phone.

The box keeps each console guest's replies apart (by address) until that guest's terminal takes
them, so two ``hotelbox chat`` sessions on one box never see each other's replies (issue 14):
the terminal that owns the box takes them in-process, the others over the control socket.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import defaultdict, deque
from typing import Any, TextIO

from hotelbox.channels import SendResult
from hotelbox.store.outbox import OutboxItem

log = logging.getLogger(__name__)
KEPT_PER_GUEST = 200  # replies nobody took (a terminal that went away) beyond this are dropped


def reply_record(item: OutboxItem) -> dict[str, Any]:
    """A reply as ``hotelbox chat --json`` prints it."""
    reply = item.reply
    record: dict[str, Any] = {
        "text": reply.text,
        "lang": reply.lang,
        "key": reply.key,
        "options": [{k: v for k, v in o.__dict__.items() if v is not None} for o in reply.options],
        "conversation_id": item.conversation_id,
    }
    if reply.audio:
        record["audio"] = reply.audio
    return record


class ConsoleChannel:
    name = "console"
    idempotent_send = True  # printing a reply twice after a crash is harmless
    merge_replies = False
    accepts_voice = True  # the voice note's file is named (``hotelbox chat`` sends with /voice FILE)

    def __init__(self) -> None:
        self._replies: dict[str, deque[dict[str, Any]]] = defaultdict(lambda: deque(maxlen=KEPT_PER_GUEST))

    async def send(self, item: OutboxItem) -> SendResult:
        """Keep the reply for its guest's terminal (memory only: a console is a test bench)."""
        self._replies[item.recipient].append(reply_record(item))
        return SendResult(f"console-{item.id}")

    def take(self, address: str) -> list[dict[str, Any]]:
        """The replies for ``address`` not yet shown, oldest first."""
        replies = self._replies.pop(address, None)
        return list(replies) if replies else []


class Terminal:
    """Where one guest's replies are printed, and what a typed "2" means after them."""

    def __init__(self, out: TextIO | None = None, as_json: bool = False) -> None:
        self.out = out or sys.stdout
        self.as_json = as_json
        self._last_options: list[str] = []

    def choice_for(self, text: str) -> str | None:
        """A typed "2" picks the second option of the last reply, as a tap would."""
        text = text.strip()
        if text.isdigit() and 1 <= int(text) <= len(self._last_options):
            return self._last_options[int(text) - 1]
        return None

    def show(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self._last_options = [o["id"] for o in record.get("options", [])]
            if self.as_json:
                self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif record.get("audio"):
                self.out.write(f"[voice note: {record['audio']}]\n\n")
            else:
                self.out.write(record["text"] + "\n")
                for n, option in enumerate(record.get("options", []), 1):
                    self.out.write(f"  [{n}] {option['title']}\n")
                self.out.write("\n")
        self.out.flush()
