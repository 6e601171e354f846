"""WhatsApp Cloud API webhook bodies → the pipeline's message model.

Tolerant by design (Meta's webhook reference, https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components): every ``entry[] × changes[]`` is
walked, unknown keys are ignored, optional ones may be missing, and a part that cannot be read
becomes a :class:`WebhookProblem` instead of an exception — one odd message never hides the
others in the same body. Guests are keyed by business number + BSUID (``user_id``), the phone
(``wa_id``/``from``) being an optional attribute: username users have none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args

from hotelbox.messages import Inbound, InboundKind

CHANNEL = "whatsapp"
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4}
MEDIA_TYPES = ("audio", "image", "video", "document", "sticker")
KNOWN_KINDS: dict[str, InboundKind] = {kind: kind for kind in get_args(InboundKind)}


@dataclass(frozen=True)
class DeliveryStatus:
    """Meta's news about a message we sent."""

    phone_number_id: str
    wamid: str
    status: str  # sent | delivered | read | played | failed
    at: datetime | None
    recipient: str | None  # phone digits or BSUID
    callback: str | None  # biz_opaque_callback_data: our outbox id
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return STATUS_RANK.get(self.status, 0)


@dataclass(frozen=True)
class IdentityChange:
    """A guest's identity moved: new phone number, new BSUID, or a new device key."""

    phone_number_id: str
    kind: str  # user_changed_number | user_changed_user_id | customer_identity_changed | user_id_update
    old_address: str | None
    new_address: str | None
    new_phone: str | None
    key: str  # idempotency key


@dataclass(frozen=True)
class WebhookProblem:
    """Something in the body the box could not use (kept with the raw event, counted)."""

    code: str
    detail: str


@dataclass
class ParsedWebhook:
    messages: list[Inbound] = field(default_factory=list)
    statuses: list[DeliveryStatus] = field(default_factory=list)
    identity_changes: list[IdentityChange] = field(default_factory=list)
    problems: list[WebhookProblem] = field(default_factory=list)
    other_fields: list[str] = field(default_factory=list)  # account_update, template status…


def address(phone_number_id: str, user_id: str | None, wa_id: str | None) -> str | None:
    """The guest's channel address: ``<pnid>:<BSUID>``, or ``<pnid>:+<phone>`` for old payloads."""
    if user_id:
        return f"{phone_number_id}:{user_id}"
    if wa_id:
        return f"{phone_number_id}:+{wa_id}"
    return None


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else (str(value) if isinstance(value, int) else None)


def parse_body(body: bytes) -> ParsedWebhook:
    """Parse a raw webhook body; raises ValueError only when it is not a JSON object at all."""
    try:
        data = json.loads(body)
    except RecursionError as exc:  # nested deeper than the parser's stack
        raise ValueError("webhook body is nested too deeply") from exc
    if not isinstance(data, dict):
        raise ValueError("webhook body is not a JSON object")
    return parse(data)


def parse(data: dict[str, Any]) -> ParsedWebhook:
    out = ParsedWebhook()
    if data.get("object") not in (None, "whatsapp_business_account"):
        out.problems.append(WebhookProblem("unknown_object", str(data.get("object"))[:60]))
    for entry in _list(data.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            value = _dict(change.get("value"))
            fieldname = change.get("field")
            if fieldname == "user_id_update":
                _user_id_update(value, out)
            elif fieldname != "messages":
                out.other_fields.append(str(fieldname)[:60])
            else:
                _messages_value(value, out)
    return out


def _messages_value(value: dict[str, Any], out: ParsedWebhook) -> None:
    pnid = _str(_dict(value.get("metadata")).get("phone_number_id"))
    if pnid is None:
        out.problems.append(WebhookProblem("no_phone_number_id", "messages change without metadata"))
        return
    contacts = [_dict(c) for c in _list(value.get("contacts"))]
    for error in _list(value.get("errors")):
        e = _dict(error)
        out.problems.append(
            WebhookProblem(f"meta_{e.get('code')}", str(e.get("title") or e.get("message"))[:200])
        )
    for raw in _list(value.get("messages")):
        try:
            _message(pnid, _dict(raw), contacts, out)
        except (TypeError, ValueError, KeyError) as exc:  # one bad message, the others still count
            out.problems.append(WebhookProblem("bad_message", f"{type(exc).__name__}: {exc}"[:200]))
    for raw in _list(value.get("statuses")):
        s = _dict(raw)
        wamid, status = _str(s.get("id")), _str(s.get("status"))
        if not wamid or not status:
            out.problems.append(WebhookProblem("bad_status", "status without id or status"))
            continue
        out.statuses.append(
            DeliveryStatus(
                phone_number_id=pnid,
                wamid=wamid,
                status=status,
                at=_when(s.get("timestamp")),
                recipient=_str(s.get("recipient_id")) or _str(s.get("recipient_user_id")),
                callback=_str(s.get("biz_opaque_callback_data")),
                errors=[_dict(e) for e in _list(s.get("errors"))],
            )
        )


def _contact_for(contacts: list[dict[str, Any]], wa_id: str | None, user_id: str | None) -> dict[str, Any]:
    for c in contacts:
        if (wa_id and c.get("wa_id") == wa_id) or (user_id and c.get("user_id") == user_id):
            return c
    return contacts[0] if len(contacts) == 1 else {}


def _message(pnid: str, m: dict[str, Any], contacts: list[dict[str, Any]], out: ParsedWebhook) -> None:
    wamid = _str(m.get("id"))
    if not wamid:
        out.problems.append(WebhookProblem("bad_message", "message without id"))
        return
    wa_id = _str(m.get("from"))
    user_id = _str(m.get("from_user_id"))
    contact = _contact_for(contacts, wa_id, user_id)
    wa_id = wa_id or _str(contact.get("wa_id"))
    user_id = user_id or _str(contact.get("user_id"))
    kind = _str(m.get("type")) or "unsupported"
    if kind == "system":
        _system(pnid, wamid, m, wa_id, user_id, out)
        return
    sender = address(pnid, user_id, wa_id)
    if sender is None:
        out.problems.append(WebhookProblem("no_sender", f"message {wamid[:40]} has neither from nor user_id"))
        return
    text, choice, payload = _content(kind, m)
    context = _dict(m.get("context"))
    payload.update(
        {
            "phone_number_id": pnid,
            "wamid": wamid,
            "user_id": user_id,
            "username": _str(_dict(contact.get("profile")).get("username")),
        }
    )
    for key in ("forwarded", "frequently_forwarded"):
        if context.get(key):
            payload[key] = True
    if m.get("referral"):
        payload["referral"] = _dict(m.get("referral"))
    if m.get("errors"):
        payload["errors"] = [_dict(e) for e in _list(m.get("errors"))]
    message_key = f"{pnid}:{wamid}"
    if kind == "reaction":  # Meta reuses a reaction's wamid: the emoji and time tell events apart
        message_key += f":{payload['reaction'].get('emoji') or '-'}:{m.get('timestamp')}"
    out.messages.append(
        Inbound(
            channel=CHANNEL,
            channel_message_id=message_key,
            sender=sender,
            kind=KNOWN_KINDS.get(kind, "unsupported"),
            text=text,
            sent_at=_when(m.get("timestamp")),
            display_name=_str(_dict(contact.get("profile")).get("name")),
            phone=f"+{wa_id}" if wa_id and wa_id.isdigit() else None,
            reply_to=_str(context.get("id")),
            choice=choice,
            payload=payload,
        )
    )


def _content(kind: str, m: dict[str, Any]) -> tuple[str | None, str | None, dict[str, Any]]:
    """(text to understand, the id of a choice the guest picked, channel specifics)."""
    body = _dict(m.get(kind))
    if kind == "text":
        return _str(body.get("body")), None, {}
    if kind in MEDIA_TYPES:
        media = {
            k: body.get(k)
            for k in ("id", "mime_type", "sha256", "url", "voice", "filename", "animated")
            if k in body
        }
        return _str(body.get("caption")), None, {"media": media}
    if kind == "location":
        loc = {k: body.get(k) for k in ("latitude", "longitude", "name", "address", "url") if k in body}
        return None, None, {"location": loc}
    if kind == "interactive":
        itype = _str(body.get("type"))
        reply = _dict(body.get(itype or "")) if itype else {}
        if not reply:
            return None, None, {"interactive": {"type": itype, "missing": True}}
        return _str(reply.get("title")), _str(reply.get("id")), {"interactive": {"type": itype, **reply}}
    if kind == "button":
        return _str(body.get("text")), _str(body.get("payload")), {"button": body}
    if kind == "reaction":
        return (
            None,
            None,
            {"reaction": {"message_id": body.get("message_id"), "emoji": body.get("emoji") or None}},
        )
    if kind == "contacts":
        return None, None, {"contacts": _list(m.get("contacts"))[:5]}
    if kind == "unsupported":
        return None, None, {"unsupported_type": _str(body.get("type"))}
    return None, None, {"original_type": kind}


def _system(
    pnid: str, wamid: str, m: dict[str, Any], wa_id: str | None, user_id: str | None, out: ParsedWebhook
) -> None:
    system = _dict(m.get("system"))
    kind = _str(system.get("type")) or "unknown"
    old = address(pnid, user_id, wa_id)
    new_phone = _str(system.get("wa_id"))
    new_user = _str(system.get("user_id")) or _str(_dict(system.get("user_id_update")).get("current"))
    if kind == "user_changed_number":
        new = address(pnid, user_id, new_phone) if not user_id else old
    elif kind == "user_changed_user_id":
        new = address(pnid, new_user, None)
    else:
        new = old
    out.identity_changes.append(
        IdentityChange(
            phone_number_id=pnid,
            kind=kind,
            old_address=old,
            new_address=new,
            new_phone=f"+{new_phone}" if new_phone and new_phone.isdigit() else None,
            key=f"{pnid}:{wamid}",
        )
    )


def _user_id_update(value: dict[str, Any], out: ParsedWebhook) -> None:
    pnid = _str(_dict(value.get("metadata")).get("phone_number_id"))
    update = _dict(value.get("user_id")) or _dict(value.get("user_id_update"))
    previous, current = _str(update.get("previous")), _str(update.get("current"))
    if not pnid or not previous or not current:
        out.problems.append(WebhookProblem("bad_user_id_update", "missing phone number id or user ids"))
        return
    out.identity_changes.append(
        IdentityChange(
            phone_number_id=pnid,
            kind="user_id_update",
            old_address=address(pnid, previous, None),
            new_address=address(pnid, current, None),
            new_phone=None,
            key=f"{pnid}:{previous}>{current}",
        )
    )
