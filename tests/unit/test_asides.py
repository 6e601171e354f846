"""What a message asks about a room, and what it requests, in the guest's words (issue 12,
class 7): read apart from any flow, in Spanish, English and Portuguese."""

from __future__ import annotations

import pytest

from hotelbox.dialogue.asides import requests_in
from hotelbox.dialogue.knowledge import asks_quietly, features_in, priced_aside, room_has, topics_in


@pytest.mark.parametrize(
    ("text", "features"),
    [
        ("o quarto tem casa de banho privativa?", ["bathroom"]),
        ("it have bathtub?", ["bathtub"]),
        ("la suite tiene jacuzzi?", ["bathtub"]),
        ("queriamos una doble con balcon si puede ser", ["balcony"]),
        ("is there a kettle and a safe in the room?", ["kettle", "safe"]),
        ("tiene aire acondicionado la habitacion?", ["air_conditioning"]),
        ("qual tem vista pro mar?", ["view"]),
        ("how big is the family room?", ["size"]),
        ("pago à vista", []),
        ("cama extra para el niño", []),
        ("is it a safe area at night?", []),
    ],
)
def test_room_features_in_the_guests_words(text: str, features: list[str]) -> None:
    assert features_in(text) == features


def test_a_feature_is_had_when_the_rooms_description_names_it() -> None:
    suite = {"en": "Bedroom and lounge, whirlpool bath and a terrace with sea views."}
    assert room_has("bathtub", suite)
    assert room_has("view", suite)
    assert not room_has("air_conditioning", suite)  # never said: a question for reception


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("we need a cot for the baby", ["cot"]),
        ("do you have cots?", []),  # a question, answered; nothing to note
        ("tienen cuna? la necesitamos", ["cot"]),
        ("llegaremos tarde, sobre las 23h", ["late_arrival"]),
        ("llegamos por la tarde", []),  # the afternoon, not late
        ("we'll arrive around 11pm", ["late_arrival"]),
        ("vamos chegar tarde", ["late_arrival"]),
        ("could we check in early?", ["early_checkin"]),
        ("somos celíacos", ["diet"]),
        ("sou alérgica a frutos secos", ["diet"]),
        ("a quiet room please, away from the lift", ["quiet_room"]),
        ("es nuestro aniversario", ["anniversary"]),
        ("necesito reservar una plaza de parking", ["parking_space"]),
        ("tranquilo, no pasa nada", []),
    ],
)
def test_requests_in_the_guests_words(text: str, kinds: list[str]) -> None:
    assert requests_in(text) == kinds


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("y el desayuno va aparte o esta incluido", True),
        ("do ye take amex", True),
        ("a nombre de Ana Ruiz", False),
    ],
)
def test_questions_without_a_question_mark(text: str, asks: bool) -> None:
    assert asks_quietly(text) is asks


def test_the_price_of_parking_is_parkings_and_a_charge_while_cancelling_is_the_policy() -> None:
    assert priced_aside("e estacionamento, têm? quanto custa por dia?", {})
    assert not priced_aside("how much is the room with breakfast?", {})
    assert topics_in("do ye take amex?") == ["payment"]
    assert topics_in("will I get charged?", cancelling=True) == ["cancellation_policy"]


def test_asking_whether_there_is_something_requests_nothing() -> None:
    assert requests_in("do you have gluten free breakfast?") == []
    assert requests_in("is there gluten free breakfast? my wife is celiac") == ["diet"]


def test_a_sea_view_is_not_a_city_view() -> None:
    single = {"en": "105 cm bed, private bathroom, desk and city views."}
    assert room_has("view", single, "any room with a view?")
    assert not room_has("view", single, "which rooms have a sea view?")
    assert not room_has("view", single, "quartos com vista para o mar?")


def test_twin_beds_asked_for_are_a_request_and_what_beds_is_a_question() -> None:
    assert requests_in("yes but can we get twin beds instead of one big bed?") == ["beds"]
    assert requests_in("queremos camas separadas") == ["beds"]
    assert requests_in("what beds does the suite have?") == []


def test_a_hotel_may_answer_a_room_feature_in_its_own_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hotelbox.dialogue.knowledge import Knowledge

    (tmp_path / "en.toml").write_text('[topics]\nair_conditioning = "Every room has air conditioning."\n')
    knowledge = Knowledge(tmp_path)
    assert knowledge.answer("en", "air_conditioning") == "Every room has air conditioning."
    assert knowledge.sentence("en", "requests", "late_arrival")  # the shipped sections stay
