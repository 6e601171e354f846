"""Voice notes in the pipeline: hear the guest's, speak ours.

``hear`` waits for the voice note's file (WhatsApp's is downloaded right after the message is
stored; the web and console store theirs at once), then decodes and transcribes it in the
speech lane with the conversation's language as the hint. Whatever goes wrong becomes a stable
``problem`` code the dialogue answers ("please type or resend"); nothing is lost — the message
and its audio stay for staff.

Text first, voice after (issue 16): a reply meant to be heard commits and goes out as text at
once, with a voice job (:mod:`hotelbox.store.voice_jobs`) in the same transaction. The runner
here speaks the job in the speech lane at background priority, below every guest's voice note,
and queues the OGG/Opus note in the outbox: one note per turn, its script the gist and the
question within ``speech.voice_max_seconds`` (:mod:`hotelbox.speech.script`). A job is skipped while other guests wait for the
lane, when something newer was sent to that guest, or when staff took over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from hotelbox.config import Settings
from hotelbox.errors import ModelError
from hotelbox.messages import Reply
from hotelbox.scheduler import DeadlineExceeded, Priority
from hotelbox.speech.audio import AudioError
from hotelbox.speech.script import spoken_script
from hotelbox.speech.stt import Transcript
from hotelbox.speech.voice import VoiceService
from hotelbox.store import Store, media, voice_jobs

log = logging.getLogger(__name__)
POLL_S = 5.0  # a failed voice reply is tried again after this long
MAX_ATTEMPTS = 3


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
        self,
        settings: Settings,
        store: Store,
        voice: VoiceService,
        voice_channels: set[str],
        *,
        on_committed: Callable[[str], None] | None = None,
        on_synthesized: Callable[[float], None] | None = None,
    ) -> None:
        """``on_committed``: a voice reply was queued on a channel (wakes its sender);
        ``on_synthesized``: speaking a reply took this long (the pipeline's "synthesize" stage)."""
        self.settings = settings
        self.store = store
        self.voice = voice
        self.voice_channels = voice_channels  # channels that can deliver our voice notes
        self.out_dir = settings.media_dir / "out"
        self.on_committed = on_committed or (lambda channel: None)
        self.on_synthesized = on_synthesized or (lambda seconds: None)
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

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

    # -- voice replies: follow-up jobs, after the text went out -------------------------------------
    def wants_voice(self, reply: Reply) -> bool:
        return reply.voice and not reply.audio and self.voice.can_speak(reply.lang)

    async def start(self) -> None:
        await self.voice.start()  # speech workers, when speech runs out of process
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="voice-replies")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.voice.stop()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                for job in await self.store.read(voice_jobs.pending):
                    await self.make(job)
            except asyncio.CancelledError:
                raise
            except Exception:  # the store struggling: the jobs stay pending, tried again soon
                log.exception("voice replies failed code=voice_reply_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_S)

    async def make(self, job: voice_jobs.VoiceJob) -> str:
        """Speak one job's reply and queue the voice note; returns what happened."""
        reply = job.reply
        if self.voice.busy():  # other guests' notes hold the lane: they come before a bonus
            log.warning("voice reply skipped, speech lane busy lang=%s code=voice_reply_skipped", reply.lang)
            await self.store.write(lambda c: voice_jobs.finish(c, job, "skipped", "speech_busy"))
            return "skipped"
        age = (datetime.now(UTC) - datetime.fromisoformat(job.created_at)).total_seconds()
        if age > self.settings.speech.voice_reply_max_age_s:  # after a long outage: too late to be heard
            log.warning("voice reply skipped, too late job=%d age_s=%.0f code=voice_reply_late", job.id, age)
            await self.store.write(lambda c: voice_jobs.finish(c, job, "skipped", "too_late"))
            return "skipped"
        # one note for the turn: the gist and the question, the details stay in the text
        script = spoken_script(reply.text, reply.lang, self.settings.speech.voice_max_seconds)
        try:
            ogg, speech = await self.voice.speak(script.text, reply.lang, priority=Priority.BACKGROUND)
        except Exception as exc:  # the text went: the voice note is a bonus, never a blocker
            log.error(
                "voice reply failed job=%d lang=%s error=%s code=voice_reply_failed", job.id, reply.lang, exc
            )
            error = f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"
            await self.store.write(lambda c: voice_jobs.record_failure(c, job, error, MAX_ATTEMPTS))
            return "failed"
        self.on_synthesized(speech.seconds)
        path = self.out_dir / f"voice-{job.id}.ogg"
        await asyncio.to_thread(_write, path, ogg)
        voice = replace(reply, text=script.text, options=(), key=f"{reply.key}:voice", audio=str(path))
        outcome: str = await self.store.write(
            lambda c: voice_jobs.deliver(c, job, voice), label="voice.deliver"
        )
        if outcome == "sent":
            self.on_committed(job.channel)
            log.info(
                "voice reply queued job=%d lang=%s audio_s=%.1f estimated_s=%.1f left_out=%d tts_s=%.2f",
                job.id,
                reply.lang,
                speech.duration_s,
                script.seconds,
                script.left_out,
                speech.seconds,
            )
        else:
            await asyncio.to_thread(path.unlink, missing_ok=True)
            log.info("voice reply dropped job=%d outcome=%s", job.id, outcome)
        return outcome


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
