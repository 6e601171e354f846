"""Everything around the booking steps, probed with new guest conversations (issue 12, classes 7–9,
sixth round): every question of a message answered, what the hotel lacks said plainly with the
nearest thing it has, a short follow-up about the topic just answered ("e a que horas é servido?"),
a question asked before the yes is not the yes ("before I confirm, what time is check-in?"),
complaints and a person read from the guest's own words, gibberish / off-topic / a message for
someone else answered as such, languages we do not speak (a yes to the person, a no), and the
wording of each variety. Whole conversations through the real Box and the demo hotel; the
assertions are on outcomes (PMS state, catalogue keys, handoff, facts), not on sentences."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from hotelbox.daemon import Box
from hotelbox.messages import Reply
from tests.support import Chat, RecordingChannel, chats, pms_bookings, seed_booking

TODAY = date(2027, 5, 10)


@pytest.fixture
def chat(box: tuple[Box, RecordingChannel]) -> Callable[[str], Chat]:
    return chats(box, TODAY, hour=11)


def keys(replies: list[Reply]) -> list[str]:
    return [k for r in replies for k in (r.key or "").split("+")]


async def state(c: Chat) -> dict[str, Any]:
    return dict(json.loads((await c.conversation())["dialogue"]))


# -- every question answered; what the hotel lacks: a plain no and the nearest thing -----------
@pytest.mark.parametrize(
    ("prefix", "text", "said", "unsaid"),
    [
        (
            "+447",
            "do you have an indoor pool? my kids love swimming",
            ["info:no_indoor_pool"],
            ["info:amenities"],
        ),
        (
            "+5215",
            "buenas tardes, tienen penthouse o alguna suite con alberca privada? viajamos 2",
            ["info:no_penthouse", "info:no_private_pool"],
            ["info:amenities"],
        ),
        (
            "+346",
            "hola, tenéis habitaciones con cocina o algún apartamento? vamos con niños",
            ["info:no_kitchen", "info:no_apartment"],
            [],
        ),
        ("+519", "hola, tienen piscina techada? y gimnasio?", ["info:no_indoor_pool", "info:amenities"], []),
        (
            "+346",
            "teneis gimnasio y spa? y sauna?",
            ["info:no_spa"],
            ["info:amenities"],
        ),  # the no says the gym
        ("+5511", "vcs tem restaurante? da pra jantar ai?", ["info:restaurant"], ["info:amenities"]),
        ("+447", "ok and is the restaurant open for dinner?", ["info:restaurant"], []),
        ("+393", "the room have air condition?", ["info:room_unknown"], ["room_types"]),
        (
            "+447",
            "Hi! Couple of questions: do you have a lift, and can I check in early around 11?",
            ["request:early_checkin", "info:accessibility"],
            [],
        ),
        (
            "+5215",
            "buenas! tienen servicio a la habitación? y alberca?",
            ["info:amenities", "info_unknown"],
            [],
        ),
        ("+351", "olá, têm piscina coberta? e sauna?", ["info:no_indoor_pool", "info:no_spa"], []),
        (
            "+447",
            "Can I cancel for free if plans change? And do I need to pay upfront?",
            ["info:cancellation_policy", "info:payment"],
            [],
        ),
        (
            "+346",
            "me recomiendas algun restaurante de pescaito por la zona?",
            ["info_unknown"],
            ["info:restaurant"],
        ),
        (
            "+447",
            "hi! what time's check in and check out, and is the wifi free?",
            ["info:checkin_time", "info:checkout_time", "info:wifi"],
            [],
        ),
    ],
)
async def test_every_question_and_what_the_hotel_lacks(
    chat: Callable[[str], Chat], prefix: str, text: str, said: list[str], unsaid: list[str]
) -> None:
    c = chat(prefix)
    sent = keys(await c(text))
    assert all(k in sent for k in said), c.transcript()
    assert not any(k in sent for k in unsaid), c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


async def test_what_the_hotel_lacks_asked_inside_a_booking_is_answered_and_the_booking_goes_on(
    chat: Callable[[str], Chat],
) -> None:
    c = chat("+393")
    await c("hello, we are 2 person. you have penthouse or apartment with kitchen? we like cook ourself")
    assert {"info:no_penthouse", "info:no_apartment", "info:no_kitchen"} <= set(keys(c.last)), c.transcript()
    await c("ok and restaurant is open for dinner?")
    assert "info:restaurant" in keys(c.last), c.transcript()
    assert c.said("restaurant", last=True), c.transcript()


# -- a follow-up about the topic just answered ------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "first", "follow", "key", "unsaid"),
    [
        ("+351", "olá, o pequeno-almoço está incluído no preço?", "e a que horas é servido?", "info:breakfast",
         "info:checkout_time"),
        ("+346", "a q hora se sirve el desayuno?", "y es gratis?", "info:breakfast", "not_understood"),
        ("+447", "do you do airport pickups?", "how much is it?", "info:airport_transfer", "prices"),
        ("+5511", "vcs tem estacionamento?", "é pago?", "info:parking", "info:payment"),
        ("+447", "do you have an indoor pool? my kids love swimming", "is it heated?", "info_unknown",
         "info:location"),
    ],
)  # fmt: skip
async def test_a_follow_up_is_about_the_topic_just_answered(
    chat: Callable[[str], Chat], prefix: str, first: str, follow: str, key: str, unsaid: str
) -> None:
    c = chat(prefix)
    await c(first)
    sent = keys(await c(follow))
    assert key in sent, c.transcript()
    assert unsaid not in sent, c.transcript()


async def test_a_follow_up_about_the_stays_price_is_not_the_topics(chat: Callable[[str], Chat]) -> None:
    c = chat("+447")
    await c("double room 3 to 6 october for 2 adults please")
    await c("is breakfast included?")
    await c("and how much is it in total for the 3 nights?")
    assert "info:breakfast" not in keys(c.last), c.transcript()


# -- a question asked before the yes is not the yes -----------------------------------------
@pytest.mark.parametrize(
    ("prefix", "change", "question", "yes"),
    [
        ("+447", "hi, can we move booking {ref} to 21-24 july?", "before I confirm, what time is check-in?",
         "yes please change it"),
        ("+336", "hello, i want change my booking {ref}, new dates 21 to 24 july",
         "before to confirm: the price include breakfast?", "ok yes confirm"),
        ("+3519", "queria alterar a minha reserva {ref} para 21 a 24 de julho",
         "antes de confirmar: o estacionamento tem carregador elétrico?", "sim, confirme"),
        ("+5215", "hola, quiero cambiar mi reserva {ref} al 21 al 24 de julio",
         "antes de confirmar, aceptan tarjeta de credito?", "si, confirmo el cambio"),
    ],
)  # fmt: skip
async def test_a_question_before_the_yes_is_not_the_yes(
    box: tuple[Box, RecordingChannel],
    chat: Callable[[str], Chat],
    prefix: str,
    change: str,
    question: str,
    yes: str,
) -> None:
    c = chat(prefix)
    booking = await seed_booking(box[0], c.phone, check_in=date(2027, 7, 20), check_out=date(2027, 7, 23))
    await c(change.format(ref=booking.reference))
    sent = keys(await c(question))
    assert any(k.startswith("info:") for k in sent), c.transcript()
    assert "continue_change" in sent, c.transcript()
    assert (await box[0].pms.get_booking(booking.reference)).check_in == date(2027, 7, 20), c.transcript()
    await c(yes)
    changed = await box[0].pms.get_booking(booking.reference)
    assert (changed.check_in, changed.check_out) == (date(2027, 7, 21), date(2027, 7, 24)), c.transcript()


@pytest.mark.parametrize(
    ("prefix", "question", "then", "status"),
    [
        ("+486", "wait, i get money back? i paid nothing yet", "ok yes cancel please", "cancelled"),
        ("+5215", "me van a cobrar algo?", "ah entonces mejor no, la dejo", "confirmed"),
    ],
)
async def test_a_question_at_the_cancel_question_is_answered_and_the_answer_awaited(
    box: tuple[Box, RecordingChannel],
    chat: Callable[[str], Chat],
    prefix: str,
    question: str,
    then: str,
    status: str,
) -> None:
    c = chat(prefix)
    booking = await seed_booking(box[0], c.phone, check_in=date(2027, 7, 20), check_out=date(2027, 7, 23))
    await c(f"hello i need cancel my reservation {booking.reference}")
    await c(question)
    assert "info:cancellation_policy" in keys(c.last), c.transcript()
    assert "cancel_aborted" not in keys(c.last), c.transcript()
    await c(then)
    assert (await box[0].pms.get_booking(booking.reference)).status == status, c.transcript()


async def test_a_voice_assistants_order_mid_booking_is_no_name(
    box: tuple[Box, RecordingChannel], chat: Callable[[str], Chat]
) -> None:
    c = chat("+447")
    await c("family room 12-14 june for 2 adults and 1 kid")
    await c("alexa stop")
    assert "oops_ack" in keys(c.last), c.transcript()
    await c("sorry! name is Kate Moss")
    await c("yes")
    [made] = await pms_bookings(box[0])
    assert made.guest_name == "Kate Moss", c.transcript()


async def test_a_question_inside_a_booking_is_answered_and_the_booking_made_without_the_offer_again(
    box: tuple[Box, RecordingChannel], chat: Callable[[str], Chat]
) -> None:
    c = chat("+346")
    await c("quiero una doble para 2 del 14 al 16 de junio")
    await c("se admiten perros? es pequeño, 5 kg")
    assert "info:pets" in keys(c.last), c.transcript()
    assert "continue_booking" in keys(c.last), c.transcript()
    assert not c.said("en total", last=True), c.transcript()  # the offer is not repeated
    await c("genial, pues resérvala a nombre de Carmen Vidal Ortega")
    await c("si")
    [made] = await pms_bookings(box[0])
    assert (made.room_type, made.check_in, made.adults) == ("double", date(2027, 6, 14), 2), c.transcript()


# -- complaints and a person, read from the guest's words -----------------------------------
@pytest.mark.parametrize(
    ("prefix", "turns"),
    [
        ("+447", ["Hi, we're staying in room 12.",
                  "Sorry to bother you but the air conditioning isn't cooling at all and it's really hot in here"]),
        ("+447", ["This is ridiculous. Nobody cleaned our room today and there are no towels!!"]),
        ("+447", ["Hello, I'm afraid the toilet in our room is blocked. Could someone have a look?"]),
        ("+393", ["excuse me, in our room is very noisy from the street, we cannot sleep. is possible to change room?"]),
        ("+346", ["Hola, estamos en la 305 y la tele no se enciende, nos pueden ayudar?"]),
        ("+346", ["Llevamos dos horas sin luz en la habitación 112"]),
        ("+3519", ["Ninguém limpou o quarto hoje e não há toalhas. Muito mau."]),
        ("+5511", ["oi, estamos no quarto 210 e o ar condicionado não está gelando"]),
        ("+346", ["me habeis cobrado dos noches de mas en la tarjeta, lo quiero solucionado ya"]),
    ],
)  # fmt: skip
async def test_a_complaint_in_the_guests_words_goes_to_a_person(
    chat: Callable[[str], Chat], prefix: str, turns: list[str]
) -> None:
    c = chat(prefix)
    for text in turns[:-1]:
        await c(text)
        assert (await c.conversation())["control"] == "bot", c.transcript()  # "we're in room 12": no booking
        assert keys(c.last) == ["in_house_ack"], c.transcript()
    await c(turns[-1])
    conversation = await c.conversation()
    assert (conversation["control"], conversation["attention"]) == ("waiting_staff", "complaint"), (
        c.transcript()
    )


async def test_another_sites_failure_with_a_stay_is_a_booking_not_a_complaint(
    chat: Callable[[str], Chat],
) -> None:
    c = chat("+447")
    await c("ugh, tried to book on booking.com and it didn't work. can I book here? double 3-5 nov for 2")
    assert (await c.conversation())["control"] == "bot", c.transcript()
    assert "room_chosen" in keys(c.last), c.transcript()


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+447", "Can I get a callback from reception? 07700 900804"),
        ("+549", "che, me podés pasar con alguien que me atienda?"),
        ("+5215", "oiga necesito que alguien me marque por teléfono"),
        ("+5511", "tem como eu falar com uma pessoa de verdade?"),
        ("+447", "room for 2 adults from 20 to 22 may... actually could someone just give me a call?"),
    ],
)
async def test_a_person_asked_for_in_words(chat: Callable[[str], Chat], prefix: str, text: str) -> None:
    c = chat(prefix)
    await c(text)
    conversation = await c.conversation()
    assert (conversation["control"], conversation["attention"]) == ("waiting_staff", "requested"), (
        c.transcript()
    )


@pytest.mark.parametrize(
    ("prefix", "question", "then", "handed"),
    [
        (
            "+3519",
            "Estou a falar com um robô?",
            "ok. têm quarto duplo livre de 3 a 5 de junho para 2?",
            False,
        ),
        ("+447", "are you a bot?", "I'd rather talk to a real person tbh", True),
        (
            "+447",
            "what can you do?",
            "ok, can I book a room then? family room 1-4 june, 2 adults 2 kids",
            False,
        ),
        ("+5215", "hola, eres un bot?", "ah ok, tienen estacionamiento?", False),
    ],
)
async def test_asking_what_the_assistant_is_is_no_call_for_a_person(
    chat: Callable[[str], Chat], prefix: str, question: str, then: str, handed: bool
) -> None:
    c = chat(prefix)
    await c(question)
    assert keys(c.last) == ["about_bot"], c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()
    await c(then)
    assert ((await c.conversation())["control"] == "waiting_staff") is handed, c.transcript()


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+447", "Hi, I stayed last week and I think I left my phone charger in the room. Could you check?"),
        ("+346", "hola, creo que me dejé el cargador del portátil en la habitación, lo podéis mirar?"),
        ("+5511", "oi, esqueci meu casaco no quarto quando fiz o check-out"),
        # the perfect tense and "se nos olvidó": the same thing left behind
        (
            "+346",
            "estuvimos hasta ayer y me he dejado unas gafas de sol en la habitacion 214, lo podeis mirar?",
        ),
        ("+525", "buenas, se nos olvidaron unos lentes en el cuarto"),
        ("+3519", "boa tarde, acho que tinha deixado o carregador no quarto"),
    ],
)
async def test_something_left_behind_goes_to_reception(
    chat: Callable[[str], Chat], prefix: str, text: str
) -> None:
    c = chat(prefix)
    await c(text)
    assert (await c.conversation())["control"] == "waiting_staff", c.transcript()


@pytest.mark.parametrize(
    ("prefix", "text", "lang"),
    [
        ("+346", "hi, do you speak english?", "en"),
        ("+447", "hola, habláis español?", "es"),
        ("+5511", "vcs falam português?", "pt"),
    ],
)
async def test_a_language_we_speak_asked_for_is_a_yes(
    chat: Callable[[str], Chat], prefix: str, text: str, lang: str
) -> None:
    c = chat(prefix)
    await c(text)
    assert keys(c.last) == ["we_speak_it"], c.transcript()
    assert c.last[0].lang == lang, c.transcript()


async def test_a_name_is_no_call_for_a_person(chat: Callable[[str], Chat]) -> None:
    c = chat("+569")
    await c("hola buenas, me llamo Ignacio Muñoz Soto")
    assert (await c.conversation())["control"] == "bot", c.transcript()


# -- gibberish, off-topic, a message for someone else ---------------------------------------
@pytest.mark.parametrize(
    ("prefix", "turns", "said", "lang"),
    [
        ("+346", ["pon musica de bad bunny", "jaja perdon, era para alexa", "ok"],
         ["not_understood", "oops_ack", "ack"], "es"),
        ("+5511", ["ei google, toca uma música", "kkkk foi mal"], ["oops_ack", "oops_ack"], "pt"),
        ("+346", ["Hola Juan, ya salí para allá, llego en 10 min", "uy perdon, me equivoque de numero", "jaja vale"],
         ["not_understood", "oops_ack", "ack"], "es"),
        ("+5215", ["oye cuanto quedo el partido del america?"], ["not_understood"], "es"),
        ("+5215", ["k onda, cuánto está el dólar hoy?"], ["not_understood"], "es"),
        ("+447", ["blah blah test 123"], ["not_understood"], "en"),
    ],
)  # fmt: skip
async def test_what_is_not_for_the_hotel_is_answered_as_such(
    chat: Callable[[str], Chat], prefix: str, turns: list[str], said: list[str], lang: str
) -> None:
    c = chat(prefix)
    for text in turns:
        await c(text)
    assert keys(c.replies) == said, c.transcript()
    assert {r.lang for r in c.replies} == {lang}, c.transcript()
    conversation = await c.conversation()
    assert conversation["control"] == "bot", c.transcript()
    assert json.loads(conversation["dialogue"])["flow"] is None, c.transcript()


async def test_a_message_meant_for_a_relative_leaves_the_booking_as_it_was(
    box: tuple[Box, RecordingChannel], chat: Callable[[str], Chat]
) -> None:
    c = chat("+447")
    await c("double room 10-12 june for 2")
    await c("lol sorry that was meant for my sister")
    assert "oops_ack" in keys(c.last), c.transcript()
    await c("ok book the double please, Jane Fox")
    await c("yes")
    [made] = await pms_bookings(box[0])
    assert made.adults == 2, c.transcript()


# -- languages we do not speak -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "first", "answer", "handed"),
    [
        ("+4915", "Hallo, haben Sie noch ein Doppelzimmer frei vom 12. bis 15. August? Wie viel kostet das?",
         "ja bitte", True),
        ("+393", "Buongiorno! vorrei sapere se avete una camera doppia libera dal 3 al 6 settembre, grazie",
         "sì, grazie mille", True),
        ("+336", "Bonjour, vous parlez français?", "oui", True),
        ("+4915", "Guten Morgen, ich möchte ein Zimmer für zwei Nächte buchen", "yes please", True),
        ("+336", "Salut! Vous avez une chambre pour ce soir?", "non, c'est bon, merci", False),
    ],
)  # fmt: skip
async def test_a_yes_or_a_no_to_the_person_offered_in_another_language(
    chat: Callable[[str], Chat], prefix: str, first: str, answer: str, handed: bool
) -> None:
    c = chat(prefix)
    await c(first)
    assert keys(c.last) == ["languages_we_speak"], c.transcript()
    await c(answer)
    conversation = await c.conversation()
    assert (conversation["control"] == "waiting_staff") is handed, c.transcript()
    assert {r.lang for r in c.replies} == {"en"}, c.transcript()


async def test_carrying_on_in_english_after_the_languages_is_no_yes_to_a_person(
    chat: Callable[[str], Chat],
) -> None:
    c = chat("+4917")
    await c("Hallo! Sprechen Sie Deutsch?")
    await c("ok, english is fine. what is the wifi password?")
    assert "info:wifi" in keys(c.last), c.transcript()
    assert (await c.conversation())["control"] == "bot", c.transcript()


# -- leaving it there; thanks and goodbyes after a booking ---------------------------------------
async def test_talking_it_over_with_the_family_is_leaving_it_there(chat: Callable[[str], Chat]) -> None:
    c = chat("+5215")
    await c("y cuanto cuesta la suite del 10 al 13 de noviembre? somos 2")
    await c("gracias, lo platico con mi esposa y les escribo")
    assert keys(c.last) == ["goodbye"], c.transcript()
    assert not c.said("vosotros"), c.transcript()


@pytest.mark.parametrize(
    ("prefix", "ask", "yes", "after", "closing"),
    [
        ("+447", "hi, single room for 1 from 2 to 4 june, name Tom Baker", "yes", ["great thanks!!", "ok", "bye"],
         ["thanks", "ack", "goodbye"]),
        ("+549", "una doble del 1 al 3 de agosto para 2, a nombre de Lucas Pérez", "si", ["genial gracias", "dale", "chau"],
         ["thanks", "ack", "goodbye"]),
        ("+3519", "quarto individual de 10 a 12 de outubro, Miguel Sousa", "sim", ["obrigado!", "ok", "adeus"],
         ["thanks", "ack", "goodbye"]),
    ],
)  # fmt: skip
async def test_thanks_ok_and_goodbye_after_a_booking_start_nothing(
    box: tuple[Box, RecordingChannel],
    chat: Callable[[str], Chat],
    prefix: str,
    ask: str,
    yes: str,
    after: list[str],
    closing: list[str],
) -> None:
    c = chat(prefix)
    await c(ask)
    await c(yes)
    said = []
    for text in after:
        said += keys(await c(text))
    assert said == closing, c.transcript()
    assert len(await pms_bookings(box[0])) == 1, c.transcript()
    assert (await state(c))["flow"] is None, c.transcript()


# -- the wording of each variety -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "text", "words", "never"),
    [
        ("+5511", "bom dia, o quarto tem banheiro privativo? e o café da manhã é servido até que horas?",
         ["café da manhã", "banheiro"], ["pequeno-almoço", "casa de banho"]),
        ("+3519", "olá, o pequeno-almoço está incluído no preço?", ["pequeno-almoço"], ["café da manhã"]),
        ("+5511", "vcs tem restaurante? da pra jantar ai?", ["térreo", "café da manhã"], ["rés-do-chão"]),
        ("+5215", "ah ok, entonces tienen estacionamiento?", ["carros"], ["coches"]),
        ("+5511", "oi, vcs tem academia? e sauna?", ["academia"], ["ginásio"]),
    ],
)  # fmt: skip
async def test_each_variety_in_its_own_words(
    chat: Callable[[str], Chat], prefix: str, text: str, words: list[str], never: list[str]
) -> None:
    c = chat(prefix)
    await c(text)
    assert c.said(*words), c.transcript()
    assert not any(c.said(w) for w in never), c.transcript()
