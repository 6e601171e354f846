"""A change of party and room (issue 12) killed with -9 right after QloApps made it: the
restarted box settles it by reading the order and never sends the change twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from hotelbox.config import QloAppsSettings
from hotelbox.pms import BookingRequest
from hotelbox.pms.qloapps import QloAppsPms
from tests.fakes.qloapps import FakeQloApps
from tests.fakes.qloapps.seed import demo_like_seed
from tests.support import REPO, hotel_today, qloapps_overrides, wait_for


def start_box(state: Path, script: Path, overrides: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.crash_driver",
            str(state),
            str(script),
            json.dumps(overrides),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def test_kill_9_after_qloapps_changed_the_booking_changes_it_exactly_once(
    tmp_path: Path, nlu_cache: Path
) -> None:
    async with FakeQloApps(seed=demo_like_seed()) as fake:
        address = "+34611000009"
        client = QloAppsPms(QloAppsSettings(url=fake.url), fake.key)
        await client.open()
        try:
            types = {rt.names["en"]: rt.code for rt in await client.room_types()}
            check_in = hotel_today() + timedelta(days=30)
            booking = await client.create_booking(
                BookingRequest(
                    "seed-1",
                    types["Double room"],
                    check_in,
                    check_in + timedelta(days=2),
                    2,
                    0,
                    "Ana Garcia",
                    "ana.garcia@example.com",
                    address,
                )
            )
        finally:
            await client.close()
        script = [
            (address, 0, f"hola, tengo la reserva {booking.reference}: al final seremos 3 adultos"),
            (address, 1, "sí, cámbiala"),
        ]
        script_path = tmp_path / "script.json"
        script_path.write_text(json.dumps(script))
        overrides = qloapps_overrides(fake)
        state = tmp_path / "state"
        proc = start_box(state, script_path, overrides)
        fake.lose_answer("PUT", "bookings", 500, then=lambda: os.kill(proc.pid, signal.SIGKILL))
        await wait_for(lambda: proc.poll() is not None, within_s=180)
        assert proc.returncode == -signal.SIGKILL
        assert fake.count("PUT", "/api/bookings") == 1  # QloApps changed it; the box never heard
        fake.switches.lost_answers.clear()

        again = start_box(state, script_path, overrides)
        await wait_for(lambda: again.poll() is not None, within_s=180)
        assert again.stdout is not None
        assert again.stdout.read().rstrip().endswith("DONE")
        assert fake.count("PUT", "/api/bookings") == 1  # never sent again
        [order] = fake.hotel.orders.values()
        [line] = [ln for ln in fake.hotel.order_lines(order.id) if ln.live]
        assert (str(line.id_product), line.adults) == (types["Family room"], 3)
        conn = sqlite3.connect(state / "hotelbox.db")
        row = conn.execute("SELECT room_type, adults, status FROM bookings").fetchone()
        assert row == (types["Family room"], 3, "confirmed")
        done = conn.execute(
            "SELECT count(*) FROM messages WHERE direction = 'out'"
            " AND json_extract(payload, '$.reply.key') = 'modify_stay_done'"
        ).fetchone()[0]
        assert done == 1
