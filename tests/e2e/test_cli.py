"""``hotelbox`` as a subprocess, the way people and scripts use it."""

from __future__ import annotations

import base64
import json
import sqlite3
import tomllib
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hotelbox.pms.demo import DEMO_ROOM_TYPES, nightly_rate
from tests.fakes.qloapps import FULL_KEY
from tests.fakes.qloapps.seed import qloapps_room_text
from tests.helpers import say_date
from tests.support import hotel_today, run_cli, running_fake_qloapps


@pytest.fixture(params=["demo", "qloapps"])
def pms_kind(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The box's PMS: the embedded demo hotel, or QloApps (the fake, as its own process) set up
    like it — configured the way an installer does, in hotelbox.toml with a key file."""
    if request.param == "demo":
        yield "demo"
        return
    with running_fake_qloapps("demo-like") as url:
        (tmp_path / "qloapps.key").write_text(FULL_KEY + "\n")
        (tmp_path / "hotelbox.toml").write_text(qloapps_toml(url, tmp_path / "qloapps.key"))
        yield "qloapps"


def qloapps_toml(url: str, key_file: Path) -> str:
    lines = ["[pms]", 'kind = "qloapps"', "retry_base_s = 0.5", "", "[pms.qloapps]", f'url = "{url}"']
    lines.append(f'key_file = "{key_file}"')
    for rid, text in qloapps_room_text().items():
        lines += ["", f"[pms.qloapps.room_types.{rid}]"]
        lines.append(
            "names = { " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in text["names"].items()) + " }"
        )
        lines.append(f"aliases = {json.dumps(text['aliases'])}")
    return "\n".join(lines) + "\n"


def qloapps_order(url: str, reference: str) -> dict[str, str]:
    """The order as QloApps has it (asked over its API, like a back-office user would look)."""
    query = urllib.parse.urlencode(
        {
            "filter[reference]": f"[{reference}]",
            "display": "[id,reference,current_state,total_paid_tax_incl]",
            "output_format": "JSON",
        }
    )
    request = urllib.request.Request(f"{url}/api/orders?{query}")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{FULL_KEY}:".encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        return dict(json.load(answer)["orders"][0])


def chat(cwd: Path, phone: str, *lines: str) -> list[dict]:  # type: ignore[type-arg]
    result = run_cli("chat", "--as", phone, "--json", cwd=cwd, input="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def keys(replies: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [r["key"] for r in replies]


def pms_bookings(cwd: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(cwd / "var" / "demo_pms.db")
    conn.row_factory = sqlite3.Row
    return conn.execute("SELECT * FROM bookings ORDER BY created_at").fetchall()


def demo_price(room: str, check_in: date, check_out: date) -> Decimal:
    base = next(Decimal(r[7]) for r in DEMO_ROOM_TYPES if r[0] == room)
    total = Decimal(0)
    d = check_in
    while d < check_out:
        total += nightly_rate(base, d)
        d += timedelta(days=1)
    return total


SCRIPTS = {
    "es": {
        "book": "Hola, quiero reservar una habitación familiar del {a} al {b}",
        "guests": "somos 2 adultos y 2 niños",
        "name": "María José Pérez",
        "email": "mjperez@example.es",
        "yes": "sí",
        "change": "quiero cambiar las fechas de mi reserva al {a} – {b}",
        "cancel": "quiero cancelar mi reserva",
    },
    "en": {
        "book": "Hi, I'd like to book a family room from {a} to {b}",
        "guests": "2 adults and 2 children",
        "name": "Sarah Johnson",
        "email": "sarah.j@example.com",
        "yes": "yes",
        "change": "I need to change the dates of my booking to {a} - {b}",
        "cancel": "please cancel my booking",
    },
    "pt": {
        "book": "Olá, quero reservar um quarto familiar de {a} a {b}",
        "guests": "2 adultos e 2 crianças",
        "name": "Beatriz Ferreira",
        "email": "bia.ferreira@example.pt",
        "yes": "sim",
        "change": "preciso alterar as datas da minha reserva para {a} a {b}",
        "cancel": "quero cancelar a minha reserva",
    },
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
def test_book_change_and_cancel_through_hotelbox_chat(
    lang: str, tmp_path: Path, nlu_cache: Path, pms_kind: str
) -> None:
    s = SCRIPTS[lang]
    phone = "+34600700" + str(100 + ord(lang[0]))
    ci = hotel_today() + timedelta(days=50)
    co = ci + timedelta(days=3)
    replies = chat(
        tmp_path,
        phone,
        s["book"].format(a=say_date(ci, lang), b=say_date(co, lang)),
        s["guests"],
        s["name"],
        s["email"],
        s["yes"],
    )
    assert keys(replies) == [
        "ask_guests",
        "room_chosen",
        "ask_name",
        "confirm_booking_email",
        "confirm_booking",
        "booking_confirmed",
    ]
    assert {r["lang"] for r in replies} == {lang}
    [record] = listed_bookings(tmp_path)
    family = "family" if pms_kind == "demo" else "3"
    assert (record["check_in"], record["check_out"]) == (ci.isoformat(), co.isoformat())
    assert (record["adults"], record["children"], record["room_type"]) == (2, 2, family)
    assert record["reference"] in replies[-1]["text"]
    assert record["guest_name"] == s["name"]
    first_total = Decimal(record["total_price"])
    if pms_kind == "demo":
        [booking] = pms_bookings(tmp_path)
        assert booking["reference"] == record["reference"]
        assert first_total == demo_price("family", ci, co)

    # a new process: change the dates (the phone proves who the guest is)
    nci, nco = ci + timedelta(days=7), ci + timedelta(days=9)
    replies = chat(
        tmp_path, phone, s["change"].format(a=say_date(nci, lang), b=say_date(nco, lang)), s["yes"]
    )
    assert keys(replies) == ["confirm_modify", "modify_done"]
    [record] = listed_bookings(tmp_path)
    assert (record["check_in"], record["check_out"]) == (nci.isoformat(), nco.isoformat())
    if pms_kind == "demo":
        assert Decimal(record["total_price"]) == demo_price("family", nci, nco)
    else:
        assert Decimal(record["total_price"]) == first_total / 3 * 2  # flat rates: two nights of three

    replies = chat(tmp_path, phone, s["cancel"], s["yes"])
    assert keys(replies) == ["confirm_cancel", "cancel_done"]
    [record] = listed_bookings(tmp_path)
    assert record["status"] == "cancelled"
    assert (record["adults"], record["children"], record["room_type"]) == (2, 2, family)
    if pms_kind == "demo":
        assert pms_bookings(tmp_path)[0]["status"] == "cancelled"
    else:
        url = tomllib.loads((tmp_path / "hotelbox.toml").read_text())["pms"]["qloapps"]["url"]
        order = qloapps_order(url, record["reference"])
        assert int(order["current_state"]) == 4  # Canceled, in QloApps itself
        assert Decimal(order["total_paid_tax_incl"]) == Decimal(record["total_price"])


def listed_bookings(cwd: Path) -> list[dict]:  # type: ignore[type-arg]
    listed = run_cli("bookings", "--json", cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)  # type: ignore[no-any-return]


def test_a_guest_who_gives_everything_at_once_is_not_asked_again(tmp_path: Path, nlu_cache: Path) -> None:
    ci = hotel_today() + timedelta(days=21)
    text = (
        f"Olá! Quero reservar a suíte de {say_date(ci, 'pt')} a {say_date(ci + timedelta(days=2), 'pt')} "
        "para 2 adultos. Chamo-me Rafael Souza, rafael@example.com.br"
    )
    replies = chat(tmp_path, "+5511912345678", text, "sim")
    assert keys(replies) == ["room_chosen", "confirm_booking", "booking_confirmed"]
    assert not [k for k in keys(replies) if k.startswith("ask_")]
    confirm = replies[1]
    assert [o["id"] for o in confirm["options"]] == ["yes", "change", "dont_book"]


def test_a_restart_in_the_middle_of_a_booking_resumes_it(tmp_path: Path, nlu_cache: Path) -> None:
    ci = hotel_today() + timedelta(days=15)
    first = chat(
        tmp_path, "+34611000111", f"I want to book from {say_date(ci, 'en')} for 2 nights", "two adults"
    )
    assert keys(first)[-1] in ("offers_choose", "ask_name")
    second = chat(tmp_path, "+34611000111", "the double one", "Laura Taylor", "laura@example.com", "yes")
    assert keys(second)[-1] == "booking_confirmed"
    [booking] = pms_bookings(tmp_path)
    assert (booking["check_in"], booking["check_out"], booking["room_type"]) == (
        ci.isoformat(),
        (ci + timedelta(days=2)).isoformat(),
        "double",
    )


def test_asking_for_a_person_and_then_silence(tmp_path: Path, nlu_cache: Path) -> None:
    replies = chat(
        tmp_path, "+34622000222", "hola", "quiero hablar con una persona de recepción", "¿hola?", "¿alguien?"
    )
    assert keys(replies) == ["greet", "handoff_requested"]
    replies = chat(tmp_path, "+34622000222", "sigo esperando")  # a later session: still silent
    assert replies == []


def test_understand_contract(tmp_path: Path, nlu_cache: Path) -> None:
    one = run_cli("understand", "--today", "2026-11-24", "cancela la reserva HB-2207 por favor", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    data = json.loads(one.stdout)
    assert set(data) == {"lang", "intent", "confidence", "topic", "entities"}
    assert (data["lang"], data["intent"], data["entities"]) == (
        "es",
        "cancel_booking",
        {"booking_ref": "HB-2207"},
    )
    lines = "O check-out é até que horas?\nI'd like to book the family room for this Saturday, two nights\n"
    many = run_cli("understand", "--today", "2026-11-24", cwd=tmp_path, input=lines)
    assert many.returncode == 0, many.stderr
    first, second = (json.loads(line) for line in many.stdout.splitlines())
    assert (first["intent"], first["topic"], first["lang"]) == ("ask_info", "checkout_time", "pt")
    assert second["entities"]["check_in"] == "2026-11-28"
    assert second["entities"]["check_out"] == "2026-11-30"
    assert second["entities"]["room_type"] == "family"
    forced = run_cli("understand", "--lang", "en", "hola", cwd=tmp_path)
    assert json.loads(forced.stdout)["lang"] == "en"


def test_errors_are_one_line_and_non_zero(tmp_path: Path, nlu_cache: Path) -> None:
    bad = run_cli("--config", "missing.toml", "bookings", cwd=tmp_path)
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0
    assert "missing.toml" in bad.stderr
    phone = run_cli("chat", "--as", "not-a-phone", cwd=tmp_path, input="hola\n")
    assert phone.returncode != 0
    assert "not a phone number" in phone.stderr
    shown = run_cli("config", "show", "--json", cwd=tmp_path)
    assert json.loads(shown.stdout)["pms"]["kind"] == "demo"
