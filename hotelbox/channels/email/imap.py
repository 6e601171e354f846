"""The hotel's mailbox, watched with IMAP IDLE (IMAPClient: BSD-licensed, blocking — so it runs in
a thread of its own and hands mail to the event loop).

After every (re)connect it catches up by UID from the last one stored (IDLE pushes are not
durable), tracking UIDVALIDITY: if the server renumbered the folder, everything is fetched again
and the inbox's unique Message-IDs make the re-fetch harmless. Mail is fetched with
``BODY.PEEK[]`` (not marked seen), handed over, and only once the box has **committed** it is
flagged ``\\Seen`` (or moved to ``processed_folder``) and the UID remembered — in the same
transaction as the mail. IDLE is renewed every ``idle_renew_s``; a dropped connection
reconnects with exponential back-off.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from hotelbox.config import EmailSettings
from hotelbox.errors import Unavailable

log = logging.getLogger(__name__)
BATCH = 20


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    raw: bytes
    size: int
    truncated: bool  # over the size cap: only the headers were fetched


# run_coroutine_threadsafe takes coroutines only (not any awaitable)
Deliver = Callable[[str, int, list[FetchedMail]], Coroutine[Any, Any, None]]
LastUid = Callable[[str, int], Coroutine[Any, Any, int]]
T = TypeVar("T")


class MailboxWatcher:
    def __init__(
        self,
        settings: EmailSettings,
        secret: str,
        loop: asyncio.AbstractEventLoop,
        *,
        deliver: Deliver,
        last_uid: LastUid,
    ) -> None:
        self.settings = settings
        self.secret = secret
        self.loop = loop
        self.deliver = deliver
        self.last_uid = last_uid
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False
        self.connects = 0
        self.fetched = 0
        self.last_error: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="imap-watcher", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 15)

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the box's loop and wait for it (from this thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self._session()
            except Unavailable as exc:  # the box cannot store now (disk): mail waits on the server
                self.last_error = f"{exc.code}: {exc}"[:200]
                log.warning("mailbox watcher paused: box cannot store mail code=%s", exc.code)
            except (IMAPClientError, OSError, ssl.SSLError, TimeoutError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"[:200]
                log.warning("mailbox connection lost error=%s", self.last_error)
            except Exception as exc:  # never let the watcher die: log, count, reconnect
                self.last_error = f"{type(exc).__name__}: {exc}"[:200]
                log.exception("mailbox watcher failed code=imap_failed")
            self.connected = False
            failures = 0 if time.monotonic() - started > 60 else failures + 1
            self._stop.wait(min(self.settings.reconnect_max_s, 0.5 * 2 ** min(failures, 8)))

    # -- one connection ------------------------------------------------------------------------------
    def _connect(self) -> IMAPClient:
        s = self.settings
        context = ssl.create_default_context()
        client = IMAPClient(
            s.imap_host, port=s.imap_port, ssl=s.imap_security == "tls", ssl_context=context, timeout=30
        )
        if s.imap_security == "starttls":
            client.starttls(context)
        if s.auth == "xoauth2":
            client.oauth2_login(s.imap_user or s.address, self.secret)
        else:
            client.login(s.imap_user or s.address, self.secret)
        return client

    def _session(self) -> None:
        client = self._connect()
        clean = False
        try:
            folder = self.settings.imap_folder
            info = client.select_folder(folder)
            uidvalidity = int(info[b"UIDVALIDITY"])
            self.connected = True
            self.connects += 1
            self.last_error = None
            log.info("mailbox connected folder=%s uidvalidity=%d", folder, uidvalidity)
            self._catch_up(client, folder, uidvalidity)
            while not self._stop.is_set():
                client.idle()
                renew_at = time.monotonic() + self.settings.idle_renew_s
                news = self._announced_before_idle(client)
                try:
                    while not self._stop.is_set() and time.monotonic() < renew_at and not news:
                        responses = client.idle_check(timeout=2)
                        if any(r and r[0] == b"BYE" for r in responses):  # the server is going away
                            raise ConnectionResetError("the IMAP server said BYE")
                        news = any(r[1] in (b"EXISTS", b"RECENT") for r in responses if len(r) > 1)
                finally:
                    client.idle_done()
                self._catch_up(client, folder, uidvalidity)  # news, or a renewal: look anyway
            clean = True
        finally:
            self.connected = False
            try:
                if clean:
                    client.logout()
                else:  # a broken connection: close the socket, never wait on a dead server
                    client.shutdown()
            except Exception:  # nothing left to do about a connection that is gone
                log.debug("closing the IMAP connection failed (already gone)")

    @staticmethod
    def _announced_before_idle(client: IMAPClient) -> bool:
        """Did the server announce new mail between our last command and the IDLE continuation?

        A mail appended after the catch-up SEARCH is announced (``* n EXISTS``) with the next
        command's responses — here, while IDLE is being entered. imaplib files such untagged
        responses away and ``idle_check`` never sees them, so the mail would wait for the next
        renewal. Take them as news (at worst one needless SEARCH)."""
        pending = client._imap.untagged_responses  # IMAPClient has no public accessor for these
        announced = False
        for kind in ("EXISTS", "RECENT"):
            announced |= pending.pop(kind, None) is not None
        return announced

    def _catch_up(self, client: IMAPClient, folder: str, uidvalidity: int) -> None:
        last = int(self._call(self.last_uid(folder, uidvalidity)))
        uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
        for i in range(0, len(uids), BATCH):
            chunk = uids[i : i + BATCH]
            sizes = client.fetch(chunk, ["RFC822.SIZE"])
            small = [
                u
                for u in chunk
                if int(sizes.get(u, {}).get(b"RFC822.SIZE", 0)) <= self.settings.max_message_bytes
            ]
            big = [u for u in chunk if u not in small]
            mails: list[FetchedMail] = []
            if small:
                for uid, data in client.fetch(small, ["BODY.PEEK[]"]).items():
                    raw = data.get(b"BODY[]") or b""
                    mails.append(FetchedMail(uid, raw, len(raw), False))
            if big:
                for uid, data in client.fetch(big, ["BODY.PEEK[HEADER]"]).items():
                    size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
                    mails.append(FetchedMail(uid, data.get(b"BODY[HEADER]") or b"", size, True))
            mails.sort(key=lambda m: m.uid)
            self._call(self.deliver(folder, uidvalidity, mails))  # returns once committed
            self.fetched += len(mails)
            if self.settings.processed_folder:
                client.move(chunk, self.settings.processed_folder)
            else:
                client.add_flags(chunk, [b"\\Seen"])
