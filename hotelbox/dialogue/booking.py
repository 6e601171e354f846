"""The booking flow: availability and quote, then the details, a summary, and the booking.

Whatever the guest says is taken in any order (dates, people, room, name, e-mail in the first
message or spread over several); the flow only asks for what is still missing, in the order
a receptionist would: dates, people, room (with prices from the PMS), name, e-mail, summary.
The booking itself is an action: the pipeline stores it durably and the booking worker makes
it in the PMS; the result comes back as an event (:func:`on_result`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hotelbox.dialogue.engine import TurnBuilder
from hotelbox.dialogue.state import BookingAction
from hotelbox.errors import PmsError
from hotelbox.messages import Option
from hotelbox.pms import Offer, PmsBooking

STAY_KEYS = ("check_in", "check_out", "nights", "adults", "children", "room_type")


def merge_stay(t: TurnBuilder, entities: dict[str, Any]) -> bool:
    """Put what the guest said into the slots; True when the stay itself changed."""
    s = t.state.slots
    before = (s.check_in, s.check_out, s.adults, s.children, s.room_type)
    if "nights" in entities:
        s.nights = int(entities["nights"])
    check_in, check_out = entities.get("check_in"), entities.get("check_out")
    if (
        check_in
        and not check_out
        and t.state.expect in ("check_out",)
        and s.check_in
        and check_in > s.check_in
    ):
        check_in, check_out = None, check_in  # "until Sunday" answering "which day do you leave?"
    if check_in:
        s.check_in = check_in
        if check_out:
            s.check_out = check_out
        elif s.nights:
            s.check_out = (date.fromisoformat(check_in) + timedelta(days=s.nights)).isoformat()
        elif (s.check_out and s.check_out <= check_in) or (
            before[0] != check_in and "nights" not in entities
        ):
            s.check_out = None
    elif check_out:
        s.check_out = check_out
    elif "nights" in entities and s.check_in:
        s.check_out = (date.fromisoformat(s.check_in) + timedelta(days=s.nights or 0)).isoformat()
    if "adults" in entities:
        s.adults = int(entities["adults"])
        if "children" not in entities and t.state.expect == "guests":
            s.children = 0
    if "children" in entities:
        s.children = int(entities["children"])
    if "room_type" in entities and t.dialogue.room_type(entities["room_type"]):
        s.room_type = entities["room_type"]
    for key in ("guest_name", "email", "phone"):
        if entities.get(key):
            setattr(s, key, entities[key])
    return before != (s.check_in, s.check_out, s.adults, s.children, s.room_type)


def _clear_dates(t: TurnBuilder) -> None:
    s = t.state.slots
    s.check_in = s.check_out = None
    s.nights = None
    t.state.quote = None


def _offer_json(o: Offer) -> dict[str, Any]:
    return {
        "room_type": o.room_type.code,
        "total": str(o.total_price),
        "currency": o.currency,
        "check_in": o.check_in.isoformat(),
        "check_out": o.check_out.isoformat(),
        "available": o.available,
    }


def _room_options(t: TurnBuilder, offers: list[dict[str, Any]]) -> tuple[Option, ...]:
    return tuple(
        Option(
            id=f"room:{o['room_type']}",
            title=t.text("opt_room", room=t.room_name(o["room_type"]))[:24],
            description=t.text("opt_room_desc", total=t.money(o["total"], o["currency"])),
        )
        for o in offers[:10]
    )


def _stay_values(t: TurnBuilder) -> dict[str, str]:
    s = t.state.slots
    ci, co = s.dates()
    assert ci
    assert co
    assert s.adults is not None
    return {
        "check_in": t.date(ci),
        "check_out": t.date(co),
        "nights": t.nights((co - ci).days),
        "guests": t.guests(s.adults, s.children or 0),
    }


async def advance(t: TurnBuilder, intent: str, entities: dict[str, Any], flags: set[str]) -> None:
    state, s, d = t.state, t.state.slots, t.dialogue
    choice = str(entities.pop("_choice", "") or "")

    # the guest answered the summary or the "what to change" question
    if choice == "dont_book" or (state.expect == "change" and intent == "deny"):
        state.reset_flow()
        t.say("booking_aborted")
        return
    if choice.startswith("change"):
        what = choice.partition(":")[2]
        if not what:
            state.quote = None
            t.ask("change", "what_to_change", _change_options(t))
            return
        if what == "dates":
            _clear_dates(t)
        elif what == "guests":
            s.adults = s.children = None
            state.quote = None
        elif what == "room":
            s.room_type = None
            state.quote = None
    if choice == "other_dates":
        _clear_dates(t)
    if state.expect == "confirm" and not any(k in entities for k in (*STAY_KEYS, "guest_name", "email")):
        if intent == "affirm":
            _book(t)
            return
        if intent == "deny":
            t.ask("change", "what_to_change", _change_options(t))
            return

    if entities.get("_bad_email"):
        t.ask("email", "bad_email")
        return
    mentioned_dates = any(k in entities for k in ("check_in", "check_out"))
    if "invalid_date" in flags:
        t.ask("dates", "invalid_date")
        return
    if mentioned_dates and "past_date" in flags:
        _clear_dates(t)
        t.ask("dates", "past_date")
        return
    stay_changed = merge_stay(t, entities)
    if stay_changed:
        state.quote = None

    ci, co = s.dates()
    if ci and co:
        problem = d.check_stay(t, ci, co)
        if problem:
            _clear_dates(t)
            last = t.guest.today + timedelta(days=d.settings.booking_horizon_days)
            t.ask("dates", problem, **({"last": t.date(last)} if problem == "too_far" else {}))
            return
        if (co - ci).days > d.settings.max_nights:
            t.handoff("long_stay", "handoff_long_stay", max=d.settings.max_nights)
            return
    if not ci:
        t.ask("dates", "ask_dates")
        return
    if not co:
        t.ask("check_out", "ask_check_out", check_in=t.date(ci))
        return
    if s.adults is None:
        t.ask("guests", "ask_guests")
        return
    if s.adults < 1:
        s.adults = None
        t.ask("guests", "no_adults")
        return
    children = s.children or 0
    if s.adults + children > d.settings.max_party:
        t.handoff("group", "handoff_group", max=d.settings.max_party)
        return
    if not any(rt.fits(s.adults, children) for rt in d.room_types):
        biggest = max((rt.max_guests for rt in d.room_types), default=0)
        t.handoff("multi_room", "handoff_multi_room", max=biggest)
        return

    if state.quote is None:
        try:
            offers = await d.pms.search(ci, co, s.adults, children)
        except PmsError:
            t.say("operation_pending")
            t.turn.attention = "pms_unavailable"
            return
        state.offers = [_offer_json(o) for o in offers]
        if getattr(offers, "stale", False):  # the PMS could not be asked: not a fact (issue 14)
            t.say("prices_unconfirmed")
        if not offers:
            _clear_dates(t)
            values = {
                "guests": t.guests(s.adults, children),
                "check_in": t.date(ci),
                "check_out": t.date(co),
            }
            t.ask(
                "dates",
                "no_availability",
                (Option("other_dates", t.text("opt_other_dates")),),
                **values,
            )
            return
        chosen = next((o for o in state.offers if o["room_type"] == s.room_type), None)
        if s.room_type and chosen is None:
            t.say(
                "room_not_available",
                room=t.room_name(s.room_type),
                guests=t.guests(s.adults, children),
            )
            s.room_type = None
        if chosen is None and intent == "affirm" and state.expect == "room_type" and len(state.offers) == 1:
            chosen = state.offers[0]
        if chosen is None:
            _show_offers(t)
            return
        state.quote = chosen
        if s.room_type:  # the guest named the room: tell them what it costs before going on
            t.say(
                "room_chosen",
                room=t.room_name(chosen["room_type"]),
                total=t.money(chosen["total"], chosen["currency"]),
                **_stay_values(t),
            )
        s.room_type = chosen["room_type"]

    if not s.guest_name and t.guest.name:
        s.guest_name = t.guest.name
    if not s.guest_name:
        t.ask("name", "ask_name")
        return
    if len(s.guest_name.split()) < 2:
        s.guest_name = None
        t.ask("name", "bad_name")
        return
    if not s.email and (t.guest.email or t.guest.claimed_email):  # where we write back: contact, not proof
        s.email = t.guest.email or t.guest.claimed_email
    phone = s.phone or t.guest.phone
    if not s.email and state.expect == "email" and intent == "deny" and phone:
        s.no_email = True  # QloApps still gets an address: a placeholder, and staff are told
    if not s.email and not s.no_email:
        t.ask("email", "ask_email_optional" if phone else "ask_email")
        return
    q = state.quote
    t.ask(
        "confirm",
        "confirm_booking",
        (
            Option("yes", t.text("opt_yes")),
            Option("change", t.text("opt_change")),
            Option("dont_book", t.text("opt_cancel_request")),
        ),
        room=t.room_name(q["room_type"]),
        name=s.guest_name,
        email=s.email or t.text("contact_phone", phone=phone),
        total=t.money(q["total"], q["currency"]),
        **_stay_values(t),
    )


def _change_options(t: TurnBuilder) -> tuple[Option, ...]:
    return (
        Option("change:dates", t.text("opt_change_dates")),
        Option("change:guests", t.text("opt_change_guests")),
        Option("change:room", t.text("opt_change_room")),
    )


def _show_offers(t: TurnBuilder) -> None:
    offers = t.state.offers
    values = _stay_values(t)
    if len(offers) == 1:
        o = offers[0]
        t.ask(
            "room_type",
            "offer_single",
            (Option("yes", t.text("opt_yes")), Option("other_dates", t.text("opt_other_dates"))),
            room=t.room_name(o["room_type"]),
            total=t.money(o["total"], o["currency"]),
            **values,
        )
        return
    lines = [t.text("offers_intro", **values)]
    for o in offers:
        lines.append(
            t.text(
                "offer_line",
                room=t.room_name(o["room_type"]),
                total=t.money(o["total"], o["currency"]),
            )
        )
    t.say_text("\n".join(lines), "offers")
    t.ask("room_type", "offers_choose", _room_options(t, offers))


def _book(t: TurnBuilder) -> None:
    state, s = t.state, t.state.slots
    q = state.quote
    assert q is not None
    assert s.adults is not None
    assert s.guest_name
    t.turn.actions.append(
        BookingAction(
            "create",
            {
                "room_type": q["room_type"],
                "check_in": q["check_in"],
                "check_out": q["check_out"],
                "adults": s.adults,
                "children": s.children or 0,
                "guest_name": s.guest_name,
                "email": s.email,
                "phone": s.phone or t.guest.phone,
                "expected_total": q["total"],
                "currency": q["currency"],
                "remark": "; ".join(state.notes) or None,
                "lang": t.lang,
            },
        )
    )
    t.turn.guest_updates = {k: v for k, v in (("name", s.guest_name), ("email", s.email)) if v}
    state.expect = "booking_result"
    state.prompt = None


async def on_result(t: TurnBuilder, event: dict[str, Any]) -> None:
    state, s = t.state, t.state.slots
    outcome = event["outcome"]
    if outcome == "confirmed":
        b = PmsBooking.from_json(event["booking"])
        t.say(
            "booking_confirmed",
            ref=b.reference,
            room=t.room_name(b.room_type),
            check_in=t.date(b.check_in),
            check_out=t.date(b.check_out),
            total=t.money(b.total_price, b.currency),
            checkin_time=t.dialogue.check_in_time,
        )
        if b.notes:  # e.g. booked under a placeholder e-mail: staff complete it at check-in
            t.turn.attention = "booking_notes"
        state.reset_flow()
        state.notes = []
        s.check_in = s.check_out = s.room_type = None
        s.nights = s.adults = s.children = None
        s.no_email = False
    elif outcome == "pending":
        if not event.get("repeat"):
            t.say("booking_pending")
            t.turn.attention = "booking_pending"  # the front desk sees who waits for the PMS
        state.expect = "booking_result"
    elif outcome == "unavailable":
        request = event.get("request", {})
        t.say("booking_taken", room=t.room_name(request.get("room_type", "")))
        state.flow = "booking"
        state.quote = None
        state.expect = None
        s.room_type = None
        await advance(t, "provide_info", {}, set())
    else:
        t.say("booking_failed")
        t.turn.attention = (
            "booking_conflict" if event.get("error") == "booking_conflict" else "booking_failed"
        )
        state.reset_flow()
