"""Operations: unit files systemd accepts, metrics the alert rules and dashboard can rely on, logs
for journald, backups taken under write load, doctor, and the watchdog's pings."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.ops.backup import backup, check, restore
from hotelbox.relay.protocol import new_key
from hotelbox.relay.server import Relay
from tests.support import HOTELBOX, REPO, RecordingChannel, free_port, run_cli

UNITS = REPO / "systemd"
MONITORING = REPO / "monitoring"


@pytest.fixture(scope="module")
def unit_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with the stock units, ours, and the executable our units start (verify checks it)."""
    root = tmp_path_factory.mktemp("systemd-root")
    shutil.copytree("/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in UNITS.iterdir():
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
    exe = root / "opt/hotelbox/current/venv/bin/hotelbox"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return root


@pytest.mark.parametrize(
    "unit", ["hotelbox.service", "hotelbox-relay.service", "hotelbox-backup.service", "hotelbox-backup.timer"]
)
def test_systemd_analyze_verify_is_clean(unit_root: Path, unit: str) -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={unit_root}", unit],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")  # unknown keys only warn: any output fails


@pytest.mark.parametrize("unit", ["hotelbox.service", "hotelbox-relay.service", "hotelbox-backup.service"])
def test_systemd_analyze_security_exposure(unit: str) -> None:
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=25", str(UNITS / unit)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    assert exposure <= 2.5, done.stdout[-2000:]
    assert done.returncode == 0


def test_the_units_do_what_the_issue_asks() -> None:
    box = (UNITS / "hotelbox.service").read_text()
    for line in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "User=hotelbox", "StateDirectory=hotelbox",
                 "LogsDirectory=hotelbox", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                 "PrivateTmp=yes", "RestrictAddressFamilies=", "SystemCallFilter=", "MemoryMax=", "CPUWeight="):  # fmt: skip
        assert line in box, line
    timer = (UNITS / "hotelbox-backup.timer").read_text()
    assert "OnCalendar=" in timer
    assert "Persistent=true" in timer


def metric_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            names.add(name)
            if kind == "counter":
                names.add(name + "_total")
            if kind == "histogram":
                names |= {name + "_bucket", name + "_sum", name + "_count"}
    return names


async def test_every_metric_the_alerts_and_dashboard_name_exists(settings: Settings, tmp_path: Path) -> None:
    async with Box(settings, {"test": RecordingChannel()}) as box:
        box_text = (await box.metrics.exposition()).decode()
    relay_settings = load_settings(
        state_dir=tmp_path / "relay",
        relay={
            "app_secret": "s",
            "verify_token": "v",
            "boxes": {"h": {"phone_number_ids": ["1"], "key": new_key()}},
        },
    )
    async with Relay(relay_settings) as relay:
        relay_text = (await relay.metrics_page(None)).text  # type: ignore[arg-type]
    known = metric_names(box_text) | metric_names(relay_text)
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {m for e in exprs for m in re.findall(r"hotelbox_[a-z_]+", e)}
    assert len(used) >= 20
    assert used <= known, sorted(used - known)
    for stage in ("transcribe", "understand", "dialogue", "synthesize", "pms", "send", "decode"):
        assert f'hotelbox_stage_seconds_count{{stage="{stage}"}}' in box_text


async def test_messages_errors_and_stages_are_counted(settings: Settings) -> None:
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        accepted = await box.pipeline.accept(
            Inbound(channel="test", channel_message_id="m1", sender="+34600500001", text="hola")
        )
        await box.settle(accepted.conversation_id)
        channel.fail_next = 10
        accepted = await box.pipeline.accept(
            Inbound(channel="test", channel_message_id="m2", sender="+34600500001", text="¿hay wifi?")
        )
        await asyncio.sleep(1.5)
        text = (await box.metrics.exposition()).decode()
    assert 'hotelbox_messages_in_total{channel="test",kind="text"} 2.0' in text
    assert 'hotelbox_messages_out_total{channel="test",kind="text"} 1.0' in text
    assert re.search(r'hotelbox_errors_total\{code="send_failed"\} [1-9]', text)
    assert re.search(r'hotelbox_stage_seconds_count\{stage="understand"\} 2\.0', text)
    assert "hotelbox_ready 1.0" in text


async def test_a_backup_under_write_load_restores_every_committed_message(
    settings: Settings, tmp_path: Path
) -> None:
    channel = RecordingChannel()
    committed: list[str] = []
    async with Box(settings, {"test": channel}) as box:
        stop = asyncio.Event()

        async def writer() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                mid = f"load-{n}"
                await box.pipeline.accept(
                    Inbound(
                        channel="test", channel_message_id=mid, sender=f"+3460060{n % 20:04d}", text="hola"
                    )
                )
                committed.append(mid)

        task = asyncio.create_task(writer())
        await asyncio.sleep(0.5)
        before = list(committed)  # committed before the backup starts: must all be in it
        result = await asyncio.to_thread(
            backup, settings.state_dir, settings.databases, tmp_path / "backups", 3
        )
        await asyncio.sleep(0.3)
        stop.set()
        await task
    assert len(before) > 20
    assert len(committed) > len(before)
    copy = result.directory / "hotelbox.db"
    assert check(copy) == "ok"
    conn = sqlite3.connect(copy)
    stored = {r[0] for r in conn.execute("SELECT channel_message_id FROM inbox")}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    assert set(before) <= stored
    # restore it over the (stopped) box's database; the old one is kept aside
    aside = restore(copy, settings.db_path)
    assert aside.exists()
    assert check(settings.db_path) == "ok"
    async with Box(settings, {"test": RecordingChannel()}) as again:
        row = await again.store.fetchone("SELECT count(*) AS n FROM inbox")
        assert row is not None
        assert row["n"] == len(stored)
    for _ in range(4):  # rotation keeps 3 sets
        await asyncio.to_thread(backup, settings.state_dir, settings.databases, tmp_path / "backups", 3)
    assert len(list((tmp_path / "backups").glob("hotelbox-*"))) == 3


async def test_restore_refuses_a_broken_file_and_a_database_in_use(
    settings: Settings, tmp_path: Path
) -> None:
    from hotelbox.ops.backup import BackupError

    broken = tmp_path / "hotelbox.db"
    broken.write_bytes(b"SQLite format 3\x00" + bytes(200))
    with pytest.raises(BackupError) as refused:
        restore(broken, settings.db_path)
    assert refused.value.code == "restore_refused"
    async with Box(settings, {"test": RecordingChannel()}):
        result = await asyncio.to_thread(backup, settings.state_dir, settings.databases, tmp_path / "b", 2)

        def hold() -> None:  # a writer in the middle of a transaction, as a running box may be
            conn = sqlite3.connect(settings.db_path)
            conn.execute("BEGIN IMMEDIATE")
            time.sleep(1.5)
            conn.rollback()
            conn.close()

        holder = asyncio.create_task(asyncio.to_thread(hold))
        await asyncio.sleep(0.2)
        with pytest.raises(BackupError) as busy:
            await asyncio.to_thread(restore, result.directory / "hotelbox.db", settings.db_path)
        assert busy.value.code == "restore_in_use"
        await holder


def test_journald_gets_fields_and_never_a_phone_number(tmp_path: Path) -> None:
    import logging

    from hotelbox.ops.logging import JournalHandler

    path = str(tmp_path / "journal.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    handler = JournalHandler("hotelbox", socket_path=path)
    logger = logging.getLogger("hotelbox.test.journal")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.warning(
            "send failed conversation=%d message=%s code=%s guest=%s",
            12,
            "345",
            "graph_131047",
            "+34600111222",
        )
        datagram = server.recv(65536).decode()
    finally:
        logger.removeHandler(handler)
        server.close()
    fields = dict(line.split("=", 1) for line in datagram.strip().split("\n"))
    assert fields["MESSAGE"] == "send failed"
    assert (fields["PRIORITY"], fields["SYSLOG_IDENTIFIER"]) == ("4", "hotelbox")
    assert (fields["CONVERSATION"], fields["HB_MESSAGE"], fields["CODE"]) == ("12", "345", "graph_131047")
    assert "+34600111222" not in datagram
    assert fields["GUEST"].startswith("phone#")


def test_doctor_exits_non_zero_and_says_what_to_fix(tmp_path: Path, nlu_cache: Path) -> None:
    ok = run_cli("doctor", "--json", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout
    checks = {c["name"]: c for c in json.loads(ok.stdout)}
    assert checks["model whisper-base"]["status"] == "ok"
    assert checks["voice es (kokoro-ef_dora)"]["status"] == "ok"  # the default Kokoro voices (issue 16)
    assert checks["model kokoro-v1.0-int8"]["status"] == "ok"
    assert checks["espeak-ng"]["status"] == "ok"
    (tmp_path / "hotelbox.toml").write_text('[speech]\nstt_model = "whisper-small"\n')
    bad = run_cli("doctor", cwd=tmp_path)
    assert bad.returncode == 1
    assert "[FAIL] model whisper-small" in bad.stdout
    assert "hotelbox models install --from" in bad.stdout


def test_watchdog_pings_come_from_the_event_loop_and_stop_when_it_hangs(
    tmp_path: Path, nlu_cache: Path
) -> None:
    """WATCHDOG=1 every WatchdogSec/3 while the loop runs; a hung loop (failpoint) stops them, so
    systemd's watchdog kills it (the deployment test shows systemd doing so)."""
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    sock.settimeout(1.0)
    env = {**os.environ, "NOTIFY_SOCKET": str(notify_path), "WATCHDOG_USEC": "1500000",
           "HOTELBOX_WEB__PORT": str(free_port()), "HOTELBOX_FAILPOINTS": "watchdog.tick@5:block"}  # fmt: skip
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [str(HOTELBOX), "run"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen: list[tuple[float, str]] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                for state in sock.recv(4096).decode().split("\n"):
                    seen.append((time.monotonic(), state))
            except TimeoutError:
                pass
            pings = [t for t, s in seen if s == "WATCHDOG=1"]
            if len(pings) >= 4 and time.monotonic() - pings[-1] > 4:
                break
        pings = [t for t, s in seen if s == "WATCHDOG=1"]
        assert any(s == "READY=1" for _, s in seen)
        assert len(pings) == 4  # ticks 1-4 pinged; the 5th hung the loop
        assert all(0.2 < b - a < 1.5 for a, b in itertools.pairwise(pings))
        assert proc.poll() is None  # alive but silent: exactly what systemd's watchdog catches
        assert any(s.startswith("STATUS=serving on") for _, s in seen)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        sock.close()
