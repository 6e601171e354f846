"""What the front desk reads and does: the inbox, a conversation's transcript, taking over and
handing back, staff replies, bookings that need a person, the hotel's edited answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hotelbox.errors import HotelboxError
from hotelbox.messages import Reply
from hotelbox.store import audit, conversations, outbox
from hotelbox.store.database import AConn, Conn, fetchall, fetchone, one, utcnow

ATTENTION_BOOKING = ("failed", "needs_human")
# the address our latest failed mail went to: what "e-mail bounced" is about (issue 18)
BOUNCED = (
    "(SELECT o.recipient FROM outbox o WHERE o.conversation_id = c.id AND o.channel = 'email'"
    " AND o.status = 'failed' ORDER BY o.id DESC LIMIT 1)"
)


class HeldByColleague(HotelboxError):
    """Another receptionist holds this conversation: taking it needs their colleague's say-so."""

    code = "held_by_colleague"
    http_status = 409

    def __init__(self, holder: str) -> None:
        super().__init__(f"held by {holder}")
        self.holder = holder


# a conversation needs a person: handed to staff and not taken yet, a reason to look, a booking
# that failed, or a staff-held one where the guest wrote after staff's last reply
LAST_STAFF = (
    "max(c.answered_upto, (SELECT coalesce(max(s.id), 0) FROM messages s WHERE s.conversation_id = c.id"
    " AND s.author LIKE 'staff:%'))"
)
STAFF_WAITING = (
    "(SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'"
    f" AND m.id > {LAST_STAFF})"
)
FAILED_BOOKINGS = (
    "(SELECT count(*) FROM bookings b WHERE b.conversation_id = c.id"
    " AND b.status IN ('failed', 'needs_human') AND b.handled_at IS NULL)"
)
NEEDS = (
    f"(c.control = 'waiting_staff' OR c.attention IS NOT NULL OR {FAILED_BOOKINGS} > 0"
    f" OR (c.control = 'staff' AND {STAFF_WAITING} IS NOT NULL))"
)
FILTERS = ("all", "attention", "mine")


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def inbox_list(
    conn: AConn,
    *,
    attention_only: bool = False,
    mine: str | None = None,
    search: str = "",
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Conversations needing a person first, then newest first, with what staff need at a glance.
    ``mine`` is a staff actor (only what they hold); ``search`` looks in the guest's name, phone,
    address and e-mail, every message's text and the booking references."""
    where: list[str] = []
    params: dict[str, Any] = {"limit": limit, "mine": mine}
    if attention_only:
        where.append(NEEDS)
    if mine:
        where.append("c.control = 'staff' AND c.held_by = :mine")
    term = search.strip()
    if term:
        params["q"] = _like(term)
        digits = "".join(ch for ch in term if ch.isdigit())
        params["d"] = f"%{digits}%"
        phone = (
            " OR replace(i.phone, ' ', '') LIKE :d OR replace(g.phone, ' ', '') LIKE :d"
            if len(digits) >= 3
            else ""
        )
        where.append(
            "(g.name LIKE :q ESCAPE '\\' OR i.display_name LIKE :q ESCAPE '\\' OR i.address LIKE :q ESCAPE '\\'"
            " OR g.email LIKE :q ESCAPE '\\' OR i.phone LIKE :q ESCAPE '\\' OR g.phone LIKE :q ESCAPE '\\'"
            f"{phone}"
            " OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.text LIKE :q ESCAPE '\\')"
            " OR EXISTS (SELECT 1 FROM bookings b WHERE b.conversation_id = c.id"
            " AND b.pms_reference LIKE :q ESCAPE '\\'))"
        )
    rows = await fetchall(
        conn,
        f"""
        SELECT c.id, c.channel, c.language, c.control, c.attention, c.last_message_at, c.guest_sent_at, c.held_by,
               c.attention_since, {STAFF_WAITING} AS staff_waiting_since, {NEEDS} AS needs,
               {FAILED_BOOKINGS} AS failed_bookings,
               i.display_name, i.phone AS identity_phone, g.name AS guest_name, g.phone AS guest_phone,
               i.address, {BOUNCED} AS bounced_address,
               (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'
                  AND m.id > c.staff_read_upto) AS unread,
               (SELECT coalesce(m.text, '') FROM messages m WHERE m.conversation_id = c.id
                  ORDER BY m.id DESC LIMIT 1) AS last_text,
               (SELECT count(*) FROM bookings b WHERE b.conversation_id = c.id
                  AND b.status IN ('failed', 'needs_human', 'pending') AND b.handled_at IS NULL) AS open_bookings
        FROM conversations c
        JOIN guest_identities i ON i.id = c.identity_id
        JOIN guests g ON g.id = c.guest_id
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY needs DESC, c.last_message_at DESC NULLS LAST, c.id DESC
        LIMIT :limit
        """,
        params,
    )
    return [_summary(r) for r in rows]


async def inbox_counts(conn: AConn, actor: str) -> dict[str, int]:
    """How many need a person, and how many the given receptionist holds."""
    row = await fetchone(
        conn,
        f"SELECT coalesce(sum({NEEDS}), 0) AS attention,"
        " coalesce(sum(c.control = 'staff' AND c.held_by = ?), 0) AS mine FROM conversations c",
        (actor,),
    )
    return {"attention": int(row["attention"]) if row else 0, "mine": int(row["mine"]) if row else 0}


async def alerts(conn: AConn, limit: int = 200) -> list[dict[str, Any]]:
    """What staff must be told about, each with a key that changes only when there is news: a
    conversation handed to staff or with a new reason to look (a complaint…), a booking that failed,
    a guest writing in a conversation staff hold. The page rings for keys it has not seen."""
    rows = await fetchall(
        conn,
        f"""
        SELECT c.id, c.control, c.attention, c.attention_since, c.held_by,
               coalesce(g.name, i.display_name, i.phone, g.phone, i.address) AS guest,
               {STAFF_WAITING} AS staff_waiting_since,
               (SELECT max(m.id) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in') AS last_in
        FROM conversations c JOIN guest_identities i ON i.id = c.identity_id JOIN guests g ON g.id = c.guest_id
        WHERE c.control != 'bot' OR c.attention IS NOT NULL
        ORDER BY c.id DESC LIMIT ?
        """,
        (limit,),
    )
    items: list[dict[str, Any]] = []
    for r in rows:
        base = {"conversation_id": r["id"], "guest": r["guest"] or "—", "held_by": r["held_by"]}
        if r["control"] == "staff" and r["staff_waiting_since"]:
            items.append({**base, "kind": "guest_wrote", "key": f"guest:{r['id']}:{r['last_in']}"})
        if r["attention"] or r["control"] == "waiting_staff":
            kind = r["attention"] if r["attention"] in ("complaint", "booking_failed") else "handoff"
            items.append(
                {
                    **base,
                    "kind": kind,
                    "attention": r["attention"],
                    "key": f"{kind}:{r['id']}:{r['attention_since']}",
                }
            )
    bookings = await fetchall(
        conn,
        "SELECT b.id, b.status, b.conversation_id, b.guest_name FROM bookings b"
        " WHERE b.status IN ('failed', 'needs_human') AND b.handled_at IS NULL ORDER BY b.id DESC LIMIT ?",
        (limit,),
    )
    for b in bookings:
        items.append(
            {
                "conversation_id": b["conversation_id"],
                "guest": b["guest_name"] or "—",
                "held_by": None,
                "kind": "booking_failed",
                "key": f"booking:{b['id']}:{b['status']}",
            }
        )
    return items


def _summary(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"],
        "channel": r["channel"],
        "language": r["language"],
        "control": r["control"],
        "attention": r["attention"],
        "held_by": r["held_by"] if r["control"] == "staff" else None,
        "guest": r["guest_name"] or r["display_name"] or r["identity_phone"] or r["guest_phone"] or "—",
        "phone": r["identity_phone"] or r["guest_phone"],
        # how staff reach the guest (masked only in logs): the e-mail address, else the number
        "address": r["address"] if r["channel"] == "email" else r["identity_phone"] or r["guest_phone"],
        "bounced_address": r["bounced_address"] if r["attention"] == "email_bounced" else None,
        "unread": r["unread"],
        "last_text": (r["last_text"] or "")[:140],
        "last_message_at": r["last_message_at"],
        "window": window(r["channel"], r["guest_sent_at"]),
        "needs": bool(r["needs"]),
        # since when a person has been awaited (None when nobody is)
        "waiting_since": (r["staff_waiting_since"] if r["control"] == "staff" else r["attention_since"])
        if r["needs"]
        else None,
        "failed_bookings": r["failed_bookings"],
        "open_bookings": r["open_bookings"],
    }


def window(channel: str, guest_sent_at: str | None) -> dict[str, Any] | None:
    """WhatsApp's 24-hour customer-service window, as staff need to see it."""
    if channel != "whatsapp":
        return None
    if not guest_sent_at:
        return {"open": False, "closes_at": None}
    closes = datetime.fromisoformat(guest_sent_at) + timedelta(hours=24)
    return {"open": datetime.now(UTC) < closes, "closes_at": closes.isoformat(timespec="seconds")}


async def conversation_detail(conn: AConn, conversation_id: int) -> dict[str, Any] | None:
    row = await fetchone(
        conn,
        """
        SELECT c.*, i.display_name, i.phone AS identity_phone, i.address, g.name AS guest_name,
               {BOUNCED} AS bounced_address, {STAFF_WAITING} AS staff_waiting_since, {NEEDS} AS needs,
               {FAILED_BOOKINGS} AS failed_bookings,
               g.phone AS guest_phone, g.email AS guest_email, g.id AS gid,
               (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'
                  AND m.id > c.staff_read_upto) AS unread, '' AS last_text, 0 AS open_bookings
        FROM conversations c JOIN guest_identities i ON i.id = c.identity_id JOIN guests g ON g.id = c.guest_id
        WHERE c.id = ?
        """.replace("{BOUNCED}", BOUNCED)
        .replace("{STAFF_WAITING}", STAFF_WAITING)
        .replace("{NEEDS}", NEEDS)
        .replace("{FAILED_BOOKINGS}", FAILED_BOOKINGS),
        (conversation_id,),
    )
    if row is None:
        return None
    detail = _summary(row)
    detail["guest_id"] = row["gid"]
    detail["email"] = row["guest_email"]
    messages = await fetchall(
        conn,
        "SELECT m.id, m.direction, m.author, m.kind, m.text, m.payload, m.created_at, m.language,"
        " o.status AS send_status, o.delivery, o.last_error, d.status AS media_status"
        " FROM messages m LEFT JOIN outbox o ON o.message_id = m.id LEFT JOIN media d ON d.message_id = m.id"
        " WHERE m.conversation_id = ? ORDER BY m.id DESC LIMIT 500",
        (conversation_id,),
    )
    detail["messages"] = [_message(m) for m in reversed(messages)]
    bookings = await fetchall(
        conn,
        "SELECT b.*, (SELECT o.last_error FROM pms_outbox o WHERE o.booking_id = b.id ORDER BY o.id DESC LIMIT 1)"
        " AS last_error FROM bookings b WHERE b.conversation_id = ? ORDER BY b.id DESC",
        (conversation_id,),
    )
    detail["bookings"] = [booking_card(b) for b in bookings]
    return detail


def _message(m: Any) -> dict[str, Any]:
    payload = json.loads(m["payload"] or "{}")
    reply = payload.get("reply") or {}
    transcript = payload.get("transcript") or {}
    understanding = payload.get("understanding") or {}
    audio = m["kind"] == "audio" or bool(reply.get("audio"))
    return {
        "id": m["id"],
        "direction": m["direction"],
        "author": m["author"],
        "kind": "audio" if reply.get("audio") else m["kind"],
        "text": m["text"],
        "at": m["created_at"],
        "language": m["language"],
        "options": reply.get("options", []),
        "audio": audio and m["media_status"] != "failed",
        "transcript": transcript.get("text"),
        "voice_problem": transcript.get("problem"),
        "intent": understanding.get("intent"),
        "send_status": m["send_status"],
        "delivery": m["delivery"],
        "error": m["last_error"],
    }


def booking_card(b: Any) -> dict[str, Any]:
    keys = ("id", "conversation_id", "pms_reference", "status", "check_in", "check_out", "adults", "children",
            "room_type", "total_price", "currency", "guest_name", "handled_at", "created_at", "updated_at")  # fmt: skip
    card = {k: b[k] for k in keys}
    card["notes"] = json.loads(b["notes"]) if b["notes"] else []
    card["last_error"] = b["last_error"] if "last_error" in b.keys() else None  # noqa: SIM118 - sqlite3.Row
    card["needs_action"] = b["status"] in (*ATTENTION_BOOKING, "pending") and b["handled_at"] is None
    return card


async def bookings_list(conn: AConn, *, problems_only: bool, limit: int = 200) -> list[dict[str, Any]]:
    where = (
        "WHERE b.status IN ('failed', 'needs_human', 'pending') AND b.handled_at IS NULL"
        if problems_only
        else ""
    )
    rows = await fetchall(
        conn,
        "SELECT b.*, (SELECT o.last_error FROM pms_outbox o WHERE o.booking_id = b.id ORDER BY o.id DESC LIMIT 1)"
        f" AS last_error FROM bookings b {where} ORDER BY b.updated_at DESC LIMIT ?",
        (limit,),
    )
    return [booking_card(r) for r in rows]


# -- actions (write functions) ---------------------------------------------------------------------
def take_over(conn: Conn, conversation_id: int, actor: str, *, force: bool = False) -> str:
    """From now on the bot sends nothing here — the pipeline's commit re-checks this. A colleague's
    conversation is taken only with ``force`` (the page asked first): never silently."""
    row = one(conn, "SELECT control, held_by FROM conversations WHERE id = ?", (conversation_id,))
    if row is None:
        raise LookupError(conversation_id)
    holder = row["held_by"] if row["control"] == "staff" else None
    if holder and holder != actor and not force:
        raise HeldByColleague(holder)
    conversations.set_control(conn, conversation_id, "staff")
    conn.execute("UPDATE conversations SET held_by = ? WHERE id = ?", (actor, conversation_id))
    # bot replies written but not sent yet are withdrawn: staff speak now
    conn.execute(
        "UPDATE outbox SET status = 'cancelled', updated_at = ? WHERE conversation_id = ? AND status = 'pending'"
        " AND message_id IN (SELECT id FROM messages WHERE author = 'bot')",
        (utcnow(), conversation_id),
    )
    audit.record(
        conn,
        actor,
        "takeover",
        conversation_id=conversation_id,
        details={"from": row["control"], "holder": holder},
    )
    return str(row["control"])


def hand_back(conn: Conn, conversation_id: int, actor: str) -> None:
    if one(conn, "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)) is None:
        raise LookupError(conversation_id)
    conn.execute(
        "UPDATE conversations SET control = 'bot', attention = NULL, held_by = NULL, version = version + 1,"
        " updated_at = ?"
        " WHERE id = ?",
        (utcnow(), conversation_id),
    )
    audit.record(conn, actor, "handback", conversation_id=conversation_id)


def staff_reply(
    conn: Conn, conversation_id: int, actor: str, text: str, lang: str, *, force: bool = False
) -> int:
    conv = conversations.load_now(conn, conversation_id)
    if conv is None:
        raise LookupError(conversation_id)
    row = one(conn, "SELECT held_by FROM conversations WHERE id = ?", (conversation_id,))
    if conv.control != "staff" or (row and row["held_by"] != actor):
        take_over(conn, conversation_id, actor, force=force)  # replying is taking over, never silently
    outbox_id = outbox.enqueue(
        conn, conversation_id, conv.channel, conv.address, Reply(text, lang, key="staff"), author=actor
    )
    audit.record(conn, actor, "staff_reply", conversation_id=conversation_id, details={"outbox": outbox_id})
    return outbox_id


def mark_read(conn: Conn, conversation_id: int) -> bool:
    """Staff saw everything so far; False when there was nothing new (no event, no loop)."""
    latest = "(SELECT coalesce(max(id), 0) FROM messages WHERE conversation_id = :c)"
    cur = conn.execute(
        f"UPDATE conversations SET staff_read_upto = {latest} WHERE id = :c AND staff_read_upto < {latest}",
        {"c": conversation_id},
    )
    return cur.rowcount == 1


def retry_booking(conn: Conn, booking_id: int, actor: str) -> bool:
    cur = conn.execute(
        "UPDATE pms_outbox SET status = 'pending', next_attempt_at = NULL, updated_at = ?"
        " WHERE id = (SELECT max(id) FROM pms_outbox WHERE booking_id = ?) AND status IN ('failed', 'pending')",
        (utcnow(), booking_id),
    )
    if cur.rowcount:
        conn.execute(
            "UPDATE bookings SET status = CASE WHEN status = 'failed' THEN 'pending' ELSE status END,"
            " handled_at = NULL, updated_at = ? WHERE id = ?",
            (utcnow(), booking_id),
        )
        audit.record(conn, actor, "booking.retry", booking_id=booking_id)
    return cur.rowcount == 1


def mark_handled(conn: Conn, booking_id: int, actor: str) -> bool:
    cur = conn.execute(
        "UPDATE bookings SET handled_at = ?, updated_at = ? WHERE id = ?", (utcnow(), utcnow(), booking_id)
    )
    if cur.rowcount:
        audit.record(conn, actor, "booking.handled", booking_id=booking_id)
    return cur.rowcount == 1


def save_answer(conn: Conn, lang: str, topic: str, text: str, actor: str, langs: tuple[str, ...]) -> None:
    """Save one language's answer. Saving a language that was waiting to be brought up to date
    clears that; any other save leaves the other languages waiting (they still say the old thing)."""
    now = utcnow()
    followed_up = conn.execute(
        "DELETE FROM answer_followups WHERE lang = ? AND topic = ?", (lang, topic)
    ).rowcount
    if not followed_up:
        conn.executemany(
            "INSERT INTO answer_followups (lang, topic, source_lang, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (lang, topic) DO UPDATE SET source_lang = excluded.source_lang, since = excluded.since",
            [(other, topic, lang, now) for other in langs if other != lang],
        )
    conn.execute(
        "INSERT INTO knowledge (lang, topic, text, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (lang, topic) DO UPDATE SET text = excluded.text, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (lang, topic, text, actor, now),
    )
    audit.record(conn, actor, "knowledge.edit", details={"lang": lang, "topic": topic})


async def answer_followups(conn: AConn) -> dict[str, dict[str, dict[str, str]]]:
    """{lang: {topic: {"from": lang edited, "since": when}}} for answers still saying the old thing."""
    rows = await fetchall(conn, "SELECT lang, topic, source_lang, since FROM answer_followups")
    pending: dict[str, dict[str, dict[str, str]]] = {}
    for r in rows:
        pending.setdefault(r["lang"], {})[r["topic"]] = {"from": r["source_lang"], "since": r["since"]}
    return pending


async def saved_answers(conn: AConn) -> list[tuple[str, str, str]]:
    rows = await fetchall(conn, "SELECT lang, topic, text FROM knowledge")
    return [(r["lang"], r["topic"], r["text"]) for r in rows]


async def audit_trail(conn: AConn, conversation_id: int) -> list[dict[str, Any]]:
    rows = await fetchall(
        conn,
        "SELECT at, actor, action, details FROM audit_log WHERE conversation_id = :c"
        " OR booking_id IN (SELECT id FROM bookings WHERE conversation_id = :c) ORDER BY id",
        {"c": conversation_id},
    )
    return [
        {"at": r["at"], "actor": r["actor"], "action": r["action"], "details": json.loads(r["details"])}
        for r in rows
    ]


def resolve(conn: Conn, conversation_id: int, actor: str) -> None:
    """Staff dealt with it: the reason to look is cleared, failed bookings are marked handled, and
    the bot stays quiet (a conversation waiting for staff is now held by whoever resolved it)."""
    row = one(conn, "SELECT control, attention FROM conversations WHERE id = ?", (conversation_id,))
    if row is None:
        raise LookupError(conversation_id)
    now = utcnow()
    if row["control"] == "waiting_staff":
        conn.execute(
            "UPDATE conversations SET control = 'staff', held_by = ? WHERE id = ?", (actor, conversation_id)
        )
    conn.execute(
        "UPDATE conversations SET attention = NULL, answered_upto = (SELECT coalesce(max(id), 0)"
        " FROM messages WHERE conversation_id = :c), version = version + 1, updated_at = :now WHERE id = :c",
        {"c": conversation_id, "now": now},
    )
    conn.execute(
        "UPDATE bookings SET handled_at = ?, updated_at = ? WHERE conversation_id = ?"
        " AND status IN ('failed', 'needs_human') AND handled_at IS NULL",
        (now, now, conversation_id),
    )
    audit.record(
        conn, actor, "resolve", conversation_id=conversation_id, details={"attention": row["attention"]}
    )


MAX_NOTE = 2000


def add_note(conn: Conn, conversation_id: int, actor: str, text: str) -> int:
    """A private note for colleagues: never sent to the guest."""
    if one(conn, "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)) is None:
        raise LookupError(conversation_id)
    cur = conn.execute(
        "INSERT INTO desk_notes (conversation_id, author, text, created_at) VALUES (?, ?, ?, ?)",
        (conversation_id, actor, text, utcnow()),
    )
    audit.record(conn, actor, "note", conversation_id=conversation_id)
    return int(cur.lastrowid or 0)


async def notes(conn: AConn, conversation_id: int) -> list[dict[str, Any]]:
    rows = await fetchall(
        conn,
        "SELECT id, author, text, created_at FROM desk_notes WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    )
    return [{"id": r["id"], "author": r["author"], "text": r["text"], "at": r["created_at"]} for r in rows]


async def canned(conn: AConn, shipped: dict[str, list[str]]) -> dict[str, list[str]]:
    """The canned replies per language: the hotel's edited ones, else those shipped with the box."""
    rows = await fetchall(conn, "SELECT lang, text FROM canned_replies ORDER BY lang, position")
    edited: dict[str, list[str]] = {}
    for r in rows:
        edited.setdefault(r["lang"], []).append(r["text"])
    return {lang: edited.get(lang, lines) for lang, lines in shipped.items()}


def save_canned(conn: Conn, lang: str, lines: list[str], actor: str) -> None:
    conn.execute("DELETE FROM canned_replies WHERE lang = ?", (lang,))
    now = utcnow()
    conn.executemany(
        "INSERT INTO canned_replies (lang, position, text, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)",
        [(lang, n, line, actor, now) for n, line in enumerate(lines)],
    )
    audit.record(conn, actor, "canned.edit", details={"lang": lang, "lines": len(lines)})


# what staff did that has no conversation to show it in any more (an erasure) or none at all
ACTIVITY = (
    "guest.erased",
    "user.add",
    "user.change",
    "canned.edit",
    "knowledge.edit",
    "booking.retry",
    "booking.handled",
)


async def activity(conn: AConn, limit: int = 100) -> list[dict[str, Any]]:
    """The staff's own actions, newest first (for admins): erasures, accounts, canned replies, answers."""
    marks = ",".join("?" * len(ACTIVITY))
    rows = await fetchall(
        conn,
        f"SELECT at, actor, action, details FROM audit_log WHERE action IN ({marks}) ORDER BY id DESC LIMIT ?",
        (*ACTIVITY, limit),
    )
    return [
        {
            "at": r["at"],
            "actor": r["actor"],
            "action": r["action"],
            "details": json.loads(r["details"] or "{}"),
        }
        for r in rows
    ]
