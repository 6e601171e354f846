"""Latin American Spanish and Brazilian Portuguese wording.

The reply catalogues are written for Spain and Portugal; a guest of another variety (from what
they write or their phone's country code) gets the same sentences with the variety's own words.
Kept apart from the catalogues (no Babel) so that the speech worker can say a reply in its voice's
variety without loading them.
"""

from __future__ import annotations

# Where Latin American Spanish and Brazilian Portuguese say it differently from the catalogues
# (written for Spain and Portugal): applied to every reply, the hotel's own answers included.
VARIETY_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "es-419": (
        ("os alojaréis", "se van a alojar"), ("vuestro grupo", "su grupo"), ("seréis", "serán"),
        ("cuántos sois", "cuántos son"), ("vosotros", "ustedes"), ("coche", "carro"),
        ("Os esperamos", "Los esperamos"), ("os esperamos", "los esperamos"),
    ),
    "pt-BR": (
        # Object pronouns after the verb ("dá-lhe", "passei-a") are Portugal's: Brazil puts them
        # before it or says "para você" (tests/unit/test_variety_wording.py checks every sentence).
        ("Passei-a à receção", "Passei sua mensagem para a recepção"), ("respondo-lhe só", "respondo só"),
        ("vão responder-lhe", "vão lhe responder"), ("dou-lhe o preço", "passo o preço para você"),
        ("Escreva-as assim", "Escreva assim"), ("Reservo-lhe o ", "Posso reservar o "),
        ("ou passo-o à receção", "ou transfiro você para a recepção"),
        ("guardamos-lhe a bagagem", "guardamos sua bagagem"), ("Guardamos-lhe a bagagem", "Guardamos sua bagagem"),
        ("dá-lhe a senha", "passa a senha para você"), ("reservar-lhe um", "reservar para você um"),
        ("posso dizer-lhe", "posso lhe dizer"), ("bebés", "bebês"), ("bebé", "bebê"),
        ("vou passá-lo à nossa equipa da receção", "vou transferir você para a nossa equipe da recepção"),
        ("Vou passá-lo à receção", "Vou transferir você para a recepção"),
        ("vou passá-lo à receção", "vou transferir você para a recepção"), ("vou passá-lo a eles", "vou transferir você para eles"),
        ("não estou a conseguir perceber", "não estou conseguindo entender"), ("está a responder", "está respondendo"),
        ("estou a ouvir", "estou ouvindo"), ("responder-lhe-á", "vai lhe responder"), ("vai responder-lhe", "vai lhe responder"),
        ("em contacto consigo", "em contato com você"), ("confirmar consigo", "confirmar com você"),
        ("não o ver desta vez", "não ver você desta vez"), ("Esperamos por si!", "Esperamos você!"),
        ("ajuda-o diretamente", "ajuda você diretamente"), ("aviso-o por aqui", "aviso você por aqui"),
        ("Confirmo-lhe a reserva", "Confirmo a reserva para você"), ("Registei", "Registrei"), ("equipa", "equipe"),
        ("o mais depressa possível", "o mais rápido possível"), ("Peço desculpa, não", "Desculpe, não"),
        ("oferta à medida", "oferta personalizada"), ("Lamento muito o sucedido", "Sinto muito pelo ocorrido"),
        ("pequeno-almoço", "café da manhã"), ("Pequeno-almoço", "Café da manhã"), ("O pequeno-almoço", "O café da manhã"),
        ("casa de banho privativa", "banheiro privativo"), ("casa de banho adaptada", "banheiro adaptado"),
        ("casa de banho", "banheiro"), ("nome e apelido", "nome e sobrenome"), ("apelido", "sobrenome"),
        ("rés-do-chão", "térreo"), ("telemóvel", "celular"), ("autocarro", "ônibus"), ("receção", "recepção"),
        ("ginásio", "academia"), ("lavandaria", "lavanderia"), ("frigorífico", "geladeira"),
        ("Desculpe, acho que não percebi", "Desculpe, acho que não entendi"), ("percebi", "entendi"),
        ("Pode indicar-me um email", "Pode me indicar um e-mail"), ("diga-me:", "me avise:"),
        ("Diga-me as datas", "Me diga as datas"), ("Diga-me o dia", "Me diga o dia"),
        ("ou diga-me", "ou me diga"), ("Escreva-nos", "Escreva para nós"), ("escreva-nos", "escreva para nós"),
        ("enviar-me um áudio", "me enviar um áudio"), ("chegou-nos com atraso", "chegou com atraso"),
        ("mantém-se", "está mantida"), ("faltam-me as datas", "ainda faltam as datas"),
        ("pergunte-nos", "pergunte para nós"), ("Avise-nos", "Avise a gente"), ("avise-nos", "avise a gente"),
        ("Diga-nos e", "Avise a gente e"),
    ),
}  # fmt: skip


def localize(text: str, variety: str | None) -> str:
    for old, new in VARIETY_WORDS.get(variety or "", ()):
        text = text.replace(old, new)
    return text
