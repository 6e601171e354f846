"""What every ``hotelbox`` subcommand shares, wherever it is defined (``cli.py``, ``ops/``,
``speech/``, ``web/``): the settings, loaded once per invocation from click's context, and the
error that ends a command with one line on stderr.

The subcommands that live beside their part import this module, not ``hotelbox.cli`` (which
imports them to register them): no import cycle through the command line.
"""

from __future__ import annotations

from typing import Any

import click

from hotelbox.config import ConfigError, Settings, load_settings


class Fail(click.ClickException):
    """One line on stderr, exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"hotelbox: {self.format_message()}", err=True)


def settings_of(ctx: click.Context) -> Settings:
    """The settings of this invocation (``--config``, ./hotelbox.toml, ``HOTELBOX_*``), read once."""
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        try:
            obj["settings"] = load_settings(obj.get("config"))
        except ConfigError as exc:
            raise Fail(str(exc)) from exc
    settings: Settings = obj["settings"]  # click's context object is untyped
    return settings
