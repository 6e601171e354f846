"""Who really sent a mail: the receiving server's ``Authentication-Results`` (RFC 8601).

A From: or Reply-To: header is whatever the sender typed, so an address proves nothing by
itself (issue 13, finding 6). The hotel's own mail server checks DKIM, SPF and DMARC on arrival
and writes what it found at the top of the mail, under its name (``email.auth_serv_id``). We
believe only that: the topmost run of results carrying that name — a sender can put a header
with the same name further down, never above what the server prepended — and count the From
address as proven when DMARC passed for its domain, or a DKIM signature of that domain (or a
parent of it) passed. Anything else is a claim, not an identity.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass, field
from email.utils import parseaddr


@dataclass(frozen=True)
class Result:
    method: str  # dkim, spf, dmarc, arc…
    result: str  # pass, fail, none, …
    properties: dict[str, str] = field(default_factory=dict)  # header.d, header.from, smtp.mailfrom…


def strip_comments(value: str) -> str:
    """RFC 5322 comments (nested parentheses, quoted strings kept) removed."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for ch in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
            if depth == 0:
                out.append(ch)
            continue
        if quoted:
            if ch == '"':
                quoted = False
            out.append(ch)
        elif ch == '"' and depth == 0:
            quoted = True
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append(" ")
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def parse_header(value: str) -> tuple[str, list[Result]]:
    """(authserv-id, results) of one Authentication-Results value; ("", []) when unreadable."""
    statements = [s.strip() for s in strip_comments(" ".join(value.split())).split(";")]
    if not statements or not statements[0]:
        return "", []
    authserv_id = statements[0].split()[0].lower()
    results: list[Result] = []
    for statement in statements[1:]:
        words = statement.split()
        if not words or "=" not in words[0]:
            continue  # "none" (no checks done) or junk
        method, _, result = words[0].partition("=")
        props: dict[str, str] = {}
        for word in words[1:]:
            key, sep, val = word.partition("=")
            if sep and "." in key:
                props[key.lower()] = val.strip('"').lower()
        results.append(Result(method.split("/")[0].lower(), result.lower(), props))
    return authserv_id, results


def trusted_results(raw: bytes, auth_serv_id: str) -> list[Result]:
    """The results our server wrote: the topmost consecutive Authentication-Results headers
    with its id. A header with its id after any other one is the sender's forgery."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    wanted = auth_serv_id.lower()
    trusted: list[Result] = []
    started = False
    for name, value in headers.items():
        if name.lower() != "authentication-results":
            if started:
                break  # the run from the top is over
            continue
        server, results = parse_header(str(value))
        if server != wanted:
            break  # another server's (or a forged) header: nothing below it is ours
        started = True
        trusted.extend(results)
    return trusted


def _aligned(signer: str, domain: str) -> bool:
    signer = signer.lstrip("@").rsplit("@", 1)[-1].strip(".")
    return "." in signer and (domain == signer or domain.endswith("." + signer))


def authenticated_from(raw: bytes, auth_serv_id: str | None) -> str | None:
    """The From address, lower-cased, when our server proved it (DMARC pass for its domain, or
    an aligned DKIM pass); otherwise None. Never raises on a mail's content."""
    if not auth_serv_id:
        return None
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        froms = headers.get_all("From") or []
        if len(froms) != 1:
            return None  # two From headers: which one would the guest's client show?
        address = parseaddr(str(froms[0]))[1].lower()
        if "@" not in address:
            return None
        domain = address.rsplit("@", 1)[1].strip(".")
        for r in trusted_results(raw, auth_serv_id):
            if r.result != "pass":
                continue
            if r.method == "dmarc" and r.properties.get("header.from", "").strip(".") == domain:
                return address
            if r.method == "dkim" and _aligned(r.properties.get("header.d", ""), domain):
                return address
    except (ValueError, TypeError, IndexError, LookupError):
        return None
    return None
