"""The box's SQLite store: :class:`Store` plus one module per table family."""

from hotelbox.store.database import Store, utcnow

__all__ = ["Store", "utcnow"]
