"""The ``bookings`` resource of the fake: POST, GET, PUT (change and cancel), DELETE (405)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

from tests.fakes.qloapps.formats import ApiError, RawResponse, cdata, php_json, php_warning, xml_document
from tests.fakes.qloapps.hotel import (
    BOOKINGS_FILE,
    PAYMENT_TYPES,
    PHONE,
    Allocation,
    Hotel,
    LineRequest,
    Order,
    as_list,
    check_customer,
    check_identity_or_die,
    error404,
    now,
    num,
    parse_lines,
    pause,
    tax_of,
    validate_address,
    validate_contact,
)


def xml_to_data(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    data: dict[str, Any] = {}
    for child in children:
        value = xml_to_data(child)
        if child.tag in data:
            if not isinstance(data[child.tag], list):
                data[child.tag] = [data[child.tag]]
            data[child.tag].append(value)
        else:
            data[child.tag] = value
    return data


def parse_booking_body(body: bytes, content_is_xml: bool) -> dict[str, Any]:
    """The request's booking object, or the raw failure PHP 8.2 gives for an unusable body."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        raise RawResponse(500)
    if text.startswith("<"):
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ApiError((127, f"XML error : {exc}", 500)) from exc
        booking = root.find("booking")
        if booking is None:
            raise RawResponse(500)
        data = xml_to_data(booking)
        return data if isinstance(data, dict) else {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RawResponse(500) from exc  # PHP 8 TypeError on a null body
    if not isinstance(data, dict) or not isinstance(data.get("booking"), dict):
        raise RawResponse(500)
    return data["booking"]


def associations(booking: dict[str, Any]) -> dict[str, Any]:
    """Associations may sit under "associations" or at the top level."""
    merged = dict(booking.get("associations") or {})
    for key in ("customer_detail", "room_types", "price_details", "payment_detail", "cart_rules"):
        if key in booking and key not in merged:
            merged[key] = booking[key]
    return merged


async def create(hotel: Hotel, booking: dict[str, Any], host: str) -> tuple[int, str | None]:
    """POST /api/bookings; returns (order id, a warning that turns the answer into a 500)."""
    if "id" in booking:
        raise error404("id is forbidden when adding a new resource")
    currency = str(booking.get("currency") or "")
    if currency not in {c["iso_code"] for c in hotel.seed.currencies if c["active"]}:
        raise error404("Please provide valid currency.")
    assoc = associations(booking)
    detail = check_customer(assoc.get("customer_detail"))
    if int(booking.get("id_property") or 0) not in {h["id"] for h in hotel.seed.hotels}:
        raise error404("Please provide a valid id_property.")
    validate_contact(detail)
    validate_address(detail)
    raw_types = as_list(assoc.get("room_types"), "room_type")
    if not raw_types:
        raise ApiError(
            php_warning('Undefined array key "room_types"', BOOKINGS_FILE, 682),
            (404, "Requested room(s) not available.", 400),
        )
    lines = parse_lines(hotel, raw_types, for_put=False)
    allocation = Allocation(hotel, lines)
    payment = assoc.get("payment_detail") or {}
    if payment and str(payment.get("payment_type", "")).lower() not in PAYMENT_TYPES:
        raise error404("Invalid payment type.")
    status = int(booking.get("booking_status") or 1)
    if status not in (1, 2):
        raise error404("Invalid booking status.")
    check_identity_or_die(detail)
    customer = hotel.upsert_customer(detail)
    if not PHONE.match(str(detail["phone"])):
        raise RawResponse(500)  # the customer was saved, the order fails: empty 500

    await pause(hotel)  # no lock: others may book the same rooms meanwhile

    paid = Decimal(str((assoc.get("price_details") or {}).get("total_paid") or 0))
    state = 2 if status == 2 else 1
    method = str(payment.get("payment_method") or "Order from API")
    order = hotel.new_order(
        customer, str(booking.get("source") or host), state, method, paid if status == 2 else Decimal(0)
    )
    hotel.mails.append(("order_conf", str(customer["email"])))
    if booking.get("remark"):
        order.remarks.insert(0, str(booking["remark"]))
    warning = None
    for line_request, room_request, room_id in allocation.picks:
        price = room_request.price
        if price is None:
            price = sum(
                (
                    hotel.nightly(line_request.product_id)
                    for _ in range((line_request.check_out - line_request.check_in).days)
                ),
                Decimal(0),
            )
        line = hotel.add_line(
            order,
            line_request.product_id,
            room_id,
            line_request.check_in,
            line_request.check_out,
            room_request.occupancy,
            price,
        )
        line.services = [service_line(hotel, s, line_request) for s in room_request.services]
        if not hotel.room_free(room_id, line.date_from, line.date_to, {line.id}):
            lose_race(hotel, line)
        if not room_request.has_tax_field and warning is None:
            warning = "total_tax"
    if status == 2:
        hotel.payments.append(
            {
                "id": len(hotel.payments) + 1,
                "order_reference": order.reference,
                "id_currency": 1,
                "amount": f"{paid:.2f}",
                "payment_method": "Order from API",
                "payment_type": 1,
                "conversion_rate": "1.000000",
                "transaction_id": "",
                "card_number": "",
                "card_brand": "",
                "card_expiration": "",
                "card_holder": "",
                "date_add": order.date_add,
            }
        )
    return order.id, warning


def lose_race(hotel: Hotel, line: Any) -> None:
    """Another request took the room between our read and our write."""
    mode = hotel.race
    if mode == "random":
        mode = "double" if hotel.rng.random() < hotel.race_double_ratio else "back_order"
    if mode == "back_order":
        # the "lucky" case: the line is flagged, the order cancelled then set back to
        # Awaiting payment by the bookings API, and the POST still answers 200
        line.is_back_order = line.is_refunded = line.is_cancelled = 1
        order = hotel.orders[line.id_order]
        hotel.set_state(order, 4)
        hotel.set_state(order, 1)
    # "double": both orders keep the same room, nothing flags it


def service_line(hotel: Hotel, spec: dict[str, Any], line: LineRequest) -> dict[str, Any]:
    service = next(s for s in hotel.seed.services if s["id"] == int(spec["id_service"]))
    per_night = service["price_calculation_method"] == 2
    count = (line.check_out - line.check_in).days if per_night else 1
    unit = Decimal(service["price"]) * count
    quantity = int(spec.get("quantity") or 1)
    total = unit * quantity
    return {
        "id_service": service["id"],
        "name": service["name"],
        "quantity": quantity,
        "unit_price_without_tax": num(unit),
        "total_price_without_tax": num(total),
        "total_tax": num(tax_of(total)),
        "per_night": 1 if per_night else 0,
        "price_mode": service["price_calculation_method"],
    }


async def update(hotel: Hotel, booking: dict[str, Any]) -> int:
    """PUT /api/bookings: the complete list of room lines the booking should have, or a status."""
    if not booking.get("id"):
        raise error404("id is required with PUT requests.")
    order = hotel.orders.get(int(booking["id"]))
    if order is None:
        raise error404("Booking not found.")
    assoc = associations(booking)
    raw_types = as_list(assoc.get("room_types"), "room_type")
    if not raw_types:
        raise error404("Rooms not found in the request.")
    detail = assoc.get("customer_detail") or {}
    customer = hotel.customer_by_email(str(detail.get("email") or ""))
    if customer is None:
        raise error404("Customer not found.")
    status = booking.get("booking_status")
    if status not in (None, "") and int(status) not in (1, 2, 3, 4):
        raise error404("Invalid booking status.")
    wanted = parse_lines(hotel, raw_types, for_put=True)
    current = hotel.order_lines(order.id)
    current_keys = {(ln.id_product, ln.date_from, ln.date_to) for ln in current}
    additions = [w for w in wanted if w.key not in current_keys]
    allocation = Allocation(hotel, additions, dot=False) if additions else None
    hotel.upsert_customer(detail, keep_phone=False)
    await pause(hotel)
    if allocation is not None:  # new lines first, while the old ones still hold their rooms
        for line_request, room_request, room_id in allocation.picks:
            price = room_request.price or sum(
                (
                    hotel.nightly(line_request.product_id)
                    for _ in range((line_request.check_out - line_request.check_in).days)
                ),
                Decimal(0),
            )
            hotel.add_line(
                order,
                line_request.product_id,
                room_id,
                line_request.check_in,
                line_request.check_out,
                room_request.occupancy,
                price,
            )
    for w in wanted:  # a kept line's services become those sent (none sent: none kept), as the source does
        sent = list(w.rooms)
        for line in current:
            if (line.id_product, line.date_from, line.date_to) == w.key:
                room = sent.pop(0) if sent else None
                line.services = [service_line(hotel, spec, w) for spec in room.services] if room else []
    wanted_keys = {w.key for w in wanted}
    for line in current:
        if (line.id_product, line.date_from, line.date_to) not in wanted_keys:
            del hotel.lines[line.id]
    hotel.mails.append(("order_conf", str(customer["email"])))
    if booking.get("remark"):
        order.remarks.insert(0, str(booking["remark"]))
    if status not in (None, ""):
        status = int(status)
        if status == 3:
            for line in hotel.order_lines(order.id):
                line.is_refunded = line.is_cancelled = 1
        hotel.set_state(order, {1: 1, 2: 2, 3: 4, 4: 5}[status])
    else:
        order.date_upd = now()
    return order.id


def representation(hotel: Hotel, order: Order) -> dict[str, Any]:
    customer = next(c for c in hotel.customers if c["id"] == order.id_customer)
    excl, tax = hotel.totals(order)
    groups: dict[tuple[int, Any, Any], list[Any]] = {}
    for line in hotel.order_lines(order.id):
        groups.setdefault((line.id_product, line.date_from, line.date_to), []).append(line)
    room_types = []
    for (product_id, date_from, date_to), lines in groups.items():
        rooms = []
        for line in lines:
            room: dict[str, Any] = {
                "id_room": line.id_room,
                "id_hotel_booking": line.id,
                "adults": line.adults,
                "child": line.children,
                "unit_price_without_tax": num(line.price_excl),
                "total_tax": num(tax_of(line.price_excl)),
            }
            if line.services:
                room["services"] = line.services
            rooms.append(room)
        room_types.append(
            {
                "id_room_type": product_id,
                "checkin_date": f"{date_from} 00:00:00",
                "checkout_date": f"{date_to} 00:00:00",
                "total_tax": num(sum((tax_of(ln.price_excl) for ln in lines), Decimal(0))),
                "number_of_rooms": len(lines),
                "name": hotel.seed.products[product_id]["name"],
                "rooms": rooms,
            }
        )
    return {
        "booking": {
            "id": order.id,
            "id_property": 1,
            "currency": "USD",
            "source": order.source,
            "booking_date": order.date_add,
            "id_language": 1,
            "associations": {
                "customer_detail": {
                    "id_customer": customer["id"],
                    "firstname": customer["firstname"],
                    "lastname": customer["lastname"],
                    "email": customer["email"],
                    "phone": customer["phone"],
                },
                "price_details": {
                    "total_paid": num(order.total_paid_real),
                    "total_price_without_tax": num(excl),
                    "total_tax": num(tax),
                },
                "cart_rules": [],
                "remarks": list(order.remarks),
                "room_types": room_types,
            },
        }
    }


def to_json(data: dict[str, Any]) -> str:
    return php_json(data, escape_unicode=True)


def to_xml(data: dict[str, Any]) -> str:
    """The bookings resource's own XML: CDATA everywhere, empty values rendered as 0."""

    def render(tag: str, value: Any) -> str:
        if isinstance(value, dict):
            return f"<{tag}>" + "".join(render(k, v) for k, v in value.items()) + f"</{tag}>"
        if isinstance(value, list):
            if not value:
                return f"<{tag}>{cdata(0)}</{tag}>\n"
            singular = {
                "remarks": "remark",
                "room_types": "room_type",
                "rooms": "room",
                "services": "service",
                "cart_rules": "cart_rule",
            }.get(tag, tag)
            return f"<{tag}>" + "".join(render(singular, v) for v in value) + f"</{tag}>"
        return f"<{tag}>{cdata(value if value not in ('', None) else 0)}</{tag}>\n"

    return xml_document(render("booking", data["booking"]))
