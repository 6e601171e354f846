"""Voice notes in the pipeline: hear the guest's, speak ours.

``hear`` waits for the voice note's file (WhatsApp's is downloaded right after the message is
stored; the web and console store theirs at once), then decodes and transcribes it in the
speech lane with the conversation's language as the hint. Whatever goes wrong becomes a stable
``problem`` code the dialogue answers ("please type or resend"); nothing is lost — the message
and its audio stay for staff. ``speak`` turns replies meant to be heard into OGG/Opus files,
one voice note per reply, after the text (which always goes).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

from hotelbox.config import Settings
from hotelbox.errors import ModelError
from hotelbox.messages import Reply
from hotelbox.scheduler import DeadlineExceeded, Priority
from hotelbox.speech.audio import AudioError
from hotelbox.speech.stt import Transcript
from hotelbox.speech.voice import VoiceService
from hotelbox.store import Store, media

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heard:
    transcript: Transcript | None = None
    problem: str | None = None  # audio_corrupt, audio_empty, audio_too_long, no_speech, media_failed…
    seconds: float = 0.0

    def to_record(self) -> dict[str, object]:
        record: dict[str, object] = {"problem": self.problem, "seconds": round(self.seconds, 3)}
        if self.transcript is not None:
            record.update(self.transcript.to_json())
        return record


class VoiceNotes:
    def __init__(
        self, settings: Settings, store: Store, voice: VoiceService, voice_channels: set[str]
    ) -> None:
        self.settings = settings
        self.store = store
        self.voice = voice
        self.voice_channels = voice_channels  # channels that can deliver our voice notes
        self.out_dir = settings.media_dir / "out"

    def replies_wanted(self, channel: str) -> bool:
        return (
            self.settings.speech.enabled
            and self.settings.speech.voice_replies
            and channel in self.voice_channels
        )

    async def hear(self, message_id: int | None, lang_hint: str | None) -> Heard:
        started = time.perf_counter()
        if message_id is None:
            return Heard(problem="media_missing")
        item = await self._stored_media(message_id)
        if item is None or item.path is None:
            return Heard(problem="media_failed", seconds=time.perf_counter() - started)
        try:
            data = await asyncio.to_thread(Path(item.path).read_bytes)
            transcript = await self.voice.transcribe(
                data,
                lang_hint,
                max_wait_s=self.settings.speech.max_queue_wait_s,
                # anonymous try-it voice notes queue behind WhatsApp guests', never ahead (issue 13)
                priority=Priority.STAFF if item.channel == "webchat" else Priority.GUEST,
            )
        except DeadlineExceeded:  # too many voice notes at once: this guest is asked to type
            log.warning("voice note not heard in time message=%d code=speech_busy", message_id)
            return Heard(problem="speech_busy", seconds=time.perf_counter() - started)
        except AudioError as exc:
            log.info("voice note unusable message=%d code=%s", message_id, exc.code)
            if item.channel == "webchat":  # anonymous junk is not kept for 30 days (issue 13)
                await asyncio.to_thread(Path(item.path).unlink, missing_ok=True)
            return Heard(problem=exc.code, seconds=time.perf_counter() - started)
        except ModelError as exc:
            log.error("cannot transcribe message=%d code=%s", message_id, exc.code)
            return Heard(problem="stt_unavailable", seconds=time.perf_counter() - started)
        except OSError as exc:
            log.error("voice note file unreadable message=%d error=%s", message_id, exc)
            return Heard(problem="media_failed", seconds=time.perf_counter() - started)
        except Exception:  # a decoder or model bug on this one file: the same on every retry
            log.exception("voice note could not be heard message=%d code=voice_note_failed", message_id)
            return Heard(problem="audio_corrupt", seconds=time.perf_counter() - started)
        problem = None if transcript.text.strip() else "no_speech"
        log.info(
            "voice note transcribed message=%d lang=%s audio_s=%.1f stt_s=%.2f",
            message_id,
            transcript.lang,
            transcript.duration_s,
            transcript.seconds,
        )
        return Heard(transcript, problem, time.perf_counter() - started)

    async def _stored_media(self, message_id: int) -> media.MediaItem | None:
        deadline = time.monotonic() + self.settings.speech.media_wait_s
        delay = 0.02
        while True:
            item = await self.store.read(lambda c: media.for_message(c, message_id))
            if item is None or item.status == "failed":
                return None
            if item.status == "stored":
                return item
            if time.monotonic() > deadline:
                log.warning("voice note never arrived message=%d", message_id)
                return None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    async def speak(self, replies: list[Reply], name: str) -> list[Reply]:
        """The replies, each followed by its voice note when it should be heard and can be."""
        out: list[Reply] = []
        for n, reply in enumerate(replies):
            out.append(reply)
            if not reply.voice or reply.audio or not self.voice.can_speak(reply.lang):
                continue
            if self.voice.busy():  # other guests' notes hold the lane: our text must not wait on a bonus
                log.warning(
                    "voice reply skipped, speech lane busy lang=%s code=voice_reply_skipped", reply.lang
                )
                continue
            try:
                ogg, speech = await self.voice.speak(reply.text, reply.lang)
            except Exception as exc:  # text went anyway: the voice note is a bonus, never a blocker
                log.error("voice reply failed lang=%s error=%s", reply.lang, exc)
                continue
            path = self.out_dir / f"{name}-{n}.ogg"
            await asyncio.to_thread(_write, path, ogg)
            out.append(replace(reply, options=(), key=f"{reply.key}:voice", audio=str(path)))
            log.info(
                "voice reply ready lang=%s audio_s=%.1f tts_s=%.2f",
                reply.lang,
                speech.duration_s,
                speech.seconds,
            )
        return out


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
