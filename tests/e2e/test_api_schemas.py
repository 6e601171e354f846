"""The published OpenAPI descriptions against the running servers (``hotelbox relay`` and
``hotelbox run`` as processes), with schemathesis generating requests from them — valid ones
and broken ones. Every answer must be documented (status, content type, body schema) and none
may be a 5xx: bad input gets a clear 4xx. The front desk is fuzzed logged in as an admin, with
the session's CSRF token, so the handlers themselves are reached, not just the auth wall."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from hotelbox.openapi import document
from tests.support import HOTELBOX, free_port

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# voice notes are raw bytes in the body, like application/octet-stream
schemathesis.serializer.alias(
    ["audio/ogg", "audio/mpeg", "audio/mp4", "audio/webm", "audio/wav"], "application/octet-stream"
)
EXAMPLES = int(os.environ.get("HOTELBOX_SCHEMA_EXAMPLES", "40"))
PASSWORD = "correct horse battery staple"
TRIED: dict[str, int] = {}


class Server:
    def __init__(self, tmp: Path, args: list[str], port: int, config: str) -> None:
        (tmp / "hotelbox.toml").write_text(config)
        self.url = f"http://127.0.0.1:{port}"
        self.log = tmp / f"{args[0]}.log"
        self.proc = subprocess.Popen(
            [str(HOTELBOX), *args], cwd=tmp, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/openapi.yaml", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError(self.log.read_text()[-2000:])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("relay-api")
    port = free_port()
    config = f"""
[relay]
port = {port}
app_secret = "app-secret"
verify_token = "verify-token"
max_body_bytes = 65536

[relay.boxes.hotel-1]
phone_number_ids = ["106540352242922"]
key = "{"ab" * 32}"
"""
    server = Server(tmp, ["relay"], port, config)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory, nlu_cache: Path) -> Iterator[tuple[Server, dict[str, Any]]]:
    tmp = tmp_path_factory.mktemp("box-api")
    port = free_port()
    config = f'[web]\nport = {port}\n\n[speech]\nenabled = false\n\n[nlu]\nmodel_dir = "{nlu_cache}"\n'
    (tmp / "hotelbox.toml").write_text(config)
    subprocess.run(
        [str(HOTELBOX), "users", "add", "ana", "--role", "admin", "--password-stdin"],
        cwd=tmp,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    server = Server(tmp, ["run"], port, config)
    login = requests.post(
        f"{server.url}/desk/api/login", json={"name": "ana", "password": PASSWORD}, timeout=10
    )
    login.raise_for_status()
    auth = {"cookies": dict(login.cookies), "headers": {"X-CSRF-Token": login.json()["csrf"]}}
    # something to look at: a guest on the web chat
    requests.post(
        f"{server.url}/try/api/messages", json={"session": "api-fuzz-guest", "text": "hola"}, timeout=10
    ).raise_for_status()
    yield server, auth
    server.stop()


def operations(name: str, skip: set[str] = frozenset()) -> list[tuple[str, str]]:  # type: ignore[assignment]
    spec = yaml.safe_load(document(name))
    return [
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("get", "post", "put") and f"{method.upper()} {path}" not in skip
    ]


def fuzz(name: str, base_url: str, method: str, path: str, auth: dict[str, Any] | None = None) -> None:
    schema = schemathesis.openapi.from_dict(yaml.safe_load(document(name)))
    operation = schema[path][method]
    strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)
    key = f"{name} {method} {path}"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        TRIED[key] = TRIED.get(key, 0) + 1
        kwargs: dict[str, Any] = {"base_url": base_url, "timeout": 20}
        if auth is not None:
            case.headers = {**(case.headers or {}), **auth["headers"]}
            kwargs["cookies"] = auth["cookies"]
        response = case.call(**kwargs)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize(("method", "path"), operations("relay", {"GET /box/v1/link"}))
def test_relay_api_answers_as_documented(relay: Server, method: str, path: str) -> None:
    fuzz("relay", relay.url, method, path)


@pytest.mark.parametrize(
    ("method", "path"), operations("desk", {"POST /desk/api/login", "POST /desk/api/logout"})
)
def test_box_api_answers_as_documented(box: tuple[Server, dict[str, Any]], method: str, path: str) -> None:
    server, auth = box
    fuzz("desk", server.url, method, path, auth)


def test_login_answers_as_documented_and_never_lets_a_guess_in(box: tuple[Server, dict[str, Any]]) -> None:
    server, _ = box
    fuzz("desk", server.url, "POST", "/desk/api/login")  # wrong passwords: 401, then 429 — never 5xx
    me = requests.get(f"{server.url}/desk/api/me", timeout=10)
    assert me.status_code == 401


def test_the_documents_are_served(relay: Server, box: tuple[Server, Any]) -> None:
    for server, name in ((relay, "relay"), (box[0], "desk")):
        served = requests.get(f"{server.url}/openapi.yaml", timeout=10)
        assert served.status_code == 200
        assert yaml.safe_load(served.text) == yaml.safe_load(document(name))
    print("requests generated per operation:", TRIED)


def test_logout_answers_as_documented_and_ends_the_session(box: tuple[Server, dict[str, Any]]) -> None:
    """Last in this module: it ends the session the other tests fuzz with."""
    server, auth = box
    fuzz("desk", server.url, "POST", "/desk/api/logout", auth)
    me = requests.get(f"{server.url}/desk/api/me", cookies=auth["cookies"], timeout=10)
    assert me.status_code == 401
