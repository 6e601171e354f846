"""Settings: one pydantic-settings model fed by a TOML file and ``HOTELBOX_*`` variables.

Precedence, highest first: explicit keyword arguments, environment (``HOTELBOX_WEB__PORT=9000``),
the TOML file (``--config``, else ``./hotelbox.toml`` when present), then the defaults below,
which are chosen so that a fresh checkout runs the demo hotel with no configuration at all.
Every field carries a description: ``hotelbox config show`` and the README's settings table
are generated from this model.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

LANGUAGES = ("es", "en", "pt")
Language = Literal["es", "en", "pt"]

DEFAULT_CONFIG_FILE = Path("hotelbox.toml")
_config_file: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "hotelbox_config_file", default=None
)


class Section(BaseModel):
    """A settings section; unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class HotelSettings(Section):
    timezone: str = Field(
        "Europe/Madrid", description="The hotel's time zone: 'today' and 'tomorrow' are its days."
    )
    country: str = Field(
        "ES", description="ISO country of the hotel, the default region for guests' phone numbers."
    )
    default_language: Language = Field(
        "es", description="Language used when a guest's language cannot be told yet."
    )
    knowledge_dir: Path | None = Field(
        None,
        description="Directory with the hotel's own answers ({lang}.toml); "
        "unset uses the demo hotel's answers shipped with hotelbox.",
    )

    def today(self) -> date:
        """The hotel's date now (its time zone, not the machine's): pass ``settings.hotel.today``
        where a clock is wanted."""
        return datetime.now(ZoneInfo(self.timezone)).date()


class StoreSettings(Section):
    synchronous: Literal["FULL", "NORMAL"] = Field(
        "FULL",
        description="SQLite synchronous mode. FULL survives power loss after a commit; "
        "NORMAL only survives a process crash.",
    )
    busy_timeout_ms: int = Field(5000, ge=0, description="How long a connection waits for a lock.")
    readers: int = Field(2, ge=1, le=16, description="Read-only connections in the read pool.")
    batch_max: int = Field(64, ge=1, description="Most queued writes committed together in one transaction.")
    min_free_mb: int = Field(
        256,
        ge=0,
        description="Below this much free space where the database lives, new work is refused "
        "(webhooks stay at the relay, mail on the server, web chat and Meta get 503) and health says "
        "degraded, while messages already taken are still answered; 0 turns the guard off.",
    )


class WebSettings(Section):
    host: str = Field("127.0.0.1", description="Address the front desk and /try pages listen on.")
    port: int = Field(8080, ge=0, le=65535, description="Port of the local web server (0 = any).")
    max_message_bytes: int = Field(
        16384, ge=256, description="Largest request body accepted by the try-it chat API."
    )
    try_posts_per_minute_per_client: int = Field(
        60, ge=1, description="Try-it chat: messages and voice notes one client address may post a minute."
    )
    try_posts_per_minute_per_session: int = Field(
        20, ge=1, description="Try-it chat: messages and voice notes one chat session may post a minute."
    )
    try_uploads_per_session_per_day: int = Field(
        20, ge=0, description="Try-it chat: voice notes one chat session may send a day."
    )
    try_uploads_per_day: int = Field(
        500, ge=0, description="Try-it chat: voice notes all sessions may send a day."
    )
    try_upload_mb: int = Field(
        256,
        ge=0,
        description="Try-it chat: most megabytes of its voice notes kept on disk; then uploads wait (429).",
    )
    try_parallel_uploads: int = Field(
        2,
        ge=1,
        description="Try-it chat: voice notes received at once (each is held in memory until stored).",
    )
    try_page: Literal["public", "staff", "off"] | None = Field(
        None,
        description="The try-it guest simulator: open to anyone on the network, staff only, or off; "
        "unset: public with the embedded demo PMS, off with a real PMS (anonymous strangers would book).",
    )
    session_idle_minutes: float = Field(
        480.0, gt=0, description="A front desk session unused this long is logged out."
    )
    secure_cookies: bool = Field(
        False, description="Mark session cookies Secure (set it when the front desk is served over HTTPS)."
    )
    trust_proxy: bool = Field(
        False,
        description="Behind a reverse proxy: take the client address from X-Forwarded-For (login throttling).",
    )


class NluSettings(Section):
    model_dir: Path | None = Field(
        None,
        description="Where the trained intent model lives; unset uses the user cache "
        "(~/.cache/hotelbox/nlu, $CACHE_DIRECTORY under systemd), keyed by the training data.",
    )
    extra_examples_dir: Path | None = Field(
        None,
        description="Directory of extra training examples (*.jsonl, same format as the "
        "shipped ones) that the hotel adds; the model is retrained when they change.",
    )
    min_confidence: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Below this intent confidence a message is flagged low_confidence; the "
        "dialogue then relies on the details it carries or asks the guest to rephrase.",
    )


class DialogueSettings(Section):
    max_message_chars: int = Field(
        2000, ge=50, description="Longer guest messages are not understood; the guest is told."
    )
    misunderstandings_before_handoff: int = Field(
        2, ge=1, description="Consecutive messages not understood before staff are called."
    )
    max_nights: int = Field(30, ge=1, description="Longest stay the bot books by itself.")
    booking_horizon_days: int = Field(540, ge=30, description="How far ahead (days) the bot takes bookings.")
    max_party: int = Field(
        12, ge=1, description="Parties larger than this are handed to staff as group requests."
    )


class DemoPmsSettings(Section):
    path: Path | None = Field(
        None, description="SQLite file of the embedded demo PMS; unset = demo_pms.db in the state directory."
    )


class RoomTypeText(Section):
    names: dict[Language, str] = Field(
        default_factory=dict, description="What guests are told the room is called, per language."
    )
    descriptions: dict[Language, str] = Field(default_factory=dict, description="Per language.")
    aliases: list[str] = Field(
        default_factory=list, description="Words guests use for this room, any language ('doble', 'duplo')."
    )


class QloAppsSettings(Section):
    url: str = Field("http://127.0.0.1:8081", description="QloApps base URL on the LAN (no /api).")
    key: SecretStr | None = Field(
        None, description="Webservice key (32 characters). Prefer key_file or a systemd credential."
    )
    key_file: Path | None = Field(
        None,
        description="File holding the webservice key; unset also looks for the systemd "
        "credential 'qloapps_key' ($CREDENTIALS_DIRECTORY).",
    )
    hotel_id: int = Field(1, ge=1, description="The QloApps hotel (id_property) this box serves.")
    timeout_s: float = Field(10.0, gt=0, description="Longest wait for one QloApps answer.")
    connect_timeout_s: float = Field(3.0, gt=0, description="Longest wait to connect to QloApps.")
    retries: int = Field(2, ge=0, le=5, description="Retries of a read that failed (writes: never blind).")
    breaker_failures: int = Field(
        5, ge=1, description="Consecutive failures that open the circuit (calls then fail fast)."
    )
    breaker_cooldown_s: float = Field(
        30.0, gt=0, description="How long the circuit stays open before one trial call."
    )
    use_dispatcher: bool = Field(
        False,
        description="Call webservice/dispatcher.php?url=… instead of /api/… "
        "(QloApps behind nginx or without its .htaccess rewrite).",
    )
    placeholder_email_domain: str = Field(
        "guests.hotelbox.invalid",
        description="QloApps requires an e-mail: guests who gave none are booked as "
        "guest-<phone digits>@<this domain> (the reserved .invalid TLD never receives mail) and staff are told.",
    )
    order_state: str = Field(
        "Processing in progress",
        description="QloApps order state set after the bot books (its name or id in Orders > Statuses; "
        "QloApps' own is 'Awaiting payment'). Empty: leave QloApps' state.",
    )
    guest_emails: bool = Field(
        True,
        description="Give QloApps the guest's e-mail. false: book under a placeholder address (the "
        "guest's e-mail goes in the order's remark), so QloApps' own order e-mails never reach guests.",
    )
    room_types: dict[str, RoomTypeText] = Field(
        default_factory=dict,
        description="Per QloApps room type id: names and descriptions in each language and the words "
        "guests use for it (QloApps usually has one name, in the shop's language).",
    )
    charge_quoted_price: bool = Field(
        True,
        description="Book at the price hotel_ari quoted (which includes auto-added fees "
        "the API would otherwise drop).",
    )


class SyncSettings(Section):
    catalog_interval_s: float = Field(
        600.0, gt=0, description="How often the hotel, room types and capacities are re-read."
    )
    availability_interval_s: float = Field(
        120.0, gt=0, description="How often availability and rates for the near term are refreshed."
    )
    near_days: int = Field(30, ge=1, description="Days ahead refreshed at the near-term interval.")
    horizon_days: int = Field(365, ge=1, description="Days ahead kept in the local mirror.")
    far_interval_s: float = Field(1800.0, gt=0, description="How often the rest of the horizon is refreshed.")
    stale_after_s: float = Field(
        900.0,
        gt=0,
        description="Mirror data older than this is re-checked live before a price is promised.",
    )
    chunk_days: int = Field(31, ge=1, le=92, description="Nights per hotel_ari request during a sync.")


class PmsSettings(Section):
    kind: Literal["demo", "qloapps"] = Field(
        "demo",
        description="Which PMS hotelbox books in: 'demo' (embedded demo hotel) or 'qloapps'.",
    )
    demo: DemoPmsSettings = Field(default_factory=DemoPmsSettings)
    qloapps: QloAppsSettings = Field(default_factory=QloAppsSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    retry_base_s: float = Field(2.0, gt=0, description="First retry delay of a failed PMS write.")
    retry_max_s: float = Field(300.0, gt=0, description="Longest delay between PMS write retries.")


class LaneSettings(Section):
    concurrency: int = Field(1, ge=1, le=64, description="Jobs the lane runs at once.")
    threads: int = Field(
        1,
        ge=0,
        le=16,
        description="Threads one job may use inside its library; 0: all cores but one (at least 1), "
        "so guests' text always has a core.",
    )

    @property
    def thread_budget(self) -> int:
        return self.threads or max(1, (os.cpu_count() or 2) - 1)


class SchedulerSettings(Section):
    speech: LaneSettings = Field(
        default_factory=lambda: LaneSettings(concurrency=1, threads=0),
        description="Voice-note transcription and speech synthesis (CPU heavy). threads 0: every core when "
        "speech runs in niced workers (speech.worker_nice > 0), else all cores but one.",
    )
    nlu: LaneSettings = Field(
        default_factory=lambda: LaneSettings(concurrency=1, threads=1),
        description="Understanding guest messages (one thread: mostly Python, GIL-bound).",
    )
    pms: LaneSettings = Field(
        default_factory=lambda: LaneSettings(concurrency=2, threads=1),
        description="Calls to the PMS (I/O): live checks for guests, then sync chunks.",
    )
    maintenance: LaneSettings = Field(
        default_factory=lambda: LaneSettings(concurrency=1, threads=1),
        description="Backups, clean-ups, model checks.",
    )
    cpu_high_percent: float = Field(
        90.0, gt=0, le=100, description="CPU use above which background work backs off."
    )
    memory_high_percent: float = Field(
        85.0,
        gt=0,
        le=100,
        description="Memory use (of the cgroup limit when there is one) above which background work backs off.",
    )
    sample_interval_s: float = Field(0.5, gt=0, description="How often CPU and memory pressure are sampled.")
    backoff_max_s: float = Field(
        5.0, gt=0, description="Longest pause between background jobs while the box is under pressure."
    )
    max_pause_s: float = Field(
        30.0,
        gt=0,
        description="Longest a background job waits behind queued guest work before one is let through.",
    )
    jitter: float = Field(
        0.1, ge=0, le=0.5, description="Random spread of periodic job intervals (0.1 = ±10 %)."
    )


class PipelineSettings(Section):
    max_active_conversations: int = Field(
        256, ge=1, description="Conversations processed at the same time (one worker each)."
    )
    max_attempts: int = Field(
        5, ge=1, description="Attempts at processing one inbound message before staff are called."
    )
    stale_after_s: float = Field(
        1800.0,
        gt=0,
        description="A guest message older than this (by the channel's own time: relay backlog, Meta's "
        "retries) is not answered as if live: the guest is told it came late and staff take it.",
    )


class SpeechSettings(Section):
    enabled: bool = Field(
        True, description="Understand voice notes and answer in voice (models load before READY)."
    )
    stt_model: str = Field(
        "whisper-base",
        description="Speech-to-text model (a name in models/manifest.toml): whisper-base (default set), "
        "whisper-small or whisper-medium (production set), or a Vosk model.",
    )
    fallback_stt_model: str | None = Field(
        None, description="Model used when stt_model is missing or broken (e.g. a small Vosk model)."
    )
    beam_size: int = Field(5, ge=1, le=10, description="Whisper beam size (5: fewer errors, 1: faster).")
    vad: bool = Field(True, description="Skip silence with Silero VAD before decoding.")
    initial_prompt: dict[str, str] = Field(
        default_factory=dict,
        description="Words Whisper should expect, per language (the hotel's name, its room names, check-in), "
        "as its initial prompt. Off by default, measured (README, Figures): it helped Portuguese hotel questions "
        "(WER 32.6 → 21.7 %) and English ones (2.3 → 0 %), changed nothing in Spanish, and made English recorded "
        "speech slightly worse (7.7 → 8.7 %).",
    )
    voices: dict[str, str] = Field(
        default_factory=lambda: {"en": "kokoro-af_heart", "es": "kokoro-ef_dora", "pt": "kokoro-pf_dora"},
        description="Voice per language (names in the manifest): Kokoro (kokoro-ef_dora, kokoro-em_alex, "
        "kokoro-pf_dora, kokoro-pm_alex, kokoro-af_heart) or piper (en_US-joe-medium: GPL piper-tts, "
        "more words misheard in the round trip). A language without a voice is answered in text only "
        "(shown in health).",
    )
    voice_replies: bool = Field(
        True, description="When a guest sends a voice note, answer with a voice note too (text always goes)."
    )
    voice_max_seconds: float = Field(
        6.0,
        ge=2.0,
        le=120.0,
        description="A voice reply says the gist within about this many seconds of audio: the opening, the "
        "closing question or next step, never a question the guest must answer (even over it); lists, prices "
        "per room type, links and addresses stay in the text, and the note says so. 6 s: the text goes ~1.7 s "
        "after a note, Kokoro makes ~1.5 s of audio per second on 2 cores, so the voice follows within ~5 s "
        "(README, Figures).",
    )
    model_dir: Path | None = Field(
        None, description="Where installed (production) models live; unset = models/ in the state directory."
    )
    site_manifest: Path | None = Field(
        None, description="An extra model manifest (same format) for models a site adds, with their sha256."
    )
    max_audio_seconds: float = Field(
        300.0, gt=0, description="Longer voice notes are not transcribed; the guest is told."
    )
    max_audio_bytes: int = Field(16 * 1024 * 1024, ge=1024, description="Larger audio files are refused.")
    media_wait_s: float = Field(
        60.0,
        gt=0,
        description="How long a voice note waits for its download before the guest is asked to resend.",
    )
    engines: Literal["in_process", "workers"] = Field(
        "workers",
        description="Where speech engines run: in worker processes the box starts, supervises (restart with "
        "backoff, memory budget) and talks Wyoming to over unix sockets in the state directory, so a native "
        "crash or a hang costs one voice note, never the box, and the GPL speech code is not in the daemon; "
        "or in the box's own process (in_process).",
    )
    worker_layout: Literal["one", "per_engine"] = Field(
        "one",
        description="With engines = workers: one speech worker for hearing and speaking (less memory: one "
        "runtime, and their peaks never add up), or one per engine kind (a crash in a voice never stops "
        "hearing).",
    )
    stt_uri: str | None = Field(
        None,
        description="A Wyoming speech-to-text server to use instead (tcp://host:port, e.g. wyoming-faster-whisper "
        "with a larger model on a stronger machine on the hotel's LAN).",
    )
    tts_uri: str | None = Field(
        None,
        description="A Wyoming text-to-speech server to use instead (e.g. wyoming-piper); voices by the names "
        "in speech.voices.",
    )
    worker_timeout_s: float = Field(
        60.0,
        gt=0,
        description="A speech worker that has not answered one job in this long is hung: killed, restarted.",
    )
    worker_ready_wait_s: float = Field(
        15.0,
        gt=0,
        description="How long a job waits for a restarting speech worker before the guest is asked to type.",
    )
    worker_max_rss_mb: int = Field(
        900, ge=200, description="A speech worker above this resident memory is killed and restarted."
    )
    worker_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="CPU priority (nice) of the speech workers: guests' text turns in the box always win the "
        "CPU, so one speech job may use every core (scheduler.speech.threads = 0). onnxruntime's threads "
        "do not spin while waiting.",
    )
    voice_reply_max_age_s: float = Field(
        120.0,
        gt=0,
        description="A voice reply not made this long after its text reply (a restart, a backlog) is dropped: "
        "the guest has read the text by then.",
    )
    max_queue_wait_s: float = Field(
        45.0,
        gt=0,
        description="Longest a voice note waits for the speech lane when many arrive at once; then the guest "
        "is asked to type, staff are flagged (voice_busy) and can play it. Voice replies are skipped while "
        "other guests' voice notes hold the speech lane (the text reply would wait for them).",
    )


class EmailSettings(Section):
    enabled: bool = Field(False, description="Answer guests' e-mail (the hotel's own mailbox, IMAP + SMTP).")
    address: str = Field(
        "reservas@hotel.example", description="The hotel's address: our From, and what is never answered."
    )
    display_name: str = Field("Hotel", description="The name in our From header.")
    message_id_domain: str | None = Field(
        None, description="Domain of our Message-IDs (unset: the address's domain)."
    )
    auth_serv_id: str | None = Field(
        None,
        description="The authserv-id the hotel's receiving mail server writes in Authentication-Results "
        "(RFC 8601, e.g. mx.hotel.example). A guest's address proves who they are only when that server "
        "says DMARC or aligned DKIM passed; unset: no address is proof (reference and surname asked).",
    )
    imap_host: str = Field("127.0.0.1", description="IMAP server of the hotel's mailbox.")
    imap_port: int = Field(993, ge=1, le=65535, description="IMAP port (993 TLS, 143 STARTTLS or plain).")
    imap_security: Literal["tls", "starttls", "none"] = Field(
        "tls", description="How the IMAP connection is protected."
    )
    imap_user: str = Field("", description="IMAP login (often the address).")
    imap_folder: str = Field("INBOX", description="Folder watched for guests' mail.")
    processed_folder: str | None = Field(
        None, description="Move stored mail here (unset: mark it \\Seen and leave it in the folder)."
    )
    idle_renew_s: float = Field(
        1200.0, gt=10, description="Re-issue IDLE this often (RFC 2177: at most 29 minutes)."
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP submission server of the hotel's provider.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 TLS).")
    smtp_security: Literal["tls", "starttls", "none"] = Field(
        "starttls", description="How SMTP is protected."
    )
    smtp_user: str = Field("", description="SMTP login (often the address).")
    smtp_login: bool = Field(
        True,
        description="Log in to the SMTP server (off only for a local relay that accepts the box by address).",
    )
    auth: Literal["password", "xoauth2"] = Field(
        "password",
        description="Password (or app password), or an OAuth2 access token (Google Workspace, Microsoft 365).",
    )
    password: SecretStr | None = Field(
        None, description="Mailbox password or OAuth token. Prefer password_file."
    )
    password_file: Path | None = Field(
        None, description="File holding it; unset also looks for the systemd credential 'email_password'."
    )
    smtp_password: SecretStr | None = Field(
        None,
        description="SMTP password or token when the submission server's account differs from the "
        "mailbox's (an app password, a relay's own login); unset = the mailbox's. Prefer smtp_password_file.",
    )
    smtp_password_file: Path | None = Field(
        None,
        description="File holding the SMTP password; unset also looks for the systemd credential "
        "'email_smtp_password', then falls back to the mailbox's password.",
    )
    max_message_bytes: int = Field(
        30 * 1024 * 1024,
        ge=10_000,
        description="Larger mails are stored by their headers only; staff are told.",
    )
    merge_window_s: float = Field(
        3.0,
        ge=0,
        description="A guest's mails stored within this many seconds of each other are one turn with one "
        "reply (a burst of 'Thanks!' gets one answer); a turn waits at most 3 times this. 0 = every mail alone.",
    )
    auto_replies_per_sender_per_hour: int = Field(
        6,
        ge=1,
        description="Automatic replies to one address per hour; beyond it staff answer (mail bombs, loops).",
    )
    auto_replies_per_sender_per_day: int = Field(
        30, ge=1, description="Automatic replies to one address per day."
    )
    reconnect_max_s: float = Field(60.0, gt=0, description="Longest wait between IMAP reconnection attempts.")


class WhatsAppSettings(Section):
    enabled: bool = Field(
        False,
        description="Answer guests on WhatsApp (needs phone_number_id, the access token and relay_link).",
    )
    phone_number_id: str | None = Field(
        None, description="The hotel's WhatsApp business phone number id (Meta's phone_number_id)."
    )
    graph_url: str = Field("https://graph.facebook.com", description="Base URL of Meta's Graph API.")
    graph_version: str = Field("v25.0", description="Graph API version the box calls (e.g. v25.0).")
    access_token: SecretStr | None = Field(
        None, description="System-user access token. Prefer access_token_file or a systemd credential."
    )
    access_token_file: Path | None = Field(
        None,
        description="File holding the access token; unset also looks for the systemd credential "
        "'whatsapp_access_token'.",
    )
    app_secret: SecretStr | None = Field(
        None, description="Meta app secret, to re-check X-Hub-Signature-256 on the box (defence in depth)."
    )
    app_secret_file: Path | None = Field(
        None,
        description="File holding the app secret; unset also looks for the systemd credential "
        "'whatsapp_app_secret'. Without it the box trusts the relay's MAC alone.",
    )
    window_margin_s: float = Field(
        600.0,
        ge=0,
        description="The 24-hour customer-service window counts as closed this long before it closes "
        "(relay delay, clock skew); outside it no free text is sent.",
    )
    send_timeout_s: float = Field(15.0, gt=0, description="Longest wait for one Graph API call.")
    uncertain_resend_after_s: float = Field(
        120.0,
        gt=0,
        description="A send whose outcome is unknown (timeout, lost answer) waits this long for Meta's "
        "status webhook before it is sent again; that guest's later replies wait behind it (order).",
    )
    media_max_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, description="Largest media file the box downloads (voice notes, images)."
    )
    media_hosts: list[str] = Field(
        default_factory=lambda: ["lookaside.fbsbx.com", "graph.facebook.com"],
        description="Hosts a media URL may name for the box to send its access token there (https only); "
        "whatsapp.graph_url is always allowed. Any other URL is fetched by media id instead.",
    )
    merge_replies: bool = Field(
        True,
        description="Send one turn's replies as one WhatsApp message (Meta does not keep the order of "
        "separate sends and rate-limits each guest to about one message every 6 s).",
    )


def canonical_box_id(box_id: str) -> str:
    return box_id.strip().lower().replace("_", "-")


class RelayLinkSettings(Section):
    url: str | None = Field(
        None,
        description="The relay's link URL, e.g. wss://relay.example.com/box/v1/link (unset: no WhatsApp).",
    )
    box_id: str = Field(
        "hotel-1", description="This box's id at the relay (lower case, '_' read as '-': hotel-1)."
    )

    @field_validator("box_id")
    @classmethod
    def _canonical_box_id(cls, v: str) -> str:
        return canonical_box_id(v)

    key: SecretStr | None = Field(
        None, description="The box's link key (64 hex characters). Prefer key_file or a systemd credential."
    )
    key_file: Path | None = Field(
        None,
        description="File holding the link key; unset also looks for the systemd credential 'relay_link_key'.",
    )
    window: int = Field(
        32, ge=1, le=256, description="Events the relay may send before the box acknowledges."
    )
    heartbeat_s: float = Field(20.0, gt=0, description="WebSocket ping interval.")
    dead_after_s: float = Field(
        60.0, gt=0, description="Silence after which the link is considered dead and reconnected."
    )
    backoff_min_s: float = Field(1.0, gt=0, description="First reconnection delay.")
    backoff_max_s: float = Field(60.0, gt=0, description="Longest reconnection delay (jittered).")


class RelayBoxSettings(Section):
    phone_number_ids: list[str] = Field(
        default_factory=list, description="Meta phone_number_ids whose webhooks go to this box."
    )
    key: SecretStr | None = Field(None, description="The box's link key (64 hex characters).")
    key_file: Path | None = Field(None, description="File holding the box's link key.")


class RelaySettings(Section):
    host: str = Field("127.0.0.1", description="Relay: address to listen on (behind a TLS reverse proxy).")
    port: int = Field(8090, ge=0, le=65535, description="Relay: port to listen on.")
    relay_id: str = Field("relay-1", description="Relay: its name in the link handshake and logs.")
    db_path: Path | None = Field(
        None, description="Relay: its SQLite queue; unset = relay.db in the state directory."
    )
    queue_url: str | None = Field(
        None,
        description="Relay: a PostgreSQL URL (postgresql://user@host:5432/db) for a queue shared by several "
        "relay processes behind a load balancer; unset = the SQLite queue. Needs hotelbox[postgres].",
    )
    queue_password_file: Path | None = Field(
        None, description="Relay: file with the PostgreSQL password (or the credential relay_queue_password)."
    )
    queue_pool_size: int = Field(
        10, ge=1, le=100, description="Relay: most PostgreSQL connections per relay."
    )
    verify_token: SecretStr | None = Field(
        None, description="Relay: the webhook verify token set in Meta's App Dashboard."
    )
    verify_token_file: Path | None = Field(
        None,
        description="Relay: file holding the verify token; unset also looks for the systemd credential "
        "'whatsapp_verify_token'.",
    )
    app_secret: SecretStr | None = Field(
        None, description="Relay: Meta app secret (checks X-Hub-Signature-256)."
    )
    app_secret_file: Path | None = Field(
        None,
        description="Relay: file holding the app secret; unset also looks for the systemd credential "
        "'whatsapp_app_secret'.",
    )
    boxes: dict[str, RelayBoxSettings] = Field(
        default_factory=dict,
        description="Relay: the boxes it serves, by box id, with their numbers and keys.",
    )

    @field_validator("boxes")
    @classmethod
    def _canonical_boxes(cls, v: dict[str, RelayBoxSettings]) -> dict[str, RelayBoxSettings]:
        # HOTELBOX_RELAY__BOXES__HOTEL_1__KEY reaches us as "hotel_1": environment names cannot
        # hold "-", so both sides read box ids as lower case with "-" (issue 14)
        return {canonical_box_id(k): box for k, box in v.items()}

    max_body_bytes: int = Field(
        4 * 1024 * 1024, ge=1024, description="Relay: larger webhook bodies get 413 (Meta sends up to 3 MB)."
    )
    max_window: int = Field(256, ge=1, description="Relay: most unacknowledged events in flight per box.")
    heartbeat_s: float = Field(20.0, gt=0, description="Relay: WebSocket ping interval.")
    delivered_retention_days: float = Field(
        7.0, gt=0, description="Relay: delivered events are kept this long (replay, debugging)."
    )
    undelivered_retention_days: float = Field(
        30.0, gt=0, description="Relay: undelivered events are dropped after this long (alarms long before)."
    )
    backlog_warn_s: float = Field(300.0, gt=0, description="Relay: backlog age that logs a warning.")
    backlog_page_s: float = Field(3600.0, gt=0, description="Relay: backlog age that logs an error (page).")
    backlog_critical_s: float = Field(
        6 * 86400.0,
        gt=0,
        description="Relay: backlog age that is critical (Meta's media ids expire after 7 days).",
    )


class PrivacySettings(Section):
    audio_retention_days: float = Field(
        30.0,
        gt=0,
        description="Voice notes and other media (guests' and ours) are deleted after this many days.",
    )
    message_retention_days: float = Field(
        365.0, gt=0, description="Message texts are blanked after this many days (bookings stay, anonymous)."
    )
    raw_event_retention_days: float = Field(
        7.0,
        gt=0,
        description="Raw webhook bodies as the relay delivered them are deleted after this many days.",
    )
    maintenance_interval_s: float = Field(3600.0, gt=0, description="How often retention is enforced.")


class BackupSettings(Section):
    directory: Path | None = Field(
        None,
        description="Where `hotelbox backup` (and the nightly timer) writes; unset = backups/ in the state directory.",
    )
    keep: int = Field(14, ge=1, description="Backup sets kept; older ones are removed after each backup.")


class LogSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    format: Literal["kv", "json"] = Field("kv", description="Log line format on stderr.")


class Settings(BaseSettings):
    """All of hotelbox's settings."""

    model_config = SettingsConfigDict(
        env_prefix="HOTELBOX_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    state_dir: Path = Field(
        Path("var"), description="Where the box keeps its database and files (relative to cwd)."
    )
    hotel: HotelSettings = Field(default_factory=HotelSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    nlu: NluSettings = Field(default_factory=NluSettings)
    dialogue: DialogueSettings = Field(default_factory=DialogueSettings)
    pms: PmsSettings = Field(default_factory=PmsSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    relay_link: RelayLinkSettings = Field(default_factory=RelayLinkSettings)
    relay: RelaySettings = Field(default_factory=RelaySettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    log: LogSettings = Field(default_factory=LogSettings)

    @field_validator("state_dir")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        return v.expanduser().absolute()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file.get()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    # -- derived paths -------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.state_dir / "hotelbox.db"

    @property
    def demo_pms_path(self) -> Path:
        return self.pms.demo.path or self.state_dir / "demo_pms.db"

    @property
    def relay_db_path(self) -> Path:
        return self.relay.db_path or self.state_dir / "relay.db"

    @property
    def backup_dir(self) -> Path:
        return self.backup.directory or self.state_dir / "backups"

    @property
    def databases(self) -> list[Path]:
        """Every database this box (or relay) keeps, for backups."""
        return [self.db_path, self.demo_pms_path, self.relay_db_path]

    @property
    def model_dir(self) -> Path:
        return self.speech.model_dir or self.state_dir / "models"

    @property
    def model_cache(self) -> Path:
        """Default-set models assembled from packages (the Whisper base halves joined)."""
        return self.nlu_cache_root.parent / "models"

    @property
    def media_dir(self) -> Path:
        return self.state_dir / "media"

    @property
    def nlu_cache_root(self) -> Path:
        if self.nlu.model_dir is not None:
            return self.nlu.model_dir
        cache = os.environ.get("CACHE_DIRECTORY")  # set by systemd's CacheDirectory=
        if cache:
            return Path(cache) / "nlu"
        xdg = os.environ.get("XDG_CACHE_HOME")
        return (Path(xdg) if xdg else Path.home() / ".cache") / "hotelbox" / "nlu"


class ConfigError(Exception):
    """The settings cannot be loaded; the message says which file or field."""


def read_secret(value: SecretStr | None, file: Path | None, credential: str) -> str | None:
    """A secret from the settings, else its file, else the systemd credential of that name."""
    if value is not None and value.get_secret_value():
        return value.get_secret_value().strip()
    candidates = [file] if file is not None else []
    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    if directory:
        candidates.append(Path(directory) / credential)
    for path in candidates:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            if file is not None and path == file:
                raise ConfigError(f"cannot read secret file {path}: {exc.strerror}") from exc
    return None


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Load settings from ``config`` (or ./hotelbox.toml when present) and the environment."""
    if config is not None and not config.is_file():
        raise ConfigError(f"config file not found: {config}")
    path = config if config is not None else (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None)
    token = _config_file.set(path)
    try:
        return Settings(**overrides)
    except Exception as exc:  # pydantic's ValidationError, TOML decode errors
        where = f" (from {path})" if path else ""
        raise ConfigError(f"invalid settings{where}: {exc}") from exc
    finally:
        _config_file.reset(token)


def masked_settings(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data with every secret masked."""

    def plain(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return {name: plain(getattr(value, name)) for name in type(value).model_fields}
        if isinstance(value, SecretStr):
            return "********" if value.get_secret_value() else ""
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, dict):  # e.g. relay.boxes: their keys must be masked too
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, str) and "://" in value:  # postgresql://user:secret@host (issue 13.10)
            return mask_url_password(value)
        return value

    masked: dict[str, Any] = plain(settings)
    return masked


def mask_url_password(url: str) -> str:
    """``scheme://user:password@host…`` with the password masked (the rest left as given)."""
    scheme, sep, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:********@{host}{slash}{tail}"


def settings_table() -> str:
    """The README's settings table (Markdown), generated from this model."""
    lines = [
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, _type, default, description in describe_fields():
        env = "HOTELBOX_" + name.upper().replace(".", "__")
        shown = "unset" if default is None else f"`{default}`"
        lines.append(f"| `{name}` | `{env}` | {shown} | {description} |")
    return "\n".join(lines) + "\n"


def describe_fields(
    model: type[BaseModel] = Settings, prefix: str = "", defaults: BaseModel | None = None
) -> Iterator[tuple[str, str, Any, str]]:
    """(dotted name, type, default, description) for every leaf setting, for docs and the CLI.

    Defaults come from the default instance, so a section whose default is built with other
    values than its class's (the scheduler's lanes) shows what really applies.
    """
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            inner = getattr(defaults, name) if defaults is not None else None
            if inner is None and field.default_factory is not None:
                inner = field.get_default(call_default_factory=True)
            yield from describe_fields(annotation, f"{prefix}{name}.", inner)
            continue
        default = (
            getattr(defaults, name) if defaults is not None else field.get_default(call_default_factory=True)
        )
        type_name = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
        yield f"{prefix}{name}", type_name, default, field.description or ""
