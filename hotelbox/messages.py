"""The pipeline's message model: what channels hand in and what the bot hands back.

Channels turn their wire formats (WhatsApp webhooks, e-mail, the try-it page, the console)
into :class:`Inbound` and render :class:`Reply` in theirs. Both are small, frozen and
round-trip through JSON (``to_json``/``from_json``) because they are stored before anything
acts on them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

InboundKind = Literal[
    "text", "audio", "image", "video", "document", "sticker", "location", "contacts",
    "interactive", "button", "reaction", "system", "unsupported",
]  # fmt: skip


@dataclass(frozen=True)
class Inbound:
    """One message from a guest, as a channel received it."""

    channel: str
    channel_message_id: str
    sender: str  # the channel address: whatsapp "<pnid>:<bsuid>", an e-mail, a session id…
    kind: InboundKind = "text"
    text: str | None = None
    sent_at: datetime | None = None  # when the guest sent it, if the channel says
    display_name: str | None = None
    phone: str | None = None  # E.164 if the channel knows the guest's phone
    language_hint: str | None = None  # e.g. the language chosen on the try-it page
    reply_to: str | None = None  # channel id of the message this answers (button replies…)
    choice: str | None = None  # id of a quick-reply option the guest picked
    payload: dict[str, Any] = field(default_factory=dict)  # channel specifics (media, location…)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sent_at"] = self.sent_at.isoformat() if self.sent_at else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inbound:
        data = dict(data)
        if data.get("sent_at"):
            data["sent_at"] = datetime.fromisoformat(data["sent_at"])
        return cls(**data)


@dataclass(frozen=True)
class Option:
    """A choice offered to the guest (a WhatsApp button or list row, a chip on the web)."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message the bot (or staff) sends, already in the guest's language."""

    text: str
    lang: str
    options: tuple[Option, ...] = ()
    key: str = ""  # the catalogue key it came from, for tests and analytics
    voice: bool = False  # the guest spoke: this reply should also go out as a voice note
    audio: str | None = None  # this message IS the voice note: the OGG/Opus file to send

    def to_json(self) -> dict[str, Any]:
        data = {
            "text": self.text,
            "lang": self.lang,
            "options": [asdict(o) for o in self.options],
            "key": self.key,
            "voice": self.voice,
        }
        if self.audio:
            data["audio"] = self.audio
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            lang=data["lang"],
            options=tuple(Option(**o) for o in data.get("options", ())),
            key=data.get("key", ""),
            voice=bool(data.get("voice", False)),
            audio=data.get("audio"),
        )


def merge_replies(replies: list[Reply]) -> list[Reply]:
    """One turn's replies as one message, for channels that want that (WhatsApp keeps no order
    between sends and paces each guest to about one message every 6 s). The choices of the last
    reply that offers some stay."""
    if len(replies) <= 1:
        return replies
    options: tuple[Option, ...] = ()
    for r in replies:
        if r.options:
            options = r.options
    return [
        Reply(
            text="\n\n".join(r.text for r in replies),
            lang=replies[-1].lang,
            options=options,
            key="+".join(r.key for r in replies),
            voice=any(r.voice for r in replies),
        )
    ]
