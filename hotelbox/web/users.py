"""``hotelbox users add|passwd|list|disable``: the front desk's staff accounts, from the CLI."""

from __future__ import annotations

import asyncio
import getpass
import sqlite3
import sys

import click

from hotelbox.store import Store
from hotelbox.web.auth import ROLES, add_user, hash_password, password_problem, set_password


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


def _settings(ctx: click.Context):  # type: ignore[no-untyped-def]
    from hotelbox.cli import _settings as load

    return load(ctx)


async def _write(ctx: click.Context, op):  # type: ignore[no-untyped-def]
    settings = _settings(ctx)
    async with Store(settings.db_path, settings.store) as store:
        return await store.write(op, label="users")


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
    try:
        asyncio.run(_write(ctx, lambda c: add_user(c, name, role, hashed, language)))
    except sqlite3.IntegrityError as exc:
        raise UsersFail(f"a user called {name!r} exists already") from exc
    click.echo(f"added {name} ({role})")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_context
def users_passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a new password (every open session of that user ends)."""
    hashed = hash_password(_password(password_stdin))
    if not asyncio.run(_write(ctx, lambda c: set_password(c, name, hashed))):
        raise UsersFail(f"no user called {name!r}")
    click.echo(f"password changed for {name}")


@users.command("disable")
@click.argument("name")
@click.pass_context
def users_disable(ctx: click.Context, name: str) -> None:
    """Lock an account out (its sessions end)."""

    def op(c):  # type: ignore[no-untyped-def]
        cur = c.execute("UPDATE staff_users SET disabled = 1 WHERE name = ?", (name,))
        c.execute(
            "DELETE FROM staff_sessions WHERE user_id = (SELECT id FROM staff_users WHERE name = ?)", (name,)
        )
        return cur.rowcount

    if not asyncio.run(_write(ctx, op)):
        raise UsersFail(f"no user called {name!r}")
    click.echo(f"disabled {name}")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Staff accounts (never their passwords)."""
    rows = asyncio.run(
        _write(
            ctx,
            lambda c: c.execute(
                "SELECT name, role, language, disabled FROM staff_users ORDER BY name"
            ).fetchall(),
        )
    )
    for r in rows:
        click.echo(
            f"{r['name']:20} {r['role']:10} {r['language']}  {'disabled' if r['disabled'] else 'active'}"
        )
    if not rows:
        click.echo("no users yet: hotelbox users add NAME --role admin")
