"""WhatsApp for the box: webhook parsing, the Graph API client, the channel, the intake from the
relay link, and media downloads — assembled here from the settings.

``WhatsApp.from_settings`` returns None when WhatsApp is off; otherwise the Box starts it after
the pipeline (so recovered work is scheduled before new events arrive) and stops it first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotelbox.channels.relay_link import RelayLink
from hotelbox.channels.whatsapp.graph import GraphApi
from hotelbox.channels.whatsapp.intake import MediaFetcher, WhatsAppIntake
from hotelbox.channels.whatsapp.whatsapp_channel import WhatsAppChannel
from hotelbox.config import ConfigError, Settings, read_secret
from hotelbox.dialogue.catalog import Catalog
from hotelbox.messages import Inbound
from hotelbox.relay.protocol import parse_key
from hotelbox.store import Store, relay_events
from hotelbox.store.inbox import Accepted


class WhatsApp:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        catalog: Catalog,
        token: str,
        app_secret: str | None,
        link_key: bytes,
    ) -> None:
        wa = settings.whatsapp
        self.graph = GraphApi(
            base_url=wa.graph_url,
            version=wa.graph_version,
            token=token,
            phone_number_id=wa.phone_number_id or "",
            timeout_s=wa.send_timeout_s,
            media_hosts=wa.media_hosts,
        )
        self.channel = WhatsAppChannel(wa, self.graph, store, catalog)
        self.media = MediaFetcher(store, self.graph, settings.media_dir, wa.media_max_bytes)
        self.store = store
        self.app_secret = app_secret
        self.link_key = link_key
        self.link_settings = settings.relay_link
        self.intake: WhatsAppIntake | None = None
        self.link: RelayLink | None = None

    @classmethod
    def from_settings(cls, settings: Settings, store: Store, catalog: Catalog) -> WhatsApp | None:
        wa, link = settings.whatsapp, settings.relay_link
        if not wa.enabled:
            return None
        token = read_secret(wa.access_token, wa.access_token_file, "whatsapp_access_token")
        missing = [
            name
            for name, value in (
                ("whatsapp.phone_number_id", wa.phone_number_id),
                ("whatsapp.access_token_file (or the credential whatsapp_access_token)", token),
                ("relay_link.url", link.url),
            )
            if not value
        ]
        key_text = read_secret(link.key, link.key_file, "relay_link_key")
        if not key_text:
            missing.append("relay_link.key_file (or the credential relay_link_key)")
        if missing:
            raise ConfigError("whatsapp.enabled is true but these are not set: " + "; ".join(missing))
        try:
            key = parse_key(key_text or "")
        except ValueError as exc:
            raise ConfigError(f"relay_link key: {exc}") from exc
        app_secret = read_secret(wa.app_secret, wa.app_secret_file, "whatsapp_app_secret")
        return cls(settings, store, catalog, token or "", app_secret, key)

    async def start(
        self, on_accepted: Callable[[list[tuple[Inbound, Accepted]]], None], on_status: Callable[[], None]
    ) -> None:
        self.intake = WhatsAppIntake(
            self.store,
            on_accepted,
            app_secret=self.app_secret,
            graph=self.graph,
            media_fetcher=self.media,
            on_status=on_status,
        )
        await self.media.start()
        self.link = RelayLink(
            self.link_settings,
            self.link_key,
            resume_point=lambda: self.store.read(relay_events.last_seq),
            store_batch=self.intake.store_batch,
        )
        await self.link.start()

    async def stop(self) -> None:
        if self.link is not None:
            await self.link.stop()
        await self.media.stop()
        if self.intake is not None:
            await self.intake.close()
        await self.graph.close()

    def health(self) -> dict[str, Any]:
        return {
            "link": self.link.health() if self.link else {"connected": False},
            "alert": self.channel.alert,
            "signature_recheck": self.app_secret is not None,
            "media": {"downloaded": self.media.downloaded, "failed": self.media.failed},
            "intake": {
                "events": self.intake.totals.stored_events if self.intake else 0,
                "rejected": self.intake.totals.rejected if self.intake else 0,
                "unparsed": self.intake.totals.unparsed if self.intake else 0,
            },
        }
