"""Shared fixtures: a model trained once per session, settings in a temp dir, a running Box."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.nlu.understanding import Understander
from hotelbox.pms.demo import DEMO_ROOM_TYPES
from tests.fakes.qloapps import FakeQloApps
from tests.fakes.qloapps.seed import demo_like_seed
from tests.support import (
    Guest,
    RecordingChannel,
    qloapps_overrides,
)


def pytest_configure(config: pytest.Config) -> None:
    # The box runs speech in a worker process by default (issue 16); the suite's hundreds of
    # boxes share one in-process copy of the models instead (a worker per box loads them each
    # time). Tests of the workers ask for them: speech={"engines": "workers"}.
    os.environ.setdefault("HOTELBOX_SPEECH__ENGINES", "in_process")


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One trained model for the whole session (training takes ~10 s); subprocesses share it."""
    cache = Path(os.environ.get("HOTELBOX_TEST_NLU_CACHE") or tmp_path_factory.mktemp("nlu-cache"))
    old = os.environ.get("HOTELBOX_NLU__MODEL_DIR")
    os.environ["HOTELBOX_NLU__MODEL_DIR"] = str(cache)
    from hotelbox.nlu.training import ensure_model

    ensure_model(cache)
    yield cache
    if old is None:
        os.environ.pop("HOTELBOX_NLU__MODEL_DIR", None)
    else:
        os.environ["HOTELBOX_NLU__MODEL_DIR"] = old


@pytest.fixture(scope="session")
def understander(nlu_cache: Path) -> Understander:
    u = Understander(cache_root=nlu_cache)
    u.load()
    return u


@pytest.fixture(params=["demo"])
def pms_kind(request: pytest.FixtureRequest) -> str:
    """Which PMS the box books in; conversation tests override it to run against both."""
    return str(request.param)


@pytest.fixture
async def qloapps_fake(pms_kind: str) -> AsyncIterator[FakeQloApps | None]:
    if pms_kind != "qloapps":
        yield None
        return
    async with FakeQloApps(seed=demo_like_seed()) as fake:
        yield fake


@pytest.fixture
def room_code(pms_kind: str) -> dict[str, str]:
    """The demo hotel's room codes as the PMS in use knows them."""
    codes = [row[0] for row in DEMO_ROOM_TYPES]
    return {c: str(n) if pms_kind == "qloapps" else c for n, c in enumerate(codes, 1)}


@pytest.fixture
def settings(
    tmp_path: Path, nlu_cache: Path, monkeypatch: pytest.MonkeyPatch, qloapps_fake: FakeQloApps | None
) -> Settings:
    monkeypatch.chdir(tmp_path)
    overrides = qloapps_overrides(qloapps_fake) if qloapps_fake is not None else {}
    return load_settings(state_dir=tmp_path / "var", **overrides)


@pytest.fixture
async def box(settings: Settings) -> AsyncIterator[tuple[Box, RecordingChannel]]:
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as running:
        yield running, channel


@pytest.fixture
def make_guest(box: tuple[Box, RecordingChannel]):  # type: ignore[no-untyped-def]
    def make(address: str = "+34600000001", phone: str | None = "same") -> Guest:
        b, channel = box
        return Guest(b, channel, address, address if phone == "same" else phone)

    return make


@pytest.fixture(scope="session")
def test_voices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated piper test voices for es and pt (no registry ships real ones), with a site manifest."""
    from tests.fakes.tone_voice import make_test_voice, write_site_manifest

    directory = tmp_path_factory.mktemp("test-voices")
    write_site_manifest(directory, [make_test_voice(directory, lang) for lang in ("es", "pt")])
    return directory


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL (Debian's package, installed by .ci/run) for the relay's shared queue."""
    from tests.fakes.postgres import Postgres

    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()
