"""``hotelbox pms check|sync|status`` as an installer runs them, against the fake QloApps process."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.qloapps import FULL_KEY
from tests.fakes.qloapps.server import READONLY_KEY
from tests.support import free_port, run_cli, running_fake_qloapps


def configure(cwd: Path, url: str, key: str) -> None:
    (cwd / "qloapps.key").write_text(key + "\n")
    (cwd / "hotelbox.toml").write_text(
        f'[pms]\nkind = "qloapps"\n\n[pms.qloapps]\nurl = "{url}"\nkey_file = "qloapps.key"\n'
        'room_types = { 1 = { names = { es = "Habitación general" }, aliases = ["general"] } }\n'
    )


def test_check_sync_and_status(tmp_path: Path) -> None:
    with running_fake_qloapps("install") as url:
        configure(tmp_path, url, FULL_KEY)
        checked = run_cli("pms", "check", "--json", cwd=tmp_path)
        assert checked.returncode == 0, checked.stderr
        report = json.loads(checked.stdout)
        assert [(s["name"], s["level"]) for s in report["steps"]] == [
            ("connect", "ok"),
            ("hotel", "ok"),
            ("room names", "warn"),  # types 2-4 have no names in the guests' languages yet
            ("availability", "ok"),
            ("bookings", "ok"),
        ]
        assert report["hotel"]["name"] == "The Hotel Prime"
        assert [(r["id"], r["rooms"], r["max_adults"]) for r in report["room_types"]] == [
            ("1", 5, 2),
            ("2", 5, 2),
            ("3", 5, 2),
            ("4", 5, 2),
        ]
        assert "general" in report["room_types"][0]["words"]

        synced = run_cli("pms", "sync", "--full", "--json", cwd=tmp_path)
        assert synced.returncode == 0, synced.stderr
        jobs = json.loads(synced.stdout)
        assert {job: r["ok"] for job, r in jobs.items()} == dict.fromkeys(
            ("catalogue", "near", "far", "bookings"), True
        )
        assert jobs["near"]["rows"] + jobs["far"]["rows"] == 4 * 365

        status = run_cli("pms", "status", "--json", cwd=tmp_path)
        assert status.returncode == 0, status.stderr
        state = json.loads(status.stdout)
        assert (state["coverage"], state["near_coverage"], state["room_types"]) == (1.0, 1.0, 4)
        assert state["near_age_s"] < 120
        human = run_cli("pms", "status", cwd=tmp_path)
        assert "100 % of the horizon" in human.stdout

    # QloApps gone: status still answers from the box's database, check says what is wrong
    offline = run_cli("pms", "status", cwd=tmp_path)
    assert offline.returncode == 0
    configure(tmp_path, f"http://127.0.0.1:{free_port()}", FULL_KEY)
    unreachable = run_cli("pms", "check", cwd=tmp_path)
    assert unreachable.returncode == 1
    assert "pms_unreachable" in unreachable.stdout
    assert "is pms.qloapps.url right" in unreachable.stdout


def test_check_explains_keys_and_settings(tmp_path: Path) -> None:
    with running_fake_qloapps("install") as url:
        configure(tmp_path, url, "WRONGKEYWRONGKEYWRONGKEYWRONGKEY")
        wrong = run_cli("pms", "check", cwd=tmp_path)
        assert wrong.returncode == 1
        assert "FAIL connect: pms_auth" in wrong.stdout
        assert "WRONGKEY" not in wrong.stdout + wrong.stderr  # the key is never echoed

        configure(tmp_path, url, READONLY_KEY)
        limited = run_cli("pms", "check", cwd=tmp_path)
        assert limited.returncode == 1
        assert "pms_permission" in limited.stdout
        assert "hotel_ari" in limited.stdout

    (tmp_path / "qloapps.key").unlink()
    missing = run_cli("pms", "check", cwd=tmp_path)
    assert missing.returncode == 1
    assert "cannot read secret file" in missing.stderr

    (tmp_path / "hotelbox.toml").unlink()
    demo = run_cli("pms", "check", cwd=tmp_path)
    assert demo.returncode == 1
    assert "pms.kind is 'demo'" in demo.stderr


def test_plain_sync_fills_the_whole_horizon_and_full_records_its_time(tmp_path: Path) -> None:
    """Seen on the real 1.6.1: plain `pms sync` filled 8 % of the year; `full_sync_s` stayed null."""
    with running_fake_qloapps("install") as url:
        configure(tmp_path, url, FULL_KEY)
        plain = run_cli("pms", "sync", "--json", cwd=tmp_path)
        assert plain.returncode == 0, plain.stderr
        jobs = json.loads(plain.stdout)
        assert jobs["near"]["rows"] + jobs["far"]["rows"] == 4 * 365
        state = json.loads(run_cli("pms", "status", "--json", cwd=tmp_path).stdout)
        assert (state["coverage"], state["full_sync_s"]) == (1.0, None)
        again = json.loads(run_cli("pms", "sync", "--json", cwd=tmp_path).stdout)
        assert again["far"]["rows"] == 0  # the far nights are fresh: not fetched twice

        full = run_cli("pms", "sync", "--full", "--json", cwd=tmp_path)
        assert full.returncode == 0, full.stderr
        assert json.loads(full.stdout)["far"]["rows"] > 0  # --full re-reads everything
        state = json.loads(run_cli("pms", "status", "--json", cwd=tmp_path).stdout)
        assert state["coverage"] == 1.0
        assert state["full_sync_s"] is not None
        assert state["full_sync_s"] > 0
        assert set(state["jobs"]) == {"catalogue", "near", "far", "bookings"}
        human = run_cli("pms", "status", cwd=tmp_path).stdout
        assert "last full sync took" in human
