"""``hotelbox transcribe``, ``say``, ``models`` and a voice note through ``hotelbox chat``, as processes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import DATA, run_cli

SPEECH = DATA / "speech"


def test_transcribe_contract_in_three_languages(tmp_path: Path, nlu_cache: Path) -> None:
    for name, lang, word in [
        ("fleurs-es-000.ogg", "es", "viajeros"),
        ("fleurs-pt-000.ogg", "pt", None),
        ("fleurs-en-001.ogg", "en", None),
    ]:
        given = run_cli("transcribe", str(SPEECH / "fleurs" / name), "--lang", lang, cwd=tmp_path)
        assert given.returncode == 0, given.stderr
        out = json.loads(given.stdout)
        assert set(out) >= {"text", "lang", "lang_prob", "duration_s", "seconds"}
        assert out["lang"] == lang
        assert out["lang_prob"] is None
        assert out["duration_s"] > 3
        assert out["text"]
        if word:
            assert word in out["text"]
    detected = json.loads(run_cli("transcribe", str(SPEECH / "jfk.flac"), cwd=tmp_path).stdout)
    assert detected["lang"] == "en"
    assert detected["lang_prob"] > 0.5
    assert "country" in detected["text"]
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"OggS" + bytes(100))
    failed = run_cli("transcribe", str(broken), cwd=tmp_path)
    assert failed.returncode != 0
    assert failed.stderr.strip().startswith("hotelbox: audio_corrupt")
    assert len(failed.stderr.strip().splitlines()) == 1


def test_say_writes_a_whatsapp_voice_note_and_refuses_languages_without_a_voice(
    tmp_path: Path, nlu_cache: Path
) -> None:
    done = run_cli(
        "say", "--lang", "en", "Your booking HB-1234 is confirmed.", "-o", "reply.ogg", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["bytes"] == (tmp_path / "reply.ogg").stat().st_size
    assert info["duration_s"] > 1
    assert "H B, twelve, thirty-four" in info["spoken"]  # a reference read in pairs, as a receptionist would
    heard = json.loads(run_cli("transcribe", "reply.ogg", "--lang", "en", cwd=tmp_path).stdout)
    assert "confirmed" in heard["text"].lower()
    # Portuguese speaks with the box's own default voice (Kokoro), not only piper's
    pt = run_cli("say", "--lang", "pt", "A sua reserva está confirmada.", "-o", "pt.ogg", cwd=tmp_path)
    assert pt.returncode == 0, pt.stderr
    heard = json.loads(run_cli("transcribe", "pt.ogg", "--lang", "pt", cwd=tmp_path).stdout)
    assert "confirmad" in heard["text"].lower()
    (tmp_path / "hotelbox.toml").write_text('[speech]\nvoices = {en = "en_US-joe-medium"}\n')
    missing = run_cli("say", "--lang", "pt", "Olá", "-o", "x.ogg", cwd=tmp_path)
    assert missing.returncode != 0
    assert "voice_missing" in missing.stderr


def test_models_list_and_verify(tmp_path: Path, nlu_cache: Path) -> None:
    listed = json.loads(run_cli("models", "list", "--json", cwd=tmp_path).stdout)
    by_name = {m["name"]: m for m in listed}
    assert by_name["whisper-base"]["present"]
    assert by_name["whisper-base"]["set"] == "default"
    assert by_name["whisper-small"]["set"] == "production"
    assert not by_name["whisper-small"]["present"]
    verified = run_cli("models", "verify", cwd=tmp_path)
    assert verified.returncode == 0
    assert "whisper-base" in verified.stdout
    assert "ok" in verified.stdout
    assert run_cli("models", "verify", "whisper-small", cwd=tmp_path).returncode == 1


def test_a_voice_note_through_hotelbox_chat(tmp_path: Path, nlu_cache: Path) -> None:
    made = run_cli(
        "say", "--lang", "en", "Hello, is there parking at the hotel?", "-o", "question.ogg", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    chat = run_cli("chat", "--as", "+447911123456", "--json", cwd=tmp_path, input="/voice question.ogg\n")
    assert chat.returncode == 0, chat.stderr
    replies = [json.loads(line) for line in chat.stdout.splitlines()]
    assert "car park" in replies[0]["text"].lower()
    assert replies[1]["audio"].endswith(".ogg")
    assert Path(replies[1]["audio"]).stat().st_size > 1000
