"""Media guests sent (voice notes, images): a row per message, downloaded as soon as stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotelbox.store.database import AConn, Conn, fetchall, fetchone, insert, utcnow


@dataclass(frozen=True)
class MediaItem:
    id: int
    message_id: int
    channel: str
    channel_media_id: str | None
    mime_type: str | None
    sha256: str | None
    url: str | None
    path: str | None
    status: str
    attempts: int

    @classmethod
    def from_row(cls, r: Any) -> MediaItem:
        return cls(
            r["id"],
            r["message_id"],
            r["channel"],
            r["channel_media_id"],
            r["mime_type"],
            r["sha256"],
            r["url"],
            r["path"],
            r["status"],
            r["attempts"],
        )


def add(conn: Conn, message_id: int, channel: str, media: dict[str, Any]) -> int:
    """A guest's media: to download (a channel id or URL), or already stored (``path``)."""
    now = utcnow()
    stored = bool(media.get("path"))
    return insert(
        conn,
        "INSERT INTO media (message_id, channel, channel_media_id, mime_type, sha256, url, path, size, status,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            message_id,
            channel,
            media.get("id"),
            media.get("mime_type"),
            media.get("sha256"),
            media.get("url"),
            media.get("path"),
            media.get("size"),
            "stored" if stored else "pending",
            now,
            now,
        ),
    )


async def pending(conn: AConn, limit: int = 20) -> list[MediaItem]:
    rows = await fetchall(conn, "SELECT * FROM media WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,))
    return [MediaItem.from_row(r) for r in rows]


async def for_message(conn: AConn, message_id: int) -> MediaItem | None:
    row = await fetchone(conn, "SELECT * FROM media WHERE message_id = ?", (message_id,))
    return MediaItem.from_row(row) if row else None


def stored(conn: Conn, media_id: int, path: str, size: int, mime_type: str | None) -> None:
    conn.execute(
        "UPDATE media SET status = 'stored', path = ?, size = ?, mime_type = coalesce(?, mime_type),"
        " error = NULL, attempts = attempts + 1, updated_at = ? WHERE id = ?",
        (path, size, mime_type, utcnow(), media_id),
    )


def failed(conn: Conn, media_id: int, error: str, *, final: bool) -> None:
    conn.execute(
        "UPDATE media SET status = ?, error = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
        ("failed" if final else "pending", error[:300], utcnow(), media_id),
    )
