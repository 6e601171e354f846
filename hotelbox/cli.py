"""The ``hotelbox`` command.

Every command loads the same settings (``--config``, ./hotelbox.toml, ``HOTELBOX_*``), exits 0 on
success and non-zero with a one-line reason on stderr otherwise; ``--json`` gives machine output.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from hotelbox import __version__
from hotelbox.command_context import Fail, settings_of
from hotelbox.config import ConfigError, Settings, describe_fields, masked_settings
from hotelbox.errors import HotelboxError
from hotelbox.ops.logging import setup_logging
from hotelbox.ops.operator_commands import backup, doctor, restore, rollback
from hotelbox.speech.commands import models, say, transcribe
from hotelbox.web.users import users


def _refuse_beside_box(settings: Settings, what: str) -> None:
    """A command that writes the state refuses while a box owns it (issue 14)."""
    from hotelbox.ops.owner import busy_message, holder

    pid = holder(settings.state_dir)
    if pid is not None:
        raise Fail(f"state_in_use: {busy_message(settings.state_dir, pid, what)}")


def _run(coro: Any) -> Any:
    try:
        return asyncio.run(coro)
    except HotelboxError as exc:
        raise Fail(f"{exc.code}: {exc.message}") from exc
    except ConfigError as exc:
        raise Fail(str(exc)) from exc


@click.group()
@click.version_option(__version__, prog_name="hotelbox")
@click.option("--config", type=click.Path(path_type=Path), help="Settings file (TOML).")
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """hotelbox: the hotel's guest messaging and booking appliance."""
    ctx.ensure_object(dict)["config"] = config


SETTINGS_FROM = (
    "Settings come from, first match wins: HOTELBOX_* environment variables (nested with a double "
    "underscore: HOTELBOX_WEB__PORT=8081, HOTELBOX_PMS__QLOAPPS__URL=…; box ids as HOTEL_1 mean hotel-1), "
    "then the file given with --config, else ./hotelbox.toml, then the defaults "
    "(`hotelbox config show` prints the result, `hotelbox config show --describe` every setting). "
    "Secrets (keys, tokens, passwords) are read from the *_file settings or from systemd credentials "
    "($CREDENTIALS_DIRECTORY/<name>), never from the command line."
)


# -- run -------------------------------------------------------------------------------------
@main.command(epilog=SETTINGS_FROM)
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the box: pipeline, booking worker, web server (front desk, /try, /healthz).

    It owns the state directory (state_dir/hotelbox.lock) and serves the control socket
    state_dir/control.sock that `hotelbox chat` and `hotelbox bookings` use beside it."""
    settings = settings_of(ctx)
    setup_logging(settings.log.level, settings.log.format)
    from hotelbox.box_service import serve

    _run(serve(settings))


# -- relay -----------------------------------------------------------------------------------
@main.group(invoke_without_command=True, epilog=SETTINGS_FROM)
@click.pass_context
def relay(ctx: click.Context) -> None:
    """Run the cloud relay: Meta's webhooks in, kept, handed to the boxes over their links."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_of(ctx)
    setup_logging(settings.log.level, settings.log.format)
    from hotelbox.relay.service import serve_relay

    _run(serve_relay(settings))


@relay.command("new-key")
def relay_new_key() -> None:
    """Print a fresh link key (64 hex characters) for one box: give the same key to the box
    (relay_link.key_file) and to the relay (relay.boxes.<box id>.key_file)."""
    from hotelbox.relay.protocol import new_key

    click.echo(new_key())


@relay.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def relay_status(ctx: click.Context, as_json: bool) -> None:
    """Backlog per box, read from the relay's queue (works while the relay runs)."""
    settings = settings_of(ctx)
    from hotelbox.relay.service import queue_status

    status = _run(queue_status(settings))
    if as_json:
        click.echo(json.dumps(status))
        return
    empty = {"events": 0, "oldest_age_s": 0}
    for box in sorted({*status["backlog"], *status["boxes"]}) or ["-"]:
        b = status["backlog"].get(box, empty)
        info = status["boxes"].get(box, {})
        age = info.get("last_seen_age_s")
        seen = "never connected" if age is None else f"last_seen_s_ago={age}"
        extra = "" if info.get("configured", True) else " (not configured)"
        click.echo(f"{box:20} undelivered={b['events']:<6} oldest_age_s={b['oldest_age_s']:<8} {seen}{extra}")


# -- chat ------------------------------------------------------------------------------------
def _phone(value: str | None, region: str) -> str | None:
    if value is None:
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise Fail(f"--as {value!r} is not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise Fail(f"--as {value!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@main.command()
@click.option("--as", "as_phone", metavar="PHONE", help="Talk as the guest with this phone number.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per reply.")
@click.option("--lang", type=click.Choice(["es", "en", "pt"]), help="Language hint for a new guest.")
@click.pass_context
def chat(ctx: click.Context, as_phone: str | None, as_json: bool, lang: str | None) -> None:
    """Chat with the bot as a guest: one message per line on stdin, replies on stdout."""
    settings = settings_of(ctx)
    setup_logging("WARNING", settings.log.format)
    phone = _phone(as_phone, settings.hotel.country)
    _run(_chat(settings, phone, as_json, lang))


async def _chat(settings: Settings, phone: str | None, as_json: bool, lang: str | None) -> None:
    """One guest's terminal. With no box running, this process owns the state (and serves the
    control socket for others); beside a running box, every line goes to that box."""
    from hotelbox.channels.console import ConsoleChannel, Terminal
    from hotelbox.ops.control import ControlClient, ControlServer, chat_turn
    from hotelbox.ops.owner import StateOwner, control_socket

    terminal = Terminal(sys.stdout, as_json)
    address = phone or "console"
    owner = StateOwner(settings.state_dir)
    if not owner.try_acquire():
        async with ControlClient(control_socket(settings.state_dir)) as client:

            async def remote(request: dict[str, Any]) -> list[dict[str, Any]]:
                return list((await client.call("POST", "/v1/chat", request))["replies"])

            await _chat_lines(remote, terminal, address, phone, lang)
        return
    try:
        from hotelbox.daemon import Box

        console = ConsoleChannel()
        async with (
            Box(settings, {"console": console}) as box,
            ControlServer(box, console, control_socket(settings.state_dir)),
        ):

            async def local(request: dict[str, Any]) -> list[dict[str, Any]]:
                return await chat_turn(box, console, request)

            await _chat_lines(local, terminal, address, phone, lang)
    finally:
        owner.release()


async def _chat_lines(turn: Any, terminal: Any, address: str, phone: str | None, lang: str | None) -> None:
    base = {"address": address, "phone": phone, "lang": lang}
    terminal.show(await turn(base))  # replies a previous run committed but never printed
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if text.startswith("/voice "):  # send an audio file as a voice note
            path = os.path.abspath(text[7:].strip())  # noqa: ASYNC240 - no I/O; the box may run elsewhere
            terminal.show(await turn({**base, "voice": path}))
            continue
        terminal.show(await turn({**base, "text": text, "choice": terminal.choice_for(text)}))


# -- understand ------------------------------------------------------------------------------
@main.command()
@click.argument("text", required=False)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Reference date (default: today).")
@click.option("--lang", type=click.Choice(["es", "en", "pt"]), help="Force the language.")
@click.pass_context
def understand(ctx: click.Context, text: str | None, today: datetime | None, lang: str | None) -> None:
    """Print what the bot understands of TEXT (or of each stdin line) as JSON."""
    settings = settings_of(ctx)
    setup_logging("WARNING", settings.log.format)
    from hotelbox.daemon import make_understander

    understander = make_understander(settings)
    try:
        understander.load()
    except HotelboxError as exc:
        raise Fail(f"{exc.code}: {exc.message}") from exc
    ref = today.date() if today else datetime.now(ZoneInfo(settings.hotel.timezone)).date()
    lines = [text] if text is not None else (line.rstrip("\r\n") for line in sys.stdin)
    for line in lines:
        u = understander.understand(line, today=ref, lang=lang)
        click.echo(json.dumps(u.to_json(), ensure_ascii=False))


# -- bookings --------------------------------------------------------------------------------
@main.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array.")
@click.pass_context
def bookings(ctx: click.Context, as_json: bool) -> None:
    """List the bookings the bot made, changed or could not make."""
    settings = settings_of(ctx)
    rows = _run(_bookings(settings))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("no bookings")
        return
    for b in rows:
        click.echo(
            f"{b['reference'] or '(pending)':10} {b['status']:10} {b['check_in']} → {b['check_out']} "
            f"{b['room_type']:8} {b['adults']}+{b['children']} {b['total_price'] or '-'} {b['currency'] or ''}"
        )


async def _bookings(settings: Settings) -> list[dict[str, Any]]:
    from hotelbox.ops.control import ControlClient
    from hotelbox.ops.owner import StateOwner, control_socket
    from hotelbox.store import Store
    from hotelbox.store.bookings import listed_bookings

    if not settings.db_path.exists():
        return []
    owner = StateOwner(settings.state_dir)
    if not owner.try_acquire():  # a box runs: ask it, never open its databases beside it
        async with ControlClient(control_socket(settings.state_dir)) as client:
            rows: list[dict[str, Any]] = list(await client.call("GET", "/v1/bookings"))
            return rows
    try:
        async with Store(settings.db_path, settings.store) as store:
            return await store.read(listed_bookings)
    finally:
        owner.release()


# -- pms -------------------------------------------------------------------------------------
@main.group()
def pms() -> None:
    """The hotel's PMS (QloApps): check the connection, sync the mirror, see its state."""


def _qloapps(ctx: click.Context) -> tuple[Settings, str]:
    settings = settings_of(ctx)
    if settings.pms.kind != "qloapps":
        raise Fail(
            f"pms.kind is {settings.pms.kind!r}: the embedded demo hotel needs no connection "
            "(set pms.kind = 'qloapps' and pms.qloapps.url / key_file to use QloApps)"
        )
    from hotelbox.pms.build import qloapps_key

    try:
        return settings, qloapps_key(settings)
    except ConfigError as exc:
        raise Fail(str(exc)) from exc


@pms.command("check")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def pms_check(ctx: click.Context, as_json: bool) -> None:
    """Reach QloApps, authenticate, list the hotel and its room types; say clearly what is wrong."""
    settings, key = _qloapps(ctx)
    setup_logging("ERROR", settings.log.format)
    from hotelbox.pms import admin

    steps, facts = _run(admin.check(settings, key))
    if as_json:
        click.echo(json.dumps({"steps": [vars(s) for s in steps], **facts}, ensure_ascii=False, indent=1))
    else:
        marks = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
        for step in steps:
            click.echo(f"{marks[step.level]} {step.name}: {step.detail}")
        for rt in facts.get("room_types", []):
            click.echo(
                f"     room type {rt['id']}: {rt['name']} — {rt['rooms']} rooms, up to {rt['max_adults']} adults"
                f" + {rt['max_children']} children ({rt['max_guests']} guests), from {rt['night_from']}/night"
            )
    if not all(step.ok for step in steps):
        sys.exit(1)


@pms.command("sync")
@click.option(
    "--full",
    is_flag=True,
    help="Read every night again, even those a sync fetched within pms.sync.far_interval_s, and record the time.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def pms_sync(ctx: click.Context, full: bool, as_json: bool) -> None:
    """Refresh the local mirror of QloApps now."""
    settings, key = _qloapps(ctx)
    _refuse_beside_box(settings, "sync the mirror (the running box keeps it in sync itself)")
    setup_logging("WARNING", settings.log.format)
    from hotelbox.pms import admin

    report = _run(admin.sync_now(settings, key, full))
    if as_json:
        click.echo(json.dumps(report, indent=1))
    else:
        for job, r in report.items():
            outcome = f"{r.get('rows', 0)} rows" if r["ok"] else f"failed: {r.get('last_error')}"
            click.echo(f"{job:10} {outcome} in {r['seconds']:.2f} s")
    if not all(r["ok"] for r in report.values()):
        sys.exit(1)


async def _pms_status(settings: Settings) -> dict[str, Any]:
    """Beside a running box, the box's own view (its control socket); else read under the lock."""
    from hotelbox.ops.control import ControlClient
    from hotelbox.ops.owner import StateOwner, control_socket
    from hotelbox.pms import admin

    owner = StateOwner(settings.state_dir)
    if not owner.try_acquire():
        click.echo(f"hotelbox: through the running box that owns {settings.state_dir}", err=True)
        async with ControlClient(control_socket(settings.state_dir)) as client:
            return dict(await client.call("GET", "/v1/pms/status"))
    try:
        return await admin.status(settings)
    finally:
        owner.release()


@pms.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def pms_status(ctx: click.Context, as_json: bool) -> None:
    """How old the mirror is, how much of the horizon it covers, how the sync jobs went."""
    settings = settings_of(ctx)
    if settings.pms.kind != "qloapps":
        raise Fail(f"pms.kind is {settings.pms.kind!r}: there is no mirror to show")

    try:
        state = _run(_pms_status(settings))
    except ConfigError as exc:
        raise Fail(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(state, indent=1))
        return

    def age(value: float | None) -> str:
        return "never" if value is None else f"{value:.0f} s ago"

    click.echo(f"catalogue  {state['room_types']} room types, read {age(state['catalogue_age_s'])}")
    click.echo(
        f"nights     {state['coverage'] * 100:.0f} % of the horizon, near term {state['near_coverage'] * 100:.0f} %;"
        f" oldest near-term night fetched {age(state['near_age_s'])} (stale after {state['stale_after_s']:.0f} s)"
    )
    if state["full_sync_s"] is not None:
        click.echo(f"full sync  last full sync took {state['full_sync_s']:.1f} s")
    for job, j in state["jobs"].items():
        error = f", failing ×{j['failures']}: {j['last_error']}" if j["failures"] else ""
        click.echo(f"{job:10} last ok {age(j['last_ok_age_s'])}, {j['rows']} rows{error}")
    writes = state["writes"]
    click.echo(
        f"writes     {writes.get('pending', 0)} waiting for QloApps, {writes.get('done', 0)} done, "
        f"{writes.get('failed', 0)} failed"
    )


# -- config ----------------------------------------------------------------------------------
@main.group()
def config() -> None:
    """Settings."""


@config.command("docs")
@click.option(
    "--update",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rewrite the table between the <!-- settings:begin/end --> markers of this file.",
)
def config_docs(update: Path | None) -> None:
    """Print the settings table (Markdown) that the README carries."""
    from hotelbox.config import settings_table

    table = settings_table()
    if update is None:
        click.echo(table, nl=False)
        return
    text = update.read_text(encoding="utf-8")
    begin, end = "<!-- settings:begin -->\n", "<!-- settings:end -->"
    if begin not in text or end not in text:
        raise click.ClickException(f"{update} has no {begin.strip()} … {end} markers")
    head, rest = text.split(begin, 1)
    update.write_text(head + begin + table + end + rest.split(end, 1)[1], encoding="utf-8")
    click.echo(f"updated the settings table in {update}")


@config.command("show")
@click.option("--json", "as_json", is_flag=True)
@click.option("--describe", is_flag=True, help="List every setting with its type, default and help.")
@click.pass_context
def config_show(ctx: click.Context, as_json: bool, describe: bool) -> None:
    """Print the effective settings (secrets masked)."""
    if describe:
        for name, type_name, default, help_text in describe_fields():
            click.echo(f"{name} ({type_name}, default {default!r}): {help_text}")
        return
    data = masked_settings(settings_of(ctx))
    if as_json:
        click.echo(json.dumps(data, indent=1, default=str))
        return

    def emit(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                emit(f"{prefix}{key}.", value)
            else:
                click.echo(f"{prefix}{key} = {json.dumps(value, default=str)}")

    emit("", data)


# -- nlu -------------------------------------------------------------------------------------
@main.group()
def nlu() -> None:
    """The understanding models."""


@nlu.command("train")
@click.option("--force", is_flag=True, help="Retrain even if the examples did not change.")
@click.pass_context
def nlu_train(ctx: click.Context, force: bool) -> None:
    """Build the intent and language models from the examples (reproducible)."""
    settings = settings_of(ctx)
    setup_logging("INFO", settings.log.format)
    from hotelbox.nlu.training import ensure_model

    model_dir = ensure_model(settings.nlu_cache_root, settings.nlu.extra_examples_dir, force=force)
    meta = json.loads((model_dir / "intent.json").read_text())
    click.echo(
        json.dumps(
            {
                "model_dir": str(model_dir),
                **{k: meta[k] for k in ("examples", "per_language", "trainer")},
            }
        )
    )


@nlu.command("eval")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--errors", is_flag=True, help="Also list every mistake.")
@click.pass_context
def nlu_eval(ctx: click.Context, files: tuple[Path, ...], as_json: bool, errors: bool) -> None:
    """Accuracy per language on labelled JSONL files (intent, topic, dates, entities)."""
    settings = settings_of(ctx)
    setup_logging("WARNING", settings.log.format)
    from hotelbox.daemon import make_understander
    from hotelbox.nlu.evaluation import evaluate

    if not files:
        raise Fail("give one or more JSONL files, e.g. tests/data/nlu/eval_*.jsonl")
    understander = make_understander(settings)
    understander.load()
    report = evaluate(understander, list(files))
    if not errors:
        report.pop("errors")
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    keys = (
        "examples",
        "intent_accuracy",
        "topic_accuracy",
        "language_accuracy",
        "date_accuracy",
        "entity_accuracy",
    )
    click.echo("lang  " + "  ".join(f"{k:>17}" for k in keys))
    for lang, scores in {**report["per_language"], "all": report["overall"]}.items():
        click.echo(f"{lang:5} " + "  ".join(f"{scores[k]!s:>17}" for k in keys))
    for lang, errs in report.get("errors", {}).items():
        for e in errs:
            click.echo(f"[{lang}] {e['text']!r}: gold {e['gold']} got {e['got']}")


# the commands that live beside their part
for command in (backup, restore, doctor, rollback, users, transcribe, say, models):
    main.add_command(command)
