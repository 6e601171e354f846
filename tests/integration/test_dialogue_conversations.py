"""Whole conversations through the real pipeline and the demo hotel, one test per kind of
failure issue 12 lists (its classes 1–11), each in Spanish, English and Portuguese. The hotel's
clock is pinned, so "the 12th" and "ayer" mean the same thing on every run."""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotelbox.daemon import Box
from hotelbox.messages import Inbound, Reply
from hotelbox.nlu.text import fold
from hotelbox.pms import PmsBooking
from tests.support import HOTELBOX, RecordingChannel, pms_bookings, seed_booking

TODAY = date(2027, 3, 10)  # a Wednesday
_ids = count(1)


@dataclass
class Chat:
    """A guest writing to the box; ``await chat("text")`` or ``await chat(tap=1)``."""

    box: Box
    channel: RecordingChannel
    address: str
    phone: str | None
    replies: list[Reply] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)

    async def __call__(self, text: str = "", tap: int | None = None) -> list[Reply]:
        choice = None
        if tap is not None:
            option = next(r for r in reversed(self.last) if r.options).options[tap - 1]
            choice, text = option.id, option.title
        accepted = await self.box.pipeline.accept(
            Inbound(
                channel=self.channel.name,
                channel_message_id=f"{self.address}-{next(_ids)}",
                sender=self.address,
                text=text,
                phone=self.phone,
                choice=choice,
            )
        )
        await self.box.settle(accepted.conversation_id)
        self.last = self.channel.replies(self.address)[len(self.replies) :]
        self.replies.extend(self.last)
        return self.last

    async def script(self, *turns: str | int) -> list[Reply]:
        for turn in turns:
            await (self(tap=turn) if isinstance(turn, int) else self(turn))
        return self.replies

    def reply_keys(self) -> list[str]:
        return [r.key or "" for r in self.replies]

    def said(self, *words: str) -> bool:
        text = fold(" ".join(r.text for r in self.replies))
        return all(fold(w) in text for w in words)

    async def conversation(self) -> dict[str, Any]:
        row = await self.box.store.fetchone(
            "SELECT c.* FROM conversations c JOIN guest_identities i ON i.id = c.identity_id"
            " WHERE i.channel = ? AND i.address = ?",
            (self.channel.name, self.address),
        )
        assert row is not None
        return dict(row)


def pin(b: Box, today: date = TODAY) -> None:
    b.pipeline.clock = lambda: datetime(
        today.year, today.month, today.day, 11, tzinfo=ZoneInfo("Europe/Madrid")
    )


@pytest.fixture
def guest(box: tuple[Box, RecordingChannel]) -> Callable[..., Chat]:
    b, channel = box
    pin(b)

    def make(phone: str | None = None) -> Chat:
        number = phone or f"+346{next(_ids):08d}"
        return Chat(b, channel, number, number)

    return make


seed = seed_booking


def made(bookings: list[PmsBooking]) -> PmsBooking:
    [one] = bookings
    return one


# -- 1. a typed yes/no, a label, a number: in every flow ------------------------------------------
CANCEL_YES = {
    "es": ["necesito anular la reserva {ref}", "si porfa, anulala ya"],
    "en": ["hi i need to cancel my reservation {ref}", "yes, go on and cancel it please"],
    "pt": ["boa tarde, queria cancelar a reserva {ref}", "sim sim, pode cancelar"],
}
CANCEL_LABEL = {"es": "Sí, cancelar", "en": "Yes, cancel it", "pt": "Sim, cancelar"}
CANCEL_NO = {"es": "uy no, mejor déjala como está", "en": "no wait, keep it", "pt": "não, deixa estar"}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_typed_yes_cancels_and_a_typed_no_keeps(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    first, yes = CANCEL_YES[lang]
    await chat.script(first.format(ref=booking.reference), yes)
    assert chat.reply_keys()[-2:] == ["confirm_cancel", "cancel_done"]
    assert (await b.pms.get_booking(booking.reference)).status == "cancelled"

    other = guest()
    kept = await seed(b, other.phone)
    await other.script(first.format(ref=kept.reference), CANCEL_NO[lang])
    assert other.reply_keys()[-1] == "cancel_aborted"
    assert (await b.pms.get_booking(kept.reference)).status == "confirmed"


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
@pytest.mark.parametrize("how", ["label", "number"])
async def test_the_buttons_label_or_number_typed_is_the_button(lang: str, how: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    asked = await chat(CANCEL_YES[lang][0].format(ref=booking.reference))
    assert asked[-1].key == "confirm_cancel"
    label = asked[-1].options[0].title
    assert fold(label) == fold(CANCEL_LABEL[lang])
    await chat(label if how == "label" else "1")
    assert chat.reply_keys()[-1] == "cancel_done"
    assert (await b.pms.get_booking(booking.reference)).status == "cancelled"


BOOK_AND_CONFIRM = {
    "es": [
        "hola! una doble del 14 al 16 de abril para 2 adultos",
        "Marta Ruiz",
        "marta.r@example.com",
        "dale, confírmamela",
    ],
    "en": [
        "hey, a double room april 14 to 16, 2 adults",
        "Tom Baker",
        "tom.baker@example.com",
        "yep that's right, book it",
    ],
    "pt": [
        "olá, um quarto duplo de 14 a 16 de abril, 2 adultos",
        "Rita Lopes",
        "rita@example.com",
        "isso mesmo, pode reservar",
    ],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_yes_with_words_around_it_confirms_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    await chat.script(*BOOK_AND_CONFIRM[lang])
    assert chat.reply_keys()[-1] == "booking_confirmed"
    booking = made(await pms_bookings(b))
    assert (booking.check_in, booking.check_out, booking.adults, booking.room_type) == (
        date(2027, 4, 14),
        date(2027, 4, 16),
        2,
        "double",
    )


# -- 2. the party in words --------------------------------------------------------------------
PARTY = {
    "es": ("busco habitacion del 2 al 5 de mayo para mí y mi madre", 2, 0),
    "en": ("any rooms may 2nd to may 5th? it's me and my husband and our baby", 2, 1),
    "pt": ("queria um quarto de 2 a 5 de maio, nós dois", 2, 0),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_party_in_words_is_understood(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    text, adults, children = PARTY[lang]
    replies = await chat(text)
    assert "ask_guests" not in chat.reply_keys()
    assert replies[0].key == "offers"
    offer = fold(replies[0].text)
    assert f"{adults} adult" in offer
    assert any(f"{children} {w}" in offer for w in ("nin", "child", "crian")) == bool(children)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("es", "queremos reservar del 2 al 4 de junio, somos un grupo de 16 amigos"),
        ("en", "family of six, june 2 to june 4, what do you have?"),
        ("pt", "somos 5 adultos, de 2 a 4 de junho"),
    ],
)
async def test_a_party_too_big_goes_to_reception_not_round_in_circles(lang: str, text: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat(text)
    assert chat.reply_keys()[-1] in ("handoff_group", "handoff_multi_room")
    assert (await chat.conversation())["control"] == "waiting_staff"


# -- 3. facts given while something else was asked; never a third time ---------------------------
STUCK = {
    "es": ["quiero una habitacion del 8 al 10 de mayo", "Pedro Sánchez Gil, pedro@example.com", "somos 2"],
    "en": ["need a room 8-10 may", "Kate Green kate.green@example.com", "2 of us"],
    "pt": ["quero um quarto de 8 a 10 de maio", "João Pereira, joao@example.com", "somos 2"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_name_and_email_given_while_asked_the_party_are_kept(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    await chat.script(*STUCK[lang])
    assert "ask_name" not in chat.reply_keys()
    assert "ask_email_optional" not in chat.reply_keys()
    await chat("double")
    assert chat.reply_keys()[-1] == "confirm_booking"
    await chat("ok")
    booking = made(await pms_bookings(b))
    assert booking.guest_name == STUCK[lang][1].split(",")[0].rsplit(" ", 1)[0] or booking.email


@pytest.mark.parametrize(
    ("lang", "start", "noise"),
    [
        ("es", "quiero reservar del 8 al 10 de mayo", ["mmm", "no sé aún"]),
        ("en", "book me may 8 to may 10", ["hmm", "not sure yet"]),
        ("pt", "quero reservar de 8 a 10 de maio", ["hum", "ainda não sei"]),
    ],
)
async def test_the_same_question_is_rephrased_then_handed_over(
    lang: str, start: str, noise: list[str], guest
) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(start, *noise, "???")
    asked = [k for k in chat.reply_keys() if k.startswith("ask_guests")]
    assert asked[:2] == ["ask_guests", "ask_guests_again"]
    assert chat.reply_keys().count("ask_guests") < 3
    assert (await chat.conversation())["control"] == "waiting_staff"


# -- 4. numbers are guests only with a people word -----------------------------------------------
NUMBERS = {
    "es": ["quiero la suite del 2 al 4 de abril, somos 2", "mejor de 6 a 9 de abril", "a las 5 llegamos"],
    "en": [
        "the suite from april 2 to april 4, we are 2",
        "actually make it 6 to 9 april",
        "we'll get there at 5",
    ],
    "pt": ["quero a suíte de 2 a 4 de abril, somos 2", "melhor de 6 a 9 de abril", "chegamos às 5"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_numbers_in_dates_and_times_are_not_guests(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(*NUMBERS[lang])
    state = (await chat.conversation())["dialogue"]
    import json

    slots = json.loads(state)["slots"]
    assert (slots["check_in"], slots["check_out"], slots["adults"]) == ("2027-04-06", "2027-04-09", 2)
    assert "handoff_group" not in chat.reply_keys()


# -- 5. day-only dates, read against the stay being discussed -----------------------------------
UNTIL = {
    "es": ["quiero cambiar las fechas de mi reserva {ref}", "podemos quedarnos hasta el 30?", "sí"],
    "en": ["i'd like to change my booking {ref}", "can we stay until the 30th instead?", "yes"],
    "pt": ["quero alterar a minha reserva {ref}", "dá para ficar até dia 30?", "sim"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_until_the_30th_is_the_30th_of_the_bookings_month(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)  # 20–23 July
    first, until, yes = UNTIL[lang]
    await chat.script(first.format(ref=booking.reference), until, yes)
    assert chat.reply_keys()[-1] == "modify_done"
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 7, 20), date(2027, 7, 30))


NIGHTS_OF = {
    "es": "las noches del 12 y 13 de mayo, para 2 personas",
    "en": "the nights of the 12th and 13th of may, 2 people",
    "pt": "as noites de 12 e 13 de maio, 2 pessoas",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_nights_of_the_12th_and_13th_leave_on_the_14th(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    replies = await chat(NIGHTS_OF[lang])
    assert replies[0].key == "offers"
    assert "2 " in replies[0].text
    assert "14" in replies[0].text


# -- 6. a correction keeps what was said -------------------------------------------------------
PAST = {
    "es": [
        "quiero la suite para mi y mi mujer, llegamos ayer y nos vamos el domingo",
        "perdón, del 19 al 21 de marzo",
    ],
    "en": ["family room for 2 adults and 2 kids from yesterday to sunday", "sorry i meant march 19 to 21"],
    "pt": ["quero a suíte para mim e a minha mulher, de ontem até domingo", "desculpe, de 19 a 21 de março"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_after_a_past_date_the_corrected_dates_keep_party_and_room(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    first, fixed = PAST[lang]
    assert (await chat(first))[-1].key == "past_date"
    replies = await chat(fixed)
    assert [r.key for r in replies][:2] == ["room_chosen", "ask_name"]
    assert "ask_guests" not in chat.reply_keys()


# -- 7. every question answered; plain "no" for what the hotel lacks ---------------------------
QUESTIONS = {
    "es": ("a que hora es el check in? y el check out?", ["15:00", "12:00"]),
    "en": ("what time's check-in and what about check out", ["15:00", "12:00"]),
    "pt": ("qual o horário do check-in? e do check-out?", ["15:00", "12:00"]),
}
LACKS = {
    "es": ("tenéis ático con piscina privada?", ["no", "suite", "piscina"]),
    "en": ("do the rooms have a kitchen?", ["no", "kitchen", "restaurant"]),
    "pt": ("vocês têm penthouse?", ["não", "suíte"]),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_two_questions_get_two_answers(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    text, facts = QUESTIONS[lang]
    await chat(text)
    assert chat.reply_keys() == ["info:checkin_time", "info:checkout_time"]
    assert chat.said(*facts)


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_what_the_hotel_does_not_have_gets_a_plain_no_and_the_nearest_thing(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    text, facts = LACKS[lang]
    await chat(text)
    assert all(k.startswith("info:no_") for k in chat.reply_keys())
    assert chat.said(*facts)


# -- 8. low confidence: ask to rephrase, say what the bot does ------------------------------------
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "turn on the living room light"),
        ("es", "pon musica de los beatles"),
        ("pt", "liga a televisão da sala"),
    ],
)
async def test_low_confidence_is_not_answered_as_a_random_topic(lang: str, text: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat(text)
    assert chat.reply_keys() == ["not_understood"]


# -- 9. language and variety ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("es", "hola, quiero saber si tienen habitacion libre"),
        ("en", "hello, I want to know if you have any free rooms"),
        ("pt", "olá, queria saber se têm quartos livres"),
    ],
)
async def test_after_an_unreadable_first_line_the_guests_language_is_used(
    lang: str, text: str, guest
) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script("zxqv blorp 77 kkk", text)
    assert {r.lang for r in chat.last} == {lang}


async def test_latin_american_spanish_from_the_number_and_the_words(guest) -> None:  # type: ignore[no-untyped-def]
    mexican = guest("+5215512345678")
    await mexican.script("hola quiero reservar del 3 al 5 de junio", "3 personas")
    assert not mexican.said("os alojar")
    assert mexican.said("se van a alojar")
    spaniard = guest("+34611223344")
    await spaniard("hola quiero reservar del 3 al 5 de junio")
    assert spaniard.said("os alojar")
    writes_ustedes = guest("+447700900123")
    await writes_ustedes("hola, ustedes tienen habitación del 3 al 5 de junio?")
    assert writes_ustedes.said("se van a alojar")


async def test_brazilian_portuguese_from_the_number(guest) -> None:  # type: ignore[no-untyped-def]
    brazilian = guest("+5511987654321")
    await brazilian.script(
        "oi, a que horas é o café da manhã?", "quero reservar um duplo de 3 a 5 de junho, 2 adultos"
    )
    assert brazilian.said("café da manhã", "sobrenome")
    assert not brazilian.said("pequeno-almoço")
    portuguese = guest("+351912345678")
    await portuguese("olá, a que horas é o pequeno-almoço?")
    assert portuguese.said("pequeno-almoço")


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, je voudrais réserver une chambre pour deux nuits",
        "Hallo, ich möchte ein Zimmer für zwei Nächte buchen",
    ],
)
async def test_french_or_german_is_told_our_languages_and_offered_a_person(text: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    replies = await chat(text)
    assert chat.reply_keys() == ["languages_we_speak"]
    assert chat.said("español", "English", "português")
    assert replies[0].options[0].id == "human"
    await chat(tap=1)
    assert (await chat.conversation())["control"] == "waiting_staff"


# -- identity: who may see, change or cancel a booking ----------------------------------------
@pytest.mark.parametrize(
    ("lang", "ask", "surname"),
    [
        ("es", "quiero cancelar la reserva {ref}", "Fernández"),
        ("en", "please cancel booking {ref}", "fernandez ruiz"),
        ("pt", "quero cancelar a reserva {ref}", "Lucía Fernández Ruiz"),
    ],
)
async def test_a_stranger_needs_the_reference_and_the_surname(
    lang: str, ask: str, surname: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    owner_phone = "+34699000111"
    booking = await seed(b, owner_phone)
    stranger = guest()
    await stranger.script(ask.format(ref=booking.reference), "Lucía")
    assert stranger.reply_keys()[-2:] == ["ask_owner_name", "handoff_ownership"]
    assert (await b.pms.get_booking(booking.reference)).status == "confirmed"
    other = guest()
    await other.script(ask.format(ref=booking.reference), surname, 1)
    assert other.reply_keys()[-3:] == ["ask_owner_name", "confirm_cancel", "cancel_done"]


async def test_the_web_chat_sees_only_bookings_made_in_that_conversation(settings) -> None:  # type: ignore[no-untyped-def]
    web = RecordingChannel(name="webchat")
    async with Box(settings, {"webchat": web}) as b:
        pin(b)
        someone_elses = await seed(b, "+34699000222")
        chat = Chat(b, web, "session-1", None)
        await chat.script(f"quiero cancelar la reserva {someone_elses.reference}", "Fernández Ruiz")
        assert "confirm_cancel" not in chat.reply_keys()
        assert (await b.pms.get_booking(someone_elses.reference)).status == "confirmed"
        chat2 = Chat(b, web, "session-2", None)
        await chat2.script(
            "una doble del 14 al 16 de abril para 2 adultos", "Eva Marín", "eva@example.com", "sí"
        )
        ref = next(bk.reference for bk in await pms_bookings(b) if bk.guest_name == "Eva Marín")
        await chat2.script(f"quiero cancelar la reserva {ref}", "sí")
        assert chat2.reply_keys()[-1] == "cancel_done"


# -- 10. `hotelbox chat` prints every reply of a turn before reading the next line ---------------
def test_hotelbox_chat_prints_both_replies_before_the_next_line(tmp_path, nlu_cache) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, HOTELBOX_STATE_DIR=str(tmp_path / "var"), HOTELBOX_NLU__MODEL_DIR=str(nlu_cache))
    chat = subprocess.Popen(
        [str(HOTELBOX), "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=tmp_path
    )
    assert chat.stdin is not None
    assert chat.stdout is not None
    try:
        chat.stdin.write(b"quiero reservar una doble del 20 al 23 de julio para 2 adultos\n")
        chat.stdin.flush()
        out = b""
        deadline = time.monotonic() + 120
        while b"nombre" not in out and time.monotonic() < deadline:  # the second reply, unprompted
            ready, _, _ = select.select([chat.stdout], [], [], 1)
            if ready:
                out += os.read(chat.stdout.fileno(), 65536)
        text = out.decode()
        assert "€" in text
        assert "nombre" in text
    finally:
        chat.stdin.close()
        chat.wait(60)


# -- 11. like a receptionist, not a robot ----------------------------------------------------
PRICE = {
    "es": ["hola, habitacion para 2 del 14 al 16 de abril", "cuanto cuesta la doble?"],
    "en": ["hi, room for two people, april 14 to 16", "how much is the double?"],
    "pt": ["olá, quarto para 2 de 14 a 16 de abril", "quanto custa o duplo?"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_price_question_is_answered_not_followed_by_the_name_question(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(*PRICE[lang])
    assert [r.key for r in chat.last] == ["price_answer"]
    assert "€" in chat.last[0].text
    await chat(tap=1)
    assert chat.last[-1].key == "ask_name"


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_offer_is_not_repeated_after_every_answer(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(PRICE[lang][0], "hmm")
    assert chat.reply_keys().count("offers") == 1


async def test_sign_offs_vary_between_confirmations(box, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(*BOOK_AND_CONFIRM["es"])
    await chat.script("otra doble del 20 al 22 de abril para 2 adultos", "sí")
    confirmations = [r.text for r in chat.replies if r.key == "booking_confirmed"]
    assert len(confirmations) == 2
    assert confirmations[0].rsplit(".", 1)[-1] != confirmations[1].rsplit(".", 1)[-1]


def test_spanish_double_surnames_split_as_spanish_names_do() -> None:
    from hotelbox.nlu.entities import split_full_name

    assert split_full_name("Lucía Fernández Ruiz") == ("Lucía", "Fernández Ruiz")
    assert split_full_name("José Luis García López") == ("José Luis", "García López")
    assert split_full_name("Ana Souza") == ("Ana", "Souza")
    # four parts: two given names and two surnames, a particle with the surname after it
    assert split_full_name("Andrés Felipe Rincón Mejía") == ("Andrés Felipe", "Rincón Mejía")
    assert split_full_name("Ana Maria dos Santos Pereira") == ("Ana Maria", "dos Santos Pereira")
    assert split_full_name("María José García de la Fuente") == ("María José", "García de la Fuente")
    assert split_full_name("João Pedro da Silva") == ("João Pedro", "da Silva")
    assert split_full_name("Tom de Vries") == ("Tom", "de Vries")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ok so its me and my wife, my name is Marc Tremblay by the way", "Marc Tremblay"),
        ("my name is john smith by the way", "John Smith"),
        ("I am Tom Baker btw, can u book it", "Tom Baker"),
        ("me llamo José Luis de la Fuente", "José Luis de la Fuente"),
        ("sou a Maria da Silva aliás", "Maria da Silva"),
    ],
)
def test_a_name_ends_where_the_sentence_goes_on(text: str, name: str) -> None:
    from hotelbox.nlu.entities import extract_name

    assert extract_name(text) == name


# -- flows (issue 12): facts from every message, whatever else it says --------------------------
NAME_WITH_YES = {
    "es": ["hola! una doble del 14 al 16 de abril para 2 adultos",
           "perfecto, resérvala. la reserva a nombre de Marta Ruiz Gil, marta@example.com", "sí", "Marta Ruiz Gil"],
    "en": ["hey, a double room april 14 to 16, 2 adults",
           "great, book it please. Name is Tom Baker, tom.baker@example.com", "yes", "Tom Baker"],
    "pt": ["olá, um quarto duplo de 14 a 16 de abril, 2 adultos",
           "ótimo, pode ser. reserva no nome de Rita Lopes Dias, rita@example.com", "sim", "Rita Lopes Dias"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_name_given_with_a_yes_is_taken_not_asked_again(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    first, details, yes, name = NAME_WITH_YES[lang]
    await chat.script(first, details)
    assert chat.last[-1].key == "confirm_booking"
    await chat(yes)
    assert made(await pms_bookings(b)).guest_name == name


NAME_WITH_QUESTION = {
    "es": ["una doble del 14 al 16 de abril para 2 adultos",
           "Perfecto. La reserva sería a mi nombre, Mercedes Aranda Vela. ¿El desayuno está incluido?"],
    "en": ["a double room april 14 to 16, 2 adults",
           "Perfect, the booking is under Ana Miller. Is breakfast included?"],
    "pt": ["um quarto duplo de 14 a 16 de abril, 2 adultos",
           "Perfeito, fica em nome de Joana Prates Lima. O pequeno-almoço está incluído?"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_name_given_with_a_question_gets_the_answer_and_is_kept(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(*NAME_WITH_QUESTION[lang])
    keys = [r.key for r in chat.last]
    assert keys[0] == "info:breakfast"
    assert "ask_name" not in " ".join(keys)
    assert keys[-1] == "confirm_booking_email"


MONTH_FIX = {
    "es": ["individual del 8 al 11 de junio, solo yo", "perdon, me equivoque de mes: julio, no junio"],
    "en": ["single room june 8 to 11, just me", "oops wrong month, I meant July not June"],
    "pt": ["quarto individual de 8 a 11 de junho, só eu", "desculpa, errei o mês: é julho, não junho"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_month_corrected_alone_keeps_the_days(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    import json

    chat = guest()
    await chat.script(*MONTH_FIX[lang])
    slots = json.loads((await chat.conversation())["dialogue"])["slots"]
    assert (slots["check_in"], slots["check_out"], slots["adults"]) == ("2027-07-08", "2027-07-11", 1)


CANCEL_QUESTION = {
    "es": ["hola, quiero cambiar mi reserva {ref}", "se puede cancelar sin cargo?", "ok, cancélala entonces"],
    "en": ["hi, i want to change my booking {ref}", "can I cancel it for free?", "ok then cancel it"],
    "pt": ["olá, quero alterar a minha reserva {ref}", "posso cancelar sem custos?", "ok, então cancele"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_asking_whether_one_can_cancel_is_not_a_yes(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    first, question, cancel = CANCEL_QUESTION[lang]
    await chat.script(first.format(ref=booking.reference), question)
    assert not any(k.startswith(("confirm_", "ask_new_dates")) for k in (r.key or "" for r in chat.last))
    await chat(cancel)
    assert chat.last[-1].key == "confirm_cancel"
    assert (await b.pms.get_booking(booking.reference)).status == "confirmed"


SHORTER = {
    "es": ["una suite para 2 personas del 18 al 22 de junio, cuanto es?", "uf q caro. cambiamos a solo 2 noches, del 18 al 20"],
    "en": ["a suite for 2 people from june 18 to 22, how much?", "too pricey, can we change it to 2 nights only, 18 to 20"],
    "pt": ["suite pra 2 pessoas de 18 a 22 de junho, quanto fica?", "nossa, caro. afinal vamos ficar so 2 noites, de 18 a 20"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_changing_the_offer_is_a_correction_not_a_booking_change(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    import json

    chat = guest()
    await chat.script(*SHORTER[lang])
    assert not any(k.startswith(("no_bookings_found", "ask_booking_ref")) for k in chat.reply_keys())
    slots = json.loads((await chat.conversation())["dialogue"])["slots"]
    assert (slots["check_in"], slots["check_out"], slots["room_type"]) == (
        "2027-06-18",
        "2027-06-20",
        "suite",
    )


# -- flows (issue 12): which booking, and changes said the way guests say them --------------------
WHICH = {
    "es": ["hola, tengo dos reservas y quiero anular la de agosto, la de julio se queda", "sí, anúlala"],
    "en": ["hi, please cancel my August booking, keep the July one", "yes, cancel it"],
    "pt": ["oi, tenho duas reservas e quero cancelar só a de agosto", "sim, pode cancelar"],
}
WHICH_LATER = {
    "es": ["hola, tengo dos reservas y quiero cancelar una", "la de agosto, la otra la mantenemos", "sí"],
    "en": ["hello, I have two bookings and need to cancel one", "the one from the 13th to the 15th", "yes"],
    "pt": ["olá, tenho duas reservas e quero cancelar uma", "a de agosto", "sim"],
}


@pytest.mark.parametrize("script", [WHICH, WHICH_LATER], ids=["first", "answer"])
@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_booking_meant_is_picked_by_its_month_or_days(lang: str, script, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    july = await seed(b, chat.phone, check_in=date(2027, 7, 9), check_out=date(2027, 7, 11))
    august = await seed(b, chat.phone, check_in=date(2027, 8, 13), check_out=date(2027, 8, 15))
    await chat.script(*script[lang])
    assert chat.reply_keys()[-2:] == ["confirm_cancel", "cancel_done"]
    assert (await b.pms.get_booking(august.reference)).status == "cancelled"
    assert (await b.pms.get_booking(july.reference)).status == "confirmed"


# the booking: 20–23 July; each change, then a typed yes
SHIFTS = [
    ("es", "tengo una reserva en julio, podemos llegar un dia despues?", (21, 23)),  # only the arrival
    ("en", "hi, I've got a booking in July, can we push it back a week?", (27, 30)),
    ("pt", "tenho uma reserva em julho, queria ficar mais uma noite", (20, 24)),
    ("es", "hola, mi reserva de julio: quitadnos la ultima noche porfa", (20, 22)),
    ("en", "my booking in july: one night less please, we leave on the 22nd", (20, 22)),
    ("pt", "a minha reserva de julho, saímos a 25 em vez de 23", (20, 25)),
    ("es", "quiero cambiar mi reserva: en vez del 20 al 23 de julio, del 27 al 30", (27, 30)),
    ("en", "change my booking please, arrive the 21st instead of the 20th and leave the 24th", (21, 24)),
    ("pt", "quero alterar a minha reserva, é de 20 a 23. passaria para 27 a 30", (27, 30)),
]


@pytest.mark.parametrize(("lang", "text", "days"), SHIFTS)
async def test_a_change_said_relative_to_the_booking_moves_it(lang: str, text: str, days, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)  # 20–23 July
    await chat(text)
    assert chat.last[-1].key == "confirm_modify"
    await chat({"es": "sí, cámbiala", "en": "yes that's the one", "pt": "sim, pode alterar"}[lang])
    assert chat.last[-1].key == "modify_done"
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 7, days[0]), date(2027, 7, days[1]))


# -- flows (issue 12): the party from the room, a question inside a request, moving on -------------
ROOM_PARTY = {
    "es": ("hola, una individual del 8 al 10 de abril porfa", "una suite para 2 del 8 al 10 de abril"),
    "en": ("hi, a single room april 8 to 10 please", "a suite for 2, april 8 to 10"),
    "pt": ("olá, um quarto individual de 8 a 10 de abril", "uma suite pra 2 de 8 a 10 de abril"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_single_room_is_one_guest_and_a_room_for_2_is_two(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    for text, adults in zip(ROOM_PARTY[lang], (1, 2), strict=True):
        chat = guest()
        await chat(text)
        assert "ask_guests" not in chat.reply_keys()
        assert f"{adults} adult" in fold(chat.last[0].text)


CANCEL_CHARGE = {
    "es": "hola, si cancelo la reserva {ref} ahora me cobrais algo?",
    "en": "if I cancel booking {ref} now, will I be charged?",
    "pt": "se eu cancelar a reserva {ref} agora, vocês cobram alguma coisa?",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_asking_what_cancelling_costs_gets_the_policy_before_the_confirmation(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    """ "If I cancel, will I be charged?" asks, it does not cancel: the policy and how to go on,
    never "are you sure?" (an "ok" to the answer would have cancelled the booking; manage6)."""
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    await chat(CANCEL_CHARGE[lang].format(ref=booking.reference))
    assert chat.reply_keys() == ["info:cancellation_policy", "cancel_if_wished"]
    assert chat.said("48")
    assert (await b.pms.get_booking(booking.reference)).status == "confirmed"


MOVING_ON = {
    "es": ["quiero una habitacion del 8 al 10 de mayo", "perdon, mejor del 18 al 20 de mayo",
           "Pedro Sánchez Gil, pedro@example.com", "somos 2"],
    "en": ["need a room 8-10 may", "sorry, make it may 18 to 20", "Kate Green kate.green@example.com", "2 of us"],
    "pt": ["quero um quarto de 8 a 10 de maio", "desculpe, melhor de 18 a 20 de maio",
           "João Pereira Lima, joao@example.com", "somos 2"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_guest_who_keeps_giving_facts_is_not_handed_over(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    import json

    chat = guest()
    await chat.script(*MOVING_ON[lang])
    assert (await chat.conversation())["control"] == "bot"
    slots = json.loads((await chat.conversation())["dialogue"])["slots"]
    assert (slots["check_in"], slots["adults"], slots["email"] is not None) == ("2027-05-18", 2, True)


# -- flows (issue 12): emergencies, groups said in passing, weekday dates, the offer stretched ------
EMERGENCY = {
    "es": "estoy en la habitacion 112 y mi padre se siente mal, necesitamos un medico",
    "en": "we're in room 112, my wife feels very sick, please call a doctor",
    "pt": "estou no quarto 112, o meu pai está a passar mal, precisamos de um médico",
}
EVENT = {
    "es": "organizamos un evento de empresa en malaga para 15 personas, del 8 al 10 de junio",
    "en": "our company is organising an event in malaga for 15 people, june 8 to 10",
    "pt": "estamos a organizar um evento da empresa para 15 pessoas, de 8 a 10 de junho",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_an_emergency_or_a_group_said_in_passing_goes_to_a_person(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat(EMERGENCY[lang])
    assert (await chat.conversation())["control"] == "waiting_staff"
    group = guest()
    await group(EVENT[lang])
    assert group.reply_keys()[-1] in ("handoff_group", "handoff_multi_room")
    assert (await group.conversation())["control"] == "waiting_staff"


WEEKDAYS = {
    "es": (
        "una doble del jueves 25 al lunes 29 de marzo, somos 3: mi mujer, yo y el peque",
        (25, 29),
        (2, 1),
    ),
    "en": (
        "a double from thursday 25 to monday 29 march, we are 3: my wife, me and our baby",
        (25, 29),
        (2, 1),
    ),
    "pt": (
        "um quarto duplo de quinta 25 a segunda 29 de março, somos 3: eu, a minha mulher e o bebé",
        (25, 29),
        (2, 1),
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_weekday_before_the_day_does_not_move_the_date(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    import json

    chat = guest()
    text, days, party = WEEKDAYS[lang]
    await chat(text)
    slots = json.loads((await chat.conversation())["dialogue"])["slots"]
    assert (slots["check_in"], slots["check_out"]) == (f"2027-03-{days[0]}", f"2027-03-{days[1]}")
    assert (slots["adults"], slots["children"]) == party


STRETCH = {
    "es": ["individual del 12 al 13 de abril, solo yo", "al final me quedo una noche mas, hasta el 14"],
    "en": ["single room april 12 to 13, just me", "actually one more night please, until the 14th"],
    "pt": ["quarto individual de 12 a 13 de abril, só eu", "afinal fico mais uma noite, até dia 14"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_one_more_night_on_the_offer_keeps_the_arrival(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    import json

    chat = guest()
    await chat.script(*STRETCH[lang])
    slots = json.loads((await chat.conversation())["dialogue"])["slots"]
    assert (slots["check_in"], slots["check_out"]) == ("2027-04-12", "2027-04-14")


# -- flows (issue 12): a month said first, a greeting before the name, a new stay after all -------
MONTH_FIRST = {
    "es": ["hola buenas, quiero reservar en agosto", "somos 2 adultos", "del 16 al 20"],
    "en": ["hi, we want to book something in August", "2 adults", "from the 16th to the 20th"],
    "pt": ["olá, queria reservar em agosto", "somos 2 adultos", "de 16 a 20"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_days_said_after_the_month_belong_to_that_month(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    import json

    chat = guest()
    await chat.script(*MONTH_FIRST[lang])
    slots = json.loads((await chat.conversation())["dialogue"])["slots"]
    assert (slots["check_in"], slots["check_out"]) == ("2027-08-16", "2027-08-20")


GREETED_NAME = {
    "es": (
        "Hola, soy Marta Ruiz Gil (marta@example.com) - una individual del 8 al 10 de abril",
        "Marta Ruiz Gil",
    ),
    "en": (
        "Hi it's Michael Brown (michael.brown@example.com) - need a single room 8th to 10th of April",
        "Michael Brown",
    ),
    "pt": (
        "Olá, sou a Rita Lopes Dias (rita@example.com) - quarto individual de 8 a 10 de abril",
        "Rita Lopes Dias",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_name_after_a_greeting_is_taken(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    text, name = GREETED_NAME[lang]
    chat = guest()
    await chat(text)
    assert chat.last[-1].key == "confirm_booking"
    assert name in chat.last[-1].text


NEW_AFTER_ALL = {
    "es": [
        "mi vuelo llega a malaga el 3 de noviembre a las 22h, quiero alargar a 3 noches",
        "individual, solo yo",
    ],
    "en": [
        "my flight lands in malaga on 3 november at 10pm, I'd like to extend to 3 nights",
        "single room, just me",
    ],
    "pt": [
        "oi, meu voo chega em malaga dia 3 de novembro as 22h, vou ficar 3 noites",
        "quarto individual, só eu",
    ],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_guest_without_bookings_describing_a_stay_gets_a_new_booking(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    import json

    chat = guest()
    await chat.script(*NEW_AFTER_ALL[lang])
    assert not any(k in ("rephrase", "handoff_not_understood") for k in chat.reply_keys())
    slots = json.loads((await chat.conversation())["dialogue"])["slots"]
    assert (slots["check_in"], slots["check_out"], slots["room_type"]) == (
        "2027-11-03",
        "2027-11-06",
        "single",
    )


# -- language helper (issue 12): classes it fixed, each in es / en / pt -----------------------------
@pytest.mark.parametrize(
    ("phone", "text", "lang"),
    [
        ("+351931112233", "🙏🙏", "pt"),
        ("+5521998887766", "asdfgh jjjkl ççç", "pt"),
        ("+447700900456", "👍", "en"),
        ("+5491155556666", "🤔", "es"),
    ],
)
async def test_an_unreadable_first_message_is_answered_in_the_numbers_language(
    phone: str, text: str, lang: str, guest
) -> None:  # type: ignore[no-untyped-def]
    chat = guest(phone)
    await chat(text)
    assert {r.lang for r in chat.last} == {lang}


@pytest.mark.parametrize(
    "text",
    [
        "Good morning, do you speak German? my english is bad",
        "¿hablan francés? mi español es malo",
        "fala italiano?",
    ],
)
async def test_asking_for_a_language_we_do_not_speak_gets_our_languages_and_a_person(
    text: str, guest
) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat(text)
    assert chat.reply_keys() == ["languages_we_speak"]
    assert chat.said("español", "English", "português")


@pytest.mark.parametrize(
    ("lang", "text", "word"),
    [
        ("es", "ustedes tienen alberca?", "piscina"),
        ("es", "una pregunta, hay pileta en el hotel?", "piscina"),
        ("en", "do any rooms come with a private pool?", "pool"),
        ("pt", "vocês têm quarto com piscina privativa?", "piscina"),
    ],
)
async def test_pool_words_of_every_variety_are_answered(lang: str, text: str, word: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat(text)
    assert all(r.lang == lang for r in chat.last)
    assert chat.said(word)
    assert "not_understood" not in chat.reply_keys()


BOOK_IN_WORDS = {
    "es": [
        "hola, una doble del 14 al 16 de abril para mi novio y para mi",
        "Genial. Rocío Camacho Ledesma, rocio@example.es",
    ],
    "en": [
        "hi, a double 14-16 april, me and the hubby + our little one",
        "perfect, that works. Oliver Bennett",
    ],
    "pt": ["oi, um duplo de 14 a 16 de abril, vou com o meu namorado", "fechado! Thiago Nogueira Lima"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_party_in_words_and_a_name_among_sentences_need_no_question(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    """The party named by its people and the name written after other words: neither is asked."""
    chat = guest()
    await chat.script(*BOOK_IN_WORDS[lang])
    assert "ask_guests" not in chat.reply_keys()
    assert chat.last[-1].key in ("confirm_booking_email", "confirm_booking")  # the name was taken


SINGLE_FROM_TOMORROW = {
    "es": "buenas, una indivudual a partir de mañana, 2 noches",
    "en": "hi, got a singel room from tomorrow for 2 nights?",
    "pt": "olá, um quarto individual a partir de amanhã, 2 noites",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_single_room_from_tomorrow_is_offered_for_one_without_asking(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    """A room for one (even misspelt) says the party; "a partir de mañana" is tomorrow."""
    chat = guest()
    await chat(SINGLE_FROM_TOMORROW[lang])
    assert "ask_guests" not in chat.reply_keys()
    assert "ask_dates" not in chat.reply_keys()
    assert chat.said("11", "13")  # tomorrow (the 11th of March) to the 13th


# -- flows (issue 12): follow-up questions about what the hotel lacks, the beach, a name after a word -
FOLLOW_UP = {
    "es": (["tenéis ático?", "y una habitacion con piscina privada?"], "info:no_private_pool"),
    "en": (["Do you have a penthouse?", "what about a room with a private pool?"], "info:no_private_pool"),
    "pt": (["vocês têm cobertura?", "e um quarto com piscina privada?"], "info:no_private_pool"),
}
BEACH = {
    "es": "el hotel está cerca de la playa?",
    "en": "is the hotel close to the beach?",
    "pt": "o hotel fica perto da praia?",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_follow_up_about_what_we_lack_and_the_beach_are_answered(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    turns, key = FOLLOW_UP[lang]
    await chat.script(*turns)
    assert chat.reply_keys()[-1] == key
    other = guest()
    await other(BEACH[lang])
    assert other.reply_keys() == ["info:location"]
    assert other.said("Malagueta")


LONE_WORD_FIRST = {
    "es": "Genial, es para Julia Pons, julia@example.com",
    "en": "Lovely, it's for Jess Taylor, jess.taylor@example.com",
    "pt": "Ótimo, é para Joana Prates, joana@example.com",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_full_name_wins_over_a_lone_word_before_it(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(BOOK_AND_CONFIRM[lang][0], LONE_WORD_FIRST[lang])
    assert chat.last[-1].key == "confirm_booking"
    assert LONE_WORD_FIRST[lang].split(",")[1].split()[-2] in chat.last[-1].text


# -- flows (issue 12): the party said with a question is kept; "I'll think about it" is not a yes ----
PARTY_WITH_QUESTION = {
    "es": ["teneis algun atico? somos 2", "y la suite cuanto cuesta del 12 al 13 de junio?", "vale gracias, lo pienso"],
    "en": ["do you have a penthouse? we are 2", "and how much is the suite june 12 to 13?", "ok thanks, I'll think about it"],
    "pt": ["vocês têm cobertura? somos 2", "e quanto custa a suíte de 12 a 13 de junho?", "ok obrigada, vou pensar"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_party_said_with_a_question_is_kept_and_thinking_is_not_a_yes(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    first, price, think = PARTY_WITH_QUESTION[lang]
    await chat.script(first, price)
    assert "ask_guests" not in chat.reply_keys()
    assert chat.last[-1].key == "price_answer"
    await chat(think)
    assert not any(k.startswith("ask_name") for k in (r.key or "" for r in chat.last))


# -- flows (issue 12): someone added to a booking goes to reception (the PMS changes dates only) ----
ADD_SOMEONE = {
    "es": "hola, al final traemos a nuestra hija, podeis añadirla a la reserva {ref}?",
    "en": "Hello, we'll be bringing our daughter after all, can you add her to booking {ref}?",
    "pt": "Olá, tenho a reserva {ref}. Afinal vamos levar o nosso bebé, tem 6 meses",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_adding_someone_to_a_booking_is_a_change_to_confirm_not_round_in_circles(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    """A child who fits the double is added like a receptionist would (pmsmod): the new stay
    and price to confirm, nothing changed before the yes, no person needed."""
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    await chat(ADD_SOMEONE[lang].format(ref=booking.reference))
    assert chat.reply_keys() == ["confirm_modify_stay"]
    conversation = await chat.conversation()
    assert conversation["control"] == "bot"
    unchanged = await b.pms.get_booking(booking.reference)
    assert (unchanged.check_in, unchanged.children) == (booking.check_in, 0)


LEAVE_ON_SUNDAY = {
    "es": ["hola, quiero cambiar mi reserva {ref}", "al final nos tenemos que ir el domingo", "sí"],
    "en": ["hi, I'd like to change booking {ref}", "we have to leave on sunday instead", "yes"],
    "pt": ["olá, queria alterar a reserva {ref}", "afinal temos de sair no domingo", "sim"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_plain_weekday_is_the_weekday_of_the_booking_being_changed(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """ "We leave on Sunday" about a Thursday-to-Monday stay in August: that stay's Sunday."""
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone, check_in=date(2027, 8, 5), check_out=date(2027, 8, 9))
    first, sunday, yes = LEAVE_ON_SUNDAY[lang]
    await chat.script(first.format(ref=booking.reference), sunday, yes)
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 8, 5), date(2027, 8, 8)), [
        (r.key, r.text) for r in chat.replies
    ]


async def test_brazilian_room_descriptions_agree_and_no_room_is_for_1_people(guest) -> None:  # type: ignore[no-untyped-def]
    """pt-BR words in place of pt-PT ones keep their gender ("banheiro privativo"), and a room
    for one is not "up to 1 people"."""
    brazilian = guest("+5531988776655")
    await brazilian("oi, quais tipos de quarto vocês têm?")
    assert brazilian.said("banheiro privativo")
    assert not brazilian.said("banheiro privativa")
    assert not brazilian.said("1 pessoas")
    english = guest("+447700900789")
    await english("hi, what kinds of rooms do you have?")
    assert not english.said("1 people")


@pytest.mark.parametrize(
    "text",
    [
        "mi hijo tiene mucha fiebre, necesitamos un médico urgente",
        "my husband collapsed, we need help right now",
        "o meu filho está muito doente, precisamos de um médico já",
    ],
)
async def test_an_emergency_goes_to_a_person_at_once(text: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat(text)
    assert (await chat.conversation())["control"] == "waiting_staff"


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("buenas, el hotel está cerca de la playa? y tenéis parking?", ("Malagueta", "15 €")),
        ("is the hotel close to the beach? and is there wifi?", ("Malagueta", "wifi")),
        ("o hotel fica longe da praia? têm estacionamento?", ("Malagueta", "15 €")),
    ],
)
async def test_the_beach_is_a_question_about_where_the_hotel_is(
    text: str, facts: tuple[str, ...], guest
) -> None:  # type: ignore[no-untyped-def]
    """Every question of a message is answered, "near the beach?" with where the hotel is."""
    chat = guest()
    await chat(text)
    assert chat.said(*facts)


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("a q hora se puede entrar y a q hora hay q dejar la habitacion?", ("15:00", "12:00")),
        ("qual o horário de entrada e saída?", ("15:00", "12:00")),
        ("aceitam animais e tem garagem?", ("10 kg", "15 €")),
        ("do you have a wellness area with massages?", ("spa", "gym")),
        ("la habitación tiene cocinita?", ("cocina", "restaurante")),
        ("o quarto tem banheira de hidromassagem?", ("Suíte", "hidromassagem")),  # the suite has one
        ("hay penalización si anulo una semana antes?", ("48",)),
        ("is there a cancellation fee?", ("48",)),
        ("tenho de pagar alguma coisa por cancelar?", ("48",)),
        ("el wifi es gratis? donde se aparca?", ("wifi", "15 €")),
        ("checkout time? can we store bags?", ("12:00", "luggage")),
        ("do you take cards and how far is the beach", ("Visa", "Malagueta")),
    ],
)
async def test_every_question_in_other_words_and_what_the_hotel_lacks(
    text: str, facts: tuple[str, ...], guest
) -> None:  # type: ignore[no-untyped-def]
    """Issue 12 (7): entry and leaving times asked without "check-in", "garagem", massages and a
    kitchenette in the guest's words: each question answered, a plain no for what is missing."""
    chat = guest()
    await chat(text)
    assert chat.said(*facts)


async def test_italian_is_a_language_we_do_not_speak(guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest("+393331234567")
    await chat("buongiorno, quanto costa una camera per due notti?")
    assert chat.said("español, English, português")


# -- changing who comes or the room of an existing booking (issue 12, pmsmod) ---------------------
# the booking: a double for 2 adults, 20–23 July; each message, the reply asked, then a typed yes
ADD_A_CHILD = {
    "es": ("hola, tengo la reserva {ref}, añade a mi hijo porfa", "sí, cámbiala"),
    "en": ("hi, booking {ref}: can you add my son? he's 8", "yes please"),
    "pt": ("olá, tenho a reserva {ref}. afinal vamos levar o nosso bebé", "sim, pode alterar"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_child_who_fits_the_room_is_added_after_a_yes(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    first, yes = ADD_A_CHILD[lang]
    asked = await chat(first.format(ref=booking.reference))
    assert asked[-1].key == "confirm_modify_stay", [(r.key, r.text) for r in chat.replies]
    assert (await b.pms.get_booking(booking.reference)).children == 0  # nothing before the yes
    await chat(yes)
    assert chat.last[-1].key == "modify_stay_done"
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.children) == ("double", 2, 1)
    assert (changed.check_in, changed.check_out) == (booking.check_in, booking.check_out)
    assert (await chat.conversation())["control"] == "bot"


THREE_NOW = {
    "es": ("buenas, mi reserva {ref}: al final seremos 3 adultos", "vale, sí"),
    "en": ("hello, about my booking {ref}, we'll be 3 adults now", "ok yes"),
    "pt": ("bom dia, a minha reserva {ref}: afinal somos 3 adultos", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_too_many_for_the_room_offers_the_room_that_fits_with_its_price(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)  # a double: at most 2 adults
    first, yes = THREE_NOW[lang]
    asked = await chat(first.format(ref=booking.reference))
    assert asked[-1].key == "modify_room_suggest", [(r.key, r.text) for r in chat.replies]
    family = next(rt for rt in await b.pms.room_types() if rt.code == "family")
    price = b.pms.price(family, booking.check_in, booking.check_out)
    assert (
        fold(f"{price:,.0f}".replace(",", ".")) in fold(asked[-1].text) or str(int(price)) in asked[-1].text
    )
    await chat(yes)
    assert chat.last[-1].key == "modify_stay_done"
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.total_price) == ("family", 3, price)


SWITCH_ROOM = {
    "es": "hola, ¿podemos cambiar mi reserva {ref} a la suite?",
    "en": "hi, can we switch booking {ref} to the suite?",
    "pt": "olá, queria mudar a minha reserva {ref} para a suíte",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_switch_of_room_type_is_priced_and_made_on_a_tap(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    asked = await chat(SWITCH_ROOM[lang].format(ref=booking.reference))
    assert asked[-1].key == "confirm_modify_stay", [(r.key, r.text) for r in chat.replies]
    await chat(tap=1)
    assert chat.last[-1].key == "modify_stay_done"
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults) == ("suite", 2)
    assert changed.total_price > booking.total_price


ONLY_ME = {
    "es": "mi reserva {ref}, al final solo yo",
    "en": "my booking {ref} - actually only me, my friend can't come",
    "pt": "a minha reserva {ref}, afinal só eu",
}
NO = {"es": "no, mejor la dejo como está", "en": "no, leave it", "pt": "não, deixe estar"}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_fewer_guests_is_a_change_too_and_a_no_keeps_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    asked = await chat(ONLY_ME[lang].format(ref=booking.reference))
    assert asked[-1].key == "confirm_modify_stay", [(r.key, r.text) for r in chat.replies]
    await chat(NO[lang])
    assert chat.last[-1].key == "modify_aborted"
    assert (await b.pms.get_booking(booking.reference)).adults == 2
    again = guest()
    other = await seed(b, again.phone)
    await again(ONLY_ME[lang].format(ref=other.reference))
    await again("1")
    assert again.last[-1].key == "modify_stay_done"
    assert (await b.pms.get_booking(other.reference)).adults == 1


ONE_MORE_NIGHT_AND_WIFE = {
    "es": ("tengo una reserva {ref}, una noche más y añade a mi mujer", "sí"),
    "en": ("my booking {ref}: one more night and add my wife please", "yes"),
    "pt": ("tenho a reserva {ref}, mais uma noite e acrescenta a minha mulher", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_dates_and_party_in_one_message_move_to_a_room_that_fits(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone, room="single", adults=1)  # 20–23 July, a single
    first, yes = ONE_MORE_NIGHT_AND_WIFE[lang]
    asked = await chat(first.format(ref=booking.reference))
    assert asked[-1].key == "modify_room_suggest", [(r.key, r.text) for r in chat.replies]
    await chat(yes)
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.check_out) == ("double", 2, date(2027, 7, 24))


TOO_MANY = {
    "es": "mi reserva {ref}: al final seremos 5 adultos",
    "en": "booking {ref}, we'll be 5 adults now",
    "pt": "a minha reserva {ref}: afinal somos 5 adultos",
}
COT = {
    "es": "hola, para mi reserva {ref} necesitaríamos una cuna para el bebé",
    "en": "hi, for my booking {ref} could we have a baby cot?",
    "pt": "olá, para a minha reserva {ref} precisamos de um berço para o bebé",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_party_no_room_takes_goes_to_reception_and_a_cot_is_noted_for_it(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    await chat(TOO_MANY[lang].format(ref=booking.reference))
    assert chat.last[-1].key in ("handoff_multi_room", "handoff_group")
    cot = guest()
    other = await seed(b, cot.phone)
    await cot(COT[lang].format(ref=other.reference))
    assert cot.reply_keys() == ["cot_noted"]  # a cot is a request for the room, not a guest
    conversation = await cot.conversation()
    assert (conversation["attention"], conversation["control"]) == ("cot_request", "bot")
    for ref in (booking.reference, other.reference):
        kept = await b.pms.get_booking(ref)
        assert (kept.room_type, kept.adults, kept.children) == ("double", 2, 0)


@pytest.mark.parametrize("pms_kind", ["qloapps"])
async def test_with_qloapps_a_party_only_change_is_noted_for_reception_and_a_room_change_made(
    pms_kind: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    """QloApps keeps a room line's guests when its room and dates stay: the guest hears it is
    noted and reception will update it (flagged), not "done"; a room change is made for real."""
    b, _ = box
    codes = {rt.names["en"]: rt.code for rt in await b.pms.room_types()}
    chat = guest()
    booking = await seed(b, chat.phone, room=codes["Double room"])
    await chat.script(f"hola, tengo la reserva {booking.reference}, añade a mi hijo porfa", "sí")
    assert chat.reply_keys()[-2:] == ["confirm_modify_stay", "modify_stay_noted"]
    assert (await chat.conversation())["attention"] == "party_change"
    other = guest()
    mine = await seed(b, other.phone, room=codes["Double room"])
    await other.script(f"hi, booking {mine.reference}: we'll be 3 adults now", "yes")
    assert other.reply_keys()[-2:] == ["modify_room_suggest", "modify_stay_done"]
    changed = await b.pms.get_booking(mine.reference)
    assert (changed.room_type, changed.adults) == (codes["Family room"], 3)


# -- session 3 (flows): what guests who write differently from the corpus broke ------------------
MONTH_AFTER_PAST = {
    "es": ["una suite para dos del 2 al 4 de marzo", "uy perdona, quería decir abril"],
    "en": ["suite for 2 from march 2 to march 4", "oops sorry, I meant april"],
    "pt": ["uma suite para 2 de 2 a 4 de março", "desculpe, queria dizer abril"],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_month_corrected_after_a_past_date_keeps_the_days_party_and_room(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    """ "That date has passed" → "I meant April": the refused stay's days in April, for the party
    and room already given (class 6)."""
    b, _ = box
    chat = guest()
    await chat.script(*MONTH_AFTER_PAST[lang], "Eva Soto Gil", "eva@example.com", "1")
    booking = made(await pms_bookings(b))
    assert (booking.check_in, booking.check_out) == (date(2027, 4, 2), date(2027, 4, 4)), chat.reply_keys()
    assert (booking.room_type, booking.adults) == ("suite", 2)


EMAIL_FIXED = {
    "es": ("doble para 2 adultos del 3 al 5 de junio, Ella Fox Gil, ella@mail.com",
           "perdón el correo bueno es ella.fox@mail.com", "Ella Fox Gil"),
    "en": ("double for 2 adults june 3 to 5, Ella Fox, ella@mail.com",
           "sorry my bad, the right email is ella.fox@mail.com", "Ella Fox"),
    "pt": ("duplo para 2 adultos de 3 a 5 de junho, Ella Fox, ella@mail.pt",
           "desculpa o email certo é ella.fox@mail.com", "Ella Fox"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_corrected_email_keeps_the_full_name_given(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """A word before the new address ("perdón …") is not a name that replaces the full name."""
    b, _ = box
    chat = guest()
    first, fixed, name = EMAIL_FIXED[lang]
    await chat.script(first, fixed, "1")
    booking = made(await pms_bookings(b))
    assert (booking.guest_name, booking.email) == (name, "ella.fox@mail.com"), chat.reply_keys()


TIMES_IN_OWN_WORDS = {
    "es": ("habitación del 3 al 5 de junio", "a q hora es la entrada? y la salida?"),
    "en": ("room from june 3 to june 5", "what time is arrival? and departure?"),
    "pt": ("quarto de 3 a 5 de junho", "qual o horario de chegada? e de saida?"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_arrival_and_departure_times_asked_in_the_guests_words_are_both_answered(
    lang: str, guest
) -> None:  # type: ignore[no-untyped-def]
    """ "entrada" / "arrival" / "chegada" in a question about the time is the check-in (class 7)."""
    chat = guest()
    stay, times = TIMES_IN_OWN_WORDS[lang]
    await chat(stay)
    await chat(times)
    assert chat.said("15:00", "12:00"), chat.reply_keys()


async def test_a_question_read_as_small_talk_is_answered_when_it_names_a_topic(guest) -> None:  # type: ignore[no-untyped-def]
    """ "what about pets?" while asked for the party: the pets answer, not the question again."""
    chat = guest("+447700900123")
    await chat.script("hi, room from june 3 to june 5", "do you have parking?", "what about pets?")
    assert chat.said("10 kg"), chat.reply_keys()
    assert "handoff" not in " ".join(chat.reply_keys())


SAME_DATES_AGAIN = {
    "es": ("doble para 2 adultos del 3 al 5 de junio, Ella Fox Gil, ella@mail.com",
           "y otra individual para las mismas fechas, a nombre de Rosa Gil Paz"),
    "en": ("double for 2 adults june 3 to 5, Ella Fox, ella@mail.com",
           "could I also get a single room for the same dates? under the name Rose Fox"),
    "pt": ("duplo para 2 adultos de 3 a 5 de junho, Ella Fox, ella@mail.pt",
           "e mais um quarto individual nas mesmas datas, em nome de Rosa Fox"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_another_room_for_the_same_dates_takes_the_dates_just_booked(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """After a booking, "another single for the same dates" is that booking's stay, not a new
    question about dates."""
    b, _ = box
    chat = guest()
    first, again = SAME_DATES_AGAIN[lang]
    await chat.script(first, "1", again)
    assert "ask_dates" not in chat.reply_keys()[-1], chat.reply_keys()
    await chat("1")
    second = [bk for bk in await pms_bookings(b) if bk.room_type == "single"]
    assert [(bk.check_in, bk.check_out) for bk in second] == [(date(2027, 6, 3), date(2027, 6, 5))], (
        chat.reply_keys()
    )


AFTER_SEEING_IT = {
    "es": (
        "hola, me dices los datos de mi reserva {ref}?",
        "perfecto. al final viene nuestro hijo, añadelo porfa",
    ),
    "en": ("hi, can you show me booking {ref}?", "great. can you add my son too?"),
    "pt": ("olá, pode mostrar a minha reserva {ref}?", "ótimo. afinal vem também o nosso filho"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_party_change_right_after_seeing_the_booking_is_about_that_booking(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    """ "Add my son" after the booking's details: a change of it, not a new booking's dates."""
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    first, second = AFTER_SEEING_IT[lang]
    await chat.script(first.format(ref=booking.reference), second)
    assert chat.reply_keys() == ["booking_details", "confirm_modify_stay"]
    await chat("1")
    assert (await b.pms.get_booking(booking.reference)).children == 1


async def test_brazilian_guests_are_handed_over_in_brazilian_portuguese(guest) -> None:  # type: ignore[no-untyped-def]
    """Issue 12 (9): a number from Brazil gets "vou transferir você para a recepção", not
    Portugal's "vou passá-lo à receção" / "equipa"; Portugal keeps its own wording."""
    brazilian = guest("+5511987654321")
    await brazilian("oi, quero falar com um atendente por favor")
    assert brazilian.said("transferir você", "equipe da recepção")
    assert not brazilian.said("passá-lo")
    assert not brazilian.said("equipa")
    portuguese = guest("+351912345678")
    await portuguese("olá, quero falar com uma pessoa da receção")
    assert portuguese.said("passá-lo")


@pytest.mark.parametrize(
    ("phone", "text", "lang"),
    [
        ("+34611223344", "cancelar reserva", "es"),
        ("+351912345678", "cancela", "pt"),
        ("+34622334455", "wifi?", "es"),
        ("+5511987654321", "reservar", "pt"),
    ],
)
async def test_a_first_line_written_alike_in_two_languages_is_answered_in_the_numbers(
    phone: str, text: str, lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    """ "cancelar reserva" is Spanish and Portuguese alike: a Spanish number is answered in Spanish
    (class 9)."""
    b, _ = box
    chat = guest(phone)
    await seed(b, phone, check_in=date(2027, 5, 20), check_out=date(2027, 5, 23))
    await chat(text)
    assert {r.lang for r in chat.replies} == {lang}, [(r.key, r.text) for r in chat.replies]


@pytest.mark.parametrize(("lang", "ask"), [("es", "quiero anular la reserva {ref}"),
                                           ("en", "please cancel booking {ref}"),
                                           ("pt", "quero cancelar a reserva {ref}")])  # fmt: skip
async def test_a_thumbs_up_answers_a_yes_no_question(lang: str, ask: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """ "👍" to "are you sure you want to cancel?" is a yes, as a typed "sí" is (class 1)."""
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    await chat(ask.format(ref=booking.reference))
    await chat("👍🏼")
    assert (await b.pms.get_booking(booking.reference)).status == "cancelled", chat.reply_keys()


SIGNED_YES = {
    "es": ("doble para 2 adultos del 3 al 5 de junio, Elena Vidal Soler, elena@mail.com",
           "Gracias. Sí, adelante, confírmela. Un saludo, Elena Vidal Soler"),
    "en": ("double for 2 adults june 3 to 5, Helen Marsh, helen@mail.com",
           "Thank you. Yes, please go ahead and confirm it. Kind regards, Helen Marsh"),
    "pt": ("duplo para 2 adultos de 3 a 5 de junho, Marta Reis Lopes, marta@mail.pt",
           "Obrigada. Sim, pode confirmar. Cumprimentos, Marta Reis Lopes"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_yes_signed_with_the_name_already_given_confirms(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """A signature repeats the name on the summary: a yes, not a change (class 1)."""
    b, _ = box
    chat = guest()
    await chat.script(*SIGNED_YES[lang])
    assert made(await pms_bookings(b)).check_in == date(2027, 6, 3), chat.reply_keys()


EMAIL_AFTERTHOUGHT = {
    "es": ("doble para 2 adultos del 3 al 5 de junio", "a nombre de Tomás Hidalgo",
           "el correo es tomas.h@mail.com x si lo necesitas", "Tomás Hidalgo"),
    "en": ("double for 2 adults june 3 to 5", "it'd be under Tom Hadley",
           "email is tom.hadley@example.co.uk if u need it", "Tom Hadley"),
    "pt": ("duplo para 2 adultos de 3 a 5 de junho", "em nome de Tomé Hilário",
           "o email é tome.h@mail.pt caso precisem dele", "Tomé Hilário"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_words_beside_an_email_are_not_a_new_name(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """ "email is … if u need it": "If U Need It" is not the guest's name (class 3)."""
    b, _ = box
    chat = guest()
    stay, name, email, expected = EMAIL_AFTERTHOUGHT[lang]
    await chat.script(stay, name, email, "1")
    assert made(await pms_bookings(b)).guest_name == expected, chat.reply_keys()


INTRODUCED_FIRST = {
    "es": ("hola buenas, me llamo Ignacio Muñoz Soto", "queríamos una doble del 18 al 21 de junio, somos 2 adultos"),
    "en": ("Good afternoon, I'm Tom Baker (tom.baker@mail.com).", "we'd like a double from june 18 to 21, 2 adults"),
    "pt": ("Boa tarde, sou a Beatriz Lima (beatriz.lima@example.com).", "queria um duplo de 18 a 21 de junho, 2 adultos"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_guest_who_introduces_themselves_first_is_greeted_and_not_asked_the_name_again(
    lang: str, guest
) -> None:  # type: ignore[no-untyped-def]
    """Name (and e-mail) before any request: kept, greeted; the booking does not ask for them (class 3)."""
    chat = guest()
    hello, stay = INTRODUCED_FIRST[lang]
    await chat(hello)
    assert chat.reply_keys() == ["greet"]
    await chat(stay)
    assert not {"ask_name", "not_understood"} & set(chat.reply_keys()), chat.reply_keys()


QUESTION_THEN_YES = {
    "es": ("doble para 2 personas del 3 al 5 de noviembre, a nombre de Elena Vidal Soler, elena@mail.com",
           "el desayuno va incluido? bueno da igual, resérvala igualmente"),
    "en": ("double for 2 people november 3 to 5, under Helen Marsh, helen@mail.com",
           "is breakfast included? never mind, book it anyway"),
    "pt": ("duplo para 2 pessoas de 3 a 5 de novembro, em nome de Marta Reis Lopes, marta@mail.pt",
           "o pequeno-almoço está incluído? bem, não importa, pode reservar na mesma"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_question_and_a_yes_in_one_message_are_answered_and_booked(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """ "is breakfast included? never mind, book it anyway": the answer, and the booking (class 1, 7)."""
    b, _ = box
    chat = guest()
    await chat.script(*QUESTION_THEN_YES[lang])
    assert "info:breakfast" in chat.reply_keys(), chat.reply_keys()
    assert made(await pms_bookings(b)).check_in == date(2027, 11, 3), chat.reply_keys()


STAY_AND_QUESTION = {
    "es": "hola! me mirás si hay doble del 9 al 12 de junio? somos 2. y el desayuno está incluido?",
    "en": "hi! could you check if there's a double 9-12 june? 2 of us. and is breakfast included?",
    "pt": "Olá! Podes ver se há quarto duplo de 9 a 12 de junho? Somos 2. E a garagem, tem?",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_first_message_with_a_stay_and_a_question_gets_both(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    """The question answered, and the stay offered, not dropped (class 7)."""
    chat = guest()
    await chat(STAY_AND_QUESTION[lang])
    keys = chat.reply_keys()
    assert any(k.startswith("info:") for k in keys), keys
    assert any(k.startswith("room_chosen") or k == "offers" for k in keys), keys


INDIRECT_QUESTION = {
    "es": ("hola, doble del 12 al 15 de noviembre para mi novio y yo", "decime cuánto sale la doble y si el desayuno está incluido"),
    "en": ("hi, a double 12 to 15 november for me and my boyfriend", "tell me how much the double is and whether breakfast is included"),
    "pt": ("oi, duplo de 12 a 15 de novembro pra mim e meu namorado", "me diz quanto fica o duplo e se o café da manhã está incluído"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_question_without_a_question_mark_is_answered(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat.script(*INDIRECT_QUESTION[lang])
    assert "info:breakfast" in chat.reply_keys(), chat.reply_keys()


CANCEL_COST = {
    "es": ("tengo q anular la reserva {ref}", "antes: si la cancelo ahora me cobran algo?"),
    "en": ("i have to cancel booking {ref}", "before that: will I be charged anything if I cancel now?"),
    "pt": (
        "vou ter de cancelar a reserva {ref}",
        "antes disso: tenho de pagar alguma coisa por cancelar agora?",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_what_cancelling_costs_is_the_cancellation_policy(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)
    first, cost = CANCEL_COST[lang]
    await chat.script(first.format(ref=booking.reference), cost)
    assert chat.said("48"), chat.reply_keys()
    assert "info:payment" not in chat.reply_keys()


THREE_QUESTIONS = {
    "es": ("doble del 3 al 5 de junio para 2", "que tal el wifi?", "hay parking?", "y piscina?"),
    "en": ("double 3-5 june for 2", "what's the wifi like?", "is there parking?", "and the pool?"),
    "pt": ("duplo de 3 a 5 de junho para 2", "como é o wifi?", "tem estacionamento?", "e piscina?"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_questions_in_a_row_are_answered_without_the_same_reminder_each_time(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    """Three questions while the name is pending: three answers, "back to your booking" not after
    every one (class 11); the name question is still open."""
    chat = guest()
    first, *questions = THREE_QUESTIONS[lang]
    await chat(first)
    ends = []
    for question in questions:
        last = await chat(question)
        ends.append(last[-1].key)
    assert [e for e in ends if e.startswith("info:")], ends
    assert ends.count("continue_booking") < len(questions), ends


NO_EMAIL_IS_NOT_YES = {
    "es": ("doble del 3 al 5 de junio para 2", "Ana López Gil", "sin correo"),
    "en": ("double 3-5 june for 2", "Ana Lopez", "no email"),
    "pt": ("duplo de 3 a 5 de junho para 2", "Ana Lopes", "sem email"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_declining_the_email_shows_the_summary_before_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """ "sin correo" answers the e-mail question; it does not confirm a booking the guest has not seen."""
    b, _ = box
    chat = guest()
    await chat.script(*NO_EMAIL_IS_NOT_YES[lang])
    assert chat.reply_keys()[-1] in ("confirm_booking", "confirm_no_email"), chat.reply_keys()
    assert not await pms_bookings(b)


COT_QUESTION = {
    "es": "buenas! seríamos mi mujer, yo y el bebé de 8 meses, del 2 al 4 de mayo. tenéis cuna?",
    "en": "hi! it'd be me, my wife and our 8-month-old, 2 to 4 may. do you have a cot?",
    "pt": "olá! seríamos eu, a minha mulher e o bebé de 8 meses, de 2 a 4 de maio. têm berço?",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_cot_question_inside_a_booking_is_answered(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    chat = guest()
    await chat(COT_QUESTION[lang])
    assert "info:cot" in chat.reply_keys(), chat.reply_keys()
    assert chat.said({"es": "cuna", "en": "cot", "pt": "berço"}[lang])


NO_EMAIL_AT_THE_SUMMARY = {
    "es": ("doble para 2, del 5 al 8 de junio, Ana Lee Gil", "mejor del 20 al 23?", "sin correo", "sí"),
    "en": (
        "double for 2, june 5 to 8, Ann Lee",
        "hmm can we do the 20th to the 23rd instead?",
        "no email",
        "yes",
    ),
    "pt": ("duplo para 2, de 5 a 8 de junho, Ana Lee", "pode ser antes de 20 a 23?", "sem email", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_no_email_said_after_the_summary_is_not_a_no_to_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """The e-mail question was overtaken by new dates; "no email" still answers it (class 3)."""
    b, _ = box
    chat = guest()
    await chat.script(*NO_EMAIL_AT_THE_SUMMARY[lang])
    assert "booking_aborted" not in chat.reply_keys(), chat.reply_keys()
    assert made(await pms_bookings(b)).check_in == date(2027, 6, 20), chat.reply_keys()


AN_HOUR_IS_NOT_A_PARTY = {
    "es": ("hola, habitación del 10 al 12 de junio", "llegamos a las 5"),
    "en": ("hi, a room from june 10 to 12", "we'll get there around 5"),
    "pt": ("olá, quarto de 10 a 12 de junho", "chegamos por volta das 5"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_hour_of_arrival_is_not_the_party(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """Asked how many people, "we arrive at 5" is an hour: no group handoff, the party still asked (class 4)."""
    chat = guest()
    await chat.script(*AN_HOUR_IS_NOT_A_PARTY[lang])
    assert (await chat.conversation())["control"] == "bot", chat.reply_keys()
    assert chat.reply_keys()[-1] in ("ask_guests", "ask_guests_again", "continue_booking"), chat.reply_keys()


A_PLAIN_NO_AT_THE_SUMMARY = {
    "es": ("hola, una doble para dos del 8 al 10 de julio", "Marta Gil Pons", "marta@example.com", "no"),
    "en": ("hello, a double for two from 8 to 10 july", "Mark Hale", "mark@example.com", "nope"),
    "pt": ("olá, um duplo para dois de 8 a 10 de julho", "Marta Pires", "marta@example.com", "não"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_plain_no_at_the_summary_asks_what_to_change(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """A bare "no" to the summary means something in it is wrong, not "drop the request" (class 1)."""
    b, _ = box
    chat = guest()
    await chat.script(*A_PLAIN_NO_AT_THE_SUMMARY[lang])
    assert chat.reply_keys()[-1] == "what_to_change", chat.reply_keys()
    assert "booking_aborted" not in chat.reply_keys(), chat.reply_keys()
    assert not await pms_bookings(b)


# the booking: 20–23 July; arriving or leaving a day earlier moves that end only
ONE_END = [
    ("es", "hola, mi reserva de julio: al final llegamos un día antes", (19, 23)),
    ("en", "about my july booking, we'll arrive a day earlier", (19, 23)),
    ("pt", "a minha reserva de julho: chegamos um dia antes", (19, 23)),
    ("en", "my booking in july: we leave a day earlier now", (20, 22)),
    ("es", "la reserva de julio, al final salimos un dia antes", (20, 22)),
]


@pytest.mark.parametrize(("lang", "text", "days"), ONE_END)
async def test_arriving_or_leaving_a_day_earlier_moves_only_that_end(
    lang: str, text: str, days, box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)  # 20–23 July
    await chat(text)
    assert chat.last[-1].key == "confirm_modify", chat.reply_keys()
    await chat({"es": "sí, cámbiala", "en": "yes please", "pt": "sim, pode alterar"}[lang])
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 7, days[0]), date(2027, 7, days[1]))


PRICE_WHILE_A_CHANGE_WAITS = {
    "es": (
        "tengo la reserva {ref}, quiero cambiarla a la suite",
        "¿y cuánto sale con la suite?",
        "vale, cámbiala",
    ),
    "en": ("booking {ref}: could you move us to the suite?", "how much is it with the suite?", "ok do it"),
    "pt": (
        "tenho a reserva {ref}, dá pra mudar pra suíte?",
        "e quanto fica com a suíte?",
        "tá bom, pode mudar",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_price_question_while_a_change_waits_is_answered_and_the_change_asked_again(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    """The change's question carries its new total: asked the price, that is the answer (class 5)."""
    b, _ = box
    chat = guest()
    booking = await seed(b, chat.phone)  # a double, 20–23 July
    first, question, yes = PRICE_WHILE_A_CHANGE_WAITS[lang]
    await chat(first.format(ref=booking.reference))
    assert chat.last[-1].key == "confirm_modify_stay", chat.reply_keys()
    await chat(question)
    assert [r.key for r in chat.last] == ["confirm_modify_stay"], chat.reply_keys()
    await chat(yes)
    assert (await b.pms.get_booking(booking.reference)).room_type == "suite", chat.reply_keys()


PRICE_AT_THE_SUMMARY = {
    "es": (
        "una doble para 2 del 8 al 10 de julio",
        "Rosa Vidal Peña",
        "rosa@example.com",
        "¿y cuánto sale?",
        "ya, resérvela no más",
    ),
    "en": (
        "a double for 2, 8 to 10 july",
        "Rose Vidal",
        "rose@example.com",
        "how much is it in total?",
        "ok book it",
    ),
    "pt": (
        "um duplo para 2 de 8 a 10 de julho",
        "Rosa Vidal",
        "rosa@example.com",
        "e quanto fica?",
        "pode reservar",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_price_asked_at_the_summary_is_answered_and_a_yes_then_books(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """ "¿y cuánto sale?" is a question, not a yes ("sale"); the yes after its answer books (class 1)."""
    b, _ = box
    chat = guest()
    await chat.script(*PRICE_AT_THE_SUMMARY[lang][:4])
    assert chat.last[-1].key == "price_answer", chat.reply_keys()
    assert not await pms_bookings(b)
    await chat(PRICE_AT_THE_SUMMARY[lang][4])
    assert chat.last[-1].key == "booking_confirmed", chat.reply_keys()


A_NO_WITH_THE_RIGHT_DAY = {
    "es": (
        "una doble para 2 del 8 al 10 de julio",
        "Rosa Vidal Peña",
        "rosa@example.com",
        "no, el 9 no el 8",
        "sí",
    ),
    "en": (
        "a double for 2, 8 to 10 july",
        "Rose Vidal",
        "rose@example.com",
        "no, the 9th not the 8th",
        "yes",
    ),
    "pt": (
        "um duplo para 2 de 8 a 10 de julho",
        "Rosa Vidal",
        "rosa@example.com",
        "não, dia 9 e não 8",
        "sim",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_no_with_the_right_day_at_the_summary_changes_it(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """ "no, the 9th not the 8th" at the summary moves the stay and asks again; no "what to change?" (class 2)."""
    b, _ = box
    chat = guest()
    await chat.script(*A_NO_WITH_THE_RIGHT_DAY[lang][:4])
    assert "what_to_change" not in chat.reply_keys(), chat.reply_keys()
    assert not await pms_bookings(b)
    await chat(A_NO_WITH_THE_RIGHT_DAY[lang][4])
    assert made(await pms_bookings(b)).check_in == date(2027, 7, 9), chat.reply_keys()
