"""Message catalogues: every sentence the bot says, per language, in ``replies/<lang>.toml``.

Code never writes guest-facing text; it asks the catalogue for a key and gives the values.
Dates, prices, guest counts and nights are formatted here with Babel (CLDR), so "3 December",
"3 de diciembre" and "€1,234.50" / "1.234,50 €" come out the way each language writes them.
Loading checks that every language has every key with the same placeholders.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from hotelbox.dialogue.varieties import VARIETY_WORDS, localize
from hotelbox.messages import Option

LANGS = ("es", "en", "pt")
LOCALES = {"es": "es_ES", "en": "en_GB", "pt": "pt_PT"}
__all__ = ["VARIETY_WORDS", "Catalog", "CatalogError", "localize", "room_in"]


# Room names a PMS gives in English only (QloApps' demo: "General Rooms"), in our languages.
ROOM_WORDS: dict[str, dict[str, str]] = {
    "general rooms": {"es": "Habitación estándar", "pt": "Quarto standard"},
    "delux rooms": {"es": "Habitación deluxe", "pt": "Quarto deluxe"},
    "deluxe rooms": {"es": "Habitación deluxe", "pt": "Quarto deluxe"},
    "executive rooms": {"es": "Habitación ejecutiva", "pt": "Quarto executivo"},
    "luxury rooms": {"es": "Habitación de lujo", "pt": "Quarto de luxo"},
    "single room": {"es": "Habitación individual", "pt": "Quarto individual"},
    "double room": {"es": "Habitación doble", "pt": "Quarto duplo"},
    "twin room": {"es": "Habitación con dos camas", "pt": "Quarto twin"},
    "family room": {"es": "Habitación familiar", "pt": "Quarto familiar"},
    "suite": {"es": "Suite", "pt": "Suíte"},
}


def room_in(lang: str, name: str) -> str:
    """A room name in the guest's language when the PMS only has it in English."""
    return ROOM_WORDS.get(" ".join(name.lower().split()), {}).get(lang[:2], name)


class CatalogError(Exception):
    pass


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@dataclass
class Catalog:
    messages: dict[str, dict[str, str]]

    @classmethod
    def load(cls) -> Catalog:
        root = resources.files("hotelbox.dialogue") / "replies"
        messages = {
            lang: tomllib.loads((root / f"{lang}.toml").read_text(encoding="utf-8"))["messages"]
            for lang in LANGS
        }
        catalog = cls(messages)
        catalog.check()
        return catalog

    def check(self) -> None:
        reference = self.messages["en"]
        for lang, msgs in self.messages.items():
            missing = set(reference) - set(msgs)
            extra = set(msgs) - set(reference)
            if missing or extra:
                raise CatalogError(f"{lang}: missing {sorted(missing)} extra {sorted(extra)}")
            for key, text in msgs.items():
                if _placeholders(text) != _placeholders(reference[key]):
                    raise CatalogError(
                        f"{lang}.{key}: placeholders {sorted(_placeholders(text))} != "
                        f"en {sorted(_placeholders(reference[key]))}"
                    )

    def lang(self, lang: str) -> str:
        lang = lang[:2] if lang else lang
        return lang if lang in self.messages else "en"

    def has(self, key: str) -> bool:
        return key in self.messages["en"]

    def text(self, lang: str, key: str, **values: Any) -> str:
        """``lang`` may name a variety ("es-419", "pt-BR"): its wording then replaces Spain's
        or Portugal's where they differ."""
        template = self.messages[self.lang(lang)][key]
        text = template.format(**values) if values or "{" in template else template
        return localize(text, lang)

    def localize(self, text: str, variety: str | None) -> str:
        return localize(text, variety)

    # -- formatting ------------------------------------------------------------------------
    def date(self, lang: str, d: date) -> str:
        return format_date(d, self.text(lang, "fmt_date"), locale=LOCALES[self.lang(lang)])

    def money(self, lang: str, amount: Decimal, currency: str) -> str:
        return format_currency(amount, currency, locale=LOCALES[self.lang(lang)])

    def count(self, lang: str, key: str, n: int) -> str:
        return self.text(lang, f"{key}_{'one' if n == 1 else 'many'}", n=n)

    def guests(self, lang: str, adults: int, children: int) -> str:
        parts = [self.count(lang, "adults", adults)]
        if children:
            parts.append(self.count(lang, "children", children))
        return f" {self.text(lang, 'and')} ".join(parts)

    def nights(self, lang: str, n: int) -> str:
        return self.count(lang, "nights", n)

    def option(self, lang: str, id: str, key: str, **values: Any) -> Option:
        return Option(id=id, title=self.text(lang, key, **values))
