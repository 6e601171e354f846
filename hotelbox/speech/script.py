"""What a voice reply says (issue 16): one short voice note per turn, the gist and the question.

A good receptionist answering a voice note says the gist aloud and leaves the details in
writing: the text reply already went with everything. So a turn's voiced replies (joined, one
per paragraph) become one spoken script within ``speech.voice_max_seconds`` of audio, estimated
from the text's speakable length at a per-language rate measured on Kokoro:

* kept aloud: every question the guest must answer (always, whatever the budget), then the
  opening sentence, the closing one (the next step) and what follows the opening in order, each
  while it fits (the opening alone when nothing else is said);
* in writing only: list lines (room types with their prices), a list's introduction, sentences
  with several prices, links, e-mail addresses and phone numbers;
* when anything was left out, the catalogue's ``voice_details_in_writing`` ("The details are in
  my message.") is said before the closing question.

A reply short enough and with nothing written-only is spoken whole. Deterministic: the same
text, language and budget give the same script.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from hotelbox.speech.speakable import EMAIL, PHONE, PRICE_AFTER, PRICE_BEFORE, URL, speakable

# Characters of speakable text per second of audio, Kokoro's default voices (ef_dora, af_heart,
# pf_dora), measured over the hotel answers (checkin_time, breakfast, parking, luggage,
# cancellation_policy; 37 s of audio per language): README, "Latency of a 10 s voice note".
CHARS_PER_SECOND = {"es": 17.6, "en": 17.7, "pt": 17.2}
SENTENCE_PAUSE_S = 0.25  # the voice service's pause between two sentences
DETAILS_KEY = "voice_details_in_writing"

_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[^\s\da-zà-öø-ÿ])")
_LIST_ITEM = re.compile(r"^\s*(?:[•·*▪◦\-–—]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Unit:
    text: str
    paragraph: int
    question: bool
    written: bool  # details for reading, not for hearing


@dataclass(frozen=True)
class Script:
    text: str  # what the voice note says
    seconds: float  # its estimated audio length
    whole: bool  # every sentence of the replies is said
    left_out: int  # sentences left in writing only


def estimate_seconds(sentences: list[str], lang: str) -> float:
    """Audio seconds a Kokoro voice takes to say these sentences (pauses included)."""
    rate = CHARS_PER_SECOND.get(lang[:2], 17.2)
    spoken = [speakable(s, lang[:2]) for s in sentences]
    return sum(len(s) for s in spoken) / rate + SENTENCE_PAUSE_S * max(0, len(spoken) - 1)


def _written_only(text: str) -> bool:
    if _LIST_ITEM.match(text) or URL.search(text) or EMAIL.search(text) or PHONE.search(text):
        return True
    prices = len(PRICE_AFTER.findall(text)) + len(PRICE_BEFORE.findall(text))
    return prices >= 2  # a price list, not a price


def units(text: str) -> list[Unit]:
    """The replies' sentences (paragraphs are replies, lines are list items or sentences)."""
    out: list[Unit] = []
    for p, paragraph in enumerate(re.split(r"\n\s*\n", text.strip())):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        for n, line in enumerate(lines):
            pieces = [line] if _LIST_ITEM.match(line) else [s for s in _SENTENCE.split(line) if s.strip()]
            for piece in pieces:
                piece = piece.strip()
                if piece.startswith("(") and out and out[-1].paragraph == p and out[-1].question:
                    last = out.pop()  # "Who is it under? (first name and surname)": one question
                    out.append(Unit(f"{last.text} {piece}", p, True, last.written))
                    continue
                written = _written_only(piece)
                if not written and piece.endswith(":") and n + 1 < len(lines):
                    written = bool(_LIST_ITEM.match(lines[n + 1]))  # the list it introduces
                out.append(Unit(piece, p, "?" in piece, written))
    return out


_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+[—–]\s+")


def _first_clauses(sentence: str, lang: str, max_seconds: float, note: str) -> str:
    """A sentence too long for the voice note, cut after the clauses that fit with the note
    ("We keep your luggage free of charge before check-in and after check-out, in our…" → up to
    the comma); the first clause at least, the whole sentence when it has no clause to cut at."""
    clauses = _CLAUSE.split(sentence)
    kept = clauses[0]
    for clause in clauses[1:]:
        if estimate_seconds([f"{kept}, {clause}", note], lang) > max_seconds:
            break
        kept = f"{kept} {clause}" if kept.endswith((",", ";", ":")) else f"{kept}, {clause}"
    if kept == sentence:
        return sentence
    return kept.rstrip(",;: ") + "."


@functools.cache
def _details_note(lang: str) -> str:
    from hotelbox.dialogue.catalog import Catalog

    return Catalog.load().text(lang, DETAILS_KEY)


def spoken_script(text: str, lang: str, max_seconds: float, details_note: str | None = None) -> Script:
    """The script of one voice note for a turn's replies (``text``: the replies, one per paragraph)."""
    all_units = units(text)
    if not all_units:
        return Script("", 0.0, True, 0)
    everything = [u.text for u in all_units]
    whole_s = estimate_seconds(everything, lang)
    if not any(u.written for u in all_units) and whole_s <= max_seconds:
        return Script(" ".join(everything), whole_s, True, 0)
    note = details_note if details_note is not None else _details_note(lang)
    speakable_ix = [i for i, u in enumerate(all_units) if not u.written]
    chosen = {i for i, u in enumerate(all_units) if u.question}  # never dropped, whatever the budget
    shortened: dict[int, str] = {}
    if speakable_ix and speakable_ix[0] not in chosen:  # the opening: the gist, cut to fit if it must be
        first = speakable_ix[0]
        asked = [all_units[j].text for j in sorted(chosen)]
        whole = all_units[first].text
        cut = _first_clauses(
            whole, lang, max_seconds - (estimate_seconds(asked, lang) if asked else 0.0), note
        )
        if estimate_seconds([whole, *asked, note], lang) <= max_seconds:
            chosen.add(first)
        elif estimate_seconds([cut, *asked, note], lang) <= max_seconds or not asked:
            chosen.add(first)  # with no question to carry the turn, the opening is said however long
            if cut != whole:
                shortened[first] = cut
    if speakable_ix and speakable_ix[0] not in chosen and not all_units[speakable_ix[0]].question:
        speakable_ix = []  # the question alone: a closing sentence without its opening means nothing
    for i in speakable_ix[-1:] + speakable_ix[1:-1]:  # then the closing (the next step), the middle in order
        if i in chosen:
            continue
        trial = chosen | {i}
        left = len(all_units) > len(trial) or bool(shortened)
        text_of = [shortened.get(j, all_units[j].text) for j in sorted(trial)]
        if estimate_seconds(text_of + ([note] if left else []), lang) > max_seconds:
            if i != speakable_ix[-1]:
                break  # the middle is said in order or not at all
            continue
        chosen = trial
    said = [shortened.get(i, all_units[i].text) for i in sorted(chosen)]
    left_out = len(all_units) - len(chosen) + len(shortened)
    gist = bool(speakable_ix) and speakable_ix[0] in chosen  # the opening said: the note only if it fits
    if left_out and (not gist or estimate_seconds([*said, note], lang) <= max_seconds):
        last = max(chosen) if chosen else None
        if last is not None and all_units[last].question:
            said.insert(len(said) - 1, note)
        else:
            said.append(note)
    return Script(" ".join(said), estimate_seconds(said, lang), left_out == 0, left_out)
