"""E-mail as a channel: mail from the hotel's mailbox into the inbox, replies out by SMTP submission.

In (:meth:`EmailChannel.store_mails`, one transaction per IMAP batch, before the mail is flagged
seen): every mail is logged; a guest's mail becomes an inbox message (unique by Message-ID, so a
re-fetch after an IMAP restart is stored once); auto-replies, lists, OTA notices and our own mail
are stored for staff but marked ``no_reply``; a bounce marks our failed mail "failed" and tells
the front desk. Attachments are kept as files (retention deletes them), never understood.

Out (:meth:`EmailChannel.send`): plain text, threaded (``In-Reply-To``/``References`` of the
guest's latest mail, ``Re:`` subject), our Message-ID carrying the conversation and the outbox
row (so a resend after a crash has the same id and mail clients show it once), ``Auto-Submitted:
auto-replied`` on the bot's mail (RFC 3834) and our loop header on everything; automatic replies
to one sender are rate-limited.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

import aiosmtplib

from hotelbox.channels import SendError, SendResult
from hotelbox.channels.email.authres import authenticated_from
from hotelbox.channels.email.imap import FetchedMail
from hotelbox.channels.email.parse import ParsedMail, parse_mail
from hotelbox.config import EmailSettings
from hotelbox.messages import Inbound
from hotelbox.store import Store, conversations, inbox, mailbox, outbox
from hotelbox.store.database import Conn
from hotelbox.store.inbox import Accepted

log = logging.getLogger(__name__)
CHANNEL = "email"
LOOP_HEADER = "X-Hotelbox-Loop"
NO_REPLY_ATTENTION = {"ota": "ota_notification"}


def sender_hash(address: str) -> str:
    return hashlib.sha256(address.lower().encode()).hexdigest()[:16]


class EmailChannel:
    name = CHANNEL
    idempotent_send = True  # a resend carries the same Message-ID: clients show it once
    accepts_voice = False
    merge_replies = True

    def __init__(
        self, settings: EmailSettings, smtp_secret: str, store: Store, media_dir: Path, box_id: str
    ) -> None:
        self.settings = settings
        self.smtp_secret = smtp_secret  # the SMTP login: its own, or the mailbox's
        self.store = store
        self.media_dir = media_dir / "email"
        self.box_id = box_id
        self.domain = settings.message_id_domain or settings.address.rsplit("@", 1)[-1]
        self.stats: dict[str, int] = {}
        # automatic replies this process has sent (or is sending) per recipient, by outbox id: the
        # sender marks rows "sent" after its pass, so the database alone undercounts a burst
        self._claims: dict[str, dict[int, datetime]] = {}
        self._rate_lock = asyncio.Lock()

    def _count(self, what: str, n: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + n

    # -- in ---------------------------------------------------------------------------------------------
    def parse(self, mail: FetchedMail) -> ParsedMail:
        return parse_mail(
            mail.raw,
            own_addresses={self.settings.address.lower()},
            own_domain=self.domain,
            loop_header=LOOP_HEADER,
        )

    async def store_mails(
        self, folder: str, uidvalidity: int, mails: list[FetchedMail]
    ) -> list[tuple[Inbound, Accepted]]:
        """Store a batch (durable on return: only then is it flagged seen on the server)."""
        self.store.require_space()  # disk nearly full: the mail stays unseen on the server
        parsed = [(m, await asyncio.to_thread(self.parse, m)) for m in mails]
        saved: dict[int, list[dict[str, Any]]] = {}
        for (
            mail,
            p,
        ) in parsed:  # attachments to files first (a crash leaves an orphan file, never a lost mail)
            if p.category == "guest" and p.attachments:
                saved[mail.uid] = await asyncio.to_thread(self._save_attachments, p)

        def op(c: Conn) -> list[tuple[Inbound, Accepted]]:
            out = []
            for mail, p in parsed:
                category = "oversize" if mail.truncated else p.category
                if not mailbox.log_mail(
                    c,
                    folder,
                    uidvalidity,
                    mail.uid,
                    p.message_id,
                    category,
                    p.reason,
                    mail.size,
                    sender_hash(p.sender),
                ):
                    continue  # this very mail was stored before (a re-fetch)
                self._count(category)
                if p.category == "bounce":
                    self._bounced(c, p)
                    continue
                if not p.sender:
                    continue
                inbound = self._inbound(p, mail, saved.get(mail.uid, []))
                out.append((inbound, inbox.accept(c, inbound)))
            if mails:
                mailbox.advance(c, folder, uidvalidity, max(m.uid for m in mails))
            return out

        return await self.store.write(op, label="email.store")

    def _inbound(self, p: ParsedMail, mail: FetchedMail, attachments: list[dict[str, Any]]) -> Inbound:
        payload: dict[str, Any] = {
            "email": {
                "subject": p.subject,
                "message_id": p.message_id,
                "in_reply_to": p.in_reply_to,
                "references": p.references[-20:],
                "category": p.category,
                "html_only": p.html_only,
                # the From address our server proved (DMARC / aligned DKIM), else None (issue 13)
                "authenticated_from": authenticated_from(mail.raw, self.settings.auth_serv_id),
            }
        }
        if attachments:
            payload["attachments"] = attachments
        if mail.truncated:
            payload["no_reply"] = "oversize"
            payload["email"]["truncated_bytes"] = mail.size
        elif p.category != "guest":
            payload["no_reply"] = p.category
            payload["email"]["reason"] = p.reason
        text = p.text or (p.subject if p.category == "guest" and not mail.truncated else None)
        return Inbound(
            channel=CHANNEL,
            channel_message_id=p.message_id,
            sender=p.sender,
            kind="text",
            text=text,
            sent_at=p.date.astimezone(UTC) if p.date and p.date.tzinfo else None,
            display_name=p.display_name,
            payload=payload,
        )

    def _bounced(self, c: Conn, p: ParsedMail) -> None:
        """A bounce: our mail it reports as failed, and the guest's conversation, flagged."""
        for message_id in p.bounced_ids:
            outcome = outbox.apply_status(
                c,
                message_id,
                "failed",
                None,
                errors=[{"code": p.bounce_status or "bounce", "title": "mail bounced"}],
            )
            if outcome.conversation_id is not None:
                conversations.flag_attention(c, outcome.conversation_id, "email_bounced")
                log.warning(
                    "our mail bounced conversation=%d status=%s code=email_bounced",
                    outcome.conversation_id,
                    p.bounce_status,
                )

    def _save_attachments(self, p: ParsedMail) -> list[dict[str, Any]]:
        self.media_dir.mkdir(parents=True, exist_ok=True)
        out = []
        for a in p.attachments[:20]:
            safe = re.sub(r"[^\w.-]", "_", a.filename)[-80:] or "attachment"
            path = self.media_dir / f"{uuid.uuid4().hex[:12]}-{safe}"
            path.write_bytes(a.data)
            out.append(
                {
                    "path": str(path),
                    "filename": a.filename[:200],
                    "content_type": a.content_type,
                    "size": len(a.data),
                }
            )
        return out

    # -- out ----------------------------------------------------------------------------------------------
    async def send(self, item: Any) -> SendResult:
        author = await self.store.read(lambda c: conversations.message_author(c, item.message_id))
        automatic = author is None or author == "bot"
        if automatic:
            await self._check_rate(item.recipient, item.id)
        try:
            return await self._deliver(item, automatic)
        except SendError:
            self._claims.get(item.recipient, {}).pop(item.id, None)
            raise

    async def _deliver(self, item: Any, automatic: bool) -> SendResult:
        last = await self.store.read(
            lambda c: conversations.last_inbound_payload(c, item.conversation_id, CHANNEL)
        )
        guest_mail = last.get("inbound", {}).get("payload", {}).get("email", {}) if last else {}
        message = self.compose(item, guest_mail, automatic)
        s = self.settings
        secret = self.smtp_secret if s.smtp_login else ""

        async def token() -> str:
            return secret

        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                username=(s.smtp_user or s.address) if secret else None,
                password=secret if s.auth == "password" and secret else None,
                oauth_token_generator=token if s.auth == "xoauth2" and secret else None,
                timeout=30,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise SendError(
                f"the server refuses the guest's address: {exc}", retry=False, code="email_refused"
            ) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            log.error("SMTP login refused: operator action needed code=email_auth")
            raise SendError(
                f"SMTP login refused: {exc}", retry=True, code="email_auth", retry_after_s=60
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendError(
                f"SMTP failed: {type(exc).__name__}: {exc}", retry=True, code="email_smtp"
            ) from exc
        self._count("sent")
        return SendResult(str(message["Message-ID"]).strip("<>"))

    def compose(self, item: Any, guest_mail: dict[str, Any], automatic: bool) -> EmailMessage:
        reply = item.reply
        body = reply.text
        if reply.options:  # no buttons in mail: numbered lines the bot understands in the reply
            body += "\n\n" + "\n".join(f"{n}. {o.title}" for n, o in enumerate(reply.options, 1))
        msg = EmailMessage()
        msg["From"] = formataddr((self.settings.display_name, self.settings.address))
        msg["To"] = item.recipient
        subject = str(guest_mail.get("subject") or "").strip()
        msg["Subject"] = (
            subject if subject.lower().startswith("re:") else f"Re: {subject}" if subject else "Re:"
        )
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = f"<hb.{item.conversation_id}.{item.id}@{self.domain}>"
        parent = guest_mail.get("message_id")
        if parent:
            msg["In-Reply-To"] = f"<{parent}>"
            refs = [*guest_mail.get("references", []), parent]
            msg["References"] = " ".join(f"<{r}>" for r in refs[-10:])
        if automatic:
            msg["Auto-Submitted"] = "auto-replied"  # RFC 3834: other responders must not answer it
        msg[LOOP_HEADER] = self.box_id
        msg["Content-Language"] = reply.lang
        msg.set_content(body)
        return msg

    async def _check_rate(self, recipient: str, outbox_id: int) -> None:
        """Automatic replies per sender are capped (a mail bomb or a loop gets staff, not a flood).

        Counted by outbox id over the database's sent rows and this process's claims, under a lock:
        a burst sent in one pass (marked "sent" only after it) cannot slip past the cap."""
        async with self._rate_lock:
            now = datetime.now(UTC)
            day_ago = now - timedelta(days=1)
            since = day_ago.isoformat(timespec="milliseconds")
            sent_at = await self.store.read(lambda c: outbox.bot_sends_since(c, CHANNEL, recipient, since))
            claims = self._claims.setdefault(recipient, {})
            for stale in [k for k, at in claims.items() if at < day_ago]:
                del claims[stale]
            sent = {i: datetime.fromisoformat(at) for i, at in sent_at.items()} | claims
            sent.pop(outbox_id, None)  # a resend of this very row is not another reply
            hour_ago = now - timedelta(hours=1)
            hour = sum(at >= hour_ago for at in sent.values())
            if (
                hour < self.settings.auto_replies_per_sender_per_hour
                and len(sent) < self.settings.auto_replies_per_sender_per_day
            ):
                claims[outbox_id] = now
                return
            self._count("rate_limited")
            raise SendError(
                "too many automatic replies to this sender: staff answer from here",
                retry=False,
                code="email_rate_limited",
                attention="email_rate_limited",
            )
