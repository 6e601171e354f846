"""Serving files guests sent (voice notes, photos, documents) without letting them run as ours.

A guest chooses both the bytes and the Content-Type they arrive with, so a stored "document" can
be an HTML page that loads another guest file as a script; served inline from the desk's origin
it would run with the desk's cookies (issue 13, finding 2). Only an allow-list of audio and image
types is served inline, as exactly that type; everything else is an opaque download. Every answer
carries ``nosniff`` and a sandbox CSP, so even a browser that guesses cannot run it here.
"""

from __future__ import annotations

from aiohttp import web

INLINE_TYPES = frozenset(
    {
        "audio/ogg",
        "audio/opus",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "audio/webm",
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
    }
)  # never SVG, HTML, XML, PDF or script: those can carry code
SANDBOX_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def guest_file_response(path: str, mime: str | None, name: str) -> web.FileResponse:
    """The file at ``path`` as a response that can be played or viewed, never executed."""
    kind = "audio/ogg" if path.endswith(".ogg") else (mime or "").split(";")[0].strip().lower()
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX_CSP,
    }
    if kind in INLINE_TYPES:
        headers["Content-Type"] = kind
        headers["Content-Disposition"] = "inline"
    else:
        headers["Content-Type"] = "application/octet-stream"
        headers["Content-Disposition"] = f'attachment; filename="{name}.bin"'
    return web.FileResponse(path, headers=headers)
