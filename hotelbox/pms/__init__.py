"""The PMS protocol: what hotelbox needs from a property-management system.

The embedded demo hotel (:mod:`hotelbox.pms.demo`) and the QloApps adapter implement it.
Prices are ``Decimal`` in the PMS currency; dates are check-in (inclusive) to check-out
(exclusive). Every write takes an idempotency key: calling it twice with the same key returns
the first result instead of booking, moving or cancelling twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol

BookingStatus = Literal["confirmed", "cancelled"]


@dataclass(frozen=True)
class HotelInfo:
    name: str
    currency: str
    check_in_time: str  # "15:00"
    check_out_time: str  # "12:00"
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class RoomType:
    code: str  # stable id in hotelbox ("double"; a QloApps id as text)
    names: dict[str, str]  # per language
    max_adults: int
    max_children: int
    max_guests: int
    base_price: Decimal  # per night, before seasons
    descriptions: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # words guests use for it, any language
    min_nights: int = 1
    max_nights: int = 0  # 0: no limit

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or self.code

    def fits(self, adults: int, children: int) -> bool:
        return (
            adults <= self.max_adults
            and children <= self.max_children
            and adults + children <= self.max_guests
        )

    def allows_stay(self, nights: int) -> bool:
        return nights >= self.min_nights and (not self.max_nights or nights <= self.max_nights)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["base_price"] = str(self.base_price)
        data["aliases"] = list(self.aliases)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoomType:
        data = dict(data)
        data["base_price"] = Decimal(data["base_price"])
        data["aliases"] = tuple(data.get("aliases") or ())
        return cls(**data)


@dataclass(frozen=True)
class Offer:
    room_type: RoomType
    check_in: date
    check_out: date
    available: int
    total_price: Decimal
    currency: str

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


class Offers(list[Offer]):
    """What a search returns: the offers, and whether they may be out of date — the PMS could
    not be asked and the mirror they come from is older than ``pms.sync.stale_after_s`` — so
    that a reply states them as needing confirmation, not as fact (issue 14)."""

    def __init__(self, offers: list[Offer] | None = None, *, stale: bool = False) -> None:
        super().__init__(offers or [])
        self.stale = stale


@dataclass(frozen=True)
class Night:
    """One room type on one night, as the PMS has it: which rooms are free and at what price."""

    room_type: str
    night: date
    free_rooms: frozenset[int]
    price: Decimal | None  # that night, tax and automatic fees included (what a guest is quoted)
    currency: str


@dataclass(frozen=True)
class BookingRequest:
    idempotency_key: str
    room_type: str
    check_in: date
    check_out: date
    adults: int
    children: int
    guest_name: str
    email: str | None
    phone: str | None
    expected_total: Decimal | None = None  # the price the guest was quoted
    remark: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["check_in"] = self.check_in.isoformat()
        data["check_out"] = self.check_out.isoformat()
        data["expected_total"] = str(self.expected_total) if self.expected_total is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BookingRequest:
        data = dict(data)
        data["check_in"] = date.fromisoformat(data["check_in"])
        data["check_out"] = date.fromisoformat(data["check_out"])
        if data.get("expected_total") is not None:
            data["expected_total"] = Decimal(data["expected_total"])
        return cls(**data)


@dataclass(frozen=True)
class PmsBooking:
    reference: str
    status: BookingStatus
    room_type: str
    check_in: date
    check_out: date
    adults: int
    children: int
    guest_name: str
    email: str | None
    phone: str | None
    total_price: Decimal
    currency: str
    notes: tuple[str, ...] = ()  # what staff should know (placeholder e-mail, no phone…)

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["check_in"] = self.check_in.isoformat()
        data["check_out"] = self.check_out.isoformat()
        data["total_price"] = str(self.total_price)
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PmsBooking:
        data = dict(data)
        data["check_in"] = date.fromisoformat(data["check_in"])
        data["check_out"] = date.fromisoformat(data["check_out"])
        data["total_price"] = Decimal(data["total_price"])
        data["notes"] = tuple(data.get("notes") or ())
        return cls(**data)


@dataclass(frozen=True)
class Stay:
    """A booking's complete stay: what a change is compared with and what it sends."""

    room_type: str
    check_in: date
    check_out: date
    adults: int
    children: int

    @classmethod
    def of(cls, booking: PmsBooking) -> Stay:
        return cls(booking.room_type, booking.check_in, booking.check_out, booking.adults, booking.children)


@dataclass(frozen=True)
class StayChange:
    """A change of an existing booking's stay: new dates and/or room type and/or party.

    ``None`` keeps the booking's own value; :meth:`on` gives the complete stay wanted, which is
    what a PMS write sends and what a retry compares with (a change already made is not made
    twice). Children count as guests; a cot is a request (a remark), not a guest."""

    check_in: date | None = None
    check_out: date | None = None
    room_type: str | None = None
    adults: int | None = None
    children: int | None = None
    remark: str | None = None  # a request for staff ("late arrival"), added to the booking's remarks

    def on(self, booking: PmsBooking) -> Stay:
        """The complete stay wanted for ``booking``."""
        return Stay(
            self.room_type or booking.room_type,
            self.check_in or booking.check_in,
            self.check_out or booking.check_out,
            booking.adults if self.adults is None else self.adults,
            booking.children if self.children is None else self.children,
        )

    def reached_by(self, booking: PmsBooking) -> bool:
        """Does ``booking`` already have every value this change asks for?"""
        return self.on(booking) == Stay.of(booking)

    def describe(self) -> str:
        parts = []
        if self.check_in or self.check_out:
            parts.append(f"stay {self.check_in or '-'} to {self.check_out or '-'}")
        if self.room_type:
            parts.append(f"room type {self.room_type}")
        if self.adults is not None or self.children is not None:
            parts.append(f"guests {self.adults if self.adults is not None else '-'} adults"
                         f" {self.children if self.children is not None else '-'} children")  # fmt: skip
        if self.remark:
            parts.append("remark")
        return ", ".join(parts) or "no change"

    @classmethod
    def from_request(cls, data: dict[str, Any]) -> StayChange:
        """From an outbox request (a change of dates queued before party changes had fields)."""

        def number(key: str) -> int | None:
            value = data.get(key)
            return None if value in (None, "") else int(value)

        return cls(
            date.fromisoformat(data["check_in"]) if data.get("check_in") else None,
            date.fromisoformat(data["check_out"]) if data.get("check_out") else None,
            str(data["room_type"]) if data.get("room_type") else None,
            number("adults"),
            number("children"),
            str(data["remark"])[:1000] if data.get("remark") else None,
        )


class Pms(Protocol):
    """A property-management system as the dialogue and the booking worker see it."""

    kind: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def hotel(self) -> HotelInfo: ...
    async def room_types(self) -> list[RoomType]: ...

    async def search(
        self,
        check_in: date,
        check_out: date,
        adults: int,
        children: int,
        exclude: str | None = None,
    ) -> list[Offer]:
        """Room types that fit the party and have a room free every night, cheapest first.

        ``exclude`` is a booking whose own room counts as free (quoting a change of dates).
        """
        ...

    async def create_booking(self, request: BookingRequest) -> PmsBooking: ...
    async def get_booking(self, reference: str) -> PmsBooking: ...

    async def find_bookings(
        self, *, email: str | None = None, phone: str | None = None
    ) -> list[PmsBooking]: ...

    async def modify_booking(self, reference: str, change: StayChange, idempotency_key: str) -> PmsBooking:
        """Change the stay (dates, room type, party) of a confirmed booking, re-priced; raises
        RoomNotAvailable when the new stay has no room, BookingRejected when it cannot be."""
        ...

    async def modify_dates(
        self, reference: str, check_in: date, check_out: date, idempotency_key: str
    ) -> PmsBooking:
        """``modify_booking`` with new dates only (kept for callers of the dates-only change)."""
        ...

    async def cancel_booking(self, reference: str, idempotency_key: str) -> PmsBooking: ...
