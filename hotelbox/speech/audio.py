"""Audio in and out, with PyAV (it comes with faster-whisper and bundles FFmpeg with libopus, so
no ffmpeg binary is needed).

``decode`` turns whatever a guest sent (OGG/Opus voice notes, MP3, M4A/AAC, WAV, WebM from a
browser) into 16 kHz mono float32 — what speech recognition wants — within caps on bytes and
seconds, and says clearly what is wrong with a file that is empty, corrupt, truncated to nothing
or silent. ``encode_voice_note`` makes what WhatsApp shows as a voice note: OGG container, Opus
codec, 48 kHz mono, ~24 kbit/s (a minute is ~180 KB, under the 512 KB play-icon limit).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from hotelbox.errors import HotelboxError

SAMPLE_RATE = 16_000
VOICE_MIME = "audio/ogg; codecs=opus"


class AudioError(HotelboxError):
    """The guest's audio cannot be used; ``code`` says why (the reply asks to type or resend)."""

    code = "audio_invalid"
    http_status = 422


@dataclass(frozen=True)
class Decoded:
    samples: np.ndarray  # float32, mono, 16 kHz, in [-1, 1]
    container: str
    codec: str

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def rms(self) -> float:
        return float(np.sqrt(np.mean(np.square(self.samples)))) if len(self.samples) else 0.0


def decode(data: bytes, *, max_bytes: int = 16 * 1024 * 1024, max_seconds: float = 300.0) -> Decoded:
    """Any common audio file → 16 kHz mono float32; raises AudioError with a stable code."""
    if not data:
        raise AudioError("the audio file is empty", code="audio_empty")
    if len(data) > max_bytes:
        raise AudioError(f"the audio file is larger than {max_bytes} bytes", code="audio_too_large")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, EOFError) as exc:
        raise AudioError(f"not an audio file we can read: {exc}", code="audio_corrupt") from exc
    chunks: list[np.ndarray] = []
    total = 0
    limit = int(max_seconds * SAMPLE_RATE)
    try:
        with container:
            if not container.streams.audio:
                raise AudioError("the file holds no audio", code="audio_corrupt")
            stream = container.streams.audio[0]
            if stream.codec_context is None:  # a header naming no codec FFmpeg has (e.g. 272-bit WAV)
                raise AudioError("the audio is in a format we cannot decode", code="audio_corrupt")
            codec = stream.codec_context.name
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            try:
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        chunk = out.to_ndarray().reshape(-1)
                        chunks.append(chunk)
                        total += len(chunk)
                    if total > limit:
                        raise AudioError(
                            f"the voice note is longer than {max_seconds:.0f} seconds", code="audio_too_long"
                        )
            except av.error.FFmpegError:
                if total == 0:  # a truncated file that still gave us something is used as far as it goes
                    raise
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
            name = container.format.name
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, EOFError, IndexError) as exc:
        raise AudioError(f"the audio could not be decoded: {exc}", code="audio_corrupt") from exc
    samples = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    if len(samples) < SAMPLE_RATE // 10:
        raise AudioError("the audio holds no sound", code="audio_empty")
    return Decoded(np.clip(samples, -1.0, 1.0), name, codec)


def encode_voice_note(samples: np.ndarray, sample_rate: int, *, bitrate: int = 24_000) -> bytes:
    """Float mono samples (any rate) → OGG/Opus 48 kHz mono, as WhatsApp wants voice notes."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16).reshape(1, -1)
    out = io.BytesIO()
    with av.open(out, mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=48_000)
        stream.bit_rate = bitrate
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = sample_rate
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(resampled):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def silence_ratio(decoded: Decoded, threshold: float = 0.01) -> float:
    """Share of 20 ms frames quieter than ``threshold`` RMS (1.0 = nothing but silence)."""
    frame = SAMPLE_RATE // 50
    usable = len(decoded.samples) // frame * frame
    if usable == 0:
        return 1.0
    frames = decoded.samples[:usable].reshape(-1, frame)
    rms = np.sqrt(np.mean(np.square(frames), axis=1))
    return float(np.mean(rms < threshold))
