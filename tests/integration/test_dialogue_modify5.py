"""Changes to an existing booking said the way guests say them (issue 12, fifth round): both ends
by their day alone ("arrive 13 and leave 16"), a night taken off with the departure named
("quitar una noche, nos iríamos el 29"), "the same dates next month". Whole conversations through
the real pipeline and the demo PMS, in Spanish, English and Portuguese, with the hotel's clock
pinned; what is checked is what the PMS stores after the guest's typed yes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from hotelbox.daemon import Box
from hotelbox.messages import Reply
from tests.support import Guest, RecordingChannel, seed_booking

TODAY = date(2027, 3, 10)
_ids = count(1)


def pin(b: Box) -> None:
    b.pipeline.clock = lambda: datetime(
        TODAY.year, TODAY.month, TODAY.day, 11, tzinfo=ZoneInfo("Europe/Madrid")
    )


@pytest.fixture
def guest(box: tuple[Box, RecordingChannel]) -> Callable[..., Guest]:
    b, channel = box
    pin(b)

    def make(phone: str | None = "mine") -> Guest:
        address = f"+347{next(_ids):08d}"
        return Guest(b, channel, address, address if phone == "mine" else phone)

    return make


seed = functools.partial(seed_booking, check_in=date(2027, 5, 18), check_out=date(2027, 5, 21))


def keys(replies: list[Reply]) -> list[str]:
    return [r.key or "" for r in replies]


def shown(replies: list[Reply]) -> list[tuple[str | None, str]]:
    return [(r.key, r.text) for r in replies]


async def changed_to(b: Box, g: Guest, first: str, yes: str, ref: str) -> tuple[date, date]:
    asked = await g.says(first.format(ref=ref))
    assert keys(asked)[-1] == "confirm_modify", shown(asked)
    done = await g.says(yes)
    assert keys(done)[-1] == "modify_done", shown(done)
    stored = await b.pms.get_booking(ref)
    return stored.check_in, stored.check_out


# -- dates said against the booking: both days alone, a night off with the departure, next month --
DATES = [
    # booking 18–21 May
    ("en", "hello, my booking {ref}. is possible to push it one day later? arrive 19 and leave 22", "ok yes do it",
     (date(2027, 5, 19), date(2027, 5, 22))),
    ("pt", "bom dia, reserva {ref}, é possível adiar um dia? chegamos a 19 e saímos a 22", "sim, pode ser",
     (date(2027, 5, 19), date(2027, 5, 22))),
    ("es", "hola, la {ref}, llegaríamos el 17 y nos vamos el 20, se puede?", "vale sí",
     (date(2027, 5, 17), date(2027, 5, 20))),
    ("es", "hola! la reserva {ref}, podemos quitar una noche? nos iriamos el 20", "vale sí",
     (date(2027, 5, 18), date(2027, 5, 20))),
    ("pt", "oi, reserva {ref}, da pra tirar uma noite? a gente sai dia 20", "pode sim",
     (date(2027, 5, 18), date(2027, 5, 20))),
    ("en", "hi, booking {ref}: can you cut one night, we'd leave on the 20th", "yes",
     (date(2027, 5, 18), date(2027, 5, 20))),
    ("en", "Hello, something came up, can we move our stay ({ref}) to the same dates next month?", "yes that works",
     (date(2027, 6, 18), date(2027, 6, 21))),
    ("es", "hola, podemos pasar la reserva {ref} a las mismas fechas pero del mes siguiente?", "dale, si",
     (date(2027, 6, 18), date(2027, 6, 21))),
    ("pt", "oi, dá pra passar a reserva {ref} pras mesmas datas do mês que vem?", "beleza, pode",
     (date(2027, 6, 18), date(2027, 6, 21))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "first", "yes", "wanted"), DATES, ids=[f"{d[0]}-{i}" for i, d in enumerate(DATES)]
)
async def test_dates_said_against_the_booking(
    lang: str, first: str, yes: str, wanted: tuple[date, date], box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    assert await changed_to(b, g, first, yes, booking.reference) == wanted


# -- "what did I book?": the guest's own booking shown, however faintly the model read it --------
WHAT_BOOKED = {
    "en": "hey there, could you remind me what we booked? can't find the email",
    "es": "buenas, me podeis decir que fechas tenemos reservadas? no lo encuentro",
    "pt": "oi, me lembra o que eu reservei? perdi o email",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_what_did_i_book_shows_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    replies = await g.says(WHAT_BOOKED[lang])
    assert keys(replies)[-1] == "booking_details", shown(replies)
    assert booking.reference in replies[-1].text
    assert "18" in replies[-1].text
    assert "21" in replies[-1].text


# -- a change right after the booking was made in the same chat: "we'd leave on the 10th" --------
JUST_BOOKED = {
    "en": ("hi, a double from 6 to 9 april for two, name Rose Tyler", "yes confirm",
           "oh sorry, could we leave on the 10th?", "yes"),
    "es": ("hola, una doble del 6 al 9 de abril para dos, a nombre de Rocío Marín", "sí, confirma",
           "perdona, nos podemos ir el 10?", "sí"),
    "pt": ("oi, quarto duplo de 6 a 9 de abril pra 2, em nome de Patrícia Gomes", "sim, confirma",
           "desculpa, da pra sair dia 10?", "sim"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_departure_changed_right_after_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    book, yes, change, yes_again = JUST_BOOKED[lang]
    await g.says(book)
    made = await g.says(yes)
    if keys(made)[-1] != "booking_confirmed":  # asked for an e-mail first
        made = await g.says(yes)
    assert keys(made)[-1] == "booking_confirmed", shown(made)
    [booking] = await b.pms.find_bookings(phone=g.phone)
    asked = await g.says(change)
    assert keys(asked)[-1] == "confirm_modify", shown(asked)
    done = await g.says(yes_again)
    assert keys(done)[-1] == "modify_done", shown(done)
    stored = await b.pms.get_booking(booking.reference)
    assert (stored.check_in, stored.check_out) == (date(2027, 4, 6), date(2027, 4, 10))
    assert len(await b.pms.find_bookings(phone=g.phone)) == 1


# -- no booking under this number, no reference: reception looks it up by name -------------------
NO_REFERENCE = {
    "en": "hi, I need to cancel the booking of Sara Lind, 18 to 21 may, I don't have the booking number",
    "es": "hola quiero anular la reserva a nombre de Sara Lind del 18 al 21 de mayo, perdí el localizador",
    "pt": "olá, queria cancelar a reserva em nome de Sara Lind de 18 a 21 de maio, não tenho o código",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_no_reference_and_another_phone_goes_to_reception(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, "+34699000111", "Sara Lind")  # made from another phone
    replies = await g.says(NO_REFERENCE[lang])
    assert keys(replies)[-1] == "handoff_no_reference", shown(replies)
    assert (await g.conversation())["control"] == "waiting_staff"
    assert (await b.pms.get_booking(booking.reference)).status == "confirmed"  # nothing done by the bot


# -- a new holder or e-mail for the booking: noted for reception, the stay untouched ---------------
CONTACT = [
    ("en", "hi, booking {ref} has to be in the name of my wife, Emma Stone please", "contact_name_noted", "Emma Stone"),
    ("es", "hola, podeis cambiar el correo de mi reserva a pepe.gil@example.com?", "contact_email_noted",
     "pepe.gil@example.com"),
    ("pt", "oi, a reserva {ref} tem que ficar em nome do meu marido, joão pereira", "contact_name_noted", "João Pereira"),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "said", "key", "value"), CONTACT, ids=[c[0] for c in CONTACT])
async def test_new_name_or_email_is_noted_for_reception(
    lang: str, said: str, key: str, value: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    replies = await g.says(said.format(ref=booking.reference))
    assert keys(replies)[-1] == key, shown(replies)
    assert value in replies[-1].text
    assert booking.reference in replies[-1].text
    conversation = await g.conversation()
    assert conversation["attention"] == "contact_change", conversation
    assert conversation["control"] == "bot"
    stored = await b.pms.get_booking(booking.reference)
    assert (stored.guest_name, stored.check_in, stored.check_out) == (
        booking.guest_name,
        booking.check_in,
        booking.check_out,
    )


@pytest.mark.parametrize(
    ("said", "wanted"),
    [
        ("la reserva ponla a nombre de mi mujer, maría lópez", ("María López", "")),
        ("o nome da reserva está errado, é Ana Souza", ("Ana Souza", "")),
        ("can you change the name on my booking to john smith please", ("John Smith", "")),
        ("pode mudar o email da minha reserva? novo: ana@example.com", ("", "ana@example.com")),
        # a name given for a new booking or to find one is no change of holder
        ("quiero una doble del 6 al 9 a nombre de Carlos Lima", None),
        ("book it in the name of Tom Hanks", None),
        ("tengo una reserva a nombre de Carlos Lima?", None),
        ("tenho uma reserva em nome de Ana Souza, quero mudar as datas", None),
    ],
)
def test_contact_change_reading(said: str, wanted: tuple[str, str] | None) -> None:
    from hotelbox.dialogue.changes import contact_change

    found = contact_change(said)
    assert (None if found is None else (found.name, found.email)) == wanted


# -- the reference in any spelling: "hb_1234", "HB 1234", "the number is hb1234" ------------------
SPELLINGS = [
    ("en", "hi, my booking number is {spelt}, I'd like to cancel it", lambda r: r.replace("-", "").lower()),
    ("es", "hola, quiero anular la reserva {spelt}", lambda r: r.replace("-", "_").lower()),
    ("pt", "olá, queria cancelar a reserva {spelt}", lambda r: r.replace("-", " ")),
]


@pytest.mark.parametrize(("lang", "said", "spell"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
async def test_reference_in_any_spelling_finds_the_booking(
    lang: str, said: str, spell: Callable[[str], str], box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, "+34699000222", "Sara Lind")  # another phone: the surname is asked
    replies = await g.says(said.format(spelt=spell(booking.reference)))
    assert keys(replies)[-1] == "ask_owner_name", shown(replies)
    assert booking.reference in replies[-1].text
    done = await g.says("Lind")
    assert keys(done)[-1] == "confirm_cancel", shown(done)


# -- "thursday instead of friday, same checkout": the departure kept -------------------------------
SAME_END = {
    "en": ("hey, booking {ref} - could we check in on monday instead of tuesday? same checkout", "yes"),
    "es": ("hola, la reserva {ref}: podemos entrar el lunes en vez del martes? misma salida", "sí"),
    "pt": ("olá, a reserva {ref}: dá para fazer o check-in na segunda em vez de terça? mesma saída", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_arrival_moved_with_the_same_checkout(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)  # Tuesday 18 – Friday 21 May
    first, yes = SAME_END[lang]
    assert await changed_to(b, g, first, yes, booking.reference) == (date(2027, 5, 17), date(2027, 5, 21))


# -- "we'll be one less": one adult fewer, not a party of one -------------------------------------
ONE_LESS = {
    "en": "hi, on my booking {ref} we'll be one less now, my sister-in-law can't come",
    "es": "hola, en mi reserva {ref} al final seremos uno menos, mi cuñado no viene",
    "pt": "olá, na reserva {ref} afinal somos 1 a menos, o meu cunhado não vem",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_one_less_is_one_adult_fewer(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone, room="family", adults=3)
    asked = await g.says(ONE_LESS[lang].format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    done = await g.says({"en": "yes", "es": "sí", "pt": "sim"}[lang])
    assert keys(done)[-1] == "modify_stay_done", shown(done)
    stored = await b.pms.get_booking(booking.reference)
    assert (stored.room_type, stored.adults, stored.children) == ("family", 2, 0)


async def test_new_email_with_a_greeting_is_not_an_introduction(box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    replies = await g.says("olá, queria alterar o email da minha reserva para nuno.reis@example.pt")
    assert keys(replies)[-1] == "contact_email_noted", shown(replies)
    assert booking.reference in replies[-1].text


# -- "leave it as it is" after "no suite free then, other dates?": the booking stays ---------------
KEEP = {
    "en": ("hi, can we move {ref} a week later?", "ah ok, then leave it as it is"),
    "es": ("hola, podemos pasar la {ref} una semana más tarde?", "vaya, pues déjala como está"),
    "pt": ("oi, dá pra adiar a {ref} uma semana?", "ah tá, então deixa como está"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_leave_it_as_it_is_after_no_room(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone, room="suite")
    for n in range(2):  # both suites taken the week after
        await seed_booking(b, f"+34699000{n}33", "Other Guest", room="suite",
                           check_in=date(2027, 5, 25), check_out=date(2027, 5, 28))  # fmt: skip
    first, keep = KEEP[lang]
    asked = await g.says(first.format(ref=booking.reference))
    assert keys(asked)[-1] == "modify_nearest", shown(asked)  # no suite then: the nearest offered
    kept = await g.says(keep)
    assert keys(kept)[-1] == "modify_aborted", shown(kept)
    stored = await b.pms.get_booking(booking.reference)
    assert (stored.check_in, stored.check_out, stored.status) == (
        booking.check_in,
        booking.check_out,
        "confirmed",
    )


# -- a change that is not available: the nearest free dates offered, and taken with a yes ---------
NEAREST = {
    "en": ("hello, could we push {ref} back a week?", "ok yes, those dates are fine"),
    "es": ("hola, se puede retrasar la {ref} una semana?", "vale, sí, esas fechas"),
    "pt": ("olá, é possível adiar a {ref} uma semana?", "sim, pode ser nessas datas"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_not_available_offers_the_nearest_dates(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone, room="suite")  # 18–21 May
    for n in range(2):  # both suites taken 25–28 May
        await seed_booking(b, f"+34699000{n}44", "Other Guest", room="suite",
                           check_in=date(2027, 5, 25), check_out=date(2027, 5, 28))  # fmt: skip
    first, yes = NEAREST[lang]
    asked = await g.says(first.format(ref=booking.reference))
    assert keys(asked)[-1] == "modify_nearest", shown(asked)
    assert (await b.pms.get_booking(booking.reference)).check_in == booking.check_in  # nothing before the yes
    done = await g.says(yes)
    assert keys(done)[-1] == "modify_done", shown(done)
    stored = await b.pms.get_booking(booking.reference)
    assert (stored.room_type, stored.check_in, stored.check_out) == (
        "suite",
        date(2027, 5, 28),
        date(2027, 5, 31),
    )


# -- a yes that says what stays: "sim, no mesmo quarto", "yes, the dates stay the same" ------------
YES_KEEPING = {
    "en": (
        "hi, booking {ref}: our son (6) is coming along after all, can you add him?",
        "yes, the dates stay the same",
    ),
    "es": (
        "hola, reserva {ref}: al final viene nuestro hijo de 6 años, lo podéis añadir?",
        "sí, las fechas se mantienen",
    ),
    "pt": (
        "olá, reserva {ref}: afinal vem o nosso filho de 6 anos, dá para acrescentar?",
        "sim, no mesmo quarto, pode ser",
    ),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_yes_naming_what_stays_is_a_yes(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    first, yes = YES_KEEPING[lang]
    asked = await g.says(first.format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    done = await g.says(yes)
    assert keys(done)[-1] == "modify_stay_done", shown(done)
    stored = await b.pms.get_booking(booking.reference)
    assert (stored.room_type, stored.adults, stored.children) == ("double", 2, 1)


# -- "I've got a family room booked for the 10th, can we add my son?": that booking, not a new one --
ROOM_BOOKED = {
    "en": "Hi, I've got a double room booked with you for 18th May. Our daughter's coming after all, can we add her? She's 5",
    "es": "hola, tenemos una doble reservada para el 18 de mayo. Al final viene nuestra hija de 5 años, la podéis añadir?",
    "pt": "olá, temos um quarto duplo reservado para 18 de maio. Afinal vem a nossa filha de 5 anos, dá para acrescentar?",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_room_booked_with_you_is_the_guests_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    asked = await g.says(ROOM_BOOKED[lang])
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    assert booking.reference in asked[-1].text


async def test_tem_vaga_asks_for_a_room_not_a_parking_space(box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    asked = await g.says(
        f"Oi, sou a Lucía, reserva {booking.reference}. Queria ficar mais 2 noites, tem vaga?"
    )
    assert keys(asked)[-1] == "confirm_modify", shown(asked)
    assert "request:parking_space" not in keys(asked)


# -- "no wait, keep it" at "are you sure you want to cancel?": kept, never a complaint handoff -----
KEEP_IT = {
    "en": ("i want cancel reservation {ref}", "no wait, keep it. we still come"),
    "es": ("quiero anular la reserva {ref}", "no espera, déjala. al final sí vamos"),
    "pt": ("quero cancelar a reserva {ref}", "não espera, mantém. afinal vamos"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_keep_it_at_the_cancel_question_keeps_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    first, keep = KEEP_IT[lang]
    asked = await g.says(first.format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_cancel", shown(asked)
    kept = await g.says(keep)
    assert keys(kept)[-1] == "cancel_aborted", shown(kept)
    assert (await g.conversation())["control"] == "bot"
    assert (await b.pms.get_booking(booking.reference)).status == "confirmed"
