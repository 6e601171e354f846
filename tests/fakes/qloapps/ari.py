"""``hotel_ari`` of the fake: availability, rates and inventory for a stay (POST, XML body only)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.fakes.qloapps.formats import ApiError, cdata, php_warning, xml_document
from tests.fakes.qloapps.hotel import Hotel, num, tax_of

ARI_FILE = "/var/www/qloapps/modules/hotelreservationsystem/classes/WebserviceSpecificManagementHotelAri.php"
FLAGS = ("get_available_rooms", "get_booked_rooms", "get_partial_available_rooms", "get_unavailable_rooms")


def invalid(message: str) -> ApiError:
    return ApiError((85, f"Validation error: {message}", 400))


def parse_request(body: bytes) -> dict[str, Any]:
    text = body.decode("utf-8", "replace").strip()
    if not text:
        raise invalid("ARI search parameters are missing.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        first = text.splitlines()[0][:1]
        raise ApiError(
            php_warning(
                "simplexml_load_string(): Entity: line 1: parser error : Start tag expected, '<' not found",
                ARI_FILE,
                476,
            ),
            php_warning(f"simplexml_load_string(): {first}", ARI_FILE, 476),
            php_warning("simplexml_load_string(): ^", ARI_FILE, 476),
            (85, "Validation error: Invalid ARI search parameters found.", 400),
        ) from exc
    node = root.find("hotel_ari")
    if node is None:
        raise invalid("Invalid ARI search parameters found.")
    request: dict[str, Any] = {
        child.tag: (child.text or "").strip() for child in node if child.tag != "associations"
    }
    request["occupancies"] = [
        {"adults": (o.findtext("adults") or "").strip(), "children": (o.findtext("children") or "").strip()}
        for o in node.findall("./associations/room_occupancies/room_occupancy")
    ]
    return request


def day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise invalid(f'"The {name} field is invalid."') from exc


def search(hotel: Hotel, request: dict[str, Any], *, php74: bool = False) -> dict[str, Any]:
    if not request.get("id_hotel"):
        raise ApiError((41, 'parameter "id_hotel" required', 400))
    date_from = day(request.get("date_from", ""), "date_from")
    date_to = day(request.get("date_to", ""), "date_to")
    if date_to <= date_from:
        raise invalid('"Date to" must be after "date from"')
    for n, occupancy in enumerate(request["occupancies"], 1):
        if not occupancy["adults"].isdigit() or int(occupancy["adults"]) < 1:
            raise invalid(
                f"Invalid value for number of adults for Room-{n} occupancy(value must be greater than 0)."
            )
    flags = [f for f in FLAGS if request.get(f) == "1"] or ["get_available_rooms"]
    head = {
        "id_hotel": request["id_hotel"],
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "currency": "USD",
    }
    hotel_ids = {h["id"] for h in hotel.seed.hotels}
    product_ids = [
        hrt["id_product"]
        for hrt in hotel.seed.hotel_room_types
        if hrt["id_hotel"] == int(request["id_hotel"])
    ]
    if request.get("id_room_type"):
        product_ids = [p for p in product_ids if p == int(request["id_room_type"])]
    if int(request["id_hotel"]) not in hotel_ids or not product_ids:
        return {"hotel_ari": head}
    multiplier = max(1, len(request["occupancies"]))
    if request.get("date_wise_breakdown") == "1":
        days = []
        d = date_from
        while d < date_to:
            one = dict(head, date_from=d.isoformat(), date_to=(d + timedelta(days=1)).isoformat())
            days.append(
                _block(
                    hotel,
                    one,
                    product_ids,
                    d,
                    d + timedelta(days=1),
                    flags,
                    multiplier,
                    brief=True,
                    php74=php74,
                )
            )
            d += timedelta(days=1)
        return {"hotel_aris": days}
    return {
        "hotel_ari": _block(
            hotel, dict(head), product_ids, date_from, date_to, flags, multiplier, brief=False, php74=php74
        )
    }


def _block(
    hotel: Hotel,
    head: dict[str, Any],
    product_ids: list[int],
    date_from: date,
    date_to: date,
    flags: list[str],
    multiplier: int,
    *,
    brief: bool,
    php74: bool,
) -> dict[str, Any]:
    i = str if php74 else int
    counts = {"available": 0, "booked": 0, "partially_available": 0, "unavailable": 0}
    room_types = []
    total_rooms = 0
    fee = hotel.auto_fee_per_night()
    for product_id in product_ids:
        product = hotel.seed.products[product_id]
        cap = hotel.capacity(product_id)
        rooms = hotel.rooms_of(product_id)
        total_rooms += len(rooms)
        allowed = hotel.stay_allowed(product_id, date_from, date_to)
        available, booked, unavailable = {}, {}, {}
        for room in rooms:
            key = str(room["id"])
            holding = [
                line
                for line in hotel.lines.values()
                if line.id_room == room["id"]
                and line.live
                and line.date_from < date_to
                and line.date_to > date_from
            ]
            if room["id_status"] != 1:
                unavailable[key] = {"id_room": i(room["id"]), "room_num": room["room_num"]}
            elif holding:
                booked[key] = {
                    "id_product": i(product_id),
                    "id_room": i(room["id"]),
                    "id_hotel": i(1),
                    "room_num": room["room_num"],
                    "detail": [
                        {
                            "id_htl_booking": i(line.id),
                            "date_from": f"{line.date_from} 00:00:00",
                            "date_to": f"{line.date_to} 00:00:00",
                            "id_customer": i(line.id_customer),
                            "booking_type": i(1),
                            "booking_status": i(line.id_status),
                            "comment": "",
                        }
                        for line in holding
                    ],
                }
            elif allowed:
                available[key] = (
                    {"id_room": i(room["id"]), "room_num": room["room_num"]}
                    if brief
                    else {
                        "id_room": i(room["id"]),
                        "id_product": i(product_id),
                        "id_hotel": i(1),
                        "room_num": room["room_num"],
                        "room_comment": room["comment"],
                        "max_adult": i(cap["max_adults"]),
                        "max_children": i(cap["max_children"]),
                        "max_occupancy": i(cap["max_guests"]),
                    }
                )
        counts["available"] += len(available)
        counts["booked"] += len(booked)
        counts["unavailable"] += len(unavailable)
        n = (date_to - date_from).days
        nightly = hotel.nightly(product_id) + fee
        total = nightly * n * multiplier
        sets = {
            "get_unavailable_rooms": ("unavailable", unavailable),
            "get_booked_rooms": ("booked", booked),
            "get_available_rooms": ("available", available),
            "get_partial_available_rooms": ("partially_available", {}),
        }
        shown = {}
        for flag in (
            "get_unavailable_rooms",
            "get_booked_rooms",
            "get_available_rooms",
            "get_partial_available_rooms",
        ):
            if flag in flags:
                name, members = sets[flag]
                shown[name] = members or []
        room_types.append(
            {
                "id_room_type": i(product_id),
                "base_price": num(nightly),
                "base_price_with_tax": num(nightly + tax_of(nightly)),
                "total_price": num(total),
                "total_price_with_tax": num(total + tax_of(total)),
                "name": product["name"],
                "rooms": shown,
            }
        )
    out = dict(head)
    out["total_rooms"] = total_rooms
    totals = {
        "get_available_rooms": ("total_available_rooms", counts["available"]),
        "get_unavailable_rooms": ("total_unavailable_rooms", counts["unavailable"]),
        "get_partial_available_rooms": ("total_partial_available_rooms", counts["partially_available"]),
        "get_booked_rooms": ("total_booked_rooms", counts["booked"]),
    }
    if brief:
        out["room_types"] = room_types
        out["total_available_rooms"] = counts["available"]
        return out
    for flag in (
        "get_available_rooms",
        "get_unavailable_rooms",
        "get_partial_available_rooms",
        "get_booked_rooms",
    ):
        if flag in flags:
            name, value = totals[flag]
            out[name] = value
    out["room_types"] = room_types
    return out


def to_xml(data: dict[str, Any], base: str) -> str:
    def block(ari: dict[str, Any]) -> str:
        parts = [
            f'<id_hotel xlink:href="{base}/api/hotels/{ari["id_hotel"]}">{cdata(ari["id_hotel"])}</id_hotel>'
        ]
        for key in (
            "date_from",
            "date_to",
            "currency",
            "total_rooms",
            "total_available_rooms",
            "total_unavailable_rooms",
            "total_partial_available_rooms",
            "total_booked_rooms",
        ):
            if key in ari:
                parts.append(f"<{key}>{cdata(ari[key])}</{key}>")
        if "room_types" in ari:
            parts.append("<room_types>")
            for rt in ari["room_types"]:
                rid = rt["id_room_type"]
                parts.append(f'<room_type id="{rid}" xlink:href="{base}/api/room_types/{rid}">')
                parts.append(
                    f'<id_room_type xlink:href="{base}/api/room_types/{rid}">{cdata(rid)}</id_room_type>'
                )
                for key in ("base_price", "base_price_with_tax", "total_price", "total_price_with_tax"):
                    parts.append(f"<{key}>{cdata(rt[key])}</{key}>")
                parts.append(
                    f'<name><language id="1" xlink:href="{base}/api/languages/1">{cdata(rt["name"])}</language></name>'
                )
                parts.append("<rooms>")
                for group, members in rt["rooms"].items():
                    tag = "partial_available" if group == "partially_available" else group
                    if not members:
                        parts.append(f"<{tag}/>")
                        continue
                    parts.append(f"<{tag}>")
                    for room in members.values():
                        parts.append(
                            f'<room id="{room["id_room"]}"><id_room>{cdata(room["id_room"])}</id_room>'
                            f"<room_number>{cdata(room['room_num'])}</room_number></room>"
                        )
                    parts.append(f"</{tag}>")
                parts.append("</rooms></room_type>")
            parts.append("</room_types>")
        return "<hotel_ari>" + "\n".join(parts) + "</hotel_ari>"

    if "hotel_aris" in data:
        return xml_document("<hotel_aris>" + "".join(block(a) for a in data["hotel_aris"]) + "</hotel_aris>")
    return xml_document(block(data["hotel_ari"]))


def quote_total(data: dict[str, Any], product_id: int) -> Decimal | None:
    """Helper for tests: the stay total (tax excl) quoted for a room type."""
    for rt in data.get("hotel_ari", {}).get("room_types", []):
        if int(rt["id_room_type"]) == product_id:
            return Decimal(str(rt["total_price"]))
    return None
