"""``hotelbox transcribe``, ``hotelbox say`` and ``hotelbox models``: speech from the command line,
with the same models, settings and checks as the daemon (registered on the main command group)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from hotelbox.config import Settings
from hotelbox.errors import HotelboxError, ModelError
from hotelbox.speech.models import ModelStore, load_manifest


class SpeechFail(click.ClickException):
    def show(self, file: object = None) -> None:
        click.echo(f"hotelbox: {self.format_message()}", err=True)


def _store(settings: Settings) -> ModelStore:
    try:
        return ModelStore(
            settings.model_dir, settings.model_cache, load_manifest(settings.speech.site_manifest)
        )
    except ModelError as exc:
        raise SpeechFail(f"{exc.code}: {exc}") from exc


def _settings(ctx: click.Context) -> Settings:
    from hotelbox.command_context import settings_of as load

    return load(ctx)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["es", "en", "pt"]), help="The language, if known (else detected).")
@click.option("--model", help="Speech-to-text model (default: speech.stt_model).")
@click.option("--threads", type=int, help="CPU threads (default: the speech lane's budget).")
@click.pass_context
def transcribe(
    ctx: click.Context, file: Path, lang: str | None, model: str | None, threads: int | None
) -> None:
    """Transcribe an audio FILE (OGG/Opus, MP3, M4A, WAV, WebM, FLAC) and print one JSON object."""
    from hotelbox.speech.audio import AudioError, decode
    from hotelbox.speech.voice import make_stt

    settings = _settings(ctx)
    speech = settings.speech
    threads = threads or settings.scheduler.speech.thread_budget
    started = time.perf_counter()
    try:
        stt = make_stt(_store(settings), model or speech.stt_model, threads, speech.beam_size, speech.vad)
        decoded = decode(
            file.read_bytes(), max_bytes=speech.max_audio_bytes, max_seconds=speech.max_audio_seconds
        )
        t = stt.transcribe(decoded.samples, lang)
    except (AudioError, ModelError, HotelboxError) as exc:
        raise SpeechFail(f"{exc.code}: {exc}") from exc
    out = {
        "text": t.text,
        "lang": t.lang,
        "lang_prob": round(t.lang_prob, 4) if t.lang_prob is not None else None,
        "duration_s": round(t.duration_s, 3),
        "seconds": round(t.seconds, 3),
        "total_seconds": round(time.perf_counter() - started, 3),
        "model": t.model,
    }
    click.echo(json.dumps(out, ensure_ascii=False))


@click.command()
@click.argument("text")
@click.option("--lang", type=click.Choice(["es", "en", "pt"]), required=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="reply.ogg"
)
@click.pass_context
def say(ctx: click.Context, text: str, lang: str, output: Path) -> None:
    """Speak TEXT in a WhatsApp-ready voice note (OGG/Opus 48 kHz mono) written to OUTPUT, with the
    voice the box would use for LANG (Kokoro or piper, as speech.voices says)."""
    from hotelbox.speech.engines import TtsSpec, VoiceSet, voice_spec
    from hotelbox.speech.tts import voice_note

    settings = _settings(ctx)
    name = settings.speech.voices.get(lang)
    if not name:
        raise SpeechFail(f"voice_missing: no voice configured for {lang} (speech.voices); replies go as text")
    try:
        spec = voice_spec(_store(settings), lang, name)
        voices = VoiceSet(TtsSpec((spec,), threads=settings.scheduler.speech.thread_budget))
        voices.load()
        if lang in voices.problems:
            raise SpeechFail(f"voice_unusable: {voices.problems[lang]}")
        speech = voices.synthesize(text, lang)
    except ModelError as exc:
        raise SpeechFail(f"{exc.code}: {exc}") from exc
    data = voice_note(speech)
    output.write_bytes(data)
    click.echo(
        json.dumps(
            {
                "output": str(output),
                "bytes": len(data),
                "duration_s": round(speech.duration_s, 3),
                "seconds": round(speech.seconds, 3),
                "spoken": speech.text,
            },
            ensure_ascii=False,
        )
    )


@click.group()
def models() -> None:
    """The speech models: list them, verify their sha256, install them from a model store."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def models_list(ctx: click.Context, as_json: bool) -> None:
    """Every model in the manifest, its set, licence and whether it is present."""
    rows = _store(_settings(ctx)).status()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        state = "present" if r["present"] else "absent"
        click.echo(f"{r['name']:28} {r['kind']:4} {r['engine']:15} {r['language']:6} {r['set']:11} {state}")


@models.command("verify")
@click.argument("names", nargs=-1)
@click.pass_context
def models_verify(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Check the sha256 of the models in use (or NAMES); exit 1 if any is missing or altered."""
    settings = _settings(ctx)
    store = _store(settings)
    wanted = list(names) or [settings.speech.stt_model, *settings.speech.voices.values()]
    bad = 0
    for name in wanted:
        result = store.verify(name)
        bad += result != "ok"
        click.echo(f"{name:28} {result}")
    if bad:
        sys.exit(1)


@models.command("install")
@click.option(
    "--from", "source", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True
)
@click.argument("names", nargs=-1)
@click.pass_context
def models_install(ctx: click.Context, source: Path, names: tuple[str, ...]) -> None:
    """Copy models from a model store (DIR/<name>/<file>) into speech.model_dir, checking sha256."""
    settings = _settings(ctx)
    store = _store(settings)
    try:
        done = store.install(source, list(names) or None)
    except ModelError as exc:
        raise SpeechFail(f"{exc.code}: {exc}") from exc
    for name in done:
        click.echo(f"installed {name} → {settings.model_dir / name}")
    for name in store.last_unchanged:
        click.echo(f"up to date {name}")
    if not done and not store.last_unchanged:
        click.echo("nothing to install from that store")


@models.command("pin")
@click.option(
    "--store", "store_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True
)
@click.pass_context
def models_pin(ctx: click.Context, store_dir: Path) -> None:
    """Write STORE/pins.toml: the sha256 of every model file in a store (once you trusted them)."""
    pins = _store(_settings(ctx)).pin_store(store_dir)
    click.echo(
        f"pinned {sum(len(v) for v in pins.values())} files of {len(pins)} models in {store_dir / 'pins.toml'}"
    )
