"""The runner on a real Box: guest turns go in through the WhatsApp intake (stored as relayed
webhook events), taps press the buttons WhatsApp showed, the hotel's date is the pinned one, and
a conversation that ends wrong says why in a readable transcript."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.conversations.runner import CorpusRunner
from tests.conversations.schema import Conversation


def conversation(**fields: Any) -> Conversation:
    base: dict[str, Any] = {
        "id": "en-cancel-901",
        "lang": "en",
        "variety": "en-native",
        "category": "cancel",
        "split": "dev",
        "phone": "+447700900999",
        "today": "2026-02-01",
        "note": "runner self-test",
        "bookings": [
            {
                "key": "b1",
                "phone": "+447700900999",
                "room": "double",
                "check_in": "2026-03-20",
                "check_out": "2026-03-23",
                "adults": 2,
                "name": "Sarah Collins",
            }
        ],
        "turns": ["hello, I need to cancel my booking {b1.ref}", {"tap": 1}, "thanks"],
        "expect": {"bookings": [{"key": "b1", "status": "cancelled"}], "new_bookings": 0, "handoff": False},
    }
    return Conversation.model_validate(base | fields)


async def test_a_tap_presses_the_button_and_the_pms_is_checked(nlu_cache: Path, tmp_path: Path) -> None:
    async with CorpusRunner(tmp_path) as runner:
        # the hotel's date is the conversation's (a day already past for the machine's clock)
        good = await runner.play(conversation())
        assert good.passed, good.transcript()
        assert runner.box.pipeline.today() == date(2026, 2, 1)
        assert runner.pms.today() == date(2026, 2, 1)
        assert good.turns[1].guest.startswith("[taps ")
        assert good.turns[0].replies[0].widget == "button_reply"
        assert all(t.latency_s is not None for t in good.turns)
        events = await runner.box.store.fetchall("SELECT status FROM relay_events")
        assert [e["status"] for e in events] == ["parsed"] * 3  # the real intake path
        inbox = await runner.box.store.fetchall(
            "SELECT channel, status FROM inbox WHERE channel != 'internal'"
        )
        assert {(r["channel"], r["status"]) for r in inbox} == {("whatsapp", "done")}

        # same phone, next conversation: a new guest, an emptied PMS, nothing carried over
        wrong = await runner.play(
            conversation(
                id="en-cancel-902",
                turns=["what time is check-in?", {"tap": 2}, "and do you have a penthouse?"],
                expect={
                    "bookings": [{"key": "b1", "status": "cancelled"}],
                    "new_bookings": 1,
                    "mentions": ["no such fact"],
                },
            )
        )
        assert not wrong.passed
        text = wrong.transcript()
        reasons = "\n".join(wrong.reasons)
        assert "turn 2: tap 2, but the bot's last message offered no choices" in reasons
        assert "booking b1: status confirmed (expected cancelled)" in reasons
        assert "expected 1 new booking(s), the chat made 0" in reasons
        assert "no reply mentions 'no such fact'" in reasons
        assert "guest 1> what time is check-in?" in text
        assert "15:00" in text  # the bot's answer is in the transcript
        assert len(await runner.pms.all_bookings()) == 1
