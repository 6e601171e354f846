"""What is wrong with the box, as a list of problems ``{code, part, reason}``.

``/healthz``, the front desk's Health page and the control socket all show this list; the box is
``degraded`` whenever it is not empty. It said ``ok`` while QloApps was down and while the relay
refused the link's key (issue 14): every part the box needs is asked here, and a part that is
configured but not working is a problem with the reason an operator can act on.
:func:`report` builds the whole answer (``Box.health`` is this) from the box's parts.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hotelbox.pms.mirror import MirroredPms
from hotelbox.store import backlog

if TYPE_CHECKING:
    from hotelbox.config import Settings
    from hotelbox.maintenance import Maintenance
    from hotelbox.nlu.understanding import Understander
    from hotelbox.pms import Pms
    from hotelbox.scheduler import Scheduler
    from hotelbox.store import Store


class Reports(Protocol):
    def health(self) -> dict[str, Any]: ...


class Counts(Protocol):
    @property
    def processed(self) -> int: ...

    @property
    def failed(self) -> int: ...


class BoxState(Protocol):
    """What the health report and the metrics read of the box — all of it (``daemon.Box`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def pms(self) -> Pms: ...

    @property
    def understander(self) -> Understander: ...

    @property
    def voice(self) -> Reports: ...

    @property
    def whatsapp(self) -> Reports | None: ...

    @property
    def email(self) -> Reports | None: ...

    @property
    def pipeline(self) -> Counts: ...

    @property
    def scheduler(self) -> Scheduler: ...

    @property
    def maintenance(self) -> Maintenance: ...

    @property
    def ready(self) -> bool: ...

    @property
    def started_at(self) -> float: ...

    @property
    def load_seconds(self) -> dict[str, float]: ...


@dataclass(frozen=True)
class Problem:
    code: str  # stable, for alerts and the desk's translations
    part: str  # store, disk, pms, relay_link, whatsapp, email, speech, nlu
    reason: str  # for people: what is wrong and what it means for guests

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def pms_problems(pms: dict[str, Any]) -> list[Problem]:
    if pms.get("kind") != "qloapps":
        return []
    mirror = pms.get("mirror") or {}
    if "error" in mirror:
        return [Problem("pms_status_unknown", "pms", f"the mirror's state cannot be read: {mirror['error']}")]
    found = []
    breaker = mirror.get("breaker")
    if breaker in ("open", "half_open"):
        found.append(
            Problem(
                "pms_unavailable",
                "pms",
                "QloApps does not answer (circuit open): guests get prices and availability from the "
                "mirror, bookings wait in the queue until it is back",
            )
        )
    for job, state in sorted((mirror.get("jobs") or {}).items()):
        if state.get("failures"):
            found.append(
                Problem(
                    "pms_sync_failed",
                    "pms",
                    f"the last {job} sync failed ({state['failures']}× in a row): {state.get('last_error')}",
                )
            )
    return found


def link_problems(whatsapp: dict[str, Any] | None) -> list[Problem]:
    if whatsapp is None:
        return []
    found = []
    link = whatsapp.get("link") or {}
    if link.get("refused"):
        found.append(
            Problem(
                "relay_link_refused",
                "relay_link",
                f"the relay refuses this box ({link.get('last_error')}): relay_link.key_file and box_id "
                "must match the relay's relay.boxes entry; WhatsApp messages wait at the relay",
            )
        )
    elif not link.get("connected"):
        error = link.get("last_error") or "not connected yet"
        found.append(
            Problem(
                "relay_link_down",
                "relay_link",
                f"no link to the relay ({error}): WhatsApp messages wait at the relay until it is back",
            )
        )
    if whatsapp.get("alert"):
        found.append(
            Problem("whatsapp_refused", "whatsapp", f"Meta refuses the box's sends: {whatsapp['alert']}")
        )
    return found


def email_problems(email: dict[str, Any] | None) -> list[Problem]:
    if email is None or email.get("connected"):
        return []
    error = email.get("last_error") or "not connected yet"
    return [Problem("email_down", "email", f"the mailbox cannot be read ({error}): guests' mails wait there")]


def speech_problems(speech: dict[str, Any]) -> list[Problem]:
    if not speech.get("enabled"):
        return []
    found = [
        Problem("speech_unavailable", "speech", f"{role}: {what}")
        for role, what in sorted((speech.get("problems") or {}).items())
    ]
    if not speech.get("stt"):
        found.append(
            Problem("stt_unavailable", "speech", "no speech-to-text: voice notes get a 'please type' reply")
        )
    return found


def problems(facts: dict[str, Any]) -> list[Problem]:
    """Every problem the facts of :func:`report` show (store and disk come in already)."""
    models = facts.get("models") or {}
    found = list(facts.get("base_problems", []))
    if models.get("nlu") is False:
        found.append(Problem("nlu_missing", "nlu", "the understanding model is not loaded"))
    found += pms_problems(facts.get("pms") or {})
    found += link_problems(facts.get("whatsapp"))
    found += email_problems(facts.get("email"))
    found += speech_problems(models.get("speech") or {})
    return found


async def report(box: BoxState) -> dict[str, Any]:
    """The facts /healthz, the front desk and the control socket show, with the problems in them."""
    integrity_ok = True
    try:
        pending: backlog.Backlog | None = await box.store.read(backlog.pending)
    except Exception:
        integrity_ok = False
        pending = None
    base = [] if integrity_ok else [Problem("store_unreadable", "store", "the database cannot be read")]
    if box.store.disk.low():  # new work refused until space is freed
        base.append(Problem("disk_full", "disk", "the disk is nearly full: new messages are refused"))
    facts = {
        "base_problems": base,
        "pms": await pms_status(box.pms),
        "models": {"nlu": box.understander.model is not None, "speech": box.voice.health()},
        "whatsapp": box.whatsapp.health() if box.whatsapp is not None else None,
        "email": box.email.health() if box.email is not None else None,
    }
    found = [p.to_json() for p in problems(facts)]
    del facts["base_problems"]
    return {
        "status": "starting" if not box.ready else "degraded" if found else "ok",
        "problems": found,
        "uptime_s": round(time.time() - box.started_at, 1) if box.started_at else 0,
        **facts,
        "backlog": (
            {"outbox": pending.outbox, "inbox": pending.inbox, "pms": pending.pms} if pending else None
        ),
        "pipeline": {"processed": box.pipeline.processed, "failed": box.pipeline.failed},
        "scheduler": box.scheduler.snapshot(),
        "load_seconds": {k: round(v, 3) for k, v in box.load_seconds.items()},
        "disk": disk_usage(box.settings.state_dir) | {"min_free_bytes": box.store.disk.min_free_bytes},
        "maintenance": {"last_run": box.maintenance.last_run, "last": box.maintenance.last_counts},
    }


async def pms_status(pms: Pms) -> dict[str, Any]:
    status: dict[str, Any] = {"kind": pms.kind}
    if isinstance(pms, MirroredPms):
        try:
            status["mirror"] = await pms.status()
        except Exception as exc:  # health must answer even when the store struggles
            status["mirror"] = {"error": str(exc)}
    return status


def disk_usage(path: Path) -> dict[str, Any]:
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return {"error": str(exc)}
    return {
        "free_bytes": usage.free,
        "total_bytes": usage.total,
        "free_percent": round(100 * usage.free / usage.total, 1) if usage.total else 0.0,
    }
