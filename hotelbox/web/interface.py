"""What the web layer uses of the box — all of it, and nothing more.

The try-it chat and the front desk reach the box through :class:`WebBox`, stored in the app under
one key (:data:`BOX`); the web layer does not import the daemon. ``hotelbox.daemon.Box`` is a
``WebBox`` (mypy checks it where ``make_app`` is called); a test can hand in anything shaped
like one.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from hotelbox.config import Settings
    from hotelbox.dialogue.knowledge import Knowledge
    from hotelbox.live_updates import LiveUpdates
    from hotelbox.messages import Inbound
    from hotelbox.nlu.understanding import Understander
    from hotelbox.scheduler import Scheduler
    from hotelbox.store import Store
    from hotelbox.store.inbox import Accepted


class GuestIntake(Protocol):
    """The pipeline, as the try-it chat and the answer preview use it."""

    async def accept(self, inbound: Inbound) -> Accepted: ...  # stored durably, then scheduled

    def today(self) -> date: ...  # the hotel's date, for understanding a message


class Wakeable(Protocol):
    """A background worker the desk nudges after it queued work (a reply, a booking retry)."""

    def wake(self) -> None: ...


class Exposition(Protocol):
    async def exposition(self) -> bytes: ...  # the Prometheus text of /metrics


class KnowsAnswers(Protocol):
    """The dialogue, for the answers staff edit and preview."""

    @property
    def knowledge(self) -> Knowledge: ...


class WebBox(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def live(self) -> LiveUpdates: ...  # updates for the open desk and try-it pages

    @property
    def pipeline(self) -> GuestIntake: ...

    @property
    def sender(self) -> Wakeable: ...

    @property
    def bookings(self) -> Wakeable: ...

    @property
    def dialogue(self) -> KnowsAnswers: ...

    @property
    def scheduler(self) -> Scheduler: ...  # the answer preview runs in the nlu lane

    @property
    def understander(self) -> Understander: ...

    @property
    def metrics(self) -> Exposition: ...

    async def health(self) -> dict[str, Any]: ...


BOX: web.AppKey[WebBox] = web.AppKey("box")
