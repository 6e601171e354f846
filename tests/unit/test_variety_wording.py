"""Every sentence the bot can say, as a Latin American Spanish or a Brazilian guest reads it
(issue 12, class 9): no European-only form left once the variety's wording is applied — the
catalogue's replies and the hotel's own answers alike."""

from __future__ import annotations

import re
import string

import pytest

from hotelbox.dialogue.catalog import Catalog, localize
from hotelbox.dialogue.knowledge import Knowledge

# Forms a Brazilian or a Latin American reader finds foreign (Portugal's / Spain's own).
EUROPEAN_ONLY = {
    "pt-BR": [
        r"\b\w+-lhe(s)?\b",  # enclitic "dá-lhe", "guardamos-lhe": Brazil says "lhe dá", "para você"
        r"\b\w+-(o|a|os|as)\b(?!-)",  # "passá-lo", "ajudá-lo" (hyphenated object pronouns)
        r"\b\w+-(me|te|se|nos)\b",  # "indicar-me", "diga-me", "chama-se": Brazil puts them before
        r"\b(estou|está|estamos|estão) a \w+(ar|er|ir)\b",  # "está a responder": Brazil uses the gerund
        r"\bequipa\b",
        r"\brece[çc][ãa]o\b(?<!recepção)",
        r"\bpequeno-almo[çc]o\b",
        r"\bcasa de banho\b",
        r"\btelem[óo]vel\b",
        r"\bapelido\b",
        r"\bbeb[ée]s?\b(?<!bebê)(?<!bebês)",
        r"\bautocarro\b",
        r"\br[ée]s-do-ch[ãa]o\b",
        r"\bfrigor[íi]fico\b",
        r"\bcontacto\b",
        r"\bpor si\b",
        r"\bregistei\b",
        r"\bfacto\b",
        r"\bcomboio\b",
        r"\becr[ãa]\b",
        r"\bsumo\b",
        r"\bpercebi\b",
        r"\blavandaria\b",
        r"\bgin[áa]sio\b",
    ],
    "es-419": [
        r"\bvosotr[oa]s\b",
        r"\bvuestr[oa]s?\b",
        r"\bos\b",
        r"\b\w+(áis|éis)\b",
        r"\bsois\b",
        r"\bcoche\b",
        r"\bm[óo]vil\b",
        r"\bordenador\b",
        r"\bzumo\b",
        r"\bvale\b",
    ],
}
BASE = {"pt-BR": "pt", "es-419": "es"}


def _filled(template: str) -> str:
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format(**dict.fromkeys(fields, "X"))


def _sentences(variety: str) -> list[tuple[str, str]]:
    lang = BASE[variety]
    catalog = Catalog.load()
    said = [(f"replies.{k}", localize(_filled(t), variety)) for k, t in catalog.messages[lang].items()]
    knowledge = Knowledge()
    said += [(f"answers.{k}", localize(t, variety)) for k, t in knowledge.answers[lang].items()]
    return said


@pytest.mark.parametrize("variety", sorted(EUROPEAN_ONLY))
def test_no_european_only_wording_reaches_the_variety(variety: str) -> None:
    foreign = [
        (where, match.group(0), text)
        for where, text in _sentences(variety)
        for pattern in EUROPEAN_ONLY[variety]
        for match in [re.search(pattern, text, re.IGNORECASE)]
        if match
    ]
    assert not foreign, "\n".join(f"{w}: «{m}» in {t!r}" for w, m, t in foreign)


def test_the_check_itself_catches_european_wording() -> None:
    """The patterns are not vacuous: Portugal's and Spain's own sentences are caught."""
    pt = "Guardamos-lhe a bagagem; a receção está a responder. Pode indicar-me o email?"
    es = "Os esperamos con vuestro coche."
    assert all(re.search(EUROPEAN_ONLY["pt-BR"][i], pt, re.I) for i in (0, 2, 3))
    assert all(re.search(EUROPEAN_ONLY["es-419"][i], es, re.I) for i in (1, 2, 5))


def test_a_brazilian_voice_says_the_brazilian_wording() -> None:
    """Kokoro's Portuguese voices are Brazilian: a reply is said in Brazilian words (its European
    enclitics were heard back wrong), whatever wording the guest's text message had."""
    from hotelbox.speech.kokoro import kokoro_text

    said = kokoro_text("Passei a sua pergunta à receção; vão responder-lhe por aqui.", "pt")
    assert "lhe responder" in said
    assert "responder-lhe" not in said
    assert "recepção" in said
    assert "sois" in kokoro_text("¿Cuántos sois?", "es")  # Spanish voices speak Spain's words
