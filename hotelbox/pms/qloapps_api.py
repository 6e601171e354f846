"""The QloApps 1.6.1 webservice over HTTP: auth, formats, timeouts, retries, circuit breaker,
and every answer mapped onto a domain error with a stable code.

What the real API does (captured in tests/data/qloapps, replayed by the fake's contract test):
key as HTTP Basic user with no password; JSON only with ``output_format=JSON`` in upper case;
``hotel_ari`` takes an XML body only; errors are ``{"errors":[{"code","message"}]}`` and the HTTP
status is that of the last error (PHP warnings make 400s into 500s); some failures are an empty
500 or a 200 saying "Fatal error"; an unknown id is a 404 with no body; PHP 7.4 sends integers as
strings. Reads are retried (they are idempotent); writes never are — the caller decides what an
unclear answer to a write means (see :mod:`hotelbox.pms.qloapps`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import aiohttp

from hotelbox.breaker import CircuitBreaker
from hotelbox.config import QloAppsSettings
from hotelbox.errors import (
    BookingNotFound,
    BookingRejected,
    PmsAuthError,
    PmsError,
    PmsNotFound,
    PmsUnavailable,
    RoomNotAvailable,
)

log = logging.getLogger(__name__)
AUTH_CODES = {18, 20, 21}  # key malformed, unknown or inactive
PERMISSION_CODES = {25, 26}  # method or resource not granted to this key
WARNING_CODES = {3, 5}  # PHP warning (8.x) / notice (7.4): appended to real errors, never the cause
# QloApps' internal error codes (reference §4) → stable hotelbox codes
INTERNAL_CODES = {
    22: "pms_webservice_disabled",
    23: "pms_method_not_allowed",
    27: "pms_unknown_resource",
    32: "pms_bad_query",
    34: "pms_bad_query",
    35: "pms_bad_query",
    38: "pms_bad_query",
    39: "pms_bad_query",
    41: "pms_missing_parameter",
    85: "pms_invalid_search",
    101: "pms_method_not_allowed",
    127: "pms_bad_request",
}
# bookings validation messages (internal code 404, HTTP 400) → stable codes
REJECTIONS = {
    "Please provide valid currency.": "pms_invalid_currency",
    "Please provide a valid id_property.": "pms_invalid_hotel",
    "Please provide a valid email.": "invalid_email",
    "Please provide a valid phone number.": "invalid_phone",
    "Invalid check in date in the request": "invalid_dates",
    "Invalid check out date in the request": "invalid_dates",
    "Invalid check in and check out dates in the request": "invalid_dates",
    "Invalid room type in the request": "unknown_room_type",
    "Customer not found.": "pms_customer_not_found",
    "Customer details not found.": "pms_bad_request",
    "Invalid booking status.": "pms_bad_request",
    "Invalid payment type.": "pms_bad_request",
}


@dataclass(frozen=True)
class Answer:
    """A raw answer to a write, for the caller to interpret (it may be a booking in disguise)."""

    status: int
    text: str
    data: Any  # parsed JSON, or None

    @property
    def errors(self) -> list[tuple[int, str]]:
        return parse_errors(self.data, self.text)


def parse_errors(data: Any, text: str = "") -> list[tuple[int, str]]:
    """The ``(code, message)`` list of a QloApps error document, JSON or XML."""
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        return [
            (as_int(e.get("code", 0)), str(e.get("message", "")))
            for e in data["errors"]
            if isinstance(e, dict)
        ]
    if data is None and text.lstrip().startswith("<?xml") and "<errors>" in text:
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            return []
        return [(as_int(e.findtext("code", "0")), e.findtext("message", "")) for e in root.iter("error")]
    return []


def error_for(status: int, text: str, data: Any, what: str) -> PmsError:
    """The domain error for a non-2xx answer (or a 2xx that is not what was asked)."""
    errors = parse_errors(data, text)
    codes = {c for c, _ in errors}
    real = [(c, m) for c, m in errors if c not in WARNING_CODES]
    if codes & PERMISSION_CODES:
        return PmsAuthError(f"the QloApps key may not do this: {real[0][1]}", code="pms_permission")
    if status == 401 or codes & AUTH_CODES:
        message = real[0][1] if real else "no key sent"
        return PmsAuthError(f"QloApps refused the key: {message}", code="pms_auth")
    if 22 in codes:
        return PmsUnavailable(
            "the QloApps webservice is disabled in its back office", code="pms_webservice_disabled"
        )
    if status == 404 and not text.strip():
        return PmsNotFound(f"{what}: not found")
    for code, message in real:
        if code == 404:
            if message.startswith("Requested room(s) not available"):
                return RoomNotAvailable("QloApps has no room free for that stay")
            if message == "Booking not found.":
                return BookingNotFound("QloApps has no such booking")
            return BookingRejected(
                f"QloApps refused: {message}", code=REJECTIONS.get(message, "pms_rejected")
            )
    if real:
        code, message = real[-1]
        return PmsError(
            f"QloApps error {code} on {what}: {message[:300]}",
            code=INTERNAL_CODES.get(code, f"pms_error_{code}"),
        )
    if errors:  # only PHP warnings, e.g. bookings/{id} on a shop displaying prices tax excluded
        return PmsError(f"QloApps PHP warning on {what}: {errors[-1][1][:300]}", code="pms_php_warning")
    if text.strip() == "Fatal error":  # what a malformed e-mail gets (HTTP 200)
        return PmsError(f'QloApps died on {what} ("Fatal error")', code="pms_fatal_error")
    if status >= 500 or status == 0:
        return PmsUnavailable(f"QloApps answered {status} to {what}", code="pms_server_error")
    return PmsError(f"QloApps answered {status} to {what}: {text[:200]!r}", code="pms_bad_response")


class QloAppsApi:
    def __init__(self, settings: QloAppsSettings, key: str, breaker: CircuitBreaker | None = None) -> None:
        self.settings = settings
        self.base = settings.url.rstrip("/")
        self._auth = aiohttp.encode_basic_auth(key, "")
        self.breaker = breaker or CircuitBreaker(
            "qloapps", failures=settings.breaker_failures, cooldown_s=settings.breaker_cooldown_s
        )
        self._session: aiohttp.ClientSession | None = None
        self.calls = 0
        self.seconds: list[tuple[str, float]] = []  # (resource, seconds) of recent calls

    async def open(self) -> None:
        timeout = aiohttp.ClientTimeout(
            total=self.settings.timeout_s, connect=self.settings.connect_timeout_s
        )
        self._session = aiohttp.ClientSession(
            timeout=timeout,
            cookie_jar=aiohttp.DummyCookieJar(),  # QloApps sets a front-office cookie: never resend it
            headers={"Authorization": self._auth},
            connector=aiohttp.TCPConnector(limit=8),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def url(self, resource: str, rid: int | str | None = None) -> str:
        path = resource if rid is None else f"{resource}/{rid}"
        if self.settings.use_dispatcher:
            return f"{self.base}/webservice/dispatcher.php?url={path}"
        return f"{self.base}/api/{path}"

    # -- the wire --------------------------------------------------------------------------
    async def _send(
        self,
        method: str,
        resource: str,
        rid: int | str | None,
        params: dict[str, str],
        body: bytes | None,
        ctype: str | None,
    ) -> Answer:
        if self._session is None:
            raise PmsUnavailable("the QloApps client is not open", code="pms_not_open")
        if not self.breaker.allow():
            raise PmsUnavailable(
                f"QloApps circuit open after repeated failures; next try in {self.breaker.retry_in():.0f} s",
                code="pms_circuit_open",
            )
        query = {**params, "output_format": "JSON"}
        url = self.url(resource, rid)
        if self.settings.use_dispatcher:
            query = {"url": url.split("url=", 1)[1], **query}
            url = url.split("?", 1)[0]
        headers = {"Content-Type": ctype} if ctype else {}
        started = time.perf_counter()
        self.calls += 1
        try:
            async with self._session.request(
                method, url, params=query, data=body, headers=headers
            ) as response:
                text = await response.text(errors="replace")
                status = response.status
        except TimeoutError as exc:
            self.breaker.failure()
            raise PmsUnavailable(
                f"QloApps did not answer {method} {resource} in time", code="pms_timeout"
            ) from exc
        except aiohttp.ClientError as exc:
            self.breaker.failure()
            raise PmsUnavailable(
                f"cannot reach QloApps at {self.base}: {exc}", code="pms_unreachable"
            ) from exc
        finally:
            self.seconds.append((resource, time.perf_counter() - started))
            if len(self.seconds) > 1000:
                del self.seconds[:500]
        if status >= 500 and not parse_errors(_json(text), text):
            self.breaker.failure()  # the server is unwell (an error document is an answer)
        else:
            self.breaker.success()
        return Answer(status, text, _json(text))

    async def get(self, resource: str, rid: int | str | None = None, **params: str) -> Any:
        """GET a resource as JSON; retried with back-off when QloApps is unwell. ``[]`` = none."""
        answer = await self._read("GET", resource, rid, params, None, None)
        return answer.data

    async def ari(self, xml: str) -> dict[str, Any]:
        """POST hotel_ari (XML in, JSON out): read-only, so retried like a GET."""
        answer = await self._read("POST", "hotel_ari", None, {}, xml.encode(), "application/xml")
        if not isinstance(answer.data, dict):
            raise PmsError("hotel_ari answered something that is not JSON", code="pms_bad_response")
        return answer.data

    async def _read(
        self,
        method: str,
        resource: str,
        rid: int | str | None,
        params: dict[str, str],
        body: bytes | None,
        ctype: str | None,
    ) -> Answer:
        attempt = 0
        while True:
            try:
                answer = await self._send(method, resource, rid, params, body, ctype)
            except PmsUnavailable as exc:
                if exc.code == "pms_circuit_open" or attempt >= self.settings.retries:
                    raise
            else:
                if 200 <= answer.status < 300 and answer.data is not None:
                    return answer
                error = error_for(answer.status, answer.text, answer.data, f"{method} {resource}")
                if not isinstance(error, PmsUnavailable) or attempt >= self.settings.retries:
                    raise error
            attempt += 1
            await asyncio.sleep(min(0.2 * 2**attempt, 2.0))

    async def send_xml(self, method: str, resource: str, xml: str) -> Answer:
        """POST/PUT a core resource (they take XML only) once; the answer comes back raw."""
        return await self._send(method, resource, None, {}, xml.encode(), "application/xml")

    async def write(self, method: str, resource: str, data: dict[str, Any]) -> Answer:
        """POST/PUT JSON once. Transport failures raise PmsUnavailable; answers come back raw."""
        return await self._send(method, resource, None, {}, json.dumps(data).encode(), "application/json")


def _json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def as_int(value: Any) -> int:
    """PHP 7.4 sends DB integers as strings, PHP 8 as numbers: accept both."""
    if isinstance(value, bool):
        return int(value)
    return int(str(value).split(".")[0]) if value not in (None, "") else 0


def listing(data: Any, wrapper: str) -> list[dict[str, Any]]:
    """The rows of a list answer; QloApps answers an empty list with a bare []."""
    if isinstance(data, dict):
        rows = data.get(wrapper, [])
        return rows if isinstance(rows, list) else [rows]
    return []
