"""Limits on the public try-it chat (issue 13, finding 4): anyone on the network may post, so
every client address and every session gets a token bucket, and voice uploads are capped per
session, per day and in bytes kept on disk. Over a limit is a clear 429 with ``Retry-After``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from hotelbox.errors import HotelboxError


class RateLimited(HotelboxError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UploadsFull(HotelboxError):
    code = "uploads_full"
    http_status = 429

    def __init__(self, message: str, retry_after_s: float = 3600.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class _Bucket:
    tokens: float
    at: float


class Buckets:
    """Token buckets by key: ``burst`` at once, then ``per_minute``; memory bounded."""

    def __init__(self, per_minute: float, burst: int, max_keys: int = 20_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, what: str) -> None:
        now = time.monotonic()
        b = self._buckets.get(key)
        if b is None:
            if len(self._buckets) >= self.max_keys:  # drop the oldest half: bounded under a spray
                for k in list(self._buckets)[: self.max_keys // 2]:
                    del self._buckets[k]
            b = self._buckets[key] = _Bucket(self.burst, now)
        b.tokens = min(self.burst, b.tokens + (now - b.at) * self.rate)
        b.at = now
        if b.tokens < 1.0:
            raise RateLimited(f"too many {what}: slow down", (1.0 - b.tokens) / self.rate)
        b.tokens -= 1.0


class TryLimits:
    """The try-it page's limits, one instance per web app."""

    def __init__(self, per_client_per_minute: int, per_session_per_minute: int, uploads_per_session_per_day: int,
                 uploads_per_day: int, upload_bytes_on_disk: int) -> None:  # fmt: skip
        self.by_client = Buckets(per_client_per_minute, burst=max(1, per_client_per_minute // 2))
        self.by_session = Buckets(per_session_per_minute, burst=max(1, per_session_per_minute // 2))
        self.uploads_per_session_per_day = uploads_per_session_per_day
        self.uploads_per_day = uploads_per_day
        self.upload_bytes_on_disk = upload_bytes_on_disk
        self._day = ""
        self._uploads: dict[str, int] = {}
        self._uploads_today = 0
        self.uploading = 0  # voice notes being received right now
        self.on_disk: int | None = None  # bytes of try-it voice notes kept (None: not counted yet)

    def post(self, client: str, session: str) -> None:
        self.by_client.take(client, "messages from this address")
        self.by_session.take(session, "messages in this chat")

    def upload(self, session: str, size: int, on_disk: int) -> None:
        """Count one voice upload (call after :meth:`post`); refuse it over any cap."""
        day = time.strftime("%Y-%m-%d", time.gmtime())
        if day != self._day:
            self._day, self._uploads, self._uploads_today = day, {}, 0
        if self._uploads.get(session, 0) >= self.uploads_per_session_per_day:
            raise UploadsFull("this chat sent as many voice notes as it may today: please type")
        if self._uploads_today >= self.uploads_per_day:
            raise UploadsFull("the try-it page took as many voice notes as it may today: please type")
        if on_disk + size > self.upload_bytes_on_disk:
            raise UploadsFull("no room for more voice notes from the try-it page: please type")
        self._uploads[session] = self._uploads.get(session, 0) + 1
        self._uploads_today += 1
