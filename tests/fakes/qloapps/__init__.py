"""A faithful fake of the QloApps 1.6.1 webservice, for tests and local demos.

It speaks the captured API (tests/data/qloapps/exchanges.jsonl, replayed by
tests/integration/test_qloapps_fake_contract.py): the same URLs and parameters, JSON only with
upper-case ``JSON``, XML root ``<qloapps>``, hotel_ari taking XML only, bookings answered 200,
DELETE 405, the error bodies and statuses (PHP warnings included), the ``adult``/``adults`` bug,
the 500-but-created booking without a tax field, "Fatal error" for a bad e-mail, phone erasure,
and no locking between concurrent bookings. State is real (rooms per night, orders, lines).

Switches for failure tests: ``latency_s``, ``fail_next(n)``, ``hang``, ``go_down()`` /
``come_back()``, ``webservice_enabled``, ``tax_excluded_display``, ``php74``, and on
``hotel``: ``request_seconds`` (run time of a booking request) and ``race`` (what two
writers for the last room get).

    async with FakeQloApps() as fake:
        client = QloApps(fake.url, fake.key, ...)
"""

from tests.fakes.qloapps.server import FULL_KEY, FakeQloApps, KeySpec

__all__ = ["FULL_KEY", "FakeQloApps", "KeySpec"]
