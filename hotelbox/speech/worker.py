"""A speech worker: ``python -m hotelbox.speech.worker speech|stt|tts --uri unix://… --spec JSON``.

Native speech code (libav decoding, CTranslate2, onnxruntime, espeak-ng) and GPL code (piper,
phonemizer, espeak-ng) run here, in a process the box starts, watches and restarts
(:mod:`.supervisor`); a crash costs one voice note, never the box. The worker speaks the
Wyoming protocol, so the box talks to a hotel's own Wyoming servers the same way:

* ``stt``: Wyoming ``transcribe`` + ``audio-start/chunk/stop`` (16-bit PCM) → ``transcript``;
  and the box's own ``hotelbox-transcribe-file`` (the guest's file as the payload, decoded
  here, never in the box) → ``transcript`` with what Whisper detected, or ``error`` with the
  audio problem's code.
* ``tts``: Wyoming ``synthesize`` (voice language or name) → ``audio-start/chunk/stop``.
* ``speech`` (the default): both in one process — one Python, numpy and onnxruntime instead of
  two, and hearing and speaking never peak at once (one job at a time).

Models load before the socket opens: a connectable socket means ready. One job at a time
(the box's speech lane decides what runs when); the work runs off the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import time
from functools import partial
from typing import Any

import numpy as np
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import AsrModel, AsrProgram, Attribution, Describe, Info, TtsProgram, TtsVoice
from wyoming.server import AsyncEventHandler, AsyncServer
from wyoming.tts import Synthesize

from hotelbox.errors import ModelError
from hotelbox.speech.audio import SAMPLE_RATE, AudioError, decode
from hotelbox.speech.engines import SttSpec, TtsSpec, VoiceSet, build_stt, spec_from_json
from hotelbox.speech.stt import SpeechToText

log = logging.getLogger("hotelbox.speech.worker")
TRANSCRIBE_FILE = "hotelbox-transcribe-file"
INTERRUPT = "hotelbox-interrupt"  # stop the synthesis under way: a voice note waits to be heard
INTERRUPTED = "hotelbox-interrupted"
CHUNK_SAMPLES = 4096
ATTRIBUTION = Attribution(name="hotelbox", url="")


def pcm16(samples: np.ndarray) -> bytes:
    pcm: bytes = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return pcm


class SpeechHandler(AsyncEventHandler):
    """Hearing (``stt``), speaking (``tts``) or both (``speech``: one process for both engines)."""

    def __init__(
        self, stt: SpeechToText | None, tts: VoiceSet | None, lock: asyncio.Lock, info: Info, *args: Any
    ) -> None:
        super().__init__(*args)
        self.stt = stt
        self.tts = tts
        self.lock = lock
        self.info = info
        self.language: str | None = None
        self.audio = bytearray()
        self.rate = SAMPLE_RATE

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self.info.event())
        elif event.type == INTERRUPT:
            # only while a job holds the worker: the sentence under way, or the one about to start
            stopped = self.tts.interrupt() if self.tts is not None and self.lock.locked() else False
            await self.write_event(Event(type=INTERRUPTED, data={"stopped": stopped}))
        elif Synthesize.is_type(event.type):
            await self._synthesize(Synthesize.from_event(event))
        elif self.stt is None:
            if event.type == TRANSCRIBE_FILE or AudioStop.is_type(event.type):
                await self.write_event(Error("this worker does not hear", "stt_unavailable").event())
        elif event.type == TRANSCRIBE_FILE:
            await self._file(event)
        elif Transcribe.is_type(event.type):
            self.language = Transcribe.from_event(event).language
        elif AudioStart.is_type(event.type):
            self.audio.clear()
            self.rate = AudioStart.from_event(event).rate
        elif AudioChunk.is_type(event.type):
            self.audio += AudioChunk.from_event(event).audio
        elif AudioStop.is_type(event.type):
            samples = np.frombuffer(bytes(self.audio), dtype="<i2").astype(np.float32) / 32768.0
            if self.rate != SAMPLE_RATE:
                await self.write_event(Error(f"audio must be {SAMPLE_RATE} Hz", "audio_rate").event())
                return True
            await self._answer(samples, self.language)
        return True

    async def _file(self, event: Event) -> None:
        data = event.data
        try:
            decoded = await asyncio.to_thread(
                decode,
                event.payload or b"",
                max_bytes=int(data.get("max_bytes", 16 << 20)),
                max_seconds=float(data.get("max_seconds", 300.0)),
            )
        except AudioError as exc:
            await self.write_event(Error(str(exc), exc.code).event())
            return
        await self._answer(decoded.samples, data.get("language"))

    async def _answer(self, samples: np.ndarray, language: str | None) -> None:
        assert self.stt is not None
        async with self.lock:
            transcript = await asyncio.to_thread(self.stt.transcribe, samples, language)
            release_memory()
        event = Transcript(transcript.text, language=transcript.lang).event()
        event.data["hotelbox"] = transcript.to_json()
        await self.write_event(event)

    async def _synthesize(self, request: Synthesize) -> None:
        if self.tts is None:
            await self.write_event(Error("this worker does not speak", "voice_missing").event())
            return
        lang = (request.voice.language if request.voice else None) or ""
        if request.voice and request.voice.name and not lang:
            lang = next((v.lang for v in self.tts.spec.voices if v.name == request.voice.name), "")
        if lang not in self.tts.languages:
            await self.write_event(Error(f"no voice for {lang!r}", "voice_missing").event())
            return
        async with self.lock:
            try:
                speech = await asyncio.to_thread(self.tts.synthesize, request.text, lang)
            except ModelError as exc:  # interrupted (the box asks again), or a voice that cannot speak
                await self.write_event(Error(str(exc), exc.code).event())
                return
            finally:
                release_memory()
        rate = speech.sample_rate
        await self.write_event(AudioStart(rate=rate, width=2, channels=1).event())
        data = pcm16(speech.samples)
        step = CHUNK_SAMPLES * 2
        for i in range(0, len(data), step):
            await self.write_event(
                AudioChunk(rate=rate, width=2, channels=1, audio=data[i : i + step]).event()
            )
        stop = AudioStop().event()
        stop.data["hotelbox"] = {"seconds": speech.seconds, "text": speech.text}
        await self.write_event(stop)


def release_memory() -> None:
    """Give the heap a job left behind back to the system (glibc keeps freed pages otherwise):
    the worker's idle RSS returns near its loaded size instead of staying at its peak."""
    if _libc is not None:
        _libc.malloc_trim(0)


def die_with_parent() -> None:
    """The box killed (kill -9, OOM) must not leave its worker holding hundreds of MB: the
    kernel sends this process SIGKILL when its parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    if _libc is None:
        return
    parent = os.getppid()
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the prctl
        os._exit(1)


PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform.startswith("linux") else None


def stt_program(spec: SttSpec, stt: SpeechToText) -> AsrProgram:
    model = AsrModel(
        name=spec.name,
        description=spec.name,
        attribution=ATTRIBUTION,
        installed=True,
        languages=list(stt.languages),
        version=None,
    )
    return AsrProgram(
        name="hotelbox-stt",
        description=spec.engine,
        attribution=ATTRIBUTION,
        installed=True,
        version=None,
        models=[model],
    )


def tts_program(spec: TtsSpec, tts: VoiceSet) -> TtsProgram:
    voices = [
        TtsVoice(
            name=v.name,
            description=f"{v.engine} {v.lang}",
            attribution=ATTRIBUTION,
            installed=True,
            version=None,
            languages=[v.lang],
        )
        for v in spec.voices
        if v.lang in tts.languages
    ]
    return TtsProgram(
        name="hotelbox-tts",
        description="Kokoro and piper voices",
        attribution=ATTRIBUTION,
        installed=True,
        version=None,
        voices=voices,
    )


async def serve(role: str, uri: str, spec_json: str) -> None:
    """Load what the spec names, then listen. In the ``speech`` role (both engines in one
    process) a speech-to-text model that fails to load leaves the voices speaking: the box
    sees no ``asr`` program in the worker's info and answers voice notes "please type"."""
    spec = spec_from_json(spec_json)
    lower_priority(spec.nice)
    started = time.perf_counter()
    stt: SpeechToText | None = None
    tts: VoiceSet | None = None
    info = Info()
    if spec.stt is not None:
        built = build_stt(spec.stt)
        try:
            await asyncio.to_thread(built.load)
        except Exception as exc:
            if spec.tts is None:
                raise
            log.error("speech-to-text unusable code=%s error=%s", getattr(exc, "code", ""), exc)
        else:
            stt = built
            info.asr = [stt_program(spec.stt, stt)]
    if spec.tts is not None:
        tts = VoiceSet(spec.tts)
        await asyncio.to_thread(tts.load)
        info.tts = [tts_program(spec.tts, tts)]
    release_memory()
    server = AsyncServer.from_uri(uri)
    log.info("speech worker ready role=%s uri=%s load_s=%.2f", role, uri, time.perf_counter() - started)
    await server.run(partial(SpeechHandler, stt, tts, asyncio.Lock(), info))


def lower_priority(nice: int) -> None:
    """Run below the box: its guests' text turns take the CPU whenever they need it, so a speech
    job may use every core (issue 16). Only ever lowers the priority."""
    if nice <= 0:
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if nice > current:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
    except OSError as exc:
        log.warning("speech worker priority unchanged nice=%d error=%s", nice, exc)
        return
    log.info("speech worker priority nice=%d", os.getpriority(os.PRIO_PROCESS, 0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotelbox.speech.worker")
    parser.add_argument("role", choices=["stt", "tts", "speech"], help="what it is called in logs")
    parser.add_argument("--uri", required=True, help="unix:///path/to.sock or tcp://host:port")
    parser.add_argument("--spec", required=True, help="the engines' spec as JSON (from the box)")
    args = parser.parse_args(argv)
    die_with_parent()
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format=f"speech-{args.role} %(levelname)s %(message)s"
    )
    try:
        asyncio.run(serve(args.role, args.uri, args.spec))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        log.error("speech worker failed role=%s code=%s error=%s", args.role, getattr(exc, "code", ""), exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
