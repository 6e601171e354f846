"""Raw mail → what the box needs: who wrote, what they wrote (without quotes and signatures),
how it threads, and whether a bot may answer it at all.

A bot must never answer auto-replies, bounces, mailing lists, OTA notifications or its own mail
(RFC 3834, https://www.rfc-editor.org/rfc/rfc3834): :func:`classify` says which a mail is, from
its headers. Bodies: text/plain preferred, HTML turned into text (BeautifulSoup), any charset
(a wrong one is decoded with replacement, never an exception), quoted history and signatures
cut (the "On/El/Em … wrote/escribió/escreveu:" line, then mail-parser-reply for the rest of its
English and Spanish patterns: forwarded-header blocks, disclaimers).
"""

from __future__ import annotations

import email
import email.header
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from bs4 import BeautifulSoup
from mailparser_reply import EmailReplyParser

AUTO_SUBJECTS = re.compile(
    r"^(automatic reply|auto(?:matic)?[- ]?reply|out of (?:the )?office|respuesta autom[aá]tica|"
    r"fuera de la oficina|resposta autom[aá]tica|aus(?:wesenheit|er haus)|r[ée]ponse automatique|vacation)",
    re.IGNORECASE,
)
OTA_DOMAINS = (
    "booking.com",
    "expedia.com",
    "airbnb.com",
    "hotels.com",
    "agoda.com",
    "trivago.com",
    "tripadvisor.com",
)
QUOTE_PT = re.compile(r"^\s*(?:Em|No dia|El|On)\s.+\s(?:escreveu|escribió|wrote):\s*$", re.MULTILINE)
QUOTE_GENERIC = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original Message|Mensaje original|Mensagem original)\s*-{2,}|_{10,})\s*$",
    re.MULTILINE | re.IGNORECASE,
)
SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
SENT_FROM = re.compile(
    r"^\s*(?:Sent from my|Enviado desde mi|Enviado do meu|Obtener Outlook|Get Outlook)\b.*$",
    re.MULTILINE | re.IGNORECASE,
)
REPLY_PARSER = EmailReplyParser(languages=["en", "es"])
MAX_TEXT = 20_000


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str  # normalised, without <>
    sender: str  # lower-cased address
    display_name: str | None
    subject: str
    text: str  # what the guest wrote this time
    in_reply_to: list[str]
    references: list[str]
    date: Any  # datetime | None
    category: str  # guest | auto_reply | bounce | list | ota | own
    reason: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    html_only: bool = False
    bounced_ids: list[str] = field(default_factory=list)  # bounces: our Message-IDs that failed
    bounce_status: str = ""
    size: int = 0


def ids(value: str | None) -> list[str]:
    return [i.strip() for i in re.findall(r"<([^<>\s]+)>", value or "")]


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name: decode as UTF-8 with replacements, then latin-1
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("latin-1", errors="replace")


def html_to_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    for quote in soup.find_all("blockquote"):  # quoted history in HTML mail
        quote.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    text = soup.get_text("\n")
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def latest_reply(text: str) -> str:
    """What the guest wrote this time: no quoted history, no signature, no 'Sent from my phone'."""
    text = text.replace("\r\n", "\n")
    for pattern in (QUOTE_PT, QUOTE_GENERIC, SIGNATURE):
        match = pattern.search(text)
        if match:
            text = text[: match.start()]
    lines = [ln for ln in text.split("\n") if not ln.lstrip().startswith(">")]
    text = "\n".join(lines)
    try:
        reply = REPLY_PARSER.parse_reply(text)
    except Exception:  # a library failure must not lose the guest's mail: keep the text as is
        reply = None
    text = reply if reply and reply.strip() else text
    text = SENT_FROM.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:MAX_TEXT]


def classify(msg: Message, own_addresses: set[str], own_domain: str, loop_header: str) -> tuple[str, str]:
    """(category, reason). Anything but "guest" is stored and shown to staff, never auto-answered."""
    h = {k.lower(): str(v) for k, v in msg.items()}
    sender = parseaddr(h.get("from", ""))[1].lower()
    if h.get(loop_header.lower()):
        return "own", f"{loop_header} header"
    if sender in own_addresses or (
        own_domain and sender.endswith("@" + own_domain) and sender in own_addresses
    ):
        return "own", "from our own address"
    ctype = msg.get_content_type()
    report = str(msg.get_param("report-type") or "").lower()
    if (
        (ctype == "multipart/report" and report == "delivery-status")
        or "x-failed-recipients" in h
        or re.match(r"^(mailer-daemon|postmaster)@", sender)
        or h.get("return-path", "").strip() == "<>"
    ):
        return "bounce", "delivery status notification"
    auto = h.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return "auto_reply", f"Auto-Submitted: {auto}"
    if h.get("x-autoreply", "").lower() == "yes" or "x-autorespond" in h or "x-auto-response-suppress" in h:
        return "auto_reply", "auto-responder header"
    precedence = h.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return ("list" if precedence in ("bulk", "list") else "auto_reply"), f"Precedence: {precedence}"
    if "list-id" in h or "list-unsubscribe" in h:
        return "list", "mailing list headers"
    if AUTO_SUBJECTS.match(str(msg.get("subject", "")).strip()):
        return "auto_reply", "out-of-office subject"
    domain = sender.rsplit("@", 1)[-1]
    if any(domain == d or domain.endswith("." + d) for d in OTA_DOMAINS):
        return "ota", f"OTA notification from {domain}"
    return "guest", ""


def _bounce_details(msg: Message) -> tuple[list[str], str]:
    """Our Message-IDs a DSN reports as failed, and its Status."""
    failed: list[str] = []
    status = ""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            text = (
                _decode_part(part)
                if not part.is_multipart()
                else "\n".join(str(p) for p in part.get_payload())
            )
            m = re.search(r"^Status:\s*([\d.]+)", text, re.MULTILINE)
            status = m.group(1) if m else status
        elif ctype in ("message/rfc822", "text/rfc822-headers"):
            raw = part.get_payload()
            text = str(raw[0]) if isinstance(raw, list) and raw else _decode_part(part)
            found = re.search(r"^Message-ID:\s*(.+)$", text, re.MULTILINE | re.IGNORECASE)
            if found:
                failed += ids(found.group(1))
    if not failed:  # some servers only quote our id in In-Reply-To/References of the bounce
        failed = ids(str(msg.get("In-Reply-To", ""))) + ids(str(msg.get("References", "")))
    return failed, status


def parse_mail(raw: bytes, *, own_addresses: set[str], own_domain: str, loop_header: str) -> ParsedMail:
    """Never raises on a mail's content: malformed MIME still gives sender, ids and some text."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    message_id = (ids(str(msg.get("Message-ID", ""))) or [""])[0]
    if not message_id:  # no id: the bytes are the identity (a refetch finds the same one)
        message_id = "sha256-" + hashlib.sha256(raw).hexdigest()[:32]
    name, sender = parseaddr(str(msg.get("Reply-To") or msg.get("From") or ""))
    from_name, from_addr = parseaddr(str(msg.get("From") or ""))
    category, reason = classify(msg, own_addresses, own_domain, loop_header)
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        ctype = part.get_content_type()
        if disposition == "attachment" or (part.get_filename() and ctype not in ("text/plain", "text/html")):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                attachments.append(Attachment(part.get_filename() or "attachment", ctype, data))
            continue
        if ctype == "text/plain":
            plain.append(_decode_part(part))
        elif ctype == "text/html":
            html.append(_decode_part(part))
    body = "\n".join(plain).strip()
    html_only = not body and bool(html)
    if html_only:
        body = html_to_text("\n".join(html))
    subject = _header_text(msg.get("Subject"))
    try:
        date = parsedate_to_datetime(str(msg.get("Date"))) if msg.get("Date") else None
    except (TypeError, ValueError, IndexError):
        date = None
    parsed = ParsedMail(
        message_id=message_id,
        sender=(sender or from_addr).lower(),
        display_name=_header_text(name or from_name) or None,
        subject=subject,
        text=latest_reply(body) if body else "",
        in_reply_to=ids(str(msg.get("In-Reply-To", ""))),
        references=ids(str(msg.get("References", ""))),
        date=date,
        category=category,
        reason=reason,
        attachments=attachments,
        html_only=html_only,
        size=len(raw),
    )
    if category == "bounce":
        parsed.bounced_ids, parsed.bounce_status = _bounce_details(msg)
    return parsed


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        parts = email.header.decode_header(str(value))
    except Exception:  # a broken encoded-word: show it raw
        return str(value)[:300]
    out = []
    for text, charset in parts:
        if isinstance(text, bytes):
            try:
                out.append(text.decode(charset or "utf-8", errors="replace"))
            except LookupError:
                out.append(text.decode("latin-1", errors="replace"))
        else:
            out.append(text)
    return " ".join("".join(out).split())[:300]


def recipients(msg: EmailMessage) -> list[str]:
    return [a.lower() for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))]
