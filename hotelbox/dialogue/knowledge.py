"""The hotel's own answers (check-in time, wifi, parking…), per language and topic.

Defaults ship with hotelbox (the demo hotel's); a hotel overrides any of them with
``<knowledge_dir>/<lang>.toml`` files of the same shape (``[topics] wifi = "…"``), and the front
desk can edit them at run time through :meth:`Knowledge.set`.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

LANGS = ("es", "en", "pt")


class Knowledge:
    def __init__(self, override_dir: Path | None = None) -> None:
        root = resources.files("hotelbox.dialogue") / "answers"
        self.answers: dict[str, dict[str, str]] = {
            lang: dict(tomllib.loads((root / f"{lang}.toml").read_text(encoding="utf-8"))["topics"])
            for lang in LANGS
        }
        if override_dir is not None:
            for lang in LANGS:
                path = override_dir / f"{lang}.toml"
                if path.is_file():
                    self.answers[lang].update(
                        tomllib.loads(path.read_text(encoding="utf-8")).get("topics", {})
                    )

    def topics(self) -> list[str]:
        return sorted({t for answers in self.answers.values() for t in answers})

    def answer(self, lang: str, topic: str | None) -> str | None:
        if not topic:
            return None
        return self.answers.get(lang, {}).get(topic) or None

    def set(self, lang: str, topic: str, text: str) -> None:
        self.answers.setdefault(lang, {})[topic] = text
