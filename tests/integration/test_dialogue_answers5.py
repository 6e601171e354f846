"""Questions, small talk and requests around the flows (issue 12, classes 7 and 8, fifth round):
"sorry, wrong chat" is answered with "no problem" (never a complaint, a booking or a handoff);
"ok thanks" to "which dates?" closes politely instead of counting as a miss; a nod with nothing
asked is acknowledged; where the hotel is, asked in every wording; a request about a booking
the guest already has ("we'll arrive late", "a cot please") is acknowledged, written into THAT
booking's remark in the PMS through the outbox, and never kept for a later booking. Whole
conversations through the real pipeline and the demo hotel, in Spanish, English and Portuguese."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotelbox.daemon import Box
from tests import support
from tests.support import RecordingChannel, seed_booking

TODAY = date(2027, 3, 10)
_ids = count(1)


@dataclass
class Chat(support.Chat):
    """The shared chatting guest, with what this module asks of its conversation."""

    def sent(self, last: bool = True) -> str:
        return " ".join(r.key or "" for r in (self.last if last else self.replies))

    async def writes(self, operation: str) -> list[dict[str, Any]]:
        """The PMS writes this guest's conversation queued (create / modify / cancel)."""
        conversation = await self.conversation()
        rows = await self.box.store.fetchall(
            "SELECT request FROM pms_outbox WHERE conversation_id = ? AND operation = ? ORDER BY id",
            (conversation["id"], operation),
        )
        return [json.loads(r["request"]) for r in rows]


@pytest.fixture
def chat(box: tuple[Box, RecordingChannel]) -> Callable[..., Chat]:
    b, channel = box
    b.pipeline.clock = lambda: datetime(
        TODAY.year, TODAY.month, TODAY.day, 11, tzinfo=ZoneInfo("Europe/Madrid")
    )
    return lambda prefix="+346": Chat(b, channel, f"{prefix}{next(_ids):08d}")


async def remarks(box: Box, reference: str) -> list[str]:
    return list(await box.pms.remarks(reference))  # type: ignore[attr-defined]  # the demo PMS's


# -- "sorry, wrong chat": no problem, never a complaint, a booking or a person ------------------
@pytest.mark.parametrize(
    ("prefix", "first", "oops"),
    [
        ("+346", "jajajajaja", "perdon, me equivoque de chat"),
        ("+447", "Hey Siri set an alarm for 7am", "lol ignore that"),
        ("+5511", "kkkkkkkkk", "foi mal, era outra conversa"),
        ("+5521", "haha", "sorry that was for another chat"),
    ],
)
async def test_a_message_sent_to_the_wrong_chat_is_answered_no_problem(chat, prefix, first, oops) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(first)
    await c(oops)
    assert c.sent() == "oops_ack", c.transcript()
    conversation = await c.conversation()
    assert conversation["control"] == "bot", c.transcript()
    await c("ok")
    assert (await c.conversation())["control"] == "bot", c.transcript()


@pytest.mark.parametrize(
    ("prefix", "first", "oops"),
    [
        ("+5531", "Oi mãe, chego às 8 hj", "opa desculpa, numero errado"),
        ("+346", "Hola Marta, llego el viernes a las 8", "uy perdón, número equivocado"),
        ("+447", "hey mate, arriving friday around 8", "sorry wrong number"),
    ],
)
async def test_a_wrong_number_drops_what_its_message_started(chat, prefix, first, oops) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(first)
    await c(oops)
    assert c.sent() == "oops_ack", c.transcript()
    await c("ok")
    await c("ok")
    conversation = await c.conversation()
    assert conversation["control"] == "bot", c.transcript()
    assert json.loads(conversation["dialogue"])["flow"] is None, c.transcript()


async def test_a_question_after_the_apology_is_answered(chat) -> None:  # type: ignore[no-untyped-def]
    c = chat("+447")
    await c("turn on the kitchen lights")
    await c("oops wrong chat, sorry. do you have parking?")
    assert c.said("15", last=True), c.transcript()


# -- "ok thanks" to a question that asks for a fact: closing, not a miss -------------------------
@pytest.mark.parametrize(
    ("prefix", "opening", "closing"),
    [
        ("+447", "do you have a penthouse or something big for 3 of us?", "ok thanks"),
        ("+346", "quiero reservar una habitacion doble", "vale gracias"),
        ("+5511", "queria reservar um quarto", "ok obrigado"),
    ],
)
async def test_thanks_to_a_question_for_a_fact_is_no_miss(chat, prefix, opening, closing) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(opening)
    await c("hmm")
    await c(closing)
    assert c.sent() == "thanks", c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+346", "muchas gracias!! hasta pronto"),
        ("+447", "thanks a lot, bye!"),
        ("+5511", "valeu, obrigado! tchau"),
    ],
)
async def test_thanks_and_goodbye_together_say_goodbye(chat, prefix, text) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c("hola" if prefix == "+346" else "hi" if prefix == "+447" else "oi")
    await c(text)
    assert c.sent() == "goodbye", c.transcript()


# -- a nod with nothing asked ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "question", "nod"),
    [
        ("+5511", "tem piscina privativa no quarto?", "ah ok"),
        ("+447", "hi do you have parking", "ok"),
        ("+346", "teneis wifi?", "vale, entendido"),
        ("+447", "do you allow dogs?", "👍"),
    ],
)
async def test_a_nod_with_nothing_asked_is_acknowledged(chat, prefix, question, nod) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(question)
    await c(nod)
    assert c.sent() == "ack", c.transcript()


# -- where the hotel is, in every wording ----------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+5511", "oi, onde vcs ficam?"),
        ("+5215", "hola buenas, donde quedan ustedes? y que tan lejos esta el aeropuerto?"),
        ("+346", "¿y dónde estáis exactamente?"),
        ("+447", "where r u guys located"),
        ("+5511", "como chego ai?"),
        ("+351", "qual é a vossa morada?"),
        ("+447", "how far are you from the beach"),
    ],
)
async def test_where_the_hotel_is_in_every_wording(chat, prefix, text) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(text)
    assert "info:location" in c.sent(), c.transcript()
    assert c.said("Paseo Mar"), c.transcript()


async def test_parking_in_colombian_words_gets_its_own_price(chat) -> None:  # type: ignore[no-untyped-def]
    c = chat("+5730")
    await c("buenas, queria saber si")
    await c("si tienen parqueadero y cuanto vale")
    assert "info:parking" in c.sent(), c.transcript()


# -- a request about a booking the guest has: into THAT booking's remark -------------------------
@pytest.mark.parametrize(
    ("prefix", "text", "kind"),
    [
        (
            "+346",
            "hola, tengo la reserva {ref}. vamos a llegar tarde, sobre las 23h, hay algun problema?",
            "late_arrival",
        ),
        ("+5511", "oi, tenho a reserva {ref}, vamos chegar tarde, lá pelas 23h", "late_arrival"),
        ("+447", "hi, booking {ref} - can we get a cot for the baby?", "cot"),
    ],
)
async def test_a_request_on_a_booking_is_written_into_its_remark(box, chat, prefix, text, kind) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    c = chat(prefix)
    booking = await seed_booking(b, c.phone, check_in=date(2027, 7, 20), check_out=date(2027, 7, 23))
    await c(text.format(ref=booking.reference))
    assert "request:" in c.sent() or "cot_noted" in c.sent(), c.transcript()
    assert "new_dates" not in c.sent(), c.transcript()  # a request, not a change of dates
    written = await c.writes("modify")
    assert [w["reference"] for w in written] == [booking.reference], c.transcript()
    assert f"[{kind}]" in written[0]["remark"]
    assert any(f"[{kind}]" in r for r in await remarks(b, booking.reference)), c.transcript()
    after = await b.pms.get_booking(booking.reference)
    assert (after.check_in, after.check_out, after.adults, after.status) == (
        booking.check_in,
        booking.check_out,
        booking.adults,
        "confirmed",
    )
    await c("ok gracias" if prefix == "+346" else "ok thanks" if prefix == "+447" else "ok obrigado")
    assert (await c.conversation())["control"] == "bot", c.transcript()


async def test_a_request_after_booking_goes_to_that_booking_not_the_next(box, chat) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    c = chat("+447")
    await c("hi, a single room 10 to 12 july for me, name is Tom Hardy")
    await c("no email")
    await c("yes please")
    first = await c.writes("create")
    assert len(first) == 1, c.transcript()
    conversation = await c.conversation()
    created = json.loads(conversation["dialogue"])["created"]
    assert len(created) == 1, c.transcript()
    await c("btw i'll be arriving late, around midnight")
    assert "request:late_arrival" in c.sent(), c.transcript()
    notes = await c.writes("modify")
    assert [n["reference"] for n in notes] == created, c.transcript()
    assert any("[late_arrival]" in r for r in await remarks(b, created[0])), c.transcript()
    # a second booking in the same chat does not carry the first one's request
    await c("can I also book a double for 2 people from 20 to 22 august?")
    await c("yes")
    creates = await c.writes("create")
    assert len(creates) == 2, c.transcript()
    assert "late_arrival" not in (creates[1].get("remark") or ""), c.transcript()


async def test_a_request_before_any_booking_waits_for_the_booking_made(chat) -> None:  # type: ignore[no-untyped-def]
    c = chat("+346")
    await c("hola, llegaremos tarde, sobre las 23h")
    assert await c.writes("modify") == [], c.transcript()
    await c("queremos una doble del 5 al 7 de mayo para 2, a nombre de Ana Ruiz Gil")
    await c("sin correo")
    await c("si")
    creates = await c.writes("create")
    assert len(creates) == 1, c.transcript()
    assert "[late_arrival]" in (creates[0].get("remark") or ""), c.transcript()


async def test_a_request_on_someone_elses_booking_writes_nothing(box, chat) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    c = chat("+447")
    other = await seed_booking(b, "+441111111111", name="Emma Clark", email="emma@example.com")
    await c(f"hi, booking {other.reference} - we'll arrive late, around 11pm")
    assert await c.writes("modify") == [], c.transcript()
    assert await remarks(b, other.reference) == []


# -- a complaint said about a booking: a person, not the booking's details -------------------------
@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+447", "booking {ref}: we arrived and the room smells of smoke, not happy at all"),
        ("+346", "reserva {ref}: la habitación está sucia y el aire no funciona"),
        ("+5511", "reserva {ref}, o quarto está sujo e o chuveiro quebrado"),
    ],
)
async def test_a_complaint_about_a_booking_goes_to_a_person(box, chat, prefix, text) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    c = chat(prefix)
    booking = await seed_booking(b, c.phone)
    await c(text.format(ref=booking.reference))
    assert c.sent() == "handoff_complaint", c.transcript()
    assert (await c.conversation())["control"] == "waiting_staff"


@pytest.mark.parametrize(
    ("prefix", "first", "then", "key"),
    [
        ("+5511", "Alexa tocar musica sertaneja", "ops", "oops_ack"),
        ("+447", "ok grazie, i will think and write again", "bye", "goodbye"),
        ("+346", "vale, lo pienso y os digo", "gracias", "thanks"),
    ],
)
async def test_oops_and_later_never_end_in_a_handoff(chat, prefix, first, then, key) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(first)
    await c(then)
    assert c.sent() == key, c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


async def test_a_request_on_a_booking_with_a_question_gets_both(box, chat) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    c = chat("+346")
    booking = await seed_booking(b, c.phone)
    await c(
        f"hola! para la reserva {booking.reference}, somos celíacos, tenéis opciones sin gluten en el desayuno?"
    )
    assert "request:diet" in c.sent(), c.transcript()
    assert "info:breakfast" in c.sent(), c.transcript()
    assert [w["reference"] for w in await c.writes("modify")] == [booking.reference]


# -- a keyboard mash, a child at the phone: what we can do, in the phone's language, no person ---
@pytest.mark.parametrize(
    ("prefix", "mash", "sorry", "lang"),
    [
        ("+447", "asdf", "sorry!! my toddler", "en"),
        ("+346", "jjjjjjj", "perdón, era mi hijo", "es"),
        ("+5511", "sdfghjk", "desculpa, foi meu filho", "pt"),
    ],
)
async def test_a_keyboard_mash_is_noise_not_a_misunderstanding(chat, prefix, mash, sorry, lang) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(mash)
    assert c.sent() == "no_words", c.transcript()
    assert c.last[0].lang == lang, c.transcript()
    await c("qwerty uiop")
    await c(sorry)
    assert c.sent() == "oops_ack", c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


@pytest.mark.parametrize(
    ("prefix", "text", "topic"),
    [
        ("+346", "hay ascensor? vamos con una persona mayor", "info:accessibility"),
        ("+5511", "tem elevador? vou com uma pessoa idosa", "info:accessibility"),
    ],
)
async def test_a_question_naming_a_person_asks_no_person(chat, prefix, text, topic) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(text)
    assert topic in c.sent(), c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


async def test_thanks_in_french_is_thanks(chat) -> None:  # type: ignore[no-untyped-def]
    c = chat("+336")
    await c("hello, do you have parking?")
    await c("merci beaucoup")
    assert c.sent() == "thanks", c.transcript()


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+5511", "o hotel onde to é horrivel 😩 da pra reservar com vcs de 20 a 23 de março? só eu"),
        ("+447", "our current hotel is filthy, do you have a double from 20 to 23 march for 2?"),
    ],
)
async def test_a_complaint_about_another_hotel_is_a_booking_here(chat, prefix, text) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(text)
    assert "handoff_complaint" not in c.sent(), c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


@pytest.mark.parametrize(
    ("prefix", "first", "oops", "lang"),
    [
        ("+3519", "Olá Rita, já chegaste?", "desculpe, enganei-me no número", "pt"),
        ("+447", "Hey Siri set a timer for 10 minutes", "lol wrong app sorry", "en"),
    ],
)
async def test_an_apology_is_answered_in_the_phones_language(chat, prefix, first, oops, lang) -> None:  # type: ignore[no-untyped-def]
    c = chat(prefix)
    await c(first)
    await c(oops)
    assert c.sent() == "oops_ack", c.transcript()
    assert c.last[0].lang == lang, c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


# -- a faint "complaint" with no grievance in it: the guest's answer, not a handoff ---------------
async def test_keep_it_to_the_cancel_question_is_no_complaint(box, chat) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    c = chat("+447")
    booking = await seed_booking(b, c.phone)
    await c(f"i want cancel reservation {booking.reference}")
    await c("no wait, keep it. we still come")
    assert c.sent() == "cancel_aborted", c.transcript()
    assert (await b.pms.get_booking(booking.reference)).status == "confirmed"


async def test_too_expensive_with_another_room_is_a_correction_not_a_complaint(chat) -> None:  # type: ignore[no-untyped-def]
    c = chat("+393")
    await c("Good morning, we are 2 adults, we want the suite from 5 to 8 july")
    await c("mamma mia is very expensive.. maybe the double room is better, same dates")
    assert "handoff_complaint" not in c.sent(), c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


async def test_an_apology_with_a_question_gets_the_answer(chat) -> None:  # type: ignore[no-untyped-def]
    c = chat("+3519")
    await c("sdfkjh lkjjj ççç")
    await c("desculpe, o meu filho pegou no telemóvel 🙈 queria saber se têm wifi nos quartos")
    assert "info:wifi" in c.sent(), c.transcript()
