"""A booking token belongs to one box, forever (issue 15): a second box on the same QloApps, or the
same box restored to an older backup, never adopts an order it did not make; a token match that is
not what the guest asked for is a conflict for staff; a real kill -9 in the middle of a booking
still finds its own order, exactly once."""

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

import pytest

from hotelbox.config import QloAppsSettings, Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.errors import BookingConflict
from hotelbox.ops.backup import backup, restore
from hotelbox.pms import BookingRequest
from hotelbox.pms.qloapps import QloAppsPms
from hotelbox.store import desk
from tests.fakes.qloapps import FakeQloApps
from tests.fakes.qloapps.seed import demo_like_seed
from tests.helpers import say_date
from tests.support import REPO, Guest, RecordingChannel, hotel_today, qloapps_overrides, run_cli, wait_for

DOUBLE, SUITE = "2", "4"  # the demo-like hotel's room type ids
LIVE = (1, 2, 3)  # QloApps order states of a live booking


@pytest.fixture
def pms_kind() -> str:
    return "qloapps"


def ask(name: str, room: str, days_ahead: int, nights: int = 2) -> str:
    ci = hotel_today() + timedelta(days=days_ahead)
    co = ci + timedelta(days=nights)
    email = name.lower().replace(" ", ".").replace("í", "i").replace("á", "a") + "@example.com"
    return (
        f"Hola, quiero reservar la {room} del {say_date(ci, 'es')} al {say_date(co, 'es')}, "
        f"somos 2 adultos, me llamo {name}, {email}"
    )


async def books(guest: Guest, name: str, room: str, days_ahead: int) -> list[str]:
    """The guest asks, says yes; returns the keys of the replies to the yes."""
    asked = [r.key for r in await guest.says(ask(name, room, days_ahead))]
    assert asked[-1] == "confirm_booking", asked
    return [r.key for r in await guest.says("sí")]


def live_orders(fake: FakeQloApps) -> list[Any]:
    return [o for o in fake.hotel.orders.values() if o.current_state in LIVE]


async def our_bookings(box: Box) -> list[dict[str, Any]]:
    return [dict(r) for r in await box.store.fetchall("SELECT * FROM bookings ORDER BY id")]


async def box_id(box: Box) -> str:
    row = await box.store.fetchone("SELECT box_id FROM box_identity")
    assert row is not None
    return str(row["box_id"])


async def staff_client(fake: FakeQloApps) -> QloAppsPms:
    client = QloAppsPms(QloAppsSettings(url=fake.url), fake.key)
    await client.open()
    return client


async def test_a_second_box_on_the_same_qloapps_books_its_own_order(
    settings: Settings, qloapps_fake: FakeQloApps, tmp_path: Path
) -> None:
    """Seen: a new install's guest told "confirmed" with the earlier install's guest's order."""
    fake = qloapps_fake
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as first:
        ana = Guest(first, channel, "+34611000001", "+34611000001")
        assert await books(ana, "Ana Garcia", "suite", 30) == ["booking_confirmed"]
        first_id = await box_id(first)
        [ana_booking] = await our_bookings(first)
    # a reinstall (or a test box) on the same QloApps: inbox ids count from 1 again
    other = load_settings(state_dir=tmp_path / "reinstalled", **qloapps_overrides(fake))
    channel2 = RecordingChannel()
    async with Box(other, {"test": channel2}) as second:
        second_id = await box_id(second)
        assert second_id != first_id
        luis = Guest(second, channel2, "+34611000002", "+34611000002")
        assert await books(luis, "Luis Perez", "habitación doble", 60) == ["booking_confirmed"]
        [luis_booking] = await our_bookings(second)
        tokens = [r["pms_token"] for r in await second.store.fetchall("SELECT pms_token FROM pms_outbox")]
    assert luis_booking["pms_reference"] != ana_booking["pms_reference"]
    assert luis_booking["room_type"] == DOUBLE
    orders = {o.reference: o for o in live_orders(fake)}
    assert set(orders) == {ana_booking["pms_reference"], luis_booking["pms_reference"]}
    assert orders[luis_booking["pms_reference"]].source == f"hotelbox-{tokens[0]}"
    assert tokens[0].startswith(f"{second_id}-")
    assert orders[ana_booking["pms_reference"]].source.startswith(f"hotelbox-{first_id}-")


@pytest.mark.parametrize("earlier_cancelled", [False, True], ids=["earlier-live", "earlier-cancelled"])
async def test_a_box_restored_to_an_older_backup_never_reuses_a_token(
    settings: Settings, qloapps_fake: FakeQloApps, tmp_path: Path, earlier_cancelled: bool
) -> None:
    """Seen: after a restore, a guest told "confirmed" with the order made after the backup, or
    (that order cancelled) told the last room had gone while QloApps had five free."""
    fake = qloapps_fake
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        identity = await box_id(box)
        hello = Guest(box, channel, "+34611000009", "+34611000009")
        await hello.says("hola")
    older = backup(settings.state_dir, [settings.db_path], tmp_path / "backups")
    async with Box(settings, {"test": channel}) as box:
        ana = Guest(box, channel, "+34611000001", "+34611000001")
        assert await books(ana, "Ana Garcia", "suite", 30) == ["booking_confirmed"]
        [ana_booking] = await our_bookings(box)
    if earlier_cancelled:
        staff = await staff_client(fake)
        await staff.cancel_booking(ana_booking["pms_reference"], "staff-cancel")
        await staff.close()
    restore(older.directory / settings.db_path.name, settings.db_path)

    channel2 = RecordingChannel()
    async with Box(settings, {"test": channel2}) as box:
        assert await box_id(box) == identity  # the backup carried who the box is
        luis = Guest(box, channel2, "+34611000002", "+34611000002")
        assert await books(luis, "Luis Perez", "habitación doble", 60) == ["booking_confirmed"]
        [luis_booking] = await our_bookings(box)
    assert luis_booking["status"] == "confirmed"
    assert luis_booking["pms_reference"] != ana_booking["pms_reference"]
    luis_order = next(o for o in fake.hotel.orders.values() if o.reference == luis_booking["pms_reference"])
    assert luis_order.current_state in LIVE
    assert [ln.id_product for ln in fake.hotel.order_lines(luis_order.id)] == [int(DOUBLE)]
    ana_order = next(o for o in fake.hotel.orders.values() if o.reference == ana_booking["pms_reference"])
    assert (ana_order.current_state in LIVE) is not earlier_cancelled  # left as it was
    assert len(fake.hotel.orders) == 2


async def test_a_token_match_that_is_not_what_was_asked_is_a_conflict_for_staff(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    fake = qloapps_fake
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        luis = Guest(box, channel, "+34611000002", "+34611000002")
        assert [r.key for r in await luis.says(ask("Luis Perez", "habitación doble", 60))][
            -1
        ] == "confirm_booking"
        await fake.go_down()
        assert [r.key for r in await luis.says("sí")] == ["booking_pending"]
        row = await box.store.fetchone("SELECT pms_token FROM pms_outbox")
        assert row is not None
        # meanwhile an order carrying that very token, for someone else, appears in QloApps
        await fake.come_back()
        staff = await staff_client(fake)
        ci = hotel_today() + timedelta(days=20)
        other = await staff.create_booking(
            BookingRequest(row["pms_token"], SUITE, ci, ci + timedelta(days=2), 2, 0, "Marta Ruiz",
                           "marta@example.com", "+34 600 000 333")
        )  # fmt: skip
        await staff.close()
        posts = fake.count("POST", "/api/bookings")
        before = await box.store.read(lambda c: desk.bookings_list(c, problems_only=True))
        assert [b["status"] for b in before] == ["pending"]

        async def settled() -> bool:
            return (await our_bookings(box))[0]["status"] != "pending"

        await wait_for(settled, within_s=30)
        await box.settle((await luis.conversation())["id"])
        told = [r.key for r in channel.replies(luis.address)]
        assert told[-1] == "booking_failed"  # never "confirmed" with Marta's order
        assert "booking_confirmed" not in told
        assert fake.count("POST", "/api/bookings") == posts  # nothing booked behind staff's back
        [booking] = await our_bookings(box)
        assert (booking["status"], booking["pms_reference"]) == ("needs_human", None)
        assert (await luis.conversation())["attention"] == "booking_conflict"
        [card] = await box.store.read(lambda c: desk.bookings_list(c, problems_only=True))
        assert card["needs_action"]
        assert card["last_error"].startswith("booking_conflict")
        assert other.reference in card["last_error"]
    assert [o.reference for o in live_orders(fake)] == [other.reference]  # Marta's order untouched


async def test_the_client_adopts_a_token_only_when_the_order_is_what_was_asked(
    qloapps_fake: FakeQloApps,
) -> None:
    fake = qloapps_fake
    pms = await staff_client(fake)
    try:
        ci = hotel_today() + timedelta(days=40)
        asked = BookingRequest("tok-1", DOUBLE, ci, ci + timedelta(days=2), 2, 0, "Ana Garcia",
                               "ana@example.com", "+34600111222")  # fmt: skip
        first = await pms.create_booking(asked)
        assert (await pms.create_booking(asked)).reference == first.reference  # our own retry
        variants = {
            "room type": {"room_type": SUITE},
            "check-in": {"check_in": ci + timedelta(days=1)},
            "adults": {"adults": 1},
            "children": {"children": 1},
            "guest e-mail": {"email": "luis@example.com"},
            "guest name": {"guest_name": "Luis Perez"},
        }
        for field, change in variants.items():
            data = {**asked.__dict__, **change}
            with pytest.raises(BookingConflict) as err:
                await pms.create_booking(BookingRequest(**data))
            assert field in str(err.value)
            assert first.reference in str(err.value)
        await pms.cancel_booking(first.reference, "c")
        with pytest.raises(BookingConflict, match="cancelled"):
            await pms.create_booking(asked)  # not "the room just went"
        assert fake.count("POST", "/api/bookings") == 1
    finally:
        await pms.close()


def test_doctor_prints_the_box_identity_and_a_restore_keeps_it(tmp_path: Path, nlu_cache: Path) -> None:
    first = run_cli("doctor", "--json", cwd=tmp_path)  # no database yet
    checks = {c["name"]: c for c in json.loads(first.stdout)}
    assert "box identity" not in checks or "next start" in checks["box identity"]["detail"]
    from hotelbox.store.migrations import apply_migrations

    db = tmp_path / "var" / "hotelbox.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    apply_migrations(db)
    identity = sqlite3.connect(db).execute("SELECT box_id FROM box_identity").fetchone()[0]
    assert len(identity) == 16
    done = run_cli("doctor", "--json", cwd=tmp_path)
    checks = {c["name"]: c for c in json.loads(done.stdout)}
    assert identity in checks["box identity"]["detail"]
    taken = backup(db.parent, [db], tmp_path / "backups")
    replaced = tmp_path / "replacement"
    (replaced / "var").mkdir(parents=True)
    restore(taken.directory / "hotelbox.db", replaced / "var" / "hotelbox.db")
    again = run_cli("doctor", "--json", cwd=replaced)
    checks = {c["name"]: c for c in json.loads(again.stdout)}
    assert identity in checks["box identity"]["detail"]
    apply_migrations(replaced / "var" / "hotelbox.db")  # migrations never make a second identity
    assert sqlite3.connect(replaced / "var" / "hotelbox.db").execute(
        "SELECT count(*), max(box_id) FROM box_identity"
    ).fetchone() == (1, identity)


# -- kill -9 in the middle of a booking ------------------------------------------------------------


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


@pytest.mark.parametrize("answer", [500, 0], ids=["500-after-create", "answer-lost"])
async def test_kill_9_after_qloapps_created_the_order_finds_it_exactly_once(
    tmp_path: Path, nlu_cache: Path, answer: int
) -> None:
    """The real retry path: QloApps creates the order, its answer (a 500, or none) never reaches
    the box because the box is killed with -9 right then; the restarted box finds the order by its
    own token and confirms it — one order, one confirmation."""
    async with FakeQloApps(seed=demo_like_seed()) as fake:
        address = "+34611000007"
        script = [
            (address, 0, ask("Ana Garcia", "suite", 30)),
            (address, 1, "sí"),
        ]
        script_path = tmp_path / "script.json"
        script_path.write_text(json.dumps(script))
        overrides = qloapps_overrides(fake)
        state = tmp_path / "state"
        proc = start_box(state, script_path, overrides)
        fake.lose_answer("POST", "bookings", answer, then=lambda: os.kill(proc.pid, signal.SIGKILL))
        await wait_for(lambda: proc.poll() is not None, within_s=120)
        assert proc.returncode == -signal.SIGKILL
        assert len(fake.hotel.orders) == 1  # QloApps made it; the box never heard
        fake.switches.lost_answers.clear()
        posts = fake.count("POST", "/api/bookings")

        again = start_box(state, script_path, overrides)
        await wait_for(lambda: again.poll() is not None, within_s=180)
        assert again.stdout is not None
        assert again.stdout.read().rstrip().endswith("DONE")
        assert fake.count("POST", "/api/bookings") == posts  # never posted again
        assert len(fake.hotel.orders) == 1
        [order] = fake.hotel.orders.values()
        assert order.current_state in LIVE
        conn = sqlite3.connect(state / "hotelbox.db")
        rows = conn.execute("SELECT status, pms_reference FROM bookings").fetchall()
        assert rows == [("confirmed", order.reference)]
        token = conn.execute("SELECT pms_token FROM pms_outbox").fetchone()[0]
        assert order.source == f"hotelbox-{token}"
        confirmations = conn.execute(
            "SELECT count(*) FROM messages WHERE direction = 'out'"
            " AND json_extract(payload, '$.reply.key') = 'booking_confirmed'"
        ).fetchone()[0]
        assert confirmations == 1
