"""The web chat channel of the "try it" page: replies are pushed to the page's live socket.

The transcript in the store is the truth; the socket only pushes what was stored, so a page
that was closed reloads the history and misses nothing. Sending is idempotent: the page
de-duplicates by message id.
"""

from __future__ import annotations

from hotelbox.channels import SendResult
from hotelbox.live_updates import LiveUpdates
from hotelbox.store.outbox import OutboxItem


class WebChatChannel:
    name = "webchat"
    idempotent_send = True
    merge_replies = False
    accepts_voice = True  # the page plays the bot's voice notes

    def __init__(self, live: LiveUpdates) -> None:
        self.live = live

    async def send(self, item: OutboxItem) -> SendResult:
        self.live.publish(
            {
                "type": "webchat.reply",
                "session": item.recipient,
                "message_id": item.message_id,
                "reply": item.payload,
            }
        )
        return SendResult(f"webchat-{item.message_id}")
