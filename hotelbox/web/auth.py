"""Staff accounts, sessions, CSRF and login throttling for the front desk — checked in one place.

* Passwords: ``hashlib.scrypt`` (N=2^14, r=8, p=1, 16-byte salt), verified in a worker thread
  (it takes ~50 ms of CPU on purpose) and compared in constant time.
* Sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure behind TLS); the
  database keeps only its SHA-256. A session idle longer than ``web.session_idle_minutes`` is
  gone. Every state-changing request must carry the session's CSRF token in ``X-CSRF-Token``.
* Login throttling: per client address, each failure beyond the fifth doubles the wait
  (1 s … 15 min) before that address's next attempt is even checked; the answer is 429 with
  ``Retry-After``. Never per user name: wrong passwords from one machine must not lock the
  receptionist out on another (issue 13). A global bucket (far larger) slows down a spray from
  many addresses. Every failure is in the audit log (``login_failed``: name tried, address) for
  the admins' "who failed from where". Unknown users cost the same as known ones (no user
  enumeration by timing).
* Roles: every route is declared with the role it needs (:data:`PUBLIC`, ``frontdesk``,
  ``admin``); :func:`auth_middleware` refuses anything else — a route nobody declared is refused.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from hotelbox.errors import HotelboxError
from hotelbox.store import Store, audit, sessions, staff

# re-exported: the tests and benches make accounts with these
from hotelbox.store.staff import add_user as add_user
from hotelbox.store.staff import set_password as set_password

COOKIE = "hb_session"
ROLES = ("frontdesk", "admin")
PUBLIC = "public"
GLOBAL_FREE_FAILURES = 50  # failed logins from all addresses together before everyone waits
RANK = {"frontdesk": 1, "admin": 2}
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AuthError(HotelboxError):
    code = "unauthenticated"
    http_status = 401


class Forbidden(HotelboxError):
    code = "forbidden"
    http_status = 403


class TooManyAttempts(HotelboxError):
    code = "too_many_attempts"
    http_status = 429

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many failed logins: wait {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


# -- passwords ----------------------------------------------------------------------------------
def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password(secrets.token_hex(8))  # what an unknown user name is checked against


def password_problem(password: str) -> str | None:
    if len(password) < 10:
        return "a password needs at least 10 characters"
    if len(password) > 200:
        return "a password has at most 200 characters"
    return None


# -- users --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffUser:
    id: int
    name: str
    role: str
    language: str

    def can(self, role: str) -> bool:
        return role == PUBLIC or RANK.get(self.role, 0) >= RANK.get(role, 99)

    @property
    def actor(self) -> str:
        return f"staff:{self.name}"


# -- throttling ---------------------------------------------------------------------------------
class LoginThrottle:
    FREE = 5
    MAX_S = 900.0

    def __init__(self, free: int = FREE, max_s: float = MAX_S) -> None:
        self.free, self.max_s = free, max_s
        self._fails: dict[str, tuple[int, float]] = {}  # key → (failures, not before)

    def wait_s(self, *keys: str) -> float:
        now = time.monotonic()
        return max((self._fails.get(k, (0, 0.0))[1] - now for k in keys), default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        for k in keys:
            count = self._fails.get(k, (0, 0.0))[0] + 1
            delay = 0.0 if count < self.free else min(self.max_s, 2.0 ** min(30, count - self.free))
            self._fails[k] = (count, now + delay)
        if len(self._fails) > 10_000:  # bounded memory under a spray of names
            self._fails = dict(list(self._fails.items())[-5_000:])

    def succeeded(self, *keys: str) -> None:
        for k in keys:
            self._fails.pop(k, None)


# -- sessions -----------------------------------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    user: StaffUser
    csrf: str
    token_hash: str


class Auth:
    def __init__(self, store: Store, *, idle_minutes: float, secure_cookies: bool) -> None:
        self.store = store
        self.idle = timedelta(minutes=idle_minutes)
        self.secure_cookies = secure_cookies
        self.throttle = LoginThrottle()  # per client address
        self.global_throttle = LoginThrottle(free=GLOBAL_FREE_FAILURES, max_s=60.0)  # all addresses
        self._touched: dict[str, float] = {}

    async def login(self, name: str, password: str, remote: str) -> tuple[str, Session]:
        key = f"ip:{remote}"
        wait = max(self.throttle.wait_s(key), self.global_throttle.wait_s("all"))
        if wait > 0:
            raise TooManyAttempts(wait)
        row = await self.store.read(lambda c: staff.active_by_name(c, name))
        ok = await asyncio.to_thread(check_password, password, row["password_hash"] if row else _DUMMY_HASH)
        if row is None or not ok:
            self.throttle.failed(key)
            self.global_throttle.failed("all")
            details = {"name": name[:64], "remote": remote[:64], "known_user": row is not None}
            await self.store.write(
                lambda c: audit.record(c, "anonymous", "login_failed", details=details), label="auth.failed"
            )
            raise AuthError("wrong user name or password", code="bad_credentials")
        self.throttle.succeeded(key)
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        user = StaffUser(row["id"], row["name"], row["role"], row["language"])
        await self.store.write(
            lambda c: sessions.start(c, _token_hash(token), user.id, csrf, remote[:64]), label="auth.login"
        )
        return token, Session(user, csrf, _token_hash(token))

    async def session(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        token_hash = _token_hash(token)
        row = await self.store.read(lambda c: sessions.find(c, token_hash))
        if row is None:
            return None
        if datetime.fromisoformat(row["last_seen"]) + self.idle < datetime.now(UTC):
            await self.logout(token_hash)
            return None
        # last_seen moves at most once a minute per session: a page's polling is not a write storm
        if time.monotonic() - self._touched.get(token_hash, 0.0) > 60:
            self._touched[token_hash] = time.monotonic()
            await self.store.write(lambda c: sessions.touch(c, token_hash), label="auth.touch")
        return Session(
            StaffUser(row["id"], row["name"], row["role"], row["language"]), row["csrf"], token_hash
        )

    async def logout(self, token_hash: str) -> None:
        self._touched.pop(token_hash, None)
        await self.store.write(lambda c: sessions.end(c, token_hash), label="auth.logout")

    def set_cookie(self, response: web.StreamResponse, token: str) -> None:
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookies,
            path="/",
            max_age=int(self.idle.total_seconds()) * 24,  # the idle timeout is enforced on the server
        )


# -- the one place roles are checked ------------------------------------------------------------
SESSION: web.RequestKey[Session] = web.RequestKey("auth_session", Session)


def route_role(request: web.Request) -> str | None:
    """The role the matched route was registered with (``make_app`` marks every route)."""
    return getattr(request.match_info.handler, "hotelbox_role", None)


def client_address(request: web.Request, trust_proxy: bool) -> str:
    if trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.remote or "?"


def same_origin(request: web.Request) -> bool:
    """No ``Origin`` (not a browser) or the page's own: a browser on another site may not open
    our WebSockets with the desk's cookie (cross-site WebSocket hijacking, issue 13)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    scheme, _, host = origin.partition("://")
    return scheme in ("http", "https") and host.lower() == request.host.lower()


def require_same_origin(request: web.Request) -> None:
    if not same_origin(request):
        raise Forbidden("cross-site request refused", code="cross_origin")


def make_auth_middleware(auth: Auth, *, trust_proxy: bool) -> Any:
    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        role = route_role(request)
        if role is None:
            if isinstance(request.match_info.http_exception, web.HTTPException):
                raise request.match_info.http_exception  # 404 / 405 from the router
            raise Forbidden("this route declares no role")  # refuse, never guess
        if role == PUBLIC:
            return await handler(request)
        session = await auth.session(request.cookies.get(COOKIE))
        if session is None:
            if request.method == "GET" and not request.path.startswith(("/desk/api", "/desk/ws")):
                raise web.HTTPFound("/login")
            raise AuthError("log in first")
        if not session.user.can(role):
            raise Forbidden(f"this needs the {role} role")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            given = request.headers.get("X-CSRF-Token", "")
            # header bytes aiohttp could not decode come as surrogates: compare bytes (issue 13)
            if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), session.csrf.encode()):
                raise Forbidden("missing or wrong CSRF token", code="csrf")
        request[SESSION] = session
        return await handler(request)

    return auth_middleware


def current(request: web.Request) -> Session:
    return request[SESSION]
