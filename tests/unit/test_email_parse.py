"""Mail classification and body cleaning, and no mail the world sends breaks the parser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotelbox.channels.email.parse import latest_reply, parse_mail

OWN = {"reservas@hotel.example"}


def parse(raw: bytes):  # type: ignore[no-untyped-def]
    return parse_mail(raw, own_addresses=OWN, own_domain="hotel.example", loop_header="X-Hotelbox-Loop")


def mail(headers: str, body: str = "hola") -> bytes:
    return (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body).encode()


def test_categories() -> None:
    base = "From: Ana <ana@guest.example>\nTo: reservas@hotel.example\nSubject: hola\nMessage-ID: <a1@guest.example>"
    assert parse(mail(base)).category == "guest"
    assert parse(mail(base + "\nAuto-Submitted: auto-replied")).category == "auto_reply"
    assert parse(mail(base + "\nAuto-Submitted: no")).category == "guest"
    assert parse(mail(base + "\nX-Autoreply: yes")).category == "auto_reply"
    assert parse(mail(base.replace("Subject: hola", "Subject: Out of Office: hola"))).category == "auto_reply"
    assert parse(mail(base + "\nList-Id: <news.shop.example>")).category == "list"
    assert parse(mail(base + "\nPrecedence: bulk")).category == "list"
    assert parse(mail(base.replace("ana@guest.example", "noreply@mail.booking.com"))).category == "ota"
    assert parse(mail(base.replace("ana@guest.example", "MAILER-DAEMON@mx.example"))).category == "bounce"
    assert parse(mail(base + "\nX-Hotelbox-Loop: hotel-1")).category == "own"
    assert parse(mail(base.replace("ana@guest.example", "reservas@hotel.example"))).category == "own"


def test_threading_ids_and_reply_to() -> None:
    p = parse(
        mail(
            "From: a@guest.example\nReply-To: b@guest.example\nMessage-ID: <x@y>\nIn-Reply-To: <hb.1.2@hotel.example>\nReferences: <r1@z> <hb.1.2@hotel.example>"
        )
    )
    assert (p.sender, p.message_id, p.in_reply_to, p.references) == (
        "b@guest.example",
        "x@y",
        ["hb.1.2@hotel.example"],
        ["r1@z", "hb.1.2@hotel.example"],
    )


def test_no_message_id_gets_a_stable_one() -> None:
    raw = mail("From: a@guest.example")
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id.startswith("sha256-")


def test_quotes_and_signatures_are_cut_in_three_languages() -> None:
    assert (
        latest_reply(
            "¿Hay parking?\n\nEl lun, 1 dic 2026 a las 10:00, Hotel <r@h.example> escribió:\n> antes"
        )
        == "¿Hay parking?"
    )
    assert (
        latest_reply("Is there parking?\n\nOn Mon, Dec 1, 2026 at 10:00 AM Hotel <r@h> wrote:\n> before")
        == "Is there parking?"
    )
    assert (
        latest_reply(
            "Há estacionamento?\n\nEm seg., 1 de dez. de 2026 às 10:00, Hotel <r@h> escreveu:\n> antes"
        )
        == "Há estacionamento?"
    )
    assert latest_reply("Hola\n-- \nAna García\nCEO") == "Hola"
    assert latest_reply("Hola\n\nEnviado desde mi iPhone") == "Hola"


leaf = st.text(max_size=40)
header_names = st.sampled_from(["From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Content-Type",
                                "Content-Transfer-Encoding", "Auto-Submitted", "List-Id", "Date", "MIME-Version", "X-Junk"])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(header_names, leaf), max_size=10),
    st.binary(max_size=500) | st.text(max_size=300).map(str.encode),
)
def test_no_mail_breaks_the_parser(headers: list[tuple[str, str]], body: bytes) -> None:
    raw = (
        "".join(f"{k}: {v.replace(chr(13), ' ').replace(chr(10), ' ')}\r\n" for k, v in headers).encode(
            "utf-8", "replace"
        )
        + b"\r\n"
        + body
    )
    p = parse(raw)
    assert p.message_id
    assert p.category in {"guest", "auto_reply", "bounce", "list", "ota", "own"}
    assert isinstance(p.text, str)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert parse(raw).message_id
