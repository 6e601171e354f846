"""The fake's HTTP side: routing, keys and permissions, formats, errors, and failure switches."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import pickle
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.qloapps import ari, bookings
from tests.fakes.qloapps.formats import (
    ApiError,
    RawResponse,
    closest,
    errors_json,
    errors_xml,
    parse_query,
    php_json,
    php_warning,
    xml_document,
)
from tests.fakes.qloapps.hotel import Hotel
from tests.fakes.qloapps.resources import (
    Resource,
    php74_types,
    resources,
    select,
    shape,
    xml_list,
    xml_list_ids,
    xml_record,
)
from tests.fakes.qloapps.seed import Seed, body

FULL_KEY = "HOTELBOXQLOAPPSTESTKEY0000000001"
READONLY_KEY = "HOTELBOXQLOAPPSREADONLYHOTELS002"
INACTIVE_KEY = "HOTELBOXQLOAPPSINACTIVEKEY000003"
METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD"}
KEY_FORMAT = re.compile(r"^[A-Z0-9]{32}$")
SCHEMAS = {
    ("hotel_ari", "blank", "xml"): "c01",
    ("hotel_ari", "synopsis", "xml"): "c02",
    ("hotel_ari", "blank", "json"): "c03",
    ("customers", "blank", "xml"): "d02",
    ("bookings", "blank", "xml"): "e01",
    ("bookings", "synopsis", "xml"): "e02",
    ("bookings", "blank", "json"): "e03",
    ("feature_prices", "synopsis", "xml"): "b38",
    ("hotel_room_types", "synopsis", "xml"): "b40",
}


@dataclass
class KeySpec:
    active: bool = True
    permissions: dict[str, set[str]] | None = None  # None = every resource, every method


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    seconds: float


@dataclass
class Switches:
    latency_s: float = 0.0
    realistic: bool = False  # answer as slowly as the measured instance (see ServiceTimes)
    hang: bool = False
    # (status, method or None, resource or None): answer an empty status instead of serving
    failures: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    # (method, resource, status, then): carry the request out, lose the answer (0 = never answer)
    lost_answers: list[tuple[str, str, int, Callable[[], None] | None]] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceTimes:
    """How long the measured QloApps 1.6.1 took to answer (reference §11: Apache prefork +
    mod_php 8.2, MariaDB, 2 cores, loopback; medians), as a model the fake can sleep by.

    hotel_ari: 2 nights × 4 types 27.1 ms, 30 nights × 4 types 139.4 ms → about 19 ms plus
    1 ms per room-type-night; a booking POST 139.5 ms, a PUT changing dates 101.2 ms, a cancel
    26.4 ms, a GET 8–15 ms. A LAN adds its round trip (``lan_ms``)."""

    get_ms: float = 9.5
    get_booking_ms: float = 14.9
    ari_base_ms: float = 19.0
    ari_per_room_night_ms: float = 1.0
    post_booking_ms: float = 139.5
    put_booking_ms: float = 60.0
    lan_ms: float = 0.5

    def seconds(self, method: str, resource: str, room_nights: int) -> float:
        if resource == "hotel_ari":
            ms = self.ari_base_ms + self.ari_per_room_night_ms * room_nights
        elif resource == "bookings" and method == "POST":
            ms = self.post_booking_ms
        elif resource == "bookings" and method == "PUT":
            ms = self.put_booking_ms
        elif resource == "bookings":
            ms = self.get_booking_ms
        else:
            ms = self.get_ms
        return (ms + self.lan_ms) / 1000


class FakeQloApps:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, seed: Seed | None = None) -> None:
        self.host = host
        self.port = port
        self.hotel = Hotel(seed)
        self.keys: dict[str, KeySpec] = {
            FULL_KEY: KeySpec(),
            READONLY_KEY: KeySpec(permissions={"hotels": {"GET", "HEAD"}}),
            INACTIVE_KEY: KeySpec(active=False),
        }
        self.key = FULL_KEY
        self.webservice_enabled = True
        self.tax_excluded_display = False
        self.php74 = False
        self.switches = Switches()
        self.service_times = ServiceTimes()
        self.log: list[Exchange] = []
        self.state_file: Path | None = None  # set: the hotel survives a kill -9 (see persist_to)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> FakeQloApps:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/", self.handle)
        app.router.add_route("*", "/api", self.handle)
        app.router.add_route("*", "/api/{resource}", self.handle)
        app.router.add_route("*", "/api/{resource}/{id}", self.handle)
        app.router.add_route("*", "/webservice/dispatcher.php", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await self.come_back()

    async def come_back(self) -> None:
        """(Re)open the listening socket on the same port."""
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        if not self.port:
            self.port = self._site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def go_down(self) -> None:
        """The machine is gone: open connections drop, new ones are refused until come_back()."""
        if self._site is not None:
            await self._site.stop()
            self._site = None
        server = self._runner.server if self._runner is not None else None
        if server is not None:
            for connection in list(server.connections):
                if connection.transport is not None:
                    connection.transport.abort()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- durability (for the crash tests: QloApps keeps its data in MySQL) -----------------------
    def persist_to(self, path: Path) -> None:
        """Load the hotel from ``path`` if it is there; save it there after every write."""
        self.state_file = path
        if path.is_file():
            self.hotel = pickle.loads(path.read_bytes())  # our own file

    def save_state(self) -> None:
        assert self.state_file is not None
        tmp = self.state_file.with_suffix(".tmp")
        with tmp.open("wb") as f:
            f.write(pickle.dumps(self.hotel))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_file)

    # -- switches ----------------------------------------------------------------------------
    def fail_next(
        self, count: int = 1, status: int = 500, *, method: str | None = None, resource: str | None = None
    ) -> None:
        """The next ``count`` requests (of that method / resource, if given) get an empty ``status``
        without being carried out — a proxy error, Apache out of workers, PHP dying at start."""
        self.switches.failures.extend([(status, method, resource)] * count)

    def lose_answer(
        self, method: str, resource: str, status: int = 0, then: Callable[[], None] | None = None
    ) -> None:
        """The next ``method`` on ``resource`` is carried out, but its answer is an empty
        ``status`` (the proxy or PHP died after the write) or, with 0, never comes; ``then``
        runs at that moment (to stage what happens next)."""
        self.switches.lost_answers.append((method, resource, status, then))

    def set_min_los(self, product_id: int, nights: int) -> None:
        self.hotel.capacity(product_id)["min_los"] = nights

    def skip_ids(self, *, orders: int = 0, lines: int = 0, customers: int = 0) -> None:
        """Align id counters with a capture that had requests in between (replays)."""
        self.hotel.next_order += orders
        self.hotel.next_line += lines
        self.hotel.next_cart += orders
        for _ in range(customers):
            self.hotel.customers.append({"id": max(c["id"] for c in self.hotel.customers) + 1, "email": "", "firstname": "",
                                         "lastname": "", "phone": "", "id_default_group": 3, "id_lang": 1, "active": 1, "is_guest": 0})  # fmt: skip

    def count(self, method: str, path_prefix: str) -> int:
        return sum(1 for e in self.log if e.method == method and e.path.startswith(path_prefix))

    # -- request handling ------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        if self.switches.hang:
            await asyncio.sleep(3600)
        if self.switches.latency_s:
            await asyncio.sleep(self.switches.latency_s)
        params = dict(parse_qsl(request.query_string, keep_blank_values=True))
        resource, rid = self._target(request, params)
        for failure in self.switches.failures:
            status, method, name = failure
            if method in (None, request.method) and name in (None, resource):
                self.switches.failures.remove(failure)
                return self._logged(request, web.Response(status=status), started)
        as_json = "JSON" in (params.get("output_format"), params.get("io_format"), request.headers.get("Io-Format"), request.headers.get("Output-Format"))  # fmt: skip
        try:
            response = await self._dispatch(request, params, resource, rid, as_json)
        except ApiError as exc:
            text = errors_json(exc.errors) if as_json else errors_xml(exc.errors)
            response = self._response(exc.status, text, as_json)
        except RawResponse as exc:
            response = web.Response(
                status=exc.status, text=exc.body, content_type=exc.content_type.split(";")[0], charset="utf-8"
            )
        except _Respond as exc:
            response = exc.response
        if self.state_file is not None and request.method not in ("GET", "HEAD"):
            self.save_state()  # like MySQL's commit: durable before the answer leaves
        if self.switches.realistic:
            modelled = self.service_times.seconds(
                request.method, resource, await self._room_nights(request, resource)
            )
            await asyncio.sleep(max(0.0, modelled - (time.perf_counter() - started)))
        for lost in self.switches.lost_answers:
            if lost[:2] == (request.method, resource):
                self.switches.lost_answers.remove(lost)
                if lost[3] is not None:
                    lost[3]()
                if not lost[2]:
                    await asyncio.sleep(3600)
                response = web.Response(status=lost[2])
                break
        return self._logged(request, response, started)

    async def _room_nights(self, request: web.Request, resource: str) -> int:
        if resource != "hotel_ari" or request.method != "POST":
            return 0
        with contextlib.suppress(ApiError, ValueError):
            asked = ari.parse_request(await request.read())
            nights = (date.fromisoformat(asked["date_to"]) - date.fromisoformat(asked["date_from"])).days
            types = 1 if asked.get("id_room_type") else len(self.hotel.seed.hotel_room_types)
            return max(0, nights) * types
        return 0

    def _logged(
        self, request: web.Request, response: web.StreamResponse, started: float
    ) -> web.StreamResponse:
        self.log.append(
            Exchange(request.method, request.path_qs, response.status, time.perf_counter() - started)
        )
        response.headers["X-Powered-By"] = "PrestaShop Webservice"
        response.headers["PSWS-Version"] = "1.6.1.23"
        response.headers["Access-Time"] = str(int(time.time()))
        response.headers["Execution-Time"] = f"{time.perf_counter() - started:.3f}"
        response.set_cookie("QloApps-fake", "front-office-context", httponly=True)
        return response

    @staticmethod
    def _target(request: web.Request, params: dict[str, str]) -> tuple[str, str | None]:
        if request.path.startswith("/webservice/"):
            resource, _, rid = params.get("url", "").partition("/")
            return resource, rid or None
        return request.match_info.get("resource", ""), request.match_info.get("id")

    def _response(self, status: int, text: str, as_json: bool) -> web.Response:
        return web.Response(
            status=status,
            text=text,
            content_type="application/json" if as_json else "text/xml",
            charset=None if as_json else "utf-8",
        )

    def _ok(
        self, data: Any, as_json: bool, xml: Callable[[], str], status: int = 200, *, core: bool = True
    ) -> web.Response:
        if as_json:
            if self.php74 and core:
                data = php74_types(data)
            return self._response(status, php_json(data) if core else bookings.to_json(data), True)
        return self._response(status, xml(), False)

    def _authenticate(self, request: web.Request, params: dict[str, str]) -> KeySpec:
        key = params.get("ws_key")
        auth = request.headers.get("Authorization", "")
        if key is None and auth.startswith("Basic "):
            with contextlib.suppress(ValueError):
                key = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        if not key:
            raise RawResponse(401, "401 Unauthorized")
        if not KEY_FORMAT.match(key):
            raise ApiError((18, "Invalid authentication key format", 401))
        spec = self.keys.get(key)
        if spec is None or not spec.active:
            raise ApiError(
                (20, "Authentification key is not active", 401),
                (21, "No permission for this authentication key", 401),
            )
        return spec

    async def _dispatch(
        self, request: web.Request, params: dict[str, str], name: str, rid: str | None, as_json: bool
    ) -> web.StreamResponse:
        method = params.get("ps_method", request.method).upper()
        if not self.webservice_enabled:
            raise ApiError(
                (22, "The QloApps webservice is disabled. Please activate it in the QloApps Back Office", 503)
            )
        try:
            key = self._authenticate(request, params)
        except RawResponse as exc:
            response = web.Response(status=401, text=exc.body, content_type="text/html", charset="utf-8")
            response.headers["WWW-Authenticate"] = (
                'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required."'
            )
            raise _Respond(response) from None
        table = resources(self.hotel)
        all_names = body("a02")
        if not name:
            allowed = [n for n in all_names if key.permissions is None or n in key.permissions]
            if as_json:
                return self._response(200, php_json(allowed), True)
            return self._response(200, Seed.api_index_xml(), False)
        if method not in METHODS:
            raise ApiError((23, f"Method {method} is not valid", 405))
        if name not in all_names:
            listing = ", ".join(f'"{n}"' for n in all_names)
            raise ApiError(
                (
                    27,
                    f'Resource of type "{name}" does not exists. Did you mean: "{closest(name, all_names)}"? The full list is: {listing}',
                    400,
                )
            )
        if key.permissions is not None:
            if name not in key.permissions:
                raise ApiError(
                    (26, f'Resource of type "{name}" is not allowed with this authentication key', 401)
                )
            if method not in key.permissions[name]:
                raise ApiError(
                    (
                        25,
                        f"Method {method} is not allowed for the resource {name} with this authentication key",
                        405,
                    )
                )
        base = f"http://{request.host}"
        if params.get("schema") and method == "GET":
            document = SCHEMAS.get((name, params["schema"], "json" if as_json else "xml"))
            if document:
                return self._response(200, Seed.document(document), as_json)
        if name == "hotel_ari":
            if method != "POST":
                raise ApiError((23, f"Method {method} is not valid", 405))
            data = ari.search(self.hotel, ari.parse_request(await request.read()), php74=self.php74)
            return self._ok(data, as_json, lambda: ari.to_xml(data, base), core=False)
        if name == "bookings":
            return await self._bookings(request, method, rid, as_json)
        if name == "customers" and method == "POST":
            return await self._create_customer(request, as_json, base)
        if name == "order_histories" and method == "POST":
            return await self._add_order_history(request, as_json, base)
        if method == "HEAD":
            return web.Response(status=200, content_type="text/xml", charset="utf-8")
        if method != "GET":
            raise RawResponse(501, f"the fake does not implement {method} on {name}")
        return self._get(table[name], params, rid, as_json, base)

    def _get(
        self, resource: Resource, params: dict[str, str], rid: str | None, as_json: bool, base: str
    ) -> web.Response:
        q = parse_query(params)
        if rid is not None:
            record = next((r for r in resource.rows() if str(r["id"]) == rid), None)
            if record is None:
                raise RawResponse(404, "", "text/html")
            if q.display is not None:  # the quirk: display on /resource/{id} gives the id only
                data = {resource.wrapper: [{"id": record["id"]}]}
                return self._ok(data, as_json, lambda: xml_list_ids(resource, [record], base))
            return self._ok(
                {resource.item: record}, as_json, lambda: xml_document(xml_record(resource, record, base))
            )
        rows = select(resource, q, php74=self.php74)
        shaped = shape(resource, rows, q)
        if not shaped:
            return self._ok([], as_json, lambda: xml_document(f"<{resource.wrapper}>\n</{resource.wrapper}>"))
        if q.display is None:
            return self._ok({resource.wrapper: shaped}, as_json, lambda: xml_list_ids(resource, rows, base))
        return self._ok({resource.wrapper: shaped}, as_json, lambda: xml_list(resource, shaped, base))

    async def _bookings(
        self, request: web.Request, method: str, rid: str | None, as_json: bool
    ) -> web.Response:
        hotel = self.hotel
        if method == "DELETE":
            raise ApiError((101, "Method DELETE is not allowed for the resource bookings", 405))
        if method == "GET" and rid is None:
            ordered = sorted(hotel.orders.values(), key=lambda o: (o.id_customer, o.id))
            base = f"http://{request.host}"
            items = "".join(
                f'<booking xlink:href="{base}/api/bookings/{o.id}" id="{o.id}"/>\n' for o in ordered
            )
            return self._ok({"bookings": [{"id": o.id} for o in ordered]} if ordered else [], as_json,
                            lambda: xml_document(f"<bookings>\n{items}</bookings>"))  # fmt: skip
        if method == "GET":
            order = hotel.orders.get(int(rid)) if rid and rid.isdigit() else None
            if order is None:
                raise RawResponse(404, "", "text/html")
            return self._booking_answer(order.id, as_json, None)
        if method not in ("POST", "PUT"):
            raise ApiError((23, f"Method {method} is not valid", 405))
        payload = bookings.parse_booking_body(await request.read(), not as_json)
        if method == "POST":
            order_id, warning = await bookings.create(hotel, payload, request.host)
        else:
            order_id, warning = await bookings.update(hotel, payload), None
        return self._booking_answer(order_id, as_json, warning)

    def _booking_answer(self, order_id: int, as_json: bool, warning: str | None) -> web.Response:
        if warning == "total_tax":
            raise ApiError(php_warning('Undefined array key "total_tax"', bookings.BOOKINGS_FILE, 504))
        if self.tax_excluded_display:
            raise ApiError(
                php_warning("Undefined variable $useTax", bookings.BOOKINGS_FILE, 3463),
                php_warning("Undefined variable $useTax", bookings.BOOKINGS_FILE, 3494),
            )
        data = bookings.representation(self.hotel, self.hotel.orders[order_id])
        return self._ok(data, as_json, lambda: bookings.to_xml(data), core=False)

    async def _create_customer(self, request: web.Request, as_json: bool, base: str) -> web.Response:
        text = (await request.read()).decode("utf-8", "replace")
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            file = "/var/www/qloapps/classes/webservice/WebserviceRequest.php"
            first = text.strip().splitlines()[0] if text.strip() else ""
            raise ApiError(
                php_warning(
                    "SimpleXMLElement::__construct(): Entity: line 1: parser error : Start tag expected, '<' not found",
                    file,
                    1388,
                ),
                php_warning(f"SimpleXMLElement::__construct(): {first}", file, 1388),
                php_warning("SimpleXMLElement::__construct(): ^", file, 1388),
                (
                    127,
                    f"XML error : String could not be parsed as XML\nXML length : {len(text)}\nOriginal XML : {text}",
                    500,
                ),
            ) from exc
        node = root.find("customer")
        fields = {child.tag: (child.text or "").strip() for child in (node if node is not None else [])}
        for required in ("lastname", "firstname", "email", "passwd", "phone"):
            if not fields.get(required):
                raise ApiError(
                    php_warning(
                        'Undefined array key "i18n"',
                        "/var/www/qloapps/classes/webservice/WebserviceRequest.php",
                        1461,
                    ),
                    (41, f'parameter "{required}" required', 400),
                )
        customer = self.hotel.upsert_customer(fields)
        resource = resources(self.hotel)["customers"]
        return self._ok(
            {"customer": customer},
            as_json,
            lambda: xml_document(xml_record(resource, customer, base)),
            status=201,
        )

    async def _add_order_history(self, request: web.Request, as_json: bool, base: str) -> web.Response:
        """POST order_histories (XML, like every core resource): OrderHistory::addWs changes the
        order's state; it e-mails the guest only when the query has ``sendemail=1``."""
        text = (await request.read()).decode("utf-8", "replace")
        try:
            node = ET.fromstring(text).find("order_history")
        except ET.ParseError:
            node = None
        fields = {child.tag: (child.text or "").strip() for child in (node if node is not None else [])}
        for required in ("id_order_state", "id_order"):
            if not fields.get(required, "").isdigit():
                raise ApiError((41, f'parameter "{required}" required', 400))
        order = self.hotel.orders.get(int(fields["id_order"]))
        state = int(fields["id_order_state"])
        if order is None or state not in {int(st["id"]) for st in self.hotel.seed.order_states}:
            raise RawResponse(500)  # PHP dies loading the order or the state
        self.hotel.set_state(order, state)
        if request.query.get("sendemail") == "1":
            customer = next(c for c in self.hotel.customers if c["id"] == order.id_customer)
            self.hotel.mails.append((f"state-{state}", str(customer["email"])))
        resource = resources(self.hotel)["order_histories"]
        record = self.hotel.histories[-1]
        return self._ok(
            {"order_history": record},
            as_json,
            lambda: xml_document(xml_record(resource, record, base)),
            status=201,
        )


class _Respond(Exception):
    def __init__(self, response: web.Response) -> None:
        super().__init__("respond")
        self.response = response
