"""QloApps behind the PMS protocol: catalogue, quotes, bookings — made safe despite the API.

Recipes for QloApps 1.6.1's webservice as measured (the captures in tests/data/qloapps), each
tested against the fake:

* **Book**: validate what QloApps does not (names, e-mail, phone, capacity, past dates); take the
  hotel's write lock (QloApps has none and double-books); re-check the room live with hotel_ari;
  POST with ``source = hotelbox-<idempotency key>`` and the quoted stay price; an unclear answer
  (500 — which can mean "created" —, timeout, "Fatal error", non-JSON) is settled by looking the
  token up, never by posting again; then verify the order's room lines: a back-order or a second
  live booking of the same room means the room is not held, and the order is cancelled.
* **Change dates**: PUT the complete room list, resending the phone (a PUT without it erases it).
* **Cancel**: PUT ``booking_status 3`` with the current room list; confirm the order state.
* Guests without e-mail are booked under ``<phone>@<placeholder domain>`` and staff are told.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import logging
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from email_validator import EmailNotValidError, validate_email

from hotelbox.config import Language, QloAppsSettings
from hotelbox.errors import (
    BookingConflict,
    BookingNotFound,
    BookingRejected,
    PmsError,
    PmsNotFound,
    PmsUnavailable,
    RoomNotAvailable,
)
from hotelbox.nlu.entities import split_full_name
from hotelbox.pms import (
    BookingRequest,
    BookingStatus,
    HotelInfo,
    Night,
    Offer,
    PmsBooking,
    RoomType,
    Stay,
    StayChange,
)
from hotelbox.pms.qloapps_api import Answer, QloAppsApi, as_int, error_for, listing

log = logging.getLogger(__name__)
LANGUAGES: tuple[Language, ...] = ("es", "en", "pt")
REQUIRED_RESOURCES = {
    "hotels",
    "room_types",
    "hotel_room_types",
    "hotel_ari",
    "bookings",
    "orders",
    "room_bookings",
    "customers",
    "order_states",
}
CANCELLED_STATES = {4, 5, 6}
OVERBOOKED_STATES = {7, 11, 12}
NAME_FORBIDDEN = re.compile(r'[0-9!<>,;?=+()@#"°{}_$%:]')
PHONE = re.compile(r"^\+?[\s\d.()-]*\d+$")  # Validate::isPhoneNumber
# Validate::isEmail, with \p{L} (any letter) applied by mapping letters to "a" first
QLO_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^`{}|~_-]+[.a-z0-9!#$%&'*+/=?^`{}|~_-]*@[a-z0-9]+(?:[.]?[_a-z0-9-])*\.[a-z0-9]+$",
    re.I,
)
TAG = re.compile(r"<[^>]+>")


def clean_name(part: str) -> str:
    """What Customer::isName accepts: no digits or punctuation, no emoji, ≤ 32 characters."""
    text = "".join(c for c in part if ord(c) <= 0xFFFF)
    text = NAME_FORBIDDEN.sub(" ", text)
    return " ".join(text.split())[:32].strip()


def split_name(full: str) -> tuple[str, str]:
    words = clean_name(full).split()
    if not words:
        return "Guest", "Guest"
    if len(words) == 1:
        return words[0], words[0]
    first, last = split_full_name(" ".join(words))  # "Lucía Fernández Ruiz": Lucía + Fernández Ruiz
    return first[:32], last[:32]


def i18n_values(value: Any) -> list[str]:
    """A multilingual field: a plain string (one language installed, or ``language=`` given) or
    ``[{"id": language id, "value": text}, …]`` when the shop has several languages."""
    if isinstance(value, list):
        return [str(v.get("value")) for v in value if isinstance(v, dict) and v.get("value")]
    return [str(value)] if value else []


def clean_html(values: list[str]) -> str:
    return html.unescape(TAG.sub(" ", values[0])).strip() if values else ""


def _said(booking: PmsBooking, wanted: Stay) -> str:
    """What changed, for staff reading the order's remarks."""
    parts = []
    if (wanted.check_in, wanted.check_out) != (booking.check_in, booking.check_out):
        parts.append(f"stay {booking.check_in}–{booking.check_out} → {wanted.check_in}–{wanted.check_out}")
    if wanted.room_type != booking.room_type:
        parts.append(f"room type {booking.room_type} → {wanted.room_type}")
    if (wanted.adults, wanted.children) != (booking.adults, booking.children):
        parts.append(
            f"guests {booking.adults} adults {booking.children} children → {wanted.adults} adults"
            f" {wanted.children} children"
        )
    return "changed by the guest: " + "; ".join(parts)


def day(value: str) -> date:
    return date.fromisoformat(str(value)[:10])


@dataclass
class Catalogue:
    """What hotelbox needs of the hotel's set-up; kept in the mirror between runs."""

    hotel: HotelInfo
    room_types: dict[int, RoomType]
    rooms: dict[int, list[int]]  # room type → its physical room ids
    tax_groups: dict[int, int]
    fetched_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "hotel": asdict(self.hotel),
            "room_types": {str(k): rt.to_json() for k, rt in self.room_types.items()},
            "rooms": {str(k): v for k, v in self.rooms.items()},
            "tax_groups": {str(k): v for k, v in self.tax_groups.items()},
            "fetched_at": self.fetched_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalogue:
        return cls(
            hotel=HotelInfo(**data["hotel"]),
            room_types={int(k): RoomType.from_json(v) for k, v in data["room_types"].items()},
            rooms={int(k): [int(r) for r in v] for k, v in data["rooms"].items()},
            tax_groups={int(k): int(v) for k, v in data["tax_groups"].items()},
            fetched_at=datetime.fromisoformat(data["fetched_at"]),
        )


class QloAppsPms:
    kind = "qloapps"

    def __init__(self, settings: QloAppsSettings, key: str, api: QloAppsApi | None = None) -> None:
        self.settings = settings
        self.api = api or QloAppsApi(settings, key)
        self.hotel_id = settings.hotel_id
        self.catalogue: Catalogue | None = None
        self._write_lock = asyncio.Lock()  # one booking write at a time for this hotel
        self._order_state: int | None = None  # pms.qloapps.order_state, resolved to its id

    # -- lifecycle ---------------------------------------------------------------------------
    async def open(self) -> None:
        await self.api.open()

    async def close(self) -> None:
        await self.api.close()

    async def check(self) -> list[str]:
        """The resources this key may use (raises PmsAuthError, PmsUnavailable…)."""
        granted = await self.api.get("")
        names = [str(n) for n in granted] if isinstance(granted, list) else []
        needed = REQUIRED_RESOURCES | ({"order_histories"} if self.settings.order_state.strip() else set())
        missing = sorted(needed - set(names))
        if missing:
            raise PmsError(
                f"the QloApps key lacks permission for: {', '.join(missing)}", code="pms_permission"
            )
        return names

    # -- catalogue ---------------------------------------------------------------------------
    async def load_catalogue(self) -> Catalogue:
        hotels = listing(
            await self.api.get(
                "hotels",
                **{
                    "filter[id]": f"[{self.hotel_id}]",
                    "display": "[id,hotel_name,email,phone,address,city,zipcode,check_in,check_out,active]",
                },
            ),
            "hotels",
        )
        if not hotels:
            raise PmsError(f"QloApps has no hotel with id {self.hotel_id}", code="pms_invalid_hotel")
        h = hotels[0]
        capacities = {
            as_int(c["id_product"]): c
            for c in listing(
                await self.api.get(
                    "hotel_room_types", **{"filter[id_hotel]": f"[{self.hotel_id}]", "display": "full"}
                ),
                "hotel_room_types",
            )
        }
        types = listing(
            await self.api.get(
                "room_types",
                display="[id,name,price,id_tax_rules_group,id_hotel,active,available_for_order,description_short]",
            ),
            "room_types",
        )
        currency = await self._currency()
        quote_day = datetime.now(UTC).date() + timedelta(days=1)
        nightly = {
            rt.room_type.code: rt.total_price
            for rt in await self._ari_offers(quote_day, quote_day + timedelta(days=1), None)
        }
        room_types: dict[int, RoomType] = {}
        rooms: dict[int, list[int]] = {}
        tax_groups: dict[int, int] = {}
        for t in types:
            rid = as_int(t["id"])
            if rid not in capacities or not as_int(t.get("active", 1)):
                continue
            cap = capacities[rid]
            names = i18n_values(t.get("name")) or [f"Room type {rid}"]
            description = clean_html(i18n_values(t.get("description_short"))[:1])
            text = self.settings.room_types.get(str(rid))
            configured = text.names if text else {}
            described = text.descriptions if text else {}
            room_types[rid] = RoomType(
                code=str(rid),
                names={lang: configured.get(lang) or names[0] for lang in LANGUAGES},
                descriptions={lang: described.get(lang) or description for lang in LANGUAGES},
                aliases=tuple(
                    dict.fromkeys(
                        [
                            *names,
                            *(re.sub(r"\s+rooms?$", "", n, flags=re.I) for n in names),
                            *(text.aliases if text else []),
                        ]
                    )
                ),
                max_adults=as_int(cap["max_adults"]),
                max_children=as_int(cap["max_children"]),
                max_guests=as_int(cap["max_guests"]),
                base_price=nightly.get(str(rid), Decimal(str(t.get("price") or 0))),
                min_nights=max(1, as_int(cap.get("min_los", 1))),
                max_nights=as_int(cap.get("max_los", 0)),
            )
            rooms[rid] = [as_int(r["id"]) for r in (cap.get("associations") or {}).get("hotel_rooms", [])]
            tax_groups[rid] = as_int(t.get("id_tax_rules_group", 0))
        hotel = HotelInfo(
            name=str(h.get("hotel_name") or "Hotel"),
            currency=currency,
            check_in_time=str(h.get("check_in") or ""),
            check_out_time=str(h.get("check_out") or ""),
            address=", ".join(str(h.get(k)) for k in ("address", "city", "zipcode") if h.get(k)),
            phone=str(h.get("phone") or ""),
            email=str(h.get("email") or ""),
        )
        self.catalogue = Catalogue(hotel, room_types, rooms, tax_groups, datetime.now(UTC))
        return self.catalogue

    async def _currency(self) -> str:
        rows = listing(
            await self.api.get("currencies", **{"filter[active]": "[1]", "display": "[id,iso_code]"}),
            "currencies",
        )
        return str(rows[0]["iso_code"]) if rows else "USD"

    async def _cat(self) -> Catalogue:
        return self.catalogue or await self.load_catalogue()

    async def hotel(self) -> HotelInfo:
        return (await self._cat()).hotel

    async def room_types(self) -> list[RoomType]:
        return list((await self._cat()).room_types.values())

    # -- availability ----------------------------------------------------------------------
    def ari_xml(
        self, check_in: date, check_out: date, room_type: int | None = None, *, breakdown: bool = False
    ) -> str:
        parts = [f"<id_hotel>{self.hotel_id}</id_hotel>"]
        if room_type is not None:
            parts.append(f"<id_room_type>{room_type}</id_room_type>")
        parts += [
            f"<date_from>{check_in}</date_from>",
            f"<date_to>{check_out}</date_to>",
            "<get_available_rooms>1</get_available_rooms>",
        ]
        if breakdown:
            parts.append("<date_wise_breakdown>1</date_wise_breakdown>")
        return (
            '<?xml version="1.0" encoding="UTF-8"?><qloapps><hotel_ari>'
            + "".join(parts)
            + "</hotel_ari></qloapps>"
        )

    async def _ari_offers(self, check_in: date, check_out: date, room_type: int | None) -> list[Offer]:
        data = await self.api.ari(self.ari_xml(check_in, check_out, room_type))
        ari = data.get("hotel_ari", {})
        currency = str(ari.get("currency") or "USD")
        offers = []
        for rt in ari.get("room_types", []) or []:
            rid = as_int(rt["id_room_type"])
            available = rt.get("rooms", {}).get("available") or {}
            name = str(rt.get("name") or rid)
            placeholder = RoomType(str(rid), {"es": name, "en": name, "pt": name}, 0, 0, 0, Decimal(0))
            offers.append(
                Offer(
                    room_type=self.catalogue.room_types.get(rid, placeholder)
                    if self.catalogue
                    else placeholder,
                    check_in=check_in,
                    check_out=check_out,
                    available=len(available),
                    total_price=Decimal(str(rt["total_price_with_tax"])),
                    currency=currency,
                )
            )
        return offers

    async def fetch_nights(self, start: date, end: date) -> list[Night]:
        """Every room type, night by night from ``start`` to ``end`` (exclusive), in one call.

        The per-night blocks of ``date_wise_breakdown`` apply length-of-stay rules to a one-night
        stay, so a type with ``min_los`` > 1 shows no room "available" on any night; its free
        rooms are therefore its rooms minus those booked or out of order that night (asked for
        with the booked and unavailable flags), and hotelbox applies the stay rules itself.
        """
        cat = await self._cat()
        xml = self.ari_xml(start, end, breakdown=True).replace(
            "<get_available_rooms>1</get_available_rooms>",
            "<get_available_rooms>1</get_available_rooms><get_booked_rooms>1</get_booked_rooms>"
            "<get_unavailable_rooms>1</get_unavailable_rooms>",
        )
        data = await self.api.ari(xml)
        blocks = data.get("hotel_aris")
        if not isinstance(blocks, list):
            raise PmsError("hotel_ari gave no per-night breakdown", code="pms_bad_response")
        nights: list[Night] = []
        for block in blocks:
            night = day(block["date_from"])
            currency = str(block.get("currency") or cat.hotel.currency)
            listed = {}
            for rt in block.get("room_types", []) or []:
                listed[as_int(rt["id_room_type"])] = rt
            for rid in cat.room_types:
                rt = listed.get(rid)
                if rt is None:
                    nights.append(Night(str(rid), night, frozenset(), None, currency))
                    continue
                sets = rt.get("rooms") or {}
                taken = {as_int(k) for name in ("booked", "unavailable") for k in (sets.get(name) or {})}
                free = {as_int(k) for k in (sets.get("available") or {})}
                free |= {r for r in cat.rooms.get(rid, []) if r not in taken}
                nights.append(
                    Night(
                        str(rid), night, frozenset(free), Decimal(str(rt["total_price_with_tax"])), currency
                    )
                )
        return nights

    async def changed_orders(self, since: str) -> list[dict[str, Any]]:
        """Orders updated at or after ``since`` (shop time, "Y-m-d H:M:S"), oldest first.

        ``>`` is strict and ``date_upd`` has one-second resolution: callers pass their last seen
        stamp minus a second and de-duplicate by (id, date_upd).
        """
        return listing(
            await self.api.get(
                "orders",
                **{
                    "filter[date_upd]": f">[{since}]",
                    "date": "1",
                    "display": "[id,reference,current_state,id_customer,source,date_upd]",
                    "sort": "[date_upd_ASC]",
                },
            ),
            "orders",
        )

    async def latest_order_update(self) -> str | None:
        rows = listing(
            await self.api.get(
                "orders", display="[id,date_upd]", date="1", sort="[date_upd_DESC]", limit="1"
            ),
            "orders",
        )
        return str(rows[0]["date_upd"]) if rows else None

    async def read_order(self, order: dict[str, Any]) -> PmsBooking:
        return await self._read(order)

    async def quote_excl_tax(self, room_type: int, check_in: date, check_out: date) -> Decimal | None:
        """hotel_ari's stay total for one room, tax excluded (what unit_price_without_tax takes)."""
        data = await self.api.ari(self.ari_xml(check_in, check_out, room_type))
        for rt in data.get("hotel_ari", {}).get("room_types", []) or []:
            if as_int(rt["id_room_type"]) == room_type and rt.get("rooms", {}).get("available"):
                return Decimal(str(rt["total_price"]))
        return None

    async def search(
        self, check_in: date, check_out: date, adults: int, children: int, exclude: str | None = None
    ) -> list[Offer]:
        """Live availability; room types that fit the party (QloApps ignores occupancy)."""
        cat = await self._cat()
        offers = await self._ari_offers(check_in, check_out, None)
        extra: dict[str, int] = {}
        if exclude:  # the booking's own room counts as free when quoting its change of dates
            own = await self.get_booking(exclude)
            if own.status == "confirmed" and own.check_in < check_out and own.check_out > check_in:
                extra[own.room_type] = 1
        out = []
        for offer in offers:
            rt = cat.room_types.get(int(offer.room_type.code))
            if rt is None or not rt.fits(adults, children):
                continue
            available = offer.available + extra.get(rt.code, 0)
            if available > 0 and rt.allows_stay((check_out - check_in).days):
                out.append(replace(offer, room_type=rt, available=available))
        return sorted(out, key=lambda o: o.total_price)

    # -- reading bookings ------------------------------------------------------------------
    async def _order(self, **filters: str) -> dict[str, Any] | None:
        rows = listing(
            await self.api.get(
                "orders", display="[id,reference,current_state,id_customer,source,date_upd]", **filters
            ),
            "orders",
        )
        return rows[0] if rows else None

    async def _order_by_reference(self, reference: str) -> dict[str, Any]:
        ref = reference.strip().upper()
        if not re.fullmatch(r"[A-Z]{9}", ref):
            raise BookingNotFound(f"{reference} is not a QloApps reference")
        order = await self._order(**{"filter[reference]": f"[{ref}]"})
        if order is None:
            raise BookingNotFound(f"no booking {reference}")
        return order

    async def _lines(self, order_id: int) -> list[dict[str, Any]]:
        return listing(
            await self.api.get(
                "room_bookings",
                **{
                    "filter[id_order]": f"[{order_id}]",
                    "display": "[id,id_order,id_product,id_room,date_from,date_to,adults,children,total_price_tax_incl,is_refunded,is_cancelled,is_back_order]",
                },
            ),
            "bookings",
        )

    async def _read(self, order: dict[str, Any]) -> PmsBooking:
        order_id = as_int(order["id"])
        data = await self._booking_document(order_id)
        state = as_int(order["current_state"])
        status: BookingStatus = "cancelled" if state in CANCELLED_STATES | OVERBOOKED_STATES else "confirmed"
        if data is not None:
            assoc = data["booking"]["associations"]
            customer = assoc.get("customer_detail", {})
            line = (assoc.get("room_types") or [{}])[0]
            room = (line.get("rooms") or [{}])[0]
            price = assoc.get("price_details", {})
            total = Decimal(str(price.get("total_price_without_tax", 0))) + Decimal(
                str(price.get("total_tax", 0))
            )
            return PmsBooking(
                reference=str(order["reference"]),
                status=status,
                room_type=str(as_int(line.get("id_room_type"))),
                check_in=day(line.get("checkin_date", "1970-01-01")),
                check_out=day(line.get("checkout_date", "1970-01-01")),
                adults=as_int(room.get("adults")),
                children=as_int(room.get("child")),
                guest_name=f"{customer.get('firstname', '')} {customer.get('lastname', '')}".strip(),
                email=customer.get("email") or None,
                phone=str(customer.get("phone") or "") or None,
                total_price=total,
                currency=str(data["booking"].get("currency") or "USD"),
            )
        # bookings/{id} can 500 on shops that display prices tax excluded: read the lines instead
        lines = await self._lines(order_id)
        if not lines:
            raise PmsError(f"QloApps order {order_id} has no room lines", code="pms_bad_response")
        first = lines[0]
        customers = listing(
            await self.api.get(
                "customers",
                **{
                    "filter[id]": f"[{as_int(order.get('id_customer'))}]",
                    "display": "[id,firstname,lastname,email,phone]",
                },
            ),
            "customers",
        )
        customer = customers[0] if customers else {}
        return PmsBooking(
            reference=str(order["reference"]),
            status=status,
            room_type=str(as_int(first["id_product"])),
            check_in=day(first["date_from"]),
            check_out=day(first["date_to"]),
            adults=as_int(first.get("adults")),
            children=as_int(first.get("children")),
            guest_name=f"{customer.get('firstname', '')} {customer.get('lastname', '')}".strip(),
            email=customer.get("email") or None,
            phone=str(customer.get("phone") or "") or None,
            total_price=sum((Decimal(str(ln.get("total_price_tax_incl", 0))) for ln in lines), Decimal(0)),
            currency=(await self._cat()).hotel.currency,
        )

    async def _booking_document(self, order_id: int) -> dict[str, Any] | None:
        try:
            data = await self.api.get("bookings", order_id)
        except PmsNotFound as exc:
            raise BookingNotFound(f"QloApps has no booking {order_id}") from exc
        except PmsError as exc:
            if exc.code == "pms_php_warning":
                log.warning("bookings/%d unreadable (tax-excluded display bug): reading room lines", order_id)
                return None
            raise
        return data if isinstance(data, dict) and "booking" in data else None

    async def get_booking(self, reference: str) -> PmsBooking:
        return await self._read(await self._order_by_reference(reference))

    def placeholder_email(self, phone: str, of_email: str | None = None) -> str:
        """``guest-<phone digits>@<placeholder domain>``; a guest known by e-mail only (with
        guest_emails off) gets digits made from the address, so each guest stays one customer."""
        digits = re.sub(r"\D", "", phone)
        if not digits and of_email:
            digits = str(int(hashlib.sha256(of_email.casefold().encode()).hexdigest()[:12], 16))
        return f"guest-{digits or '0'}@{self.settings.placeholder_email_domain}"

    async def find_bookings(self, *, email: str | None = None, phone: str | None = None) -> list[PmsBooking]:
        emails = [e for e in (email, self.placeholder_email(phone) if phone else None) if e]
        if email and not self.settings.guest_emails:
            emails.append(self.placeholder_email("", of_email=email))
        found: dict[str, PmsBooking] = {}
        for address in emails:
            customers = listing(
                await self.api.get("customers", **{"filter[email]": f"[{address}]", "display": "[id,email]"}),
                "customers",
            )
            for customer in customers:
                orders = listing(
                    await self.api.get(
                        "orders",
                        **{
                            "filter[id_customer]": f"[{as_int(customer['id'])}]",
                            "display": "[id,reference,current_state,id_customer,source,date_upd]",
                        },
                    ),
                    "orders",
                )
                for order in orders:
                    booking = await self._read(order)
                    found[booking.reference] = booking
        return sorted(found.values(), key=lambda b: b.check_in)

    # -- writing ---------------------------------------------------------------------------
    def _customer(self, name: str, email: str | None, phone: str | None) -> tuple[dict[str, str], list[str]]:
        notes = []
        first, last = split_name(name)
        address = None
        if email:
            try:
                address = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError:
                address = None
            if address is not None and not QLO_EMAIL.match(
                "".join("a" if c.isalpha() else c for c in address)
            ):
                address = None  # QloApps would die on it ("Fatal error")
            if address is None:
                notes.append(f"the guest's e-mail {email!r} is not one QloApps accepts")
        if address is not None and not self.settings.guest_emails:
            # QloApps e-mails its own confirmation to the order's customer: keep the guest's
            # address out of it (pms.qloapps.guest_emails = false); staff read it in the remark
            notes.append(f"the guest's e-mail is {address} (not given to QloApps: pms.qloapps.guest_emails)")
            address = self.placeholder_email(phone or "", of_email=address)
        elif address is None:
            address = self.placeholder_email(phone or "0")
            notes.append("the guest gave no e-mail: booked under a placeholder address")
        clean_phone = phone if phone and PHONE.match(phone) else "0"
        if clean_phone == "0":
            notes.append("the guest gave no phone")
        return {"firstname": first, "lastname": last, "email": address, "phone": clean_phone}, notes

    async def create_booking(self, request: BookingRequest) -> PmsBooking:
        cat = await self._cat()
        rid = int(request.room_type)
        room_type = cat.room_types.get(rid)
        if room_type is None:
            raise BookingRejected(f"unknown room type {request.room_type}", code="unknown_room_type")
        if request.check_out <= request.check_in:
            raise BookingRejected("check-out must be after check-in", code="invalid_dates")
        if request.check_in < datetime.now(UTC).date() - timedelta(days=1):
            raise BookingRejected("check-in is in the past", code="past_date")  # QloApps would accept it
        if not room_type.fits(request.adults, request.children):
            raise BookingRejected(f"room type {rid} does not fit the party", code="over_capacity")  # nor this
        nights = (request.check_out - request.check_in).days
        if nights < room_type.min_nights:
            raise BookingRejected(f"room type {rid} needs {room_type.min_nights} nights", code="min_nights")
        if not room_type.allows_stay(nights):
            raise BookingRejected(f"room type {rid} allows {room_type.max_nights} nights", code="max_nights")
        customer, notes = self._customer(request.guest_name, request.email, request.phone)
        source = f"hotelbox-{request.idempotency_key}"[:255]
        async with self._write_lock:
            existing = await self._order(**{"filter[source]": f"[{source}]"})
            if existing is not None:  # a retry of ours — only if the order is what was asked
                await self._claim(existing, request, customer, settled=True)
            else:
                price = await self.quote_excl_tax(rid, request.check_in, request.check_out)
                if price is None:
                    raise RoomNotAvailable(f"no room of type {rid} free for those nights")
                room: dict[str, Any] = {
                    "adult": request.adults,
                    "child": 0,
                    "id_tax_rules_group": cat.tax_groups.get(rid, 0),
                }
                if request.children:
                    room["child"] = request.children
                    room["child_ages"] = [
                        8
                    ] * request.children  # ages unknown; QloApps drops children without ages
                if self.settings.charge_quoted_price:
                    room["unit_price_without_tax"] = float(price)
                remark = "; ".join(filter(None, [request.remark, *notes]))
                body = {
                    "booking": {
                        "id_property": self.hotel_id,
                        "currency": cat.hotel.currency,
                        "booking_status": 1,
                        "source": source,
                        **({"remark": remark} if remark else {}),
                        "associations": {
                            "customer_detail": customer,
                            "room_types": [
                                {
                                    "id_room_type": rid,
                                    "checkin_date": request.check_in.isoformat(),
                                    "checkout_date": request.check_out.isoformat(),
                                    "number_of_rooms": 1,
                                    "rooms": [room],
                                }
                            ],
                        },
                    }
                }
                existing = await self._post_and_settle(body, source, request, customer)
            order_id = as_int(existing["id"])
            await self._verify_held(order_id, customer)
            await self._set_order_state(order_id)
            booking = await self._read(await self._order(**{"filter[id]": f"[{order_id}]"}) or existing)
        # the guest's own contact details, and what staff should know about the placeholders
        return replace(booking, email=request.email, phone=request.phone or booking.phone, notes=tuple(notes))

    async def _claim(
        self, order: dict[str, Any], request: BookingRequest, customer: dict[str, str], *, settled: bool
    ) -> None:
        """A token match is trusted only when the order is what the guest asked for: room type,
        dates, party and guest. Anything else is a conflict for staff (issue 15). ``settled``: the
        order was there before this attempt posted, so a cancelled one is not a fresh booking."""
        found = await self._read(order)
        wanted = {
            "room type": str(int(request.room_type)),
            "check-in": request.check_in,
            "check-out": request.check_out,
            "adults": request.adults,
            "children": request.children,
            "guest e-mail": customer["email"].casefold(),
            "guest name": f"{customer['firstname']} {customer['lastname']}".casefold(),
        }
        has = {
            "room type": found.room_type,
            "check-in": found.check_in,
            "check-out": found.check_out,
            "adults": found.adults,
            "children": found.children,
            "guest e-mail": (found.email or "").casefold(),
            "guest name": " ".join(found.guest_name.split()).casefold(),
        }
        differ = [name for name, value in wanted.items() if has[name] != value]
        if differ:
            log.warning(
                "booking token already on another order order=%s differs=%s: not adopting it",
                found.reference,
                ",".join(differ),
            )
            raise BookingConflict(
                f"QloApps order {found.reference} already carries this booking's token but differs in"
                f" {', '.join(differ)}: nothing was booked; check that order and book by hand"
            )
        if settled and found.status == "cancelled":
            raise BookingConflict(
                f"QloApps order {found.reference} carries this booking's token but is cancelled:"
                " nothing was booked; check that order and book by hand"
            )

    async def _post_and_settle(
        self, body: dict[str, Any], source: str, request: BookingRequest, customer: dict[str, str]
    ) -> dict[str, Any]:
        """POST a booking once; an unclear outcome is settled by its token, never by reposting."""
        answer: Answer | None = None
        try:
            answer = await self.api.write("POST", "bookings", body)
        except PmsUnavailable as exc:
            log.warning("booking POST unanswered code=%s: looking it up by its token", exc.code)
        if (
            answer is not None
            and answer.status == 200
            and isinstance(answer.data, dict)
            and "booking" in answer.data
        ):
            order_id = as_int(answer.data["booking"]["id"])
            order = await self._order(**{"filter[id]": f"[{order_id}]"})
            if order is not None:
                return order
        found = await self._order(**{"filter[source]": f"[{source}]"})
        if found is not None:
            await self._claim(found, request, customer, settled=False)
            log.info(
                "booking found by its token after an unclear answer status=%s",
                answer.status if answer else "none",
            )
            return found
        if answer is not None:
            error = error_for(answer.status, answer.text, answer.data, "POST bookings")
            if not isinstance(error, PmsUnavailable) and answer.status < 500 and answer.data is not None:
                raise error  # a definite refusal, and nothing was created
            if answer.status == 200 and answer.text.strip() == "Fatal error":
                raise BookingRejected("QloApps refused the guest's e-mail address", code="invalid_email")
        raise PmsUnavailable(
            "the booking's outcome is unknown and no order carries its token yet", code="pms_outcome_unknown"
        )

    async def _set_order_state(self, order_id: int) -> None:
        """Move a bot booking out of QloApps' "Awaiting payment" into the state staff read as
        confirmed (pms.qloapps.order_state), through order_histories — without ``sendemail``,
        so QloApps sends no state e-mail. The booking is made either way: a failure is logged."""
        wanted = self.settings.order_state.strip()
        if not wanted:
            return
        try:
            if self._order_state is None:
                self._order_state = await self._resolve_order_state(wanted)
            order = await self._order(**{"filter[id]": f"[{order_id}]"})
            state = as_int(order["current_state"]) if order else 0
            if state == self._order_state or state in CANCELLED_STATES | OVERBOOKED_STATES:
                return
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?><qloapps><order_history>'
                f"<id_order>{order_id}</id_order><id_order_state>{self._order_state}</id_order_state>"
                "</order_history></qloapps>"
            )
            answer = await self.api.send_xml("POST", "order_histories", xml)
            if answer.status not in (200, 201):
                raise error_for(answer.status, answer.text, answer.data, "POST order_histories")
        except PmsError as exc:
            log.warning("could not set the order state order=%d code=%s: %s", order_id, exc.code, exc)

    async def _resolve_order_state(self, wanted: str) -> int:
        states = listing(await self.api.get("order_states", display="[id,name]"), "order_states")
        for st in states:
            names = [n.casefold() for n in i18n_values(st.get("name"))]
            if (wanted.isdigit() and as_int(st["id"]) == int(wanted)) or wanted.casefold() in names:
                return as_int(st["id"])
        raise PmsError(
            f"QloApps has no order state {wanted!r} (pms.qloapps.order_state)", code="pms_invalid_order_state"
        )

    async def _verify_held(self, order_id: int, customer: dict[str, str]) -> None:
        """A 200 is not a room: check the lines (back-orders) and the room's other bookings."""
        order = await self._order(**{"filter[id]": f"[{order_id}]"})
        lines = await self._lines(order_id)
        state = as_int(order["current_state"]) if order else 0
        lost = (
            state in CANCELLED_STATES | OVERBOOKED_STATES
            or not lines
            or any(as_int(ln.get("is_back_order")) or as_int(ln.get("is_cancelled")) for ln in lines)
        )
        if not lost:
            for line in lines:
                others = listing(
                    await self.api.get(
                        "room_bookings",
                        **{
                            "filter[id_room]": f"[{as_int(line['id_room'])}]",
                            "filter[is_refunded]": "[0]",
                            "filter[date_from]": f"<[{str(line['date_to'])[:10]}]",
                            "filter[date_to]": f">[{str(line['date_from'])[:10]}]",
                            "display": "[id,id_order]",
                        },
                    ),
                    "bookings",
                )
                earlier = [
                    o
                    for o in others
                    if as_int(o["id_order"]) != order_id and as_int(o["id"]) < as_int(line["id"])
                ]
                if earlier:
                    log.warning(
                        "double booking detected order=%d room=%s: giving the room back",
                        order_id,
                        line["id_room"],
                    )
                    lost = True
        if lost:
            if state not in CANCELLED_STATES:
                await self._put_status(order_id, 3, customer, lines)
            raise RoomNotAvailable("the room went to another booking at the same moment")

    async def _put_status(
        self, order_id: int, status: int, customer: dict[str, str], lines: list[dict[str, Any]]
    ) -> None:
        groups: dict[tuple[int, str, str], int] = {}
        for ln in lines:
            key = (as_int(ln["id_product"]), str(ln["date_from"])[:10], str(ln["date_to"])[:10])
            groups[key] = groups.get(key, 0) + 1
        body = {
            "booking": {
                "id": order_id,
                "id_property": self.hotel_id,
                "currency": (await self._cat()).hotel.currency,
                "booking_status": status,
                "associations": {
                    "customer_detail": customer,
                    "room_types": [
                        {"id_room_type": p, "checkin_date": ci, "checkout_date": co, "number_of_rooms": n}
                        for (p, ci, co), n in groups.items()
                    ],
                },
            }
        }
        answer = await self.api.write("PUT", "bookings", body)
        if answer.status != 200:
            error = error_for(answer.status, answer.text, answer.data, "PUT bookings")
            if not isinstance(error, PmsUnavailable) and error.code != "pms_php_warning":
                raise error  # a definite refusal; anything else is settled by reading the order
            log.warning("unclear answer to a status change order=%d code=%s", order_id, error.code)

    async def _customer_of(self, booking: PmsBooking) -> dict[str, str]:
        first, last = split_name(booking.guest_name)
        return {
            "firstname": first,
            "lastname": last,
            "email": booking.email or "",
            "phone": booking.phone or "0",
        }

    async def modify_dates(
        self, reference: str, check_in: date, check_out: date, idempotency_key: str
    ) -> PmsBooking:
        return await self.modify_booking(
            reference, StayChange(check_in=check_in, check_out=check_out), idempotency_key
        )

    def _check_change(self, cat: Catalogue, booking: PmsBooking, wanted: Stay) -> RoomType:
        """What QloApps does not check on a PUT (capacity, past dates, stay rules)."""
        room_type = cat.room_types.get(int(wanted.room_type)) if wanted.room_type.isdigit() else None
        if room_type is None:
            raise BookingRejected(f"unknown room type {wanted.room_type}", code="unknown_room_type")
        if wanted.check_out <= wanted.check_in:
            raise BookingRejected("check-out must be after check-in", code="invalid_dates")
        if wanted.check_in != booking.check_in and wanted.check_in < datetime.now(UTC).date() - timedelta(
            days=1
        ):
            raise BookingRejected("check-in is in the past", code="past_date")
        if wanted.adults < 1:
            raise BookingRejected("at least one adult", code="invalid_guests")
        if not room_type.fits(wanted.adults, wanted.children):
            raise BookingRejected(
                f"room type {wanted.room_type} does not fit the party", code="over_capacity"
            )
        nights = (wanted.check_out - wanted.check_in).days
        if nights < room_type.min_nights:
            raise BookingRejected(
                f"room type {wanted.room_type} needs {room_type.min_nights} nights", code="min_nights"
            )
        if not room_type.allows_stay(nights):
            raise BookingRejected(
                f"room type {wanted.room_type} allows {room_type.max_nights} nights", code="max_nights"
            )
        return room_type

    async def modify_booking(self, reference: str, change: StayChange, idempotency_key: str) -> PmsBooking:
        """PUT the complete room list the booking should have (QloApps matches lines by room type
        and exact dates: a new line is added, re-priced and maybe in another room, the old one
        removed), with the occupancy in ``rooms[]`` and the phone resent (a PUT without it erases
        it). A remark carrying the change's key tells staff what changed and settles an unclear
        answer: a retry that finds it (or finds the stay already as wanted) sends nothing again.

        QloApps keeps a line whose room type and dates do not change, occupancy included, and
        replaces its services with those sent (none: a breakfast staff added would go). A change
        of party alone is therefore not sent: the booking comes back with a note for staff to set
        the guests in the back office (the worker flags the conversation)."""
        cat = await self._cat()
        token = f"hotelbox-change-{idempotency_key}"[:120]
        async with self._write_lock:
            order = await self._order_by_reference(reference)
            order_id = as_int(order["id"])
            booking = await self._read(order)
            if booking.status != "confirmed":
                raise BookingRejected("the booking is cancelled", code="booking_cancelled")
            if (change.reached_by(booking) and not change.remark) or await self._has_remark(order_id, token):
                return await self._changed(booking, change)  # already done (a retry)
            wanted = change.on(booking)
            self._check_change(cat, booking, wanted)
            rid = int(wanted.room_type)
            same_line = (wanted.room_type, wanted.check_in, wanted.check_out) == (
                booking.room_type,
                booking.check_in,
                booking.check_out,
            )
            if same_line and change.remark:  # a request for staff ("late arrival"): the remark alone
                return await self._add_remark(order, booking, change, f"{token}: {change.remark}")
            if same_line:  # a PUT would change nothing but drop the room's services
                return await self._changed(booking, change)
            room: dict[str, Any] = {
                "adult": wanted.adults,
                "child": wanted.children,
                "id_tax_rules_group": cat.tax_groups.get(rid, 0),
            }
            if wanted.children:
                room["child_ages"] = [
                    8
                ] * wanted.children  # ages unknown; QloApps drops children without ages
            if self.settings.charge_quoted_price:
                price = await self.quote_excl_tax(rid, wanted.check_in, wanted.check_out)
                if price is not None:
                    room["unit_price_without_tax"] = float(price)
            body = {
                "booking": {
                    "id": order_id,
                    "id_property": self.hotel_id,
                    "currency": cat.hotel.currency,
                    "remark": f"{token}: {_said(booking, wanted)}"
                    + (f"; {change.remark}" if change.remark else ""),
                    "associations": {
                        "customer_detail": await self._customer_of(
                            booking
                        ),  # the phone again, or it is erased
                        "room_types": [
                            {
                                "id_room_type": rid,
                                "checkin_date": wanted.check_in.isoformat(),
                                "checkout_date": wanted.check_out.isoformat(),
                                "number_of_rooms": 1,
                                "rooms": [room],
                            }
                        ],
                    },
                }
            }
            try:
                answer = await self.api.write("PUT", "bookings", body)
            except PmsUnavailable:
                answer = None
            if answer is None or answer.status != 200:
                # a 500 or a lost answer may come after the write: settle it by reading the order
                after = await self._read(order)
                if change.reached_by(after) or await self._has_remark(order_id, token):
                    log.info("booking change found made after an unclear answer order=%d", order_id)
                    return await self._changed(after, change)
                if answer is None:
                    raise PmsUnavailable("the change's outcome is unknown", code="pms_outcome_unknown")
                raise error_for(answer.status, answer.text, answer.data, "PUT bookings")
            return await self._changed(await self._read(order), change)

    async def _add_remark(
        self, order: dict[str, Any], booking: PmsBooking, change: StayChange, remark: str
    ) -> PmsBooking:
        """PUT the booking's room lines exactly as they are, each room's services resent (QloApps
        replaces a kept line's services with those sent), with a remark: a request for staff."""
        order_id = as_int(order["id"])
        data = await self._booking_document(order_id)
        lines = ((data or {}).get("booking", {}).get("associations", {}) or {}).get("room_types") or []
        if not lines:  # unreadable (the tax-display bug): the lines cannot be resent as they are
            return replace(booking, notes=(*booking.notes, f"not written to QloApps, for the desk: {remark}"))
        cat = await self._cat()
        room_types = []
        for line in lines:
            rid = as_int(line["id_room_type"])
            rooms = []
            for room in line.get("rooms") or []:
                sent: dict[str, Any] = {
                    "adult": as_int(room.get("adults") or room.get("adult") or 1),
                    "child": as_int(room.get("child") or 0),
                    "id_tax_rules_group": cat.tax_groups.get(rid, 0),
                }
                if sent["child"]:
                    sent["child_ages"] = [8] * sent["child"]
                services = [
                    {"id_service": as_int(s["id_service"]), "quantity": as_int(s.get("quantity") or 1)}
                    for s in room.get("services") or []
                    if isinstance(s, dict) and s.get("id_service")
                ]
                if services:
                    sent["services"] = services
                rooms.append(sent)
            room_types.append(
                {
                    "id_room_type": rid,
                    "checkin_date": str(line["checkin_date"])[:10],
                    "checkout_date": str(line["checkout_date"])[:10],
                    "number_of_rooms": len(rooms),
                    "rooms": rooms,
                }
            )
        body = {
            "booking": {
                "id": order_id,
                "id_property": self.hotel_id,
                "currency": cat.hotel.currency,
                "remark": remark[:1000],
                "associations": {
                    "customer_detail": await self._customer_of(booking),
                    "room_types": room_types,
                },
            }
        }
        token = remark.partition(":")[0]
        try:
            answer = await self.api.write("PUT", "bookings", body)
        except PmsUnavailable:
            answer = None
        if answer is None or answer.status != 200:
            if await self._has_remark(order_id, token):  # written, the answer lost or a PHP warning
                return await self._changed(await self._read(order), change)
            if answer is None:
                raise PmsUnavailable("the remark's outcome is unknown", code="pms_outcome_unknown")
            raise error_for(answer.status, answer.text, answer.data, "PUT bookings")
        return await self._changed(await self._read(order), change)

    async def _has_remark(self, order_id: int, token: str) -> bool:
        try:
            data = await self._booking_document(order_id)
        except PmsError:
            return False
        remarks = (data or {}).get("booking", {}).get("associations", {}).get("remarks") or []
        return any(str(r).startswith(token) for r in remarks if r)

    async def _changed(self, booking: PmsBooking, change: StayChange) -> PmsBooking:
        """The booking after a change; a party QloApps did not store is a note for staff."""
        wanted = change.on(booking)
        if (booking.adults, booking.children) == (wanted.adults, wanted.children):
            return booking
        return replace(
            booking,
            notes=(
                *booking.notes,
                f"QloApps kept the room's guests at {booking.adults} adults, {booking.children} children:"
                f" set {wanted.adults} adults, {wanted.children} children in the back office",
            ),
        )

    async def cancel_booking(self, reference: str, idempotency_key: str) -> PmsBooking:
        async with self._write_lock:
            order = await self._order_by_reference(reference)
            booking = await self._read(order)
            if booking.status == "cancelled":
                return booking
            lines = await self._lines(as_int(order["id"]))
            with contextlib.suppress(PmsUnavailable):  # settled below by reading the order's state
                await self._put_status(as_int(order["id"]), 3, await self._customer_of(booking), lines)
            after = await self._order(**{"filter[id]": f"[{as_int(order['id'])}]"}) or order
            if as_int(after["current_state"]) not in CANCELLED_STATES:
                raise PmsUnavailable("the cancellation's outcome is unknown", code="pms_outcome_unknown")
            return await self._read(after)
