"""Build the intent model reproducibly from the examples shipped in ``nlu/data`` (and the hotel's).

Data: ``data/train_<lang>.toml`` holds, per intent (``[book_room]``) or hotel question
(``[ask_info.wifi]``), a list of ``examples``; an example may contain ``{slot}`` placeholders
filled from ``data/slots_<lang>.toml`` (dates, guests, names…), each template expanded a few
times with a fixed seed. A hotel adds examples as ``*.jsonl`` files (``text``, ``lang``,
``intent``, optional ``topic``), the format of ``tests/data/nlu/eval_*.jsonl``.

Two models share one recipe (char 1–5-gram TF-IDF + multinomial logistic regression, exported
with skl2onnx and checked against scikit-learn before they are written): the intent model, and
a language model over the same examples that knows hotel vocabulary general detectors miss. The model
directory is keyed by a hash of the data and this trainer's version, so a changed example
file means a new model and an unchanged one is never retrained.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import re
import subprocess
import sys
import time
import tomllib
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from hotelbox.errors import ModelError
from hotelbox.nlu.intents import INTENTS, NORMALIZATION, WORD, classifier_text, split_label
from hotelbox.nlu.text import fold

log = logging.getLogger(__name__)
TRAINER_VERSION = "char15-lr-v4"  # v4: intent.json carries the ONNX files' sha256
LANGS = ("es", "en", "pt")
FILLS_PER_TEMPLATE = 3
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    label: str  # "intent" or "ask_info/<topic>"

    @property
    def intent(self) -> str:
        return split_label(self.label)[0]


def _data_files() -> list[tuple[str, bytes]]:
    root = resources.files("hotelbox.nlu") / "data"
    files = [
        (f.name, f.read_bytes())
        for f in root.iterdir()
        if f.name.endswith(".toml") and f.name.startswith(("train_", "slots_"))
    ]
    return sorted(files)


def example_name_words() -> set[str]:
    """The words of the example names the training templates are filled with ("Ana García"):
    the model knows them, but they are still names when a guest writes them."""
    words: set[str] = set()
    for name, data in _data_files():
        if name.startswith("slots_"):
            for value in tomllib.loads(data.decode()).get("slots", {}).get("name", []):
                words.update(fold(value).split())
    return words


def _extra_files(extra_dir: Path | None) -> list[tuple[str, bytes]]:
    if extra_dir is None or not extra_dir.is_dir():
        return []
    return sorted((f"extra/{p.name}", p.read_bytes()) for p in extra_dir.glob("*.jsonl"))


def data_fingerprint(extra_dir: Path | None = None) -> str:
    h = hashlib.sha256(f"{TRAINER_VERSION}|{NORMALIZATION}".encode())
    for name, data in _data_files() + _extra_files(extra_dir):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def expand(template: str, slots: dict[str, list[str]], rng: random.Random, fills: int) -> Iterator[str]:
    names = _SLOT.findall(template)
    if not names:
        yield template
        return
    seen: set[str] = set()
    for _ in range(fills):
        text = _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)
        if text not in seen:
            seen.add(text)
            yield text


def shipped_examples(fills: int = FILLS_PER_TEMPLATE) -> list[Example]:
    files = dict(_data_files())
    out: list[Example] = []
    for lang in LANGS:
        slots = tomllib.loads(files[f"slots_{lang}.toml"].decode())["slots"]
        sections = tomllib.loads(files[f"train_{lang}.toml"].decode())
        for intent, body in sections.items():
            groups = (
                [(f"{intent}/{topic}", sub) for topic, sub in body.items()]
                if intent == "ask_info"
                else [(intent, body)]
            )
            if intent not in INTENTS:
                raise ExampleError(f"train_{lang}.toml: unknown intent [{intent}]")
            for label, sub in groups:
                for template in sub["examples"]:
                    rng = random.Random(f"{lang}|{label}|{template}")
                    for text in expand(template, slots, rng, fills):
                        out.append(Example(text, lang, label))
    return out


def read_jsonl(path: Path) -> list[dict[str, object]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: not JSON: {exc}") from exc
    return rows


class ExampleError(ValueError):
    """A training example the model cannot learn from (says which file and why)."""


def jsonl_examples(paths: Iterable[Path]) -> list[Example]:
    out = []
    for path in paths:
        for n, row in enumerate(read_jsonl(path), 1):
            if not row.get("text") or row.get("intent") not in INTENTS:
                raise ExampleError(
                    f"{path} example {n}: needs 'text' and an intent among {', '.join(INTENTS)}"
                )
            if row.get("lang") not in LANGS:
                raise ExampleError(f"{path} example {n}: 'lang' must be one of {', '.join(LANGS)}")
            label = str(row["intent"])
            if row.get("topic"):
                label = f"{label}/{row['topic']}"
            out.append(Example(str(row["text"]), str(row.get("lang", "")), label))
    return out


def all_examples(extra_dir: Path | None = None) -> list[Example]:
    extra = sorted(extra_dir.glob("*.jsonl")) if extra_dir and extra_dir.is_dir() else []
    return shipped_examples() + jsonl_examples(extra)


@dataclass
class TrainReport:
    model_dir: Path
    examples: int
    labels: int
    per_language: dict[str, int]
    seconds: float
    onnx_bytes: int
    max_prob_diff: float


def build_pipeline() -> Any:  # a scikit-learn Pipeline (scikit-learn ships no types)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 5),
                    # classifier_text already folded the case (ONNX's StringNormalizer would
                    # need a system locale); binary counts because the ONNX TfIdfVectorizer
                    # counts repeated n-grams differently from scikit-learn (0.02 apart on
                    # "no no confirmo"), while presence is exact and is what short texts need.
                    lowercase=False,
                    binary=True,
                    min_df=2,
                    max_features=60000,
                    dtype=np.float32,
                ),
            ),
            ("clf", LogisticRegression(C=20.0, max_iter=3000)),
        ]
    )


def _to_onnx(pipe: Any) -> Any:  # an onnx ModelProto (skl2onnx ships no types)
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import StringTensorType

    return to_onnx(
        pipe,
        initial_types=[("text", StringTensorType([None, 1]))],
        options={id(pipe.named_steps["clf"]): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )


def _export(pipe: Any, sample: list[str]) -> tuple[bytes, float]:
    """The fitted pipeline as ONNX bytes, and its largest disagreement with scikit-learn."""
    import onnxruntime as ort

    with warnings.catch_warnings():
        # skl2onnx warns that char analyzers "may not work"; we check the export numerically
        warnings.simplefilter("ignore", UserWarning)
        onx = _to_onnx(pipe)
    data = onx.SerializeToString()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    got = session.run(None, {"text": np.array(sample, dtype=object).reshape(-1, 1)})[1]
    diff = float(np.abs(np.asarray(got) - pipe.predict_proba(sample)).max())
    if diff > 1e-3:
        raise RuntimeError(f"ONNX export disagrees with scikit-learn (max diff {diff:.4f})")
    return data, diff


def train(examples: list[Example], model_dir: Path, fingerprint: str) -> TrainReport:
    """Fit the intent and the language models, export to ONNX, verify, write atomically."""
    started = time.perf_counter()
    texts = [classifier_text(e.text) for e in examples]
    sample = texts[:: max(1, len(texts) // 300)]
    intent_pipe = build_pipeline()
    intent_pipe.fit(texts, [e.label for e in examples])
    intent_onnx, diff = _export(intent_pipe, sample)

    with_lang = [(t, e.lang) for t, e in zip(texts, examples, strict=True) if e.lang in LANGS]
    lang_pipe = build_pipeline()
    lang_pipe.fit([t for t, _ in with_lang], [lang for _, lang in with_lang])
    lang_onnx, lang_diff = _export(lang_pipe, sample)

    model_dir.mkdir(parents=True, exist_ok=True)
    vocabulary = sorted({w for t in texts for w in WORD.findall(t)})
    labels = [str(c) for c in intent_pipe.named_steps["clf"].classes_]
    per_language = dict(Counter(e.lang for e in examples))
    meta = {
        "labels": labels,
        "languages": [str(c) for c in lang_pipe.named_steps["clf"].classes_],
        "normalization": NORMALIZATION,
        "trainer": TRAINER_VERSION,
        "fingerprint": fingerprint,
        "examples": len(examples),
        "per_language": per_language,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "vocabulary": vocabulary,
        # checked at every load: a flipped bit in the weights would still load and answer wrongly
        "sha256": {
            "intent.onnx": hashlib.sha256(intent_onnx).hexdigest(),
            "language.onnx": hashlib.sha256(lang_onnx).hexdigest(),
        },
    }
    _atomic_write(model_dir / "language.onnx", lang_onnx)
    _atomic_write(model_dir / "intent.onnx", intent_onnx)
    _atomic_write(model_dir / "intent.json", json.dumps(meta, indent=1).encode())
    return TrainReport(
        model_dir,
        len(examples),
        len(labels),
        per_language,
        time.perf_counter() - started,
        len(intent_onnx) + len(lang_onnx),
        max(diff, lang_diff),
    )


EXAMPLE_ERROR_EXIT = 3  # the training child's exit status for examples it cannot learn from


def _train_apart(extra_dir: Path | None, model_dir: Path, fingerprint: str) -> TrainReport:
    """Train in a child process (``python -m hotelbox.nlu.training``, as the speech workers start)
    that exits when done: scikit-learn and the training's arrays leave with it. Trained in the
    box's own process they stayed for the box's whole life (glibc keeps a freed heap): 422 MB RSS
    after a first start that trained, 270 MB after one that did not."""
    command = [sys.executable, "-m", "hotelbox.nlu.training", str(model_dir), fingerprint]
    if extra_dir is not None:
        command += ["--extra", str(extra_dir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode == EXAMPLE_ERROR_EXIT:  # the hotel's examples: their own clear error, as before
        raise ExampleError(done.stderr.strip().splitlines()[-1])
    if done.returncode != 0:
        raise ModelError(
            f"training the intent model failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}",
            code="model_training",
        )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return TrainReport(**{**report, "model_dir": Path(report["model_dir"])})


def main(argv: list[str] | None = None) -> None:
    """The child ``_train_apart`` starts: trains, prints its report as one line of JSON."""
    parser = argparse.ArgumentParser(prog="python -m hotelbox.nlu.training")
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("fingerprint")
    parser.add_argument("--extra", type=Path, default=None, help="the hotel's own examples (*.jsonl)")
    args = parser.parse_args(argv)
    try:
        examples = all_examples(args.extra)
    except ExampleError as exc:
        print(exc, file=sys.stderr)
        sys.exit(EXAMPLE_ERROR_EXIT)
    report = train(examples, args.model_dir, args.fingerprint)
    print(json.dumps({**asdict(report), "model_dir": str(report.model_dir)}))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def model_dir_for(cache_root: Path, extra_dir: Path | None = None) -> tuple[Path, str]:
    fingerprint = data_fingerprint(extra_dir)
    return cache_root / fingerprint[:16], fingerprint


def ensure_model(cache_root: Path, extra_dir: Path | None = None, force: bool = False) -> Path:
    """The model directory for the current data, training it first when it is missing."""
    model_dir, fingerprint = model_dir_for(cache_root, extra_dir)
    meta = model_dir / "intent.json"
    files = ("intent.onnx", "language.onnx")
    if not force and meta.is_file() and all((model_dir / f).is_file() for f in files):
        try:
            if json.loads(meta.read_text()).get("fingerprint") == fingerprint:
                return model_dir
        except ValueError:
            pass
    log.info("training intent model dir=%s", model_dir)
    report = _train_apart(extra_dir, model_dir, fingerprint)
    log.info(
        "intent model trained examples=%d labels=%d seconds=%.1f onnx_bytes=%d",
        report.examples,
        report.labels,
        report.seconds,
        report.onnx_bytes,
    )
    return model_dir


if __name__ == "__main__":
    main()
