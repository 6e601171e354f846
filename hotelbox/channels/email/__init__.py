"""E-mail for the box: the hotel's own mailbox (IMAP IDLE) in, SMTP submission out.

``Email.from_settings`` returns None when e-mail is off; the Box starts it with the channels
that live outside the box (``hotelbox run``), after the pipeline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hotelbox.channels.email.email_channel import EmailChannel
from hotelbox.channels.email.imap import FetchedMail, MailboxWatcher
from hotelbox.config import ConfigError, Settings, read_secret
from hotelbox.messages import Inbound
from hotelbox.store import Store, mailbox
from hotelbox.store.inbox import Accepted


class Email:
    def __init__(self, settings: Settings, store: Store, secret: str, smtp_secret: str | None = None) -> None:
        self.settings = settings.email
        self.store = store
        self.secret = secret
        self.channel = EmailChannel(
            settings.email, smtp_secret or secret, store, settings.media_dir, settings.relay_link.box_id
        )
        self.watcher: MailboxWatcher | None = None
        self._on_accepted: Callable[[list[tuple[Inbound, Accepted]]], None] = lambda items: None

    @classmethod
    def from_settings(cls, settings: Settings, store: Store) -> Email | None:
        e = settings.email
        if not e.enabled:
            return None
        secret = read_secret(e.password, e.password_file, "email_password")
        if not secret:
            raise ConfigError(
                "email.enabled is true but no password or token: email.password_file (or the credential email_password)"
            )
        # the submission server may have an account of its own (issue 18): else the mailbox's
        smtp_secret = read_secret(e.smtp_password, e.smtp_password_file, "email_smtp_password")
        return cls(settings, store, secret, smtp_secret)

    async def _deliver(self, folder: str, uidvalidity: int, mails: list[FetchedMail]) -> None:
        accepted = await self.channel.store_mails(folder, uidvalidity, mails)
        self._on_accepted(accepted)

    async def start(self, on_accepted: Callable[[list[tuple[Inbound, Accepted]]], None]) -> None:
        self._on_accepted = on_accepted
        self.watcher = MailboxWatcher(
            self.settings,
            self.secret,
            asyncio.get_running_loop(),
            deliver=self._deliver,
            last_uid=lambda folder, uidvalidity: self.store.read(
                lambda c: mailbox.last_uid(c, folder, uidvalidity)
            ),
        )
        self.watcher.start()

    async def stop(self) -> None:
        if self.watcher is not None:
            await self.watcher.stop()

    def health(self) -> dict[str, Any]:
        w = self.watcher
        return {
            "connected": bool(w and w.connected),
            "connects": w.connects if w else 0,
            "fetched": w.fetched if w else 0,
            "last_error": w.last_error if w else None,
            "mail": dict(self.channel.stats),
        }
