"""Reply text made speakable: prices, times, references, phones, dates, emoji, per language."""

from __future__ import annotations

import pytest

from hotelbox.speech.speakable import speakable


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("es", "total 240,50 €.", "total doscientos cuarenta euros con cincuenta céntimos."),
        ("es", "21 € y 1 €", "veintiún euros y un euro"),
        ("pt", "240,00 €", "duzentos e quarenta euros"),
        ("en", "total €1,240.50", "total one thousand, two hundred and forty euros and fifty cents"),
        ("es", "a partir de las 15:00", "a partir de las quince horas"),
        ("pt", "das 7:30", "das sete e meia"),
        ("es", "de 7:30 a 10:30", "de siete y media a diez y media"),
        ("es", "a las 13:15", "a las trece y cuarto"),
        ("pt", "às 21:45 ou 1:20", "às vinte e uma e quarenta e cinco ou uma e vinte"),
        ("en", "from 15:00", "from three p m"),
        ("en", "until 10:05", "until ten oh five a m"),
        ("en", "Friday the 12th of March", "Friday the twelfth of March"),
        ("es", "1 noche, 1 adulto y 1 niño", "una noche, un adulto y un niño"),
        ("pt", "1 noite, 1 adulto e 1 criança", "uma noite, um adulto e uma criança"),
        ("es", "escribe a ana.gil@correo.es", "escribe a ana punto gil arroba correo punto es"),
        ("en", "write to anna@mail.com.", "write to anna at mail dot com."),
        ("es", "Tu referencia es HB-4821.", "Tu referencia es H B, cuarenta y ocho, veintiuno."),
        ("en", "on Saturday 12 December", "on Saturday the twelfth of December"),
        ("es", "¡Confirmada! ✅🎉", "¡Confirmada!"),
        ("es", "llama al +34 952 123 456", "llama al tres, cuatro, nueve, cinco, dos, uno, dos, tres, cuatro, cinco, seis"),
        ("pt", "Wifi:\n- grátis\n- rápido", "Wifi: grátis. rápido"),
        ("es", "mira https://hotel.example/x aquí", "mira aquí"),
        ("es", "habitación 204", "habitación doscientos cuatro"),
    ],
)  # fmt: skip
def test_speakable(lang: str, text: str, expected: str) -> None:
    assert speakable(text, lang) == expected


def test_no_digit_or_symbol_is_left_for_the_voice_to_guess() -> None:
    from hotelbox.dialogue.catalog import Catalog

    catalog = Catalog.load()
    for lang in ("es", "en", "pt"):
        text = catalog.text(
            lang,
            "booking_confirmed",
            ref="HB-7311",
            room="Doble",
            check_in="12/12",
            check_out="14/12",
            total="240,50 €" if lang != "en" else "€240.50",
            checkin_time="15:00",
        )
        spoken = speakable(text, lang)
        assert not any(ch.isdigit() for ch in spoken), spoken
        assert "€" not in spoken
        assert "✅" not in spoken
