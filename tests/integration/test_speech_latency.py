"""Voice-turn latency (issue 16): Whisper encodes a first voice note once for both language
detection and decoding, a known language skips detection, and the conversation's language is the
hint for every later note."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hotelbox.speech.audio import decode
from hotelbox.speech.models import ModelStore
from hotelbox.speech.stt import HOTEL_LANGUAGES, WhisperStt
from tests.fakes.graph import message_body, sha256_b64
from tests.helpers import kokoro_voice_note
from tests.integration.wa_rig import Rig, started_box
from tests.support import DATA

FLEURS = DATA / "speech" / "fleurs"
CLIPS = [FLEURS / f"fleurs-{lang}-00{n}.ogg" for lang in HOTEL_LANGUAGES for n in (0, 1)]


@pytest.fixture(scope="module")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> WhisperStt:
    store = ModelStore(tmp_path_factory.mktemp("models"), tmp_path_factory.mktemp("model-cache"))
    stt = WhisperStt(store.locate("whisper-base"), "whisper-base", threads=2, beam_size=5)
    stt.load()
    return stt


class Counted:
    """Counts the model's encoder and language-detection calls."""

    def __init__(self, stt: WhisperStt) -> None:
        self.stt = stt
        self.encodes = 0
        self.detections = 0

    def __enter__(self) -> Counted:
        model = self.stt._model
        encode, detect = model.encode, model.detect_language

        def counted_encode(*args: Any, **kw: Any) -> Any:
            self.encodes += 1
            return encode(*args, **kw)

        def counted_detect(*args: Any, **kw: Any) -> Any:
            self.detections += 1
            return detect(*args, **kw)

        model.encode, model.detect_language = counted_encode, counted_detect
        return self

    def __exit__(self, *exc: object) -> None:
        del self.stt._model.encode, self.stt._model.detect_language


def two_passes(stt: WhisperStt, speech: np.ndarray) -> tuple[str, str]:
    """What the box did before: faster-whisper's detect_language (its own encode), then its
    transcribe in the language chosen among the hotel's (a second encode of the same window)."""
    _best, _p, probs = stt._model.detect_language(audio=speech)
    lang = max(((la, p) for la, p in probs if la in HOTEL_LANGUAGES), key=lambda lp: lp[1])[0]
    segments, _info = stt._model.transcribe(
        speech,
        language=lang,
        beam_size=stt.beam_size,
        vad_filter=False,
        condition_on_previous_text=False,
        without_timestamps=True,
    )
    return lang, " ".join(s.text.strip() for s in segments).strip()


@pytest.mark.parametrize("path", CLIPS, ids=lambda p: p.stem)
def test_a_first_voice_note_is_encoded_once_and_heard_as_with_two_passes(
    whisper: WhisperStt, path: Path
) -> None:
    samples = decode(path.read_bytes()).samples
    with Counted(whisper) as calls:
        heard = whisper.transcribe(samples, None)
    assert calls.encodes == 1  # was 2: detect_language's and transcribe's
    assert heard.lang_prob is not None
    assert 0 < heard.lang_prob <= 1
    lang, text = two_passes(whisper, whisper._speech(samples))
    assert (heard.lang, heard.text) == (lang, text)
    assert heard.lang == path.stem.split("-")[1]


def test_a_known_language_skips_detection(whisper: WhisperStt) -> None:
    samples = decode((FLEURS / "fleurs-pt-000.ogg").read_bytes()).samples
    with Counted(whisper) as calls:
        heard = whisper.transcribe(samples, "pt")
    assert (calls.encodes, calls.detections, heard.lang, heard.lang_prob) == (1, 0, "pt", None)
    assert heard.text


async def test_every_later_voice_note_of_a_guest_is_heard_in_the_conversations_language(rig: Rig) -> None:
    """The first note's language is detected; the conversation keeps it, and the next notes are
    decoded in it with no detection (their transcripts carry no detection probability)."""
    async with started_box(rig) as box:
        for n, question in enumerate(
            ["Olá, boa tarde. Vocês têm estacionamento para o meu carro?", "E a que horas é o café da manhã?"]
        ):
            audio = kokoro_voice_note(question, "pt", box.settings.model_cache)
            media = rig.graph.add_media(audio)
            part = {
                "mime_type": "audio/ogg; codecs=opus",
                "sha256": sha256_b64(audio),
                "id": media.id,
                "voice": True,
            }
            await rig.meta.post(message_body("+34600555888", kind="audio", part=part))
            await rig.graph.wait_sent(2 * (n + 1), 120)
        rows = await rig.box_query(
            "SELECT json_extract(payload, '$.transcript') AS t FROM messages WHERE direction = 'in' ORDER BY id"
        )
        first, second = (json.loads(r["t"]) for r in rows)
        assert (first["lang"], second["lang"]) == ("pt", "pt")
        assert first["lang_prob"] > 0  # detected
        assert second.get("lang_prob") is None  # the conversation's language, no detection


LONG_REPLY = (
    "Breakfast is served every morning from seven until half past ten in the dining room on the "
    "ground floor, it is included in the price of every room, and there are gluten free breads, "
    "lactose free milk and fresh fruit for guests who ask for them at the buffet or at reception."
)


async def test_a_guests_voice_note_is_heard_before_the_voice_reply_sentence_under_way_ends(
    tmp_path: Path,
) -> None:
    """Hearing goes before speaking (issue 16): a voice note that arrives while the speech worker
    speaks a background voice reply's (one, long) sentence stops that sentence, is heard, and the
    sentence is then said again from its start — whole."""
    import asyncio

    from hotelbox.config import load_settings
    from hotelbox.scheduler import Priority, Scheduler
    from hotelbox.speech.voice import VoiceService
    from tests.support import wait_for

    settings = load_settings(state_dir=tmp_path, speech={"engines": "workers"})
    scheduler = Scheduler(settings.scheduler)
    await scheduler.start()
    voice = VoiceService(settings, scheduler)
    await asyncio.to_thread(voice.load)
    await voice.start()
    try:
        note = kokoro_voice_note("Hello, what time is breakfast served, please?", "en", settings.model_cache)
        _ogg, alone = await voice.speak(LONG_REPLY, "en", priority=Priority.BACKGROUND)
        done: list[str] = []

        async def reply() -> None:
            await voice.speak(LONG_REPLY, "en", priority=Priority.BACKGROUND)
            done.append("voice reply")

        speaking = asyncio.create_task(reply())
        await wait_for(lambda: voice._background_speaking > 0, 60, interval=0.001)
        heard = await voice.transcribe(note, "en")
        done.append("voice note heard")
        await speaking
        assert done == ["voice note heard", "voice reply"]  # the one sentence did not hold the note
        assert "breakfast" in heard.text.lower()
        assert voice.interrupted == 1
        again = await voice.speak(LONG_REPLY, "en", priority=Priority.BACKGROUND)
        assert abs(again[1].duration_s - alone.duration_s) < 0.05  # said whole, as when alone
        assert voice.health()["workers"]["speech"]["restarts"] == 0
    finally:
        await voice.stop()
        await scheduler.stop()


def test_kokoro_stops_a_synthesis_when_interrupted_and_speaks_the_next_whole(tmp_path: Path) -> None:
    import threading

    from hotelbox.config import load_settings
    from hotelbox.errors import ModelError
    from hotelbox.speech.engines import TtsSpec, VoiceSet, voice_spec

    settings = load_settings(state_dir=tmp_path)
    store = ModelStore(tmp_path / "models", settings.model_cache)
    voices = VoiceSet(TtsSpec((voice_spec(store, "en", "kokoro-af_heart"),), threads=1))
    voices.load()
    whole = voices.synthesize(LONG_REPLY, "en")
    voices.interrupt()  # before it starts: the next synthesis stops at once
    with pytest.raises(ModelError) as stopped:
        voices.synthesize(LONG_REPLY, "en")
    assert stopped.value.code == "speech_interrupted"
    failures: list[str] = []

    def speak() -> None:
        try:
            voices.synthesize(LONG_REPLY, "en")
        except ModelError as exc:
            failures.append(exc.code)

    session = voices.engines["en"]._session  # type: ignore[attr-defined]
    thread = threading.Thread(target=speak)
    thread.start()
    while session._current is None:  # wait for the (one, long) onnxruntime run to be under way
        thread.join(0.01)
    voices.interrupt()
    thread.join()
    assert failures == ["speech_interrupted"]
    after = voices.synthesize(LONG_REPLY, "en")
    assert after.duration_s == whole.duration_s
