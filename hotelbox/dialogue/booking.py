"""The booking flow: availability and quote, then the details, a summary, and the booking.

Whatever the guest says is taken in any order (dates, people, room, name, e-mail in the first
message or spread over several); the flow only asks for what is still missing, in the order
a receptionist would: dates, people, room (with prices from the PMS), name, e-mail, summary.
The booking itself is an action: the pipeline stores it durably and the booking worker makes
it in the PMS; the result comes back as an event (:func:`on_result`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hotelbox.dialogue import slots
from hotelbox.dialogue.choices import declines_email, holds, polarity, says_yes, wants_cheapest
from hotelbox.dialogue.engine import TurnBuilder
from hotelbox.dialogue.state import BookingAction
from hotelbox.errors import PmsError
from hotelbox.messages import Option
from hotelbox.nlu.text import fold
from hotelbox.pms import Offer, PmsBooking

STAY_KEYS = slots.STAY_KEYS


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


def _stay_values(t: TurnBuilder) -> dict[str, Any]:  # the message's values
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
    """One message in the booking flow: its choice, its facts, the checks, the next question."""
    t.facts = {k for k, v in entities.items() if v}
    if entities.pop("_no_email", False):
        t.state.slots.no_email = True
    if _choice(t, intent, entities):
        return
    if _rejected(t, entities, flags):
        return
    if slots.fill_stay(t, entities):
        t.state.quote = None
    elif intent == "ask_price" and t.state.quote is not None:
        _answer_price(t)  # "how much is it?": answer it, don't jump to "what's your name?"
        return
    if _stay_problem(t):
        return
    for step in STEPS:
        if step.name == "name" and intent == "ask_price":
            _answer_price(t)  # the price is what they asked: answer it, the name can wait
            return
        if step.missing(t) and await step.run(t, intent):
            return


def _choice(t: TurnBuilder, intent: str, entities: dict[str, Any]) -> bool:
    """The guest answered the summary, the offer or "what to change"; True when that was all."""
    state, s = t.state, t.state.slots
    choice = str(entities.pop("_choice", "") or "")
    offered = state.expect == "room_type" and state.quote is not None  # "shall I book it?" after a price
    if _holds(t, entities):
        t.say("take_your_time")  # "let me check with my wife": the offer stays open, "yes" later books it
        return True
    if state.expect == "confirm" and not _new_facts(t, entities) and _declines_offered_email(t):
        s.no_email = True  # "no" to "e-mail? shall I confirm?": the e-mail, and the question put plainly
        t.ask("confirm", "confirm_no_email", _summary_options(t))
        return True
    if (
        choice == "dont_book"
        or (state.expect in ("change",) and intent == "deny")
        or (offered and intent == "deny" and not any(k in entities for k in STAY_KEYS))
    ):
        state.reset_flow()
        t.say("booking_aborted")
        return True
    if choice == "change" and state.expect == "confirm" and _new_facts(t, entities):
        choice = ""  # "não, o email está errado, é joana@…": the correction itself, not "what to change?"
    if choice.startswith("change"):
        what = choice.partition(":")[2]
        state.quote = None
        if not what:
            t.ask("change", "what_to_change", _change_options(t))
            return True
        if what == "dates":
            _clear_dates(t)
        elif what == "guests":
            s.adults = s.children = None
        elif what == "room":
            s.room_type = None
    if choice == "other_dates":
        _clear_dates(t)
    new = _new_facts(t, entities) if state.expect == "confirm" else set()
    if (
        state.expect == "confirm"
        and new
        and new <= {"email", "guest_name"}
        and intent == "affirm"
        and not _bad_contact(t)
        and len(str(entities.get("guest_name", s.guest_name) or "").split()) >= 2
    ):
        # "yes, ana@x.com", "yes but put it under my husband's name, Mark Tan": who it is for, and a yes
        for key in new:
            setattr(s, key, str(entities.pop(key)))
        new = set()
    if state.expect == "confirm" and not new:
        if intent == "affirm":
            _book(t)
            return True
        if intent == "deny":
            t.ask("change", "what_to_change", _change_options(t))
            return True
    return False


def _holds(t: TurnBuilder, entities: dict[str, Any]) -> bool:
    """The guest wants time before saying yes to the offer or the summary ("let me check with my
    wife first", "me lo pienso", "deixa eu ver com meu marido"), and says nothing new."""
    state = t.state
    text = t.message.text if t.message is not None else ""
    pending = state.expect == "confirm" or (state.expect == "room_type" and bool(state.offers))
    return pending and holds(text) and not _new_facts(t, entities)


def _declines_offered_email(t: TurnBuilder) -> bool:
    """A bare "no" / "no thanks" / "no email" to the summary that also offered an e-mail."""
    prompt = t.state.prompt or {}
    text = t.message.text if t.message is not None else ""
    if prompt.get("key") != "confirm_booking_email":
        return False
    if declines_email(text):  # "sin correo" (the model may read it as a yes): not a yes to the booking
        return not says_yes(text)
    return polarity(text) == "no" and len(text.split()) <= 3 and not _NOT_BOOK.search(fold(text))


_NOT_BOOK = re.compile(r"\b(?:book|reserv\w*|cancel\w*|confirm\w*|anul\w*|olvida\w*|forget|esquece\w*)")


def _bad_contact(t: TurnBuilder) -> bool:
    """The message is not a plain yes once its address is taken out ("yes but the email is …")."""
    text = t.message.text if t.message is not None else ""
    return not says_yes(slots.without_contact(text))


def _new_facts(t: TurnBuilder, entities: dict[str, Any]) -> set[str]:
    """What a message says about the booking that differs from what we have ("yes, confirm it.
    Kind regards, Helen Marsh" repeats the name: a yes, not a change)."""
    s = t.state.slots
    return {
        k
        for k in (*STAY_KEYS, "guest_name", "email")
        if k in entities
        and str(entities[k]).casefold() != str(getattr(s, k)).casefold()
        and not (k == "guest_name" and s.guest_name and slots.shortened(str(entities[k]), s.guest_name))
    }


def _rejected(t: TurnBuilder, entities: dict[str, Any], flags: set[str]) -> bool:
    """Facts that cannot be taken as given: say why and ask again (keeping everything else)."""
    if entities.get("_bad_email"):
        t.ask("email", "bad_email")
        return True
    if "invalid_date" in flags:
        t.ask("dates", "invalid_date")
        return True
    if any(k in entities for k in ("check_in", "check_out")) and "past_date" in flags:
        if entities.get("check_in") and entities.get("check_out"):
            t.state.slots.refused = [entities["check_in"], entities["check_out"]]  # "sorry, I meant June"
        _clear_dates(t)
        slots.fill_stay(
            t, {k: v for k, v in entities.items() if k not in ("check_in", "check_out", "nights")}
        )
        t.ask("dates", "past_date")
        return True
    return False


def _stay_problem(t: TurnBuilder) -> bool:
    """Dates or a party the hotel cannot take: explain, ask again or hand over."""
    s, d = t.state.slots, t.dialogue
    ci, co = s.dates()
    if ci and co:
        problem = d.check_stay(t, ci, co)
        if problem:
            _clear_dates(t)
            last = t.guest.today + timedelta(days=d.settings.booking_horizon_days)
            values: dict[str, Any] = {"last": t.date(last)} if problem == "too_far" else {}
            t.ask("dates", problem, **values)
            return True
        if (co - ci).days > d.settings.max_nights:
            t.handoff("long_stay", "handoff_long_stay", max=d.settings.max_nights)
            return True
    if s.adults is None:
        return False
    if s.adults < 1:
        s.adults = None
        t.ask("guests", "no_adults")
        return True
    party = s.adults + (s.children or 0)
    biggest = max((rt.max_guests for rt in d.room_types), default=0)
    if party > d.settings.max_party:
        t.handoff("group", "handoff_group", max=d.settings.max_party)
        return True
    if not any(rt.fits(s.adults, s.children or 0) for rt in d.room_types):
        t.handoff("multi_room", "handoff_multi_room", max=biggest)
        return True
    return False


# -- the steps, in the order a receptionist asks ------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One thing the booking needs: when it is missing, and what to do about it (True: asked)."""

    name: str
    missing: Callable[[TurnBuilder], bool]
    run: Callable[[TurnBuilder, str], Awaitable[bool]]


async def _ask_dates(t: TurnBuilder, intent: str) -> bool:
    if t.message is not None and "vague_dates" in t.message.flags:
        t.say("dates_holiday")  # "para el puente": say so, then ask which nights (never guess)
    t.ask("dates", "ask_dates")
    return True


async def _ask_check_out(t: TurnBuilder, intent: str) -> bool:
    ci, _ = t.state.slots.dates()
    assert ci
    t.ask("check_out", "ask_check_out", check_in=t.date(ci))
    return True


async def _ask_guests(t: TurnBuilder, intent: str) -> bool:
    t.ask("guests", "ask_guests")
    return True


async def _choose_room(t: TurnBuilder, intent: str) -> bool:
    """Offers from the PMS; the room the guest named (or the only one) becomes the quote."""
    state, s, d = t.state, t.state.slots, t.dialogue
    ci, co = s.dates()
    assert ci
    assert co
    assert s.adults is not None
    children = s.children or 0
    try:
        offers = await d.pms.search(ci, co, s.adults, children)
    except PmsError:
        t.say("operation_pending")
        t.turn.attention = "pms_unavailable"
        return True
    if s.other_check_in:
        offers = await _cheaper_arrival(t, offers)
        ci, co = s.dates()
        assert ci
        assert co
    shown_before = [o["room_type"] for o in state.offers]
    state.offers = [_offer_json(o) for o in offers]
    if getattr(offers, "stale", False):  # the PMS could not be asked: not a fact (issue 14)
        t.say("prices_unconfirmed")
    if not offers:
        values = {"guests": t.guests(s.adults, children), "check_in": t.date(ci), "check_out": t.date(co)}
        _clear_dates(t)
        t.ask("dates", "no_availability", (Option("other_dates", t.text("opt_other_dates")),), **values)
        return True
    chosen = next((o for o in state.offers if o["room_type"] == s.room_type), None)
    if s.room_type and chosen is None:
        t.say("room_not_available", room=t.room_name(s.room_type), guests=t.guests(s.adults, children))
        s.room_type = None
    if chosen is None and intent == "affirm" and state.expect == "room_type" and len(state.offers) == 1:
        chosen = state.offers[0]
    if chosen is None and (
        (state.expect == "room_type" and (intent == "affirm" or t.facts & {"guest_name", "email"}))
        or (t.message is not None and wants_cheapest(t.message.text))  # "la más barata"
    ):
        # asked which room, the guest went on (a name, "yes"): the best value that fits, said so
        chosen = min(state.offers, key=lambda o: Decimal(o["total"]))
        s.room_type = chosen["room_type"]
    if chosen is None:
        _show_offers(t, again=shown_before == [o["room_type"] for o in state.offers])
        return True
    state.quote = chosen
    if s.room_type and intent != "ask_price":  # named or picked: say what it costs, then go on
        t.say("room_chosen", room=t.room_name(chosen["room_type"]),
              total=t.money(chosen["total"], chosen["currency"]), **_stay_values(t))  # fmt: skip
    s.room_type = chosen["room_type"]
    return False


async def _cheaper_arrival(t: TurnBuilder, offers: list[Offer]) -> list[Offer]:
    """ "The 12th or the 13th, whichever is cheaper": both arrivals priced for the room asked (or
    the best value that fits), the cheaper one kept and said so."""
    s, d = t.state.slots, t.dialogue
    ci, co = s.dates()
    assert ci
    assert co
    assert s.other_check_in
    other_ci = date.fromisoformat(s.other_check_in)
    s.other_check_in = None
    other_co = other_ci + (co - ci)
    if d.check_stay(t, other_ci, other_co):
        return offers
    assert s.adults is not None
    try:
        others = await d.pms.search(other_ci, other_co, s.adults, s.children or 0)
    except PmsError:
        return offers

    def best(found: list[Offer]) -> Offer | None:
        fitting = [o for o in found if not s.room_type or o.room_type.code == s.room_type]
        return min(fitting, key=lambda o: o.total_price, default=None)

    mine, theirs = best(list(offers)), best(list(others))
    if mine is None and theirs is None:
        return offers
    chosen: Offer | None
    other: Offer | None
    if theirs is not None and (mine is None or theirs.total_price < mine.total_price):
        s.check_in, s.check_out = other_ci.isoformat(), other_co.isoformat()
        chosen, other, offers = theirs, mine, others
    else:
        chosen, other = mine, theirs
    assert chosen is not None
    t.say(
        "cheaper_arrival",
        check_in=t.date(chosen.check_in),
        total=t.money(chosen.total_price, chosen.currency),
        other_check_in=t.date(other.check_in if other else (other_ci if chosen.check_in == ci else ci)),
        other_total=t.money(other.total_price, other.currency) if other else "—",
    )
    return offers


async def _ask_name(t: TurnBuilder, intent: str) -> bool:
    s = t.state.slots
    if t.guest.name and len(t.guest.name.split()) >= 2:
        s.guest_name = t.guest.name
        return False
    if s.guest_name and len(s.guest_name.split()) < 2:
        s.guest_name = None
        # "Tom", then "just Tom": the same question, counted as one (asked again with an example,
        # then a person), not "who?" and "the surname?" taking turns for ever
        repeat = t.state.asked and t.state.asked[0] == "ask_name" and t.state.expect == "name"
        if repeat and t.facts <= {"guest_name"}:
            t.progress = False  # the first name alone, again: no step forward
        t.ask("name", "ask_name" if repeat else "bad_name")
        return True
    t.ask("name", "ask_name")
    return True


async def _ask_email(t: TurnBuilder, intent: str) -> bool:
    s = t.state.slots
    if t.guest.email or t.guest.claimed_email:  # where we write back: contact, not proof
        s.email = s.email or t.guest.email or t.guest.claimed_email
        return False
    phone = s.phone or t.guest.phone
    offered = t.state.prompt is not None and t.state.prompt.get("key") in ("offer_single", "price_answer")
    if (
        offered
        and t.state.expect == "room_type"
        and intent == "affirm"
        and phone
        and t.state.quote is not None
        and not _no_name(t)
        and (t.message is None or says_yes(t.message.text))
    ):
        # "ya po, resérvela al tiro" to "shall I book it?" with the name known: booked, as asked (the
        # e-mail is optional and the offer said room, dates, guests and total)
        s.no_email = True
        _book(t)
        return True
    if t.state.expect == "email" and phone:
        # asked once is enough: "no", "sim, confirmo", anything but an address books with the phone
        s.no_email = True  # QloApps still gets an address: a placeholder, and staff are told
        said_yes = t.message is None or says_yes(t.message.text)  # "sin correo" is not a yes
        if intent == "affirm" and said_yes and t.state.quote is not None and not _no_name(t):
            _book(t)  # "yes, confirm" to the offer they have seen: no need to ask a third time
            return True
        return False
    if phone:
        return False  # optional: the summary offers it, so "yes" there books what the guest has read
    t.ask("email", "ask_email")
    return True


async def _ask_confirm(t: TurnBuilder, intent: str) -> bool:
    s, q = t.state.slots, t.state.quote
    assert q is not None
    phone = s.phone or t.guest.phone
    t.ask(
        "confirm",
        "confirm_booking" if s.email or s.no_email else "confirm_booking_email",  # e-mail: optional
        _summary_options(t),
        room=t.room_name(q["room_type"]),
        name=s.guest_name,
        email=s.email or t.text("contact_phone", phone=phone),
        total=t.money(q["total"], q["currency"]),
        **_stay_values(t),
    )
    return True


def _no_name(t: TurnBuilder) -> bool:
    name = t.state.slots.guest_name
    return not name or len(name.split()) < 2


STEPS = (
    Step("dates", lambda t: not t.state.slots.check_in, _ask_dates),
    Step("check_out", lambda t: not t.state.slots.check_out, _ask_check_out),
    Step("guests", lambda t: t.state.slots.adults is None, _ask_guests),
    Step("room", lambda t: t.state.quote is None, _choose_room),
    Step("name", _no_name, _ask_name),
    Step("email", lambda t: not (t.state.slots.email or t.state.slots.no_email), _ask_email),
    Step("confirm", lambda t: True, _ask_confirm),
)


def _answer_price(t: TurnBuilder) -> None:
    q = t.state.quote
    assert q is not None
    summary = (
        t.state.expect == "confirm"
    )  # asked at the summary: a yes to the price books, as one to it would
    t.ask(
        "confirm" if summary else "room_type",
        "price_answer",
        _summary_options(t)
        if summary
        else (Option("yes", t.text("opt_book_it")), Option("other_dates", t.text("opt_other_dates"))),
        room=t.room_name(q["room_type"]),
        total=t.money(q["total"], q["currency"]),
        **_stay_values(t),
    )


def _summary_options(t: TurnBuilder) -> tuple[Option, ...]:
    return (
        Option("yes", t.text("opt_yes")),
        Option("change", t.text("opt_change")),
        Option("dont_book", t.text("opt_cancel_request")),
    )


def _change_options(t: TurnBuilder) -> tuple[Option, ...]:
    return (
        Option("change:dates", t.text("opt_change_dates")),
        Option("change:guests", t.text("opt_change_guests")),
        Option("change:room", t.text("opt_change_room")),
    )


def _show_offers(t: TurnBuilder, *, again: bool = False) -> None:
    """The rooms for the stay; asked again, only the question (the list was just shown)."""
    offers = t.state.offers
    values = _stay_values(t)
    rooms = ", ".join(t.room_name(o["room_type"]) for o in offers)
    if again and len(offers) > 1 and t.state.asked and t.state.asked[0] == "offers_choose":
        t.ask("room_type", "offers_choose", _room_options(t, offers), rooms=rooms)
        return
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
    t.ask("room_type", "offers_choose", _room_options(t, offers), rooms=rooms)


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
        text = t.text(
            "booking_confirmed",
            ref=b.reference,
            room=t.room_name(b.room_type),
            check_in=t.date(b.check_in),
            check_out=t.date(b.check_out),
            total=t.money(b.total_price, b.currency),
            checkin_time=t.dialogue.check_in_time,
        )
        t.say_text(f"{text} {t.signoff()}", "booking_confirmed")  # the sign-off varies
        if b.reference not in state.created:
            state.created.append(b.reference)
        state.last_stay = [b.check_in.isoformat(), b.check_out.isoformat()]  # "another for the same dates"
        if b.notes:  # e.g. booked under a placeholder e-mail: staff complete it at check-in
            t.turn.attention = "booking_notes"
        state.reset_flow()
        state.notes = []
        s.check_in = s.check_out = s.room_type = None
        s.month = None
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
