"""``hotelbox backup``, ``restore`` and ``doctor``: the operator's commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hotelbox.command_context import settings_of
from hotelbox.errors import HotelboxError

if TYPE_CHECKING:
    pass


class OpsFail(click.ClickException):
    def show(self, file: object = None) -> None:
        click.echo(f"hotelbox: {self.format_message()}", err=True)


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def backup(ctx: click.Context, directory: Path | None, as_json: bool) -> None:
    """Take a consistent online backup of the box's databases (safe while the box runs)."""
    from hotelbox.ops.backup import backup as take

    settings = settings_of(ctx)
    try:
        result = take(
            settings.state_dir, settings.databases, directory or settings.backup_dir, settings.backup.keep
        )
    except (HotelboxError, OSError) as exc:
        raise OpsFail(f"{getattr(exc, 'code', 'backup_failed')}: {exc}") from exc
    info = {
        "directory": str(result.directory),
        "files": [str(f) for f in result.files],
        "bytes": result.bytes,
        "seconds": round(result.seconds, 3),
    }
    click.echo(
        json.dumps(info)
        if as_json
        else f"backup written to {result.directory} ({result.bytes} bytes, {result.seconds:.2f} s)"
    )


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.pass_context
def restore(ctx: click.Context, source: Path) -> None:
    """Restore a whole backup set (its directory, or any file in it) with the box stopped.

    Every database the backup wrote (hotelbox.db and demo_pms.db …) comes back together, or
    none does; the current ones are kept aside as *.before-restore."""
    from hotelbox.ops.backup import restore_set
    from hotelbox.ops.owner import StateOwner

    settings = settings_of(ctx)
    owner = StateOwner(settings.state_dir)
    try:
        owner.acquire("restore")  # a running box is known by its lock, never by a port (issue 18)
        try:
            restored = restore_set(source, settings.databases)
        finally:
            owner.release()
    except HotelboxError as exc:
        raise OpsFail(f"{exc.code}: {exc}") from exc
    for target, aside in restored:
        kept = f" (the previous one is kept as {aside})" if aside.exists() else ""
        click.echo(f"restored {target}{kept}")


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check settings, disk, models, PMS, relay link, clock and ports; say what to fix. Exit 1 on a failure."""
    import asyncio

    from hotelbox.ops.doctor import run_checks

    settings = settings_of(ctx)
    results = asyncio.run(run_checks(settings))
    failed = [r for r in results if r.status == "fail"]
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in results], ensure_ascii=False))
    else:
        for r in results:
            mark = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}[r.status]
            click.echo(f"[{mark}] {r.name}: {r.detail}")
            if r.fix and r.status != "ok":
                click.echo(f"       fix: {r.fix}")
    if failed:
        sys.exit(1)


@click.command()
@click.option(
    "--root",
    type=click.Path(path_type=Path),
    default=Path("/opt/hotelbox"),
    envvar="HOTELBOX_INSTALL_ROOT",
    show_default=True,
    help="Where the installer keeps releases/, current and previous.",
)
@click.option("--restart", is_flag=True, help="Also restart the hotelbox service (needs root).")
def rollback(root: Path, restart: bool) -> None:
    """Go back to the previous release the installer kept (swaps the current and previous links)."""
    import os
    import subprocess

    current, previous = root / "current", root / "previous"
    if not previous.is_symlink() or not previous.resolve().is_dir():
        raise OpsFail(f"there is no previous release under {root} to go back to")
    old, new = os.readlink(current), os.readlink(previous)
    for link, target in ((current, new), (previous, old)):
        tmp = link.with_name(link.name + ".tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        tmp.replace(link)  # atomic: a reader sees the old link or the new one
    click.echo(f"current → {new} (was {old}); the databases are untouched")
    if restart:
        subprocess.run(["systemctl", "restart", "hotelbox"], check=True)
        click.echo("hotelbox restarted")
    else:
        click.echo("now restart it: systemctl restart hotelbox")
