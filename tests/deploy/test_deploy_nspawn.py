"""The real playbook against a real Debian booted with systemd as PID 1 (systemd-nspawn), reached
over SSH on a network namespace the test creates — the way an installer meets a fresh mini PC.

Checks: the service is active and says "serving"; /healthz answers from the LAN side; a guest
message gets a reply; a second run changes nothing; killing the daemon gets it restarted by
systemd; a hung event loop is killed by systemd's watchdog and restarted; `hotelbox rollback`
and `hotelbox backup` work on the installed box.

The Debian root filesystem is cached per package list (``HOTELBOX_ROOTFS_CACHE``, default
/var/cache/hotelbox-ci/bookworm-rootfs-<hash>.tar.zst): about 50 s to debootstrap the first time, 1 s after.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGES = "python3,python3-venv,python3-packaging,python3-apt,systemd,systemd-sysv,dbus,openssh-server,iproute2,ca-certificates,curl,libespeak-ng1"
# the cache is per package list: a rootfs cached before a package was added is not reused
_PACKAGES_ID = hashlib.sha256(PACKAGES.encode()).hexdigest()[:8]
CACHE = Path(
    os.environ.get("HOTELBOX_ROOTFS_CACHE", f"/var/cache/hotelbox-ci/bookworm-rootfs-{_PACKAGES_ID}.tar.zst")
)
MIRROR = os.environ.get("HOTELBOX_DEBIAN_MIRROR", "http://deb.debian.org/debian")
HOST_IP, BOX_IP = "10.213.77.1", "10.213.77.2"
ANSIBLE = Path(sys.executable).with_name("ansible-playbook")

pytestmark = pytest.mark.deploy


def sh(*cmd: str, check: bool = True, timeout: float = 600, **kw: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, check=False, **kw)  # type: ignore[call-overload]
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done  # type: ignore[no-any-return]


def rootfs(target: Path) -> None:
    if CACHE.exists():
        target.mkdir(parents=True)
        sh("tar", "--zstd", "-xpf", str(CACHE), "-C", str(target))
        return
    sh(
        "debootstrap",
        "--variant=minbase",
        f"--include={PACKAGES}",
        "bookworm",
        str(target),
        MIRROR,
        timeout=900,
    )
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    tmp = CACHE.with_suffix(".part")
    sh("tar", "--zstd", "-cpf", str(tmp), "-C", str(target), ".", timeout=900)
    tmp.replace(CACHE)


@dataclass
class Machine:
    root: Path
    key: Path
    netns: str
    proc: subprocess.Popen[str]

    def ssh(self, command: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return sh(
            "ssh", "-i", str(self.key), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5", f"root@{BOX_IP}", command,
            check=check, timeout=timeout,
        )  # fmt: skip

    def prop(self, name: str) -> str:
        return self.ssh(f"systemctl show hotelbox -p {name} --value").stdout.strip()


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machine]:
    for tool in ("systemd-nspawn", "debootstrap", "ip", "ssh", "zstd"):
        assert shutil.which(tool), f"{tool} is missing (.ci/run installs it)"
    assert os.geteuid() == 0, "the deployment test boots a container: it runs as root (CI does)"
    work = tmp_path_factory.mktemp("deploy")
    root = work / "rootfs"
    rootfs(root)
    # what a fresh mini PC has: sshd with the installer's key, a hostname, our CAs for nothing (offline)
    key = work / "id_ed25519"
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key))
    (root / "root/.ssh").mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copy(f"{key}.pub", root / "root/.ssh/authorized_keys")
    (root / "etc/hostname").write_text("hotel-box\n")
    (root / "etc/ssh/sshd_config.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/ssh/sshd_config.d/test.conf").write_text("PermitRootLogin prohibit-password\nUseDNS no\n")
    # network namespace with a veth pair: the host is the installer's laptop on the hotel's LAN
    netns = f"hb{uuid.uuid4().hex[:6]}"
    host_if, box_if = f"{netns}h", f"{netns}c"
    sh("ip", "netns", "add", netns)
    sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", box_if)
    sh("ip", "link", "set", box_if, "netns", netns)
    sh("ip", "addr", "add", f"{HOST_IP}/30", "dev", host_if)
    sh("ip", "link", "set", host_if, "up")
    sh("ip", "netns", "exec", netns, "ip", "addr", "add", f"{BOX_IP}/30", "dev", box_if)
    sh("ip", "netns", "exec", netns, "ip", "link", "set", box_if, "up")
    sh("ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up")
    proc = subprocess.Popen(
        ["systemd-nspawn", "-D", str(root), "--register=no", "--keep-unit", "-b", "--console=pipe",
         f"--network-namespace-path=/run/netns/{netns}", f"--machine={netns}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    m = Machine(root, key, netns, proc)
    try:
        deadline = time.monotonic() + 60
        while m.ssh("true", check=False, timeout=10).returncode != 0:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else "nspawn exited"  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "sshd never answered"
            time.sleep(0.5)
        yield m
    finally:
        m.ssh("systemctl poweroff", check=False, timeout=20)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        sh("ip", "link", "del", host_if, check=False)
        sh("ip", "netns", "del", netns, check=False)


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """hotelbox and every dependency as wheels, built on the controller (the box is offline)."""
    target = tmp_path_factory.mktemp("wheelhouse")
    sh(sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(target), str(REPO), timeout=1200)
    return target


def playbook(machine: Machine, wheelhouse: Path, work: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    inventory = work / "inventory.ini"
    inventory.write_text(
        f"[boxes]\nhotel-test ansible_host={BOX_IP} ansible_user=root "
        f"ansible_ssh_private_key_file={machine.key} ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'\n"
        "[relays]\n"
    )
    password = work / "admin-password"
    password.write_text("installer-password-1\n")
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible/ansible.cfg"), "ANSIBLE_FORCE_COLOR": "0"}
    return sh(
        str(ANSIBLE), "-i", str(inventory), str(REPO / "ansible/site.yml"),
        "-e", f"hotelbox_wheelhouse={wheelhouse}", "-e", "hotelbox_build_wheelhouse=false",
        "-e", "hotelbox_try_page=public", "-e", "hotelbox_admin_user=installer",
        "-e", f"hotelbox_admin_password_file={password}", *extra,
        env=env, timeout=1200, cwd=str(REPO / "ansible"),
    )  # fmt: skip


def recap(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith("hotel-test"))
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}


def http(path: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"http://{BOX_IP}:8080{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status, json.loads(r.read())


def wait_until(predicate, within_s: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within_s
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


@pytest.mark.timeout(2400)
def test_the_playbook_installs_a_box_that_runs_like_an_appliance(
    machine: Machine, wheelhouse: Path, tmp_path: Path
) -> None:
    first = playbook(machine, wheelhouse, tmp_path)
    assert recap(first.stdout)["failed"] == 0, first.stdout[-4000:]

    # the service is up, says so, and serves the LAN
    assert machine.prop("ActiveState") == "active"
    assert machine.prop("StatusText").startswith("serving"), machine.prop("StatusText")
    status, health = http("/healthz")
    assert (status, health["status"]) == (200, "ok")
    assert health["models"]["speech"]["stt"] == "whisper-base"
    speech = health["models"]["speech"]
    assert speech["engines"] == "workers"  # Whisper and Kokoro in the box's speech worker (issue 16)
    assert speech["workers"]["speech"]["ready"], speech
    assert speech["voices"] == ["en", "es", "pt"], speech

    # a guest message gets a reply
    session = uuid.uuid4().hex
    assert (
        http("/try/api/messages", {"session": session, "client_id": "1", "text": "hola, ¿tenéis parking?"})[0]
        == 202
    )

    def answered() -> bool:
        messages = http(f"/try/api/messages?session={session}")[1]["messages"]
        return any(m["direction"] == "out" for m in messages)  # type: ignore[index,union-attr]

    wait_until(answered, 30, "no reply to the guest")
    assert (
        "installer"
        in machine.ssh(
            "runuser -u hotelbox -- /opt/hotelbox/current/venv/bin/hotelbox --config /etc/hotelbox/hotelbox.toml users list"
        ).stdout
    )
    # and can log in with the password from the installer's file (its newline is not part of it)
    status, me = http("/desk/api/login", {"name": "installer", "password": "installer-password-1"})
    assert (status, me["role"]) == (200, "admin")

    # a second run changes nothing
    second = playbook(machine, wheelhouse, tmp_path)
    assert recap(second.stdout)["changed"] == 0, second.stdout[-4000:]

    # killed, systemd brings it back
    restarts = int(machine.prop("NRestarts"))
    machine.ssh("systemctl kill -s KILL hotelbox")
    wait_until(lambda: int(machine.prop("NRestarts")) > restarts and machine.prop("ActiveState") == "active"
               and machine.prop("StatusText").startswith("serving"), 120, "not restarted after kill -9")  # fmt: skip

    # a hung event loop stops the watchdog pings: systemd kills and restarts it
    machine.ssh(
        "mkdir -p /etc/systemd/system/hotelbox.service.d && printf '[Service]\\nWatchdogSec=6\\n"
        "Environment=HOTELBOX_FAILPOINTS=watchdog.tick@3:block\\n' > /etc/systemd/system/hotelbox.service.d/zz-test.conf"
        " && systemctl daemon-reload && systemctl restart hotelbox"
    )
    restarts = int(machine.prop("NRestarts"))
    wait_until(
        lambda: int(machine.prop("NRestarts")) > restarts, 120, "the watchdog did not restart a hung box"
    )
    journal = machine.ssh("journalctl -u hotelbox --no-pager -n 200").stdout
    assert "Watchdog timeout" in journal, journal[-3000:]
    machine.ssh(
        "rm /etc/systemd/system/hotelbox.service.d/zz-test.conf && systemctl daemon-reload && systemctl restart hotelbox"
    )
    wait_until(
        lambda: machine.prop("StatusText").startswith("serving"), 120, "not serving after the watchdog test"
    )

    # journald got structured fields; the nightly backup works; the backup timer is armed
    fields = machine.ssh("journalctl -u hotelbox -o json --no-pager -n 50").stdout
    assert '"SYSLOG_IDENTIFIER":"hotelbox"' in fields.replace(" ", "")
    machine.ssh("systemctl start hotelbox-backup.service")
    assert machine.ssh("ls /var/lib/hotelbox/backups").stdout.strip().startswith("hotelbox-")
    assert "hotelbox-backup.timer" in machine.ssh("systemctl list-timers --all --no-pager").stdout
    # rollback has nothing to go back to on a first install, and says so
    rollback = machine.ssh("/opt/hotelbox/current/venv/bin/hotelbox rollback", check=False)
    assert rollback.returncode != 0
    assert "no previous release" in rollback.stderr
