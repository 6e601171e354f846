"""The console channel behind ``hotelbox chat``: a terminal (or a test) as the guest's phone."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from hotelbox.channels import SendResult
from hotelbox.store.outbox import OutboxItem


class ConsoleChannel:
    name = "console"
    idempotent_send = True  # printing a reply twice after a crash is harmless
    accepts_voice = True  # the voice note's file is named (``hotelbox chat`` sends with /voice FILE)

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

    async def send(self, item: OutboxItem) -> SendResult:
        reply = item.reply
        self._last_options = [o.id for o in reply.options]
        if self.as_json:
            record = {
                "text": reply.text,
                "lang": reply.lang,
                "key": reply.key,
                "options": [{k: v for k, v in o.__dict__.items() if v is not None} for o in reply.options],
                "conversation_id": item.conversation_id,
            }
            if reply.audio:
                record["audio"] = reply.audio
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif reply.audio:
            self.out.write(f"[voice note: {reply.audio}]\n\n")
        else:
            self.out.write(reply.text + "\n")
            for n, option in enumerate(reply.options, 1):
                self.out.write(f"  [{n}] {option.title}\n")
            self.out.write("\n")
        self.out.flush()
        return SendResult(f"console-{item.id}")
