"""One owner per state directory (issue 14): ``hotelbox run`` and ``hotelbox chat`` as real
processes on one state directory — one pipeline, one booking worker, each guest's replies
only on that guest's terminal, each booking sent once."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from tests.fakes.qloapps import FULL_KEY
from tests.fakes.qloapps.seed import qloapps_room_text
from tests.support import HOTELBOX, free_port, hotel_today, run_cli, running_fake_qloapps


def en_date(d: date) -> str:
    return d.strftime("%B ") + str(d.day)


def booking_lines(ci: date, name: str, email: str) -> list[str]:
    co = ci + timedelta(days=2)
    return [
        f"I'd like to book a double room from {en_date(ci)} to {en_date(co)} for 2 adults",
        name,
        email,
        "yes",
    ]


def start_box(cwd: Path) -> subprocess.Popen[bytes]:
    port = free_port()
    process = subprocess.Popen(
        [str(HOTELBOX), "run"],
        cwd=cwd,
        env={**os.environ, "HOTELBOX_WEB__PORT": str(port)},
        umask=0o022,  # a shell's usual umask: the box must still keep its files private
        stdout=subprocess.DEVNULL,
        stderr=open(cwd / "daemon.log", "ab"),  # noqa: SIM115 - the process owns it
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if json.load(answer)["status"] != "starting":
                    return process
        except OSError:
            pass
        if process.poll() is not None:
            raise AssertionError((cwd / "daemon.log").read_text())
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the box did not start")


def chat_with(cwd: Path, phone: str, lines: list[str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [str(HOTELBOX), "chat", "--as", phone, "--json"],
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdin is not None
    process.stdin.write("\n".join(lines) + "\n")
    process.stdin.close()
    process.stdin = None  # all said: communicate() only reads
    return process


def replies_of(process: subprocess.Popen[str]) -> list[dict]:  # type: ignore[type-arg]
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def qloapps_orders(url: str) -> list[dict[str, str]]:
    query = urllib.parse.urlencode({"display": "[id,reference,current_state]", "output_format": "JSON"})
    request = urllib.request.Request(f"{url}/api/orders?{query}")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{FULL_KEY}:".encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        data = json.load(answer)
    return list(data["orders"]) if isinstance(data, dict) and data.get("orders") else []


def qloapps_toml(url: str, key_file: Path) -> str:
    lines = ["[pms]", 'kind = "qloapps"', "", "[pms.qloapps]", f'url = "{url}"', f'key_file = "{key_file}"']
    for rid, text in qloapps_room_text().items():
        lines += ["", f"[pms.qloapps.room_types.{rid}]"]
        lines.append(
            "names = { " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in text["names"].items()) + " }"
        )
        lines.append(f"aliases = {json.dumps(text['aliases'])}")
    return "\n".join(lines) + "\n"


def test_one_hotelbox_chat_sends_each_booking_to_qloapps_once(tmp_path: Path, nlu_cache: Path) -> None:
    """Inside one ``hotelbox chat`` the booking was sent twice (attempt counter 2): the chat's
    settle() drained the booking outbox while the background worker drained it too."""
    with running_fake_qloapps("demo-like", "--latency-ms", "150") as url:
        (tmp_path / "qloapps.key").write_text(FULL_KEY + "\n")
        (tmp_path / "hotelbox.toml").write_text(qloapps_toml(url, tmp_path / "qloapps.key"))
        ci = hotel_today() + timedelta(days=40)
        replies = replies_of(
            chat_with(tmp_path, "+34600111222", booking_lines(ci, "Ana Ruiz", "ana@example.es"))
        )
        assert replies[-1]["key"] == "booking_confirmed", [r["key"] for r in replies]
        db = sqlite3.connect(tmp_path / "var" / "hotelbox.db")
        assert db.execute("SELECT operation, status, attempts FROM pms_outbox").fetchall() == [
            ("create", "done", 1)
        ]
        assert len(qloapps_orders(url)) == 1


def test_chat_and_bookings_beside_a_running_box_go_through_it(tmp_path: Path, nlu_cache: Path) -> None:
    box = start_box(tmp_path)
    try:
        assert (tmp_path / "var" / "control.sock").exists()
        assert oct((tmp_path / "var" / "control.sock").stat().st_mode & 0o777) == "0o600"
        ci = hotel_today() + timedelta(days=30)
        guests = {
            "+34600222333": booking_lines(ci, "Marta Gil", "marta@example.es"),
            "+34600444555": booking_lines(ci + timedelta(days=3), "Tom Hardy", "tom@example.com"),
        }
        chats = {phone: chat_with(tmp_path, phone, lines) for phone, lines in guests.items()}
        seen = {phone: replies_of(process) for phone, process in chats.items()}
        for phone, replies in seen.items():
            assert replies[-1]["key"] == "booking_confirmed", [r["key"] for r in replies]
            name = guests[phone][1]
            other = next(lines[1] for p, lines in guests.items() if p != phone)
            text = json.dumps(replies)
            assert name in text
            assert other not in text  # only this guest's replies, never the other's
            assert len({r["conversation_id"] for r in replies}) == 1
        assert box.poll() is None

        listed = run_cli("bookings", "--json", cwd=tmp_path)  # asked of the box, not of its files
        assert listed.returncode == 0, listed.stderr
        assert sorted(b["guest_name"] for b in json.loads(listed.stdout)) == ["Marta Gil", "Tom Hardy"]
        db = sqlite3.connect(tmp_path / "var" / "hotelbox.db")
        assert db.execute("SELECT attempts, count(*) FROM pms_outbox GROUP BY attempts").fetchall() == [
            (1, 2)
        ]
        demo = sqlite3.connect(tmp_path / "var" / "demo_pms.db")
        assert demo.execute("SELECT count(*) FROM bookings").fetchone() == (2,)

        second = run_cli("run", cwd=tmp_path, timeout=60)  # a second owner is refused, by the lock
        assert second.returncode != 0
        assert "state_in_use" in second.stderr
        assert "pid" in second.stderr
    finally:
        box.terminate()
        box.wait(30)
    assert not (tmp_path / "var" / "control.sock").exists()


def test_the_lock_dies_with_its_owner(tmp_path: Path, nlu_cache: Path) -> None:
    """kill -9 of the owner frees the state: the next chat owns it (no stale lock file to clear)."""
    box = start_box(tmp_path)
    box.kill()
    box.wait(10)
    replies = replies_of(chat_with(tmp_path, "+34600666777", ["hola"]))
    assert [r["key"] for r in replies] == ["greet"]


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_restore_refuses_beside_a_running_box_and_puts_back_the_whole_set(
    tmp_path: Path, nlu_cache: Path
) -> None:
    """The box runs with its port in the environment; restore, without it, must still see it
    (by the lock). A set comes back whole (hotelbox.db with demo_pms.db) or not at all. Files
    are private whoever starts the box (issues 18.1, 18.2, 13.9)."""
    state = tmp_path / "var"
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    box = start_box(tmp_path)
    try:
        assert mode(state) == 0o700
        for name in ("hotelbox.db", "demo_pms.db", "hotelbox.db-wal", "hotelbox.lock"):
            assert mode(state / name) == 0o600, name
        replies_of(chat_with(tmp_path, "+34600888999", ["hola"]))
        taken = run_cli("backup", "--json", cwd=tmp_path)
        assert taken.returncode == 0, taken.stderr
        backup_set = Path(json.loads(taken.stdout)["directory"])
        assert mode(backup_set.parent) == 0o700
        assert mode(backup_set) == 0o700
        assert sorted(p.name for p in backup_set.iterdir()) == ["demo_pms.db", "hotelbox.db", "manifest.json"]
        assert {mode(p) for p in backup_set.iterdir()} == {0o600}

        refused = run_cli("restore", str(backup_set), cwd=tmp_path)
        assert refused.returncode != 0
        assert "state_in_use" in refused.stderr
        assert not list(state.glob("*.before-restore"))
    finally:
        box.terminate()
        box.wait(30)

    after = replies_of(chat_with(tmp_path, "+34600888999", ["I'd like to book a double room next week"]))
    assert after
    conversations = (
        sqlite3.connect(state / "hotelbox.db").execute("SELECT count(*) FROM messages").fetchone()[0]
    )

    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    for name in ("hotelbox.db", "manifest.json"):
        (incomplete / name).write_bytes((backup_set / name).read_bytes())
    refused = run_cli("restore", str(incomplete / "hotelbox.db"), cwd=tmp_path)
    assert refused.returncode != 0
    assert "demo_pms.db missing" in refused.stderr
    assert not list(state.glob("*.before-restore"))

    restored = run_cli("restore", str(backup_set / "hotelbox.db"), cwd=tmp_path)  # any file names its set
    assert restored.returncode == 0, restored.stderr
    assert sorted(p.name for p in state.glob("*.before-restore")) == [
        "demo_pms.db.before-restore",
        "hotelbox.db.before-restore",
    ]
    assert mode(state / "hotelbox.db") == 0o600
    back = sqlite3.connect(state / "hotelbox.db").execute("SELECT count(*) FROM messages").fetchone()[0]
    assert back < conversations  # the messages after the backup are gone with it, as asked


async def test_a_lost_booking_answer_inside_hotelbox_chat_leaves_one_live_order(
    tmp_path: Path, nlu_cache: Path
) -> None:
    """QloApps takes the booking but its answer never comes (timeout forced low): the box looks
    the order up by its token — once, from one booking worker — and QloApps keeps one live order."""
    import asyncio

    from tests.fakes.qloapps.seed import demo_like_seed
    from tests.fakes.qloapps.server import FakeQloApps

    async with FakeQloApps(seed=demo_like_seed()) as fake:
        (tmp_path / "qloapps.key").write_text(FULL_KEY + "\n")
        toml = qloapps_toml(fake.url, tmp_path / "qloapps.key").replace(
            "[pms.qloapps]\n", "[pms.qloapps]\ntimeout_s = 2\n", 1
        )
        (tmp_path / "hotelbox.toml").write_text(toml)
        fake.lose_answer("POST", "bookings", 0)  # carried out, never answered
        lines = booking_lines(hotel_today() + timedelta(days=45), "Rui Costa", "rui@example.pt")
        process = await asyncio.create_subprocess_exec(
            str(HOTELBOX), "chat", "--as", "+351912345678", "--json",
            cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(("\n".join(lines) + "\n").encode()), 240)
        assert process.returncode == 0, err.decode()
        replies = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
        assert replies[-1]["key"] == "booking_confirmed", [r["key"] for r in replies]
        live = [o for o in fake.hotel.orders.values() if o.current_state not in (4, 5, 6, 7, 11, 12)]
        assert len(live) == 1
        assert len(fake.hotel.orders) == 1


async def test_users_and_pms_status_beside_a_running_box_go_through_it(
    tmp_path: Path, nlu_cache: Path
) -> None:
    """`hotelbox users …` and `hotelbox pms status` beside a running box never open its databases:
    they ask the box over its control socket (issue 14). A database opened by anyone else would
    show up as a second holder of the state lock; here the box is the only one."""
    import asyncio

    from tests.fakes.qloapps.seed import demo_like_seed
    from tests.fakes.qloapps.server import FakeQloApps

    async with FakeQloApps(seed=demo_like_seed()) as fake:
        (tmp_path / "qloapps.key").write_text(FULL_KEY + "\n")
        (tmp_path / "hotelbox.toml").write_text(qloapps_toml(fake.url, tmp_path / "qloapps.key"))
        box = await asyncio.to_thread(start_box, tmp_path)  # the fake answers from this loop meanwhile
        try:

            def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
                return run_cli(*args, cwd=tmp_path, input=stdin)

            added = await asyncio.to_thread(
                cli, "users", "add", "ana", "--password-stdin", stdin="a good long pass 1\n"
            )
            assert added.returncode == 0, added.stderr
            assert "through the running box" in added.stderr  # not by opening its database
            again = await asyncio.to_thread(
                cli, "users", "add", "ana", "--password-stdin", stdin="a good long pass 1\n"
            )
            assert again.returncode != 0
            assert "exists already" in again.stderr
            disabled = await asyncio.to_thread(cli, "users", "disable", "ana")
            assert disabled.returncode == 0, disabled.stderr
            listed = await asyncio.to_thread(cli, "users", "list")
            assert listed.returncode == 0, listed.stderr
            assert "ana" in listed.stdout
            assert "disabled" in listed.stdout
            status = await asyncio.to_thread(cli, "pms", "status", "--json")
            assert status.returncode == 0, status.stderr
            assert "through the running box" in status.stderr
            assert json.loads(status.stdout)["room_types"] > 0  # the box's own, loaded mirror
            assert box.poll() is None
        finally:
            box.terminate()
            await asyncio.to_thread(box.wait, 30)
    db = sqlite3.connect(tmp_path / "var" / "hotelbox.db")
    assert db.execute("SELECT disabled FROM staff_users WHERE name = 'ana'").fetchone() == (1,)
