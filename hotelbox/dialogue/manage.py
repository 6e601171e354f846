"""Existing bookings: status, change of dates, cancellation — only for the booking's owner.

The booking is found by its reference, or by the identity the channel vouches for (the
WhatsApp phone, the e-mail address a mail came from). A guest counts as the owner when that
identity matches the booking, or when they give the reference *and* the name on it; anyone
else is passed to reception. Changes and cancellations are actions made durable by the
pipeline before the PMS sees them, like new bookings.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Literal

from hotelbox.dialogue import asides, changes
from hotelbox.dialogue.choices import choose_by_stay, polarity
from hotelbox.dialogue.engine import GuestContext, TurnBuilder, asks
from hotelbox.dialogue.state import BookingAction, DialogueState
from hotelbox.errors import BookingNotFound, PmsError
from hotelbox.messages import Option
from hotelbox.nlu.entities import split_full_name
from hotelbox.nlu.text import fold
from hotelbox.pms import Offer, PmsBooking


def same_surname(given: str, on_booking: str) -> bool:
    """Does what the guest wrote contain the booking's surname (accents and case aside)?

    "Fernández", "Fernández Ruiz" and "Lucía Fernández Ruiz" all prove "Lucía Fernández Ruiz"'s
    booking; "Lucía" (a first name anyone could guess) does not."""
    _, last = split_full_name(on_booking)
    surname = fold(last).split()
    words = set(fold(given).replace(",", " ").split())
    return bool(surname) and surname[0] in words and len(surname[0]) >= 2


def owns(booking: PmsBooking, guest: GuestContext, state: DialogueState) -> bool:
    """The one ownership rule for showing, changing and cancelling a booking.

    A web chat guest owns only the bookings made in that same conversation. Anyone else owns a
    booking when the identity their channel vouches for (the WhatsApp phone, a DKIM/DMARC
    verified e-mail address) is on it, or when they gave its reference and its surname
    (recorded in ``state.verified``). An e-mail address nobody vouches for proves nothing."""
    if guest.channel == "webchat":
        return booking.reference in state.created
    if booking.reference in state.verified or booking.reference in state.created:
        return True
    if guest.phone and booking.phone and guest.phone == booking.phone:
        return True
    return bool(guest.email and booking.email and guest.email.casefold() == booking.email.casefold())


def _details(t: TurnBuilder, b: PmsBooking) -> dict[str, Any]:  # the message's values
    return {
        "ref": b.reference,
        "room": t.room_name(b.room_type),
        "check_in": t.date(b.check_in),
        "check_out": t.date(b.check_out),
        "nights": t.nights(b.nights),
        "guests": t.guests(b.adults, b.children),
        "total": t.money(b.total_price, b.currency),
        "status": t.text(f"status_{b.status}"),
    }


async def _find_target(t: TurnBuilder, entities: dict[str, Any]) -> PmsBooking | None:
    """The booking this flow is about, asking the guest when it is not clear (then None)."""
    state, pms = t.state, t.dialogue.pms
    ref = entities.get("booking_ref") or (state.target or {}).get("reference")
    if not ref and state.discussed and (state.target or {}).get("candidates") is None:
        ref = state.discussed  # "ok, cancel it then" after its details or its policy: that booking
    if not ref and state.created and not (t.guest.phone or t.guest.email):
        ref = state.created[-1]  # the web chat guest's booking made in this conversation
    if ref:
        try:
            booking = await pms.get_booking(ref)
        except BookingNotFound:
            state.target = None
            t.ask("booking_ref", "booking_ref_not_found", ref=ref)
            return None
        if state.target is None or state.target.get("reference") != booking.reference:
            state.target = _current(booking)
        return booking
    if not (t.guest.phone or t.guest.email):
        t.ask("booking_ref", "ask_booking_ref")
        return None
    found = await pms.find_bookings(email=t.guest.email, phone=t.guest.phone)
    relevant = [
        b
        for b in found
        if b.check_out >= t.guest.today and (state.flow == "status" or b.status == "confirmed")
    ]
    if not relevant:
        said = t.message.text if t.message is not None else ""
        if _NO_REFERENCE.search(fold(said)) or (
            "guest_name" in entities and any(k in entities for k in ("check_in", "check_out"))
        ):  # "for Yuki Tanaka, 6 to 9 April, I lost the number": reception finds it by name
            t.handoff("no_reference", "handoff_no_reference")
            return None
        t.ask("booking_ref", "no_bookings_found")
        return None
    said = t.message.text if t.message is not None else ""
    numbered = [b for b in relevant if _digits(b.reference) in _numbers(said)]
    if len(numbered) == 1:  # "cancelar a reserva número 7977": one of theirs, by its number alone
        state.target = _current(numbered[0])
        return numbered[0]
    if len(relevant) == 1:
        state.target = _current(relevant[0])
        return relevant[0]
    ref = choose_by_stay(said, entities, [_candidate(b) for b in relevant])
    if ref:  # "the August one", "a do dia 13 ao 15": no need to ask which
        picked = next(b for b in relevant if b.reference == ref)
        state.target = _current(picked)
        return picked
    if state.flow == "cancel" and _ALL_OF_THEM.search(fold(said)):  # "please cancel both of my bookings"
        listed = ", ".join(
            t.text(
                "booking_line", ref=b.reference, check_in=t.date(b.check_in), check_out=t.date(b.check_out)
            )
            for b in relevant
        )
        t.ask(
            "confirm_cancel",
            "confirm_cancel_all",
            (Option("cancel_booking", t.text("opt_cancel_all")), Option("keep", t.text("opt_keep"))),
            bookings=listed,
        )
        state.target = {"references": [b.reference for b in relevant]}
        return None
    options = tuple(
        Option(
            f"booking:{b.reference}",
            t.text("opt_booking", ref=b.reference),
            t.text("opt_booking_desc", check_in=t.date(b.check_in), check_out=t.date(b.check_out)),
        )
        for b in relevant[:10]
    )
    t.ask("pick_booking", "choose_booking", options)
    state.target = {"candidates": [_candidate(b) for b in relevant[:10]]}
    return None


# "I need to cancel", "quiero anularla", "vamos ter de cancelar", "can you cancel it": a request to cancel
_WANTS_CANCEL = re.compile(
    r"\b(?:quiero|queria|quisiera|queremos|necesito|necesitamos|tengo\s+que|tenemos\s+que|hay\s+que|vamos\s+a"
    r"|voy\s+a|debo|debemos|want\s+to|wanna|need\s+to|have\s+to|has\s+to|would\s+like\s+to|i'?d\s+like\s+to"
    r"|we'?d\s+like\s+to|going\s+to|gonna|must|quero|queremos|preciso|precisamos|tenho\s+de|tenho\s+que|temos\s+de"
    r"|temos\s+que|ter\s+de|ter\s+que|gostaria\s+de|gostariamos\s+de|can\s+you|could\s+you|please|por\s+favor"
    r"|puedes|podeis|pueden|podrias|podriais|me\s+la|nos\s+la|pode|podem|podia|poderia)"
    r"\s+(?:\w+\s+){0,2}?(?:cancel\w*|anul\w*|desmarc\w*)"
    # the imperative first ("hi, cancel HB-…, will I pay anything?"), not "si cancelo…" / "if I cancel…"
    r"|^(?:(?:hi|hello|hey|hola|buenas|ola|oi|bom\s+dia|boa\s+tarde|boa\s+noite|good\s+\w+|please|pls|por\s+favor"
    r"|ok|okay|vale)[,!.]?\s+){0,2}(?:cancel|cancela(?:la|lo|me)?|cancele|cancelem|anula(?:la|lo|me)?|anule)\b"
)


def asks_policy(text: str) -> bool:
    """Does a message about cancelling only ask what it costs ("if I cancel, will I be charged?",
    "¿cuál es vuestra política de cancelación?") rather than ask for the cancellation?"""
    from hotelbox.dialogue.knowledge import topics_in

    return (
        "?" in text
        and "cancellation_policy" in topics_in(text, cancelling=True)
        and not _WANTS_CANCEL.search(fold(text))
    )


# "cancel both of my bookings", "anula las dos", "todas mis reservas", "cancelar as duas"
_ALL_OF_THEM = re.compile(
    r"\b(?:both|all|las\s+dos|los\s+dos|ambas|ambos|todas|todos|as\s+duas|os\s+dois|las\s+2|as\s+2)\b"
)


# "I lost the number", "no tengo el localizador", "não tenho o código": no reference to give
_NO_REFERENCE = re.compile(
    r"\b(?:lost|los[et]|don'?t\s+have|do\s+not\s+have|can'?t\s+find|cannot\s+find|no\s+(?:tengo|tenemos|encuentro)"
    r"|perdi|perdimos|he\s+perdido|hemos\s+perdido|nao\s+(?:tenho|temos|acho|encontro)|sin)\b[^.;!?]{0,25}?"
    r"\b(?:number|ref\w*|code|numero|codigo|localizador|confirmation|confirmacion|confirmacao|email|mail|correo)\b"
)


_NUMBER = re.compile(r"(?<![\d/.,:-])\d{3,10}(?![\d/.,:]\d)")


def _numbers(text: str) -> set[str]:
    """The numbers of three digits or more a message carries ("reserva nº 7569", "number 4521")."""
    return set(_NUMBER.findall(text))


def _digits(reference: str) -> str:
    return re.sub(r"\D", "", reference)


def _candidate(b: PmsBooking) -> dict[str, str]:
    return {
        "reference": b.reference,
        "check_in": b.check_in.isoformat(),
        "check_out": b.check_out.isoformat(),
        "room_type": b.room_type,
    }


def _new_dates(
    t: TurnBuilder, b: PmsBooking, entities: dict[str, Any], flags: set[str]
) -> tuple[date, date] | None:
    """The dates the guest wants instead of the booking's (see :func:`changes.new_dates`), read
    against the stay being discussed: the change waiting for its yes, if any, else the booking
    ("ok, the 13th to the 16th then" after "the nearest is 13–16 August")."""
    text = t.message.text if t.message is not None else ""
    lang = t.message.lang if t.message is not None else t.lang
    target = t.state.target or {}
    departure_pending = (  # the change waiting for its yes moved only the departure
        t.state.expect == "confirm_modify"
        and target.get("check_in") == b.check_in.isoformat()
        and target.get("check_out") not in (None, b.check_out.isoformat())
    )
    ci, co = _discussed(t, b)
    return changes.new_dates(
        text,
        lang,
        ci,
        co,
        t.guest.today,
        entities,
        against_stay=t.message is not None,
        prefer_departure=departure_pending,
        named=((b.check_in, b.check_out),) if (ci, co) != (b.check_in, b.check_out) else (),
    )


async def advance(t: TurnBuilder, intent: str, entities: dict[str, Any], flags: set[str]) -> None:
    """One message about an existing booking: the pending confirmation, then which booking,
    whether this guest may touch it, and what they want done with it."""
    state = t.state
    if _confirmation(t, intent, entities):
        return
    if await _a_new_stay_after_all(t, intent, entities, flags):
        return
    if (
        state.expect == "booking_ref"
        and intent == "deny"
        and "booking_ref" not in entities
        and (t.message is None or t.message.intent not in ("book_room", "check_availability", "ask_price"))
    ):
        t.handoff("no_reference", "handoff_requested")  # "no tengo el número": reception finds it by name
        return
    pending = (state.target or {}).get("request")
    try:
        booking = await _find_target(t, entities)
    except PmsError:
        t.say("operation_pending")
        t.turn.attention = "pms_unavailable"
        return
    if booking is None or not _proven(t, booking, entities):
        if state.flow == "modify" and t.message is not None and state.expect:
            # "add my son" asked which booking: the request waits for the answer, not lost with it
            asked = pending or {"text": t.message.text, "entities": _plain(entities)}
            state.target = {**(state.target or {}), "request": asked}
        return
    if t.state.flow == "status" and _asks_a_change(t, booking, entities, flags):
        t.state.flow = "modify"  # "booking HB-…: we leave on the 21st, not the 22nd"
    if pending and state.flow == "modify" and not _says_change(t, entities):
        t.message = replace(t.message, text=pending["text"]) if t.message is not None else None
        entities = {**pending["entities"], **{k: v for k, v in entities.items() if k == "booking_ref"}}
    await ACTIONS[state.flow or "status"](t, booking, entities, flags)


def _proposed(t: TurnBuilder) -> tuple[date, date] | None:
    """The stay of the change waiting for its yes ("the nearest is 13–16 August: shall I?")."""
    target = t.state.target or {}
    if t.state.expect != "confirm_modify" or not (target.get("check_in") and target.get("check_out")):
        return None
    return date.fromisoformat(target["check_in"]), date.fromisoformat(target["check_out"])


def _discussed(t: TurnBuilder, b: PmsBooking) -> tuple[date, date]:
    """The stay a guest's dates are read against: the change put to them, else the booking."""
    target = t.state.target or {}
    proposed = _proposed(t) if target.get("reference") == b.reference else None
    return proposed or (b.check_in, b.check_out)


def _plain(entities: dict[str, Any]) -> dict[str, Any]:
    """What of a message's entities can wait in the state (JSON) for the next turn."""
    return {k: v for k, v in entities.items() if isinstance(v, str | int | float | bool)}


def _says_change(t: TurnBuilder, entities: dict[str, Any]) -> bool:
    """Does this message say what to change (dates, guests, room), not only which booking?"""
    keys = ("check_in", "check_out", "nights", "extra_nights", "adults", "children", "_party_change")
    if any(k in entities for k in keys):
        return True
    text = t.message.text if t.message is not None else ""
    lang = t.message.lang if t.message is not None else t.lang
    return bool(text) and (changes.relative_shift(text, lang) is not None or changes.says_room_switch(text))


def _change_instead(t: TurnBuilder, entities: dict[str, Any]) -> bool:
    """At "cancel it?", does the guest ask for a change of the booking instead ("no wait, rather
    than cancel, one night less?", "mejor la pasamos al finde siguiente", "my wife can't come
    now")? Dates that are the booking's own only name it ("no, keep the one of the 9th")."""
    if t.message is None:
        return False
    text, lang = t.message.text, t.message.lang
    target = t.state.target or {}
    if target.get("current_check_in"):
        ci, co = (
            date.fromisoformat(target["current_check_in"]),
            date.fromisoformat(target["current_check_out"]),
        )
        wanted = changes.new_dates(text, lang, ci, co, t.guest.today, dict(entities))
        if wanted is not None and wanted != (ci, co):
            return True
    return bool(
        any(k in entities for k in ("extra_nights", "adults", "children", "_party_change"))
        or changes.relative_shift(text, lang) is not None
        or changes.says_party_change(text, lang)
        or (entities.get("room_type") and changes.says_room_switch(text))
    )


def _asks_a_change(t: TurnBuilder, booking: PmsBooking, entities: dict[str, Any], flags: set[str]) -> bool:
    """Does a message about a booking also say what should change in it (other dates, who
    comes, another room)? Then it is a change, not a question about the booking."""
    if t.message is None or booking.status != "confirmed":
        return False
    text, lang = t.message.text, t.message.lang
    if changes.contact_change(text) is not None:
        return True  # "booking HB-…: it has to be in my wife's name"
    party = changes.new_party(text, lang, booking.adults, booking.children, entities)
    if party is not None and (party.adults, party.children) != (booking.adults, booking.children):
        return True
    if _room_wanted(t, booking, entities):
        return True
    if not (changes.says_change(text, lang) or changes.says_new_end(text)):
        return False  # dates alone name the booking ("my booking of the 10th"), not a change
    wanted = _new_dates(t, booking, entities, flags)
    return wanted is not None and wanted != (booking.check_in, booking.check_out)


_NEW_STAY = ("check_in", "check_out", "nights", "adults", "children", "room_type")


async def _a_new_stay_after_all(
    t: TurnBuilder, intent: str, entities: dict[str, Any], flags: set[str]
) -> bool:
    """A guest we found no booking for who goes on describing a stay ("my flight lands on the 3rd,
    3 nights", "a single, just me") wants a new one: the booking flow takes it, with what they said."""
    state = t.state
    if state.flow != "modify" or "booking_ref" in entities or not any(k in entities for k in _NEW_STAY):
        return False
    if entities.get("_party_change") and not any(k in entities for k in ("check_in", "check_out", "nights")):
        return False  # "can I add my son?" is about a booking that exists: found, or its reference asked
    if not (state.asked and state.asked[0] == "no_bookings_found"):
        if state.expect is not None or not (t.guest.phone or t.guest.email):
            return False
        try:
            found = await t.dialogue.pms.find_bookings(email=t.guest.email, phone=t.guest.phone)
        except PmsError:
            return False
        if any(b.check_out >= t.guest.today and b.status == "confirmed" for b in found):
            return False
    from hotelbox.dialogue import booking  # the booking flow imports the engine, as this module does

    state.reset_flow()
    state.flow = "booking"
    await booking.advance(t, "book_room", entities, flags)
    return True


def _confirmation(t: TurnBuilder, intent: str, entities: dict[str, Any]) -> bool:
    """A yes or no to "cancel it?" / "change it?"; True when the message was that."""
    state = t.state
    choice = str(entities.pop("_choice", "") or "")
    ref = (state.target or {}).get("reference", "")
    if state.expect == "confirm_cancel":
        if choice != "cancel_booking" and _change_instead(t, entities):
            # "no wait, rather than cancel, one night less?": a change instead, of the same booking
            state.flow, state.expect, state.prompt = "modify", None, None
            return False
        every = (state.target or {}).get("references") or [ref]  # "cancel both of my bookings"
        if intent == "affirm" or choice == "cancel_booking":
            for one in every:
                _act(t, "cancel", {"reference": one})
            return True
        if intent == "deny" or choice == "keep":
            if len(every) > 1:
                t.say("cancel_all_aborted", ref=", ".join(every))
            else:
                t.say("cancel_aborted", ref=ref)
            state.reset_flow()
            state.discussed = ref or None  # "ok actually yes, cancel it": that booking still
            return True
    changed = any(k in entities for k in ("extra_nights", "adults", "children"))
    target = state.target or {}
    if t.message is not None and target.get("current_check_in"):  # "yes, that's the one" names no date
        current = (
            date.fromisoformat(target["current_check_in"]),
            date.fromisoformat(target["current_check_out"]),
        )
        ci, co = _proposed(t) or current
        named = (current,) if (ci, co) != current else ()  # the booking's own dates name it
        said = changes.reread(t.message.text, t.message.lang, ci, co, t.guest.today, named)
        changed = changed or any(said.get(k) not in (None, target.get(k)) for k in ("check_in", "check_out"))
    else:
        changed = changed or any(k in entities for k in ("check_in", "check_out", "nights"))
    # a change on the table and nothing new said: maybe no change after all
    undecided = state.flow == "modify" and state.expect in ("confirm_modify", "new_dates") and not changed
    words = fold(t.message.text) if undecided and t.message is not None else ""
    # "uh no, sabes qué, mejor cancélala": the booking, cancelled instead (its own question next)
    if words and _CANCEL_INSTEAD.search(words) and not _NOT_CANCEL.search(words):
        state.flow, state.expect, state.prompt = "cancel", None, None
        return False
    if words and _KEEP_AS_IS.search(words):  # "ah ok, then leave it as it is" (no suite free, other dates?)
        t.say("modify_aborted", ref=ref)
        state.reset_flow()
        state.discussed = ref or None
        return True
    if state.expect == "confirm_modify" and not changed:
        if intent == "affirm":
            if t.message is not None and changes.says_cot(t.message.text, t.message.lang):
                asides.note_request(
                    t, "cot", t.message.text
                )  # "yes, and a cot please": the change, and the cot
                t.turn.attention = "cot_request"
            _act(t, "modify", {k: v for k, v in (state.target or {}).items() if not k.startswith("current_")})
            return True
        if intent == "deny":
            if (state.prompt or {}).get("key") == "confirm_modify_long" and target.get("current_check_in"):
                t.ask(  # "no, that's not it": the dates again, not the booking dropped
                    "new_dates",
                    "ask_new_dates",
                    check_in=t.date(target["current_check_in"]),
                    check_out=t.date(target["current_check_out"]),
                )
                return True
            t.say("modify_aborted", ref=ref)
            state.reset_flow()
            state.discussed = ref or None
            return True
    return False


# while a change is discussed: cancel the booking instead ("mejor cancélala", "cancela mesmo", "just
# cancel the booking") — not the change ("cancel that change", "cancela el cambio"), not "don't cancel"
_CANCEL_INSTEAD = re.compile(
    r"\b(?:cancel\w*|anul\w*|desmarc\w*)\b(?![^.;!?]{0,20}\b(?:change|cambio|alterac\w*|mudanc\w*|modif\w*))"
)
_NOT_CANCEL = re.compile(
    r"\b(?:no|not|don'?t|do\s+not|nao|sin|sem|without)\s+(?:(?:me|la|lo|a|o|it|to|need\s+to|quiero|quero|want\s+to)\s+)*"
    r"(?:cancel\w*|anul\w*|desmarc\w*)|\?"
)
# "leave it as it is", "déjala como está", "deixa ficar assim", "never mind", "olvídalo"
_KEEP_AS_IS = re.compile(
    r"\b(?:(?:leave|keep)\s+(?:it|everything|the\s+booking|my\s+booking|our\s+booking)\s+(?:as\s+(?:it\s+)?is|like\s+(?:it\s+is|that)"
    r"|the\s+same|unchanged|as\s+(?:it\s+)?was)|never\s*mind|forget\s+(?:it|about\s+it)|no\s+change"
    r"|dej\w*\s+(?:como\s+esta|asi|igual|tal\s+cual)|(?:la|lo)\s+dejo\s+(?:como\s+esta|asi|igual)|dejala|dejalo"
    r"|que\s+se\s+quede\s+(?:como\s+esta|asi|igual)|olvidalo|olvidelo|mejor\s+no\s+(?:la\s+)?cambi\w*|no\s+la\s+cambi\w*"
    r"|deix\w*\s+(?:como\s+esta|assim|ficar|igual|como\s+estava|estar)|fica\s+(?:como\s+esta|assim)|esquece|esqueca"
    r"|melhor\s+nao\s+(?:mudar|alterar))\b"
)


def _proven(t: TurnBuilder, booking: PmsBooking, entities: dict[str, Any]) -> bool:
    """Whether this guest may see and change the booking, asking for its surname when not."""
    state = t.state
    if owns(booking, t.guest, state):
        return True
    if t.guest.channel == "webchat":
        t.say("ownership_webchat", ref=booking.reference)
        state.reset_flow()
        return False
    if state.expect == "owner_name":
        given = entities.get("guest_name") or entities.get("_text", "")
        if given and same_surname(given, booking.guest_name):
            state.verified.append(booking.reference)
            return True
        said = t.message.text if t.message is not None else ""
        if not entities.get("guest_name") and polarity(str(given) or said) is not None and t.reask():
            return False  # "yes, please cancel it" is no surname, right or wrong: the question again
        t.handoff("ownership", "handoff_ownership", ref=booking.reference)
        return False
    named = entities.get("guest_name") or state.slots.guest_name
    if named and same_surname(named, booking.guest_name):
        state.verified.append(booking.reference)  # "cancel HB-…, it's under Marta Gil Romero"
        return True
    t.ask("owner_name", "ask_owner_name", ref=booking.reference)
    return False


async def _show(t: TurnBuilder, booking: PmsBooking, entities: dict[str, Any], flags: set[str]) -> None:
    t.say("booking_details", **_details(t, booking))
    t.state.reset_flow()
    t.state.discussed = booking.reference


def _over(t: TurnBuilder, booking: PmsBooking) -> bool:
    """A stay that has already ended is neither cancelled nor changed: say so (True), once."""
    if booking.check_out >= t.guest.today:
        return False
    t.say("booking_past", ref=booking.reference, check_in=t.date(booking.check_in),
          check_out=t.date(booking.check_out))  # fmt: skip
    t.state.reset_flow()
    t.state.discussed = booking.reference
    return True


async def _cancel(t: TurnBuilder, booking: PmsBooking, entities: dict[str, Any], flags: set[str]) -> None:
    if booking.status == "cancelled":
        t.say("already_cancelled", ref=booking.reference)
        t.state.reset_flow()
        t.state.discussed = booking.reference  # "so it's cancelled?": that booking, not another
        return
    if _over(t, booking):
        return
    said = t.message.text if t.message is not None else ""
    if "?" in said and (policy := t.dialogue.knowledge.answer(t.lang, "cancellation_policy")):
        t.say_text(policy, "info:cancellation_policy")  # "if I cancel now, do you charge me?"
        # "what's your cancellation policy? I have a booking in July": asked, not a request (once the
        # cancellation is asked for, a question about its cost is answered and the question stands)
        if asks_policy(said) and t.state.expect != "confirm_cancel":
            t.say("cancel_if_wished", ref=booking.reference)
            t.state.reset_flow()
            t.state.discussed = booking.reference
            return
    d = _details(t, booking)
    t.ask(
        "confirm_cancel",
        "confirm_cancel",
        (Option("cancel_booking", t.text("opt_cancel_booking")), Option("keep", t.text("opt_keep"))),
        ref=d["ref"],
        room=d["room"],
        check_in=d["check_in"],
        check_out=d["check_out"],
    )


async def _modify(t: TurnBuilder, booking: PmsBooking, entities: dict[str, Any], flags: set[str]) -> None:
    """A change of the booking's stay: new dates (read against its own dates), another room type,
    more or fewer guests — or all at once — checked against the rooms and priced by the PMS."""
    if booking.status == "cancelled":
        t.say("already_cancelled", ref=booking.reference)
        t.state.reset_flow()
        t.state.discussed = booking.reference  # "so it's cancelled?": that booking, not another
        return
    if _over(t, booking):
        return
    text = t.message.text if t.message is not None else ""
    lang = t.message.lang if t.message is not None else t.lang
    if text and (contact := changes.contact_change(text)) is not None:
        _contact_noted(t, booking, contact)
        return
    party = changes.new_party(text, lang, booking.adults, booking.children, entities) if text else None
    room = _room_wanted(t, booking, entities)
    party_changed = party is not None and (party.adults, party.children) != (booking.adults, booking.children)
    if party is not None and party.cot:
        asides.note_request(t, "cot", text)  # for the room, not a guest: into the booking's remark
        t.turn.attention = "cot_request"
        if not party_changed and not room and not _new_dates(t, booking, entities, flags):
            if not t.reask():  # "and a cot, please" while a change waits for its yes: ask it again
                t.state.reset_flow()
            return
    if (
        entities.get("_party_change")
        and party is None
        and not room
        and not any(k in entities for k in ("check_in", "check_out", "extra_nights"))
    ):
        if t.state.expect == "confirm_modify" and _ask_again(t):
            return  # "can you put him on the same booking?" while that change waits for its yes
        if not changes.says_party_change(text, lang):
            await _show(t, booking, entities, flags)  # "how much is our double?": the booking as it is
            return
        t.handoff("party_change", "handoff_requested")  # who comes, said in a way we cannot read
        t.turn.attention = "party_change"
        return
    if "invalid_date" in flags:
        t.ask("new_dates", "invalid_date")
        return
    wanted = _new_dates(t, booking, entities, flags)
    if wanted is None and (party_changed or room):
        wanted = (booking.check_in, booking.check_out)
    if wanted is None and t.state.expect == "confirm_modify" and _ask_again(t):
        return  # "she's 8" while the change waits for its yes: the question again, not "which dates?"
    if wanted is None:
        t.ask(
            "new_dates",
            "ask_new_dates",
            check_in=t.date(booking.check_in),
            check_out=t.date(booking.check_out),
        )
        return
    ci, co = wanted
    if (ci, co) != (booking.check_in, booking.check_out):
        problem = t.dialogue.check_stay(t, ci, co)
        if problem:
            last = t.guest.today + timedelta(days=t.dialogue.settings.booking_horizon_days)
            values: dict[str, Any] = {"last": t.date(last)} if problem == "too_far" else {}
            t.ask("new_dates", problem, **values)
            return
    if party_changed or room:
        await _change_stay(t, booking, (ci, co), room or booking.room_type, party)
        return
    try:
        offers = await t.dialogue.pms.search(
            ci, co, booking.adults, booking.children, exclude=booking.reference
        )
    except PmsError:
        t.say("operation_pending")
        t.turn.attention = "pms_unavailable"
        return
    offer = next((o for o in offers if o.room_type.code == booking.room_type), None)
    if offer is None and (near := await _nearest_free(t, booking, ci, co)) is not None:
        t.state.target = {
            **_current(booking),
            "check_in": near.check_in.isoformat(),
            "check_out": near.check_out.isoformat(),
            "expected_total": str(near.total_price),
        }
        _propose(  # "no suite from the 13th; the nearest is 14–17 April, €…: shall I?"
            t,
            "modify_nearest",
            (Option("yes", t.text("opt_yes")), Option("no", t.text("opt_no"))),
            ref=booking.reference,
            room=t.room_name(booking.room_type),
            check_in=t.date(ci),
            check_out=t.date(co),
            near_in=t.date(near.check_in),
            near_out=t.date(near.check_out),
            nights=t.nights((near.check_out - near.check_in).days),
            total=t.money(near.total_price, near.currency),
            old_total=t.money(booking.total_price, booking.currency),
        )
        return
    if offer is None:
        t.ask("new_dates", "modify_unavailable", room=t.room_name(booking.room_type),
              check_in=t.date(ci), check_out=t.date(co))  # fmt: skip
        return
    t.state.target = {
        **_current(booking),
        "check_in": ci.isoformat(),
        "check_out": co.isoformat(),
        "expected_total": str(offer.total_price),
    }
    _propose(
        t,
        "confirm_modify_long" if _much_longer(booking, ci, co) else "confirm_modify",
        (Option("yes", t.text("opt_yes")), Option("no", t.text("opt_no"))),
        ref=booking.reference,
        check_in=t.date(ci),
        check_out=t.date(co),
        nights=t.nights((co - ci).days),
        total=t.money(offer.total_price, offer.currency),
        old_total=t.money(booking.total_price, booking.currency),
        old_nights=t.nights(booking.nights),
    )


def _contact_noted(t: TurnBuilder, booking: PmsBooking, contact: changes.ContactChange) -> None:
    """A new holder or e-mail for the booking: reception makes it (in QloApps the name and e-mail
    are the customer's, shared with their other orders), flagged for staff; the stay is untouched."""
    if contact.name and contact.email:
        t.say("contact_both_noted", ref=booking.reference, name=contact.name, email=contact.email)
    elif contact.name:
        t.say("contact_name_noted", ref=booking.reference, name=contact.name)
    else:
        t.say("contact_email_noted", ref=booking.reference, email=contact.email)
    t.turn.attention = "contact_change"
    t.state.reset_flow()
    t.state.discussed = booking.reference


_NEAREST_DAYS = (1, -1, 2, -2, 3, -3)  # how far the nearest free stay is looked for (one PMS search each)


async def _nearest_free(t: TurnBuilder, booking: PmsBooking, check_in: date, check_out: date) -> Offer | None:
    """The booking's room free for as many nights as close as possible to the dates asked (a few
    days either way), not the booking's own dates and not in the past; None when there is none."""
    for days in _NEAREST_DAYS:
        ci, co = check_in + timedelta(days=days), check_out + timedelta(days=days)
        if (ci, co) == (booking.check_in, booking.check_out) or t.dialogue.check_stay(t, ci, co):
            continue
        try:
            offers = await t.dialogue.pms.search(
                ci, co, booking.adults, booking.children, exclude=booking.reference
            )
        except PmsError:
            return None
        if found := next((o for o in offers if o.room_type.code == booking.room_type), None):
            return found
    return None


def _propose(t: TurnBuilder, key: str, options: tuple[Option, ...], **values: Any) -> None:
    """Put a change to the guest for a yes. Another change than the one waiting ("no sorry, the
    19th") is a new question, asked in full with its dates and price, not "reply yes to…"."""
    prompt = t.state.prompt or {}
    if prompt.get("key") == key and prompt.get("values") != values:
        t.state.asked = []
    elif prompt.get("key") == key and t.message is not None and asks(t.message.text):
        t.say(key, options, **values)  # the same change, asked about: the question again, in full
        return
    t.ask("confirm_modify", key, options, **values)


def _much_longer(booking: PmsBooking, check_in: date, check_out: date) -> bool:
    """A change that makes the stay far longer than the booking ("el 21 y no el 22" misread as a
    month): put to the guest as a question with both lengths, never confirmed as a routine change."""
    nights = (check_out - check_in).days
    return nights - booking.nights > 7 and nights > 2 * booking.nights


def _room_wanted(t: TurnBuilder, booking: PmsBooking, entities: dict[str, Any]) -> str:
    """The room type the guest wants instead of the booking's, or "" (see :func:`changes.room_wanted`)."""
    if t.message is None:
        return ""
    named = changes.rooms_named(t.message.text, t.dialogue.room_aliases())
    return changes.room_wanted(t.message.text, booking.room_type, named, entities.get("room_type"))


def _ask_again(t: TurnBuilder) -> bool:
    """The pending question again: in full after a question ("will he fit in our room?": the
    change names the room, the guests and the price), in short otherwise."""
    prompt = t.state.prompt
    if prompt and t.message is not None and "?" in t.message.text and t.state.flow and t.state.expect:
        t.say(prompt["key"], t.prompt_options(), **prompt["values"])
        return True
    return t.reask()


async def _change_stay(
    t: TurnBuilder, booking: PmsBooking, dates: tuple[date, date], room: str, party: changes.Party | None
) -> None:
    """Another room type and/or party (and maybe dates): what fits, what it costs, then "shall I?".

    Too many for the room asked → the room type that fits, with its price, to confirm; too many
    for any room or above ``dialogue.max_party`` → the group / several-rooms handoff."""
    d = t.dialogue
    ci, co = dates
    adults, children = (party.adults, party.children) if party else (booking.adults, booking.children)
    if adults < 1:
        t.ask("new_party", "no_adults")
        return
    if adults + children > d.settings.max_party:
        t.handoff("group", "handoff_group", max=d.settings.max_party)
        return
    if not any(rt.fits(adults, children) for rt in d.room_types):
        t.handoff(
            "multi_room", "handoff_multi_room", max=max((rt.max_guests for rt in d.room_types), default=0)
        )
        return
    try:
        offers = await d.pms.search(ci, co, adults, children, exclude=booking.reference)
    except PmsError:
        t.say("operation_pending")
        t.turn.attention = "pms_unavailable"
        return
    offer = next((o for o in offers if o.room_type.code == room), None)
    asked = d.room_type(room)
    if offer is None and offers and asked is not None and not asked.fits(adults, children):
        other = offers[0]  # the cheapest room that takes them all, free for the stay
        t.state.target = _target(booking, other, adults, children)
        _propose(
            t,
            "modify_room_suggest",
            (Option("yes", t.text("opt_yes")), Option("no", t.text("opt_no"))),
            ref=booking.reference,
            room=t.room_name(room),
            guests=t.guests(adults, children),
            other=t.room_name(other.room_type.code),
            check_in=t.date(ci),
            check_out=t.date(co),
            total=t.money(other.total_price, other.currency),
            old_total=t.money(booking.total_price, booking.currency),
        )
        return
    if offer is None:
        t.say("modify_room_unavailable", ref=booking.reference, room=t.room_name(room),
              guests=t.guests(adults, children), check_in=t.date(ci), check_out=t.date(co))  # fmt: skip
        t.turn.attention = "party_change"  # reception may find a way (another room, two rooms)
        t.state.reset_flow()
        return
    waiting = (
        t.state.expect == "confirm_modify" and (t.state.prompt or {}).get("key") == "confirm_modify_stay"
    )
    same = waiting and _target(booking, offer, adults, children) == t.state.target
    t.state.target = _target(booking, offer, adults, children)
    if same:
        pass  # "how much is it with the suite?" about the change waiting: its question has the price
    elif t.message is not None and changes.asks_price(t.message.text):  # "¿cuánto sería la diferencia?"
        diff = offer.total_price - booking.total_price
        t.say(
            "modify_costs_more" if diff > 0 else "modify_costs_less" if diff < 0 else "modify_costs_same",
            room=t.room_name(offer.room_type.code),
            total=t.money(offer.total_price, offer.currency),
            diff=t.money(abs(diff), offer.currency),
            old_total=t.money(booking.total_price, booking.currency),
        )
    _propose(
        t,
        "confirm_modify_stay",
        (Option("yes", t.text("opt_yes")), Option("no", t.text("opt_no"))),
        ref=booking.reference,
        room=t.room_name(offer.room_type.code),
        check_in=t.date(ci),
        check_out=t.date(co),
        nights=t.nights((co - ci).days),
        guests=t.guests(adults, children),
        total=t.money(offer.total_price, offer.currency),
        old_total=t.money(booking.total_price, booking.currency),
    )


def _target(booking: PmsBooking, offer: Offer, adults: int, children: int) -> dict[str, Any]:
    """The complete stay to write, as the change's outbox request will carry it."""
    return {
        **_current(booking),
        "room_type": offer.room_type.code,
        "check_in": offer.check_in.isoformat(),
        "check_out": offer.check_out.isoformat(),
        "adults": adults,
        "children": children,
        "expected_total": str(offer.total_price),
    }


Action = Callable[[TurnBuilder, PmsBooking, dict[str, Any], set[str]], Awaitable[None]]
ACTIONS: dict[str, Action] = {"status": _show, "cancel": _cancel, "modify": _modify}


def _current(b: PmsBooking) -> dict[str, str]:
    """The target as remembered between turns: its reference and its dates (for "until the 30th")."""
    return {
        "reference": b.reference,
        "current_check_in": b.check_in.isoformat(),
        "current_check_out": b.check_out.isoformat(),
    }


def _act(t: TurnBuilder, operation: Literal["create", "modify", "cancel"], data: dict[str, Any]) -> None:
    t.turn.actions.append(BookingAction(operation, {**data, "lang": t.lang}))
    t.state.expect = "operation_result"
    t.state.prompt = None


async def on_result(t: TurnBuilder, event: dict[str, Any]) -> None:
    state = t.state
    outcome = event["outcome"]
    ref = event.get("request", {}).get("reference", "")
    if outcome == "confirmed":
        b = PmsBooking.from_json(event["booking"])
        request = event.get("request", {})
        if event["operation"] == "modify" and ("adults" in request or "room_type" in request):
            t.say(  # the PMS kept the room's guests (QloApps, same room and dates): staff set them
                "modify_stay_noted" if b.notes else "modify_stay_done",
                ref=b.reference,
                room=t.room_name(b.room_type),
                check_in=t.date(b.check_in),
                check_out=t.date(b.check_out),
                guests=t.guests(int(request.get("adults") or b.adults), int(request.get("children") or 0)),
                total=t.money(b.total_price, b.currency),
            )
        elif event["operation"] == "modify":
            t.say(
                "modify_done",
                ref=b.reference,
                check_in=t.date(b.check_in),
                check_out=t.date(b.check_out),
                total=t.money(b.total_price, b.currency),
            )
        else:
            t.say("cancel_done", ref=b.reference)
        state.reset_flow()
        state.discussed = b.reference if event["operation"] == "modify" else None
    elif outcome == "pending":
        if not event.get("repeat"):
            t.say("operation_pending")
    elif outcome == "unavailable":
        request = event.get("request", {})
        state.flow = "modify"
        state.target = {"reference": ref}
        t.ask(
            "new_dates",
            "modify_unavailable",
            room=t.room_name(request.get("room_type") or event.get("booking", {}).get("room_type", "")),
            check_in=t.date(request.get("check_in", t.guest.today.isoformat())),
            check_out=t.date(request.get("check_out", t.guest.today.isoformat())),
        )
    else:
        t.say("operation_failed", ref=ref)
        t.turn.attention = "booking_failed"
        state.reset_flow()
