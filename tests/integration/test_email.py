"""E-mail against real servers on 127.0.0.1: Dovecot (the hotel's mailbox, IMAP IDLE) and an
aiosmtpd submission server (what the box sends)."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from tests.fakes.mailserver import PASSWORD, USER, Dovecot, SmtpServer, guest_mail
from tests.helpers import say_date
from tests.support import hotel_today, wait_for


@dataclass
class Mail:
    dovecot: Dovecot
    smtp: SmtpServer
    settings: Settings
    box: Box | None = None

    async def replies_to(self, address: str, count: int, within_s: float = 30) -> list[Any]:
        await wait_for(lambda: len(self.smtp.to(address)) >= count, within_s)
        return self.smtp.to(address)

    async def stored(self, count: int, within_s: float = 30) -> None:
        assert self.box is not None

        async def enough() -> bool:
            row = await self.box.store.fetchone("SELECT count(*) AS n FROM email_log")  # type: ignore[union-attr]
            return row is not None and row["n"] >= count

        await wait_for(enough, within_s)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Dovecot, SmtpServer]]:
    dovecot = Dovecot()
    dovecot.start()
    smtp = SmtpServer()
    smtp.start()
    try:
        yield dovecot, smtp
    finally:
        smtp.stop()
        dovecot.stop()
        dovecot.remove()


def mail_settings(tmp: Path, dovecot: Dovecot, smtp: SmtpServer, **extra: Any) -> Settings:
    return load_settings(
        state_dir=tmp / "box",
        email={
            "enabled": True,
            "address": USER,
            "display_name": "Hotel Miramar",
            "imap_host": "127.0.0.1",
            "imap_port": dovecot.port,
            "imap_security": "none",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "smtp_login": False,
            "password": PASSWORD,
            "idle_renew_s": 30,
            "reconnect_max_s": 1,
            **extra.pop("email", {}),
        },
        speech={"enabled": False},
        **extra,
    )


@pytest.fixture
async def mail(servers: tuple[Dovecot, SmtpServer], tmp_path: Path, nlu_cache: Path) -> AsyncIterator[Mail]:
    dovecot, smtp = servers
    m = Mail(dovecot, smtp, mail_settings(tmp_path, dovecot, smtp))
    async with Box(m.settings, {}, live_channels=True) as box:
        m.box = box
        assert box.email is not None
        assert box.email.watcher is not None
        await wait_for(lambda: box.email.watcher.connected, 15)  # type: ignore[union-attr]
        yield m


async def test_a_guest_mail_in_spanish_gets_a_threaded_answer(mail: Mail) -> None:
    sent = guest_mail(
        "Ana García <ana@guest.example>",
        "Hola, ¿a qué hora es el check-in?\n\nGracias,\nAna",
        subject="Pregunta",
    )
    mail.dovecot.deliver(sent)
    [reply] = await mail.replies_to("ana@guest.example", 1)
    assert reply["In-Reply-To"] == sent["Message-ID"]
    assert sent["Message-ID"] in reply["References"]
    assert reply["Subject"] == "Re: Pregunta"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["X-Hotelbox-Loop"]
    assert reply["Message-ID"].startswith("<hb.")
    assert "15:00" in reply.get_content()
    await wait_for(lambda: mail.dovecot.seen() == (1, 1), 10)  # flagged seen once stored


async def test_a_booking_made_by_email_exists_in_the_pms(mail: Mail) -> None:
    assert mail.box is not None
    day = hotel_today() + timedelta(days=60)
    first = guest_mail(
        "Luis Martín <luis@guest.example>",
        f"Buenas, quiero reservar una habitación doble del {say_date(day, 'es')} al "
        f"{say_date(day + timedelta(days=2), 'es')} para 2 adultos. Soy Luis Martín.",
    )
    mail.dovecot.deliver(first)
    [summary] = await mail.replies_to("luis@guest.example", 1)
    assert "1. " in summary.get_content()  # choices become numbered lines in mail
    mail.dovecot.deliver(
        guest_mail(
            "luis@guest.example",
            "sí\n\n> el resumen de antes",
            in_reply_to=summary["Message-ID"],
            subject="Re: Reserva",
        )
    )
    replies = await mail.replies_to("luis@guest.example", 2, 40)
    assert replies[1]["In-Reply-To"] != summary["Message-ID"]
    rows = await mail.box.store.fetchall("SELECT pms_reference, status, email FROM bookings")
    assert len(rows) == 1
    assert rows[0]["status"] == "confirmed"
    assert rows[0]["email"] == "luis@guest.example"  # the channel vouches for the address
    booking = await mail.box.pms.get_booking(rows[0]["pms_reference"])
    assert booking.check_in == day
    assert booking.adults == 2
    assert rows[0]["pms_reference"] in replies[1].get_content()


async def test_auto_replies_bounces_and_newsletters_get_no_answer(mail: Mail) -> None:
    assert mail.box is not None
    mail.dovecot.deliver(guest_mail("guest@guest.example", "hola, ¿tenéis parking?"))
    [ours] = await mail.replies_to("guest@guest.example", 1)
    out_of_office = guest_mail("guest@guest.example", "Estoy fuera de la oficina hasta el lunes.",
                               subject="Respuesta automática: Re: Reserva", headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
    newsletter = guest_mail(
        "news@shop.example",
        "¡Ofertas de invierno!",
        headers={"List-Id": "<offers.shop.example>", "List-Unsubscribe": "<mailto:x@shop.example>"},
    )
    ota = guest_mail("noreply@booking.com", "New reservation 4829 for 12 December")
    bounce = _bounce_for(ours)
    for m in (out_of_office, newsletter, ota):
        mail.dovecot.deliver(m)
    mail.dovecot.deliver(bounce)
    await mail.stored(5)
    await asyncio.sleep(1.5)
    assert len(mail.smtp.sink.messages) == 1  # still only our first answer
    log = {r["category"] for r in await mail.box.store.fetchall("SELECT category FROM email_log")}
    assert log == {"guest", "auto_reply", "list", "ota", "bounce"}
    row = await mail.box.store.fetchone(
        "SELECT status, delivery FROM outbox WHERE channel_message_id = ?", (ours["Message-ID"].strip("<>"),)
    )
    assert row is not None
    assert (row["status"], row["delivery"]) == ("failed", "failed")
    flagged = {r["attention"] for r in await mail.box.store.fetchall("SELECT attention FROM conversations")}
    assert {"email_bounced", "ota_notification"} <= flagged
    texts = [
        r["text"] for r in await mail.box.store.fetchall("SELECT text FROM messages WHERE direction = 'in'")
    ]
    assert any("fuera de la oficina" in (t or "") for t in texts)  # kept for staff


def _bounce_for(ours: Any) -> bytes:
    return (
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
        f"To: {USER}\r\nSubject: Delivery Status Notification (Failure)\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='googlemail.com')}\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nThe address was not found.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; googlemail.com\r\n\r\n"
        "Final-Recipient: rfc822; guest@guest.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {USER}\r\nTo: guest@guest.example\r\nMessage-ID: {ours['Message-ID']}\r\n"
        "--b1--\r\n"
    ).encode()


async def test_a_server_restart_during_idle_loses_no_mail_and_answers_none_twice(mail: Mail) -> None:
    assert mail.box is not None
    assert mail.box.email is not None
    mail.dovecot.deliver(guest_mail("eva@guest.example", "hola"))
    await mail.replies_to("eva@guest.example", 1)
    watcher = mail.box.email.watcher
    assert watcher is not None
    connects = watcher.connects
    await asyncio.to_thread(mail.dovecot.stop)  # the mailbox server goes away in the middle of IDLE
    await wait_for(lambda: not watcher.connected, 15)
    await asyncio.to_thread(mail.dovecot.start)
    mail.dovecot.deliver(guest_mail("eva@guest.example", "¿tenéis wifi?"))
    mail.dovecot.deliver(guest_mail("raul@guest.example", "¿hay parking?"))
    await wait_for(lambda: watcher.connects > connects, 20)
    await mail.replies_to("raul@guest.example", 1)
    await mail.replies_to("eva@guest.example", 2)
    await asyncio.sleep(1.5)
    assert len(mail.smtp.to("eva@guest.example")) == 2
    assert len(mail.smtp.to("raul@guest.example")) == 1
    assert mail.dovecot.seen() == (3, 3)


async def test_broken_charsets_html_only_malformed_mime_and_big_attachments(mail: Mail) -> None:
    assert mail.box is not None
    latin = (
        f"From: pedro@guest.example\r\nTo: {USER}\r\nSubject: pregunta\r\nMessage-ID: <latin-1@guest.example>\r\n"
        "Content-Type: text/plain; charset=x-unknown-charset\r\n\r\n¿Tenéis habitación para el lunes?\r\n"
    ).encode("latin-1")
    html = guest_mail(
        "lucia@guest.example",
        "",
        html="<html><body><p>Hola,</p><p>¿Admitís <b>perros</b>?</p><blockquote>old</blockquote></body></html>",
    )
    broken = (
        f"From: rota@guest.example\r\nTo: {USER}\r\nSubject: roto\r\nMessage-ID: <broken@guest.example>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        "--never-closed\r\nContent-Type: text/plain\r\n\r\nhola, ¿hay wifi?\r\n--never-cl"
    ).encode()
    big = guest_mail("ines@guest.example", "Adjunto mi pasaporte. ¿A qué hora es el desayuno?")
    big.add_attachment(
        b"\x00" * (20 * 1024 * 1024), maintype="application", subtype="pdf", filename="pasaporte.pdf"
    )
    for m in (latin, html, broken, big):
        mail.dovecot.deliver(m)
    for address in ("pedro@guest.example", "lucia@guest.example", "rota@guest.example", "ines@guest.example"):
        await mail.replies_to(address, 1, 60)
    assert "perros" in mail.smtp.to("lucia@guest.example")[0].get_content().lower()
    row = await mail.box.store.fetchone(
        "SELECT payload FROM messages WHERE direction = 'in' AND text LIKE '%pasaporte%'"
    )
    assert row is not None
    import json

    attachment = json.loads(row["payload"])["inbound"]["payload"]["attachments"][0]
    assert attachment["size"] == 20 * 1024 * 1024
    assert (await asyncio.to_thread(Path(attachment["path"]).stat)).st_size == attachment["size"]


async def test_a_mail_bomb_is_stored_whole_but_answered_within_the_limit(
    servers: tuple[Dovecot, SmtpServer], tmp_path: Path, nlu_cache: Path
) -> None:
    dovecot, smtp = servers
    # every mail its own turn here (no burst merging): the cap alone must hold the line
    settings = mail_settings(
        tmp_path, dovecot, smtp, email={"auto_replies_per_sender_per_hour": 3, "merge_window_s": 0}
    )
    async with Box(settings, {}, live_channels=True) as box:
        for n in range(12):
            dovecot.deliver(guest_mail("bomb@guest.example", f"hola {n}", subject=f"spam {n}"))
        await wait_for(lambda: box.email.channel.stats.get("guest", 0) == 12, 60)  # type: ignore[union-attr]
        await wait_for(lambda: box.email.channel.stats.get("rate_limited", 0) >= 1, 60)  # type: ignore[union-attr]
        await asyncio.sleep(1.0)
        assert len(smtp.to("bomb@guest.example")) == 3
        inbound = await box.store.fetchone("SELECT count(*) AS n FROM messages WHERE direction = 'in'")
        assert inbound is not None
        assert inbound["n"] == 12
        flagged = await box.store.fetchone("SELECT attention FROM conversations")
        assert flagged is not None
        assert flagged["attention"] == "email_rate_limited"


async def test_our_own_mail_coming_back_is_never_answered(mail: Mail) -> None:
    assert mail.box is not None
    looped = guest_mail(USER, "algo que enviamos nosotros", headers={"X-Hotelbox-Loop": "hotel-1"})
    mail.dovecot.deliver(looped)
    await mail.stored(1)
    await asyncio.sleep(1.0)
    assert mail.smtp.sink.messages == []


async def test_a_mail_landing_between_catch_up_and_idle_is_answered_without_waiting_for_renewal(
    servers: tuple[Dovecot, SmtpServer], tmp_path: Path, nlu_cache: Path
) -> None:
    """The watcher's blind spot: a mail appended after the catch-up SEARCH and before IDLE starts.
    The server announces it while IDLE is being entered; that must count as news at once, not
    wait for the next renewal (set far away here)."""
    dovecot, smtp = servers
    settings = mail_settings(tmp_path, dovecot, smtp, email={"idle_renew_s": 600})
    async with Box(settings, {}, live_channels=True) as box:
        assert box.email is not None
        assert box.email.watcher is not None
        watcher = box.email.watcher
        original = watcher._catch_up
        planted: list[int] = []

        def catch_up_then_a_mail_lands(*args: Any) -> None:
            original(*args)
            if not planted:  # once, in the watcher's own thread, right before it enters IDLE
                planted.append(1)
                dovecot.deliver(guest_mail("gap@guest.example", "hola, ¿hay parking?"))
                time.sleep(0.3)  # the server has told our session about it by now

        watcher._catch_up = catch_up_then_a_mail_lands  # type: ignore[method-assign]
        await wait_for(lambda: watcher.connected, 15)
        await wait_for(lambda: watcher.connects > 0 and planted, 15)
        await wait_for(lambda: len(smtp.to("gap@guest.example")) >= 1, 20)


@pytest.mark.parametrize("source", ["file", "credential", "mailbox"])
async def test_smtp_logs_in_with_its_own_password_else_the_mailbox_one(
    source: str, tmp_path: Path, nlu_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18.5: the SMTP relay has its own account (an app password, a relay's login); unset,
    the mailbox password is used. The SMTP server refuses any other password."""
    smtp_password = PASSWORD if source == "mailbox" else "relay-app-password-7"
    extra: dict[str, Any] = {"smtp_login": True, "smtp_user": USER}
    if source == "file":
        secret = tmp_path / "smtp-password"
        secret.write_text(smtp_password + "\n")
        extra["smtp_password_file"] = str(secret)
    elif source == "credential":  # systemd's LoadCredential= directory
        credentials = tmp_path / "credentials"
        credentials.mkdir()
        (credentials / "email_smtp_password").write_text(smtp_password)
        monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    dovecot = Dovecot()
    dovecot.start()
    smtp = SmtpServer(password=smtp_password)
    smtp.start()
    try:
        settings = mail_settings(tmp_path, dovecot, smtp, email=extra)
        async with Box(settings, {}, live_channels=True):
            dovecot.deliver(guest_mail("rosa@guest.example", "Hola, ¿a qué hora es el check-in?"))
            [reply] = await (Mail(dovecot, smtp, settings)).replies_to("rosa@guest.example", 1)
        assert "15:00" in reply.get_content()
        assert smtp.logins
        assert all(ok for _, ok in smtp.logins)  # never a refused login first
    finally:
        smtp.stop()
        dovecot.stop()
        dovecot.remove()


async def test_a_mail_over_the_size_cap_is_stored_by_its_headers_and_staff_are_told(
    servers: tuple[Dovecot, SmtpServer], tmp_path: Path, nlu_cache: Path
) -> None:
    """Issue 18.6: through the real IMAP server — only the headers are fetched, the guest's
    conversation exists (staff can answer the address), it is flagged, the bot does not guess."""
    dovecot, smtp = servers
    settings = mail_settings(tmp_path, dovecot, smtp, email={"max_message_bytes": 10_000})
    async with Box(settings, {}, live_channels=True) as box:
        big = guest_mail("Marta Ruiz <marta@guest.example>", "Os mando el pasaporte.", subject="Mi reserva")
        big.add_attachment(b"\x01" * 200_000, maintype="application", subtype="pdf", filename="pasaporte.pdf")
        dovecot.deliver(big)
        await wait_for(lambda: dovecot.seen() == (1, 1), 30)  # committed, then flagged seen
        await wait_for(lambda: box.email.channel.stats.get("oversize", 0) == 1, 10)  # type: ignore[union-attr]
        await box.pipeline.wait_idle()
        log = await box.store.fetchone("SELECT category, size FROM email_log")
        assert log is not None
        assert log["category"] == "oversize"
        assert log["size"] > 200_000  # the size the server reported, not what was fetched
        row = await box.store.fetchone(
            "SELECT m.payload, c.attention, i.address FROM messages m JOIN conversations c ON c.id = m.conversation_id"
            " JOIN guest_identities i ON i.id = c.identity_id WHERE m.direction = 'in'"
        )
        assert row is not None
        assert row["address"] == "marta@guest.example"  # the guest is not lost: staff can write back
        assert row["attention"] == "email_oversize"  # staff are told
        import json

        stored = json.loads(row["payload"])["inbound"]["payload"]
        assert stored["email"]["subject"] == "Mi reserva"
        assert stored["email"]["truncated_bytes"] > 200_000
        assert "attachments" not in stored  # the body was never fetched
        await asyncio.sleep(1.0)
        assert smtp.to("marta@guest.example") == []  # no answer to a mail the bot could not read
        dovecot.deliver(guest_mail("marta@guest.example", "¿A qué hora es el check-in?"))
        [reply] = await smtp_replies(smtp, "marta@guest.example", 1)
        assert "15:00" in reply.get_content()  # a small mail after it is answered as usual


async def smtp_replies(smtp: SmtpServer, address: str, count: int, within_s: float = 30) -> list[Any]:
    await wait_for(lambda: len(smtp.to(address)) >= count, within_s)
    return smtp.to(address)


async def test_a_burst_of_mails_from_one_guest_is_one_turn_with_one_reply(
    servers: tuple[Dovecot, SmtpServer], tmp_path: Path, nlu_cache: Path
) -> None:
    """Issue 18.3: five "Thanks!" arriving together got five identical replies and used five of
    the hourly automatic replies; merged within email.merge_window_s they are one turn."""
    dovecot, smtp = servers
    settings = mail_settings(tmp_path, dovecot, smtp, email={"merge_window_s": 2.0})
    async with Box(settings, {}, live_channels=True) as box:
        for _ in range(5):
            dovecot.deliver(guest_mail("Tom Reed <tom@guest.example>", "Thanks!", subject="Re: Your stay"))
        await wait_for(lambda: box.email.channel.stats.get("guest", 0) == 5, 30)  # type: ignore[union-attr]
        await smtp_replies(smtp, "tom@guest.example", 1)
        await box.pipeline.wait_idle()
        await asyncio.sleep(2.5)  # longer than the window: nothing more is coming
        assert len(smtp.to("tom@guest.example")) == 1
        out = await box.store.fetchone(
            "SELECT count(*) AS n FROM outbox WHERE recipient = 'tom@guest.example'"
        )
        assert out is not None
        assert out["n"] == 1  # one of the hourly automatic replies, not five
        pending = await box.store.fetchone("SELECT count(*) AS n FROM inbox WHERE status = 'pending'")
        assert pending is not None
        assert pending["n"] == 0  # all five were handled (in that one turn)
        inbound = await box.store.fetchone("SELECT count(*) AS n FROM messages WHERE direction = 'in'")
        assert inbound is not None
        assert inbound["n"] == 5  # staff still see every mail


async def test_staff_see_the_guests_address_and_which_address_bounced(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 18.4: the desk (API and page) shows an e-mail guest's address, not only the display
    name, and the "e-mail bounced" flag says which address; logs keep it masked."""
    import logging
    import shutil

    import aiohttp
    from aiohttp import web
    from playwright.async_api import async_playwright

    from hotelbox.web.app import make_app
    from hotelbox.web.auth import add_user, hash_password

    caplog.set_level(logging.INFO)
    box = mail.box
    assert box is not None
    address = "ana.bounce@guest.example"
    mail.dovecot.deliver(guest_mail(f"Ana García <{address}>", "hola, ¿tenéis parking?"))
    [ours] = await mail.replies_to(address, 1)
    mail.dovecot.deliver(_bounce_for(ours))

    async def flagged() -> bool:
        row = await box.store.fetchone("SELECT attention FROM conversations")
        return row is not None and row["attention"] == "email_bounced"

    await wait_for(flagged, 20)
    await box.store.write(lambda c: add_user(c, "marta", "frontdesk", hash_password("desk-pass-1234"), "en"))
    runner = web.AppRunner(make_app(box))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            login = {"name": "marta", "password": "desk-pass-1234"}
            async with http.post(f"{url}/desk/api/login", json=login) as r:
                assert r.status == 200
            async with http.get(f"{url}/desk/api/conversations") as r:
                [listed] = (await r.json())["conversations"]
            async with http.get(f"{url}/desk/api/conversations/{listed['id']}") as r:
                detail = await r.json()
        assert listed["guest"] == "Ana García"
        assert listed["address"] == address
        assert listed["bounced_address"] == address
        assert (detail["address"], detail["bounced_address"]) == (address, address)

        async with async_playwright() as p:
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browser = await p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            page = await browser.new_page()
            page.set_default_timeout(15_000)
            await page.goto(f"{url}/desk")
            await page.fill("#name", "marta")
            await page.fill("#password", "desk-pass-1234")
            await page.click("#login button[type=submit]")
            await page.wait_for_url(f"{url}/desk")
            row = page.locator(".conversation", has_text=address)
            await row.wait_for()
            assert f": {address}" in (await row.locator(".attention").text_content() or "")
            await row.click()
            await page.locator("#address", has_text=address).wait_for()
            await page.locator("#bounced", has_text=address).wait_for()
            await browser.close()
    finally:
        await runner.cleanup()
    ours_logged = [r for r in caplog.records if r.name.startswith("hotelbox")]  # not the test's SMTP server
    assert ours_logged
    assert not [r for r in ours_logged if address in r.getMessage()]  # masked in logs
