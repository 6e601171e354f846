"""A speech worker: ``python -m hotelbox.speech.worker stt|tts --uri unix://… --spec JSON``.

Native speech code (libav decoding, CTranslate2, onnxruntime, espeak-ng) and GPL code (piper,
phonemizer, espeak-ng) run here, in a process the box starts, watches and restarts
(:mod:`.supervisor`); a crash costs one voice note, never the box. The worker speaks the
Wyoming protocol, so the box talks to a hotel's own Wyoming servers the same way:

* ``stt``: Wyoming ``transcribe`` + ``audio-start/chunk/stop`` (16-bit PCM) → ``transcript``;
  and the box's own ``hotelbox-transcribe-file`` (the guest's file as the payload, decoded
  here, never in the box) → ``transcript`` with what Whisper detected, or ``error`` with the
  audio problem's code.
* ``tts``: Wyoming ``synthesize`` (voice language or name) → ``audio-start/chunk/stop``.

Models load before the socket opens: a connectable socket means ready. One job at a time
(the box's speech lane decides what runs when); the work runs off the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
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

from hotelbox.speech.audio import SAMPLE_RATE, AudioError, decode
from hotelbox.speech.engines import SttSpec, TtsSpec, VoiceSet, build_stt, spec_from_json
from hotelbox.speech.stt import SpeechToText

log = logging.getLogger("hotelbox.speech.worker")
TRANSCRIBE_FILE = "hotelbox-transcribe-file"
CHUNK_SAMPLES = 4096
ATTRIBUTION = Attribution(name="hotelbox", url="")


def pcm16(samples: np.ndarray) -> bytes:
    pcm: bytes = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return pcm


class SttHandler(AsyncEventHandler):
    def __init__(self, stt: SpeechToText, lock: asyncio.Lock, info: Info, *args: Any) -> None:
        super().__init__(*args)
        self.stt = stt
        self.lock = lock
        self.info = info
        self.language: str | None = None
        self.audio = bytearray()
        self.rate = SAMPLE_RATE

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self.info.event())
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
        async with self.lock:
            transcript = await asyncio.to_thread(self.stt.transcribe, samples, language)
        event = Transcript(transcript.text, language=transcript.lang).event()
        event.data["hotelbox"] = transcript.to_json()
        await self.write_event(event)


class TtsHandler(AsyncEventHandler):
    def __init__(self, tts: VoiceSet, lock: asyncio.Lock, info: Info, *args: Any) -> None:
        super().__init__(*args)
        self.tts = tts
        self.lock = lock
        self.info = info

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self.info.event())
            return True
        if not Synthesize.is_type(event.type):
            return True
        request = Synthesize.from_event(event)
        lang = (request.voice.language if request.voice else None) or ""
        if request.voice and request.voice.name and not lang:
            lang = next((v.lang for v in self.tts.spec.voices if v.name == request.voice.name), "")
        if lang not in self.tts.languages:
            await self.write_event(Error(f"no voice for {lang!r}", "voice_missing").event())
            return True
        async with self.lock:
            speech = await asyncio.to_thread(self.tts.synthesize, request.text, lang)
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
        return True


def stt_info(spec: SttSpec, stt: SpeechToText) -> Info:
    model = AsrModel(
        name=spec.name,
        description=spec.name,
        attribution=ATTRIBUTION,
        installed=True,
        languages=list(stt.languages),
        version=None,
    )
    program = AsrProgram(
        name="hotelbox-stt",
        description=spec.engine,
        attribution=ATTRIBUTION,
        installed=True,
        version=None,
        models=[model],
    )
    return Info(asr=[program])


def tts_info(spec: TtsSpec, tts: VoiceSet) -> Info:
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
    program = TtsProgram(
        name="hotelbox-tts",
        description="Kokoro and piper voices",
        attribution=ATTRIBUTION,
        installed=True,
        version=None,
        voices=voices,
    )
    return Info(tts=[program])


async def serve(role: str, uri: str, spec_json: str) -> None:
    spec = spec_from_json(spec_json)
    started = time.perf_counter()
    lock = asyncio.Lock()
    if role == "stt":
        if not isinstance(spec, SttSpec):
            raise SystemExit("the stt worker needs an stt spec")
        stt = build_stt(spec)
        await asyncio.to_thread(stt.load)
        factory: Any = partial(SttHandler, stt, lock, stt_info(spec, stt))
    else:
        if not isinstance(spec, TtsSpec):
            raise SystemExit("the tts worker needs a tts spec")
        tts = VoiceSet(spec)
        await asyncio.to_thread(tts.load)
        factory = partial(TtsHandler, tts, lock, tts_info(spec, tts))
    server = AsyncServer.from_uri(uri)
    log.info("speech worker ready role=%s uri=%s load_s=%.2f", role, uri, time.perf_counter() - started)
    await server.run(factory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotelbox.speech.worker")
    parser.add_argument("role", choices=["stt", "tts"])
    parser.add_argument("--uri", required=True, help="unix:///path/to.sock or tcp://host:port")
    parser.add_argument("--spec", required=True, help="the engine's spec as JSON (from the box)")
    args = parser.parse_args(argv)
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
