"""The corpus file format (README.md in this directory is its manual): pydantic models, a YAML
loader that reads what writers mean, and the checks that tie a file to its place in the tree."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from datetime import time as TimeOfDay
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CORPUS = Path(__file__).resolve().parent
LANGS = ("es", "en", "pt")
SPLITS = ("dev", "heldout")
CATEGORIES = (
    "booking",
    "party",
    "dates",
    "confirm",
    "slots",
    "correction",
    "modify",
    "cancel",
    "faq",
    "handoff",
    "lowconf",
    "variety",
)
VARIETIES = {
    "es": ("es-ES", "es-419"),
    "pt": ("pt-BR", "pt-PT"),
    "en": ("en-native", "en-nonnative"),
}
ROOMS = ("single", "double", "family", "suite")
PLACEHOLDER = re.compile(r"\{(\w+)\.ref\}")

Lang = Literal["es", "en", "pt"]
Room = Literal["single", "double", "family", "suite"]
Status = Literal["confirmed", "pending", "cancelled"]
Phone = Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeedBooking(Strict):
    """A booking already in the demo PMS when the chat starts."""

    key: Annotated[str, Field(pattern=r"^\w+$")]
    phone: Phone | None = None
    room: Room
    check_in: date
    check_out: date
    adults: Annotated[int, Field(ge=1, le=4)]
    children: Annotated[int, Field(ge=0, le=3)] = 0
    name: Annotated[str, Field(min_length=1)]
    email: str | None = None
    status: Literal["confirmed", "cancelled"] = "confirmed"  # optional: a booking cancelled earlier

    @model_validator(mode="after")
    def _stay(self) -> SeedBooking:
        if self.check_out <= self.check_in:
            raise ValueError(f"booking {self.key}: check_out must be after check_in")
        return self


class Tap(Strict):
    """The guest taps the n-th option (button or list row) of the bot's last reply."""

    tap: Annotated[int, Field(ge=1, le=10)]


class ExpectedBooking(Strict):
    """A booking that must exist at the end: ``key`` names a seeded one, no key a new one."""

    key: str | None = None
    room: Room | None = None
    check_in: date | None = None
    check_out: date | None = None
    adults: Annotated[int, Field(ge=0)] | None = None
    children: Annotated[int, Field(ge=0)] | None = None
    status: Status | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class Expect(Strict):
    bookings: list[ExpectedBooking] = []
    new_bookings: Annotated[int, Field(ge=0)] | None = None
    reply_lang: Lang | None = None
    handoff: bool | None = None
    mentions: list[str] = []
    never: list[str] = []

    @field_validator("mentions", "never", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if isinstance(value, list):  # 135 or 15 written bare in YAML: a fact to find, as text
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("mentions", "never")
    @classmethod
    def _not_blank(cls, value: list[str]) -> list[str]:
        if any(not v.strip() for v in value):
            raise ValueError("empty string")
        return value


class Conversation(Strict):
    id: Annotated[str, Field(pattern=r"^(es|en|pt)-[a-z]+-\d{3}$")]
    lang: Lang
    variety: Literal["es-ES", "es-419", "pt-BR", "pt-PT", "en-native", "en-nonnative"]
    category: Literal[
        "booking",
        "party",
        "dates",
        "confirm",
        "slots",
        "correction",
        "modify",
        "cancel",
        "faq",
        "handoff",
        "lowconf",
        "variety",
    ]
    split: Literal["dev", "heldout"]
    channel: Literal["whatsapp", "webchat", "email"] = "whatsapp"
    phone: Phone | None = None
    today: date
    note: Annotated[str, Field(min_length=3)]
    bookings: list[SeedBooking] = []
    turns: Annotated[list[str | Tap], Field(min_length=3, max_length=9)]
    expect: Expect
    # optional additions to the shared format
    time: TimeOfDay | None = None  # the hotel's time of day when the chat starts (default 10:00)
    profile_name: str | None = None  # the guest's WhatsApp profile name (default: none given)

    @field_validator("turns", mode="before")
    @classmethod
    def _turn_texts(cls, value: Any) -> Any:
        if isinstance(value, list):  # a guest answering "2": YAML reads a number
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("turns")
    @classmethod
    def _turns_not_blank(cls, value: list[str | Tap]) -> list[str | Tap]:
        for n, turn in enumerate(value, 1):
            if isinstance(turn, str) and not turn.strip():
                raise ValueError(f"turn {n} is empty")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Conversation:
        prefix = f"{self.lang}-{self.category}-"
        if not self.id.startswith(prefix):
            raise ValueError(f"id {self.id!r} must start with {prefix!r} (<lang>-<category>-<nnn>)")
        if self.variety not in VARIETIES[self.lang]:
            raise ValueError(f"variety {self.variety!r} is not one of {self.lang}: {VARIETIES[self.lang]}")
        if self.channel == "whatsapp" and self.phone is None:
            raise ValueError("a whatsapp conversation needs the guest's phone")
        keys = [b.key for b in self.bookings]
        if len(set(keys)) != len(keys):
            raise ValueError(f"booking keys repeat: {keys}")
        for n, turn in enumerate(self.turns, 1):
            if isinstance(turn, str):
                for key in PLACEHOLDER.findall(turn):
                    if key not in keys:
                        raise ValueError(f"turn {n} refers to {{{key}.ref}} but no booking has key {key!r}")
        for key in {m for m in self.expect.mentions for m in PLACEHOLDER.findall(m)}:
            if key not in keys:
                raise ValueError(f"expect.mentions refers to {{{key}.ref}} but no booking has key {key!r}")
        new = 0
        for b in self.expect.bookings:
            if b.key is None:
                new += 1
            elif b.key not in keys:
                raise ValueError(f"expect.bookings names key {b.key!r}, which is not under bookings")
            if b.check_in and b.check_out and b.check_out <= b.check_in:
                raise ValueError("expect.bookings: check_out must be after check_in")
        if self.expect.new_bookings is not None and new > self.expect.new_bookings:
            raise ValueError(
                f"expect.bookings describes {new} new bookings but new_bookings is {self.expect.new_bookings}"
            )
        return self

    @property
    def reply_lang(self) -> str:
        return self.expect.reply_lang or self.lang


class CorpusError(Exception):
    """A corpus file that cannot be used, with every reason found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


class _Loader(yaml.SafeLoader):
    """YAML as writers mean it: ``yes``/``no``/``on`` stay words and ``15:00`` stays a time of day
    (PyYAML follows YAML 1.1, where they are booleans and base-60 numbers); true/false, plain
    integers, decimals and ISO dates keep their types (the YAML 1.2 core schema)."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=_Loader)


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "Tap", "function-after[_stay(), SeedBooking]"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(file)"


def load(path: Path) -> Conversation:
    """One file, checked: its content and its place (``<lang>/<split>/<id>.yaml``)."""
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise CorpusError(path, [f"not readable YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise CorpusError(path, ["the file must be a mapping (id:, lang:, turns: …)"])
    problems: list[str] = []
    phone = data.get("phone")
    if isinstance(phone, int):
        problems.append(f'phone: quote it ("+{phone}"): unquoted, YAML reads a number')
    try:
        conv = Conversation.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(
                f"{_where(err['loc'])}: {msg}" + (f" (got {err['input']!r})" if _short(err) else "")
            )
        raise CorpusError(path, sorted(set(problems))) from exc
    if problems:
        raise CorpusError(path, problems)
    if path.stem != conv.id:
        problems.append(f"file name must be the id: {conv.id}.yaml")
    parts = path.resolve().parts
    if len(parts) >= 3 and parts[-3] in LANGS:
        if parts[-3] != conv.lang:
            problems.append(f"file is under {parts[-3]}/ but lang is {conv.lang}")
        if parts[-2] != conv.split:
            problems.append(f"file is under {parts[-3]}/{parts[-2]}/ but split is {conv.split}")
    if problems:
        raise CorpusError(path, problems)
    return conv


def _short(err: Any) -> bool:
    value = err.get("input")
    return isinstance(value, str | int | float | bool) and len(repr(value)) < 80


def corpus_files(paths: Iterable[Path] = ()) -> list[Path]:
    """The YAML files under the given files/directories (default: the whole corpus), sorted."""
    found: list[Path] = []
    for p in list(paths) or [CORPUS]:
        if p.is_dir():
            found.extend(q for q in p.rglob("*.y*ml") if q.suffix in (".yaml", ".yml"))
        else:
            found.append(p)
    return sorted(set(found))


def load_all(paths: Iterable[Path] = ()) -> Iterator[Conversation | CorpusError]:
    """Every conversation under ``paths``; a broken file yields its error instead."""
    seen: dict[str, Path] = {}
    for path in corpus_files(paths):
        try:
            conv = load(path)
        except CorpusError as exc:
            yield exc
            continue
        if conv.id in seen:
            yield CorpusError(path, [f"id {conv.id} is also used by {seen[conv.id]}"])
            continue
        seen[conv.id] = path
        yield conv
