"""The fake's hotel: rooms taken night by night, prices, customers, orders and their room lines.

Semantics follow the captures (tests/data/qloapps): API bookings are charged the
room type's nightly price (auto-added fees dropped) unless a stay total is sent; quotes from
hotel_ari include the per-night auto-added fee; tax group 1 is 4 %; a booking is an order
(state from order_states) plus one room line per booked room; a change of dates adds the new
line (while the old one still holds its room) and then removes the old one; a cancellation
flags the lines and sets the order Canceled. And, like QloApps, there is no lock: availability
is read, the request "runs" for a while, then rooms are assigned from what was read.
"""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.qloapps.formats import ApiError, RawResponse, php_warning
from tests.fakes.qloapps.seed import Seed

SHOP_TZ = ZoneInfo("Europe/Madrid")
TAX_RATE = Decimal("0.04")
BOOKINGS_FILE = "/var/www/qloapps/classes/webservice/WebserviceSpecificManagementBookings.php"
NAME_FORBIDDEN = set('0123456789!<>,;?=+()@#"°{}_$%:')
PHONE = re.compile(r"^\+?[\s\d.()-]*\d+$")
EMAIL = re.compile(r"^[a-z\p{L}0-9!#$%&'*+/=?^`{}|~_-]+[.a-z\p{L}0-9!#$%&'*+/=?^`{}|~_-]*@[a-z\p{L}0-9]+(?:[.]?[_a-z\p{L}0-9-])*\.[a-z\p{L}0-9]+$".replace("\\p{L}", "À-ÿ"), re.I)  # fmt: skip
PAYMENT_TYPES = {"online", "remote", "pay at hotel"}


def now() -> str:
    return datetime.now(SHOP_TZ).strftime("%Y-%m-%d %H:%M:%S")


def num(value: Decimal) -> int | float:
    """A PHP float as json_encode writes it: 2000 rather than 2000.0."""
    return int(value) if value == value.to_integral_value() else float(value)


def money6(value: Decimal) -> str:
    return f"{value:.6f}"


def tax_of(amount: Decimal) -> Decimal:
    return (amount * TAX_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def nights(check_in: date, check_out: date) -> Iterator[date]:
    d = check_in
    while d < check_out:
        yield d
        d += timedelta(days=1)


@dataclass
class Line:
    """A room booked for a stay (QloApps' htl_booking_detail, the room_bookings resource)."""

    id: int
    id_order: int
    id_product: int
    id_room: int
    id_customer: int
    date_from: date
    date_to: date
    adults: int
    children: int
    child_ages: list[int]
    price_excl: Decimal
    services: list[dict[str, Any]] = field(default_factory=list)
    is_refunded: int = 0
    is_cancelled: int = 0
    is_back_order: int = 0
    id_status: int = 1
    date_add: str = field(default_factory=now)
    date_upd: str = field(default_factory=now)

    @property
    def live(self) -> bool:
        return not self.is_refunded

    def holds(self, night: date) -> bool:
        return self.live and self.date_from <= night < self.date_to


@dataclass
class Order:
    id: int
    id_customer: int
    id_cart: int
    reference: str
    current_state: int
    source: str
    payment: str
    total_paid_real: Decimal
    remarks: list[str]
    date_add: str
    date_upd: str
    secure_key: str = field(default_factory=lambda: secrets.token_hex(16))


class Hotel:
    """All mutable state of the fake QloApps."""

    def __init__(self, seed: Seed | None = None, rng: random.Random | None = None) -> None:
        self.seed = seed or Seed()
        self.rng = rng or random.Random(1)
        self.customers: list[dict[str, Any]] = list(self.seed.customers)
        self.orders: dict[int, Order] = {}
        self.lines: dict[int, Line] = {}
        self.histories: list[dict[str, Any]] = []
        # (template, to): what QloApps would e-mail — order_conf to the customer on every booking
        # (PaymentModule::validateOrder with PS_ORDER_CONF_MAIL_TO_CUSTOMER on, the default)
        self.mails: list[tuple[str, str]] = []
        self.payments: list[dict[str, Any]] = []
        self.next_order = 1
        self.next_line = 1
        self.next_cart = 1
        self.request_seconds = 0.0  # how long a booking request "runs" between read and write
        self.race = "double"  # what concurrent writers for the same room get: double | back_order | random
        self.race_double_ratio = 0.8  # measured: 8 of 10 two-way races kept two live orders

    # -- catalogue -----------------------------------------------------------------------
    def room_type(self, product_id: int) -> dict[str, Any] | None:
        product = self.seed.products.get(product_id)
        return product if product and product.get("id_hotel") not in (False, None) else None

    def capacity(self, product_id: int) -> dict[str, Any]:
        return next(h for h in self.seed.hotel_room_types if h["id_product"] == product_id)

    def rooms_of(self, product_id: int) -> list[dict[str, Any]]:
        return [r for r in self.seed.rooms if r["id_product"] == product_id]

    def room(self, room_id: int) -> dict[str, Any] | None:
        return next((r for r in self.seed.rooms if r["id"] == room_id), None)

    def nightly(self, product_id: int) -> Decimal:
        return Decimal(self.seed.products[product_id]["price"])

    def auto_fee_per_night(self) -> Decimal:
        """Auto-added services charged per night with the room (quoted by hotel_ari only)."""
        return sum(
            (
                Decimal(s["price"])
                for s in self.seed.services
                if s["auto_add_to_cart"]
                and s["price_addition_type"] == 1
                and s["price_calculation_method"] == 2
            ),
            Decimal(0),
        )

    def stay_allowed(self, product_id: int, check_in: date, check_out: date) -> bool:
        cap = self.capacity(product_id)
        count = (check_out - check_in).days
        return count >= max(1, cap["min_los"]) and (not cap["max_los"] or count <= cap["max_los"])

    def room_free(
        self, room_id: int, check_in: date, check_out: date, ignore: set[int] = frozenset()
    ) -> bool:
        room = self.room(room_id)
        if room is None or room["id_status"] != 1:
            return False
        return not any(
            line.id_room == room_id
            and line.live
            and line.id not in ignore
            and line.date_from < check_out
            and line.date_to > check_in
            for line in self.lines.values()
        )

    def free_rooms(self, product_id: int, check_in: date, check_out: date) -> list[int]:
        return [r["id"] for r in self.rooms_of(product_id) if self.room_free(r["id"], check_in, check_out)]

    # -- customers -------------------------------------------------------------------------
    def customer_by_email(self, email: str) -> dict[str, Any] | None:
        return next((c for c in self.customers if c["email"].lower() == email.lower()), None)

    def upsert_customer(self, detail: dict[str, Any], *, keep_phone: bool = False) -> dict[str, Any]:
        customer = self.customer_by_email(detail["email"])
        if customer is None:
            customer = {
                "id": max(c["id"] for c in self.customers) + 1,
                "id_default_group": 3,
                "id_lang": 1,
                "phone": "",
                "lastname": "",
                "firstname": "",
                "email": detail["email"],
                "active": 1,
                "is_guest": 0,
            }
            self.customers.append(customer)
        for key in ("firstname", "lastname"):
            if detail.get(key):
                customer[key] = to_bmp(str(detail[key]))
        if "phone" in detail or not keep_phone:
            customer["phone"] = str(detail.get("phone") or "")
        return customer

    # -- orders ----------------------------------------------------------------------------
    def new_order(
        self, customer: dict[str, Any], source: str, state: int, payment: str, paid: Decimal
    ) -> Order:
        stamp = now()
        order = Order(
            id=self.next_order,
            id_customer=customer["id"],
            id_cart=self.next_cart,
            reference="".join(self.rng.choice(string.ascii_uppercase) for _ in range(9)),
            current_state=state,
            source=source,
            payment=payment,
            total_paid_real=paid,
            remarks=[],
            date_add=stamp,
            date_upd=stamp,
        )
        self.next_order += 1
        self.next_cart += 1
        self.orders[order.id] = order
        self.set_state(order, state)
        return order

    def set_state(self, order: Order, state: int) -> None:
        order.current_state = state
        order.date_upd = now()
        self.histories.append(
            {
                "id": len(self.histories) + 1,
                "id_employee": 0,
                "id_order_state": state,
                "id_order": order.id,
                "date_add": order.date_upd,
            }
        )

    def order_lines(self, order_id: int) -> list[Line]:
        return sorted(
            (line for line in self.lines.values() if line.id_order == order_id), key=lambda ln: ln.id
        )

    def totals(self, order: Order) -> tuple[Decimal, Decimal]:
        """(tax excluded, tax) over the order's lines and their services."""
        excl = Decimal(0)
        tax = Decimal(0)
        for line in self.order_lines(order.id):
            excl += line.price_excl
            tax += tax_of(line.price_excl)
            for service in line.services:
                excl += Decimal(str(service["total_price_without_tax"]))
                tax += Decimal(str(service["total_tax"]))
        return excl, tax

    def add_line(
        self,
        order: Order,
        product_id: int,
        room_id: int,
        check_in: date,
        check_out: date,
        occupancy: dict[str, Any],
        price: Decimal,
    ) -> Line:
        line = Line(
            id=self.next_line,
            id_order=order.id,
            id_product=product_id,
            id_room=room_id,
            id_customer=order.id_customer,
            date_from=check_in,
            date_to=check_out,
            adults=occupancy["adults"],
            children=occupancy["children"],
            child_ages=occupancy["child_ages"],
            price_excl=price,
        )
        self.next_line += 1
        self.lines[line.id] = line
        return line


def to_bmp(text: str) -> str:
    """MySQL utf8 (3 bytes) keeps no emoji: each character outside the BMP becomes '????'."""
    return "".join("????" if ord(c) > 0xFFFF else c for c in text)


def valid_name(name: str) -> bool:
    """Customer::isName: no digits or punctuation, at most 32 characters (emoji pass here and
    are only mangled later by MySQL)."""
    return bool(name) and len(name) <= 32 and not (set(name) & NAME_FORBIDDEN)


def error404(message: str) -> ApiError:
    """Every bookings validation failure: HTTP 400 with QloApps' internal code 404."""
    return ApiError((404, message, 400))


def parse_day(value: Any) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()[:10]):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


@dataclass
class RoomRequest:
    """One requested room of a room-type line, after validation."""

    id_room: int | None
    occupancy: dict[str, Any]
    price: Decimal | None  # stay total, tax excluded, when the client sent one
    services: list[dict[str, Any]]
    has_tax_field: bool


@dataclass
class LineRequest:
    product_id: int
    check_in: date
    check_out: date
    rooms: list[RoomRequest]

    @property
    def key(self) -> tuple[int, date, date]:
        return (self.product_id, self.check_in, self.check_out)


def as_list(value: Any, singular: str) -> list[Any]:
    """Lists arrive as [...] in JSON and as {"room_type": [...]} (or one object) from XML."""
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        inner = value.get(singular, value)
        return inner if isinstance(inner, list) else [inner]
    return list(value)


def parse_lines(hotel: Hotel, raw_types: list[Any], *, for_put: bool) -> list[LineRequest]:
    lines = []
    for raw in raw_types:
        if not isinstance(raw, dict):
            raise error404("Invalid room type in the request")
        check_in = parse_day(raw.get("checkin_date"))
        if check_in is None:
            raise error404("Invalid check in date in the request")
        check_out = parse_day(raw.get("checkout_date"))
        if check_out is None:
            raise error404("Invalid check out date in the request")
        if not raw.get("number_of_rooms") and raw.get("number_of_rooms") != 0:
            raise error404("number of rooms is missing")
        product_id = int(raw.get("id_room_type") or 0)
        if hotel.room_type(product_id) is None:
            raise error404("Invalid room type in the request")
        count = int(raw["number_of_rooms"])
        raw_rooms = as_list(raw.get("rooms"), "room")
        if raw_rooms and len(raw_rooms) != count:
            raise error404("Room count does not matches with the number of rooms")
        if check_out < check_in:
            raise error404("Invalid check in and check out dates in the request")
        cap = hotel.capacity(product_id)
        base = {"adults": cap["adults"], "children": cap["children"], "child_ages": []}
        rooms = []
        for index in range(count):
            spec = raw_rooms[index] if raw_rooms else {}
            occupancy = dict(base)
            if spec:
                ages = [int(a) for a in as_list(spec.get("child_ages"), "child_age")]
                occupancy = {
                    "adults": int(spec["adult"]) if spec.get("adult") not in (None, "") else cap["adults"],
                    "children": int(spec.get("child") or 0) if ages or for_put else 0,
                    "child_ages": ages,
                }
                if ages:
                    occupancy["children"] = int(spec.get("child") or len(ages))
            price = spec.get("unit_price_without_tax") if spec else None
            rooms.append(
                RoomRequest(
                    id_room=int(spec["id_room"]) if spec and spec.get("id_room") else None,
                    occupancy=occupancy,
                    price=Decimal(str(price)) if price not in (None, "") else None,
                    services=as_list(spec.get("services"), "service") if spec else [],
                    has_tax_field=not spec or "id_tax_rules_group" in spec or "total_tax" in spec,
                )
            )
        lines.append(LineRequest(product_id, check_in, check_out, rooms))
    return lines


class Allocation:
    """Rooms chosen for a request from a snapshot of availability (read before the write)."""

    def __init__(
        self, hotel: Hotel, lines: list[LineRequest], ignore_lines: set[int] = frozenset(), dot: bool = True
    ) -> None:
        self.picks: list[tuple[LineRequest, RoomRequest, int]] = []
        message = "Requested room(s) not available." if dot else "Requested room(s) not available"
        taken: set[tuple[int, date]] = set()
        for line in lines:
            if line.check_out <= line.check_in or not hotel.stay_allowed(
                line.product_id, line.check_in, line.check_out
            ):
                raise error404(message)
            for room_request in line.rooms:
                candidates = (
                    [room_request.id_room]
                    if room_request.id_room
                    else [r["id"] for r in hotel.rooms_of(line.product_id)]
                )
                chosen = None
                for room_id in candidates:
                    room = hotel.room(room_id)
                    if room is None or room["id_product"] != line.product_id:
                        continue
                    if any((room_id, n) in taken for n in nights(line.check_in, line.check_out)):
                        continue
                    if hotel.room_free(room_id, line.check_in, line.check_out, ignore_lines):
                        chosen = room_id
                        break
                if chosen is None:
                    raise error404(message)
                taken.update((chosen, n) for n in nights(line.check_in, line.check_out))
                self.picks.append((line, room_request, chosen))


async def pause(hotel: Hotel) -> None:
    """The request's run time between reading availability and writing (no lock in QloApps)."""
    if hotel.request_seconds:
        await asyncio.sleep(hotel.request_seconds)
    else:
        await asyncio.sleep(0)


def missing_tax_warning() -> ApiError:
    return ApiError(php_warning('Undefined array key "total_tax"', BOOKINGS_FILE, 504))


def check_customer(detail: Any) -> dict[str, Any]:
    if not isinstance(detail, dict) or not detail:
        raise error404("Customer details not found.")
    return detail


def validate_contact(detail: dict[str, Any]) -> None:
    if not detail.get("email"):
        raise error404("Please provide a valid email.")
    if not detail.get("firstname"):
        raise error404("Please provide a valid firstname.")
    if not detail.get("lastname"):
        raise error404("Please provide a valid lastname.")
    if not detail.get("phone"):
        raise error404("Please provide a valid phone number.")


def validate_address(detail: dict[str, Any]) -> None:
    if not any(detail.get(k) for k in ("address", "city", "zip", "state_code", "country_code")):
        return
    country = str(detail.get("country_code") or "")
    if country.upper() not in {"US", "ES", "PT", "FR", "GB", "DE", "IT", "BR"}:
        raise error404("Invalid country code.")
    if country.upper() == "US" and not detail.get("state_code"):
        raise error404("State code is required for the given country.")


def check_identity_or_die(detail: dict[str, Any]) -> None:
    """What QloApps does after validation and before the order: PHP dies or throws."""
    for key in ("firstname", "lastname"):
        if not valid_name(str(detail[key])):
            raise RawResponse(500)  # Customer::isName fails inside add(): uncaught, empty 500
    if not EMAIL.match(str(detail["email"])):
        raise RawResponse(200, "Fatal error")  # Customer::getByEmail() die()s
