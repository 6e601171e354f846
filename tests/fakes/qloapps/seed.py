"""The state of a freshly installed QloApps 1.6.1 demo, read from the captured exchanges.

Catalogue records (hotel, room types, services, capacities, rooms, currencies, order states…)
are taken verbatim from the responses the real instance gave; record templates for what the
fake creates (orders, room lines, customers) come from the same captures, so fields, field
order and types match the real thing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hotelbox.pms.demo import DEMO_ROOM_TYPES

EXCHANGES = Path(__file__).resolve().parents[2] / "data" / "qloapps" / "exchanges.jsonl"


@cache
def exchanges() -> dict[str, dict[str, Any]]:
    out = {}
    with EXCHANGES.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out[row["name"].split("_", 1)[0]] = row
    return out


def body(name: str) -> Any:
    return json.loads(exchanges()[name]["response"])


def raw(name: str) -> str:
    return exchanges()[name]["response"]


def first(records: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    return next(r for r in records if all(r.get(k) == v for k, v in where.items()))


@dataclass(frozen=True)
class RoomTypeSpec:
    """A room type as a hotel would set it up in the back office."""

    name: str
    price: str  # per night, tax excluded
    rooms: int
    max_adults: int = 2
    max_children: int = 2
    max_guests: int = 4
    min_los: int = 1
    max_los: int = 0
    prefix: str = "R"


class Seed:
    """Fresh copies of every table, so each fake starts from the installed state."""

    def __init__(self) -> None:
        self.hotels = copy.deepcopy(body("b03")["hotels"])
        room_types = copy.deepcopy(body("b13")["room_types"])
        self.room_type_fields = list(room_types[0])
        # service products (ids 5-10) as the room_types resource shows them (b25: id_hotel false)
        service_as_room_type = body("b25")["room_type"]
        self.services = copy.deepcopy(body("b31")["services"])
        self.products = {r["id"]: r for r in room_types}
        for service in self.services:
            record = {k: service.get(k, service_as_room_type.get(k)) for k in self.room_type_fields}
            record.update({"id": service["id"], "id_hotel": False, "adults": False, "children": False})
            self.products[service["id"]] = record
        self.hotel_room_types = copy.deepcopy(body("b26")["hotel_room_types"])
        self.rooms = self._rooms()
        self.currencies = copy.deepcopy(body("b32")["currencies"])
        self.languages = copy.deepcopy(body("b33")["languages"])
        self.order_states = copy.deepcopy(body("b34")["order_states"])
        self.tax_rules = copy.deepcopy(body("b36")["tax_rules"])
        self.tax_rule_groups = [copy.deepcopy(body("b35")["tax_rule_group"])]
        self.room_type_features = copy.deepcopy(body("b29")["room_type_features"])
        self.hotel_features = copy.deepcopy(body("b30")["hotel_features"])
        self.order_template = copy.deepcopy(body("e08")["order"])
        self.line_template = copy.deepcopy(body("e10")["bookings"][0])
        self.customers = [
            {
                "id": 1,
                "id_default_group": 3,
                "id_lang": 1,
                "phone": "",
                "lastname": "DOE",
                "firstname": "John",
                "email": "pub@qloapps.com",
                "active": 1,
                "is_guest": 0,
            }
        ]

    def _rooms(self) -> list[dict[str, Any]]:
        template = body("b27")["rooms"][0]
        numbers = {}
        for room_type in body("c06")["hotel_ari"]["room_types"]:
            for room in room_type["rooms"]["available"].values():
                numbers[room["id_room"]] = (room["id_product"], room["room_num"])
        rooms = []
        for room_id, (product, number) in sorted(numbers.items()):
            record = dict(template)
            record.update({"id": room_id, "id_product": product, "room_num": number})
            rooms.append(record)
        return rooms

    def set_room_types(self, specs: list[RoomTypeSpec]) -> None:
        """Replace the demo's four room types with a hotel's own (ids 1-4, then 11 up: 5-10 are
        the service products), built from the captured records so fields and types stay real."""
        product_template = next(p for p in self.products.values() if p["id"] == 1)
        capacity_template = self.hotel_room_types[0]
        room_template = self.rooms[0]
        ids = [1, 2, 3, 4, *range(11, 11 + max(0, len(specs) - 4))][: len(specs)]
        for old in [pid for pid, p in self.products.items() if p.get("id_hotel") not in (False, None)]:
            del self.products[old]
        self.hotel_room_types, self.rooms = [], []
        room_id = 1
        for pid, spec in zip(ids, specs, strict=True):
            product = copy.deepcopy(product_template)
            product.update(
                {
                    "id": pid,
                    "name": spec.name,
                    "price": f"{float(spec.price):.6f}",
                    "link_rewrite": spec.name.lower().replace(" ", "-"),
                    "adults": min(2, spec.max_adults),
                    "children": 0,
                }
            )
            self.products[pid] = product
            room_ids = list(range(room_id, room_id + spec.rooms))
            room_id += spec.rooms
            capacity = copy.deepcopy(capacity_template)
            capacity.update(
                {
                    "id": len(self.hotel_room_types) + 1,
                    "id_product": pid,
                    "adults": min(2, spec.max_adults),
                    "children": 0,
                    "max_adults": spec.max_adults,
                    "max_children": spec.max_children,
                    "max_guests": spec.max_guests,
                    "min_los": spec.min_los,
                    "max_los": spec.max_los,
                    "associations": {"hotel_rooms": [{"id": r} for r in room_ids]},
                }
            )
            self.hotel_room_types.append(capacity)
            for n, rid in enumerate(room_ids, 1):
                room = dict(room_template)
                room.update({"id": rid, "id_product": pid, "room_num": f"{spec.prefix}-{100 + n}"})
                self.rooms.append(room)
        self.products = dict(sorted(self.products.items()))
        self.hotels[0]["associations"]["room_types"] = [{"id": pid} for pid in ids]

    @staticmethod
    def api_index_xml() -> str:
        return raw("a01")

    @staticmethod
    def document(name: str) -> str:
        """A captured response served as is (schemas: fixed by the QloApps version)."""
        return raw(name)


def demo_like_seed() -> Seed:
    """A QloApps set up like the embedded demo hotel: same rooms, capacities and prices."""
    seed = Seed()
    seed.set_room_types(
        [
            RoomTypeSpec(names["en"], str(price), rooms, ma, mc, mg, prefix=code[:2].upper())
            for code, names, _, _, ma, mc, mg, price, rooms in DEMO_ROOM_TYPES
        ]
    )
    return seed


def qloapps_room_text() -> dict[str, Any]:
    """What an installer writes in pms.qloapps.room_types for that hotel: names and words per language."""
    return {
        str(n): {"names": names, "descriptions": descriptions, "aliases": list(aliases)}
        for n, (_, names, descriptions, aliases, *_) in enumerate(DEMO_ROOM_TYPES, 1)
    }
