"""Measure understanding on a labelled set (JSONL: ``text``, ``lang``, ``intent``, ``topic``,
``entities``, ``ref_date``), per language: intent accuracy, topic accuracy, stay-date accuracy,
entity accuracy, language accuracy. Used by ``hotelbox nlu eval`` and ``make bench``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hotelbox.nlu.intents import classifier_text
from hotelbox.nlu.training import all_examples, read_jsonl
from hotelbox.nlu.understanding import Understander

DATE_KEYS = ("check_in", "check_out")
OTHER_KEYS = ("adults", "children", "room_type", "guest_name", "email", "phone", "booking_ref")


@dataclass
class LangScores:
    n: int = 0
    intent_ok: int = 0
    topic_n: int = 0
    topic_ok: int = 0
    lang_ok: int = 0
    dates_n: int = 0  # examples with a gold stay date
    dates_ok: int = 0
    dates_false_positive: int = 0  # a date found where none was said
    no_dates_n: int = 0
    entity_n: int = 0
    entity_ok: int = 0
    unseen_n: int = 0  # eval texts not present verbatim in the training data
    unseen_ok: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def pct(a: int, b: int) -> float | None:
            return round(100.0 * a / b, 1) if b else None

        return {
            "examples": self.n,
            "intent_accuracy": pct(self.intent_ok, self.n),
            "intent_accuracy_unseen": pct(self.unseen_ok, self.unseen_n),
            "unseen_examples": self.unseen_n,
            "topic_accuracy": pct(self.topic_ok, self.topic_n),
            "language_accuracy": pct(self.lang_ok, self.n),
            "date_accuracy": pct(self.dates_ok, self.dates_n),
            "date_examples": self.dates_n,
            "date_false_positives": self.dates_false_positive,
            "entity_accuracy": pct(self.entity_ok, self.entity_n),
        }


def evaluate(
    understander: Understander, paths: list[Path], *, use_gold_language: bool = False
) -> dict[str, Any]:
    rows = [r for p in paths for r in read_jsonl(p)]
    seen = {classifier_text(e.text) for e in all_examples(understander.extra_examples_dir)}
    scores: dict[str, LangScores] = defaultdict(LangScores)
    started = time.perf_counter()
    for row in rows:
        lang = str(row["lang"])
        s = scores[lang]
        s.n += 1
        today = date.fromisoformat(str(row.get("ref_date", "2026-11-24")))
        u = understander.understand(str(row["text"]), today=today, lang=lang if use_gold_language else None)
        entities = row.get("entities")
        gold_ents: dict[str, Any] = dict(entities) if isinstance(entities, dict) else {}
        ok = u.intent == row["intent"]
        s.intent_ok += ok
        if classifier_text(str(row["text"])) not in seen:
            s.unseen_n += 1
            s.unseen_ok += ok
        s.lang_ok += u.lang == lang
        if row["intent"] == "ask_info":
            s.topic_n += 1
            s.topic_ok += ok and u.topic == row.get("topic")
        gold_dates = tuple(gold_ents.get(k) for k in DATE_KEYS)
        got_dates = tuple(u.entities.get(k) for k in DATE_KEYS)
        if any(gold_dates):
            s.dates_n += 1
            s.dates_ok += gold_dates == got_dates
        else:
            s.no_dates_n += 1
            s.dates_false_positive += any(got_dates)
        for key in OTHER_KEYS:
            if key in gold_ents or key in u.entities:
                s.entity_n += 1
                s.entity_ok += gold_ents.get(key) == u.entities.get(key)
        if (
            not ok
            or gold_dates != got_dates
            or any(gold_ents.get(k) != u.entities.get(k) for k in OTHER_KEYS if k in gold_ents)
        ):
            s.errors.append(
                {
                    "text": row["text"],
                    "gold": {"intent": row["intent"], "topic": row.get("topic"), **gold_ents},
                    "got": {"intent": u.intent, "topic": u.topic, **u.entities},
                    "confidence": round(u.confidence, 3),
                }
            )
    elapsed = time.perf_counter() - started
    total = LangScores()
    for s in scores.values():
        for name in (
            "n",
            "intent_ok",
            "topic_n",
            "topic_ok",
            "lang_ok",
            "dates_n",
            "dates_ok",
            "dates_false_positive",
            "no_dates_n",
            "entity_n",
            "entity_ok",
            "unseen_n",
            "unseen_ok",
        ):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    return {
        "per_language": {lang: s.as_dict() for lang, s in sorted(scores.items())},
        "overall": total.as_dict(),
        "ms_per_utterance": round(1000 * elapsed / max(1, len(rows)), 3),
        "errors": {lang: s.errors for lang, s in sorted(scores.items())},
    }
