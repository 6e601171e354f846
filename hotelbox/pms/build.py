"""The hotel's PMS as ``pms.kind`` says: the embedded demo hotel, or QloApps behind its local mirror
(the webservice key read from the settings, a file or a systemd credential; the circuit breaker
and the mirror's sync built with the callbacks the box gives them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from hotelbox.breaker import CircuitBreaker
from hotelbox.config import ConfigError, Settings, read_secret
from hotelbox.pms import Pms
from hotelbox.pms.demo import DemoPms
from hotelbox.pms.mirror import MirroredPms
from hotelbox.pms.qloapps import QloAppsPms
from hotelbox.pms.qloapps_api import QloAppsApi
from hotelbox.pms.sync import MirrorSync
from hotelbox.scheduler import Scheduler
from hotelbox.store import Store


def qloapps_key(settings: Settings) -> str:
    q = settings.pms.qloapps
    key = read_secret(q.key, q.key_file, "qloapps_key")
    if not key:
        raise ConfigError(
            "pms.kind is 'qloapps' but no webservice key was given: set pms.qloapps.key_file "
            "(or the systemd credential 'qloapps_key', or HOTELBOX_PMS__QLOAPPS__KEY)"
        )
    return key


def make_pms(
    settings: Settings,
    store: Store,
    scheduler: Scheduler,
    *,
    today: Callable[[], date] | None = None,
    on_catalogue: Callable[[object], Awaitable[None]] | None = None,
    on_recovered: Callable[[], Awaitable[None]] | None = None,
    on_answering_again: Callable[[], None] | None = None,
    on_booking_changed: Callable[[int], None] | None = None,
) -> Pms:
    """The PMS of ``pms.kind``. ``today``: the demo hotel's date (the corpus pins it). QloApps:
    ``on_catalogue`` (rooms or rates changed), ``on_recovered`` (a sync succeeded after failures)
    ``on_answering_again`` (its circuit closed) and ``on_booking_changed`` (a conversation's booking
    was changed in QloApps' back office; the conversation's id) are called by the mirror and the
    breaker."""
    if settings.pms.kind == "demo":
        return DemoPms(settings.demo_pms_path, today=today)
    if settings.pms.kind == "qloapps":
        q = settings.pms.qloapps
        key = qloapps_key(settings)
        breaker = CircuitBreaker(
            "qloapps",
            failures=q.breaker_failures,
            cooldown_s=q.breaker_cooldown_s,
            on_close=on_answering_again,
        )
        remote = QloAppsPms(q, key, QloAppsApi(q, key, breaker))
        sync = MirrorSync(
            remote,
            store,
            scheduler,
            settings.pms.sync,
            settings.hotel.today,
            on_catalogue=on_catalogue,
            on_recovered=on_recovered,
            on_booking_changed=on_booking_changed,
        )
        return MirroredPms(remote, sync, settings.pms.sync)
    raise ValueError(f"unknown pms.kind {settings.pms.kind!r}")
