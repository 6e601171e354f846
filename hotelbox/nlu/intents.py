"""The intent model at run time: one ONNX graph (char n-gram TF-IDF + logistic regression).

Labels are flat: ``book_room``, ``greet``… and ``ask_info/<topic>`` for hotel questions, so one
model gives both the intent and the topic; the intent's confidence is the sum over its topics.
The graph takes the text as :func:`classifier_text` writes it; that function is part of the
model's contract (``NORMALIZATION`` is stored with the model and checked at load).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hotelbox.errors import ModelError

if TYPE_CHECKING:
    import onnxruntime as ort
from hotelbox.nlu.text import fold

NORMALIZATION = "fold+digits0+punct-v1"
# the intents the dialogue knows; training refuses others
INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "check_availability",
    "book_room",
    "modify_booking",
    "cancel_booking",
    "booking_status",
    "ask_price",
    "room_info",
    "ask_info",
    "special_request",
    "request_human",
    "complaint",
    "provide_info",
    "out_of_scope",
)
_KEEP = re.compile(r"[^\w\s?@]")
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
WORD = re.compile(r"[^\W\d_]{3,}")  # the words the vocabulary check looks at


def classifier_text(text: str) -> str:
    """What the intent model sees: folded, digits as 0, punctuation except ? and @ dropped."""
    t = _DIGIT.sub("0", fold(text)).replace("_", " ")
    t = _SPACES.sub(" ", _KEEP.sub(" ", t)).strip()
    return f" {t} "


@dataclass(frozen=True)
class IntentScore:
    intent: str
    topic: str | None
    confidence: float


def split_label(label: str) -> tuple[str, str | None]:
    intent, _, topic = label.partition("/")
    return intent, topic or None


class IntentModel:
    """Loads ``intent.onnx``, ``language.onnx`` and ``intent.json`` once; thread-safe after."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        self.model_dir = model_dir
        self.threads = threads
        self.labels: list[str] = []
        self.languages: list[str] = []
        self.vocabulary: frozenset[str] = frozenset()
        self.meta: dict[str, Any] = {}  # intent.json as the trainer wrote it
        self._session: ort.InferenceSession | None = None
        self._lang_session: ort.InferenceSession | None = None

    def load(self) -> None:
        import onnxruntime as ort

        meta_path = self.model_dir / "intent.json"
        onnx_path = self.model_dir / "intent.onnx"
        try:
            self.meta = json.loads(meta_path.read_text())
        except (OSError, ValueError) as exc:
            raise ModelError(f"intent model metadata unreadable: {meta_path}: {exc}") from exc
        if self.meta.get("normalization") != NORMALIZATION:
            raise ModelError(
                f"intent model at {self.model_dir} was built for normalization "
                f"{self.meta.get('normalization')!r}, this hotelbox uses {NORMALIZATION!r}"
            )
        self.labels = list(self.meta["labels"])
        self.languages = list(self.meta.get("languages", []))
        self.vocabulary = frozenset(self.meta.get("vocabulary", []))
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        sessions = []
        expected = self.meta.get("sha256") or {}
        for path in (onnx_path, self.model_dir / "language.onnx"):
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ModelError(f"model unreadable: {path}: {exc}", code="model_missing") from exc
            if hashlib.sha256(data).hexdigest() != expected.get(path.name):
                raise ModelError(f"model file {path} does not match its sha256", code="model_corrupt")
            try:
                sessions.append(
                    ort.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])
                )
            except Exception as exc:  # onnxruntime raises its own exception types
                raise ModelError(f"model unusable: {path}: {exc}") from exc
        self._session, self._lang_session = sessions

    def probabilities(self, texts: list[str]) -> np.ndarray:
        if self._session is None:
            raise ModelError("intent model not loaded")
        batch = np.array([classifier_text(t) for t in texts], dtype=object).reshape(-1, 1)
        outputs = self._session.run(None, {"text": batch})
        return np.asarray(outputs[1], dtype=np.float64)

    def knows_any_word(self, text: str) -> bool:
        """False when no word of ``text`` (3+ letters) appears anywhere in the training data."""
        words = WORD.findall(classifier_text(text))
        return not words or any(w in self.vocabulary for w in words)

    def knows_word(self, word: str) -> bool:
        """True when ``word`` (folded as the classifier sees it) is in the training data."""
        return any(w in self.vocabulary for w in WORD.findall(classifier_text(word)))

    def language_probabilities(self, text: str) -> dict[str, float]:
        """The domain language model's view (knows hotel words general detectors miss)."""
        if self._lang_session is None:
            raise ModelError("language model not loaded")
        batch = np.array([classifier_text(text)], dtype=object).reshape(-1, 1)
        probs = self._lang_session.run(None, {"text": batch})[1][0]
        return {lang: float(p) for lang, p in zip(self.languages, probs, strict=True)}

    def predict(self, text: str, top: int = 3) -> list[IntentScore]:
        """The best intents for ``text``, best first (topic-level for ask_info)."""
        probs = self.probabilities([text])[0]
        by_intent: dict[str, float] = {}
        for label, p in zip(self.labels, probs, strict=True):
            intent, _ = split_label(label)
            by_intent[intent] = by_intent.get(intent, 0.0) + float(p)
        ranked = sorted(by_intent.items(), key=lambda kv: kv[1], reverse=True)[:top]
        scores: list[IntentScore] = []
        for intent, p in ranked:
            topic = None
            if intent == "ask_info":
                best = max(
                    (i for i, lab in enumerate(self.labels) if lab.startswith("ask_info/")),
                    key=lambda i: probs[i],
                )
                topic = split_label(self.labels[best])[1]
            scores.append(IntentScore(intent, topic, p))
        return scores
