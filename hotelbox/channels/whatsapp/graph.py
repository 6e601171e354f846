"""Meta's Graph API, the narrow slice the box needs: send, mark read, upload and download media.

Every failure becomes a :class:`GraphError` with Meta's numeric ``code`` and what to do about it
(``retry`` after ``retry_after_s``, or not), following Meta's error-code reference
(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). A send whose request may have reached Meta without an
answer coming back (timeout, connection dropped mid-way) is a :class:`GraphUncertain`: WhatsApp
has no idempotency key, so it must be settled by the status webhook, not resent blindly.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

log = logging.getLogger(__name__)

RETRY = {1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057}
ALERT = {0, 190, 3, 10, 368, 131031, 130497, 131042, 131048, 131064, 133010}


class GraphError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        details: str = "",
        retry: bool = False,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.details = details
        self.retry = retry
        self.retry_after_s = retry_after_s

    @property
    def alert(self) -> bool:
        """The operator must act (token expired, account blocked, permissions)."""
        return self.code in ALERT or (self.code is not None and 200 <= self.code <= 299)


class GraphUncertain(Exception):
    """The request may have been carried out; only a status webhook can tell."""


@dataclass(frozen=True)
class MediaInfo:
    url: str
    mime_type: str | None
    sha256: str | None
    size: int | None


def error_from_body(status: int, data: Any) -> GraphError:
    err = data.get("error") if isinstance(data, dict) else None
    err = err if isinstance(err, dict) else {}
    code = err.get("code") if isinstance(err.get("code"), int) else None
    details = (
        str((err.get("error_data") or {}).get("details") or "")
        if isinstance(err.get("error_data"), dict)
        else ""
    )
    message = str(err.get("message") or f"HTTP {status}")
    retry = code in RETRY or (code is None and status >= 500) or status == 429
    retry_after = None
    if code == 131056:  # pair rate limit: Meta asks for 4^X s; the sender's back-off grows from here
        retry_after = 4.0
    elif code in (4, 80007, 131057):
        retry_after = 60.0
    return GraphError(
        message, code=code, http_status=status, details=details, retry=retry, retry_after_s=retry_after
    )


class GraphApi:
    def __init__(
        self,
        *,
        base_url: str,
        version: str,
        token: str,
        phone_number_id: str,
        timeout_s: float = 15.0,
        media_hosts: list[str] | tuple[str, ...] = ("lookaside.fbsbx.com", "graph.facebook.com"),
    ) -> None:
        self.base = f"{base_url.rstrip('/')}/{version}"
        self.origin = URL(base_url).origin()
        self.media_hosts = frozenset(h.lower().rstrip(".") for h in media_hosts)
        self.token = token
        self.phone_number_id = phone_number_id
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(5.0, timeout_s))
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)  # the token goes per request
        return self._session

    def token_may_go_to(self, url: URL) -> bool:
        """Only the configured Graph API and Meta's media hosts over https ever see the token:
        a webhook (or a compromised relay) naming another host must not collect it (issue 13)."""
        if url.origin() == self.origin:
            return True
        return url.scheme == "https" and (url.host or "").lower().rstrip(".") in self.media_hosts

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _json(self, method: str, url: str, *, sent_if_lost: bool, **kw: Any) -> dict[str, Any]:
        try:
            async with self.session.request(method, url, headers=self._auth(), **kw) as resp:
                try:
                    data = await resp.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    data = None
                if resp.status >= 400 or not isinstance(data, dict):
                    raise error_from_body(resp.status, data)
                return data
        except aiohttp.ClientConnectorError as exc:  # never reached Meta: safe to try again
            raise GraphError(f"cannot connect to the Graph API: {exc}", retry=True) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            if sent_if_lost:
                raise GraphUncertain(f"{type(exc).__name__}: {exc}") from exc
            raise GraphError(f"Graph API call failed: {type(exc).__name__}", retry=True) from exc

    async def send(self, payload: dict[str, Any], phone_number_id: str | None = None) -> str:
        """POST /{pnid}/messages; the wamid Meta accepted it as (not yet delivered)."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
        pnid = phone_number_id or self.phone_number_id
        data = await self._json("POST", f"{self.base}/{pnid}/messages", json=body, sent_if_lost=True)
        messages = data.get("messages")
        if not (
            isinstance(messages, list)
            and messages
            and isinstance(messages[0], dict)
            and messages[0].get("id")
        ):
            raise GraphError("the Graph API accepted the message without giving its id", retry=False)
        return str(messages[0]["id"])

    async def mark_read(self, wamid: str, typing: bool = False, phone_number_id: str | None = None) -> None:
        body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        if typing:
            body["typing_indicator"] = {"type": "text"}
        pnid = phone_number_id or self.phone_number_id
        await self._json("POST", f"{self.base}/{pnid}/messages", json=body, sent_if_lost=False)

    async def upload(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload media (a voice note: ``audio/ogg`` named ``*.ogg`` — Meta goes by the extension)."""
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime_type)
        form.add_field("file", data, filename=filename, content_type=mime_type)
        out = await self._json(
            "POST", f"{self.base}/{self.phone_number_id}/media", data=form, sent_if_lost=False
        )
        if not out.get("id"):
            raise GraphError("media upload answered without an id", retry=True)
        return str(out["id"])

    async def media_info(self, media_id: str) -> MediaInfo:
        data = await self._json(
            "GET",
            f"{self.base}/{media_id}",
            params={"phone_number_id": self.phone_number_id},
            sent_if_lost=False,
        )
        size = data.get("file_size")
        return MediaInfo(
            url=str(data.get("url") or ""),
            mime_type=data.get("mime_type"),
            sha256=data.get("sha256"),
            size=int(str(size)) if str(size or "").isdigit() else None,
        )

    async def download(self, url: str, max_bytes: int) -> tuple[bytes, str | None]:
        """GET a media URL (with the token, only where :meth:`token_may_go_to`; it expires after
        5 minutes). Redirects are followed by hand so the token never follows one elsewhere."""
        target = URL(url)
        for _ in range(4):
            if not self.token_may_go_to(target):
                log.warning("media URL refused host=%s scheme=%s", target.host, target.scheme)
                raise GraphError("media URL is not on an allowed Meta host (https)", retry=False)
            try:
                async with self.session.get(target, headers=self._auth(), allow_redirects=False) as resp:
                    if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                        target = target.join(URL(resp.headers["Location"]))
                        continue
                    return await self._body(resp, max_bytes)
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise GraphError(f"media download failed: {type(exc).__name__}", retry=True) from exc
        raise GraphError("too many redirects for a media URL", retry=False)

    @staticmethod
    async def _body(resp: aiohttp.ClientResponse, max_bytes: int) -> tuple[bytes, str | None]:
        if resp.status >= 400:
            try:
                data = await resp.json(content_type=None)
            except (ValueError, aiohttp.ContentTypeError):
                data = None
            raise error_from_body(resp.status, data)
        if resp.content_length is not None and resp.content_length > max_bytes:
            raise GraphError(f"media of {resp.content_length} bytes is over the cap", retry=False)
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > max_bytes:
                raise GraphError("media is over the size cap", retry=False)
            chunks.append(chunk)
        return b"".join(chunks), resp.headers.get("Content-Type")


async def gather_quietly(*aws: Any) -> None:
    """Run best-effort calls (mark-as-read) without letting their failures escape."""
    for result in await asyncio.gather(*aws, return_exceptions=True):
        if isinstance(result, Exception):
            log.info("best-effort Graph call failed error=%s", type(result).__name__)
