"""hotelbox relay link v1: the frames between the cloud relay and a box, and their MACs.

Both sides import this module, so the wire format lives in one place (documented in
docs/relay-link.md). Every frame is a small frozen dataclass with ``to_json``/``from_json``;
every MAC is HMAC-SHA256 under the box's link key ``K_link`` over a ``|``-joined string that
binds the frame's meaning (box id, sequence number, body hash), compared in constant time.

Meta's own ``X-Hub-Signature-256`` check is here too: the relay checks it before storing, the
box re-checks it when it holds the app secret (a compromised relay then cannot inject guests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

VERSION = 1
CLOSE_SUPERSEDED = 4001  # a newer connection of the same box took over
CLOSE_AUTH_FAILED = 4003
CLOSE_PROTOCOL = 4002
CLOSE_TRY_LATER = 1013  # the box cannot store now (disk nearly full): nothing acked, it comes back


class ProtocolError(ValueError):
    """A frame that does not follow the protocol (unknown type, missing field, bad MAC)."""

    def __init__(self, message: str, code: str = "bad_frame") -> None:
        super().__init__(message)
        self.code = code


# -- Meta's webhook signature -------------------------------------------------------------------
def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_signature_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256`` over the raw bytes; a missing prefix or upper-case hex fails."""
    if not header or not header.startswith("sha256=") or not header.isascii():
        return False  # compare_digest refuses non-ASCII str with TypeError (issue 13: was a 500)
    return hmac.compare_digest(meta_signature(app_secret, body), header)


# -- link MACs ------------------------------------------------------------------------------------
def mac(key: bytes, *parts: object) -> str:
    return hmac.new(key, "|".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()


def mac_ok(key: bytes, given: str, *parts: object) -> bool:
    return isinstance(given, str) and given.isascii() and hmac.compare_digest(mac(key, *parts), given)


def bearer_token(key: bytes, box_id: str) -> str:
    """What the box sends as ``Authorization: Bearer`` on the upgrade: lets the relay drop junk
    before a WebSocket exists. Derived from K_link, so a box holds one secret only."""
    return f"{box_id}.{mac(key, 'bearer', f'v{VERSION}', box_id)}"


def parse_key(text: str) -> bytes:
    """A link key as provisioned: 64 hex characters (32 random bytes)."""
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise ValueError("a relay link key is 64 hexadecimal characters") from exc
    if len(key) < 32:
        raise ValueError("a relay link key is 64 hexadecimal characters (32 bytes)")
    return key


def new_key() -> str:
    return secrets.token_hex(32)


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# -- frames ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Challenge:
    nonce: str
    relay_id: str
    t: str = "challenge"
    v: int = VERSION

    @classmethod
    def new(cls, relay_id: str) -> Challenge:
        return cls(base64.b64encode(secrets.token_bytes(32)).decode(), relay_id)


@dataclass(frozen=True)
class Auth:
    box_id: str
    ack_upto: int
    window: int
    mac: str
    t: str = "auth"
    v: int = VERSION

    @classmethod
    def sign(cls, key: bytes, nonce: str, box_id: str, ack_upto: int, window: int) -> Auth:
        return cls(box_id, ack_upto, window, mac(key, "auth", f"v{VERSION}", nonce, box_id, ack_upto))

    def verify(self, key: bytes, nonce: str) -> bool:
        return mac_ok(key, self.mac, "auth", f"v{VERSION}", nonce, self.box_id, self.ack_upto)


@dataclass(frozen=True)
class Welcome:
    resume_from: int
    backlog: int
    server_time_ms: int
    t: str = "welcome"
    v: int = VERSION


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    received_at_ms: int
    headers: dict[str, str]
    body_b64: str
    body_sha256: str
    mac: str
    t: str = "event"
    v: int = VERSION

    @classmethod
    def sign(
        cls,
        key: bytes,
        box_id: str,
        seq: int,
        kind: str,
        received_at_ms: int,
        headers: dict[str, str],
        body: bytes,
    ) -> Event:
        digest = sha256_hex(body)
        return cls(
            seq,
            kind,
            received_at_ms,
            headers,
            base64.b64encode(body).decode(),
            digest,
            mac(key, "event", f"v{VERSION}", box_id, seq, received_at_ms, kind, digest),
        )

    def body(self) -> bytes:
        return base64.b64decode(self.body_b64, validate=True)

    def verify(self, key: bytes, box_id: str) -> bytes:
        """The raw body, after checking its hash and the relay's MAC; raises ProtocolError."""
        try:
            body = self.body()
        except ValueError as exc:
            raise ProtocolError("event body is not base64", "bad_body") from exc
        if not hmac.compare_digest(sha256_hex(body), self.body_sha256):
            raise ProtocolError("event body does not match its hash", "bad_hash")
        if not mac_ok(
            key,
            self.mac,
            "event",
            f"v{VERSION}",
            box_id,
            self.seq,
            self.received_at_ms,
            self.kind,
            self.body_sha256,
        ):
            raise ProtocolError("event MAC does not verify", "bad_mac")
        return body


@dataclass(frozen=True)
class Ack:
    upto: int
    t: str = "ack"
    v: int = VERSION


@dataclass(frozen=True)
class Nack:
    seq: int
    reason: str
    t: str = "nack"
    v: int = VERSION


@dataclass(frozen=True)
class ErrorFrame:
    code: str
    message: str = ""
    t: str = "error"
    v: int = VERSION
    extra: dict[str, Any] = field(default_factory=dict)


Frame = Challenge | Auth | Welcome | Event | Ack | Nack | ErrorFrame
_TYPES: dict[str, type[Frame]] = {
    "challenge": Challenge,
    "auth": Auth,
    "welcome": Welcome,
    "event": Event,
    "ack": Ack,
    "nack": Nack,
    "error": ErrorFrame,
}
_INT_FIELDS = {
    "ack_upto",
    "window",
    "resume_from",
    "backlog",
    "server_time_ms",
    "seq",
    "received_at_ms",
    "upto",
}


def to_json(frame: Frame) -> str:
    return json.dumps(asdict(frame), separators=(",", ":"))


def from_json(text: str | bytes, max_bytes: int = 8 * 1024 * 1024) -> Frame:
    """Parse one frame; anything malformed raises ProtocolError (never another exception)."""
    if len(text) > max_bytes:
        raise ProtocolError("frame too large", "too_large")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError("frame is not JSON") from exc
    if not isinstance(data, dict):
        raise ProtocolError("frame is not an object")
    t = data.get("t")
    kind = _TYPES.get(t) if isinstance(t, str) else None  # an unhashable "t" must not raise TypeError
    if kind is None:
        raise ProtocolError(f"unknown frame type {str(data.get('t'))[:40]!r}")
    if data.get("v") != VERSION:
        raise ProtocolError(f"unsupported protocol version {str(data.get('v'))[:10]!r}", "bad_version")
    names = set(kind.__dataclass_fields__)
    values = {k: v for k, v in data.items() if k in names}
    for name, value in values.items():
        if name in _INT_FIELDS and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise ProtocolError(f"field {name} must be a non-negative integer")
        if name in {
            "nonce",
            "relay_id",
            "box_id",
            "mac",
            "kind",
            "body_b64",
            "body_sha256",
            "reason",
            "code",
        } and (not isinstance(value, str)):
            raise ProtocolError(f"field {name} must be a string")
    if "headers" in values and not (
        isinstance(values["headers"], dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in values["headers"].items())
    ):
        raise ProtocolError("field headers must map strings to strings")
    try:
        return kind(**values)
    except TypeError as exc:
        raise ProtocolError(f"{data.get('t')} frame is missing a field") from exc
