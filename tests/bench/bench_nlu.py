"""Understanding: accuracy per language on the held-out set, and time per utterance."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from hotelbox.config import load_settings
from hotelbox.daemon import make_understander
from hotelbox.nlu.evaluation import evaluate

EVAL = sorted((Path(__file__).resolve().parents[1] / "data" / "nlu").glob("eval_*.jsonl"))


async def run(tmp: Path) -> dict[str, Any]:
    settings = load_settings(state_dir=tmp / "nlu")
    understander = make_understander(settings)
    t0 = time.perf_counter()
    understander.load()
    load_s = time.perf_counter() - t0
    report = evaluate(understander, EVAL)
    print(
        f"model load (incl. training if the data changed): {load_s:.2f} s; eval set {report['overall']['examples']} utterances"
    )
    cols = ("examples", "intent_accuracy", "intent_accuracy_unseen", "topic_accuracy", "language_accuracy",
            "date_accuracy", "date_false_positives", "entity_accuracy")  # fmt: skip
    print("| lang | " + " | ".join(cols) + " |")
    print("|" + "---|" * (len(cols) + 1))
    for lang, s in {**report["per_language"], "all": report["overall"]}.items():
        print(f"| {lang} | " + " | ".join(str(s[c]) for c in cols) + " |")

    texts = ["quiero reservar una habitación doble del 3 al 5 de diciembre para dos adultos",
             "what time is breakfast?", "o check-out é até que horas?", "hola", "cancel booking HB-2207"]  # fmt: skip
    for t in texts:  # warm
        understander.understand(t, today=date(2026, 11, 24))
    n = 2000
    t0 = time.perf_counter()
    for i in range(n):
        understander.understand(texts[i % len(texts)], today=date(2026, 11, 24))
    per = (time.perf_counter() - t0) / n
    model = understander.model
    assert model is not None
    t0 = time.perf_counter()
    for i in range(n):
        model.probabilities([texts[i % len(texts)]])
    bare = (time.perf_counter() - t0) / n
    print(f"understand(): {per * 1000:.3f} ms per message (language + intent + entities); "
          f"bare ONNX intent call {bare * 1000:.3f} ms; ratio {per / bare:.1f}x")  # fmt: skip
    return {"accuracy": report["per_language"], "overall": report["overall"], "ms_per_message": per * 1000,
            "ms_bare_intent": bare * 1000, "load_s": load_s}  # fmt: skip
