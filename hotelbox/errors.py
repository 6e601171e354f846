"""Domain errors: a stable machine ``code`` plus a human message.

Codes are part of the contract (logs, metrics, the front desk, the HTTP API); never rename one.
Adapters map their failures onto these; the web layer maps them to HTTP in one place.
"""

from __future__ import annotations


class HotelboxError(Exception):
    code = "internal"
    http_status = 500

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message or self.code)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(HotelboxError):
    code = "invalid_input"
    http_status = 400


class NotFound(HotelboxError):
    code = "not_found"
    http_status = 404


class Unavailable(HotelboxError):
    """A dependency (PMS, model, disk) cannot serve right now; retrying later may work."""

    code = "unavailable"
    http_status = 503


class PmsError(HotelboxError):
    code = "pms_error"
    http_status = 502


class PmsUnavailable(PmsError, Unavailable):
    code = "pms_unavailable"
    http_status = 503


class PmsAuthError(PmsError):
    """The PMS refused our key (wrong, inactive, missing permission): staff must fix settings."""

    code = "pms_auth"
    http_status = 502


class RoomNotAvailable(PmsError):
    code = "room_not_available"
    http_status = 409


class PmsNotFound(PmsError, NotFound):
    """The PMS has no such record (QloApps: a 404 with an empty body)."""

    code = "pms_not_found"
    http_status = 404


class BookingNotFound(PmsNotFound):
    code = "booking_not_found"
    http_status = 404


class BookingRejected(PmsError):
    """The PMS refused the request for a reason retrying will not change."""

    code = "booking_rejected"
    http_status = 422


class BookingConflict(PmsError):
    """The PMS holds an order with this booking's token that is not what the guest asked for
    (another box's, another install's, or changed since): staff must look; never a confirmation."""

    code = "booking_conflict"
    http_status = 409


class ModelError(HotelboxError):
    code = "model_error"
    http_status = 503
