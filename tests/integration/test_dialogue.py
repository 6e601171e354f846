"""Conversations through the real pipeline: understanding, dialogue, store, channel — booking in
the embedded demo hotel and in QloApps (the faithful fake, set up like the demo hotel)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import say_date
from tests.support import hotel_today, pms_bookings


@pytest.fixture(params=["demo", "qloapps"])
def pms_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def stay(days_ahead: int = 45, nights: int = 2) -> tuple[date, date]:
    start = hotel_today() + timedelta(days=days_ahead)
    return start, start + timedelta(days=nights)


BOOK = {
    "es": "quiero reservar una habitación doble del {a} al {b} para 2 adultos",
    "en": "I'd like to book a double room from {a} to {b} for 2 adults",
    "pt": "quero reservar um quarto duplo de {a} a {b} para 2 adultos",
}
YES = {"es": "sí", "en": "yes", "pt": "sim"}
NAMES = {"es": "Lucía Fernández", "en": "John Smith", "pt": "Ana Souza"}


def keys(replies) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.key for r in replies]


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_booking_step_by_step_creates_it_in_the_pms(lang: str, box, make_guest, room_code) -> None:  # type: ignore[no-untyped-def]
    b, _ = box
    guest = make_guest(f"+3460000{ord(lang[0]):04d}")
    ci, co = stay()
    replies = await guest.says(BOOK[lang].format(a=say_date(ci, lang), b=say_date(co, lang)))
    assert keys(replies) == ["room_chosen", "ask_name"]
    assert all(r.lang == lang for r in replies)
    assert keys(await guest.says(NAMES[lang])) == ["confirm_booking_email"]  # the e-mail: offered, optional
    summary = await guest.says(f"{lang}.guest@example.com")
    assert keys(summary) == ["confirm_booking"]
    assert [o.id for o in summary[0].options] == ["yes", "change", "dont_book"]
    confirmed = await guest.says(YES[lang])
    assert keys(confirmed) == ["booking_confirmed"]

    [made] = await pms_bookings(b)
    assert (made.check_in, made.check_out, made.adults, made.children, made.room_type) == (
        ci,
        co,
        2,
        0,
        room_code["double"],
    )
    quote = next(o for o in await b.pms.search(ci, co, 2, 0) if o.room_type.code == room_code["double"])
    assert made.total_price == quote.total_price
    assert made.reference in confirmed[0].text
    assert made.guest_name == NAMES[lang]
    assert made.phone == guest.phone
    row = await b.store.fetchone("SELECT * FROM bookings")
    assert row is not None
    assert (row["pms_reference"], row["status"]) == (made.reference, "confirmed")


async def test_everything_in_the_first_message_is_not_asked_again(box, make_guest) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest()
    ci, co = stay(60, 3)
    text = (
        f"Hola, quiero reservar la suite del {say_date(ci, 'es')} al {say_date(co, 'es')}, "
        "somos 2 adultos, me llamo Carmen López, carmen.lopez@gmail.com"
    )
    replies = await guest.says(text)
    assert keys(replies) == ["room_chosen", "confirm_booking"]
    assert "Carmen López" in replies[1].text
    assert "carmen.lopez@gmail.com" in replies[1].text
    assert keys(await guest.says("sí")) == ["booking_confirmed"]


async def test_availability_then_pick_a_room_by_button(box, make_guest, room_code) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest()
    ci, co = stay(30, 2)
    replies = await guest.says(
        f"do you have rooms from {say_date(ci, 'en')} to {say_date(co, 'en')} for 2 people?"
    )
    assert keys(replies) == ["offers", "offers_choose"]
    options = {o.id for o in replies[1].options}
    assert {f"room:{room_code[c]}" for c in ("double", "suite", "family")} <= options
    assert f"room:{room_code['single']}" not in options  # a single does not take two people
    picked = await guest.says("Suite", choice=f"room:{room_code['suite']}")
    assert keys(picked) == ["room_chosen", "ask_name"]  # the choice, with its price, then on


async def test_a_question_in_the_middle_of_a_booking_then_back_to_it(box, make_guest) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest()
    ci, co = stay()
    await guest.says(BOOK["es"].format(a=say_date(ci, "es"), b=say_date(co, "es")))
    replies = await guest.says("¿a qué hora es el desayuno?")
    assert keys(replies) == ["info:breakfast", "continue_booking"]
    assert "7:30" in replies[0].text
    assert "nombre" in replies[1].text  # the pending question again
    assert keys(await guest.says("Pablo Gómez")) == ["confirm_booking_email"]


async def test_asking_for_a_person_hands_off_and_the_bot_stays_silent(box, make_guest) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest()
    assert keys(await guest.says("quiero hablar con una persona")) == ["handoff_requested"]
    conversation = await guest.conversation()
    assert (conversation["control"], conversation["attention"]) == ("waiting_staff", "requested")
    assert await guest.says("¿hola? ¿hay alguien?") == []
    assert await guest.says("quiero reservar una habitación") == []
    rows = await guest.box.store.fetchall("SELECT status FROM inbox")
    assert [r["status"] for r in rows] == ["done", "done", "done"]  # stored, for staff; not answered


async def test_two_misunderstandings_in_a_row_call_staff(box, make_guest) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest()
    assert keys(await guest.says("blorp zumba quantico")) == ["not_understood"]
    assert keys(await guest.says("fnord wibble")) == ["handoff_not_understood"]
    assert (await guest.conversation())["control"] == "waiting_staff"


async def test_a_complaint_goes_to_staff(box, make_guest) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest()
    assert keys(await guest.says("the room is dirty and the staff were rude, this is unacceptable")) == [
        "handoff_complaint"
    ]
    assert (await guest.conversation())["attention"] == "complaint"


BAD_INPUT = {
    # lang: [(message, expected reply key)]
    "es": [
        ("👍🎉", "no_words"),
        ("quiero reservar para el 31 de febrero", "invalid_date"),
        ("quiero reservar para ayer y hoy", None),
    ],
    "en": [("!!! ???", "no_words"), ("book me a room for february 30th", "invalid_date")],
    "pt": [("😀😀😀", "no_words"), ("quero reservar para 31 de abril", "invalid_date")],
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_bad_dates_and_guests_get_a_clear_answer_in_the_guests_language(
    lang: str, box, make_guest
) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest(f"+3461111{ord(lang[1]):04d}")
    today = hotel_today()
    past = today - timedelta(days=10)
    later = today + timedelta(days=50)
    script = {
        "es": [
            ("quiero reservar una habitación", "ask_dates"),
            (f"del {say_date(past, 'es')} al {say_date(past + timedelta(days=2), 'es')}", "past_date"),
            (
                f"llego el {say_date(later, 'es')} y me voy el {say_date(later - timedelta(days=3), 'es')}",
                "checkout_before_checkin",
            ),
            (f"del {say_date(later, 'es')} al {say_date(later + timedelta(days=2), 'es')}", "ask_guests"),
            ("somos 0 adultos", "no_adults"),
            ("somos 40 personas", "handoff_group"),
        ],
        "en": [
            ("I want to book a room", "ask_dates"),
            (f"from {say_date(past, 'en')} to {say_date(past + timedelta(days=2), 'en')}", "past_date"),
            (
                f"arriving {say_date(later, 'en')}, leaving {say_date(later - timedelta(days=3), 'en')}",
                "checkout_before_checkin",
            ),
            (f"from {say_date(later, 'en')} to {say_date(later + timedelta(days=2), 'en')}", "ask_guests"),
            ("0 adults", "no_adults"),
            ("we are 40 people", "handoff_group"),
        ],
        "pt": [
            ("quero reservar um quarto", "ask_dates"),
            (f"de {say_date(past, 'pt')} a {say_date(past + timedelta(days=2), 'pt')}", "past_date"),
            (
                f"chego a {say_date(later, 'pt')} e saio a {say_date(later - timedelta(days=3), 'pt')}",
                "checkout_before_checkin",
            ),
            (f"de {say_date(later, 'pt')} a {say_date(later + timedelta(days=2), 'pt')}", "ask_guests"),
            ("0 adultos", "no_adults"),
            ("somos 40 pessoas", "handoff_group"),
        ],
    }[lang]
    for text, key in script:
        replies = await guest.says(text)
        assert keys(replies)[-1] == key, f"{text!r} → {keys(replies)}"
        assert all(r.lang == lang for r in replies), f"{text!r} answered in {[r.lang for r in replies]}"


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_unusable_messages_get_a_reply_and_are_kept(lang: str, box, make_guest) -> None:  # type: ignore[no-untyped-def]
    guest = make_guest(f"+3462222{ord(lang[0]):04d}")
    greeting = {"es": "hola buenas", "en": "hello there", "pt": "olá, bom dia"}[lang]
    assert keys(await guest.says(greeting)) == ["greet"]
    for text, key in BAD_INPUT[lang]:
        if key is None:
            continue
        replies = await guest.says(text)
        assert keys(replies)[-1] == key
        assert replies[-1].lang == lang
    huge = ("hola " if lang == "es" else "hello ") * 1000
    assert keys(await guest.says(huge)) == ["too_long"]
    rows = await guest.box.store.fetchall("SELECT status FROM inbox")
    assert {r["status"] for r in rows} == {"done"}
    stored = await guest.box.store.fetchone(
        "SELECT max(length(text)) AS n FROM messages WHERE direction = 'in'"
    )
    assert stored is not None
    assert stored["n"] == len(huge)  # nothing lost, even when not understood


async def test_change_and_cancel_only_for_the_owner(box, make_guest) -> None:  # type: ignore[no-untyped-def]
    owner = make_guest("+34600123456")
    ci, co = stay(70, 2)
    await owner.says(
        f"I want to book the suite from {say_date(ci, 'en')} to {say_date(co, 'en')}, 2 adults, "
        "my name is Peter Brown, peter.brown@example.com"
    )
    [confirmed] = await owner.says("yes")
    ref = confirmed.text.split("reference is ")[1].split(".")[0]

    stranger = make_guest("+34699999999")
    assert keys(await stranger.says(f"please cancel booking {ref}")) == ["ask_owner_name"]
    assert keys(await stranger.says("Mary Jones")) == ["handoff_ownership"]

    other = make_guest("+34688888888")
    await other.says(f"please cancel booking {ref}")
    assert keys(await other.says("Peter Brown")) == ["confirm_cancel"]  # reference + name prove it
    assert keys(await other.says("no")) == ["cancel_aborted"]

    moved = await owner.says(
        f"I need to change my booking to {say_date(ci + timedelta(days=1), 'en')} - {say_date(co + timedelta(days=2), 'en')}"
    )
    assert keys(moved) == ["confirm_modify"]
    assert keys(await owner.says("yes")) == ["modify_done"]
    pms = owner.box.pms
    booking = await pms.get_booking(ref)
    assert (booking.check_in, booking.check_out) == (ci + timedelta(days=1), co + timedelta(days=2))
    assert keys(await owner.says("cancel my reservation")) == ["confirm_cancel"]
    assert keys(await owner.says("yes")) == ["cancel_done"]
    assert (await pms.get_booking(ref)).status == "cancelled"
    actions = [
        r["action"] for r in await owner.box.store.fetchall("SELECT action FROM audit_log ORDER BY id")
    ]
    assert "booking.cancel.done" in actions
    assert "booking.modify.done" in actions
    assert "handoff" in actions
