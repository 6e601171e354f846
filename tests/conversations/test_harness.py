"""The corpus harness itself: the format's checks, the YAML reading, the reply-language judge and
the hotel's pinned date in the demo PMS (the corpus relies on each)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from hotelbox.errors import BookingRejected
from hotelbox.pms import BookingRequest
from hotelbox.pms.demo import DemoPms
from tests.conversations.langcheck import clearly_other, fold
from tests.conversations.schema import CorpusError, Tap, load
from tests.conversations.validate import main as validate

GOOD = """\
id: en-cancel-001
lang: en
variety: en-native
category: cancel
split: dev
phone: "+447700900102"
today: 2027-05-18
note: guest cancels
bookings:
  - {key: b1, phone: "+447700900102", room: double, check_in: 2027-07-20, check_out: 2027-07-23,
     adults: 2, name: Sarah Collins}
turns:
  - "cancel {b1.ref} pls"
  - yes
  - 15:00
  - 2
  - tap: 1
expect:
  bookings: [{key: b1, status: cancelled}]
  new_bookings: 0
  handoff: no
  mentions: [135, "{b1.ref}"]
"""


def write(tmp: Path, text: str, rel: str = "en/dev/en-cancel-001.yaml") -> Path:
    path = tmp / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_good_file_reads_as_writers_mean_it(tmp_path: Path) -> None:
    conv = load(write(tmp_path, GOOD))
    assert conv.turns == ["cancel {b1.ref} pls", "yes", "15:00", "2", Tap(tap=1)]
    assert conv.expect.handoff is False
    assert conv.expect.mentions == ["135", "{b1.ref}"]
    assert conv.today == date(2027, 5, 18)
    assert conv.reply_lang == "en"
    assert validate([str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('phone: "+447700900102"\ntoday', "phone: +447700900102\ntoday"), "phone: quote it"),
        (("category: cancel", "category: cancellation"), "category: Input should be"),
        (("variety: en-native", "variety: pt-BR"), "variety 'pt-BR' is not one of en"),
        (("cancel {b1.ref} pls", "cancel {b2.ref} pls"), "no booking has key 'b2'"),
        (("[{key: b1, status: cancelled}]", "[{key: b9, status: cancelled}]"), "names key 'b9'"),
        (("new_bookings: 0", "new_bookings: 0\n  extra: 1"), "extra: Extra inputs are not permitted"),
        (("  - tap: 1\n", "  - tap: 0\n"), "turns[4].tap: Input should be greater than or equal to 1"),
        (("split: dev", "split: heldout"), "file is under en/dev/ but split is heldout"),
        (("id: en-cancel-001", "id: en-cancel-1"), "id: String should match pattern"),
    ],
)
def test_a_broken_file_says_what_and_where(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CorpusError) as caught:
        load(path)
    assert any(problem in p for p in caught.value.problems), caught.value.problems
    assert validate([str(path)]) == 1


def test_the_file_name_is_the_id_and_ids_are_unique(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, GOOD, "en/dev/en-cancel-002.yaml")
    with pytest.raises(CorpusError, match="file name must be the id"):
        load(tmp_path / "en/dev/en-cancel-002.yaml")
    write(tmp_path, GOOD, "en/dev/en-cancel-001.yaml")
    write(tmp_path, GOOD, "other/en-cancel-001.yaml")
    assert validate([str(tmp_path / "en/dev/en-cancel-001.yaml"), str(tmp_path / "other")]) == 1
    assert "is also used by" in capsys.readouterr().out


def test_too_few_turns_and_an_unreadable_file_are_errors(tmp_path: Path) -> None:
    short = GOOD.split("turns:")[0] + "turns: [hi, bye]\nexpect: {}\n"
    with pytest.raises(CorpusError, match="at least 3"):
        load(write(tmp_path, short))
    with pytest.raises(CorpusError, match="not readable YAML"):
        load(write(tmp_path, "id: [unclosed\n"))


@pytest.mark.parametrize(
    ("text", "expected", "other"),
    [
        ("We have the Double room free from 6 April to 9 April for 2 adults: €285 in total.", "en", None),
        ("Tenemos la habitación doble libre del 6 al 9 de abril para 2 adultos.", "en", "es"),
        ("Temos o quarto duplo livre de 6 a 9 de abril para 2 adultos. Não há problema.", "es", "pt"),
        ("Hotel Miramar, Paseo Marítimo 12, 29016 Málaga", "en", None),  # names never decide
        ("OK", "pt", None),
    ],
)
def test_the_reply_language_judge_is_sure_or_silent(text: str, expected: str, other: str | None) -> None:
    assert clearly_other(text, expected) == other


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Lucía  FERNÁNDEZ Ruiz") == fold("lucia fernandez ruiz")


async def test_the_demo_hotels_date_can_be_pinned(tmp_path: Path) -> None:
    pms = DemoPms(tmp_path / "demo.db")
    await pms.open()
    try:
        pms.today = lambda: date(2030, 3, 10)

        def request(day: date, key: str) -> BookingRequest:
            return BookingRequest(key, "double", day, day + timedelta(days=2), 2, 0, "Ana Souza", None, None)

        made = await pms.create_booking(request(date(2030, 3, 12), "k1"))
        assert made.status == "confirmed"
        with pytest.raises(BookingRejected) as caught:
            await pms.create_booking(request(date(2030, 3, 1), "k2"))  # past for the hotel
        assert caught.value.code == "past_date"
    finally:
        await pms.close()
