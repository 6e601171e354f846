"""Real mail servers on 127.0.0.1 for the e-mail tests: Dovecot (Debian's dovecot-imapd) as the
hotel's mailbox, started by the test with its own config and state directory, and an aiosmtpd
SMTP server that receives what the box sends."""

from __future__ import annotations

import email
import email.policy
import email.utils
import imaplib
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "hotel@example.test"
PASSWORD = "mailbox-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dovecot:
    def __init__(self, directory: Path | None = None) -> None:
        # mail processes run as nobody: the whole path to the maildirs must be traversable by it
        # (pytest's tmp_path lives under a 0700 directory), so the server gets a /tmp dir of its own
        self.dir = directory or Path(tempfile.mkdtemp(prefix="hotelbox-dovecot-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        self.conf = self.dir / "dovecot.conf"

    def write_config(self) -> None:
        d = self.dir
        for sub in ("run", "state", "home"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        (d / "home").chmod(0o777)
        (d / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.conf.write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )

    def start(self) -> None:
        assert shutil.which("dovecot"), "dovecot is missing (.ci/run installs dovecot-imapd)"
        if not self.conf.exists():
            self.write_config()
        subprocess.run(["dovecot", "-c", str(self.conf)], check=True, timeout=30)
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self) -> None:
        subprocess.run(
            ["doveadm", "-c", str(self.conf), "stop"], check=False, timeout=30, capture_output=True
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.1)
            except OSError:
                return

    def imap(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, message: EmailMessage | bytes, folder: str = "INBOX") -> None:
        """What the hotel's mail server does when a guest writes: the mail lands in the mailbox."""
        raw = message if isinstance(message, bytes) else message.as_bytes()
        client = self.imap()
        try:
            client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
        finally:
            client.logout()

    def seen(self, folder: str = "INBOX") -> tuple[int, int]:
        """(messages, of which \\Seen)."""
        client = self.imap()
        try:
            client.select(folder)
            _, all_ids = client.search(None, "ALL")
            _, seen_ids = client.search(None, "SEEN")
            return len(all_ids[0].split()), len(seen_ids[0].split())
        finally:
            client.logout()


@dataclass
class Sink:
    """The hotel's SMTP submission server: keeps what the box sends."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    """``password`` set: AUTH is required (over plain text, loopback only) and only
    ``USER``/``password`` is accepted; every attempt is kept in ``logins``."""

    def __init__(self, password: str | None = None) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.password = password
        self.logins: list[tuple[str, bool]] = []
        auth: dict[str, Any] = (
            {"auth_required": True, "auth_require_tls": False, "authenticator": self._authenticate}
            if password is not None
            else {}
        )
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **auth)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USER
            and auth_data.password.decode() == self.password
        )
        self.logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sink.messages if address in str(m["To"])]


def guest_mail(
    sender: str,
    text: str,
    *,
    subject: str = "Reserva",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = USER
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain="guest.example")
    msg["Date"] = email.utils.formatdate(localtime=True)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for k, v in (headers or {}).items():
        msg[k] = v
    if html is not None and not text:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
    return msg
