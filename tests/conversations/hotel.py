"""``python -m tests.conversations.hotel [lang] [--price ROOM CHECK_IN CHECK_OUT]``: the demo
hotel's facts a conversation may rely on — rooms, capacities, prices, the FAQ answers — and the
exact total of a stay (seasons and weekends move the nightly rate), as the demo PMS computes it."""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import date, timedelta
from importlib import resources

from hotelbox.pms.demo import DEMO_ROOM_TYPES, HOTEL, nightly_rate
from tests.conversations.schema import LANGS


def facts(lang: str) -> str:
    h = HOTEL
    lines = [
        f"{h.name} — {h.address} — {h.phone} — {h.email}",
        f"check-in from {h.check_in_time}, check-out until {h.check_out_time}, prices in {h.currency}",
        "rooms (code: name; max adults / children / guests; base price per night; how many):",
    ]
    for code, names, descr, _aliases, ma, mc, mg, price, rooms in DEMO_ROOM_TYPES:
        lines.append(f"  {code:<7} {names[lang]}: {ma}/{mc}/{mg}, €{price}, ×{rooms} — {descr[lang]}")
    lines.append(
        "rates: ×1.35 from 15 June to 15 September and 20 December to 6 January, ×0.90 from 7 January"
        " to 15 March and 1 November to 19 December; Friday and Saturday nights ×1.15 more"
    )
    answers = tomllib.loads(resources.files("hotelbox.dialogue.answers").joinpath(f"{lang}.toml").read_text())
    lines.append(f"FAQ answers ({lang}):")
    lines += [f"  {topic}: {text}" for topic, text in answers.get("topics", {}).items()]
    return "\n".join(lines)


def price(room: str, check_in: date, check_out: date) -> str:
    base = next(row[7] for row in DEMO_ROOM_TYPES if row[0] == room)
    from decimal import Decimal

    nights = []
    d = check_in
    while d < check_out:
        nights.append((d, nightly_rate(Decimal(base), d)))
        d += timedelta(days=1)
    per_night = ", ".join(f"{n:%a %d %b} €{p}" for n, p in nights)
    return (
        f"{room} {check_in} → {check_out}: {len(nights)} nights, €{sum(p for _, p in nights)} ({per_night})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conversations.hotel")
    parser.add_argument("lang", nargs="?", default="en", choices=LANGS)
    parser.add_argument("--price", nargs=3, metavar=("ROOM", "CHECK_IN", "CHECK_OUT"))
    args = parser.parse_args(argv)
    if args.price:
        room, ci, co = args.price
        print(price(room, date.fromisoformat(ci), date.fromisoformat(co)))
    else:
        print(facts(args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
