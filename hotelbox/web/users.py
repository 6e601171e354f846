"""``hotelbox users add|passwd|list|disable``: the front desk's staff accounts, from the CLI."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TYPE_CHECKING, Any

import click

from hotelbox.command_context import settings_of
from hotelbox.store import Store, staff
from hotelbox.web.auth import ROLES, hash_password, password_problem

if TYPE_CHECKING:
    pass


class UsersFail(click.ClickException):
    def show(self, file: object = None) -> None:
        click.echo(f"hotelbox: {self.format_message()}", err=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise UsersFail("the passwords differ")
    problem = password_problem(password)
    if problem:
        raise UsersFail(problem)
    return password


async def _apply(ctx: click.Context, request: dict[str, Any]) -> Any:
    from hotelbox.ops.control import ControlClient
    from hotelbox.ops.owner import StateOwner, control_socket

    settings = settings_of(ctx)
    owner = StateOwner(settings.state_dir)
    if not owner.try_acquire():  # a box owns the state: it makes the change (issue 14)
        click.echo(f"hotelbox: through the running box that owns {settings.state_dir}", err=True)
        async with ControlClient(control_socket(settings.state_dir)) as client:
            return await client.call("POST", "/v1/users", request)
    try:
        async with Store(settings.db_path, settings.store) as store:
            return await store.write(lambda c: staff.account_change(c, request), label="users")
    finally:
        owner.release()


@click.group()
def users() -> None:
    """Front desk accounts: passwords are hashed with scrypt; nobody can read them back."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="frontdesk", show_default=True)
@click.option("--language", type=click.Choice(["es", "en", "pt"]), default="es", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, language: str, password_stdin: bool) -> None:
    """Create a staff account."""
    if not name.replace(".", "").replace("-", "").replace("_", "").isalnum() or len(name) > 40:
        raise UsersFail("a user name is letters, digits, '.', '-' or '_' (at most 40)")
    hashed = hash_password(_password(password_stdin))
    request = {"op": "add", "name": name, "role": role, "hash": hashed, "language": language}
    if not asyncio.run(_apply(ctx, request)):
        raise UsersFail(f"a user called {name!r} exists already")
    click.echo(f"added {name} ({role})")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_context
def users_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password (every open session of that user ends)."""
    hashed = hash_password(_password(password_stdin))
    if not asyncio.run(_apply(ctx, {"op": "passwd", "name": name, "hash": hashed})):
        raise UsersFail(f"no user called {name!r}")
    click.echo(f"password changed for {name}")


@users.command("disable")
@click.argument("name")
@click.pass_context
def users_disable(ctx: click.Context, name: str) -> None:
    """Lock an account out (its sessions end)."""
    if not asyncio.run(_apply(ctx, {"op": "disable", "name": name})):
        raise UsersFail(f"no user called {name!r}")
    click.echo(f"disabled {name}")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Staff accounts (never their passwords)."""
    rows = asyncio.run(_apply(ctx, {"op": "list"}))
    for r in rows:
        click.echo(
            f"{r['name']:20} {r['role']:10} {r['language']}  {'disabled' if r['disabled'] else 'active'}"
        )
    if not rows:
        click.echo("no users yet: hotelbox users add NAME --role admin")
