"""Run a Box over a scripted set of guest messages; used by test_crash.py, killed at random.

Prints "ACK <address> <n>" once each message is durably accepted (what a channel would ack),
and "DONE" once every conversation has settled. Replaying the whole script after a restart is
safe: messages already stored come back as duplicates. A third argument, JSON, overrides settings
(the booking-token crash test points the box at a fake QloApps).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from hotelbox.channels import SendResult
from hotelbox.config import load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.store.outbox import OutboxItem


class FileChannel:
    name = "test"
    idempotent_send = True
    accepts_voice = False
    merge_replies = False

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, item: OutboxItem) -> SendResult:
        with self.path.open("a") as f:
            f.write(f"{item.id}\n")
            f.flush()
            os.fsync(f.fileno())
        return SendResult(f"file-{item.id}")


async def main(state_dir: Path, script_path: Path, overrides: dict[str, Any]) -> None:
    script = json.loads(await asyncio.to_thread(script_path.read_text))
    settings = load_settings(state_dir=state_dir, speech={"enabled": False}, **overrides)  # text only
    async with Box(settings, {"test": FileChannel(state_dir / "sent.log")}) as box:
        conversations = set()
        for address, n, text in script:
            accepted = await box.pipeline.accept(
                Inbound(
                    channel="test",
                    channel_message_id=f"{address}-{n}",
                    sender=address,
                    text=text,
                    phone=address,
                )
            )
            conversations.add(accepted.conversation_id)
            print("ACK", address, n, flush=True)
            await asyncio.sleep(0.005)  # spread the script over time so kills land everywhere
        for conversation_id in sorted(conversations):
            await box.settle(conversation_id, within_s=120)
    print("DONE", flush=True)


if __name__ == "__main__":
    asyncio.run(
        main(Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})
    )
