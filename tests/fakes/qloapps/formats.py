"""QloApps 1.6.1 webservice wire formats, as captured in tests/data/qloapps/exchanges.jsonl.

JSON: PHP's json_encode (``/`` escaped in core resources, non-ASCII escaped in ``bookings``),
empty lists as a bare ``[]``. XML: root ``<qloapps xmlns:xlink=…>``, values in CDATA. Errors:
``{"errors":[{"code":N,"message":…}]}``, the HTTP status being that of the LAST error added —
which is why PHP warnings appended after a real error turn a 400 into a 500.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

XMLNS = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
WARNING_FILE = "/var/www/qloapps/classes/webservice/WebserviceRequest.php"


class ApiError(Exception):
    """A QloApps error response: a list of (code, message, http status)."""

    def __init__(self, *errors: tuple[int, str, int]) -> None:
        super().__init__(errors[-1][1])
        self.errors = list(errors)

    @property
    def status(self) -> int:
        return self.errors[-1][2]


class RawResponse(Exception):
    """A failure QloApps answers without an error document (empty 500, 'Fatal error'…)."""

    def __init__(self, status: int, body: str = "", content_type: str = "text/html; charset=utf-8") -> None:
        super().__init__(f"{status} {body!r}")
        self.status = status
        self.body = body
        self.content_type = content_type


def php_warning(message: str, file: str = WARNING_FILE, line: int = 1205) -> tuple[int, str, int]:
    return (3, f"[PHP Warning #2] {message} ({file}, line {line})", 500)


def array_offset_warnings() -> list[tuple[int, str, int]]:
    """The four warnings WebserviceRequest appends after a bad filter, display, sort or limit."""
    return [
        php_warning("Trying to access array offset on value of type bool", line=n) for n in range(1205, 1209)
    ]


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def closest(word: str, candidates: list[str]) -> str:
    """PHP's pick for "Did you mean": the first candidate at the smallest Levenshtein distance."""
    return min(candidates, key=lambda c: levenshtein(word, c))


# -- JSON -------------------------------------------------------------------------------------
def php_json(data: Any, *, escape_unicode: bool = False) -> str:
    """json_encode as QloApps calls it: compact, '/' escaped."""
    text = json.dumps(data, ensure_ascii=escape_unicode, separators=(",", ":"))
    return text.replace("/", "\\/")


def errors_json(errors: list[tuple[int, str, int]]) -> str:
    return php_json({"errors": [{"code": c, "message": m} for c, m, _ in errors]})


# -- XML --------------------------------------------------------------------------------------
def cdata(value: Any) -> str:
    if value is None or value is False or value == "":
        return ""
    if value is True:
        value = 1
    return f"<![CDATA[{value}]]>"


def xml_document(inner: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<qloapps {XMLNS}>\n{inner}\n</qloapps>\n'


def errors_xml(errors: list[tuple[int, str, int]]) -> str:
    items = "".join(
        f"<error>\n<code>{cdata(c)}</code>\n<message>{cdata(m)}</message>\n</error>\n" for c, m, _ in errors
    )
    return xml_document(f"<errors>\n{items}</errors>")


def xml_value(
    tag: str, value: Any, base: str, links: dict[str, str] | None = None, lang_fields: set[str] = frozenset()
) -> str:
    links = links or {}
    href = (
        f' xlink:href="{base}/api/{links[tag]}/{value}"'
        if tag in links and value not in (None, "", 0, False)
        else ""
    )
    if tag in lang_fields:
        return (
            f'<{tag}><language id="1" xlink:href="{base}/api/languages/1">{cdata(value)}</language></{tag}>'
        )
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(xml_value(k, v, base) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        singular = tag[:-1] if tag.endswith("s") else tag
        return f"<{tag}>" + "".join(xml_value(singular, v, base) for v in value) + f"</{tag}>"
    return f"<{tag}{href}>{cdata(value)}</{tag}>"


# -- query parameters -------------------------------------------------------------------------
@dataclass
class Query:
    display: str | list[str] | None = None  # None (ids), "full", or field names
    filters: dict[str, str] = field(default_factory=dict)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: tuple[int, int | None] | None = None  # (offset, count)
    date: bool = False
    schema: str | None = None


_BRACKETS = re.compile(r"^\[(.*)\]$")


def parse_query(params: dict[str, str]) -> Query:
    q = Query()
    display = params.get("display")
    if display == "full":
        q.display = "full"
    elif display:
        m = _BRACKETS.match(display)
        q.display = [f.strip() for f in (m.group(1) if m else display).split(",") if f.strip()]
    for key, value in params.items():
        m = re.match(r"^filter\[(\w+)\]$", key)
        if m:
            q.filters[m.group(1)] = value
    if params.get("sort"):
        m = _BRACKETS.match(params["sort"])
        for part in (m.group(1) if m else params["sort"]).split(","):
            name, _, direction = part.rpartition("_")
            q.sort.append((name, direction.upper() == "DESC"))
    if "limit" in params:
        parts = params["limit"].split(",")
        if len(parts) > 2 or not all(p.strip().isdigit() for p in parts):
            raise ApiError(
                (39, 'The "limit" value has to be formed as this example: "5,25" or "10"', 400),
                *array_offset_warnings(),
            )
        q.limit = (0, int(parts[0])) if len(parts) == 1 else (int(parts[0]), int(parts[1]))
    q.date = params.get("date") == "1"
    q.schema = params.get("schema")
    return q


def matches(value: Any, expression: str) -> bool:
    """QloApps filter expressions: [v], [a|b], [lo,hi], >[v], <[v], %[v]%."""
    text = "" if value is None else str(value)
    m = re.match(r"^([<>]?)\[(.*)\]$", expression)
    if expression.startswith("%[") and expression.endswith("]%"):
        return expression[2:-2].lower() in text.lower()
    if not m:
        return text == expression
    op, inner = m.groups()
    if op == ">":
        return _cmp(text, inner) > 0
    if op == "<":
        return _cmp(text, inner) < 0
    if "|" in inner:
        return any(text == v for v in inner.split("|"))
    if "," in inner:
        lo, hi = inner.split(",", 1)
        return _cmp(text, lo) >= 0 and _cmp(text, hi) <= 0
    if inner.startswith("%") or inner.endswith("%"):
        return inner.strip("%").lower() in text.lower()
    return text == inner or text.lower() == inner.lower()


def _cmp(a: str, b: str) -> int:
    try:
        fa, fb = float(a), float(b)
        return (fa > fb) - (fa < fb)
    except ValueError:
        pass
    try:  # MySQL compares a DATETIME column with '2027-10-05' as 2027-10-05 00:00:00
        da, db = datetime.fromisoformat(a), datetime.fromisoformat(b)
        return (da > db) - (da < db)
    except ValueError:
        return (a > b) - (a < b)
