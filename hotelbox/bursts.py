"""A burst of messages from one guest as one turn (issue 18): five "Thanks!" mails arriving
together get one reply, and use one automatic reply of the guest's hourly allowance.

For channels with a merge window (e-mail), the pipeline waits until the guest has been quiet for
the window (at most ``MAX_WINDOWS`` windows after the oldest waiting message), then folds the
consecutive pending text messages into one inbox item: the texts joined (exact repeats once),
the last message's identity (threading, ``sent_at``), and the earlier rows in ``merged`` so the
commit finishes them all in the same transaction. Nothing is acknowledged differently: every
row stays pending until that commit, so a crash in the window re-reads them all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hotelbox.store.inbox import InboxItem

MAX_WINDOWS = 3


def _mergeable(item: InboxItem) -> bool:
    """A plain guest text: no event, no voice, no button press, nothing that must not be answered."""
    if item.kind != "message" or item.received_at is None:
        return False
    p = item.payload
    return (
        p.get("kind", "text") == "text"
        and not p.get("choice")
        and not (p.get("payload") or {}).get("no_reply")
    )


def wait_s(items: list[InboxItem], window_s: float, now: datetime) -> float:
    """How long to wait before the pending items may be folded (0: now)."""
    burst = [i for i in items if _mergeable(i)]
    if window_s <= 0 or not burst:
        return 0.0
    newest = max(datetime.fromisoformat(i.received_at or "") for i in burst)
    oldest = min(datetime.fromisoformat(i.received_at or "") for i in burst)
    quiet_at = (newest - now).total_seconds() + window_s
    cap_at = (oldest - now).total_seconds() + MAX_WINDOWS * window_s
    return max(0.0, min(quiet_at, cap_at))


def fold(items: list[InboxItem], window_s: float) -> list[InboxItem]:
    """Consecutive mergeable messages, each within the window of the previous, as one item."""
    if window_s <= 0:
        return items
    out: list[InboxItem] = []
    group: list[InboxItem] = []

    def flush() -> None:
        if group:
            out.append(_merge(group))
            group.clear()

    for item in items:
        if not _mergeable(item):
            flush()
            out.append(item)
            continue
        if group:
            gap = datetime.fromisoformat(item.received_at or "") - datetime.fromisoformat(
                group[-1].received_at or ""
            )
            if gap.total_seconds() > window_s:
                flush()
        group.append(item)
    flush()
    return out


def _merge(group: list[InboxItem]) -> InboxItem:
    if len(group) == 1:
        return group[0]
    texts: list[str] = []
    for item in group:
        text = str(item.payload.get("text") or "").strip()
        if text and text not in texts:  # the same mail sent five times is said once
            texts.append(text)
    last = group[-1]
    payload = dict(last.payload)
    payload["text"] = "\n\n".join(texts)
    return replace(last, payload=payload, merged=tuple(i.id for i in group[:-1]))
