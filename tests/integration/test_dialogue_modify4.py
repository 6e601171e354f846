"""Changes to an existing booking said the way guests say them (issue 12, fourth round): someone
added by a pronoun or "comes with us", with no booking in view; a day-only date "and not the
22nd"; one end kept; a change that makes the stay far longer is questioned; another room named
after the booking's own, with "how much is the difference?". Whole conversations through the
real pipeline and the demo PMS, in Spanish, English and Portuguese, with the hotel's clock pinned."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from hotelbox.daemon import Box
from hotelbox.messages import Reply
from hotelbox.nlu.text import fold
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
        address = f"+346{next(_ids):08d}"
        return Guest(b, channel, address, address if phone == "mine" else phone)

    return make


seed = functools.partial(seed_booking, check_in=date(2027, 5, 18), check_out=date(2027, 5, 22))


def keys(replies: list[Reply]) -> list[str]:
    return [r.key or "" for r in replies]


def shown(replies: list[Reply]) -> list[tuple[str | None, str]]:
    return [(r.key, r.text) for r in replies]


# -- someone added: "can we add him?", "vai com a gente", "he's 8" -------------------------------
ADDED = {
    "es": ("hola, la reserva {ref}: al final nuestra hija de 7 años se viene con nosotros, se puede añadirla?",
           "sí, adelante"),
    "en": ("hello, re booking {ref}, our daughter (10) is coming with us after all, could you add her?",
           "yes please"),
    "pt": ("oi, tenho a reserva {ref}, no fim nossa filha de 5 anos vai com a gente, da pra colocar ela?",
           "sim, pode"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_someone_named_then_added_by_a_pronoun_is_a_child_more(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    first, yes = ADDED[lang]
    asked = await g.says(first.format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    assert (await b.pms.get_booking(booking.reference)).children == 0  # nothing before the yes
    done = await g.says(yes)
    assert keys(done)[-1] == "modify_stay_done", shown(done)
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.children) == ("double", 2, 1)
    assert (changed.check_in, changed.check_out) == (booking.check_in, booking.check_out)
    assert (await g.conversation())["control"] == "bot"


ADD_NO_REF = {
    "es": ("buenas, ¿puedo añadir a mi hijo? tiene 6 años", "sí"),
    "en": ("hi, can I add my son? he's 6", "yes"),
    "pt": ("olá, posso acrescentar o meu filho de 6 anos?", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_adding_someone_with_no_booking_in_view_finds_the_guests_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    first, yes = ADD_NO_REF[lang]
    asked = await g.says(first)
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    assert booking.reference in asked[-1].text
    await g.says(yes)
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.adults, changed.children) == (2, 1)
    assert len(await b.pms.find_bookings(email=None, phone=g.phone)) == 1  # no new booking made


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_adding_someone_unknown_asks_for_the_reference_never_starts_a_booking(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    g = guest(phone=None)  # nothing vouches for who this is
    asked = await g.says(ADD_NO_REF[lang][0])
    assert keys(asked)[-1] == "ask_booking_ref", shown(asked)


# -- dates: "the 21st, not the 22nd", one end kept, a far longer stay questioned -------------------
NOT_THE_22ND = {
    "es": "hola, reserva {ref}. al final nos vamos el 21 y no el 22",
    "en": "hi, booking {ref}. we'll leave on the 21st, not the 22nd",
    "pt": "olá, reserva {ref}. saímos dia 21 e não dia 22",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_day_only_date_and_not_the_other_is_read_against_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)  # 18–22 May
    asked = await g.says(NOT_THE_22ND[lang].format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify", shown(asked)
    await g.says({"es": "sí", "en": "yes", "pt": "sim"}[lang])
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 5, 18), date(2027, 5, 21))


SAME_DEPARTURE = {
    "es": "hola, reserva {ref}: llegamos un día más tarde pero nos vamos el mismo día",
    "en": "hi, booking {ref}: we arrive a day later but leave the same day",
    "pt": "olá, reserva {ref}: chegamos um dia mais tarde mas saímos no mesmo dia",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_change_of_one_end_keeps_the_other(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    asked = await g.says(SAME_DEPARTURE[lang].format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify", shown(asked)
    await g.says({"es": "sí, cámbialo", "en": "yes do it", "pt": "sim"}[lang])
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 5, 19), date(2027, 5, 22))


FAR_LONGER = {
    "es": ("hola, reserva {ref}: ¿podemos quedarnos hasta el 30 de junio?", "no, no es eso", "sí, eso es"),
    "en": ("hi, booking {ref}: could we stay until 30 June?", "no, that's not it", "yes, that's right"),
    "pt": ("olá, reserva {ref}: podemos ficar até 30 de junho?", "não, não é isso", "sim, é isso"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_change_that_makes_the_stay_far_longer_is_questioned(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)  # 4 nights; until 30 June would be 43
    ask, no, yes = FAR_LONGER[lang]
    asked = await g.says(ask.format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify_long", shown(asked)
    assert "43" in asked[-1].text  # the new length, beside the booking's 4 nights
    again = await g.says(no)
    assert keys(again)[-1] == "ask_new_dates", shown(again)  # not dropped: which dates, then
    assert (await b.pms.get_booking(booking.reference)).check_out == date(2027, 5, 22)
    asked = await g.says(ask.format(ref=booking.reference))
    await g.says(yes)  # said twice and confirmed: the guest means it
    assert (await b.pms.get_booking(booking.reference)).check_out == date(2027, 6, 30)


# -- another room: the booking's own named first, "how much is the difference?" ------------------
TO_THE_SUITE = {
    "es": ("holaa, tengo una doble reservada ({ref}) y queremos pasar a la suite, cuánto sería la diferencia?",
           "vale, cámbiala"),
    "en": ("hi, we have the double booked ({ref}). what would the suite cost instead?", "ok, do it"),
    "pt": ("olá, tenho um quarto duplo reservado ({ref}), quanto custaria mudar para a suíte?", "ok, pode mudar"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_switching_to_another_room_is_quoted_then_made_after_a_yes(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    ask, yes = TO_THE_SUITE[lang]
    asked = await g.says(ask.format(ref=booking.reference))
    assert keys(asked)[-2:] == ["modify_costs_more", "confirm_modify_stay"], shown(asked)
    suite = next(rt for rt in await b.pms.room_types() if rt.code == "suite")
    price = Decimal(b.pms.price(suite, booking.check_in, booking.check_out))
    diff = price - booking.total_price
    assert f"{int(diff)}" in fold(asked[-2].text).replace(".", "").replace(",", ""), asked[-2].text
    assert (await b.pms.get_booking(booking.reference)).room_type == "double"  # nothing before the yes
    done = await g.says(yes)
    assert keys(done)[-1] == "modify_stay_done", shown(done)
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.total_price) == ("suite", 2, price)
    assert (await g.conversation())["control"] == "bot"  # no handoff for what the PMS can do


# -- the change said before the booking was picked ------------------------------------------------
BEFORE_PICKING = {
    "es": ("hola, quiero una noche más en mi reserva", "la de mayo", "sí"),
    "en": ("hi, I want one more night on my booking", "the one in May", "yes"),
    "pt": ("oi, quero mais uma noite na minha reserva", "a de maio", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_change_said_before_the_booking_is_picked_is_kept(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    may = await seed(b, g.phone)  # 18–22 May
    july = await seed(b, g.phone, check_in=date(2027, 7, 5), check_out=date(2027, 7, 8))
    ask, pick, yes = BEFORE_PICKING[lang]
    assert keys(await g.says(ask))[-1] == "choose_booking"
    asked = await g.says(pick)
    assert keys(asked)[-1] == "confirm_modify", shown(asked)  # not "which new dates?"
    await g.says(yes)
    assert (await b.pms.get_booking(may.reference)).check_out == date(2027, 5, 23)
    assert (await b.pms.get_booking(july.reference)).check_out == date(2027, 7, 8)


NOT_COMING = {
    "es": "hola, mi pareja no puede venir, en la reserva quedo solo yo",
    "en": "hi, my partner can't come, so on my booking it's just me",
    "pt": "oi, meu namorado não pode vir, na reserva fica só eu",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_someone_not_coming_with_no_booking_in_view_changes_the_guests_booking(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    asked = await g.says(NOT_COMING[lang])
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    await g.says({"es": "sí", "en": "yes", "pt": "sim"}[lang])
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.children) == ("double", 1, 0)


@pytest.mark.parametrize("pms_kind", ["qloapps"])
async def test_with_qloapps_a_switch_to_the_suite_is_quoted_and_made(pms_kind: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    """QloApps changes a booking's room type through its PUT: quoted, confirmed and made, with
    nothing left to reception."""
    b, _ = box
    codes = {rt.names["en"]: rt.code for rt in await b.pms.room_types()}
    g = guest()
    booking = await seed(b, g.phone, room=codes["Double room"])
    ask, yes = TO_THE_SUITE["es"]
    asked = await g.says(ask.format(ref=booking.reference))
    assert keys(asked)[-2:] == ["modify_costs_more", "confirm_modify_stay"], shown(asked)
    done = await g.says(yes)
    assert keys(done)[-1] == "modify_stay_done", shown(done)
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults) == (codes["Suite"], 2)
    assert (changed.check_in, changed.check_out) == (booking.check_in, booking.check_out)
    conversation = await g.conversation()
    assert (conversation["control"], conversation["attention"]) == ("bot", None)


# -- more of the same classes, said otherwise --------------------------------------------------------
ONE_KID_LESS = {
    "es": "hola, reserva {ref}. uno de los niños al final no viene",
    "en": "hi, booking {ref}. one of the kids isn't coming after all",
    "pt": "olá, reserva {ref}. uma das crianças afinal não vem",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_child_not_coming_after_all_is_one_child_less(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone, room="family", adults=2)
    await g.says(f"hola, reserva {booking.reference}: ahora seremos 4, dos adultos y dos niños")
    await g.says("sí")  # the booking is now 2 adults + 2 children
    assert (await b.pms.get_booking(booking.reference)).children == 2
    asked = await g.says(ONE_KID_LESS[lang].format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    await g.says({"es": "sí", "en": "yes", "pt": "sim"}[lang])
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.children) == ("family", 2, 1)


MOVED = {  # (message, new arrival, new departure) for the 18–22 May booking
    "es": ("hola, la reserva {ref} la podemos pasar a la semana siguiente?", date(2027, 5, 25), date(2027, 5, 29)),
    "en": ("hi, booking {ref}: can we stay until the 24th?", date(2027, 5, 18), date(2027, 5, 24)),
    "pt": ("olá, a reserva {ref} pode passar para a semana seguinte?", date(2027, 5, 25), date(2027, 5, 29)),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_following_week_or_until_a_day_moves_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    text, check_in, check_out = MOVED[lang]
    asked = await g.says(text.format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify", shown(asked)
    await g.says({"es": "sí", "en": "yes", "pt": "sim"}[lang])
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (check_in, check_out)


SUITE_PRICE = {
    "es": ("hola, reserva {ref}, cuánto costaría la suite?", "uf, no, entonces la dejo como está"),
    "en": ("hi, booking {ref}, how much would the suite be?", "hmm no, leave it as it is then"),
    "pt": ("olá, reserva {ref}, quanto custaria a suíte?", "não, então deixe como está"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_the_price_of_another_room_for_a_booking_is_the_difference_not_a_new_stay(
    lang: str, box, guest
) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    ask, no = SUITE_PRICE[lang]
    asked = await g.says(ask.format(ref=booking.reference))
    assert keys(asked)[-2:] == ["modify_costs_more", "confirm_modify_stay"], shown(asked)
    kept = await g.says(no)
    assert keys(kept)[-1] == "modify_aborted", shown(kept)
    assert (await b.pms.get_booking(booking.reference)).room_type == "double"


# -- lengths and ends said in words, a corrected change, alone in a double ---------------------------
LENGTHS = {  # the 18–22 May booking (4 nights): (message, new arrival, new departure)
    "es": [
        ("hola, quisiera alargar mi reserva {ref} 2 noches", date(2027, 5, 18), date(2027, 5, 24)),
        ("hola, reserva {ref}, nos queremos quedar una semana más", date(2027, 5, 18), date(2027, 5, 29)),
        ("hola, la reserva {ref}: al final solo nos quedamos 2 noches", date(2027, 5, 18), date(2027, 5, 20)),
        ("hola, reserva {ref}: ¿podemos llegar el lunes en vez del martes?", date(2027, 5, 17), date(2027, 5, 22)),
    ],
    "en": [
        ("hi, I'd like to extend my booking {ref} by 2 nights", date(2027, 5, 18), date(2027, 5, 24)),
        ("hi, booking {ref}, we want to stay one more week", date(2027, 5, 18), date(2027, 5, 29)),
        ("hi, booking {ref}: we can only stay 2 nights now", date(2027, 5, 18), date(2027, 5, 20)),
        ("hi, booking {ref}: can we arrive monday instead of tuesday?", date(2027, 5, 17), date(2027, 5, 22)),
    ],
    "pt": [
        ("oi, queria estender minha reserva {ref} por 2 noites", date(2027, 5, 18), date(2027, 5, 24)),
        ("olá, reserva {ref}, queremos ficar mais uma semana", date(2027, 5, 18), date(2027, 5, 29)),
        ("olá, reserva {ref}: afinal só vamos ficar 2 noites", date(2027, 5, 18), date(2027, 5, 20)),
        ("olá, reserva {ref}: dá pra chegar na segunda em vez de terça?", date(2027, 5, 17), date(2027, 5, 22)),
    ],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_length_or_one_end_said_in_words_changes_the_booking(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    for text, check_in, check_out in LENGTHS[lang]:
        g = guest()
        booking = await seed(b, g.phone)
        asked = await g.says(text.format(ref=booking.reference))
        assert keys(asked)[-1] == "confirm_modify", (text, shown(asked))
        await g.says({"es": "sí", "en": "yes", "pt": "sim"}[lang])
        changed = await b.pms.get_booking(booking.reference)
        assert (changed.check_in, changed.check_out) == (check_in, check_out), text


CORRECTED = {
    "es": ("hola, reserva {ref}, nos vamos el 20", "no perdón, el 21", "sí"),
    "en": ("hi, booking {ref}, we leave on the 20th", "no sorry, the 21st", "yes"),
    "pt": ("oi, reserva {ref}, vamos sair dia 20", "não desculpa, dia 21", "sim"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_corrected_change_is_proposed_again_in_full_for_the_same_end(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)  # 18–22 May
    first, fixed, yes = CORRECTED[lang]
    await g.says(first.format(ref=booking.reference))
    asked = await g.says(fixed)
    assert keys(asked)[-1] == "confirm_modify", shown(asked)  # the new dates in full, not "reply yes"
    await g.says(yes)
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 5, 18), date(2027, 5, 21))


ALONE_SINGLE = {
    "es": "hola, tengo una doble ({ref}) pero ahora viajo sola, ¿la podemos cambiar a individual?",
    "en": "hi, I booked a double ({ref}) but now I'm travelling alone, can we make it a single?",
    "pt": "oi, reservei um duplo ({ref}) mas agora vou sozinha, dá pra trocar pra individual?",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_alone_now_in_a_double_moves_to_a_single_for_one(lang: str, box, guest) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    g = guest()
    booking = await seed(b, g.phone)
    asked = await g.says(ALONE_SINGLE[lang].format(ref=booking.reference))
    assert keys(asked)[-1] == "confirm_modify_stay", shown(asked)
    await g.says({"es": "sí", "en": "yes", "pt": "sim"}[lang])
    changed = await b.pms.get_booking(booking.reference)
    assert (changed.room_type, changed.adults, changed.children) == ("single", 1, 0)


NEW_STAY_WITH_SOMEONE = {
    "es": "hola, quiero reservar, vamos mi mujer y yo y mi hijo viene también",
    "en": "hi, I'd like to book, me and my wife and my son is coming too",
    "pt": "olá, queria reservar, eu e a minha mulher e o meu filho vem também",
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_someone_coming_in_a_request_for_a_new_stay_is_not_a_change(lang: str, guest) -> None:  # type: ignore[no-untyped-def]
    g = guest()  # no booking anywhere
    asked = await g.says(NEW_STAY_WITH_SOMEONE[lang])
    assert "no_bookings_found" not in keys(asked), shown(asked)
    assert (await g.conversation())["control"] == "bot"
