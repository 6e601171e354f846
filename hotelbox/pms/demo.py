"""The embedded demo hotel: a real little PMS in its own SQLite file.

Four room types with limited rooms, rates that change with the season and the weekend, and
bookings that really take a room: every write checks availability and inserts inside one
``BEGIN IMMEDIATE`` transaction, so two guests (or two processes) can never get the last room
twice. Writes are idempotent by key, like a PMS with request ids.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import aiosqlite

from hotelbox.errors import BookingNotFound, BookingRejected, PmsUnavailable, RoomNotAvailable
from hotelbox.pms import BookingRequest, HotelInfo, Offer, PmsBooking, RoomType, StayChange

CURRENCY = "EUR"
HOTEL = HotelInfo(
    name="Hotel Miramar",
    currency=CURRENCY,
    check_in_time="15:00",
    check_out_time="12:00",
    address="Paseo Marítimo 12, 29016 Málaga",
    phone="+34 952 000 000",
    email="reservas@miramar.example",
)
# (code, names, descriptions, aliases, max adults, max children, max guests, base price, rooms)
DEMO_ROOM_TYPES: list[tuple[Any, ...]] = [
    (
        "single",
        {"es": "Habitación individual", "en": "Single room", "pt": "Quarto individual"},
        {
            "es": "Cama de 105 cm, baño privado, escritorio y vistas a la ciudad.",
            "en": "105 cm bed, private bathroom, desk and city views.",
            "pt": "Cama de 105 cm, casa de banho privativa, secretária e vista para a cidade.",
        },
        ("individual", "single", "sencilla", "simple", "solteiro", "one bed"),
        1, 0, 1, "65", 4,
    ),
    (
        "double",
        {"es": "Habitación doble", "en": "Double room", "pt": "Quarto duplo"},
        {
            "es": "Cama de matrimonio o dos camas, baño privado y balcón; admite una cuna.",
            "en": "Double bed or twin beds, private bathroom and balcony; a cot fits.",
            "pt": "Cama de casal ou duas camas, casa de banho privativa e varanda; cabe um berço.",
        },
        ("doble", "double", "duplo", "casal", "matrimonio", "matrimonial", "twin", "queen", "king"),
        2, 1, 3, "95", 8,
    ),
    (
        "family",
        {"es": "Habitación familiar", "en": "Family room", "pt": "Quarto familiar"},
        {
            "es": "Dos espacios: cama de matrimonio y dos camas individuales, para hasta 4 personas.",
            "en": "Two areas: a double bed and two single beds, for up to 4 people.",
            "pt": "Dois espaços: cama de casal e duas camas individuais, para até 4 pessoas.",
        },
        ("familiar", "family", "familia numerosa", "quarto de familia"),
        3, 3, 4, "135", 3,
    ),
    (
        "suite",
        {"es": "Suite", "en": "Suite", "pt": "Suíte"},
        {
            "es": "Dormitorio y salón, bañera de hidromasaje y terraza con vistas al mar.",
            "en": "Bedroom and lounge, whirlpool bath and a terrace with sea views.",
            "pt": "Quarto e sala, banheira de hidromassagem e terraço com vista para o mar.",
        },
        ("suite", "suites", "junior suite", "suíte"),
        2, 2, 3, "180", 2,
    ),
]  # fmt: skip

_SCHEMA = """
CREATE TABLE IF NOT EXISTS room_types (
    code TEXT PRIMARY KEY, position INTEGER NOT NULL, names TEXT NOT NULL,
    descriptions TEXT NOT NULL, aliases TEXT NOT NULL, max_adults INTEGER NOT NULL,
    max_children INTEGER NOT NULL, max_guests INTEGER NOT NULL, base_price TEXT NOT NULL,
    rooms INTEGER NOT NULL, min_nights INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS bookings (
    reference TEXT PRIMARY KEY, status TEXT NOT NULL, room_type TEXT NOT NULL REFERENCES room_types(code),
    check_in TEXT NOT NULL, check_out TEXT NOT NULL, adults INTEGER NOT NULL, children INTEGER NOT NULL,
    guest_name TEXT NOT NULL, email TEXT, phone TEXT, total_price TEXT NOT NULL, currency TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_stay ON bookings(room_type, check_in, check_out) WHERE status = 'confirmed';
CREATE TABLE IF NOT EXISTS operations (
    idempotency_key TEXT PRIMARY KEY, operation TEXT NOT NULL, reference TEXT NOT NULL, at TEXT NOT NULL
);
-- every reference ever given out: one is never given again, even after its booking is purged
-- (a box keeps the references it has seen; a reused one would name two different stays)
CREATE TABLE IF NOT EXISTS issued_references (reference TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS remarks (reference TEXT NOT NULL, remark TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT OR IGNORE INTO issued_references SELECT reference FROM bookings;
"""


def nightly_rate(base: Decimal, night: date) -> Decimal:
    """The demo hotel's price for one night: seasons and weekends move it."""
    factor = Decimal("1")
    md = (night.month, night.day)
    if (6, 15) <= md <= (9, 15) or md >= (12, 20) or md <= (1, 6):
        factor = Decimal("1.35")  # summer and Christmas
    elif (1, 7) <= md <= (3, 15) or (11, 1) <= md <= (12, 19):
        factor = Decimal("0.90")  # low season
    if night.weekday() in (4, 5):  # Friday and Saturday nights
        factor *= Decimal("1.15")
    return (base * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _nights(check_in: date, check_out: date) -> Iterator[date]:
    d = check_in
    while d < check_out:
        yield d
        d += timedelta(days=1)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DemoPms:
    """The demo hotel behind the :class:`~hotelbox.pms.Pms` protocol."""

    kind = "demo"

    def __init__(self, path: Path, today: Callable[[], date] | None = None) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._types: dict[str, tuple[RoomType, int]] = {}
        self._write_lock = asyncio.Lock()
        # the hotel's date for "is this stay in the past?"; the conversation corpus pins it (issue 12)
        self.today: Callable[[], date] = today or (lambda: datetime.now(UTC).date())

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(self.path, isolation_level=None, timeout=30)
        db.row_factory = sqlite3.Row
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA busy_timeout=30000")
        await db.executescript(_SCHEMA)
        await db.execute("BEGIN IMMEDIATE")
        for position, row in enumerate(DEMO_ROOM_TYPES):
            code, names, descr, aliases, ma, mc, mg, price, rooms = row
            await db.execute(
                "INSERT OR IGNORE INTO room_types (code, position, names, descriptions, aliases,"
                " max_adults, max_children, max_guests, base_price, rooms) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    code,
                    position,
                    json.dumps(names),
                    json.dumps(descr),
                    json.dumps(aliases),
                    ma,
                    mc,
                    mg,
                    price,
                    rooms,
                ),
            )
        await db.execute("COMMIT")
        self._db = db
        await self._load_types()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise PmsUnavailable("demo PMS is not open")
        return self._db

    async def _load_types(self) -> None:
        async with self.db.execute("SELECT * FROM room_types ORDER BY position") as cur:
            rows = await cur.fetchall()
        self._types = {
            r["code"]: (
                RoomType(
                    code=r["code"],
                    names=json.loads(r["names"]),
                    descriptions=json.loads(r["descriptions"]),
                    aliases=tuple(json.loads(r["aliases"])),
                    max_adults=r["max_adults"],
                    max_children=r["max_children"],
                    max_guests=r["max_guests"],
                    base_price=Decimal(r["base_price"]),
                    min_nights=r["min_nights"],
                ),
                r["rooms"],
            )
            for r in rows
        }

    # -- reading -------------------------------------------------------------------------
    async def hotel(self) -> HotelInfo:
        return HOTEL

    async def room_types(self) -> list[RoomType]:
        return [rt for rt, _ in self._types.values()]

    def price(self, room_type: RoomType, check_in: date, check_out: date) -> Decimal:
        return sum(
            (nightly_rate(room_type.base_price, n) for n in _nights(check_in, check_out)),
            Decimal(0),
        )

    async def _free_rooms(
        self, code: str, check_in: date, check_out: date, exclude: str | None = None
    ) -> int:
        _, rooms = self._types[code]
        async with self.db.execute(
            "SELECT reference, check_in, check_out FROM bookings WHERE status = 'confirmed'"
            " AND room_type = ? AND check_in < ? AND check_out > ?",
            (code, check_out.isoformat(), check_in.isoformat()),
        ) as cur:
            rows = [r for r in await cur.fetchall() if r["reference"] != exclude]
        busiest = 0
        for night in _nights(check_in, check_out):
            key = night.isoformat()
            busiest = max(busiest, sum(1 for r in rows if r["check_in"] <= key < r["check_out"]))
        return rooms - busiest

    async def search(
        self,
        check_in: date,
        check_out: date,
        adults: int,
        children: int,
        exclude: str | None = None,
    ) -> list[Offer]:
        if check_out <= check_in:
            raise BookingRejected("check-out must be after check-in", code="invalid_dates")
        offers = []
        for room_type, _ in self._types.values():
            if not room_type.fits(adults, children) or (check_out - check_in).days < room_type.min_nights:
                continue
            free = await self._free_rooms(room_type.code, check_in, check_out, exclude)
            if free > 0:
                offers.append(
                    Offer(
                        room_type,
                        check_in,
                        check_out,
                        free,
                        self.price(room_type, check_in, check_out),
                        CURRENCY,
                    )
                )
        return sorted(offers, key=lambda o: o.total_price)

    def _booking(self, r: sqlite3.Row) -> PmsBooking:
        return PmsBooking(
            reference=r["reference"],
            status=r["status"],
            room_type=r["room_type"],
            check_in=date.fromisoformat(r["check_in"]),
            check_out=date.fromisoformat(r["check_out"]),
            adults=r["adults"],
            children=r["children"],
            guest_name=r["guest_name"],
            email=r["email"],
            phone=r["phone"],
            total_price=Decimal(r["total_price"]),
            currency=r["currency"],
        )

    async def get_booking(self, reference: str) -> PmsBooking:
        async with self.db.execute("SELECT * FROM bookings WHERE reference = ?", (reference.upper(),)) as cur:
            row = await cur.fetchone()
        if row is None:
            raise BookingNotFound(f"no booking {reference}")
        return self._booking(row)

    async def find_bookings(self, *, email: str | None = None, phone: str | None = None) -> list[PmsBooking]:
        if not email and not phone:
            return []
        async with self.db.execute(
            "SELECT * FROM bookings WHERE (lower(email) = lower(?) OR phone = ?) ORDER BY check_in",
            (email or "\0", phone or "\0"),
        ) as cur:
            return [self._booking(r) for r in await cur.fetchall()]

    async def remarks(self, reference: str) -> list[str]:
        """What staff read on a booking (requests, changes), newest first, as QloApps lists them."""
        async with self.db.execute(
            "SELECT remark FROM remarks WHERE reference = ? ORDER BY rowid DESC", (reference.upper(),)
        ) as cur:
            return [r["remark"] for r in await cur.fetchall()]

    async def all_bookings(self) -> list[PmsBooking]:
        async with self.db.execute("SELECT * FROM bookings ORDER BY created_at, reference") as cur:
            return [self._booking(r) for r in await cur.fetchall()]

    # -- writing -------------------------------------------------------------------------
    async def _replayed(self, key: str) -> PmsBooking | None:
        async with self.db.execute(
            "SELECT reference FROM operations WHERE idempotency_key = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        return await self.get_booking(row["reference"]) if row else None

    async def _write(self, fn: Callable[[], Awaitable[PmsBooking]]) -> PmsBooking:
        async with self._write_lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                result = await fn()
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")
            return result

    def _check_request(self, room_type: RoomType, r: BookingRequest, *, past_ok: bool = False) -> None:
        if r.check_out <= r.check_in:
            raise BookingRejected("check-out must be after check-in", code="invalid_dates")
        if not past_ok and r.check_in < self.today() - timedelta(days=1):
            raise BookingRejected("check-in is in the past", code="past_date")
        if r.adults < 1:
            raise BookingRejected("at least one adult", code="invalid_guests")
        if not room_type.fits(r.adults, r.children):
            raise BookingRejected(f"{room_type.code} does not fit the party", code="over_capacity")
        if (r.check_out - r.check_in).days < room_type.min_nights:
            raise BookingRejected("stay shorter than the minimum", code="min_nights")
        if not r.guest_name.strip():
            raise BookingRejected("the guest's name is required", code="missing_name")

    async def create_booking(self, request: BookingRequest) -> PmsBooking:
        entry = self._types.get(request.room_type)
        if entry is None:
            raise BookingRejected(f"unknown room type {request.room_type}", code="unknown_room_type")
        room_type = entry[0]
        self._check_request(room_type, request)

        async def write() -> PmsBooking:
            if (done := await self._replayed(request.idempotency_key)) is not None:
                return done
            if await self._free_rooms(room_type.code, request.check_in, request.check_out) <= 0:
                raise RoomNotAvailable(f"no {room_type.code} free for those nights")
            now = _now()
            for _ in range(20):
                reference = f"HB-{secrets.randbelow(9000) + 1000}"
                try:
                    await self.db.execute("INSERT INTO issued_references VALUES (?)", (reference,))
                    await self.db.execute(
                        "INSERT INTO bookings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            reference,
                            "confirmed",
                            room_type.code,
                            request.check_in.isoformat(),
                            request.check_out.isoformat(),
                            request.adults,
                            request.children,
                            request.guest_name.strip(),
                            request.email,
                            request.phone,
                            str(self.price(room_type, request.check_in, request.check_out)),
                            CURRENCY,
                            now,
                            now,
                        ),
                    )
                    break
                except sqlite3.IntegrityError:
                    continue
            else:
                raise PmsUnavailable("could not allocate a booking reference")
            await self.db.execute(
                "INSERT INTO operations VALUES (?, 'create', ?, ?)",
                (request.idempotency_key, reference, now),
            )
            if request.remark:
                await self.db.execute(
                    "INSERT INTO remarks VALUES (?, ?, ?)", (reference, request.remark, now)
                )
            return await self.get_booking(reference)

        return await self._write(write)

    async def modify_dates(
        self, reference: str, check_in: date, check_out: date, idempotency_key: str
    ) -> PmsBooking:
        return await self.modify_booking(
            reference, StayChange(check_in=check_in, check_out=check_out), idempotency_key
        )

    async def modify_booking(self, reference: str, change: StayChange, idempotency_key: str) -> PmsBooking:
        async def write() -> PmsBooking:
            if (done := await self._replayed(idempotency_key)) is not None:
                return done
            booking = await self.get_booking(reference)
            if booking.status != "confirmed":
                raise BookingRejected("the booking is cancelled", code="booking_cancelled")
            wanted = change.on(booking)
            entry = self._types.get(wanted.room_type)
            if entry is None:
                raise BookingRejected(f"unknown room type {wanted.room_type}", code="unknown_room_type")
            room_type = entry[0]
            self._check_request(
                room_type,
                BookingRequest(
                    idempotency_key,
                    room_type.code,
                    wanted.check_in,
                    wanted.check_out,
                    wanted.adults,
                    wanted.children,
                    booking.guest_name,
                    None,
                    None,
                ),
                past_ok=wanted.check_in == booking.check_in,  # a guest in the house may add someone
            )
            free = await self._free_rooms(
                room_type.code, wanted.check_in, wanted.check_out, exclude=booking.reference
            )
            if free <= 0:
                raise RoomNotAvailable(f"no {room_type.code} free for the new stay")
            now = _now()
            await self.db.execute(
                "UPDATE bookings SET room_type = ?, check_in = ?, check_out = ?, adults = ?, children = ?,"
                " total_price = ?, updated_at = ? WHERE reference = ?",
                (
                    room_type.code,
                    wanted.check_in.isoformat(),
                    wanted.check_out.isoformat(),
                    wanted.adults,
                    wanted.children,
                    str(self.price(room_type, wanted.check_in, wanted.check_out)),
                    now,
                    booking.reference,
                ),
            )
            await self.db.execute(
                "INSERT INTO operations VALUES (?, 'modify', ?, ?)",
                (idempotency_key, booking.reference, now),
            )
            if change.remark:
                await self.db.execute(
                    "INSERT INTO remarks VALUES (?, ?, ?)", (booking.reference, change.remark, now)
                )
            return await self.get_booking(booking.reference)

        return await self._write(write)

    async def cancel_booking(self, reference: str, idempotency_key: str) -> PmsBooking:
        async def write() -> PmsBooking:
            if (done := await self._replayed(idempotency_key)) is not None:
                return done
            booking = await self.get_booking(reference)
            now = _now()
            await self.db.execute(
                "UPDATE bookings SET status = 'cancelled', updated_at = ? WHERE reference = ?",
                (now, booking.reference),
            )
            await self.db.execute(
                "INSERT INTO operations VALUES (?, 'cancel', ?, ?)",
                (idempotency_key, booking.reference, now),
            )
            return await self.get_booking(booking.reference)

        return await self._write(write)
