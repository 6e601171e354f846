"""Per-conversation dialogue state and what one dialogue turn produces.

The state is plain data stored as JSON on the conversation row and committed in the same
transaction as the replies it led to, so a restart resumes a booking exactly where it was.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from hotelbox.messages import Reply

Flow = Literal["booking", "modify", "cancel", "status"]


@dataclass
class Slots:
    """What the guest has told us about the stay they want."""

    check_in: str | None = None  # ISO dates
    check_out: str | None = None
    nights: int | None = None
    adults: int | None = None
    children: int | None = None
    room_type: str | None = None
    guest_name: str | None = None
    email: str | None = None
    phone: str | None = None
    no_email: bool = False  # the guest would rather not give one: we book with the phone
    month: int | None = None  # "in August", said before any day: the month of days said later
    refused: list[str] | None = None  # [check_in, check_out] refused as past: "I meant June" moves it
    other_check_in: str | None = None  # "the 12th or the 13th, whichever is cheaper": the other arrival

    def dates(self) -> tuple[date | None, date | None]:
        return (
            date.fromisoformat(self.check_in) if self.check_in else None,
            date.fromisoformat(self.check_out) if self.check_out else None,
        )


@dataclass
class DialogueState:
    version: int = 1
    lang: str | None = None
    flow: Flow | None = None
    expect: str | None = None  # what the last question asked for
    prompt: dict[str, Any] | None = None  # that question, to ask again after a digression
    slots: Slots = field(default_factory=Slots)
    quote: dict[str, Any] | None = None  # the offer the guest is confirming
    offers: list[dict[str, Any]] = field(default_factory=list)  # offers shown, for choices
    target: dict[str, Any] | None = None  # booking being modified / cancelled / checked
    verified: list[str] = field(default_factory=list)  # references the guest proved to own
    misunderstood: int = 0
    notes: list[str] = field(default_factory=list)  # special requests, for the booking remark
    text_only: bool = False  # the guest asked us not to answer with voice notes
    variety: str | None = None  # es-419 / pt-BR / es-ES / pt-PT: the wording of replies
    lang_sure: bool = False  # the language was read from a message we understood
    asked: list[Any] = field(default_factory=list)  # [question key, times asked in a row]
    foreign: int = 0  # messages in a language we do not speak
    signoff: int = 0  # which sign-off comes next, so confirmations don't all end the same
    created: list[str] = field(default_factory=list)  # references booked in this conversation
    reminded: bool = False  # the last reply reminded of the pending question ("Back to your booking: …")
    last_stay: list[str] | None = None  # [check_in, check_out] of the last booking made: "same dates"
    discussed: str | None = None  # the booking last shown or changed: "add my son" after seeing it
    topic: str | None = None  # the hotel topic the last reply answered: "and what time is it served?"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DialogueState:
        if not data:
            return cls()
        data = dict(data)
        slots = Slots(**data.pop("slots", {}) or {})
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(slots=slots, **known)

    def reset_flow(self) -> None:
        self.asked = []
        self.flow = None
        self.expect = None
        self.prompt = None
        self.quote = None
        self.offers = []
        self.target = None


@dataclass(frozen=True)
class BookingAction:
    """A PMS write the dialogue asks for; the pipeline makes it durable before it is sent."""

    operation: Literal["create", "modify", "cancel"]
    data: dict[str, Any]


@dataclass
class Turn:
    """What the bot decided for one message or event."""

    state: DialogueState
    replies: list[Reply] = field(default_factory=list)
    actions: list[BookingAction] = field(default_factory=list)
    handoff: str | None = None  # reason: the bot stops, staff take over
    attention: str | None = None  # staff should look, the bot carries on
    guest_updates: dict[str, str] = field(default_factory=dict)  # name, email, phone learnt
