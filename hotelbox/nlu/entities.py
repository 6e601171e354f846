"""Entities besides dates: guests, room type, name, e-mail, phone, booking reference.

Rules over folded text where the words are a closed set (guest nouns, "my wife and I"),
well-kept libraries where the format is an open standard (phone numbers: ``phonenumbers``;
e-mail addresses: ``email-validator``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from hotelbox.nlu.dates import MONTHS, WEEKDAYS
from hotelbox.nlu.text import ONE_WORDS, fold, numbers_to_digits

_ONE = "|".join(sorted({w for ws in ONE_WORDS.values() for w in ws}, key=len, reverse=True))
_N = rf"(?P<n>\d{{1,3}}|{_ONE})"
_ADULTS = re.compile(
    rf"\b{_N}\s+(?:adult[oa]s?|adults?|adul|adl|adls|adt|adts|mayores|maiores|grown[\s-]?ups?)\b"
)
_CHILDREN = re.compile(
    rf"\b{_N}\s+(?:(?:mis|my|meus|minhas|nuestros|our|os|as|los|las)\s+)?"
    r"(?:(?:teenage|little|small|young|younger|pequen[oa]s|chiquitos|chiquitas)\s+)?"
    r"(?:ninos?|ninas?|nenes?|nenas?|hij[oa]s?|children|childs|child|kids?|sons?|daughters?|babies|baby"
    r"|(?:(?<=little\s)|(?<=young\s)|(?<=small\s)|(?<=my\s)|(?<=our\s))(?:girls?|boys?)"
    r"|bebes?|criancas?|filh[oa]s?|menor(?:es)?|miudos?|pequenos?(?![-\s]*almocos?)|teenagers?|adolescentes?|peques|crios|chamac[oa]s"
    r"|chamaquit[oa]s|escuincles|gurises|guaguas|pibes|pibas|chavales|chiquillos|chiquillas|cabros|little\s+ones|toddlers?|infants?|minors|bebitos?|nenens|nenems)\b"
)
_PERSONS = re.compile(
    rf"\b{_N}\s+(?:personas?|people|persons?|pessoas?|huespedes|guests?|hospedes|pax|ppl|pers|adultos\s+y\s+ninos)\b"
)
_WE_ARE = re.compile(
    r"\b(?:somos|seremos|seriamos|formos|fossemos|fuesemos|fueramos|seamos|sejamos|we\s+are|we're|we\s+r|we\s+will\s+be|vamos(?:\s+em|\s+en)?|viajamos|there\s+are|there\s+will\s+be|vamos\s+a\s+ser"
    r"|vamos\s+ser|estamos|para|pa|for|pra|nosotros|nos|grupo\s+de|group\s+of|party\s+of|familia\s+de"
    r"|family\s+of|(?:una|a|uma)\s+familia\s+de)\s+"
    r"(?P<n>\d{1,2})\b(?!\s?(?:de\s+\w|of\s+(?!us))|\s*(?:/|:|\.\d|h\b|am\b|pm\b|euros?|€|%|noches?|nights?"
    r"|noites?|nites?|nts|diarias?|dias?|days?|semanas?|weeks?|horas?|hours?|o'?clock|minut|rooms?|habitacion|quartos?"
    r"|st\b|nd\b|rd\b|th\b|y\s+\d|and\s+\d|a\s+\d|to\s+\d|ao?\s+\d|-\s*\d))"
    r"(?:\s+of\s+us)?"
)
# "(the) three of us", "los tres", "nós três": the count comes before the pronoun
_N_OF_US = re.compile(
    r"\b(?:(?P<n1>\d{1,2})\s+of\s+us|(?:nosotros|nosotras|(?<!\ba\s)(?<!\bde\s)(?<!\bhasta\s)(?<!\bdesde\s)(?<!\bsobre\s)(?<!\bhacia\s)(?<!\btipo\s)(?:los|las))\s+(?P<n2>\d{1,2})\s*$"
    r"|(?:nos|nosotros|nosotras)\s+(?P<n3>\d{1,2})\b(?!\s*(?:de\s|/|:)))"
)
_FAMILY_OF = re.compile(r"\b(?:familia|family|famila|familai|famiy|famliy)\s+(?:de|of)\s+(?P<n>\d{1,2})\b")
# "our twins", "nossos gêmeos", "mis trillizos": two or three children in one word
_TWINS = re.compile(
    r"\b(?:(?P<two>gemeos|gemeas|gemelos|gemelas|mellizos|mellizas|twins)|(?P<three>trigemeos|trillizos|triplets))\b"
)
# "2+1", "somos 2+2": adults plus children, the way a party is jotted down
_PLUS_PARTY = re.compile(
    r"(?<![\d+/.:-])\b(?P<a>[1-9])\s*\+\s*(?P<c>[1-9])\b(?![\d/.:]|\s*(?:noches?|nights?|noites?|dias?|days?))"
)
_COMPANION = (
    r"(?:mujer|esposa|esposo|marido|novia|novio|pareja|prometid[oa]|madre|mama|padre|papa|hermana|hermano"
    r"|amiga|amigo|suegra|suegro|abuela|abuelo|tia|tio|prima|primo|colega|companer[oa]|socio|socia|jefe|jefa"
    r"|wife|husband|partner|girlfriend|boyfriend|fiancee?|friend|mum|mom|mother|dad|father|sister|brother"
    r"|colleague|boss|aunt|uncle|cousin|grandma|grandmother|grandpa|grandfather|mother-in-law|mulher"
    r"|namorada|namorado|noiva|noivo|mae|pai|irma|irmao|companheira|companheiro|sogra|sogro|avo|tia|tio"
    r"|prima|primo|chefe|chico|chica|senora|senor|churri|pololo|polola|esposo|hubby|wifey|spouse|conjuge|missus|missis|significant\s+other"
    r"|other\s+half|better\s+half|date|mate|bf|gf|parceira|parceiro|namo|marido|esposa|mujer"
    # the partner in everyday slang: "eu e a patroa", "mi jermu", "mi vieja", "the old lady"
    r"|patroa|mozao|mozinho|amor|vieja|viejo|jermu|gorda|gordo|costilla|media\s+naranja|old\s+lady|old\s+man|missus|misses|hubs)"
)
# companions who are two people: "con mis padres", "with my parents"
_COMPANIONS_2 = r"(?:padres|papas|suegros|abuelos|tios|parents|in-laws|grandparents|pais|sogros|avos|tios)"
_POSS = r"(?:mi|my|the|(?:a\s+|o\s+)?(?:minha|meu))"
_POSS_PL = r"(?:mis|my|(?:as\s+|os\s+)?(?:minhas|meus))"
_WHO = re.compile(rf"\b(?:{_POSS}\s+(?P<one>{_COMPANION})|{_POSS_PL}\s+(?P<two>{_COMPANIONS_2}))\b")
# a room for someone else: "a single for my mum", "para mis padres", "pro meu pai e a mulher dele"
_KIN_ADULT = r"(?:hij[oa]|filh[oa]|son|daughter)"
_FOR_WHOM = re.compile(
    rf"\b(?:for|para|pra|pro)\s+(?:{_POSS}|{_POSS_PL})\s+(?:(?P<two>{_COMPANIONS_2})|(?P<one>{_COMPANION}|{_KIN_ADULT}))\b(?!'s)"
)
_AND_THEIRS = re.compile(
    rf"^(?:\s+[^\W\d_][\w'-]*){{0,4}}?\s*,?\s*(?:y|and|e|\+|&)\s+(?:(?:para|for|pra|pro)\s+)?(?:su|his|her|their|{_POSS}|a|o)\s+{_COMPANION}(?:\s+(?:dele|dela))?\b"
)
# the writer comes along: "me and my mum", "para mi y mi madre", "with my wife", "we"
_WITH_ME = re.compile(
    r"\b(?:yo|i|me|eu|mim|mi|myself)\s*(?:,|\by\b|\band\b|\be\b|&|\+)|(?:\by|\band|\be|&|\+)\s*(?:(?:para|for|pra)\s+(?:mi|me|mim)|yo|i|me|eu|mim|myself)\b"
    r"|\b(?:con|with|com)\s+(?:mi|my|mis|a\s+minha|o\s+meu|minha|meu|as\s+minhas|os\s+meus)\s"
    r"|\b(?:vamos|viajamos|we|we're|nosotros|nos|somos|us|our|nuestr[oa]s?)\b"
)
# a present, not a stay: "a surprise for my wife" (the writer likely comes)
_NOT_FOR_STAY = re.compile(
    r"\b(?:surprise|sorpresa|surpresa|birthday|cumple\w*|aniversario|anniversary|regalo|gift|presente?s?|present)\b"
)
# the writer is one of the party: "yo", "me", "eu", "para mí"; or goes *with* the companion
_ME_IN = re.compile(
    r"\b(?:yo|i|me|eu|mim|myself|i'm|im)\b|\bpara\s+mi\b(?=\s*(?:$|[,.!?;]|y\b|e\b|con\b|and\b))"
    r"|\b(?:con|with|com|and|y|e)\s+(?:mi|my|mis|the|a\s+minha|o\s+meu|minha|meu|as\s+minhas|os\s+meus)\s"
    r"|\b(?:vamos|viajamos|vamos\s+a\s+ir|we|we're|nosotros|nos|somos)\b"
)
_ME = r"(?:yo|i|me|eu|mim|mi|myself)"
_ME_WORD = re.compile(r"\b(?:yo|i|me|eu|mim)\b")
# "somos yo y mis 2 hijas", "we are me and my son": the writer is the one adult
_WE_ARE_ME = re.compile(
    r"\b(?:somos|seremos|we\s+are|we're|we\s+will\s+be)\s+(?:yo|eu|me|i)\b(?!\s+(?:y|and|e)\s+(?:mi|my|a\s+minha|o\s+meu)\s+(?!\d|hij|filh|son|daught|kid|child|nin|bebe|baby))"
)
_WE_WORD = re.compile(r"\b(?:we|nosotros|nos|somos|us|our|nuestr[oa]s?)\b")
_COUPLE = re.compile(
    rf"\b(?:una\s+pareja|a\s+couple|um\s+casal|somos\s+pareja|we\s+are\s+a\s+couple|a\s+dos|los\s+dos|las\s+dos"
    rf"|nosotros\s+dos|nosotras\s+dos|the\s+2\s+of\s+us|both\s+of\s+us|nos\s+2|nos\s+dois|nos\s+duas|a\s+gente\s+2"
    rf"|{_ME}\s*(?:,|\s(?:y|and|e|\+|&))\s+(?:{_POSS}|a|an|un|una|um|uma)\s+{_COMPANION}|{_POSS}\s+{_COMPANION}\s+(?:y|and|e|\+|&)\s+{_ME}"
    rf"|(?:con|with|com)\s+{_POSS}\s+{_COMPANION}|en\s+pareja|as\s+a\s+couple|em\s+casal|un\s+matrimonio"
    rf"|a\s+married\s+couple|somos\s+(?:un\s+)?matrimonio|(?<!de\s)(?<!quarto\s)casal\s+(?:com|e|mais|\+|y)"
    rf"|{_ME}\s*(?:plus|\+|mas|mais)\s*(?:one|1|uno|um)"
    # "we are couple", "we're a married couple", "somos casal", "somos un matrimonio joven"
    rf"|(?:we\s+are|we're|we\s+r|somos)\s+(?:a\s+|an\s+|um\s+|un\s+)?(?:young\s+|married\s+|old\s+|retired\s+)?(?:couple|casal|pareja)"
    # "a diária pro casal", "for a couple", "para una pareja": the room is for the two of them
    rf"|(?:para|pra|pro|for)\s+(?:o\s+|um\s+|a\s+|the\s+|una\s+)?(?:casal|couple|pareja)(?!\s+(?:de|of)\s)"
    # "2 noites, casal", "couple. arriving friday": the party said as a word of its own
    rf"|(?:^|[,.;!?])\s*(?:um\s+|una\s+|a\s+)?(?:casal|couple|pareja)(?=\s*(?:$|[,.;!?])))\b"
)
# the writer alone with a child: "just me and my baby", "solo yo y mi hijo", "só eu e a minha filha"
_JUST_ME_AND_CHILD = re.compile(
    r"\b(?:just|only|solo|so|apenas|somente)\s+(?:be\s+|seriamos\s+|seria\s+)?(?:me|yo|eu|i)\s+(?:and|y|e|con|com|with)\s+"
    r"(?:my|mi|o\s+meu|a\s+minha|meu|minha)\s+(?:little\s+)?"
    r"(?:hij[oa]|nin[oa]|nene|nena|bebe|baby|child|kid|son|daughter|filh[oa]|crianca|menin[oa]|miud[oa]|peque)"
)
_CHILD_WORD = r"(?:hij[oa]|nin[oa]|nene|nena|bebe|baby|child|kid|son|daughter|boy|girl|filh[oa]|crianca|menin[oa]|miud[oa]|peque)"
# "just my son and me", "solo mi hijo y yo", "so o meu filho e eu"
_JUST_CHILD_AND_ME = re.compile(
    rf"\b(?:just|only|solo|so|apenas|somente)\s+(?:my|mi|o\s+meu|a\s+minha|meu|minha)\s+(?:little\s+)?{_CHILD_WORD}"
    r"\s+(?:and|y|e|&)\s+(?:me|yo|eu|i)\b"
)
# "two adults, the boy is 11", "el nino tiene 7", "a menina tem 5 anos"
_THE_CHILD_IS = re.compile(
    rf"\b(?:the|our|my|mi|el|la|o|a|nuestr[oa]|meu|minha|noss[oa])\s+{_CHILD_WORD}\s+(?:is|tiene|tem|has)\s+\d{{1,2}}\b"
)
# "2 niños y un bebé", "2 kids and a baby": the baby on top of the children counted
_PLUS_BABY = re.compile(
    r"^[^.?!]{0,30}?(?:,|\by|\band|\be|\+|&|\bplus|\bmas|\bmais)\s+(?:un|una|a|an|um|uma|one|1|o|el|the|our|nuestro|nosso)\s+"
    r"(?:bebe|baby|nene|nena|nenem|bebezinho|infant|toddler|recien\s+nacido|newborn)\b"
)
# "hablar con una persona", "talk to a person": someone at the desk, not a guest
_TALK_TO = re.compile(
    r"\b(?:hablar|habla|falar|fala|talk|speak|chat|atender|atienda|atenda|contact\w*|contactar|pasar|passar|put\s+me\s+through)"
    r"\w*\s+(?:con|com|to|with|a|me\s+with)\s+$"
)
_YOUNG_AFTER_ADULTS = re.compile(
    r"\badult\w*\s*(?:,|y|e|and|\+|&)?\s*(?P<n>\d{1,2}|un|una|um|uma)\s+(?:chic[oa]s?|pibes?|gurises?|crios?|guris)\b"
)
# "dos parejas", "two couples", "dois casais": twice as many adults
_COUPLES = re.compile(r"\b(?P<n>\d{1,2})\s+(?:parejas|couples|casais|matrimonios)\b")
_PA = re.compile(r"\bpa\b(?=\s+(?:mi|ti|el|la|los|las|nosotr[oa]s|mis|\d))")
# "yo y 2 amigos" (3), "vamos 3 amigas" (3), "9 chicas": people counted by what they are to the writer
_FRIENDS = re.compile(
    r"\b(?P<n>\d{1,2})\s+(?:amig[oa]s|friends|colegas|colleagues|companer[oa]s|companheir[oa]s|mates|buddies"
    r"|chicas|chicos|girls|guys|lads|ladies|meninas|meninos|rapazes|raparigas|amigues"
    r"|primos|primas|cousins|hermanos|hermanas|brothers|sisters|irmaos|irmas)\b"
)
_ME_PLUS = re.compile(
    r"\b(?:yo|i|me|eu|mim|myself|para\s+mi)\s*(?:(?:,|y|and|e|&|with|con|com)\s*)?(?:(?:mas|mais|plus|\+)\s*)?$"
    r"|\b(?:con|with|com)\s+(?:mis|my|meus|minhas|os\s+meus|as\s+minhas)?\s*$"
)
# "our 2 year old", "a 5-year-old": one child each
_AGED_CHILD = re.compile(
    r"\b(?:our|my|a|an|the|plus|and|with|\+)\s+(?:\d{1,2}|one)[\s-]*(?:(?:years?|yrs?|y)[\s-]*olds?|yo|y/o|yrs?)\b"
)
# "un niño de 12 y otro de 8", "one aged 5 and another of 8": one more child
_ANOTHER_CHILD = re.compile(
    r"(?:\by|\band|\be|,)\s+(?:otro|otra|outro|outra|another(?:\s+one)?)\s+(?:de\s+|of\s+|aged\s+|com\s+)?\d{1,2}\b"
)
_ALONE = re.compile(
    r"\b(?:solo\s+yo|yo\s+solo|yo\s+sola|sola\s+yo|solo\s+para\s+mi|just\s+me|only\s+me|myself|by\s+myself|alone|on\s+my\s+own"
    r"|just\s+for\s+me|only\s+for\s+me|(?:voy|viajo|vengo|estare|ire)\s+sol[oa]|una\s+sola\s+persona"
    r"|para\s+mi\s+(?:sol[oa]|solit[oa])|sol[oa]\s+para\s+mi|yo\s+solit[oa]|just\s+myself|only\s+myself|travell?ing\s+solo|a\s+solas"
    r"|so\s+eu|apenas\s+eu|(?:so|apenas|somente)\s+(?:para|pra|p/)\s+mim|(?:para|pra)\s+mim\s+(?:so|sozinh[oa])|sozinh[oa]|(?:vou|viajo)\s+so|solo\s+1|just\s+1|so\s+1)\b"
)
_WITH_CHILD = re.compile(
    r"(?:\b(?:con|with|com|y|and|e|mas|plus|viene|vienen|comes|coming|vem|vai|tb|tambien|too|also|tambem)|\+|&)"
    r"\s+(?:mi|my|o\s+meu|a\s+minha|meu|minha|un|una|a|an|um|uma|our|nuestro|nuestra"
    r"|o\s+nosso|a\s+nossa|nosso|nossa|el|la|the|o|a)\s+"
    r"(?:hij[oa]|nin[oa]|nene|nena|bebe|baby|child|kid|son|daughter|filh[oa]|crianca|bebe|toddler|infant|peque|pequen[oa](?![-\s]*almoco)"
    r"|neném|nenem|menino|menina|miudo|miuda|little\s+(?:one|1)|bebezinho|nenezinho|crio|cria|chamac[oa]|pibe|piba"
    r"|guri|guria|escuincle|chiquit[oa]|nenit[oa]|bebit[oa])\b"
    r"|(?:\b(?:y|and|e|plus|with|con|com)|\+|&)\s+(?:baby|bebe|nenem)\b"
    # "mi marido, mi hija de 10 años y yo": a child named with its age in a list of the party
    r"|,\s*(?:mi|my|our|nuestr[oa]|o\s+meu|a\s+minha|meu|minha|o\s+nosso|a\s+nossa)\s+(?:hij[oa]|nin[oa]|son|daughter|filh[oa]|kid|child|boy|girl|menin[oa]|miud[oa])"
    r"\s*(?:\(|de\s+|of\s+|aged\s+|com\s+|,\s*)?\d{1,2}\s*(?:anos|años|years?|yrs?|y/?o|yo|\))"
)
# children said right after the count of us are on top of it: "somos 2 y un nene", "we're 2 plus a baby"
_ON_TOP = re.compile(r"^\s*,?\s*(?:y|and|e|\+|&|plus|mas|mais)\s")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_REF = re.compile(r"(?<![^\W_])(?P<ref>[A-Za-z]{2,3}[-_]?\d{3,8})\b")
_QLO_REF = re.compile(r"\b(?P<ref>[A-Z]{9})\b")
_REF_CONTEXT = re.compile(
    r"(?:ref\w*|localizador|codigo|code|numero|number|reserva|booking|confirmation|confirmacion"
    r"|confirmacao)\W*$"
)
_NAME_CUE = re.compile(
    r"(?:\bnombre\s+y\s+apellidos?\s*:?|\bnome\s+e\s+(?:apelidos?|sobrenome)\s*:?|\bfirst\s+and\s+last\s+names?\s*:?"
    r"|\bme\s+llamo|\bmi\s+nombre\s+es|\ba\s+nombre\s+de|\ba\s+nombre\s+d(?=\s)|\bmy\s+name\s+is|\bmy\s+name's|\bunder\s+the\s+name(?:\s+of)?"
    r"|\bin\s+the\s+name\s+of|\bno\s+nome\s+d[eoa]|\bem\s+nome\s+d[oa]|\ben\s+nombre\s+de|\bal\s+nombre\s+de|\bme\s+chamo|\bchamo-me|\b(?:o\s+)?meu\s+nome\s+[eé]|\bem\s+nome\s+de"
    r"|\bnombre\s*:|\bname\s*:|\bnome\s*:|\bnombre\s+completo\s*:?|\bfull\s+name\s*:?|\bnome\s+completo\s*:?"
    r"|\b(?:and|y|e|,)\s+(?:the\s+)?name|^name|\.\s*name|\bnombre(?=\s+[A-ZÁÉÍÓÚ])|\bnome(?=\s+[A-ZÁÉÍÓÚ])"
    r"|\bname(?=\s+[A-Z])|\bname['’]s|\bname\s+is|\bnombre\s+es|\bnome\s+[eé])(?:\s*:)?\s+"
    r"(?:(?:is|es|é|e|será|sera|will\s+be)\s+|:\s*)?",
    re.IGNORECASE,
)
_SOFT_NAME_CUE = re.compile(
    r"(?:\bsoy|\b(?:les|le|te|os)\s+(?:escribe|saluda|habla)|\bi'?m|\bi\s+am|\bthis\s+is|\bsou\s+(?:o|a)|\bit['’]?s(?:\s+(?:for|under))?|\bmy\s+name"
    r"|\b(?:booking|reservation|room|reserva|habitaci[oó]n|quarto)\s+(?:is|es|é|e|will\s+be|ser[aá])\s+(?:for|para|pra|under)"
    r"|\baqu[ií]\s+(?:es|e|é|habla|fala)(?:\s+(?:o|a|el|la))?|\b(?:book|reserve|put|make|leave)\s+(?:it|the\s+booking|the\s+reservation|the\s+room)\s+(?:for|under)"
    r")\s+",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"(?:somos|aqui|aca|here|aqui\s+(?:es|e|esta)|de\s+parte\s+de|da\s+parte\s+de)\s+", re.IGNORECASE
)
# weaker: "for Emma Watson", "ponla a Marta Gil", "under sophie turner"; only words no example uses
_WEAK_NAME_CUE = re.compile(r"(?:\bunder|\bponla\s+a|\bpara|\bfor|\bpra|\bsou)\s+", re.IGNORECASE)
_NAME_WORD = r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*"
_NAME = re.compile(
    rf"{_NAME_WORD}(?:\s+(?:de\s+la\s+|de\s+los\s+|del\s+|de\s+|da\s+|do\s+|dos\s+|das\s+|van\s+|von\s+)?{_NAME_WORD}){{0,4}}"
)
_NOT_NAME = {
    "alergico", "alergica", "allergic", "vegetariano", "vegetariana", "vegan", "cliente", "client",
    "guest", "huesped", "hospede", "interested", "interesado", "interesada", "interessado", "looking",
    "going", "coming", "traveling", "travelling", "arriving", "leaving", "here", "aqui", "from", "de",
    "sorry", "not", "no", "so", "very", "muy", "muito", "a", "an", "the", "el", "la", "o", "um", "uma",
    "un", "una", "happy", "sad", "tired", "calling", "writing", "escribiendo", "trying", "staying",
    "just", "also", "tambien", "still", "ok", "okay", "fine", "bien", "bem", "good", "great", "glad",
    "wrong", "right", "correct", "spelled", "spelt", "misspelt", "misspelled", "typo", "mal", "errado",
    "christmas", "easter", "navidad", "pascua", "natal", "pascoa", "carnaval", "carnival", "semana",
    "hola", "hi", "hello", "hey", "oi", "ola", "buenas", "buenos", "bom", "boa", "thanks", "gracias",
    "obrigado", "obrigada", "perfect", "perfecto", "perfeito", "genial", "vale", "sim", "yes", "si",
    "reveillon", "nochevieja", "ano", "new", "halloween", "thanksgiving", "vacaciones", "ferias",
    "eu", "yo", "me", "i", "mesmo", "mesma", "mismo", "misma", "myself", "nosotros", "nos", "we", "todos",
    "mim", "mi", "ti", "voce", "vc", "vcs", "usted", "ustedes", "you", "him", "her", "them", "ele", "ela",
    "todas", "ambos", "both",
}  # fmt: skip
_NAME_STOP = {
    "y", "and", "e", "con", "with", "com", "mi", "my", "meu", "minha", "email", "correo", "telefono",
    "phone", "telefone", "quiero", "i", "want", "quero", "para", "for", "por", "please", "gracias",
    "thanks", "obrigado", "obrigada", "el", "la", "los", "las", "the", "o", "a", "os", "as", "de",
    "porfa", "porfavor", "pls", "plz", "pf", "pfv", "thx", "ty", "obg", "grs", "xfa", "ok", "vale", "sff", "sfv", "pff", "pfvr", "here", "aqui", "aca",
    "pa", "pra", "pro", "by", "btw", "aliás", "alias",
}  # fmt: skip
# words of a sentence, never of a name: "email is t@x.com if u need it" leaves no name "If U Need It"
_FUNCTION_WORDS = {
    "if", "it", "u", "you", "need", "needed", "needs", "is", "are", "was", "were", "be", "does", "did",
    "would", "could", "should", "want", "wants", "have", "has", "this", "that", "these", "those", "what",
    "when", "where", "why", "how", "your", "yours", "them", "they", "acaso",
}  # fmt: skip
_DATE_WORDS = {*MONTHS, *WEEKDAYS, "today", "tomorrow", "tonight", "hoy", "manana", "hoje", "amanha"}


@dataclass(frozen=True)
class Guests:
    adults: int | None = None
    children: int | None = None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else 1


def extract_guests(text: str, lang: str, *, folded: str | None = None) -> Guests:
    """Adults and children from "2 adultos y un niño", "we are 3", "mi mujer y yo"…

    ``folded``: the text already folded with number words as digits, and the dates blanked out
    (so "de 6 a 9 de abril" is never six guests): :func:`hotelbox.nlu.dates.extract_stay`'s
    ``without_dates``. A bare number counts as guests only next to a people word ("somos 3",
    "para 2 personas", "the 3 of us"); the party question's plain "3" is read by the dialogue.
    """
    t = folded if folded is not None else numbers_to_digits(fold(text), lang)
    t = _PA.sub("para", t)  # "pa mi novia y pa mi", "pa 2": Spanish "para" as spoken
    adults: int | None = None
    children: int | None = None
    if m := _ADULTS.search(t):
        adults = _count(m.group("n"))
    elif (m := _PLUS_PARTY.search(t)) and not _CHILDREN.search(t) and not _PERSONS.search(t):
        return Guests(int(m.group("a")), int(m.group("c")))
    if m := _CHILDREN.search(t):
        children = _count(m.group("n")) + (1 if _PLUS_BABY.search(t[m.end() :]) else 0)
    elif _WITH_CHILD.search(t) or _JUST_CHILD_AND_ME.search(t) or _THE_CHILD_IS.search(t):
        children = 1
    elif aged := _AGED_CHILD.findall(t):
        children = len(aged)
    elif m := _TWINS.search(t):
        children = 2 if m.group("two") else 3
    if children is None and adults is not None and (m := _YOUNG_AFTER_ADULTS.search(t)):
        children = _count(m.group("n"))  # "2 adultos 2 chicos": beside adults, "chicos" are the kids
    if children is not None:
        children += len(_ANOTHER_CHILD.findall(t))
    if adults is None:
        persons: int | None = None
        family = _FAMILY_OF.search(t)
        if (m := _PERSONS.search(t)) and not _TALK_TO.search(t[: m.start()]):
            persons = _count(m.group("n"))
        elif m := _COUPLES.search(t):
            persons = 2 * int(m.group("n"))
        elif m := _FRIENDS.search(t):
            persons = int(m.group("n")) + (1 if _ME_PLUS.search(t[: m.start()]) else 0)
        elif family:
            persons = int(family.group("n"))
        elif m := _N_OF_US.search(t):
            persons = int(m.group("n1") or m.group("n2") or m.group("n3"))
            if children and _ON_TOP.match(t[m.end() :]):
                adults = persons  # "seremos nós dois e o bebé"
        elif m := _WE_ARE.search(t):
            persons = int(m.group("n"))
            if children and _ON_TOP.match(t[m.end() :]):
                adults = persons
        if adults is not None:
            pass
        elif persons is not None:
            if family and children is None and persons >= 3:
                children = persons - 2  # "a family of four": two parents and their children
            adults = persons - children if children and persons > children else persons
        elif (company := _companions(t)) is not None:
            adults = company
        elif _COUPLE.search(t):
            adults = 2
        elif _ALONE.search(t):
            adults = 1
        elif children and (
            (_ME_WORD.search(t) and (not _WE_WORD.search(t) or _WE_ARE_ME.search(t)))
            or _JUST_ME_AND_CHILD.search(t)
        ):
            adults = 1  # "me and my son", "it'd just be me and my baby girl (we'd need a cot)"
    return Guests(adults, children)


def _companions(t: str) -> int | None:
    """ "para mi marido y para mí", "vamos mi chica y yo", "con mis padres": the writer and the
    adults they name; None when no companion is named or the writer is not said to come."""
    one = two = 0
    for m in _WHO.finditer(t):
        if m.group("one"):
            one += 1
        else:
            two += 1
    if (fw := _FOR_WHOM.search(t)) and not _WITH_ME.search(t) and not _NOT_FOR_STAY.search(t):
        return (2 if fw.group("two") else 1) + (1 if _AND_THEIRS.match(t[fw.end() :]) else 0)
    if not one and not two:
        return None
    if not _ME_IN.search(t):
        return None
    return 1 + one + 2 * two


_TLD = r"(?:com|es|pt|br|net|org|mx|ar|co|cl|pe|uy|uk|de|fr|it|nl|io|info|eu|edu|gov)"
_SPOKEN_EMAIL_HINT = re.compile(rf"\b(?:arroba|at)\b.*\b(?:punto|ponto|dot)\s+{_TLD}\b")
# "ana.garcia@gmail,com": a comma typed for the last dot
_COMMA_TLD = re.compile(rf"(@[\w-]+),\s?({_TLD})\b")  # not "@x.com, it is me"


def _spoken_email(text: str) -> str:
    """ "ana punto garcia arroba gmail punto com" (a voice note, or typed so): the address written."""
    t = fold(text)
    if not _SPOKEN_EMAIL_HINT.search(t):
        return ""
    t = re.sub(r"\s+(?:guion\s+bajo|underscore|underline|sublinhado)\s+", "_", t)
    t = re.sub(r"\s+(?:guion|hifen|hyphen|dash)\s+", "-", t)
    t = re.sub(r"\s+(?:punto|ponto|dot)\s+", ".", t)
    t = re.sub(r"\s+(?:arroba|at)\s+", "@", t)
    # "my email is peter hughes at gmail dot com": the words after the cue are one local part
    return re.sub(
        r"(\b(?:e-?mail|correo|mail)(?:\s+(?:address|electronico))?\s*(?:is|es|e|:)?\s+)(?!(?:is|es|e)\s)((?:[\w.-]+\s+){1,2}[\w.-]+)(?=@)",
        lambda m: m.group(1) + m.group(2).replace(" ", ""),
        t,
    )


def extract_email(text: str) -> str | None:
    text = _COMMA_TLD.sub(r"\1.\2", text)
    if "@" not in text and (spoken := _spoken_email(text)):
        text = spoken
    for m in _EMAIL.finditer(text):
        candidate = m.group(0).strip(".")
        try:
            return validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


def looks_like_email_attempt(text: str) -> bool:
    """An '@' with something around it, but no valid address: worth a specific reply."""
    return "@" in text and extract_email(text) is None


def extract_phone(text: str, region: str) -> str | None:
    without_email = _EMAIL.sub(" ", text)
    try:
        for match in phonenumbers.PhoneNumberMatcher(without_email, region):
            if phonenumbers.is_valid_number(match.number):
                return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    except Exception:  # phonenumbers raises on pathological input; a phone is optional
        return None
    return None


_SPACED_REF = re.compile(r"\b(?P<l>[A-Za-z]{2,3})\s(?P<d>\d{3,8})\b")
_CURRENCY = {
    "eur",
    "usd",
    "gbp",
    "brl",
    "mxn",
    "ars",
    "cop",
    "clp",
    "pen",
    "uyu",
    "chf",
    "hab",
    "no",
    "nr",
    "num",
    "tel",
    "apt",
    "rm",
    "cp",
    "km",
    # "my booking number is 1234": a word before the number, not the reference's letters
    "is",
    "es",
    "el",
    "la",
    "de",
    "da",
    "do",
    "my",
    "mi",
    "the",
    "our",
    "and",
    "con",
    "com",
    "por",
    "um",
    "una",
    "uno",
    "nos",
    "was",
    "era",
}


def extract_booking_ref(text: str) -> str | None:
    for m in _SPACED_REF.finditer(text):
        # "HB 3390", "reserva hb 3390": written with a space, upper case or said to be a booking's
        letters = m.group("l")
        if fold(letters) in _CURRENCY or re.match(
            r"\d{3,8}\s*(?:€|euros?|eur|reais|dolares|dollars)", text[m.start("d") :], re.I
        ):
            continue
        said = letters.isupper() or _REF_CONTEXT.search(fold(text[: m.start()]).rstrip())
        if said and not _REF.search(text[: m.start()]):
            return f"{letters.upper()}-{m.group('d')}"
    for m in _REF.finditer(text):
        ref = m.group("ref").upper().replace("_", "-")
        if "-" not in ref:
            letters = "".join(c for c in ref if c.isalpha())
            ref = f"{letters}-{ref[len(letters) :]}"
        return ref
    for m in _QLO_REF.finditer(text):
        word = m.group("ref")
        vowels = sum(c in "AEIOU" for c in word)
        if vowels <= 2 or _REF_CONTEXT.search(fold(text[: m.start()])):
            return word
    return None


_PARTICLES = {"de", "del", "la", "las", "los", "da", "do", "dos", "das", "van", "von"}


_ARTICLES = {"el", "la", "los", "las", "the", "o", "a", "os", "as"}


def _clean_name(raw: str) -> str | None:
    words: list[str] = []
    parts = raw.split()
    for i, word in enumerate(parts):
        folded = fold(word)
        if (
            len(words) >= 2
            and all(w[:1].isupper() for w in words)
            and word.islower()
            and folded not in _PARTICLES
        ):
            break  # "Marc Tremblay by the way": a name written with capitals ends at a word without
        if folded in _NAME_STOP and words and not (folded == "vale" and fold(words[-1]) in _PARTICLES):
            # "José Luis de la Fuente": particles stay when more of the name follows them;
            # "Luis Gómez, vale" ends the name, "Ana do Vale" is her surname
            rest = [fold(w) for w in parts[i + 1 :]]
            name_follows = any(w not in _PARTICLES and w not in _NAME_STOP for w in rest[:2])
            if not (folded in _PARTICLES and name_follows):
                break
        words.append(word)
    while (
        words
        and (fold(words[-1]) in _NAME_STOP or fold(words[-1]) in _PARTICLES)
        and not (fold(words[-1]) == "vale" and len(words) > 1 and fold(words[-2]) in _PARTICLES)
    ):
        words.pop()
    if not words or fold(words[0]) in _NOT_NAME or sum(fold(w) not in _PARTICLES for w in words) > 5:
        return None
    if fold(words[0]) in _NAME_STOP - _PARTICLES - _ARTICLES:
        return None  # "minha esposa e nossos gêmeos": "e …" goes on the sentence, it names no one
    name = " ".join(words).strip(" .,'’-")
    if len(name) < 2 or len(name) > 64:
        return None
    return " ".join(
        w if any(c.isupper() for c in w) or fold(w) in _PARTICLES else w.capitalize() for w in name.split()
    )


_DATE_COMPANIONS = {"next", "this", "last", "proximo", "proxima", "este", "esta", "weekend", "semana", "week"}


def _date_like(name: str) -> bool:
    """ "Friday", "Next Friday", "March": a date, not a name; "Marco Bianchi" is a name."""
    words = [fold(w) for w in name.split()]
    if not any(w in _DATE_WORDS for w in words):
        return False
    return len(words) < 2 or all(w in _DATE_WORDS or w in _DATE_COMPANIONS for w in words)


# "nombre: Carlos, apellidos: Pérez Gil": the surname in a field of its own, after the first name
_SURNAME_FIELD = re.compile(
    r"\s*[,;/]?\s*(?:(?:y|and|e)\s+)?(?:mis?\s+|my\s+|meus?\s+|o\s+|el\s+|los\s+)?"
    r"(?:apellidos?|surnames?|last\s+names?|family\s+names?|sobrenomes?|apelidos?)\s*(?::|es|is|e|é|son)?\s*",
    re.IGNORECASE,
)


def extract_name(text: str) -> str | None:
    """A guest's name when they introduce themselves ("me llamo Ana García")."""
    for cue, needs_capital in ((_NAME_CUE, False), (_SOFT_NAME_CUE, True)):
        for m in cue.finditer(text):
            rest = text[m.end() :]
            nm = _NAME.match(rest)
            if not nm:
                continue
            if needs_capital and not rest[:1].isupper():
                continue
            name = _clean_name(nm.group(0))
            after = rest.lower().find(name.split()[-1].lower()) + len(name.split()[-1]) if name else 0
            if name and (field := _SURNAME_FIELD.match(rest, after)):
                surname = _NAME.match(rest, field.end())
                if surname and (last := _clean_name(surname.group(0))):
                    name = f"{name} {last}"
            if name and fold(name.split()[0]) in _NAME_STOP - _PARTICLES:
                continue  # "em nome do meu marido": who, not a name
            if name and not (needs_capital and _date_like(name)):
                return name
    for name, capitalised in relation_names(text):
        if capitalised:
            return name
    return None


_RELATION = re.compile(
    rf"(?:{_COMPANION}|{_COMPANIONS_2}|{_KIN_ADULT}|mum|mummy|mommy|mamae|mama|grandson|granddaughter|nieto|nieta|neto|neta"
    r"|sobrin[oa]|niece|nephew|guest|cliente|client|huesped|hospede)(?:'s)?"
)
_POSS_WORDS = {
    "my",
    "mi",
    "mis",
    "minha",
    "meu",
    "minhas",
    "meus",
    "our",
    "nuestro",
    "nuestra",
    "nosso",
    "nossa",
}


def relation_names(text: str) -> list[tuple[str, bool]]:
    """Names right after a relation: "a single for my mum Rose Fox", "es para mi compañero Luis
    Navarro", "for my daughter emily clarke": (name, written with capitals); two words or more,
    so "my wife Ana and I" names no one."""
    out: list[tuple[str, bool]] = []
    words = text.split()
    for i in range(1, len(words) - 1):
        if fold(words[i - 1]) not in _POSS_WORDS:
            continue
        relation = fold(words[i]).rstrip(",:")
        if relation in ("name", "nombre", "nome") or not _RELATION.fullmatch(relation):
            continue
        rest = " ".join(words[i + 1 :]).lstrip(",: ")
        rest = re.sub(r"^(?:name\s*(?:is\s*)?:?|nombre\s*:?|nome\s*:?)\s*", "", rest, flags=re.IGNORECASE)
        nm = _NAME.match(rest)
        name = _clean_name(nm.group(0)) if nm else None
        if nm is None or not name:
            continue
        parts = name.split()
        if sum(fold(w) not in _PARTICLES for w in parts) < 2 or any(fold(w) in _DATE_WORDS for w in parts):
            continue
        out.append(
            (name, all(w[:1].isupper() or fold(w) in _PARTICLES for w in nm.group(0).split()[: len(parts)]))
        )
    return out


def soft_cue_names(text: str) -> list[str]:
    """Names in lower case after "soy", "this is", "sou o" ("soy lucia fernandez ruiz"): two or
    more words; the caller keeps those its vocabulary does not know as other words."""
    out = [name for name, capitalised in relation_names(text) if not capitalised]
    for m in [*_SOFT_NAME_CUE.finditer(text), *_WEAK_NAME_CUE.finditer(text)]:
        nm = _NAME.match(text[m.end() :])
        name = _clean_name(nm.group(0)) if nm else None
        words = name.split() if name else []
        if name and fold(words[0]) not in _PARTICLES and sum(fold(w) not in _PARTICLES for w in words) >= 2:
            out.append(name)
    return out


_SEGMENTS = re.compile(r"[,;\n.!?()]|\s+-\s+")


def standalone_names(text: str) -> list[str]:
    """Pieces of a message that could be a full name said on its own ("great, the double is
    fine. Hannah Wright"): 2 to 5 name-like words between punctuation, e-mails and phones
    taken out. The caller decides which are names (words the hotel's vocabulary does not know)."""
    out = []
    for part in _SEGMENTS.split(re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s().-]{6,}\d", ",", text)):
        part = part.strip(" '’\"-:")
        if cue := _SOFT_NAME_CUE.match(part) or _LEAD_IN.match(part):  # "it's mike brown", "somos Marta Gil"
            part = part[cue.end() :]
        words = part.split()
        if (
            len(words) >= 2
            and _name_words(words) <= 5  # "Juan Carlos de la Cruz Mendoza": particles do not count
            and looks_like_name(part)
            and not any(fold(w) in _NAME_STOP for w in words[-1:])
        ):
            out.append(part)
    return out


def _name_words(words: list[str]) -> int:
    """How many words of a name are names, not particles ("de la", "dos")."""
    return sum(fold(w) not in _PARTICLES for w in words)


def is_common_word(word: str) -> bool:
    """A word that is never a name ("ok", "thanks", "para")."""
    return fold(word) in _NOT_NAME | _NAME_STOP


def looks_like_name(text: str) -> bool:
    """Could this whole message be just a name (the answer to "what is your name?")."""
    stripped = text.strip(" .!,")
    if not stripped or len(stripped) > 64 or any(c.isdigit() for c in stripped) or "@" in stripped:
        return False
    nm = _NAME.fullmatch(stripped)
    if not nm:
        return False
    words = stripped.split()
    return (
        1 <= _name_words(words) <= 5
        and fold(words[0]) not in _NOT_NAME | _NAME_STOP
        and not (stripped.islower() and any(fold(w) in _FUNCTION_WORDS for w in words))
    )


def clean_name(text: str) -> str | None:
    return _clean_name(text.strip(" .!,")) if looks_like_name(text) else None


def _with_plurals(alias: str) -> set[str]:
    """'doble' → also 'dobles'; 'quarto duplo' → also 'quartos duplos'."""

    def plural(word: str) -> str:
        if word.endswith(("s", "x")):
            return word
        return word + ("es" if word[-1] in "rlnzdy" and not word.endswith("ey") else "s")

    words = alias.split()
    return {alias, " ".join(plural(w) for w in words)} if words else {alias}


_BEDS_AFTER = re.compile(r"\s+(?:beds|camas|names?|surnames?)\b")  # "family name" is no room either
_BEDS_BEFORE = re.compile(r"\b(?:camas|beds|nombre|nome|apellido)\s+(?:de\s+)?(?:la\s+|a\s+)?$")
_ROOM_WORDS = {"dbl": "double", "sgl": "single", "twn": "twin", "indiv": "individual", "matri": "matrimonio"}
_ROOM_SHORTHAND = re.compile(r"\b(?:dbl|sgl|twn|indiv|matri)\b")


# real words one letter from a room word: "despedida de soltera" is a hen party, not a single room
_REAL_WORDS = {"soltera", "soltero", "solteras", "solteros", "doblez", "familiares", "sweet", "suited"}


class RoomTypeLexicon:
    """Finds room types by the words guests use for them (from the PMS catalogue)."""

    def __init__(self, aliases: Mapping[str, Iterable[str]]) -> None:
        pairs = [
            (variant, code)
            for code, words in aliases.items()
            for alias in [*([code] if not any(ch.isdigit() for ch in code) else []), *words]  # not "2"
            for variant in _with_plurals(fold(alias))
        ]
        pairs.sort(key=lambda p: len(p[0]), reverse=True)
        self._by_alias = dict(pairs)
        alt = "|".join(re.escape(a) for a, _ in pairs if a)
        self._pattern = re.compile(rf"\b(?:{alt})\b") if alt else None

    @property
    def codes(self) -> list[str]:
        return sorted(set(self._by_alias.values()))

    def find(self, text: str) -> str | None:
        if self._pattern is None:
            return None
        folded = _ROOM_SHORTHAND.sub(lambda m: _ROOM_WORDS[m.group(0)], fold(text))
        found = False
        for m in self._pattern.finditer(folded):
            found = True
            if _BEDS_AFTER.match(folded, m.end()) or _BEDS_BEFORE.search(folded, 0, m.start()):
                continue  # "2 single beds", "duas camas de solteiro": beds, not the room
            return self._by_alias[m.group(0)]
        return None if found else self._misspelt(folded)

    def find_all(self, text: str) -> list[str]:
        """Every room type the text names, in order ("a double … the suite": double, suite)."""
        if self._pattern is None:
            return []
        folded = _ROOM_SHORTHAND.sub(lambda m: _ROOM_WORDS[m.group(0)], fold(text))
        return list(
            dict.fromkeys(
                self._by_alias[m.group(0)]
                for m in self._pattern.finditer(folded)
                if not (_BEDS_AFTER.match(folded, m.end()) or _BEDS_BEFORE.search(folded, 0, m.start()))
            )
        )

    def _misspelt(self, folded: str) -> str | None:
        # "la suit", "the suit for 2 nights": an alias without its last letter after an article
        # ("does that suit you" is no room)
        for m in re.finditer(
            r"\b(?:the|la|el|a|una|um|uma|o|una)\s+([a-z]{4,})\b(?!\s+(?:you|me|us|your|ya)\b)", folded
        ):
            if (code := self._by_alias.get(m.group(1) + "e")) is not None:
                return code
        return self._misspelt_word(folded)

    def _misspelt_word(self, folded: str) -> str | None:
        """A room word with a typo ("indivudual", "sencila", "familair"): one word of 6+ letters
        close to a one-word alias, and not a shorter or longer word of its own ("familia")."""
        words = [a for a in self._by_alias if " " not in a and len(a) >= 6]
        for word in re.findall(r"[a-z]{6,}", folded):
            if word in _REAL_WORDS:
                continue
            for alias in difflib.get_close_matches(word, words, n=1, cutoff=0.8):
                if not (alias.startswith(word) or word.startswith(alias)) and alias[:2] == word[:2]:
                    return self._by_alias[alias]
        return None


# Given names that come in two words: "José Luis García" is José Luis + García.
_COMPOUND_FIRST = {
    "jose", "juan", "maria", "ana", "luis", "miguel", "jose maria", "joao", "luiz", "pedro", "carlos",
    "francisco", "antonio", "mary", "anne", "john", "jean", "paulo", "paula", "luisa",
}  # fmt: skip
_SECOND_GIVEN = {
    "luis", "carlos", "jose", "maria", "antonio", "manuel", "pedro", "paulo", "miguel", "ignacio", "eduardo",
    "isabel", "elena", "luisa", "jesus", "pablo", "ana", "beatriz", "fernanda", "gabriela", "vitoria",
    "ann", "anne", "marie", "lou", "beth", "jane", "paul", "james", "victoria", "clara", "sofia", "lucia",
}  # fmt: skip


# "CHEN Xiaoming, Chen is family name", "Ruiz es el apellido": the surname said as such goes last
_SURNAME_IS = re.compile(
    r"\b(?P<w>(?:[^\W\d_]{2,}\s+){0,2}[^\W\d_]{2,})\s+(?:is|es|e|é|sao|são|son|are)\s+(?:(?:my|the|our|mi|mis|el|los|o|os|a|meu|meus|minha)\s+){0,2}"
    r"(?:family\s+names?|surnames?|last\s+names?|apellidos?|sobrenomes?|apelidos?|nomes?\s+de\s+fam[ií]lia)\b",
    re.IGNORECASE,
)


_SURNAME_FIRST = re.compile(
    r"\b(?:family\s+name|surname|last\s+name|apellidos?|sobrenome|apelido)\s+(?:is|es|e|é|:)\s*"
    r"(?P<w>[^\W\d_]{2,}(?:\s+[^\W\d_]{2,}){0,2})",
    re.IGNORECASE,
)


def surname_last(name: str, text: str) -> str:
    """The name with the word(s) the guest calls their surname last, in ordinary capitals."""
    m = _SURNAME_IS.search(text) or _SURNAME_FIRST.search(text)
    words = name.split()
    if not m or len(words) < 2:
        return name
    said = [fold(w) for w in m.group("w").split()]
    if m.re is _SURNAME_FIRST:  # "surname is Kim Lee, thanks": the words said first
        said = said[: next((k for k in range(len(said), 0, -1) if _contains(name, said[:k])), 0)]
    folded = [fold(w) for w in words]
    for k in range(min(len(said), len(words) - 1), 0, -1):
        tail = said[-k:]
        at = next((i for i in range(len(words) - k + 1) if folded[i : i + k] == tail), None)
        if at is not None:
            words = [*words[:at], *words[at + k :], *words[at : at + k]]
            return " ".join(w.capitalize() if w.isupper() and len(w) > 1 else w for w in words)
    return name


def _contains(name: str, seq: list[str]) -> bool:
    folded = [fold(w) for w in name.split()]
    return any(folded[i : i + len(seq)] == seq for i in range(len(folded) - len(seq) + 1))


def split_full_name(full: str) -> tuple[str, str]:
    """(first name, last name) the way Spanish and Portuguese names work: "Lucía Fernández Ruiz"
    is Lucía + Fernández Ruiz (two surnames), "José Luis García López" is José Luis + García López,
    "Ana Souza" is Ana + Souza, "María de la Fuente" is María + de la Fuente. Four parts are two
    given names and two surnames, whatever the given names ("Andrés Felipe Rincón Mejía",
    "Ana Maria dos Santos Pereira": a particle goes with the surname after it)."""
    words = full.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    parts: list[list[str]] = []  # "dos Santos" is one part
    for i, word in enumerate(words):
        if parts and parts[-1][-1].casefold() in _PARTICLES and i > 1:
            parts[-1].append(word)
        else:
            parts.append([word])
    compound = len(words) >= 3 and fold(words[0]) in _COMPOUND_FIRST and fold(words[1]) in _SECOND_GIVEN
    # a second given name is written as names are ("María-José 2nd (VIP) Nuñez", cleaned to
    # "María-José nd VIP Nuñez", has none)
    second = parts[1][0][:1].isupper() or full.islower()
    given = min(2 if (len(parts) >= 4 and second) or compound else 1, len(parts) - 1)
    return " ".join(w for p in parts[:given] for w in p), " ".join(w for p in parts[given:] for w in p)
