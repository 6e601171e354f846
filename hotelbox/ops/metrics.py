"""The box's Prometheus metrics (``/metrics``), one registry per box.

Counters and histograms are fed where things happen (messages in and out, the pipeline's stage
times); errors are counted from the logs — every WARNING or worse that carries a ``code=`` field
increments ``hotelbox_errors_total{code}``, so "log it, count it" is one act. Gauges that
describe state (lanes, backlogs, the PMS mirror, the relay link, disk, models) are read from the
box when Prometheus scrapes. The alert rules and the dashboard in ``ops/`` name only metrics
defined here (a test checks it).
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from hotelbox.ops.health import BoxState, pms_status
from hotelbox.ops.logging import split_message
from hotelbox.store.backlog import pending as pending_backlog

STAGES = ("transcribe", "understand", "dialogue", "synthesize", "commit", "total", "pms", "send", "decode")
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class ErrorCounter(logging.Handler):
    def __init__(self, counter: Counter) -> None:
        super().__init__(logging.WARNING)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _, fields = split_message(record)
        except Exception:  # counting must never break logging
            return
        code = fields.get("code")
        if code:
            self.counter.labels(code[:60]).inc()


class BoxMetrics:
    def __init__(self, box: BoxState) -> None:
        self.box = box
        r = self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "hotelbox_messages_in", "Guest messages stored.", ["channel", "kind"], registry=r
        )
        self.messages_out = Counter(
            "hotelbox_messages_out", "Messages a channel accepted.", ["channel", "kind"], registry=r
        )
        self.stage_seconds = Histogram(
            "hotelbox_stage_seconds", "Time per pipeline stage.", ["stage"], buckets=BUCKETS, registry=r
        )
        self.errors = Counter("hotelbox_errors", "Warnings and errors by code.", ["code"], registry=r)
        self.ready = Gauge("hotelbox_ready", "1 once the box is ready.", registry=r)
        self.model_load = Gauge(
            "hotelbox_model_load_seconds", "Time to load each part at start.", ["part"], registry=r
        )
        self.lane_queued = Gauge("hotelbox_lane_queue_depth", "Jobs waiting per lane.", ["lane"], registry=r)
        self.lane_running = Gauge("hotelbox_lane_running", "Jobs running per lane.", ["lane"], registry=r)
        self.lane_busy = Gauge(
            "hotelbox_lane_busy_seconds", "Seconds spent working, per lane.", ["lane"], registry=r
        )
        self.lane_wait = Gauge(
            "hotelbox_lane_wait_seconds", "Seconds jobs waited for a slot, per lane.", ["lane"], registry=r
        )
        self.backlog = Gauge(
            "hotelbox_backlog", "Rows waiting: inbox, outbox, pms_outbox.", ["queue"], registry=r
        )
        self.uncertain = Gauge("hotelbox_outbox_uncertain", "Sends waiting for their status.", registry=r)
        self.mirror_age = Gauge(
            "hotelbox_pms_mirror_age_seconds", "Age of the oldest mirrored near-term night.", registry=r
        )
        self.circuit_open = Gauge(
            "hotelbox_pms_circuit_open", "1 while calls to the PMS fail fast.", registry=r
        )
        self.link_connected = Gauge(
            "hotelbox_relay_link_connected", "1 while the relay link is up.", registry=r
        )
        self.link_seq = Gauge("hotelbox_relay_link_last_seq", "Last relay seq committed.", registry=r)
        self.link_reconnects = Gauge(
            "hotelbox_relay_link_reconnects", "Reconnections since start.", registry=r
        )
        self.disk_free = Gauge(
            "hotelbox_disk_free_bytes", "Free space where the box keeps its data.", registry=r
        )
        self.disk_free_ratio = Gauge("hotelbox_disk_free_ratio", "Free space, 0–1.", registry=r)
        self.voice_missing = Gauge(
            "hotelbox_voice_text_only_languages",
            "Hotel languages answered in text only (no voice).",
            registry=r,
        )
        self.stt_loaded = Gauge("hotelbox_stt_loaded", "1 when a speech-to-text model is loaded.", registry=r)
        self.handler = ErrorCounter(self.errors)
        for part in ("store", "pms", "nlu", "speech"):
            self.model_load.labels(part)
        for stage in STAGES:
            self.stage_seconds.labels(stage)

    def attach(self) -> None:
        logging.getLogger("hotelbox").addHandler(self.handler)

    def detach(self) -> None:
        logging.getLogger("hotelbox").removeHandler(self.handler)

    def observe(self, stage: str, seconds: float) -> None:
        self.stage_seconds.labels(stage).observe(seconds)

    async def refresh(self) -> None:
        """Read the state gauges from the box (called on each scrape)."""
        box = self.box
        self.ready.set(1 if box.ready else 0)
        for part, seconds in box.load_seconds.items():
            self.model_load.labels(part).set(seconds)
        for name, lane in box.scheduler.snapshot()["lanes"].items():
            self.lane_queued.labels(name).set(sum(lane["queued"].values()))
            self.lane_running.labels(name).set(lane["running"])
            self.lane_busy.labels(name).set(lane["busy_seconds"])
            self.lane_wait.labels(name).set(lane["wait_seconds"])
        pending = await box.store.read(pending_backlog)
        for queue, count in (("inbox", pending.inbox), ("outbox", pending.outbox), ("pms", pending.pms)):
            self.backlog.labels(queue).set(count)
        self.uncertain.set(pending.uncertain)
        pms: dict[str, Any] = (await pms_status(box.pms)).get("mirror") or {}
        if pms.get("near_age_s") is not None:
            self.mirror_age.set(float(pms["near_age_s"]))
        self.circuit_open.set(1 if pms.get("breaker") == "open" else 0)
        wa = box.whatsapp.health() if box.whatsapp is not None else None
        link = (wa or {}).get("link") or {}
        self.link_connected.set(1 if link.get("connected") else 0)
        self.link_seq.set(link.get("last_seq") or 0)
        self.link_reconnects.set(link.get("reconnects") or 0)
        try:
            usage = shutil.disk_usage(box.settings.state_dir)
            self.disk_free.set(usage.free)
            self.disk_free_ratio.set(usage.free / usage.total if usage.total else 0)
        except OSError:
            pass
        speech = box.voice.health()
        self.voice_missing.set(len(speech["text_only_languages"]))
        self.stt_loaded.set(1 if speech["stt"] else 0)

    async def exposition(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)
