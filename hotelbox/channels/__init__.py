"""The channel protocol: how the pipeline hands a stored outbox row to a channel.

Inbound, a channel calls ``Pipeline.accept(Inbound)`` (which stores before it returns) and only
then acknowledges to its source. Outbound, the sender calls :meth:`Channel.send` with an outbox
row; ``idempotent_send`` says whether sending the same row twice is harmless (the web chat
deduplicates by row id) or must never happen blindly (WhatsApp, e-mail). A channel that cannot
tell whether a send happened raises :class:`SendUncertain`; the row then waits for the channel's
delivery status (``uncertain_resend_after_s``) before it is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hotelbox.store.outbox import OutboxItem


@dataclass(frozen=True)
class SendResult:
    channel_message_id: str | None = None


class SendError(Exception):
    """Sending failed; ``retry`` says whether trying again later may work."""

    def __init__(
        self,
        message: str,
        *,
        retry: bool = True,
        code: str = "send_failed",
        retry_after_s: float | None = None,
        attention: str = "delivery_failed",
    ) -> None:
        super().__init__(message)
        self.retry = retry
        self.code = code
        self.retry_after_s = retry_after_s
        self.attention = attention  # what the front desk is told when it fails for good


class SendUncertain(Exception):
    """The send may have happened (timeout after the request went out): do not resend blindly."""


class Channel(Protocol):
    name: str
    idempotent_send: bool
    accepts_voice: bool  # the guest can be sent a voice note (voice replies are made for it)
    merge_replies: bool  # one message per turn: the turn's replies are joined before they are queued

    async def send(self, item: OutboxItem) -> SendResult: ...
