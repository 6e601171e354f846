"""Core resources of the fake (hotels, room_types, orders, room_bookings, customers…): GET with
QloApps' display / filter / sort / limit / date rules, in JSON or XML, with its errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.qloapps.formats import (
    ApiError,
    Query,
    RawResponse,
    array_offset_warnings,
    cdata,
    closest,
    matches,
    xml_document,
)
from tests.fakes.qloapps.hotel import Hotel, Line, Order, money6


@dataclass
class Resource:
    name: str
    wrapper: str  # JSON list key ("rooms" for hotel_rooms, "bookings" for room_bookings)
    item: str  # singular, for details and XML
    rows: Callable[[], list[dict[str, Any]]]
    getters: frozenset[str] = frozenset()  # computed fields: readable, not filterable
    dates: frozenset[str] = frozenset({"date_add", "date_upd"})  # filterable only with date=1
    i18n: frozenset[str] = frozenset()
    links: dict[str, str] = field(default_factory=dict)
    listed: Callable[[dict[str, Any]], bool] = lambda r: True  # rows the list shows (room_types: 1-4)
    # XML associations in order, as (name, node type); XML shows empty ones JSON leaves out
    associations: tuple[tuple[str, str], ...] = ()
    # the record's fields when the table may be empty (filters on an empty table still validate)
    template: Callable[[], dict[str, Any]] | None = None

    def fields(self, rows: list[dict[str, Any]] | None = None) -> list[str]:
        sample = (rows or self.rows() or [self.template() if self.template else {}])[0]
        return [k for k in sample if k != "associations"]


def order_record(hotel: Hotel, order: Order) -> dict[str, Any]:
    excl, tax = hotel.totals(order)
    incl = excl + tax
    record = dict(hotel.seed.order_template)
    record.update(
        {
            "id": order.id,
            "id_cart": order.id_cart,
            "id_customer": order.id_customer,
            "current_state": order.current_state,
            "date_add": order.date_add,
            "date_upd": order.date_upd,
            "secure_key": order.secure_key,
            "payment": order.payment,
            "total_paid": money6(incl),
            "total_paid_tax_incl": money6(incl),
            "total_paid_tax_excl": money6(excl),
            "total_paid_real": money6(order.total_paid_real),
            "total_products": money6(excl),
            "total_products_wt": money6(incl),
            "source": order.source,
            "reference": order.reference,
            "advance_paid_amount": money6(incl),
            "associations": {"bookings": [{"id": ln.id} for ln in hotel.order_lines(order.id)]},
        }
    )
    return record


def line_record(hotel: Hotel, line: Line) -> dict[str, Any]:
    record = dict(hotel.seed.line_template)
    room = hotel.room(line.id_room) or {}
    from tests.fakes.qloapps.hotel import tax_of

    record.update(
        {
            "id": line.id,
            "id_product": line.id_product,
            "id_order": line.id_order,
            "id_order_detail": line.id_order,
            "id_cart": hotel.orders[line.id_order].id_cart,
            "id_room": line.id_room,
            "id_customer": line.id_customer,
            "id_status": line.id_status,
            "date_from": f"{line.date_from} 00:00:00",
            "date_to": f"{line.date_to} 00:00:00",
            "total_price_tax_excl": money6(line.price_excl),
            "total_price_tax_incl": money6(line.price_excl + tax_of(line.price_excl)),
            "total_paid_amount": money6(line.price_excl + tax_of(line.price_excl)),
            "is_refunded": line.is_refunded,
            "is_cancelled": line.is_cancelled,
            "is_back_order": line.is_back_order,
            "room_num": room.get("room_num", ""),
            "room_type_name": hotel.seed.products[line.id_product]["name"],
            "adults": line.adults,
            "children": line.children,
            "child_ages": "[]" if not line.child_ages else str(line.child_ages).replace(" ", ""),
            "date_add": line.date_add,
            "date_upd": line.date_upd,
        }
    )
    return record


CUSTOMER_FIELDS = [
    "id",
    "id_default_group",
    "id_lang",
    "phone",
    "lastname",
    "firstname",
    "email",
    "active",
    "is_guest",
]


PAYMENT_FIELDS = [
    "id",
    "order_reference",
    "id_currency",
    "amount",
    "payment_method",
    "payment_type",
    "conversion_rate",
    "transaction_id",
    "card_number",
    "card_brand",
    "card_expiration",
    "card_holder",
    "date_add",
]


def resources(hotel: Hotel) -> dict[str, Resource]:
    s = hotel.seed
    booking_products = {p["id"] for p in s.products.values() if p.get("id_hotel") not in (False, None)}
    return {
        r.name: r
        for r in [
            Resource("hotels", "hotels", "hotel", lambda: s.hotels, frozenset({"id_default_image"}),
                     i18n=frozenset({"hotel_name", "description", "short_description", "policies"}),
                     links={"id_country": "countries", "id_state": "states", "id_category": "categories"},
                     associations=(("room_types", "room_types"), ("images", "image"), ("hotel_features", "hotel_feature"),
                                   ("hotel_refund_rules", "hotel_refund_rule"))),
            Resource("room_types", "room_types", "room_type", lambda: list(s.products.values()),
                     frozenset({"id_hotel", "adults", "children", "position_in_category", "id_default_image", "type"}),
                     i18n=frozenset({"name", "description", "description_short", "meta_description", "meta_keywords",
                                     "meta_title", "link_rewrite", "available_now", "available_later"}),
                     listed=lambda r: r["id"] in booking_products,
                     associations=(("advance_payments", "advance_payment"), ("categories", "category"), ("images", "image"),
                                   ("room_type_features", "room_type_feature"), ("tags", "tag"), ("hotel_rooms", "hotel_room"),
                                   ("feature_prices", "feature_price"), ("extra_demands", "extra_demand"), ("services", "service"))),
            Resource("services", "services", "service", lambda: s.services, i18n=frozenset({"name", "description"})),
            Resource("hotel_room_types", "hotel_room_types", "hotel_room_type", lambda: s.hotel_room_types),
            Resource("hotel_rooms", "rooms", "room", lambda: s.rooms, links={"id_product": "products"}),
            Resource("currencies", "currencies", "currency", lambda: s.currencies, dates=frozenset()),
            Resource("languages", "languages", "language", lambda: s.languages, dates=frozenset()),
            Resource("order_states", "order_states", "order_state", lambda: s.order_states, dates=frozenset()),
            Resource("tax_rules", "tax_rules", "tax_rule", lambda: s.tax_rules, dates=frozenset()),
            Resource("tax_rule_groups", "tax_rule_groups", "tax_rule_group", lambda: s.tax_rule_groups),
            Resource("room_type_features", "room_type_features", "room_type_feature", lambda: s.room_type_features),
            Resource("hotel_features", "hotel_features", "hotel_feature", lambda: s.hotel_features),
            Resource("feature_prices", "feature_prices", "feature_price", lambda: []),
            Resource("hotel_refund_rules", "hotel_refund_rules", "hotel_refund_rule", lambda: []),
            Resource("customers", "customers", "customer",
                     lambda: [{k: c.get(k) for k in CUSTOMER_FIELDS} for c in hotel.customers], frozenset({"phone"})),
            Resource("orders", "orders", "order", lambda: [order_record(hotel, o) for o in hotel.orders.values()],
                     template=lambda: s.order_template),
            Resource("room_bookings", "bookings", "booking",
                     lambda: [line_record(hotel, ln) for ln in sorted(hotel.lines.values(), key=lambda x: x.id)],
                     template=lambda: s.line_template),
            Resource("order_histories", "order_histories", "order_history", lambda: hotel.histories,
                     template=lambda: dict.fromkeys(("id", "id_employee", "id_order_state", "id_order", "date_add"))),
            Resource("order_payments", "order_payments", "order_payment", lambda: hotel.payments,
                     template=lambda: dict.fromkeys(PAYMENT_FIELDS)),
        ]
    }  # fmt: skip


def select(resource: Resource, q: Query, *, php74: bool) -> list[dict[str, Any]]:
    rows = [r for r in resource.rows() if resource.listed(r)]
    fields = resource.fields(resource.rows())
    for name, expression in q.filters.items():
        if name not in fields or (name in resource.dates and not q.date):
            choices = [f for f in fields if q.date or f not in resource.dates]
            listing = ", ".join(f'"{f}"' for f in choices)
            raise ApiError(
                (
                    32,
                    f'This filter does not exist. Did you mean: "{closest(name, choices)}"? The full list is: {listing}',
                    400,
                ),
                *array_offset_warnings(),
            )
        if name in resource.getters:
            if resource.name == "customers":
                if php74:
                    return []
                raise RawResponse(500)  # phone is not a column: the SQL fails
            raise ApiError(
                (
                    34,
                    f'The field "{name}" is dynamic. It is not possible to filter GET query with this field.',
                    400,
                ),
                *array_offset_warnings(),
            )
        rows = [r for r in rows if matches(r.get(name), expression)]
    for name, descending in reversed(q.sort or ([("id", False)] if fields else [])):
        if name not in fields or (name in resource.dates and not q.date):
            choices = [f for f in fields if f not in resource.dates]
            raise ApiError(
                (
                    38,
                    f"Unable to filter by this field. However, these are available: {', '.join(choices)}",
                    400,
                ),
                *array_offset_warnings(),
            )
        rows.sort(key=lambda r, n=name: _sort_key(r.get(n)), reverse=descending)
    if q.limit:
        offset, count = q.limit
        rows = rows[offset : offset + count if count is not None else None]
    return rows


def _sort_key(value: Any) -> tuple[int, Any]:
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (1, str(value))


def shape(resource: Resource, rows: list[dict[str, Any]], q: Query) -> list[dict[str, Any]]:
    if q.display is None:
        return [{"id": r["id"]} for r in rows]
    if q.display == "full":
        return rows
    fields = resource.fields(resource.rows())
    for name in q.display:
        if name not in fields:
            raise ApiError(
                (
                    35,
                    f'Unable to display this field "{name}". However, these are available: {", ".join(fields)}',
                    400,
                ),
                *array_offset_warnings(),
            )
    return [{k: v for k, v in r.items() if k in q.display} for r in rows]


def php74_types(value: Any) -> Any:
    """PHP 7.4 returns DB integers of core resources as JSON strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [php74_types(v) for v in value]
    if isinstance(value, dict):
        return {k: php74_types(v) for k, v in value.items()}
    return value


# -- XML ---------------------------------------------------------------------------------------
def xml_list_ids(resource: Resource, rows: list[dict[str, Any]], base: str) -> str:
    items = "".join(
        f'<{resource.item} id="{r["id"]}" xlink:href="{base}/api/{resource.name}/{r["id"]}"/>\n' for r in rows
    )
    return xml_document(f"<{resource.wrapper}>\n{items}</{resource.wrapper}>")


def xml_record(resource: Resource, record: dict[str, Any], base: str) -> str:
    parts = []
    for key, value in record.items():
        if key == "associations":
            parts.append(_xml_associations(resource, value, base))
        elif key in resource.i18n:
            parts.append(
                f'\t<{key}><language id="1" xlink:href="{base}/api/languages/1">{cdata(value)}</language></{key}>'
            )
        elif key in resource.links and value not in (None, "", 0, False):
            parts.append(
                f'\t<{key} xlink:href="{base}/api/{resource.links[key]}/{value}">{cdata(value)}</{key}>'
            )
        else:
            parts.append(f"\t<{key}>{cdata(value)}</{key}>")
    return f"<{resource.item}>\n" + "\n".join(parts) + f"\n</{resource.item}>"


def _xml_associations(resource: Resource, value: dict[str, Any], base: str) -> str:
    out = ["<associations>"]
    declared = resource.associations or tuple((name, name.rstrip("s")) for name in value)
    for name, singular in declared:
        items = value.get(name) or []
        if not items:
            out.append(f'<{name} nodeType="{singular}" api="{name}"/>')
            continue
        out.append(f'<{name} nodeType="{singular}" api="{name}">')
        for item in items:
            inner = "".join(f"<{k}>{cdata(v)}</{k}>" for k, v in item.items())
            out.append(f"<{singular}>{inner}</{singular}>")
        out.append(f"</{name}>")
    out.append("</associations>")
    return "\n".join(out)


def xml_list(resource: Resource, rows: list[dict[str, Any]], base: str) -> str:
    body = "\n".join(xml_record(resource, r, base) for r in rows)
    return xml_document(f"<{resource.wrapper}>\n{body}\n</{resource.wrapper}>")
