"""``hotelbox relay``: takes Meta's webhooks, keeps them, hands them to the boxes.

``POST /wa/webhook`` checks ``X-Hub-Signature-256`` over the raw bytes, routes the body by every
``metadata.phone_number_id`` in it, commits it to the queue once per box, and only then answers
200 (Meta retries anything else for up to 7 days). Bodies no box claims, and signed bodies that
are not JSON, are kept under ``_unrouted`` and reported — never dropped. ``GET /box/v1/link`` is
the boxes' WebSocket (:mod:`hotelbox.relay.box_links`). The relay never holds a Graph token and never
downloads media.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from hotelbox import openapi
from hotelbox.config import ConfigError, RelaySettings, Settings, read_secret
from hotelbox.errors import Unavailable
from hotelbox.ops.failpoints import failpoint
from hotelbox.ops.health import Problem
from hotelbox.relay.protocol import meta_signature_ok, parse_key
from hotelbox.relay.queue import UNROUTED, Backlog, EventQueue, make_queue, now_ms

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelaySecrets:
    app_secret: str
    verify_token: str
    box_keys: dict[str, bytes]
    routes: dict[str, str]  # phone_number_id → box id

    @classmethod
    def from_settings(cls, relay: RelaySettings) -> RelaySecrets:
        app_secret = read_secret(relay.app_secret, relay.app_secret_file, "whatsapp_app_secret")
        verify_token = read_secret(relay.verify_token, relay.verify_token_file, "whatsapp_verify_token")
        if not app_secret:
            raise ConfigError("relay.app_secret_file (or the credential 'whatsapp_app_secret') is required")
        if not verify_token:
            raise ConfigError(
                "relay.verify_token_file (or the credential 'whatsapp_verify_token') is required"
            )
        keys: dict[str, bytes] = {}
        routes: dict[str, str] = {}
        for box_id, box in relay.boxes.items():
            if box_id == UNROUTED:
                raise ConfigError(f"{UNROUTED} is reserved for webhooks no box claims")
            text = read_secret(box.key, box.key_file, f"relay_box_{box_id}")
            if not text:
                raise ConfigError(
                    f"relay.boxes.{box_id}: no link key (key_file or credential relay_box_{box_id})"
                )
            try:
                keys[box_id] = parse_key(text)
            except ValueError as exc:
                raise ConfigError(f"relay.boxes.{box_id}: {exc}") from exc
            for pnid in box.phone_number_ids:
                if pnid in routes:
                    raise ConfigError(f"phone_number_id {pnid} is given to both {routes[pnid]} and {box_id}")
                routes[pnid] = box_id
        return cls(app_secret, verify_token, keys, routes)


class RelayMetrics:
    def __init__(self, relay: Relay) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.webhooks = Counter(
            "hotelbox_relay_webhooks", "Webhook POSTs by outcome.", ["outcome"], registry=r
        )
        self.webhook_seconds = Histogram(
            "hotelbox_relay_webhook_seconds",
            "Webhook POST received → answered.",
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=r,
        )
        self.events_sent = Counter("hotelbox_relay_events_sent", "Events sent to boxes.", ["box"], registry=r)
        self.resends = Counter(
            "hotelbox_relay_resends", "Events sent again after a reconnect.", ["box"], registry=r
        )
        self.nacks = Counter(
            "hotelbox_relay_nacks", "Events a box rejected (quarantined).", ["box"], registry=r
        )
        self.auth_failures = Counter(
            "hotelbox_relay_link_auth_failures", "Box connections refused.", ["reason"], registry=r
        )
        self.connected = Gauge("hotelbox_relay_link_connected", "Box connected now.", ["box"], registry=r)
        r.register(_BacklogCollector(relay))


class _BacklogCollector(Collector):
    """Backlog gauges from the relay's last backlog reading (refreshed on each scrape)."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    def collect(self) -> Any:
        events = GaugeMetricFamily(
            "hotelbox_relay_backlog_events", "Undelivered events per box.", labels=["box"]
        )
        oldest = GaugeMetricFamily(
            "hotelbox_relay_backlog_oldest_seconds", "Age of the oldest undelivered event.", labels=["box"]
        )
        at = now_ms()
        for box in sorted(set(self.relay.backlog) | set(self.relay.secrets.box_keys)):
            b = self.relay.backlog.get(box, Backlog(0, None))
            events.add_metric([box], b.events)
            oldest.add_metric([box], b.oldest_age_s(at))
        yield events
        yield oldest


def phone_number_ids(data: Any) -> list[str]:
    """Every ``entry[].changes[].value.metadata.phone_number_id`` in a webhook body, in order."""
    found: list[str] = []
    entries = data.get("entry") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            metadata = value.get("metadata") if isinstance(value, dict) else None
            pnid = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if isinstance(pnid, str | int) and str(pnid) not in found:
                found.append(str(pnid))
    return found


class Relay:
    """``async with Relay(settings) as relay:`` — the queue open, the maintenance job running."""

    def __init__(self, settings: Settings, queue: EventQueue | None = None) -> None:
        self.settings = settings.relay
        self.secrets = RelaySecrets.from_settings(self.settings)
        self.queue: EventQueue = queue or make_queue(settings)
        self.metrics = RelayMetrics(self)
        self.backlog: dict[str, Backlog] = {}
        self.sessions: dict[str, Any] = {}  # box id → its live link session
        self._maintenance: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Relay:
        await self.queue.open()
        await self.refresh_backlog()
        self._maintenance = asyncio.create_task(self._maintain(), name="relay-maintenance")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._maintenance is not None:
            self._maintenance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintenance
        for session in list(self.sessions.values()):
            await session.close(1001, "relay stopping")
        await self.queue.close()

    # -- webhooks ---------------------------------------------------------------------------
    async def verify(self, request: web.Request) -> web.Response:
        q = request.query
        token = q.get("hub.verify_token", "")
        if q.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode("utf-8", "surrogateescape"), self.secrets.verify_token.encode()
        ):
            log.info("webhook verification handshake answered")
            return web.Response(text=q.get("hub.challenge", ""), content_type="text/plain")
        log.warning("webhook verification refused mode=%s", q.get("hub.mode"))
        return web.Response(status=403, text="Forbidden")

    async def receive(self, request: web.Request) -> web.Response:
        """Store a signed webhook durably (once per box it belongs to), then answer 200."""
        started = time.perf_counter()
        try:
            return await self._receive(request)
        finally:
            self.metrics.webhook_seconds.observe(time.perf_counter() - started)

    async def _receive(self, request: web.Request) -> web.Response:
        try:
            return await self._store_webhook(request)
        except Unavailable as exc:  # the queue cannot store it now: Meta retries (for days)
            return self._refuse(exc.code, 503, str(exc))

    async def _store_webhook(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > self.settings.max_body_bytes:
            return self._refuse("too_large", 413, "body over the size cap")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._refuse("too_large", 413, "body over the size cap")
        signature = request.headers.get("X-Hub-Signature-256")
        if not signature:
            return self._refuse("unsigned", 401, "missing X-Hub-Signature-256")
        if not meta_signature_ok(self.secrets.app_secret, body, signature):
            return self._refuse("bad_signature", 403, "X-Hub-Signature-256 does not match")
        self.queue.require_space()
        headers = {"x-hub-signature-256": signature, "content-type": request.content_type}
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            await self.queue.append([UNROUTED], "whatsapp.unparsed", headers, body, "signed body is not JSON")
            self.metrics.webhooks.labels("unparsed").inc()
            log.error("signed webhook is not JSON: kept for the operator bytes=%d", len(body))
            return web.Response(text="ok")
        pnids = phone_number_ids(data)
        boxes = sorted({self.secrets.routes[p] for p in pnids if p in self.secrets.routes})
        unknown = [p for p in pnids if p not in self.secrets.routes]
        targets = boxes + ([UNROUTED] if unknown or not pnids else [])
        note = f"unrouted phone_number_id {','.join(unknown)}" if unknown else None
        if not pnids:
            note = "no phone_number_id in the body"
        seqs = await self.queue.append(targets, "whatsapp.webhook", headers, body, note)
        failpoint("relay.after_commit")  # stored, Meta not told: it retries, the queue dedupes
        if UNROUTED in targets:
            self.metrics.webhooks.labels("unrouted").inc()
            log.warning("webhook for no known box kept unrouted reason=%s seq=%s", note, seqs[-1])
        self.metrics.webhooks.labels("stored").inc()
        log.debug("webhook stored boxes=%s seqs=%s", ",".join(targets), seqs)
        return web.Response(text="ok")

    def _refuse(self, outcome: str, status: int, why: str) -> web.Response:
        self.metrics.webhooks.labels(outcome).inc()
        log.warning("webhook refused status=%d reason=%s", status, outcome)
        return web.Response(status=status, text=why)

    # -- operations -------------------------------------------------------------------------
    async def refresh_backlog(self) -> None:
        self.backlog = await self.queue.backlog()

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(30)
            try:
                await self.maintain_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("relay maintenance failed")

    async def maintain_once(self) -> None:
        at = now_ms()
        day = 86_400_000
        dropped = await self.queue.purge(
            at - int(self.settings.delivered_retention_days * day),
            at - int(self.settings.undelivered_retention_days * day),
        )
        if dropped:
            log.info("relay retention purged events=%d", dropped)
        await self.refresh_backlog()
        for box, b in self.backlog.items():
            age = b.oldest_age_s(at)
            if age > self.settings.backlog_critical_s:
                log.critical(
                    "backlog critical box=%s events=%d age_s=%.0f (media ids expire at 7 days)",
                    box,
                    b.events,
                    age,
                )
            elif age > self.settings.backlog_page_s:
                log.error("backlog old box=%s events=%d age_s=%.0f", box, b.events, age)
            elif age > self.settings.backlog_warn_s:
                log.warning("backlog growing box=%s events=%d age_s=%.0f", box, b.events, age)

    async def health(self, request: web.Request) -> web.Response:
        """The relay's problems as ``{code, part, reason}``, as the box's own health says them.

        503 only for what another relay behind the load balancer would not have (its queue, its
        disk); a box that has not fetched its events for ``backlog_page_s`` is listed (status
        ``degraded``) but answers 200: Meta's retries are safe here, the box is what is away."""
        local: list[Problem] = []
        try:
            await self.refresh_backlog()
        except Unavailable as exc:
            local.append(Problem(exc.code, "queue", f"the relay's queue cannot be read: {exc}"))
        at = now_ms()
        queue = self.queue.health()
        disk = queue.get("disk")
        if isinstance(disk, dict) and disk.get("low"):
            local.append(
                Problem(
                    "disk_full",
                    "disk",
                    "the relay's disk is nearly full: new webhooks get 503 and Meta retries",
                )
            )
        away = [
            Problem(
                "box_backlog_old",
                f"box:{box}",
                f"box {box} has not fetched {b.events} event(s) for {b.oldest_age_s(at):.0f} s "
                f"({'connected' if box in self.sessions else 'not connected'}): its guests wait",
            )
            for box, b in sorted(self.backlog.items())
            if b.events and b.oldest_age_s(at) > self.settings.backlog_page_s
        ]
        problems = local + away
        return web.json_response(
            {
                "status": "degraded" if problems else "ok",
                "problems": [p.to_json() for p in problems],
                "queue": queue,
                "relay_id": self.settings.relay_id,
                "connected": sorted(self.sessions),
                "backlog": {
                    box: {"events": b.events, "oldest_age_s": round(b.oldest_age_s(at), 1)}
                    for box, b in self.backlog.items()
                },
            },
            status=503 if local else 200,  # a load balancer sends Meta's retries to another relay
        )

    async def metrics_page(self, request: web.Request) -> web.Response:
        await self.refresh_backlog()
        return web.Response(body=generate_latest(self.metrics.registry), content_type="text/plain")


def make_relay_app(relay: Relay) -> web.Application:
    from hotelbox.relay.box_links import LinkServer

    app = web.Application(client_max_size=relay.settings.max_body_bytes)
    link = LinkServer(relay)
    app.router.add_get("/wa/webhook", relay.verify)
    app.router.add_post("/wa/webhook", relay.receive)
    app.router.add_get("/box/v1/link", link.handle)
    app.router.add_get("/healthz", relay.health)
    app.router.add_get("/metrics", relay.metrics_page)
    app.router.add_get("/openapi.yaml", openapi.handler("relay"))
    return app


@contextlib.asynccontextmanager
async def running_relay(settings: Settings) -> AsyncIterator[tuple[Relay, str]]:
    """The relay serving on its host and port (tests and ``hotelbox relay``)."""
    async with Relay(settings) as relay:
        runner = web.AppRunner(make_relay_app(relay), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, settings.relay.host, settings.relay.port)
        await site.start()
        port = runner.addresses[0][1]
        try:
            yield relay, f"http://{settings.relay.host}:{port}"
        finally:
            await runner.cleanup()
