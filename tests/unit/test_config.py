from __future__ import annotations

from pathlib import Path

import pytest

from hotelbox.config import ConfigError, Settings, describe_fields, load_settings, masked_settings


def test_defaults_suit_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert s.pms.kind == "demo"
    assert (s.web.host, s.web.port) == ("127.0.0.1", 8080)
    assert s.state_dir == tmp_path / "var"
    assert s.db_path == tmp_path / "var" / "hotelbox.db"


def test_toml_then_env_nested_with_double_underscore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hotelbox.toml").write_text('[web]\nport = 9000\nhost = "0.0.0.0"\n[hotel]\ncountry = "PT"\n')
    s = load_settings()  # ./hotelbox.toml is picked up when present
    assert (s.web.port, s.web.host, s.hotel.country) == (9000, "0.0.0.0", "PT")
    monkeypatch.setenv("HOTELBOX_WEB__PORT", "9100")
    assert load_settings().web.port == 9100  # environment beats the file


def test_explicit_config_path_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "box.toml"
    other.write_text("[dialogue]\nmax_party = 6\n")
    assert load_settings(other).dialogue.max_party == 6
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")
    other.write_text("[web]\nport = 'eighty'\n")
    with pytest.raises(ConfigError, match=r"box\.toml"):
        load_settings(other)
    other.write_text("[web]\nprot = 80\n")  # a typo is an error, not silently ignored
    with pytest.raises(ConfigError):
        load_settings(other)


def test_every_setting_is_described() -> None:
    fields = list(describe_fields())
    assert len(fields) > 20
    for name, _type, _default, description in fields:
        assert description, f"{name} has no description"


def test_show_masks_secrets() -> None:
    from pydantic import SecretStr

    class WithSecret(Settings):
        token: SecretStr = SecretStr("s3cret")

    shown = masked_settings(WithSecret())
    assert shown["token"] == "********"
    assert "s3cret" not in repr(shown)


def test_show_masks_passwords_inside_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """`hotelbox config show` printed relay.queue_url with its password (issue 13, finding 10)."""
    from click.testing import CliRunner

    from hotelbox.cli import main

    monkeypatch.setenv("HOTELBOX_RELAY__QUEUE_URL", "postgresql://relay:p%40ss:w0rd@db.example:5432/relay")
    monkeypatch.setenv("HOTELBOX_RELAY_LINK__URL", "wss://relay.example.com/box/v1/link")
    shown = CliRunner().invoke(main, ["config", "show"])
    assert shown.exit_code == 0, shown.output
    assert "w0rd" not in shown.output
    assert 'relay.queue_url = "postgresql://relay:********@db.example:5432/relay"' in shown.output
    assert 'relay_link.url = "wss://relay.example.com/box/v1/link"' in shown.output  # no password: as is
    data = masked_settings(load_settings(relay={"queue_url": "postgresql://u@h/db"}))
    assert data["relay"]["queue_url"] == "postgresql://u@h/db"


def test_readme_settings_table_is_generated_from_the_model() -> None:
    from hotelbox.config import settings_table
    from tests.support import REPO

    readme = (REPO / "README.md").read_text()
    inside = readme.split("<!-- settings:begin -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert inside == settings_table(), "run `hotelbox config docs --update README.md`"


def test_env_box_ids_are_the_canonical_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """HOTELBOX_RELAY__BOXES__HOTEL_1__… named box "hotel_1" while the box calls itself hotel-1."""
    monkeypatch.setenv("HOTELBOX_RELAY__BOXES__HOTEL_1__KEY", "ab" * 32)
    monkeypatch.setenv("HOTELBOX_RELAY_LINK__BOX_ID", "HOTEL_1")
    settings = load_settings()
    assert list(settings.relay.boxes) == ["hotel-1"]
    assert settings.relay_link.box_id == "hotel-1"


def test_run_and_relay_help_say_where_settings_come_from() -> None:
    from click.testing import CliRunner

    from hotelbox.cli import main

    for command in ("run", "relay"):
        shown = CliRunner().invoke(main, [command, "--help"])
        assert shown.exit_code == 0
        text = " ".join(shown.output.split())
        for needle in ("HOTELBOX_", "double underscore", "hotelbox.toml", "--config", "credentials", "_file"):
            assert needle in text, (command, needle)
