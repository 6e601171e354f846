"""Every question answered inside any flow (issue 12, class 7, fourth round): questions asked
while a booking is being made — in the first message, after the offer, while giving the name,
at the summary, with "ok book it" in the same message — are each answered from the hotel's facts
(or "I've asked reception", with the desk told), and the booking goes on. Questions about what a
room HAS are answered from that room's own description; requests (a cot, a late arrival, an
allergy…) are kept with the booking for the desk and acknowledged once. Whole conversations
through the real pipeline and the demo hotel, in Spanish, English and Portuguese."""

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
from hotelbox.nlu.text import fold
from tests import support
from tests.support import RecordingChannel, seed_booking

TODAY = date(2027, 3, 10)
_ids = count(1)


@dataclass
class Chat(support.Chat):
    """The shared chatting guest, with what this module asks of its conversation."""

    def sent(self, last: bool = True) -> list[str]:
        return [r.key or "" for r in (self.last if last else self.replies)]

    async def booked(self) -> list[dict[str, Any]]:
        """The create requests this guest's conversation queued for the PMS."""
        conversation = await self.conversation()
        rows = await self.box.store.fetchall(
            "SELECT request FROM pms_outbox WHERE conversation_id = ? AND operation = 'create'",
            (conversation["id"],),
        )
        return [json.loads(r["request"]) for r in rows]


@pytest.fixture
def chat(box: tuple[Box, RecordingChannel]) -> Callable[[], Chat]:
    b, channel = box
    b.pipeline.clock = lambda: datetime(
        TODAY.year, TODAY.month, TODAY.day, 11, tzinfo=ZoneInfo("Europe/Madrid")
    )
    return lambda: Chat(b, channel, f"+346{next(_ids):08d}")


# -- a question without a question mark in a long first message ---------------------------------
async def test_breakfast_asked_without_a_question_mark_in_the_first_message(chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    await c(
        "hola mira queremos escaparnos del viernes 30 de abril al domingo 2 de mayo somos mi marido y yo"
        " y queriamos una doble y cuanto seria todo junto y el desayuno va aparte o esta incluido"
    )
    assert c.said("desayuno", "7:30")  # the question answered…
    assert "ask_name" in "+".join(c.sent())  # …and the booking goes on: the price, then the name


# -- what a room has -----------------------------------------------------------------------------
ROOM_QUESTIONS = {
    "es": ("quiero la suite del 10 al 12 de junio para 2, tiene bañera?", "hidromasaje"),
    "en": ("hi, i would like a suite for me and my husband 10 to 12 june, it have bathtub?", "whirlpool"),
    "pt": ("queria a suíte de 10 a 12 de junho para 2, tem banheira?", "hidromassagem"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_bathtub_question_is_answered_from_the_rooms_facts(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    text, fact = ROOM_QUESTIONS[lang]
    await c(text)
    assert c.said(fact)
    assert c.sent()[-1] == "ask_name"  # the offer stands, the name is asked


PRIVATE_BATHROOM = {
    "es": ("una doble del 10 al 12 de junio para 2", "la habitación tiene baño privado?", "baño privado"),
    "en": ("a double from 10 to 12 june for 2", "does the room have a private bathroom?", "private bathroom"),
    "pt": (
        "um quarto duplo de 10 a 12 de junho para 2",
        "o quarto tem casa de banho privativa?",
        "casa de banho",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_bathroom_question_gets_that_room_not_the_list(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    first, question, fact = PRIVATE_BATHROOM[lang]
    await c(first)
    await c(question)
    assert c.said(fact, last=True)
    assert "room_types" not in c.sent()  # not every room of the hotel
    assert c.sent()[-1] == "continue_booking"  # and the name asked again, once


UNKNOWN_FEATURE = {
    "es": ("una doble del 10 al 12 de junio para 2", "tiene aire acondicionado y caja fuerte?"),
    "en": ("a double from 10 to 12 june for 2", "is there a kettle and a safe in the room?"),
    "pt": ("um quarto duplo de 10 a 12 de junho para 2", "o quarto tem ar condicionado?"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_what_the_room_facts_do_not_say_goes_to_reception(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    first, question = UNKNOWN_FEATURE[lang]
    await c(first)
    await c(question)
    assert "info:room_unknown" in c.sent()  # "I've asked reception", never a guess…
    assert c.said({"es": "recepción", "en": "reception", "pt": "receção"}[lang], last=True)
    assert (await c.conversation())["attention"] == "unanswered_question"  # …and the desk is told
    assert c.sent()[-1] == "continue_booking"


# -- requests kept with the booking --------------------------------------------------------------
COT = {
    "es": (
        "hola, una habitación para mi mujer y yo y el bebé del 5 al 8 de julio, necesitamos una cuna",
        "cuna",
    ),
    "en": ("hi, a room for me and my wife and our baby, from 5 to 8 july. we need a cot for the baby", "cot"),
    "pt": (
        "olá, um quarto para mim, a minha mulher e o bebé de 5 a 8 de julho, precisamos de um berço",
        "berço",
    ),
}
NAME = {"es": "Pablo Jiménez, sin email", "en": "Pablo Jimenez, no email", "pt": "Pablo Jimenez, sem email"}
YES = {"es": "sí, confirma", "en": "yes, book it", "pt": "sim, confirmo"}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_cot_asked_while_booking_is_acknowledged_once_and_reaches_the_desk(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    text, word = COT[lang]
    await c(text)
    assert "cot_noted" in c.sent()
    assert c.said(word, last=True)
    assert (await c.conversation())["attention"] == "cot_request"
    await c("1")  # the first room offered
    await c(NAME[lang])
    await c(YES[lang])
    assert c.sent(last=False).count("cot_noted") == 1  # acknowledged once
    [request] = await c.booked() or [c.transcript()]
    assert word in fold(request["remark"] or "") or "[cot]" in (request["remark"] or "")


LATE = {
    "es": ("una doble del 10 al 12 de junio para 2", "llegaremos tarde, sobre las 23h, pasa algo?"),
    "en": ("a double from 10 to 12 june for 2", "we will arrive late, around 11pm, is that ok?"),
    "pt": (
        "um quarto duplo de 10 a 12 de junho para 2",
        "vamos chegar tarde, por volta das 23h, há problema?",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_late_arrival_is_noted_with_the_booking(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    first, late = LATE[lang]
    await c(first)
    await c(late)
    assert "request:late_arrival" in c.sent()
    assert c.sent()[-1] in ("continue_booking", "ask_name", "ask_name_again")  # the booking goes on
    await c(NAME[lang])
    await c(YES[lang])
    [request] = await c.booked()
    assert "[late_arrival]" in (request["remark"] or "")


# -- questions in every position of the booking --------------------------------------------------
AMEX = {
    "es": ("una doble del 10 al 12 de junio para 2", "aceptáis amex?"),
    "en": ("a double from 10 to 12 june for 2", "do ye take amex?"),
    "pt": ("um quarto duplo de 10 a 12 de junho para 2", "aceitam amex?"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_card_question_mid_booking_is_answered_not_read_as_goodbye(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    first, amex = AMEX[lang]
    await c(first)
    await c(amex)
    assert "info:payment" in c.sent()
    assert c.said("American Express", last=True)
    assert "goodbye" not in c.sent()
    await c(NAME[lang])
    await c(YES[lang])
    assert len(await c.booked()) == 1


AT_SUMMARY = {
    "es": ("una doble del 10 al 12 de junio para 2", "Ana Ruiz, ana@example.com",
           "el desayuno está incluido? y se puede aparcar? vale, resérvala", ("7:30", "15 €")),
    "en": ("a double from 10 to 12 june for 2", "Ana Ruiz, ana@example.com",
           "is breakfast included? and can we park the car? ok book it", ("7:30", "€15")),
    "pt": ("um quarto duplo de 10 a 12 de junho para 2", "Ana Ruiz, ana@example.com",
           "o pequeno-almoço está incluído? e há estacionamento? ok, pode reservar", ("7:30", "15 €")),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_two_questions_and_a_yes_at_the_summary(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    first, name, last, facts = AT_SUMMARY[lang]
    await c(first)
    await c(name)
    await c(last)
    assert c.said(*facts, last=True)  # both answered…
    assert len(await c.booked()) == 1  # …and the yes taken


PARKING_PRICE = {
    "es": "y parking tenéis? cuánto cuesta al día?",
    "en": "and parking, do you have it? how much per day?",
    "pt": "e estacionamento, têm? quanto custa por dia?",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_parking_price_is_parkings_not_the_room_list(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    await c(PARKING_PRICE[lang])
    assert c.sent() == ["info:parking"]  # no room prices nobody asked for, no "which dates?"


COMPANY = {
    "es": ("necesito 1 individual del 17 al 21 de mayo, viaje de trabajo",
           "la empresa tiene convenio con ustedes? necesito factura a nombre de la empresa"),
    "en": ("i need 1 single room from 17 to 21 may, business trip",
           "does my company have a corporate rate with you? i need an invoice for the company"),
    "pt": ("preciso de 1 quarto individual de 17 a 21 de maio, viagem a trabalho",
           "a empresa tem convenio com vcs? preciso de nota fiscal no cnpj"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_question_the_facts_do_not_cover_goes_to_reception_and_the_booking_goes_on(
    lang: str, chat
) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    first, company = COMPANY[lang]
    await c(first)
    await c(company)
    assert "info_unknown" in c.sent() or "info:room_unknown" in c.sent()
    assert "ask_name_again" not in c.sent()  # not "I need the name" as if nothing was asked
    assert (await c.conversation())["attention"] == "unanswered_question"
    await c(NAME[lang])
    await c(YES[lang])
    assert len(await c.booked()) == 1


SUMMARY_QUESTION = {
    "es": ("una doble del 10 al 12 de junio para 2", "Ana Ruiz, ana@example.com", "tenéis wifi?", "sí"),
    "en": ("a double from 10 to 12 june for 2", "Ana Ruiz, ana@example.com", "is there wifi?", "yes"),
    "pt": ("um quarto duplo de 10 a 12 de junho para 2", "Ana Ruiz, ana@example.com", "têm wifi?", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_question_at_the_summary_is_answered_without_the_summary_again(lang: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    first, name, question, yes = SUMMARY_QUESTION[lang]
    await c(first)
    await c(name)
    assert c.sent()[-1] == "confirm_booking"
    await c(question)
    assert c.sent() == ["info:wifi", "continue_confirm"]  # answered, and the yes asked in one line
    assert "Miramar-Guest" in c.last[0].text
    await c(yes)
    assert len(await c.booked()) == 1


@pytest.mark.parametrize(
    ("lang", "cancel", "question", "yes"),
    [
        ("es", "hola, quiero cancelar mi reserva {ref}", "me cobráis algo?", "sí, anúlala"),
        (
            "en",
            "hi I need to cancel booking {ref}",
            "will I get charged? and do you have wifi?",
            "yes cancel it",
        ),
        ("pt", "olá, quero cancelar a reserva {ref}", "vão cobrar alguma coisa?", "sim, pode cancelar"),
    ],
)
async def test_a_charge_question_while_cancelling_gets_the_policy(
    lang: str, cancel: str, question: str, yes: str, chat, box
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    c = chat()
    booking = await seed_booking(b, c.address)
    await c(cancel.format(ref=booking.reference))
    await c(question)
    assert c.said("48", last=True)  # what cancelling costs, not how to pay
    await c(yes)
    assert (await b.pms.get_booking(booking.reference)).status == "cancelled"


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("hola, las habitaciones tienen aire acondicionado?", "y hay alguna con balcón?"),
        ("hi, do the rooms have a tv?", "and is there any with a balcony?"),
        ("olá, os quartos têm ar condicionado?", "e há algum com varanda?"),
    ],
)
async def test_room_questions_with_no_booking_in_view(first: str, then: str, chat) -> None:  # type: ignore[no-untyped-def]
    c = chat()
    await c(first)
    assert c.sent() == ["info:room_unknown"]  # the facts do not say: reception is asked
    await c(then)
    assert c.sent()[0] == "info:room_list"  # the rooms that have one, from their descriptions
    assert c.said("Suite", last=True)
