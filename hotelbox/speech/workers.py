"""Speech out of the box's process (issue 16): hearing and speaking through Wyoming, either our
own supervised workers (``speech.engines = "workers"``: ``python -m hotelbox.speech.worker`` on
unix sockets in the state directory) or a hotel's Wyoming servers on its LAN
(``speech.stt_uri`` / ``speech.tts_uri``, e.g. wyoming-faster-whisper and wyoming-piper).

A worker that dies or hangs while hearing a note costs that note a "please type" answer (a
ModelError the pipeline turns into one); a hung worker is killed and, like a dead one, started
again by its supervisor within seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

from wyoming.client import AsyncClient
from wyoming.info import Describe, Info

from hotelbox.config import Settings
from hotelbox.errors import ModelError
from hotelbox.speech import remote
from hotelbox.speech.audio import decode
from hotelbox.speech.engines import SttSpec, TtsSpec, WorkerSpec
from hotelbox.speech.stt import Transcript
from hotelbox.speech.supervisor import SpeechWorker
from hotelbox.speech.tts import Speech

log = logging.getLogger(__name__)


async def describe(uri: str, timeout_s: float = 10.0) -> Info:
    async with asyncio.timeout(timeout_s), AsyncClient.from_uri(uri) as client:
        await client.write_event(Describe().event())
        while True:
            event = await client.read_event()
            if event is None:
                raise ModelError(f"no answer from {uri}", code="speech_worker_failed")
            if Info.is_type(event.type):
                return Info.from_event(event)


class WyomingSpeech:
    """The box's speech through Wyoming: ``start`` before READY, ``transcribe``/``speak`` per job."""

    def __init__(self, settings: Settings, stt: SttSpec | None, tts: TtsSpec | None) -> None:
        self.settings = settings.speech
        self.stt_spec = stt
        self.tts_spec = tts
        sockets = socket_dir(settings.state_dir)
        budget = self.settings.worker_max_rss_mb
        nice = self.settings.worker_nice
        hear = stt if stt is not None and not self.settings.stt_uri else None
        speak = tts if tts is not None and tts.voices and not self.settings.tts_uri else None

        def worker(role: str, spec: WorkerSpec) -> SpeechWorker:
            path = sockets / f"speech-{role}.sock"
            return SpeechWorker(role, spec.to_json(), path, max_rss_mb=budget, on_event=self._count)

        self.stt_worker: SpeechWorker | None = None
        self.tts_worker: SpeechWorker | None = None
        if self.settings.worker_layout == "one" and (hear or speak):
            # one process for both: one Python, numpy and onnxruntime; peaks never add up
            self.stt_worker = self.tts_worker = worker("speech", WorkerSpec(hear, speak, nice))
            if hear is None:
                self.stt_worker = None
            if speak is None:
                self.tts_worker = None
        else:
            self.stt_worker = worker("stt", WorkerSpec(stt=hear, nice=nice)) if hear else None
            self.tts_worker = worker("tts", WorkerSpec(tts=speak, nice=nice)) if speak else None
        self.stt_uri = self.settings.stt_uri or (self.stt_worker.uri if self.stt_worker else None)
        self.tts_uri = self.settings.tts_uri or (self.tts_worker.uri if self.tts_worker else None)
        self.languages: set[str] = set()
        self.stt_name = (stt.name if stt else None) if not self.settings.stt_uri else self.settings.stt_uri
        self.problems: dict[str, str] = {}
        self.on_event: Any = lambda code: None

    def _count(self, code: str) -> None:
        self.on_event(code)

    @property
    def workers(self) -> list[SpeechWorker]:
        """Each worker once (with ``worker_layout = "one"`` hearing and speaking are the same)."""
        out: list[SpeechWorker] = []
        for w in (self.stt_worker, self.tts_worker):
            if w is not None and w not in out:
                out.append(w)
        return out

    async def start(self) -> None:
        for worker in self.workers:
            try:
                await worker.start()
            except ModelError as exc:
                for role in ("stt", "tts"):
                    if getattr(self, f"{role}_worker") is worker:
                        self.problems[role] = f"{exc.code}: {exc}"
                log.error("speech worker unusable role=%s error=%s", worker.role, exc)
        if self.stt_worker is not None and "stt" not in self.problems:
            try:  # a worker that speaks may have failed to load Whisper: it says so in its info
                if not (await describe(self.stt_worker.uri)).asr:
                    self.problems["stt"] = (
                        "stt_unavailable: the speech worker could not load it (see its log)"
                    )
            except Exception as exc:
                self.problems["stt"] = f"speech_worker_failed: {exc}"
        if self.tts_uri is None or "tts" in self.problems:
            return
        try:
            info = await describe(self.tts_uri)
        except Exception as exc:
            self.problems["tts"] = f"speech_worker_failed: {exc}"
            log.error("text-to-speech server unusable uri=%s error=%s", self.tts_uri, exc)
            return
        installed = [v for program in info.tts for v in program.voices if v.installed]
        offered = {lang for v in installed for lang in v.languages}
        names = {v.name for v in installed}
        for lang, name in self.settings.voices.items():
            if lang in offered or name in names:
                self.languages.add(lang)

    async def stop(self) -> None:
        for worker in self.workers:
            await worker.stop()

    @property
    def stt_ready(self) -> bool:
        return self.stt_uri is not None and "stt" not in self.problems

    async def transcribe(self, data: bytes, lang_hint: str | None) -> Transcript:
        if self.stt_uri is None:
            raise ModelError("no speech-to-text server", code="stt_unavailable")
        timeout = self.settings.worker_timeout_s
        if self.stt_worker is not None:
            await self.stt_worker.wait_ready(self.settings.worker_ready_wait_s)
            try:
                return await remote.transcribe_file(
                    self.stt_uri,
                    data,
                    lang_hint,
                    max_bytes=self.settings.max_audio_bytes,
                    max_seconds=self.settings.max_audio_seconds,
                    timeout_s=timeout,
                )
            except ModelError as exc:
                if exc.code == "speech_worker_hung":  # native code stuck: kill it, it comes back
                    log.error("speech worker hung role=stt code=speech_worker_hung")
                    self._count("speech_worker_hung")
                    self.stt_worker.kill()
                raise
        decoded = decode(
            data, max_bytes=self.settings.max_audio_bytes, max_seconds=self.settings.max_audio_seconds
        )
        return await remote.transcribe_pcm(self.stt_uri, decoded.samples, lang_hint, timeout_s=timeout)

    async def speak(self, text: str, lang: str) -> Speech:
        if self.tts_uri is None or lang not in self.languages:
            raise ModelError(f"no voice for {lang}", code="voice_missing")
        if self.tts_worker is not None:
            await self.tts_worker.wait_ready(self.settings.worker_ready_wait_s)
            try:
                return await remote.synthesize(
                    self.tts_uri, text, lang, None, timeout_s=self.settings.worker_timeout_s
                )
            except ModelError as exc:
                if exc.code == "speech_worker_hung":
                    self.tts_worker.kill()
                raise
        from hotelbox.speech.speakable import speakable

        name = self.settings.voices.get(lang)  # a hotel's server: voices by name, text made speakable here
        return await remote.synthesize(
            self.tts_uri, speakable(text, lang), lang, name, timeout_s=self.settings.worker_timeout_s
        )

    async def interrupt(self) -> bool:
        """Stop the synthesis our own worker is doing (a hotel's server is left alone)."""
        if self.tts_worker is None or self.tts_uri is None:
            return False
        try:
            return await remote.interrupt(self.tts_uri)
        except ModelError as exc:  # the sentence then just runs to its end
            log.warning("speech worker not interrupted code=%s", exc.code)
            return False

    def health(self) -> dict[str, Any]:
        return {
            "stt_uri": self.stt_uri,
            "tts_uri": self.tts_uri,
            "workers": {w.role: w.health() for w in self.workers},
        }


def socket_dir(state_dir: Path) -> Path:
    """``run/`` in the state directory; a short private directory instead when that path is too
    long for a unix socket (108 bytes)."""
    preferred = state_dir / "run"
    if len(str(preferred)) <= 80:
        return preferred
    digest = hashlib.sha256(str(state_dir).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"hotelbox-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short
