"""Speakable text read so it is heard back (issue 16, round-trip WER): references read out as a
receptionist does, counts in the gender of what they count, abbreviations and units in full, date
ranges with their preposition, an emoji that ended a sentence still ending it — es, en, pt."""

from __future__ import annotations

import pytest

from hotelbox.speech.speakable import speakable


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # references: letters one by one, digits in pairs (one at a time was heard "hbmil doscientos…")
        ("es", "Tu referencia es HB-4821.", "Tu referencia es H B, cuarenta y ocho, veintiuno."),
        ("pt", "A reserva HB-4821 fica como estava.", "A reserva, HB, quarenta e oito, vinte e um fica como estava."),
        ("en", "Booking HB-4821 is cancelled.", "Booking H B, forty-eight, twenty-one is cancelled."),
        ("es", "por ejemplo HB-1234", "por ejemplo H B, doce, treinta y cuatro"),
        ("es", "HB-0512", "H B, cero cinco, doce"),
        ("pt", "HB-48213", "HB, quatrocentos e oitenta e dois, treze"),
        ("en", "HB-123", "H B, one hundred and twenty-three"),
        ("pt", "A sua referência é AB 4821.", "A sua referência é, AB, quarenta e oito, vinte e um."),
        ("es", "total EUR 240", "total doscientos cuarenta euros"),
        ("es", "la reserva HV48 21", "la reserva HV cuarenta y ocho veintiuno"),
        # counts in the gender of the noun they count
        ("pt", "chego na sexta, 2 noites", "chego na sexta, duas noites"),
        ("pt", "2 adultos e 1 criança", "dois adultos e uma criança"),
        ("pt", "21 pessoas", "vinte e uma pessoas"),
        ("es", "21 noches y 21 adultos", "veintiuna noches y veintiún adultos"),
        ("es", "el 1 de marzo", "el uno de marzo"),
        ("pt", "dia 1 de março", "dia um de março"),
        # abbreviations and units said in full
        ("es", "Doble (máx. 4 pers.): Cama de 150 cm.", "Doble (máximo cuatro personas): Cama de ciento cincuenta centímetros."),
        ("pt", "Duplo (máx. 4 pess.): Cama de 150 cm.", "Duplo (máximo quatro pessoas): Cama de cento e cinquenta centímetros."),
        ("en", "150 cm bed, 2 m", "one hundred and fifty centimeter bed, two m"),
        ("en", "Tel. 5", "Phone five"),
        ("pt", "tel. 5", "telefone cinco"),
        ("es", "tel. 5", "teléfono cinco"),
        # the hour written "15h" is said like "15:00"
        ("pt", "check-in às 15h", "check-in às quinze horas"),
        ("es", "a las 15 h, o 9h30", "a las quince horas, o nueve y media"),
        ("pt", "das 7h às 10h30", "das sete horas às dez e meia"),
        # date ranges, separators, dashes
        ("es", "al viernes 12 de marzo – lunes 15 de marzo", "al viernes doce de marzo al lunes quince de marzo"),
        ("pt", "sexta-feira, 12 de março – segunda-feira, 15 de março", "sexta-feira, doze de março a segunda-feira, quinze de março"),
        ("en", "Friday 12 March – Monday 15 March", "Friday the twelfth of March to Monday the fifteenth of March"),
        ("pt", "desta vez — esperamos", "desta vez, esperamos"),
        ("es", "Ana Gil · ana@mail.com", "Ana Gil, ana arroba mail punto com"),
        # an emoji that ended a sentence still ends it; elsewhere it just goes
        ("es", "Hecho ✅ Tu reserva", "Hecho. Tu reserva"),
        ("pt", "Feito ✅ A sua reserva", "Feito. A sua reserva"),
        ("en", "Done ✅ Your booking", "Done. Your booking"),
        ("es", "¡Confirmada! ✅ Tu referencia", "¡Confirmada! Tu referencia"),
        ("pt", "😊 Em que posso ajudar?", "Em que posso ajudar?"),
        ("es", "genial 🎉 gracias", "genial gracias"),
    ],
)  # fmt: skip
def test_speakable(lang: str, text: str, expected: str) -> None:
    assert speakable(text, lang) == expected
