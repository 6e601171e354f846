"""The state of a freshly installed QloApps 1.6.1 demo, read from the captured exchanges.

Catalogue records (hotel, room types, services, capacities, rooms, currencies, order states…)
are taken verbatim from the responses the real instance gave; record templates for what the
fake creates (orders, room lines, customers) come from the same captures, so fields, field
order and types match the real thing.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

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

    @staticmethod
    def api_index_xml() -> str:
        return raw("a01")

    @staticmethod
    def document(name: str) -> str:
        """A captured response served as is (schemas: fixed by the QloApps version)."""
        return raw(name)
