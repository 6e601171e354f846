"""The box's side of Wyoming: hear and speak through a speech worker, ours or the hotel's own.

Our own stt worker gets the guest's file as it came (``hotelbox-transcribe-file``) so that
decoding happens out of the box's process too; a hotel's Wyoming server (``speech.stt_uri``)
gets 16 kHz PCM the box decoded. A connection that closes before the answer (the worker died)
or an answer that does not come in time (it hangs: killed, restarted) is a ModelError with a
stable code; the guest is asked to type.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeVoice

from hotelbox.errors import ModelError
from hotelbox.speech.audio import SAMPLE_RATE, AudioError
from hotelbox.speech.stt import Transcript as BoxTranscript
from hotelbox.speech.tts import Speech
from hotelbox.speech.worker import INTERRUPT, INTERRUPTED, TRANSCRIBE_FILE, pcm16


class WorkerGone(ModelError):
    code = "speech_worker_failed"


async def _exchange(uri: str, events: list[Event], until: set[str], timeout_s: float) -> list[Event]:
    """Send events, read until one of ``until`` (or an error), all within the timeout."""
    received: list[Event] = []
    try:
        async with asyncio.timeout(timeout_s), AsyncClient.from_uri(uri) as client:
            for event in events:
                await client.write_event(event)
            while True:
                event = await client.read_event()
                if event is None:
                    raise WorkerGone(
                        f"speech worker at {uri} closed the connection", code="speech_worker_failed"
                    )
                received.append(event)
                if event.type in until or Error.is_type(event.type):
                    return received
    except TimeoutError:
        raise ModelError(
            f"speech worker at {uri} did not answer in {timeout_s:.0f} s", code="speech_worker_hung"
        ) from None
    except (OSError, EOFError) as exc:  # refused, reset, broken pipe
        raise WorkerGone(f"speech worker at {uri}: {exc}", code="speech_worker_failed") from exc


def _raise_error(event: Event) -> None:
    if Error.is_type(event.type):
        error = Error.from_event(event)
        if (error.code or "").startswith("audio_"):  # the guest's file, not the worker
            raise AudioError(error.text, code=error.code)
        raise ModelError(error.text, code=error.code or "speech_worker_error")


async def transcribe_file(
    uri: str, data: bytes, lang_hint: str | None, *, max_bytes: int, max_seconds: float, timeout_s: float
) -> BoxTranscript:
    """Our own stt worker: it decodes the file and detects the language among the hotel's."""
    request = Event(
        type=TRANSCRIBE_FILE,
        data={"language": lang_hint, "max_bytes": max_bytes, "max_seconds": max_seconds},
        payload=data,
    )
    events = await _exchange(uri, [request], {Transcript("").event().type}, timeout_s)
    _raise_error(events[-1])
    info = events[-1].data.get("hotelbox") or {}
    return BoxTranscript(
        text=str(events[-1].data.get("text", "")),
        lang=str(info.get("lang") or events[-1].data.get("language") or lang_hint or "en"),
        lang_prob=info.get("lang_prob"),
        duration_s=float(info.get("duration_s", 0.0)),
        seconds=float(info.get("seconds", 0.0)),
        model=str(info.get("model", "worker")),
    )


async def transcribe_pcm(
    uri: str, samples: np.ndarray, lang_hint: str | None, *, timeout_s: float
) -> BoxTranscript:
    """Any Wyoming speech-to-text server (e.g. wyoming-faster-whisper on a stronger machine)."""
    started = time.perf_counter()
    pcm = pcm16(samples)
    events = [
        Transcribe(language=lang_hint).event(),
        AudioStart(rate=SAMPLE_RATE, width=2, channels=1).event(),
    ]
    step = SAMPLE_RATE * 2  # one second per chunk
    events += [
        AudioChunk(rate=SAMPLE_RATE, width=2, channels=1, audio=pcm[i : i + step]).event()
        for i in range(0, len(pcm), step)
    ]
    events.append(AudioStop().event())
    answer = await _exchange(uri, events, {Transcript("").event().type}, timeout_s)
    _raise_error(answer[-1])
    transcript = Transcript.from_event(answer[-1])
    return BoxTranscript(
        text=transcript.text.strip(),
        lang=transcript.language or lang_hint or "",
        lang_prob=None,
        duration_s=len(samples) / SAMPLE_RATE,
        seconds=time.perf_counter() - started,
        model=uri,
    )


async def synthesize(uri: str, text: str, lang: str, voice_name: str | None, *, timeout_s: float) -> Speech:
    """Any Wyoming text-to-speech server: ours picks the voice by language, others by name."""
    started = time.perf_counter()
    voice = SynthesizeVoice(name=voice_name, language=None if voice_name else lang)
    events = await _exchange(
        uri, [Synthesize(text=text, voice=voice).event()], {AudioStop().event().type}, timeout_s
    )
    _raise_error(events[-1])
    rate, chunks = SAMPLE_RATE, []
    for event in events:
        if AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            if start.width != 2 or start.channels != 1:
                raise ModelError(
                    f"speech worker at {uri} sent {start.width * 8}-bit x{start.channels} audio",
                    code="speech_worker_error",
                )
            rate = start.rate
        elif AudioChunk.is_type(event.type):
            chunks.append(AudioChunk.from_event(event).audio)
    samples = np.frombuffer(b"".join(chunks), dtype="<i2").astype(np.float32) / 32768.0
    spoken = (events[-1].data.get("hotelbox") or {}).get("text", text)
    return Speech(samples, rate, time.perf_counter() - started, spoken)


async def interrupt(uri: str, *, timeout_s: float = 5.0) -> bool:
    """Ask our own speech worker to stop the synthesis under way; True if it stopped one."""
    events = await _exchange(uri, [Event(type=INTERRUPT)], {INTERRUPTED}, timeout_s)
    return bool(events[-1].data.get("stopped"))
