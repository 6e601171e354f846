"""The dialogue engine: one guest message (or PMS result) in, replies and actions out.

It routes what the guest said — global intents first (a person, a complaint, a question about
the hotel), then the flow in progress — and keeps the per-conversation state. Booking flows
live in :mod:`.booking` and :mod:`.manage`; this module holds the turn plumbing they share.
Prices and availability only ever come from the PMS; every sentence from the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hotelbox.config import DialogueSettings
from hotelbox.dialogue import asides, changes
from hotelbox.dialogue.catalog import Catalog, room_in
from hotelbox.dialogue.choices import (
    after_questions,
    choose_by_stay,
    declines_email,
    option_named,
    polarity,
    read_choice,
    says_cancel,
)
from hotelbox.dialogue.knowledge import (
    NOT_HAVE,
    PRICED,
    Knowledge,
    about_the_stay,
    asks_quietly,
    features_in,
    priced_aside,
    topics_in,
)
from hotelbox.dialogue.state import DialogueState, Flow, Turn
from hotelbox.messages import Inbound, Option, Reply
from hotelbox.nlu.language import phone_language, variety
from hotelbox.nlu.text import fold
from hotelbox.nlu.understanding import Understanding
from hotelbox.pms import Pms, RoomType

HESITATION = re.compile(
    r"^(?:h+m+|h+u+m+|m{2,}|e+h+|e{2,}|u+m+|u+h+|a+h+|hmm+|uhm+|ehm+)[\s.!?…]*$", re.IGNORECASE
)
_IBERIAN = ("es", "pt")
# questions waiting for a yes, reminded after a digression in a line, not repeated in full
SHORT_REMINDER = {
    "confirm_booking": "continue_confirm",
    "offer_single": "continue_confirm",
    "price_answer": "continue_confirm",
    "confirm_modify": "continue_change",
    "confirm_modify_stay": "continue_change",
    "modify_room_suggest": "continue_change",
}
AMBIGUOUS_LANG = 0.6  # below this, a message written alike in Spanish and Portuguese is either
_STAY_WORDS = ("check_in", "check_out", "nights", "room_type")
BOOKING_INTENTS = ("book_room", "check_availability", "ask_price")
WEAK_INTENTS = {"provide_info", "affirm", "deny", "out_of_scope", "greet", "thanks"}
# someone ill or in danger: a person at once, whatever the message also says
EMERGENCY = re.compile(
    r"\b(?:medico|doctor|ambulancia|ambulance|emergencia|emergency|urgencias|se\s+(?:siente|encuentra)\s+mal"
    r"|(?:feels?|feeling|is)\s+(?:very\s+)?(?:ill|sick|unwell)|passa?\s+mal|esta\s+(?:a\s+)?passar\s+mal|desmay\w*"
    r"|fainted|infarto|heart\s+attack|incendio|fire\b|fuego|socorro|policia|police)\b"
)
# "text only, please" / "send me audio": a setting, not an intent (rules are the right tool here)
TEXT_ONLY = re.compile(
    r"\b(?:s[oó]lo|s[oó]|only|just)\s+(?:por\s+)?(?:texto|text|escrito)\b"
    r"|\b(?:no|não)\s+(?:me\s+)?(?:mandes|envíes|envies|mande|envie|mandem)\s+(?:m[aá]s\s+)?(?:audios?|áudios?|notas? de voz|mensage(?:m|ns) de voz)"
    r"|\bsem\s+áudios?\b|\bno\s+(?:more\s+)?(?:voice|audio)(?:\s+notes?|\s+messages?)?\b|\bdon'?t\s+send\s+(?:me\s+)?(?:voice|audio)",
    re.IGNORECASE,
)
# what every language writes alike: "ok", "okay", "jaja", "lol", "hmm" say nothing of the guest's language
NEUTRAL = re.compile(
    r"(?:(?:ok+|okay|okey|oki|okis|k|kk|ah+|oh+|h?m+|ja(?:ja)+j?|je(?:je)+|ha(?:ha)+h?|he(?:he)+|k{3,}|rs(?:rs)+|lol|xd"
    r"|jsjs\w*)[\s,.!?]*){1,4}"
)
# a person asked for in so many words, whatever else the message seems to be about
PERSON_PLEASE = re.compile(
    r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a|an|the|some|your)?\s*(?:real\s+|actual\s+)?(?:person|human|someone"
    r"|somebody|agent|receptionist|reception|staff|manager|member\s+of\s+staff)\b"
    r"|\b(?:call|ring|phone)\s+me(?:\s+back)?\b(?!\s+(?:a|an)\s+(?:taxi|cab|uber))|\bcall\s?back\b"
    r"|\bgive\s+(?:me|us)\s+a\s+(?:call|ring|phone\s+call)\b"
    r"|\b(?:hablar|hablo|comunicar\w*|pasar\w*|pasa|pasame|comunica\w*)\s+con\s+(?:una\s+persona|alguien|un\s+humano"
    r"|recepcion|el\s+encargado|la\s+encargada|el\s+gerente|un\s+agente|una\s+persona\s+real)\b"
    r"|\bque\s+(?:alguien\s+)?(?:me|nos)\s+(?:llamen|llame|marquen|marque)\b|\b(?:llamame|llamenme|llameme|marcame|marquenme)\b"
    r"|\b(?:me|nos)\s+(?:pueden?|podrian?|podeis|puedes|podrias)\s+(?:llamar|marcar)\b|\bme\s+(?:liga|ligue|liguem)\b"
    r"|\b(?:falar|conversar)\s+com\s+(?:uma\s+pessoa|alguem|um\s+atendente|atendente|a\s+rece\w*|o\s+gerente|um\s+humano"
    r"|uma\s+pessoa\s+de\s+verdade)\b|\b(?:pode|podem)\s+(?:me\s+)?ligar\b|\bligue-me\b|\bliguem-me\b"
)
# "do you speak English?", "¿habláis español?", "vcs falam português?": a language we speak, asked alone
SPEAKS_OURS = re.compile(
    r"(?:(?:hi|hello|hey|good\s+\w+|hola|buenas|buenos\s+dias|oi|ola|bom\s+dia|boa\s+tarde|boa\s+noite|sorry|perdon"
    r"|desculpe?)\s+)*(?:do\s+you|can\s+you|does\s+anyone|(?:ustedes\s+)?hablan|hablais|hablas|habla\s+usted|habla"
    r"|(?:voces|vcs|voce|vc)\s+falam?|falam|fala|falas)\s+(?:speak\s+)?(?:in\s+|en\s+|em\s+)?(?:english|ingles|spanish"
    r"|espanol|castellano|espanhol|portuguese|portugues)(?:\s+(?:please|pls|por\s+favor|aqui|here|ai|alli))?"
)
# something of theirs left behind: reception has to go and look ("I think I left my charger in the room")
LEFT_BEHIND = re.compile(
    r"\b(?:left|forgot|forgotten|lost|olvide|olvidamos|olvidado|me\s+deje|nos\s+dejamos|deje|dejado|perdi|perdimos"
    r"|esqueci|esquecemos|esquecido|deixei|deixamos|deixado|me\s+olvide|se\s+(?:me|nos)\s+(?:olvido|olvidaron|quedo|quedaron)"
    r"|ficou|ficaram)\b.{0,60}\b(?:in|at|en|na|no)\s+"
    r"(?:the|my|our|la|el|mi|o|a|meu|nosso)?\s*(?:room|hotel|habitacion|cuarto|quarto|reception|recepcion|rece\w*|safe"
    r"|caja\s+fuerte|cofre|lobby|restaurant\w*|bathroom|bano|banheiro|casa\s+de\s+banho)\b"
)
# "are you a bot?", "estou a falar com um robô?", "what can you do?": the whole message asks what we are
ABOUT_BOT = re.compile(
    r"(?:(?:hi|hello|hey|hola|buenas|oi|ola|ok|so|sorry|perdon|desculpe?|y|e|and)\s+)*"
    r"(?:(?:are\s+you|r\s+u|is\s+this|am\s+i\s+(?:talking|speaking|chatting)\s+(?:to|with))\s+(?:a\s+|an\s+)?(?:bot|robot"
    r"|machine|ai|chatbot|real\s+person|human|person)|(?:eres|sos|es|estoy\s+hablando\s+con|hablo\s+con)\s+(?:un\s+|una\s+)?"
    r"(?:bot|robot|maquina|ia|chatbot|humano|persona(?:\s+real)?)|(?:voce\s+e|vc\s+e|es|e|estou\s+a\s+falar\s+com"
    r"|estou\s+falando\s+com|to\s+falando\s+com|falo\s+com)\s+(?:um\s+|uma\s+)?(?:bot|robo|maquina|ia|chatbot|humano"
    r"|pessoa(?:\s+real|\s+de\s+verdade)?)|what\s+can\s+you\s+do|what\s+do\s+you\s+do|how\s+does\s+this\s+work"
    r"|que\s+puedes\s+hacer|que\s+haces|como\s+funciona\s+esto|o\s+que\s+(?:voce|vc|tu)\s+(?:faz|pode\s+fazer)"
    r"|o\s+que\s+podes\s+fazer|como\s+funciona\s+isto)(?:\s+(?:or\s+(?:a\s+)?(?:real\s+)?(?:person|human)|o\s+(?:una\s+)?persona"
    r"|ou\s+(?:uma\s+)?pessoa|lol|jaja|kkk+|haha))?"
)
# a guest already in the hotel saying where they are: "we're staying in room 12", "estoy en la 204"
IN_HOUSE = re.compile(
    r"\b(?:we'?re|we\s+are|i'?m|i\s+am|estamos|estoy|estou|to|tamo|tamos)\s+(?:staying\s+|alojad[oa]s?\s+"
    r"|hospedad[oa]s?\s+)?(?:(?:in|en|na|no|at)\s+(?:the\s+|la\s+|el\s+|o\s+|a\s+)?(?:room|habitacion|hab|cuarto|pieza"
    r"|quarto|suite|suit)\s*(?:number|numero|n|no)?\s*\d{1,4}|(?:en\s+la|en\s+el|no|na)\s+\d{3,4})\b"
    r"|\b(?:room|habitacion|quarto|cuarto|pieza)\s+(?:number\s+|numero\s+)?\d{1,4}\b"
    r"(?=.*\b(?:staying|alojad|hospedad|estamos|estoy|estou|we'?re|i'?m)\b)"
)
# what guests ask a phone's assistant, not a hotel: scores, weather, music, the lights, recipes, jokes
OFF_TOPIC = re.compile(
    r"\b(?:partido|futbol|football|soccer|match|score|marcador|placar|jogo|golazo|gols?|goles|champions|nba|nfl"
    r"|weather|forecast|clima|pronostico|previsao\s+do\s+tempo|que\s+tiempo\s+(?:hace|va\s+a\s+hacer)|will\s+it\s+rain"
    r"|va\s+a\s+llover|vai\s+chover|music|musica|song|songs|cancion\w*|cancao|cancoes|playlist|spotify"
    r"|(?:turn|switch)\s+(?:on|off)\s+the\s+(?:light|lights|tv|radio)|(?:apaga|enciende|prende|liga|desliga)\s+(?:la|el|a|o)\s+"
    r"(?:luz|luces|tele|tv|radio)|alarm|alarma|despertador|timer|temporizador|recipe|receta|receita|joke|chiste|piada"
    r"|horoscop\w*|bitcoin|lottery|loteria|dolar|dollar|tipo\s+de\s+cambio|exchange\s+rate|cotizacion|cotacao)\b"
)
# yes, in the languages guests write to us when they cannot in ours ("ja bitte", "oui merci", "sì grazie")
_FOREIGN_YES_WORD = r"ja|jawohl|gerne|gern|oui|volontiers|d'accord|si|certo|certamente|va\s+bene|yes|ok|okay"
FOREIGN_YES = re.compile(
    rf"(?:(?:{_FOREIGN_YES_WORD}|bitte|prego|per\s+favore|s'il\s+vous\s+plait|merci|danke|grazie|mille|schon|sehr"
    r"|beaucoup|please|une|un|eine|einen|persona|personne|person|mensch|menschen)[\s,.!]*){1,6}"
)
FOREIGN_NO = re.compile(
    r"(?:(?:non|nein|no|nee|niet|c'est\s+bon|ca\s+va|pas\s+besoin|nicht\s+notig|nicht\s+noetig|schon\s+gut|passt"
    r"|va\s+bene\s+cosi|non\s+serve|merci|danke|grazie|thanks|thank\s+you|gracias|obrigad[oa])[\s,.!]*){1,5}"
)
_YES_IN = re.compile(rf"\b(?:{_FOREIGN_YES_WORD})\b")


def _only_yes(text: str) -> bool:
    """ "yes please", "sí", "sim, obrigado": a yes and nothing else ("ok, english is fine. what is
    the wifi password?" carries on in English instead)."""
    return polarity(text) == "yes" and len(fold(text).split()) <= 3


def foreign_yes(text: str) -> bool:
    """ "ja bitte", "oui, une personne svp", "sì grazie": a yes in a language we do not speak."""
    folded = fold(text).strip(" .!")
    return bool(FOREIGN_YES.fullmatch(folded) and _YES_IN.search(folded))


VOICE_PLEASE = re.compile(
    r"\b(?:m[aá]ndame|env[ií]ame|send\s+me|manda-me|envia-me|responde(?:-me)?\s+(?:com|con|por)|resp[oó]ndeme\s+(?:con|por)"
    r"|answer\s+(?:me\s+)?(?:with|by|in))\s+(?:un\s+|uma?\s+|an?\s+)?(?:audio|áudio|voz|voice|nota de voz|voice note)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GuestContext:
    """What the pipeline knows about the guest writing, beyond the message."""

    conversation_id: int
    channel: str
    today: date
    phone: str | None = None  # a phone the channel vouches for (WhatsApp, console --as)
    email: str | None = None  # an address the channel vouches for (e-mail with DKIM/DMARC passed)
    name: str | None = None
    voice: bool = False  # the guest spoke: replies also go out as voice
    claimed_email: str | None = None  # a From: address nobody vouches for: never proof of identity


@dataclass
class TurnBuilder:
    """Accumulates one turn's replies; every flow speaks through it."""

    dialogue: Dialogue
    state: DialogueState
    guest: GuestContext
    turn: Turn = field(init=False)
    facts: set[str] = field(default_factory=set)  # what this message told us (entity names)
    message: Understanding | None = None  # the guest's message this turn answers (None for events)
    progress: bool = False  # this message told us something new (a question re-asked is not stuck)
    answered: bool = False  # the message's questions about the hotel have been answered
    reminded_before: bool = False  # the guest's last message was answered with "Back to your booking: …"

    def __post_init__(self) -> None:
        self.turn = Turn(self.state)

    @property
    def lang(self) -> str:
        return self.state.lang or self.dialogue.default_language

    @property
    def catalog(self) -> Catalog:
        return self.dialogue.catalog

    def text(self, key: str, **values: Any) -> str:
        return self.catalog.text(self.state.variety or self.lang, key, **values)

    def say(self, key: str, options: tuple[Option, ...] = (), **values: Any) -> None:
        self.turn.replies.append(
            Reply(self.text(key, **values), self.lang, options, key=key, voice=self.guest.voice)
        )

    def say_text(self, text: str, key: str, options: tuple[Option, ...] = ()) -> None:
        if key.startswith("info:") and any(r.key == key for r in self.turn.replies):
            return  # one answer per topic and turn, however the message reached it
        text = self.catalog.localize(text, self.state.variety)
        self.turn.replies.append(Reply(text, self.lang, options, key=key, voice=self.guest.voice))

    def ask(self, expect: str, key: str, options: tuple[Option, ...] = (), **values: Any) -> None:
        """Ask a question and remember it, so it can be asked again after a digression.

        The one place that decides how a question is put: asked a second time in a row it is
        rephrased with an example; a third time, the guest goes to a person instead."""
        state = self.state
        times = state.asked[1] + 1 if state.asked and state.asked[0] == key else 1
        if times > 1 and any(r.key.startswith("info:") for r in self.turn.replies):
            times -= 1  # the guest asked something and was answered: a digression, not a miss
        if times > 1 and self.progress and key.startswith("confirm_booking"):
            times = 1  # the summary changed (another name, an e-mail): shown again in full
        state.asked = [key, times]
        state.expect = expect
        state.prompt = {"key": key, "values": values, "options": [o.__dict__ for o in options]}
        if times == 3 and self.progress:
            # the guest is moving on (new dates, a name) while this is still open: once more, put
            # another way, rather than hand over someone who is answering
            question = self.text(key, **values)
            self.say_text(self.text("rephrase", question=question), "rephrase", options)
            return
        if times >= 3:
            self.handoff("stuck", "handoff_not_understood")
            return
        if times == 2:
            again = f"{key}_again"
            if self.catalog.has(again):
                self.say(again, options, **values)
            else:
                question = self.text(key, **values)
                self.say_text(self.text("rephrase", question=question), "rephrase", options)
            return
        self.say(key, options, **values)

    def prompt_options(self) -> tuple[Option, ...]:
        prompt = self.state.prompt or {}
        return tuple(Option(**o) for o in prompt.get("options", []))

    def reask(self) -> bool:
        """The guest's message did not answer the question: ask it again (rephrased the second
        time, handed over the third). False when no question is pending."""
        prompt, state = self.state.prompt, self.state
        if not prompt or not state.flow or not state.expect:
            return False
        options = tuple(Option(**o) for o in prompt.get("options", []))
        self.ask(state.expect, prompt["key"], options, **prompt["values"])
        return True

    def reprompt(self) -> None:
        """After a digression (a question answered), remind the guest of the pending question,
        but not once it has been put twice: a receptionist would not nag."""
        prompt = self.state.prompt
        if not prompt or not self.state.flow:
            return
        if self.state.asked and self.state.asked[0] == prompt["key"] and self.state.asked[1] >= 2:
            return
        if self.reminded_before:  # a second question in a row: answered, without the reminder again
            return
        self.state.reminded = True
        options = tuple(Option(**o) for o in prompt.get("options", []))
        short = SHORT_REMINDER.get(prompt["key"])
        if short and self.catalog.has(short):  # the offer or the summary again in full: robotic
            self.say(short, options, **prompt["values"])
            return
        question = self.text(prompt["key"], **prompt["values"])
        self.say_text(self.text("continue_booking", question=question), "continue_booking", options)

    # formatting shortcuts
    def date(self, d: date | str) -> str:
        return self.catalog.date(self.lang, date.fromisoformat(d) if isinstance(d, str) else d)

    def money(self, amount: Decimal | str, currency: str) -> str:
        return self.catalog.money(self.lang, Decimal(amount), currency)

    def guests(self, adults: int, children: int) -> str:
        return self.catalog.guests(self.lang, adults, children or 0)

    def nights(self, n: int) -> str:
        return self.catalog.nights(self.lang, n)

    def room_name(self, code: str) -> str:
        rt = self.dialogue.room_type(code)
        return room_in(self.lang, rt.name(self.lang)) if rt else code

    def handoff(self, reason: str, key: str, **values: Any) -> Turn:
        self.say(key, **values)
        self.turn.handoff = reason
        self.state.reset_flow()
        return self.turn

    def signoff(self) -> str:
        """A closing line that changes from one confirmation to the next."""
        n = self.state.signoff
        self.state.signoff = n + 1
        return self.text(f"signoff_{n % 3 + 1}")


@dataclass
class _Reading:
    """How a message is read as it goes through the global steps: ``given`` is the intent the
    flow goes on with; ``intent`` what the steps answer."""

    intent: str
    given: str
    low: bool = False
    lacks: set[str] = field(default_factory=set)


class Dialogue:
    """Stateless between turns: everything about a conversation is in its ``DialogueState``."""

    def __init__(
        self,
        *,
        pms: Pms,
        catalog: Catalog,
        knowledge: Knowledge,
        settings: DialogueSettings,
        default_language: str = "es",
    ) -> None:
        self.pms = pms
        self.catalog = catalog
        self.knowledge = knowledge
        self.settings = settings
        self.default_language = default_language
        self.hotel_name = ""
        self.currency = "EUR"
        self.check_in_time = ""
        self._room_types: dict[str, RoomType] = {}

    async def refresh_catalogue(self) -> None:
        """Read the hotel and room types from the PMS (at start and after a PMS sync)."""
        hotel = await self.pms.hotel()
        self.hotel_name, self.currency, self.check_in_time = (
            hotel.name,
            hotel.currency,
            hotel.check_in_time,
        )
        self._room_types = {rt.code: rt for rt in await self.pms.room_types()}

    def room_type(self, code: str) -> RoomType | None:
        return self._room_types.get(code)

    @property
    def room_types(self) -> list[RoomType]:
        return list(self._room_types.values())

    def room_aliases(self) -> dict[str, tuple[str, ...]]:
        return {code: (*rt.aliases, *rt.names.values()) for code, rt in self._room_types.items()}

    # -- entry points ----------------------------------------------------------------------
    async def respond(
        self,
        state: DialogueState,
        u: Understanding,
        guest: GuestContext,
        inbound: Inbound | None = None,
    ) -> Turn:
        """One guest message: settle the language, read it in context, then answer it."""
        t = TurnBuilder(self, state, guest)
        t.message = u
        t.reminded_before, state.reminded = state.reminded, False  # the last reply ended on a reminder
        sure = self._read_language(state, u, guest)
        try:
            if not self._preliminaries(t, u):
                intent, entities = self._in_context(t, u, inbound)
                go_on = self._global_intent(t, u, intent, entities)
                if go_on is not None:
                    await self._advance_flow(t, u, go_on, entities)
                await asides.file_requests(t)  # a request about a booking made: into its remark
            answered = [r.key[5:] for r in t.turn.replies if (r.key or "").startswith("info:")]
            state.topic = answered[-1] if answered else None  # what "is it free?" asks about next
        finally:
            if not sure and not state.lang_sure:
                state.lang = None  # an unreadable first line must not fix the conversation's language
        return t.turn

    def _read_language(self, state: DialogueState, u: Understanding, guest: GuestContext) -> bool:
        """Take the message's language (and the guest's variety); True when it can be trusted."""
        home = phone_language(guest.phone)
        bare = fold(u.text).strip(" .!?,")
        if state.foreign and (FOREIGN_NO.fullmatch(bare) or foreign_yes(u.text)):
            # "non, c'est bon" to "which languages we speak": answered as that was (English, or the phone's)
            u.lang = state.lang or home or "en"
        elif not state.lang_sure and (state.lang or home) and NEUTRAL.fullmatch(bare):
            u.lang = state.lang or home or u.lang  # "ok", "jaja": no language; the one we had, or the phone's
        elif (
            not state.lang_sure
            and home
            and u.lang != home
            and u.lang_confidence < AMBIGUOUS_LANG
            and (home in _IBERIAN or not u.understood or bool(u.flags & {"low_confidence", "unknown_words"}))
        ):
            u.lang = home  # "cancelar reserva", "wifi?": a Spanish number says which language
        readable = u.flags.isdisjoint({"empty", "no_words", "too_long"})
        foreign = any(f.startswith("foreign:") for f in u.flags)
        sure = readable and not foreign and (u.understood or bool(u.entities))
        if (readable or state.lang is None) and (sure or not state.lang_sure):
            state.lang = u.lang
        if sure:
            state.lang_sure = True
        if state.lang:
            state.variety = variety(state.lang, u.text, guest.phone, state.variety)
        return sure

    def _preliminaries(self, t: TurnBuilder, u: Understanding) -> bool:
        """Messages answered before any reading of intent; True when answered."""
        state = t.state
        if "too_long" in u.flags:
            t.say("too_long", max=self.settings.max_message_chars)
            return True
        if u.flags & {"empty", "no_words"}:
            if state.expect and t.prompt_options() and polarity(u.text):
                return False  # "👍" to a yes/no question: an answer (to "your e-mail?", a nod)
            if not t.reask() and not asides.nodded(t, u.text):
                t.say("no_words")
            return True
        if TEXT_ONLY.search(u.text) or VOICE_PLEASE.search(u.text):
            state.text_only = bool(TEXT_ONLY.search(u.text))
            t.say("voice_off_ack" if state.text_only else "voice_on_ack")
            if state.text_only:
                t.turn.replies = [replace(r, voice=False) for r in t.turn.replies]
            return True
        foreign = next((f.partition(":")[2] for f in u.flags if f.startswith("foreign:")), None)
        if foreign:
            state.foreign += 1
            if state.foreign >= 2:
                t.handoff("language", "handoff_language")
            else:
                t.say("languages_we_speak", (Option("human", t.text("opt_human")),))
                t.turn.attention = "foreign_language"
            return True
        if state.foreign and not asks(u.text) and FOREIGN_NO.fullmatch(fold(u.text).strip(" .!")):
            state.foreign = 0  # "non, c'est bon, merci": no person wanted
            t.say("ack")
            return True
        if state.foreign and not asks(u.text) and (foreign_yes(u.text) or _only_yes(u.text)):
            # "ja bitte", "sì, grazie" to "would you like a person?": the person they said yes to
            state.foreign = 0
            t.handoff("language", "handoff_language")
            return True
        state.foreign = 0
        return False

    def _global_intent(
        self, t: TurnBuilder, u: Understanding, intent: str, entities: dict[str, Any]
    ) -> str | None:
        """A person, a complaint, questions, greetings: answered whatever flow is going on. None
        when that was all; else the intent the flow goes on with. Each step either answers the
        message (the turn is done) or hands it on, perhaps re-read, to the next."""
        reading = _Reading(intent, intent)
        steps = (
            self._for_a_person,
            self._introductions,
            self._faint_readings,
            self._questions,
            self._requests,
            self._small_talk_and_misses,
        )
        for step in steps:
            done, go_on = step(t, u, reading, entities)
            if done:
                return go_on
        return reading.given

    def _for_a_person(
        self, t: TurnBuilder, u: Understanding, r: _Reading, entities: dict[str, Any]
    ) -> tuple[bool, str | None]:
        """Hesitation, small talk, a person asked for, a complaint, an emergency."""
        state = t.state
        if HESITATION.match(u.text.strip()):
            r.intent = "out_of_scope"  # "hum", "mmm": thinking aloud, not a request for a human
        if asides.small_talk(t, u, r.intent, entities):  # "sorry, wrong chat", "ok thanks", a late arrival
            return True, None
        if (
            r.intent == "request_human"
            and not HUMAN_WORDS.search(fold(u.text))
            and _answers_question(state, entities)
        ):
            r.intent = r.given = (
                "provide_info"  # "a suite se houver, por favor" answering which room: no person asked
            )
        bare = " ".join(re.sub(r"[^\w\s']", " ", fold(u.text)).split())
        if SPEAKS_OURS.fullmatch(bare):
            t.say("we_speak_it")  # "hi, do you speak english?": yes, and what can we do for them
            state.misunderstood = 0
            t.reprompt()
            return True, None
        if (
            LEFT_BEHIND.search(bare)
            and not _has_stay(entities)
            and not {"luggage", "parking"} & set(topics_in(u.text))  # "we left the bags at reception…?"
        ):
            t.handoff(
                "requested", "handoff_requested"
            )  # "I think I left my charger in the room": the desk looks
            return True, None
        if ABOUT_BOT.fullmatch(bare):
            t.say("about_bot")  # "are you a bot?", "what can you do?": what we are and do, no handoff yet
            state.misunderstood = 0
            t.reprompt()
            return True, None
        if r.intent not in ("request_human", "complaint") and PERSON_PLEASE.search(fold(u.text)):
            r.intent = "request_human"  # "can I get a callback from reception?", read as a question
        if r.intent == "request_human":
            t.handoff("requested", "handoff_requested")
            return True, None
        if r.intent == "complaint":
            t.handoff("complaint", "handoff_complaint")
            return True, None
        if EMERGENCY.search(fold(u.text)):
            t.handoff("emergency", "handoff_requested")  # someone is ill, a fire: a person, now
            return True, None
        return False, None

    def _introductions(
        self, t: TurnBuilder, u: Understanding, r: _Reading, entities: dict[str, Any]
    ) -> tuple[bool, str | None]:
        """A name or an e-mail with nothing else asked: kept (for the booking to come or just made)."""
        state = t.state
        if (
            state.flow is None
            and state.created
            and set(entities) == {"email"}
            and not asks(u.text)
            and not changes.contact_change(u.text)
        ):
            # "yes" to the summary, then the address it offered: noted for the booking just made
            t.turn.guest_updates = {"email": entities["email"]}
            t.turn.attention = "booking_notes"
            t.say("email_after_booking", email=entities["email"], ref=state.created[-1])
            return True, None
        if (
            state.flow is None
            and _introduces(entities)
            and not asks(u.text)
            and not changes.contact_change(u.text)  # "change the e-mail on my booking to …": for manage
            # "anular la reserva nº …, a nombre de Pilar Sanz": about a booking, not an introduction
            and r.intent not in ("cancel_booking", "modify_booking", "booking_status")
        ):
            s = state.slots  # "hola, me llamo Ignacio Muñoz Soto", "my e-mail is …": kept for the booking
            s.guest_name = entities.get("guest_name") or s.guest_name
            s.email = entities.get("email") or s.email
            t.say("greet", hotel=self.hotel_name)
            return True, None
        return False, None

    def _faint_readings(
        self, t: TurnBuilder, u: Understanding, r: _Reading, entities: dict[str, Any]
    ) -> tuple[bool, str | None]:
        """What a faint or a small-talk reading really is: a question about the hotel, a stay, a
        question for reception, nothing for us; and what the hotel does not have."""
        state = t.state
        intent, given = r.intent, r.given
        if (
            state.topic
            and intent
            in (WEAK_INTENTS | {"ask_info", "ask_price", "room_info", "special_request", "goodbye"})
            and self._follow_up(t, u) is not None
        ):
            r.intent = "ask_info"  # "y es gratis?", "how much is it?" after an answer: about what it said
            return False, None
        if (
            intent in ("affirm", "deny")
            and state.expect
            and "?" in u.text
            and topics_in(u.text, cancelling=state.flow == "cancel")
            and (_defers(u.text) or polarity(u.text) is None)
        ):
            intent = (
                "ask_info"  # "wait, i get money back?" read as a no: a question, the answer still to come
            )
        low = "low_confidence" in u.flags and intent not in WEAK_INTENTS
        if (
            intent in (WEAK_INTENTS - {"affirm", "deny"}) | {"goodbye"}  # "do ye take amex?" is no goodbye
            and "?" in u.text
            and (topics_in(u.text, cancelling=state.flow == "cancel") or features_in(u.text))
            and not _has_stay(entities)
            and not _gives_details(entities)
            and "booking_ref" not in entities
        ):
            intent = "ask_info"  # "what about pets?", read as small talk: a question about the hotel
        if (
            low
            and intent in ("special_request", "ask_info", "room_info", "out_of_scope")
            and (
                any(k in entities for k in ("check_in", "check_out"))
                and any(k in entities for k in ("adults", "children"))
            )
            and not topics_in(u.text)
        ):
            return True, given  # "an event for 15 people, 8 to 10 June": a stay, whatever else it sounds like
        if (
            low
            and state.flow
            and "?" in u.text
            and intent in ("ask_info", "room_info", "special_request")
            and not topics_in(u.text, cancelling=state.flow == "cancel")  # "vão cobrar alguma coisa?"
            and not features_in(u.text)
            and not _meaningful(entities)
        ):
            # "a company rate?" mid-booking: reception is asked, the booking goes on
            self._answer_info(t, None)
            t.answered = True
            t.reprompt()
            return True, None
        if low and "?" in u.text and features_in(u.text) and not _has_stay(entities):
            intent = "room_info"  # "y hay alguna con balcón?", however faintly read: about the rooms
        if (
            low
            and intent in ("ask_info", "room_info", "special_request")
            and not topics_in(u.text, cancelling=state.flow == "cancel")
            and not ("?" in u.text and features_in(u.text))  # "liga a televisão da sala" asks nothing
            and not asides.requests_in(u.text)  # "y llegaremos tarde": a request, however faintly read
        ):
            intent = "out_of_scope"  # "turn on the light" at 0.2 is not a question about the hotel
        if (
            intent in (*BOOKING_INTENTS, "ask_info", "room_info", "special_request", "provide_info")
            and not topics_in(u.text)
            and not features_in(u.text)
        ):
            folded = fold(u.text)
            if IN_HOUSE.search(folded) and not asks(u.text) and not _meaningful(entities):
                t.say("in_house_ack")  # "hi, we're staying in room 12": a guest here, not a booking
                state.misunderstood = 0
                return True, None
            if OFF_TOPIC.search(folded) and not (set(entities) - {"check_in", "phone"}):
                intent = "out_of_scope"  # "¿cuánto está el dólar hoy?" asks no price of ours, no stay
        lacks = set(topics_in(u.text)) & set(NOT_HAVE)
        if intent == "ask_price" and priced_aside(u.text, entities):
            intent = "ask_info"  # "parking, how much a day?": its answer carries its price, not the rooms'
        if lacks and (
            intent in ("special_request", "room_info", "ask_info", "out_of_scope") or not _has_stay(entities)
        ):
            intent = "ask_info"  # "any rooms with a kitchen, or a penthouse?": a plain no for each
        r.intent, r.low, r.lacks = intent, low, lacks
        return False, None

    def _questions(
        self, t: TurnBuilder, u: Understanding, r: _Reading, entities: dict[str, Any]
    ) -> tuple[bool, str | None]:
        """Questions about the hotel and its rooms, answered; then the flow goes on, or the stay
        the message also gives is taken."""
        state = t.state
        intent, given, lacks = r.intent, r.given, r.lacks
        if intent in ("ask_info", "room_info") and (lacks or not _answers_question(state, entities)):
            self._answer_questions(t, u, intent)
            t.answered = True
            answer = _answer_after_questions(u.text) if state.expect else None
            if answer in ("yes", "no") and state.flow:  # "is breakfast included? ok, book it anyway"
                return True, "affirm" if answer == "yes" else "deny"
            if state.flow is None and "check_in" in entities and not lacks:
                state.flow = "booking"  # "a double 9 to 12 June? is breakfast included?": both
                return True, "check_availability"
            if state.flow == "booking" and not lacks and _gives_details(entities):
                return True, given  # "book it under Ana Ruiz. Is breakfast included?": answered, and taken
            if state.flow is None and any(k in entities for k in ("adults", "children", "room_type")):
                from hotelbox.dialogue import slots

                slots.fill_stay(t, entities)  # "we are 2, do you have a penthouse?": kept for later
            t.reprompt()
            return True, None
        return False, None

    def _requests(
        self, t: TurnBuilder, u: Understanding, r: _Reading, entities: dict[str, Any]
    ) -> tuple[bool, str | None]:
        """A cot, a late arrival, a diet: noted once, in the guest's words."""
        state = t.state
        intent, given = r.intent, r.given
        if intent == "special_request":
            if asides.take_requests(t, u.text):  # a cot, a late arrival…: noted once, in its words
                self.say_not_have(t, u.text)  # "…and do you have a lift?": the questions beside it too
                self.answer_asides(t, u, intent)
                t.answered = t.answered or any(r.key.startswith("info:") for r in t.turn.replies)
            elif state.flow and "?" in u.text and not _meaningful(entities):
                self._answer_info(t, None)  # "a company rate?" mid-booking: a question reception answers
                t.answered = True
            else:
                state.notes.append(u.text.strip()[:300])
                t.say("special_request_noted", request=u.text.strip()[:200])
                t.turn.attention = "special_request"
            if state.flow and _meaningful(entities):
                return True, given  # "my husband and I with the baby, we'd need a cot": noted, and taken
            if (
                state.flow is None
                and _has_stay(entities)
                and any(k in entities for k in ("check_in", "nights"))
            ):
                return True, "book_room"  # "a room for us and the baby 5 to 8 July, we need a cot": both
            t.reprompt()
            return True, None
        return False, None

    def _small_talk_and_misses(
        self, t: TurnBuilder, u: Understanding, r: _Reading, entities: dict[str, Any]
    ) -> tuple[bool, str | None]:
        """Greetings and thanks; a message not understood (asked again, then a person)."""
        state = t.state
        intent, given, low = r.intent, r.given, r.low
        if intent in ("greet", "thanks", "goodbye") and not _meaningful(entities):
            if intent == "greet":
                if state.flow:
                    t.say("greet_again")
                    t.reprompt()
                else:
                    t.say("greet", hotel=self.hotel_name)
            else:
                t.say("thanks" if intent == "thanks" else "goodbye")
            state.misunderstood = 0
            return True, None
        if intent == "out_of_scope" or (
            (not u.understood or low)
            and not _meaningful(entities)
            and not _answers_question(state, entities)
            and not (state.expect and intent in ("affirm", "deny"))
        ):
            state.misunderstood += 1
            if t.reask():  # in the middle of a flow: the question again, rephrased, then a person
                return True, None
            if state.misunderstood >= self.settings.misunderstandings_before_handoff:
                state.misunderstood = 0
                t.handoff("not_understood", "handoff_not_understood")
                return True, None
            t.say("not_understood")
            t.reprompt()
            return True, None
        state.misunderstood = 0
        return True, given

    async def _advance_flow(
        self, t: TurnBuilder, u: Understanding, intent: str, entities: dict[str, Any]
    ) -> None:
        """Start or switch the flow the message asks for, then let that flow take its next step."""
        from hotelbox.dialogue import booking, manage  # flows import this module

        state = t.state
        self.say_not_have(t, u.text)
        self.answer_asides(t, u, intent)
        flows: dict[str, Flow] = {
            "modify_booking": "modify",
            "cancel_booking": "cancel",
            "booking_status": "status",
        }
        if intent == "ask_price" and _prices_the_change(state, entities):
            # "how much is it with the suite?" while the change waits for its yes: its question
            # carries the new total, so it is the answer, and the question is asked again
            prompt = state.prompt or {}
            t.say(prompt["key"], t.prompt_options(), **prompt["values"])
            return
        if intent in ("check_availability", "ask_price", "book_room"):
            if state.flow in ("modify", "cancel", "status") and _answers_question(state, entities):
                pass  # "can we stay until the 30th?" answers "which new dates?": same flow
            elif state.flow != "booking":
                state.reset_flow()
                state.flow = "booking"
            party_unknown = state.slots.adults is None and "adults" not in entities
            if intent == "ask_price" and (
                (not _has_stay(entities) and not state.slots.check_in)
                or (party_unknown and state.slots.check_in)
            ):
                self._price_list(t)  # "how much is the double a night?" before we can quote: the list
        elif intent in flows:
            if (
                state.flow == "booking"
                and intent == "modify_booking"
                and _has_stay(entities)
                and ("booking_ref" not in entities)
            ):
                pass  # "we'll only stay 2 nights after all" about the offer: a correction, same flow
            elif state.flow != flows[intent] and not (state.flow and _answers_question(state, entities)):
                state.reset_flow()
                state.flow = flows[intent]
        elif state.flow is None:
            if _has_stay(entities):
                state.flow = "booking"
            else:
                # "yes", "no", a name… with nothing asked: offer help without counting a miss
                t.say("not_understood")
                return
        if (
            state.flow == "booking"
            and changes.says_cot(u.text, u.lang)
            and not t.answered
            and t.turn.attention != "special_request"
            and not asides.noted(t, "cot")  # noted with the message's other requests already
        ):
            # "we need a cot for the baby" inside a booking message: for the room, noted for reception
            asides.note_request(t, "cot", u.text)
            t.turn.attention = t.turn.attention or "cot_request"
        if state.flow == "booking":
            await booking.advance(t, intent, entities, u.flags)
        else:
            await manage.advance(t, intent, entities, u.flags)

    def voice_problem(
        self, state: DialogueState, guest: GuestContext, code: str, max_minutes: int = 5
    ) -> Turn:
        """The guest's voice note could not be used: say why, ask to type or resend."""
        t = TurnBuilder(self, state, replace(guest, voice=False))
        key = {
            "audio_too_long": "voice_too_long",
            "no_speech": "voice_silent",
            "stt_unavailable": "voice_unavailable",
            "speech_busy": "voice_busy",
        }.get(code, "voice_unusable")
        t.say(key, max=max_minutes)
        if code == "speech_busy":  # the note is kept: staff can play it if the guest does not type
            t.turn.attention = "voice_busy"
        return t.turn

    def without_words(
        self, state: DialogueState, inbound: Inbound, guest: GuestContext, *, stale: bool = False
    ) -> Turn | None:
        """A turn for a message there is nothing to understand in, or that must not be answered
        as if live; None when the message goes through understanding as usual."""
        if state.lang is None and inbound.language_hint:
            state.lang = inbound.language_hint
        t = TurnBuilder(self, state, guest)
        if inbound.kind == "reaction":
            return t.turn  # kept for staff; a 👍 is not a request
        no_reply = inbound.payload.get("no_reply")
        if no_reply:  # an auto-reply, a list, an OTA notice, our own mail: kept for staff, never answered
            t.turn.attention = {"ota": "ota_notification", "oversize": "email_oversize"}.get(no_reply)
            return t.turn
        if stale:
            return t.handoff("stale_message", "stale_message")
        if not (inbound.text or "").strip() and not inbound.choice and inbound.kind not in ("text", "audio"):
            t.say("unreadable")
            return t.turn
        return None

    async def on_event(self, state: DialogueState, event: dict[str, Any], guest: GuestContext) -> Turn:
        from hotelbox.dialogue import booking, manage

        t = TurnBuilder(self, state, guest)
        if event.get("type") != "pms_result":
            return t.turn
        if asides.is_note(event):  # a request written into a booking's remark
            asides.note_written(t, event)
            return t.turn
        if event["operation"] == "create":
            await booking.on_result(t, event)
        else:
            await manage.on_result(t, event)
        return t.turn

    # -- context ---------------------------------------------------------------------------
    def _in_context(
        self, t: TurnBuilder, u: Understanding, inbound: Inbound | None
    ) -> tuple[str, dict[str, Any]]:
        """Read the message in the light of the question we asked last: a choice among the
        options offered, the answer to the question, dates against the stay being discussed."""
        from hotelbox.dialogue import slots

        state = t.state
        intent = asides.unless_complaint(u, state)  # a faint "complaint" with no grievance in it is none
        entities = slots.in_context(t, u)
        booking_talk = state.flow == "booking" or _has_stay(entities) or intent in BOOKING_INTENTS
        slots.take_name(t, u, entities, booking_talk)  # every fact from every message, whatever we asked
        if intent in (
            "special_request",
            "out_of_scope",
            "provide_info",
            "request_human",
        ) and WANT_A_ROOM.match(fold(u.text)):
            intent = "book_room"  # "need a room", "preciso de um quarto": a booking, not a request
            u.flags -= {"low_confidence", "unknown_words"}
        own = _about_own_booking(state, u, intent)
        if (
            state.flow != "booking"
            and (
                PARTY_CHANGE.search(fold(u.text))
                or changes.says_party_change(u.text, u.lang)  # "seremos 3", "one more adult"
                or (  # "cambiar a la suite", "booking HB-…: how much would the suite be?"
                    "room_type" in entities
                    and (changes.says_room_switch(u.text) or changes.asks_price(u.text))
                )
            )
            and (
                "booking_ref" in entities
                or _HAVE_BOOKING.search(fold(u.text))
                or state.flow in ("modify", "status")
                or (
                    state.discussed and not {"check_in", "check_out", "nights"} & entities.keys()
                )  # just shown
                or (  # "can you add my son? he's 6" with no stay asked for: someone on a booking they have
                    state.flow is None
                    and (
                        (
                            changes.adds_someone(u.text, u.lang)
                            and not {"check_in", "check_out", "nights"} & entities.keys()
                        )
                        or (
                            intent not in BOOKING_INTENTS
                            and ADD_TO_BOOKING.search(fold(u.text))
                            and not _has_stay({k: v for k, v in entities.items() if k != "children"})
                        )
                    )
                )
            )
        ):
            own = "modify_booking"  # "can you add our daughter to booking HB-…?": the party, not the dates
            entities["_party_change"] = True
        if own is not None:
            intent = own  # read in context: understood, whatever the model's confidence
            u.flags -= {"low_confidence", "unknown_words"}
            if u.intent == "out_of_scope":
                u.intent = own  # "remind me what I booked" read as off-topic: about their booking
        tapped = inbound.choice if inbound is not None else None
        candidates = (state.target or {}).get("candidates")
        if not tapped and state.expect == "pick_booking" and candidates and "booking_ref" not in entities:
            ref = choose_by_stay(u.text, entities, candidates)  # "la de octubre", "a do dia 13 ao 15"
            if ref:
                entities["booking_ref"] = ref
                return "provide_info", {k: v for k, v in entities.items() if k not in _STAY_WORDS}
        choice = None
        if tapped or state.expect:
            choice = read_choice(u.text, t.prompt_options(), tapped=tapped)
            if (
                choice
                and not tapped
                and _changes_stay(state, entities)
                and choice in ("no", "change", "dont_book", "other_dates")
            ):
                choice = None  # "no, better from the 6th to the 9th": a correction, not a refusal
            if (
                choice
                and not tapped
                and intent in ("request_human", "complaint")
                and not option_named(u.text, t.prompt_options())  # "option 1 please" names the option
                # "no wait, keep it" read faintly as a complaint: the answer to the question stands
                and not ("low_confidence" in u.flags and not HUMAN_WORDS.search(fold(u.text)))
            ):
                choice = None
            if choice in ("yes", "no") and not tapped and _defers(u.text):
                choice = None  # "before I confirm, what time is check-in?": a question first, no yes yet
            if (
                choice in ("yes", "no")
                and not tapped
                and not t.prompt_options()
                and intent
                in (
                    "cancel_booking",
                    "modify_booking",
                )
            ):
                choice = None  # "ok, cancel it then" while asked for new dates: a request, not a yes
        if (
            choice is None
            and intent != "cancel_booking"
            and (state.flow in ("modify", "status") or state.discussed)
            and says_cancel(u.text)
        ):
            intent = "cancel_booking"  # "uff, es muy caro, mejor cancélala" about the booking in view
            u.flags -= {"low_confidence", "unknown_words"}
        if choice:
            kind, _, value = choice.partition(":")
            if kind == "yes":
                return "affirm", entities
            if kind == "no":
                return "deny", entities
            if kind == "human":
                return "request_human", entities
            if kind == "room":
                entities["room_type"] = value
                return "provide_info", entities
            if kind == "booking":
                entities["booking_ref"] = value
                return "provide_info", entities
            entities["_choice"] = choice
            return "provide_info", entities
        weak = intent in WEAK_INTENTS or not u.understood
        if booking_talk and "email" not in entities and declines_email(u.text):
            # "no email" answers the e-mail question whenever it comes, even before it is asked
            entities["_no_email"] = True
            intent = "provide_info" if intent == "deny" else intent
        contact = "email" in entities or "phone" in entities  # "Ana Souza, ana@x.com" whatever we asked
        if (weak or contact) and slots.answers_expected(t, u, entities):
            return "provide_info", entities
        if state.expect and weak and _meaningful(entities):
            return "provide_info" if intent not in ("affirm", "deny") else intent, entities
        return intent, entities

    # -- answers that need no flow -----------------------------------------------------------
    def _answer_questions(self, t: TurnBuilder, u: Understanding, intent: str) -> None:
        """Answer every question the message asks, and say plainly what the hotel lacks."""
        cancelling = t.state.flow == "cancel"
        named = topics_in(u.text, cancelling=cancelling)
        topics: list[str | None] = [k for k in named if self.knowledge.answer(t.lang, k)]
        if "for_reception" in named and not self.knowledge.answer(t.lang, "for_reception"):
            topics.append(None)  # "room service?": reception is asked, beside the answers we have
        if (not topics or topics == ["payment"]) and (again := self._follow_up(t, u)) is not None:
            topics = [again or None]  # "e a que horas é servido?" after breakfast: breakfast's hours
        elif (
            u.topic
            and u.topic not in topics
            and (not topics or intent == "ask_info")
            and not set(topics) & set(NOT_HAVE)
            and not (u.topic == "payment" and "cancellation_policy" in topics)  # what cancelling costs
            and not (u.topic == "amenities" and "restaurant" in topics)  # "restaurante? da pra jantar?"
        ):
            topics.insert(0, u.topic)
        if features_in(u.text):
            for topic in topics[:3]:
                self._answer_info(t, topic)
            asides.answer_rooms(t, u.text, u.entities)  # "has it a bathtub?": that room's facts, not the list
            return
        if not topics and intent == "room_info":
            self._describe_rooms(t)
            return
        for topic in topics[:4] or [None]:
            self._answer_info(t, topic)

    def _follow_up(self, t: TurnBuilder, u: Understanding) -> str | None:
        """A short question that names nothing, right after a topic was answered ("is it free?",
        "y hasta qué hora?", "e a que horas é servido?"): about that topic. Its answer again when
        the question asks what it says (a time, a price) or the model reads that topic too; else ""
        (reception is asked: "is it heated?" is nothing the answer says). None: no follow-up."""
        last = t.state.topic
        folded = " ".join(re.sub(r"[^\w\s]", " ", fold(u.text)).split())
        named = topics_in(u.text)
        if (
            not last
            or features_in(u.text)
            or (named and not (named == ["payment"] and last in PRICED))  # "é pago?" after parking: its price
            or last not in self.knowledge.topics()
            or not asks(u.text)
            or len(folded.split()) > 7
            or _has_stay(u.entities)
            or "booking_ref" in u.entities
            or about_the_stay(u.text)  # "how much is it in total?": the stay's price
            or not (_REFERS_BACK.search(folded) or _ASKS_TIME.search(folded) or _ASKS_PRICE.search(folded))
        ):
            return None
        if u.topic == last or _ASKS_TIME.search(folded) or _ASKS_PRICE.search(folded):
            return last
        return ""

    def say_not_have(self, t: TurnBuilder, text: str) -> None:
        """Things the hotel does not have, named in a message about something else."""
        for topic in topics_in(text):
            if topic in NOT_HAVE and (answer := self.knowledge.answer(t.lang, topic)):
                t.say_text(answer, f"info:{topic}")

    def answer_asides(self, t: TurnBuilder, u: Understanding, intent: str) -> None:
        """Questions about the hotel asked inside a message about the booking ("…, Ana Ruiz. Is
        breakfast included?"): each answered before the booking goes on."""
        own = intent in ("modify_booking", "booking_status") or "booking_ref" in u.entities
        own = own or bool(_HAVE_BOOKING.search(fold(u.text)))
        # "we need a cot": kept with the booking, said once (a booking's own cot is the change flow's)
        if intent != "cancel_booking" and t.state.flow != "cancel":
            asides.take_requests(t, u.text, cot=not (own or t.state.flow in ("modify", "status")))
        if t.answered or not (asks(u.text) or asks_quietly(u.text)):
            return
        for topic in topics_in(u.text, cancelling=t.state.flow == "cancel")[:3]:
            if topic in NOT_HAVE or (topic == "payment" and intent == "ask_price"):
                continue
            if topic == "cot" and (own or t.state.flow in ("modify", "status") or asides.noted(t, "cot")):
                continue  # "a cot for booking HB-…, please?": a request the flow notes, not a question
            if answer := self.knowledge.answer(t.lang, topic):
                t.say_text(answer, f"info:{topic}")
            elif topic == "for_reception":
                self._answer_info(t, None)  # "…and is there room service?": reception answers it
        asides.answer_rooms(t, u.text, u.entities)

    def _answer_info(self, t: TurnBuilder, topic: str | None) -> None:
        answer = self.knowledge.answer(t.lang, topic)
        if answer:
            t.say_text(answer, f"info:{topic}")
        else:
            t.say("info_unknown")
            t.turn.attention = "unanswered_question"

    def _describe_rooms(self, t: TurnBuilder) -> None:
        lines = [t.text("room_types_intro")]
        for rt in self.room_types:
            lines.append(
                t.text(
                    "room_type_line",
                    room=t.room_name(rt.code),
                    max=rt.max_guests,
                    description=rt.descriptions.get(t.lang, ""),
                    price=t.money(rt.base_price, self.currency),
                )
            )
        t.say_text("\n".join(lines), "room_types")

    def _price_list(self, t: TurnBuilder) -> None:
        lines = [t.text("prices_intro")]
        for rt in sorted(self.room_types, key=lambda r: r.base_price):
            lines.append(
                t.text("price_line", room=t.room_name(rt.code), price=t.money(rt.base_price, self.currency))
            )
        t.say_text("\n".join(lines), "prices")

    # -- validation shared by flows ----------------------------------------------------------
    def check_stay(self, t: TurnBuilder, check_in: date, check_out: date) -> str | None:
        """The catalogue key of what is wrong with these dates, or None."""
        if check_out <= check_in:
            return "checkout_before_checkin"
        if check_in < t.guest.today:
            return "past_date"
        if check_in > t.guest.today + timedelta(days=self.settings.booking_horizon_days):
            return "too_far"
        return None


# "decime cuánto sale y si el desayuno está incluido": a question without a question mark
_INDIRECT = re.compile(
    r"\b(?:decime|dime|digame|diganme|dinos|tell\s+me|let\s+me\s+know|me\s+dices|me\s+dizes|me\s+diz|diz-me"
    r"|quisiera\s+saber|queria\s+saber|quiero\s+saber|quero\s+saber|gostaria\s+de\s+saber|would\s+like\s+to\s+know"
    r"|wondering|i\s+wonder|pregunto|pergunto)\b"
    # "y el desayuno va aparte o está incluido", "breakfast included or extra": asked without a "?"
    r"|\b(?:va\s+aparte|se\s+paga\s+aparte|esta\s+incluid[oa]|estan\s+incluid[oa]s|ta\s+incluid[oa]|vem\s+incluid[oa]"
    r"|e\s+a\s+parte|is\s+(?:it\s+)?included|included\s+or|incluid[oa]\s+o|incluid[oa]\s+ou)\b"
    r"|\b(?:si|if|whether|se)\s+(?:el|la|los|las|the|o|a|os|as|hay|tienen|teneis|there|is|are|tem|ha|tiene|esta|está)\b"
)


# the yes is put off until a question is answered: "before I confirm…", "antes de confirmar…", "one
# question first", "antes de reservar, una pregunta"
_DEFERS = re.compile(
    r"\b(?:before|antes\s+de|antes\s+que|prior\s+to)\s+(?:i\s+|we\s+|to\s+|(?:yo\s+|eu\s+)?(?:lo\s+|la\s+|o\s+|a\s+)?)?"
    r"(?:confirm\w*|book\w*|reserv\w*|decid\w*|go\s+ahead|say\s+yes|pay\w*|pag\w*|accept\w*|acept\w*|aceit\w*"
    r"|fechar|cerrar|do\s+it|hacerlo|faze-lo|proceed\w*|change\w*|cambi\w*|mud\w*|alter\w*)"
    r"|^\W*(?:no\s+)?(?:wait|hold\s+on|one\s+moment|just\s+a\s+moment|un\s+momento|espera|espere|esperad|pera|perai"
    r"|calma|momento)\b"  # "wait, i get money back?": a question, not the answer
    r"|\b(?:one|a)\s+(?:quick\s+)?question\s+first\b|\b(?:una|uma)\s+(?:pregunta|pergunta|duda|duvida)\s+(?:antes|primero|primeiro)\b"
    r"|\b(?:first|primero|primeiro)\s*,?\s+(?:a\s+|una\s+|uma\s+)?(?:question|pregunta|pergunta|duda|duvida)\b"
)


# a question about something just named, in the guest's words: a pronoun ("is it heated?", "¿eso se
# paga?", "isso é pago?"), or a verb and what it is ("is it free", "es gratis", "é servido")
_REFERS_BACK = re.compile(
    r"\b(?:it|that|this|they|them|those|these|eso|esa|ese|esto|ello|lo|la|los|las|isso|isto|ele|ela|eles|elas|esse"
    r"|essa)\b|\b(?:is|are|es|son|esta|estan|e|sao|fica|ficam)\s+(?:\w+\s+)?(?:servid[oa]s?|served|abiert[oa]s?"
    r"|abert[oa]s?|open|gratis|free|gratuit[oa]s?|heated|climatizad[oa]s?|aquecid[oa]s?|incluid[oa]s?|included"
    r"|pag[oa]s?|extra|aparte|a\s+parte|caro|cara|expensive|far|lejos|longe)\b"
)
_ASKS_TIME = re.compile(
    r"\b(?:what\s+time|until\s+when|till\s+when|from\s+when|when|a\s+q(?:ue)?\s+horas?|q(?:ue)?\s+horas?|hasta\s+q(?:ue)?"
    r"\s+hora|desde\s+q(?:ue)?\s+hora|ate\s+que\s+horas?|ate\s+quando|cuando|quando|horario|horarios|hours)\b"
)
_ASKS_PRICE = re.compile(
    r"\b(?:how\s+much|price|cost\w*|charge\w*|free|cuanto|cuesta|cuestan|precio|vale|sale|gratis|se\s+paga|se\s+cobra"
    r"|quanto|custa|custam|preco|pago|paga|gratuit[oa]|cobr\w*)\b"
)


_SAYS_NO = re.compile(
    r"^\W*(?:no|nope|nah|nao|mejor\s+no|melhor\s+nao|never\s?mind|forget\s+it|dejalo|dejala|olvidalo|deixa|esquece"
    r"|keep\s+it|la\s+dejo|lo\s+dejo|fica)\b"
)


def _answer_after_questions(text: str) -> str | None:
    """The yes or no said after the questions ("is breakfast included? ok, book it anyway"): a no
    only in words that say no ("…? i paid nothing yet" tells, it refuses nothing), and none at all
    when the questions come first on purpose ("wait, do I get my money back? …")."""
    tail = after_questions(text)
    answer = polarity(tail)
    if _defers(text) or (answer == "no" and not _SAYS_NO.search(fold(tail))):
        return None
    return answer


def _defers(text: str) -> bool:
    """A question put before the answer ("before I confirm, …?", "antes de reservar, uma pergunta: …?"),
    unless the message opens with the answer itself ("sim, mas só uma dúvida antes: …?")."""
    opening = re.split(r"[,.;:!?\n]", text.strip(), maxsplit=1)[0]
    return (
        asks(text)
        and bool(_DEFERS.search(fold(text)))
        and (polarity(opening) is None or bool(_DEFERS.search(fold(opening))))  # "antes de confirmar: …?"
    )


def asks(text: str) -> bool:
    """Does the message ask something, with or without a question mark?"""
    return "?" in text or bool(_INDIRECT.search(fold(text)))


def _introduces(entities: dict[str, Any]) -> bool:
    """Only who the guest is: a full name and/or an e-mail, nothing about a stay or a booking."""
    name = str(entities.get("guest_name") or "")
    return (
        bool(entities)
        and set(entities) <= {"guest_name", "email", "phone"}
        and ("email" in entities or len(name.split()) >= 2)
    )


def _meaningful(entities: dict[str, Any]) -> bool:
    """Entities that carry a fact (a lone phone number found in a signature does not)."""
    return any(k != "phone" for k in entities)


# the whole message asks for a room and nothing else ("need a room", "queria um quarto pfv")
WANT_A_ROOM = re.compile(
    r"^\W*(?:(?:hi|hello|hey|hola|buenas|oi|ola|bom\s+dia|boa\s+tarde|good\s+(?:morning|afternoon))\W+)?"
    r"(?:i|we|yo|eu|nos)?\s*(?:would\s+like|'?d\s+like|need|want|looking\s+for|necesit\w*|quier\w*|quer\w*"
    r"|busc\w*|precis\w*|gostari\w*|procur\w*)\s+(?:de\s+)?(?:to\s+book\s+|reservar\s+)?"
    r"(?:a|an|one|una|un|um|uma)?\s*(?:room|habitacion|cuarto|quarto|pieza)(?:\s+(?:please|pls|plz|por\s+favor"
    r"|porfa|pfv|por\s+favor|thanks|gracias|obrigad[oa]))?\W*$"
)
_HAVE_BOOKING = re.compile(
    r"\b(?:tengo|tenemos|tenia|teniamos|hice|hicimos|i\s+have|i'?ve\s+got|we\s+have|we'?ve\s+got|i\s+made|we\s+made"
    r"|i\s+booked|we\s+booked|tenho|temos|fiz|fizemos)\s+(?:(?:una|un|dos|a|an|two|uma|duas|\d+)\s+)?"
    r"(?:reservas?|reservacion(?:es)?|bookings?|reservations?)\b(?!\s+(?:para\s+)?(?:hacer|fazer|to\s+make))"
    r"|\b(?:mi|mis|my|minha|minhas|nuestra|our|nossa)\s+(?:reservas?|reservacion|bookings?|reservations?)\b"
    # "I've got a family room booked with you", "tenemos una doble reservada", "tenho um quarto reservado"
    r"|\b(?:i'?ve\s+got|i\s+have|we\s+have|we'?ve\s+got|tengo|tenemos|tenho|temos)\s+(?:a|an|una|un|uma|um)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:room|habitacion|quarto|suite|double|single|doble|duplo)(?:\s+[\w-]+)?\s+"
    r"(?:booked|reserved|reservad[oa])\b"
    # "remind me what I booked", "¿qué fechas tengo reservadas?", "o que eu reservei?": theirs, by what they did
    r"|\b(?:what|which\s+\w+|the\s+\w+)\s+(?:did\s+)?(?:i|we)\s+(?:booked|reserved|book|reserve)\b"
    r"|\b(?:tengo|tenemos|tenho|temos)\s+reservad[oa]s?\b|\bque\s+(?:(?:yo|eu|nos)\s+)?(?:reserve|reservei|reservamos)\b"
)
_MAKE_BOOKING = re.compile(
    r"\b(?:make|making|hacer|haciendo|fazer|realizar|efectuar|do|complete|completar|terminar|finish)\s+"
    r"(?:my|mi|minha|a\s+minha|our|nuestra|a\s+nossa)\s+(?:reservas?|reservacion|bookings?|reservations?)\b"
)
# someone more (or fewer) on a booking that exists: the PMS changes dates only, so reception does it
PARTY_CHANGE = re.compile(
    r"\b(?:add|adding|bring|bringing|traer|traemos|llevar|llevamos|levar|levamos|acrescentar|anadir|agregar|sumar"
    r"|incluir|include|quitar|remove|tirar)\b.{0,40}\b(?:hij[oa]s?|bebes?|babys?|babies|daughter|son|child|children"
    r"|kids?|nin[oa]s?|filh[oa]s?|criancas?|persona|person|pessoa|adulto|adult|madre|padre|mother|father|mae|pai"
    r"|amig[oa]|friend|cuna|cot|berco)\b"
)
# words that ask for a person: without one, "request_human" read in an answer is the model's guess
HUMAN_WORDS = re.compile(
    r"\b(?:person\w*|persona\w*|pessoa\w*|human\w*|humano\w*|agent\w*|agente\w*|recep\w*|staff|someone|somebody"
    r"|alguien|alguem|atendente|operador\w*|operator|manager|gerente|encargad\w*|real|de\s+verdad|people|gente"
    r"|call\s+me|llam\w*|ligu\w*|liga\w*|telefon\w*|phone)\b"
)
# "add" (not "bring"): someone added to something that exists, a booking when no stay is being asked for
ADD_TO_BOOKING = re.compile(
    r"\b(?:add|adding|anadir|agregar|sumar|incluir|include|acrescentar|adicionar|incluir)\b.{0,40}\b(?:hij[oa]s?"
    r"|bebes?|babys?|babies|daughter|son|child|children|kids?|nin[oa]s?|filh[oa]s?|criancas?|persona|person|pessoa"
    r"|adulto|adult|madre|padre|mother|father|mae|pai|amig[oa]|friend|wife|husband|esposa|marido|mujer|mulher"
    r"|novi[oa]|namorad[oa]|partner|pareja)\b"
)
_CANCEL_WORDS = re.compile(r"\b(?:cancel\w*|anul\w*|desmarcar)\b")
_CHANGE_WORDS = re.compile(
    r"\b(?:cambi\w*|change\w*|mov\w*|alter\w*|adia\w*|postpone|pospon\w*|retras\w*|atras\w*|push|modif\w*"
    r"|extend\w*|alarg\w*|prolong\w*|shorten|acortar|encurtar|quedar\w*|stay|ficar|add|anadir|agregar|acrescentar)\b"
)


def _about_own_booking(state: DialogueState, u: Understanding, intent: str) -> str | None:
    """ "I have a booking in May, can I push it back a day?" is about the guest's booking, however
    much it sounds like a new one; so is "one night less" when no new stay is being discussed."""
    from hotelbox.dialogue.changes import relative_shift

    if intent == "booking_status":
        # "what are the dates on my booking?" at low confidence: the guest's booking, sure
        return intent if state.flow != "booking" and _HAVE_BOOKING.search(fold(u.text)) else None
    if intent in ("request_human", "complaint"):
        return None
    if state.flow == "booking" or state.expect in ("confirm_cancel", "confirm_modify", "pick_booking"):
        return None
    folded = fold(u.text)
    if _MAKE_BOOKING.search(folded):
        return None  # "quiero hacer mi reserva": a new one
    if (
        changes.contact_change(u.text)
        and not {"check_in", "check_out", "adults", "room_type"} & u.entities.keys()
        and ("booking_ref" in u.entities or _HAVE_BOOKING.search(folded) or state.discussed or state.created)
    ):
        return "modify_booking"  # "booking HB-… must be in my husband's name, Carlos Lima"
    shift = relative_shift(u.text, u.lang) is not None
    # "can we stay until the 25th instead?" with nothing being booked: a departure alone, or a day
    # "instead of" another, reshapes a stay the guest has (none found: the booking flow takes it)
    reshape = state.flow is None and (
        (
            "check_out" in u.entities
            and not {"check_in", "adults", "children", "room_type"} & u.entities.keys()
        )
        or ("check_in" in u.entities and changes.says_instead(u.text))
    )
    # "booking HB-…: we can only stay 2 nights now" read as a new stay: the booking it names
    referenced = "booking_ref" in u.entities and intent in ("book_room", "check_availability")
    if (
        not _HAVE_BOOKING.search(folded)
        and not referenced
        and not ((shift or reshape) and state.flow in (None, "status", "modify"))
    ):
        return None
    if intent in ("cancel_booking", "modify_booking"):
        return intent  # the model said so too, if faintly: sure now
    if _CANCEL_WORDS.search(folded):
        return "cancel_booking"
    if (
        shift
        or reshape
        or _CHANGE_WORDS.search(folded)
        or any(k in u.entities for k in ("check_in", "check_out", "nights"))
    ):
        return "modify_booking"
    return "booking_status" if state.flow is None else None


def _changes_stay(state: DialogueState, entities: dict[str, Any]) -> bool:
    """Facts that differ from the stay being discussed ("no, from the 6th": a correction; "no, I must
    ask my wife" names the party already given, and is a no)."""
    s = state.slots
    known = {"check_in": s.check_in, "check_out": s.check_out, "adults": s.adults, "children": s.children,
             "room_type": s.room_type, "nights": s.nights}  # fmt: skip
    target = state.target or {}
    if state.flow == "modify" and target.get("check_in"):  # "no, 21 a 24" to the change waiting for its yes
        known.update(check_in=target["check_in"], check_out=target.get("check_out"), nights=None)
        return any(k in entities and entities[k] != known[k] for k in ("check_in", "check_out"))
    return any(k in entities and entities[k] != known[k] for k in known)


def _gives_details(entities: dict[str, Any]) -> bool:
    return any(k in entities for k in ("guest_name", "email", "adults", "children", "room_type"))


def _prices_the_change(state: DialogueState, entities: dict[str, Any]) -> bool:
    """Does a price question ask what the change waiting for its yes costs (no other dates or room)?"""
    target = state.target or {}
    return (
        state.flow == "modify"
        and state.expect == "confirm_modify"
        and bool(state.prompt and state.prompt.get("key") == "confirm_modify_stay")
        and not any(k in entities for k in ("check_in", "check_out", "adults", "children", "nights"))
        and entities.get("room_type") in (None, target.get("room_type"))
    )


def _has_stay(entities: dict[str, Any]) -> bool:
    return any(k in entities for k in ("check_in", "check_out", "adults", "children", "room_type", "nights"))


def _answers_question(state: DialogueState, entities: dict[str, Any]) -> bool:
    """A message carrying exactly what we asked for is an answer, whatever else it resembles."""
    wanted = {
        "dates": ("check_in", "check_out", "nights"),
        "check_out": ("check_out", "nights"),
        "guests": ("adults", "children"),
        "room_type": ("room_type",),
        "email": ("email",),
        "name": ("guest_name",),
        "new_dates": ("check_in", "check_out", "nights"),
    }.get(state.expect or "", ())
    return any(k in entities for k in wanted)
