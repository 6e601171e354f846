"""The playbook is valid and lint-clean (the deployment test in tests/deploy runs it for real)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support import REPO

BIN = Path(sys.executable).parent
ANSIBLE_DIR = REPO / "ansible"


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    return subprocess.run(
        cmd, cwd=ANSIBLE_DIR, capture_output=True, text=True, timeout=300, env=env, check=False
    )


def test_syntax_check() -> None:
    done = run(str(BIN / "ansible-playbook"), "-i", "inventory.example.ini", "--syntax-check", "site.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ansible_lint_is_clean() -> None:
    done = run(str(BIN / "ansible-lint"), "--offline", "--nocolor", "site.yml")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_every_variable_the_roles_use_is_documented() -> None:
    documented = set(yaml.safe_load((ANSIBLE_DIR / "group_vars/all.yml").read_text()))
    defaults = set()
    for path in ANSIBLE_DIR.glob("roles/*/defaults/main.yml"):
        defaults |= set(yaml.safe_load(path.read_text()) or {})
    text = "\n".join(
        p.read_text() for p in ANSIBLE_DIR.rglob("*") if p.suffix in (".yml", ".j2") and p.is_file()
    )
    expressions = re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text, re.S)
    expressions += re.findall(r"^\s*(?:- )?(?:when|until|changed_when|loop):.*$", text, re.M)
    expressions += re.findall(r"^\s+- [a-z_]+ (?:[|=!<>]|in|is)[^\n]*$", text, re.M)  # list-form when:
    used = {v for e in expressions for v in re.findall(r"\b((?:hotelbox|relay)_[a-z_]+)\b", e)}
    registered = set(re.findall(r"register: (\w+)", text)) | set(re.findall(r"^\s+(\w+): \"\{\{", text, re.M))
    undocumented = used - documented - defaults - registered - {"hotelbox_release", "relay_boxes"}
    assert not undocumented, sorted(undocumented)
