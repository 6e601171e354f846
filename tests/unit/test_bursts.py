"""Folding a burst of one guest's messages into one turn (issue 18.3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hotelbox.bursts import fold, wait_s
from hotelbox.store.inbox import InboxItem

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def mail(n: int, at_s: float, text: str = "Thanks!", **extra: Any) -> InboxItem:
    payload = {"channel": "email", "kind": "text", "text": text, "choice": None, "payload": {}, **extra}
    at = (T0 + timedelta(seconds=at_s)).isoformat(timespec="milliseconds")
    return InboxItem(n, 1, 100 + n, "message", payload, 0, at)


def test_five_repeats_within_the_window_are_one_item_saying_it_once() -> None:
    items = [mail(n, n * 0.01) for n in range(1, 6)]
    [one] = fold(items, 3.0)
    assert one.id == 5  # the last mail: threading and sent_at follow it
    assert one.merged == (1, 2, 3, 4)
    assert one.payload["text"] == "Thanks!"


def test_different_texts_are_joined_in_order_and_a_gap_splits_the_burst() -> None:
    items = [mail(1, 0, "Hi"), mail(2, 1, "two adults please"), mail(3, 10, "and parking?")]
    first, second = fold(items, 3.0)
    assert first.payload["text"] == "Hi\n\ntwo adults please"
    assert (second.id, second.merged) == (3, ())


def test_no_reply_mail_events_and_a_zero_window_are_never_folded() -> None:
    auto = mail(2, 0.5, "out of office", payload={"no_reply": "auto_reply"})
    event = InboxItem(3, 1, None, "event", {"type": "pms_result"}, 0, T0.isoformat())
    items = [mail(1, 0), auto, event, mail(4, 1)]
    assert [i.id for i in fold(items, 3.0)] == [1, 2, 3, 4]
    assert fold([mail(1, 0), mail(2, 0.1)], 0) == [mail(1, 0), mail(2, 0.1)]


def test_wait_for_quiet_but_never_more_than_three_windows() -> None:
    assert wait_s([mail(1, 0)], 3.0, T0 + timedelta(seconds=1)) == 2.0
    assert wait_s([mail(1, 0)], 3.0, T0 + timedelta(seconds=5)) == 0.0
    steady = [mail(n, n * 2.0) for n in range(5)]  # one every 2 s: never 3 s of quiet
    assert wait_s(steady, 3.0, T0 + timedelta(seconds=8.5)) == 0.5  # the cap: 9 s after the first
    assert wait_s([mail(1, 0)], 0, T0) == 0.0
