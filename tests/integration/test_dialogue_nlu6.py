"""Single messages as guests write them, played as whole conversations (issue 12, nlu6): relative
dates ("daqui a 15 dias", "de hoy a sábado", "the nights of the 12th and 13th", numeric dates
read by the phone's country), past dates, the party in words ("eu e a patroa", "somos 3 + un
bebé", "me and the wife and our 2 kids"), names with particles and double surnames, and the
language of short or odd messages. Each ends with what the PMS holds, or with what the bot must
not do (answer a random topic, switch language). Written before looking at what the bot does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from hotelbox.daemon import Box
from hotelbox.nlu.language import phone_language, variety
from hotelbox.nlu.text import fold
from hotelbox.nlu.understanding import Understander
from tests.support import Chat, RecordingChannel, chats, pms_bookings

TODAY = date(2027, 3, 10)  # a Wednesday


@dataclass(frozen=True)
class Stay:
    """The booking the chat must end with (a tuple: any of those values)."""

    check_in: str | tuple[str, ...]
    check_out: str | tuple[str, ...]
    adults: int | None = None
    children: int | None = None
    room: str | None = None
    name: str | None = None  # the full name as stored (case- and accent-insensitive)
    total: int | None = None  # adults + children, when how they split is the bot's to ask


@dataclass(frozen=True)
class Case:
    id: str
    phone: str
    turns: tuple[str, ...]
    stay: Stay | None = None
    lang: str = ""
    handoff: bool = False
    not_keys: tuple[str, ...] = field(default=())  # catalogue key prefixes no reply may have
    says: tuple[str, ...] = field(default=())  # words some reply must have (case, accents aside)
    never: tuple[str, ...] = field(default=())  # words no reply may have ("vosotros" to es-419)


def _one_of(value: Any, allowed: Any) -> bool:
    return value in allowed if isinstance(allowed, tuple) else value == allowed


CASES = [
    # ---- Spanish (es-ES, es-419) ----
    Case("es-finde", "+34611", ("hola, tenéis habitación doble para el finde que viene? somos mi novio y yo",
         "Marta Gil Navarro, marta.gil@gmail.com", "sí, perfecto"),
         Stay(("2027-03-12", "2027-03-13", "2027-03-19", "2027-03-20"), ("2027-03-14", "2027-03-21"), 2, 0, "double",
              "Marta Gil Navarro")),
    Case("es-mes-que-viene-bebe", "+52155", ("buenas, quisiera un cuarto del 3 al 5 del mes que viene",
         "somos 3 + un bebé", "me llamo José Luis Hernández Rojas, jl@correo.mx", "sí, confírmalo"),
         Stay("2027-04-03", "2027-04-05", 3, 1, name="José Luis Hernández Rojas")),
    Case("es-ayer", "+34622", ("quiero reservar para ayer", "perdón, quería decir del 20 al 22 de marzo, para mí solo",
         "Pablo Ortega, pablo.ortega@gmail.com", "sí"),
         Stay("2027-03-20", "2027-03-22", 1, 0, name="Pablo Ortega")),
    Case("es-esta-noche", "+34633", ("hola! una habitación para esta noche, solo yo", "Andrea Molina, andrea@molina.es",
         "vale, adelante"), Stay("2027-03-10", "2027-03-11", 1, 0, name="Andrea Molina")),
    Case("es-419-hoy-sabado", "+54911", ("hola che, tienen lugar de hoy a sábado? vamos mi esposa y yo",
         "Martín Pereyra, martinp@gmail.com", "dale, reservá"),
         Stay("2027-03-10", "2027-03-13", 2, 0, name="Martín Pereyra")),
    Case("es-noches-del", "+34644", ("las noches del 12 y 13 de abril, una doble", "somos 2",
         "a nombre de Ana María Pérez de los Ríos, anamaria@gmail.com", "sí, reservar"),
         Stay("2027-04-12", "2027-04-14", 2, 0, "double", "Ana María Pérez de los Ríos")),
    Case("es-familiar-precio", "+34655", ("hola",
         "queria saber precio de una familiar del 1 al 4 de agosto, somos 2 adultos y 2 niños",
         "ok gracias, la reservo. soy Carmen Vidal, carmen.vidal@gmail.com", "sí"),
         Stay("2027-08-01", "2027-08-04", 2, 2, "family", "Carmen Vidal")),
    Case("es-dentro-de", "+34666", ("dentro de 15 días, 3 noches, para 2 adultos", "Luis Romero, luis@romero.es", "sí"),
         Stay("2027-03-25", "2027-03-28", 2, 0, name="Luis Romero")),
    Case("es-419-nombre-primero", "+57300", ("Hola, me llamo Valentina Gómez Restrepo. Quiero reservar del lunes al "
         "miércoles de la semana que viene para 2 personas, vale@gmail.com", "la doble porfa", "sí, confirmo"),
         Stay("2027-03-15", "2027-03-17", 2, 0, name="Valentina Gómez Restrepo")),
    Case("es-a-las-5", "+34677", ("necesito habitación del 15 al 18 de este mes", "a las 5 llegamos, somos 2",
         "Raúl Sanz, raul.sanz@gmail.com", "sí"), Stay("2027-03-15", "2027-03-18", 2, 0, name="Raúl Sanz")),
    Case("es-familia-de-4", "+52133", ("hola, somos una familia de 4, del 8 al 11 de abril",
         "Diego Ramírez Soto, diego@gmail.com", "sí, reserva porfa"),
         Stay("2027-04-08", "2027-04-11", name="Diego Ramírez Soto", total=4)),
    Case("es-domingo", "+34688", ("llegamos mañana y nos vamos el domingo, mi mujer y yo",
         "Jorge Blanco, jorge.blanco@gmail.com", "perfecto, sí"),
         Stay("2027-03-11", "2027-03-14", 2, 0, name="Jorge Blanco")),
    Case("es-luz", "+34699", ("enciende la luz del salón",), lang="es", not_keys=("info:", "room_types", "prices", "offers")),
    Case("es-gracias-first", "+34612", ("gracias!!",), lang="es"),
    # ---- English (native, non-native) ----
    Case("en-family-weekend", "+44771", ("hi, do you have a family room next weekend? me and the wife and our 2 kids",
         "Tom Baker, tom.baker@gmail.com", "yes please"),
         Stay(("2027-03-12", "2027-03-13", "2027-03-19", "2027-03-20"), ("2027-03-14", "2027-03-21"), 2, 2, "family",
              "Tom Baker")),
    Case("en-us-numeric", "+1212555", ("hello, i need a room from 5/4 to 5/7 for 2 adults",
         "Jennifer Lopez, jlo@gmail.com", "yes"), Stay("2027-05-04", "2027-05-07", 2, 0, name="Jennifer Lopez")),
    Case("en-uk-numeric", "+44772", ("hello, i need a room from 5/4 to 8/4 for 2 adults",
         "Oliver Hughes, oliver@hughes.co.uk", "yes"), Stay("2027-04-05", "2027-04-08", 2, 0, name="Oliver Hughes")),
    Case("en-tonight", "+44773", ("need a double tonight just for me", "Mark Evans, mark.evans@gmail.com",
         "yes go ahead"), Stay("2027-03-10", "2027-03-11", 1, 0, "double", "Mark Evans")),
    Case("en-nonnative", "+49151", ("Hello, I am interesting in book a room for two person in 15 april for 3 night",
         "my name is Klaus Weber, klaus.weber@web.de", "yes, that is ok"),
         Stay("2027-04-15", "2027-04-18", 2, 0, name="Klaus Weber")),
    Case("en-nights-of", "+44774", ("the nights of the 12th and 13th of april, two of us",
         "Sarah Connor, sarah@connor.com", "yes"), Stay("2027-04-12", "2027-04-14", 2, 0, name="Sarah Connor")),
    Case("en-yesterday", "+61412", ("i want to book for yesterday", "sorry i mean the 20th to the 23rd, just me",
         "Liam Walsh, liam.walsh@gmail.com", "yes"), Stay("2027-03-20", "2027-03-23", 1, 0, name="Liam Walsh")),
    Case("en-light", "+1313555", ("turn on the living room light",), lang="en", not_keys=("info:", "room_types", "prices", "offers")),
    Case("en-first-week", "+44775", ("hi there, a family of four, first week of august",
         "arriving aug 2 leaving aug 7", "Emma Stone, emma@stone.com", "yes"),
         Stay("2027-08-02", "2027-08-07", name="Emma Stone", total=4)),
    Case("en-couple-nonnative", "+39333", ("good morning, we are couple, we wish reserve room 1 to 5 may",
         "Giulia Rossi, giulia.rossi@libero.it", "ok yes"),
         Stay("2027-05-01", "2027-05-05", 2, 0, name="Giulia Rossi")),
    Case("en-friday-mum", "+44776", ("2 nights starting friday for me and my mum", "Rachel Green, rachel@green.com",
         "yep"), Stay("2027-03-12", "2027-03-14", 2, 0, name="Rachel Green")),
    Case("en-party-of", "+353871", ("hey, from today till saturday, party of 3", "Sean Murphy, sean@murphy.ie",
         "yes please"), Stay("2027-03-10", "2027-03-13", 3, 0, name="Sean Murphy")),
    Case("en-particle-name", "+44777", ("Name's Pedro dos Santos, I'd like a suite from 3rd to 5th of next month for 2, "
         "pedro@santos.com", "yes"), Stay("2027-04-03", "2027-04-05", 2, 0, "suite", "Pedro dos Santos")),
    Case("en-two-weeks", "+1415555", ("in two weeks for 4 nights, the two of us", "Kim Lee, kim.lee@gmail.com",
         "sure"), Stay("2027-03-24", "2027-03-28", 2, 0, name="Kim Lee")),
    Case("en-thx-first", "+44778", ("thx",), lang="en"),
    # ---- Portuguese (pt-PT, pt-BR) ----
    Case("pt-daqui-a", "+351912", ("olá, têm quarto livre daqui a 15 dias? somos 2, 3 noites",
         "Rui Carvalho, rui.carvalho@sapo.pt", "sim"), Stay("2027-03-25", "2027-03-28", 2, 0, name="Rui Carvalho")),
    Case("pt-br-patroa", "+55119", ("oi! de hoje a sábado, eu e a patroa", "Carlos Eduardo da Silva, cadu@uol.com.br",
         "pode confirmar"), Stay("2027-03-10", "2027-03-13", 2, 0, name="Carlos Eduardo da Silva")),
    Case("pt-br-ontem", "+55219", ("oi, quero reservar para ontem", "desculpa, é de 20 a 22 de março, nós dois",
         "Fernanda Lima, fe.lima@gmail.com", "sim"), Stay("2027-03-20", "2027-03-22", 2, 0, name="Fernanda Lima")),
    Case("pt-noites-de", "+351913", ("boa tarde, as noites de 12 e 13 de abril para mim e a minha mãe",
         "Chamo-me Maria da Conceição Ferreira, mcf@sapo.pt", "sim, obrigada"),
         Stay("2027-04-12", "2027-04-14", 2, 0, name="Maria da Conceição Ferreira")),
    Case("pt-br-mes-que-vem", "+55319", ("oi, vcs tem quarto familia do dia 3 ao 5 do mês que vem? eu meu marido e "
         "nossos 2 filhos", "Ana Souza ana.souza@gmail.com", "beleza, pode reservar"),
         Stay("2027-04-03", "2027-04-05", 2, 2, "family", "Ana Souza")),
    Case("pt-luz", "+351914", ("liga a luz da sala",), lang="pt", not_keys=("info:", "room_types", "prices", "offers")),
    Case("pt-sexta", "+351915", ("três noites a partir de sexta, só eu", "João Pedro dos Santos, jp@sapo.pt", "sim"),
         Stay("2027-03-12", "2027-03-15", 1, 0, name="João Pedro dos Santos")),
    Case("pt-br-sou-a", "+55419", ("Olá! Sou a Beatriz Costa e queria reservar um quarto para 2 pessoas de 8 a 11 de "
         "maio, bia@gmail.com", "o duplo", "sim"), Stay("2027-05-08", "2027-05-11", 2, 0, name="Beatriz Costa")),
    Case("pt-br-bebe", "+55519", ("boa noite, somos um casal e um bebê, de 2 a 6 de junho",
         "Lucas Martins, lucas@martins.com.br", "isso, pode fechar"),
         Stay("2027-06-02", "2027-06-06", 2, 1, name="Lucas Martins")),
    Case("pt-esta-noite", "+351916", ("queria um quarto duplo para esta noite", "somos 2",
         "Tiago Moreira, tiago@moreira.pt", "sim"), Stay("2027-03-10", "2027-03-11", 2, 0, "double", "Tiago Moreira")),
    Case("pt-br-semana-que-vem", "+55619", ("na semana que vem, de terça a sexta, eu e minha namorada",
         "Pedro Henrique Alves, ph.alves@gmail.com", "sim"),
         Stay("2027-03-16", "2027-03-19", 2, 0, name="Pedro Henrique Alves")),
    Case("pt-amanha", "+351917", ("amanhã, 2 noites, eu e a minha mulher", "Nuno Ribeiro, nuno@ribeiro.pt",
         "sim, confirmo"), Stay("2027-03-11", "2027-03-13", 2, 0, name="Nuno Ribeiro")),
    # four adults fit no room (the family room takes 3 adults): the several-rooms handoff
    Case("pt-br-amigos", "+55719", ("quero um quarto pra 4 amigos de 10 a 12 de abril", "Rafael Souza, rafa@gmail.com",
         "fechado"), handoff=True),
    Case("pt-obrigado-first", "+351918", ("obrigado",), lang="pt"),
    # ---- second batch ----
    Case("es-semana-santa", "+34601", ("buenas, quería una doble para semana santa",
         "del jueves santo al domingo, somos 2", "Nuria Castells Puig, nuria@gmail.com", "sí"),
         Stay("2027-03-25", "2027-03-28", 2, 0, "double", "Nuria Castells Puig")),
    Case("es-419-numeric", "+52155", ("hola buenas tardes, ocupo un cuarto para 2 personas del 5/4 al 8/4",
         "Juan Carlos de la Cruz Mendoza, jc@gmail.com", "si"),
         Stay("2027-04-05", "2027-04-08", 2, 0, name="Juan Carlos de la Cruz Mendoza")),
    Case("es-finde-del", "+34602", ("hola! quiero reservar", "el finde del 19 al 21", "seremos mi pareja y yo",
         "Íñigo Etxeberria, inigo@gmail.com", "sí adelante"),
         Stay("2027-03-19", "2027-03-21", 2, 0, name="Íñigo Etxeberria")),
    Case("es-dias", "+34603", ("hola, para 3 dias a partir del 2 de abril, 2 adultos", "Elena Ruiz, elena@ruiz.es", "si"),
         Stay("2027-04-02", ("2027-04-04", "2027-04-05"), 2, 0, name="Elena Ruiz")),
    Case("es-419-chile", "+56912", ("hola, tienen pieza para mañana? una noche, yo solo",
         "Ignacio Soto Valenzuela, isoto@gmail.cl", "ya, reserva"),
         Stay("2027-03-11", "2027-03-12", 1, 0, name="Ignacio Soto Valenzuela")),
    Case("es-spanglish", "+34604", ("hola, quiero book una room doble para el weekend que viene, somos 2",
         "Sergio Peña, sergio@pena.es", "ok, sí"),
         Stay(("2027-03-19", "2027-03-12"), ("2027-03-21", "2027-03-14"), 2, 0, "double", "Sergio Peña")),
    Case("es-ok-first", "+34605", ("ok",), lang="es"),
    Case("es-typos", "+34606", ("ola buenas, abria abitacion para el 12 y 13 de abril?? somos mi marido y yo",
         "Rocio Jimenez", "rocio.jimenez@gmail.com", "si porfavor"),
         Stay("2027-04-12", "2027-04-14", 2, 0, name="Rocio Jimenez")),
    Case("es-bebe-meses", "+34607", ("hola, estaremos del 3 al 6 de mayo, somos 2 adultos con un bebe de 8 meses",
         "Alba Serrano, alba@serrano.es", "sí"), Stay("2027-05-03", "2027-05-06", 2, 1, name="Alba Serrano")),
    Case("en-first-week-2", "+44779", ("Hi, could we get a room for the first week of august? 2 adults 1 child",
         "Sunday 1st to Saturday 7th", "David Miller, d.miller@gmail.com", "yes"),
         Stay("2027-08-01", "2027-08-07", 2, 1, name="David Miller")),
    Case("en-us-toddler", "+1646555", ("hey! checking in 7/3 out 7/6, me my wife and our toddler",
         "Mike Johnson, mikej@yahoo.com", "sounds good, book it"),
         Stay("2027-07-03", "2027-07-06", 2, 1, name="Mike Johnson")),
    Case("en-tonight-tomorrow", "+44780", ("hello, do you have availability tonight and tomorrow night? just me",
         "Chris Taylor, chris@taylor.co.uk", "great yes"),
         Stay("2027-03-10", "2027-03-12", 1, 0, name="Chris Taylor")),
    Case("en-india", "+91981", ("Sir I want one room for 3 persons from 20th march to 23rd march",
         "name is Rahul Sharma, rahul.sharma@gmail.com", "ok confirm"),
         Stay("2027-03-20", "2027-03-23", 3, 0, name="Rahul Sharma")),
    Case("en-fri-sat", "+44781", ("hi, is there anything free next fri and sat night for 2", "Laura Smith, laura@smith.com",
         "yes please"), Stay(("2027-03-19", "2027-03-12"), ("2027-03-21", "2027-03-14"), 2, 0, name="Laura Smith")),
    Case("en-missus", "+61413", ("g'day, room for me n my missus from the 14th for 3 nights", "Bruce Wayne, bruce@wayne.com",
         "yep"), Stay("2027-03-14", "2027-03-17", 2, 0, name="Bruce Wayne")),
    Case("en-us-christmas", "+1718555", ("Hi there, it's Anna-Lena O'Neil. Looking for a suite 12/24 to 12/27 for two, "
         "anna@oneil.com", "yes"), Stay("2027-12-24", "2027-12-27", 2, 0, "suite", "Anna-Lena O'Neil")),
    Case("pt-numeric", "+351919", ("boa tarde, queria um quarto de 5/4 a 8/4 para mim e para o meu marido",
         "Inês Sousa Santos, ines@sapo.pt", "sim, pode ser"),
         Stay("2027-04-05", "2027-04-08", 2, 0, name="Inês Sousa Santos")),
    Case("pt-br-seg-qua", "+55811", ("oi! vcs tem vaga pra semana que vem de seg a qua? somos eu e minha esposa",
         "Marcos Paulo Ferreira, mpf@gmail.com", "fechou"),
         Stay("2027-03-15", "2027-03-17", 2, 0, name="Marcos Paulo Ferreira")),
    Case("pt-br-daqui", "+55911", ("boa noite, quero reservar pra daqui 15 dias, 2 noites, casal",
         "Juliana Alves, ju@gmail.com", "sim"), Stay("2027-03-25", "2027-03-27", 2, 0, name="Juliana Alves")),
    Case("pt-sou-a-particle", "+351920", ("olá, sou a Maria do Carmo Silva e queria reservar um quarto individual para "
         "amanhã, uma noite, mcarmo@sapo.pt", "sim"),
         Stay("2027-03-11", "2027-03-12", 1, 0, "single", "Maria do Carmo Silva")),
    Case("pt-br-dia-20-21", "+55112", ("oi", "quanto ta a diaria pro casal dia 20 e 21?", "Bruno Lima, bruno@lima.com",
         "blz, pode reservar"), Stay("2027-03-20", "2027-03-22", 2, 0, name="Bruno Lima")),
    Case("pt-hoje-sabado", "+351921", ("bom dia, de hoje a sábado há quarto? só eu", "Rita Gomes, rita@gomes.pt", "sim"),
         Stay("2027-03-10", "2027-03-13", 1, 0, name="Rita Gomes")),
    Case("pt-br-mais-2", "+55113", ("olá, eu e mais 2 amigos queremos um quarto de 1 a 3 de maio",
         "Thiago Costa, thiago@costa.com", "sim"), Stay("2027-05-01", "2027-05-03", 3, 0, name="Thiago Costa")),
    Case("pt-br-ok-first", "+55114", ("ok",), lang="pt"),
    Case("pt-br-nos-2", "+55115", ("oi, queria reservar de 10 a 12 de abril", "nós 2", "Camila Rocha camila@rocha.com",
         "sim"), Stay("2027-04-10", "2027-04-12", 2, 0, name="Camila Rocha")),
    # ---- third batch ----
    Case("es-esta-noche-2", "+34608", ("buenas noches, tendriais algo para esta noche? llego sobre las 11", "somos 2",
         "Pedro Alonso Vega, pedro.alonso@gmail.com", "sí, perfecto"),
         Stay("2027-03-10", "2027-03-11", 2, 0, name="Pedro Alonso Vega")),
    Case("es-419-me-llamo-lower", "+57301", ("hola, me llamo andres felipe rojas, quiero reservar para 2 personas del 20 "
         "al 23 de abril", "andres.rojas@gmail.com", "sí señor"),
         Stay("2027-04-20", "2027-04-23", 2, 0, name="Andres Felipe Rojas")),
    Case("es-check-in-words", "+34609", ("holaa! hay disponibilidad para el check in el 2 de mayo y check out el 5? somos "
         "2 adultos", "Laura Gil, laura.gil@gmail.com", "sí"), Stay("2027-05-02", "2027-05-05", 2, 0, name="Laura Gil")),
    Case("es-419-familia", "+52156", ("buen dia, queremos reservar para mi esposa, mis 2 hijos y yo del 10 al 13 de junio",
         "Fernando Ortiz Luna, fer@ortiz.mx", "si, adelante"),
         Stay("2027-06-10", "2027-06-13", 2, 2, name="Fernando Ortiz Luna")),
    Case("es-gibberish", "+34610", ("blablabla jajaja",), lang="es", not_keys=("info:", "room_types", "prices", "offers")),
    Case("es-sabado-nombre", "+34613", ("para el sábado 2 noches, mi novia y yo. A nombre de Paula Sánchez de la Torre, "
         "paula@gmail.com", "si", "sí, confirmada"), Stay("2027-03-13", "2027-03-15", 2, 0, name="Paula Sánchez de la Torre")),
    Case("en-tonight-2", "+44782", ("Hi! Room for tonight please, it's just me", "Tom Hardy, tom@hardy.com", "yes"),
         Stay("2027-03-10", "2027-03-11", 1, 0, name="Tom Hardy")),
    Case("en-days", "+44783", ("we'd like to stay 3 days from the 2nd of may, me and my partner", "Jo Brand, jo@brand.com",
         "yes"), Stay("2027-05-02", ("2027-05-04", "2027-05-05"), 2, 0, name="Jo Brand")),
    Case("en-childs", "+33612", ("Hello, we are a family, 2 adults and 2 childs, from 10 to 14 july",
         "Pierre Dubois, pierre.dubois@orange.fr", "yes it's good"),
         Stay("2027-07-10", "2027-07-14", 2, 2, name="Pierre Dubois")),
    Case("en-us-dash", "+1202555", ("hey can i get a room 4/10-4/12", "just me. Sam Wilson, sam@wilson.com", "yes", "yes please"),
         Stay("2027-04-10", "2027-04-12", 1, 0, name="Sam Wilson")),
    Case("en-yesterday-asked", "+44784", ("hi, yesterday I asked about a room for the 20th to the 22nd, is it still free? "
         "2 of us", "Ann Lee, ann.lee@gmail.com", "yes please"), Stay("2027-03-20", "2027-03-22", 2, 0, name="Ann Lee")),
    Case("en-german-dots", "+49152", ("Hello, I want book room for me and my wife from 3. to 6. June",
         "Hans Müller, hans@mueller.de", "yes"), Stay("2027-06-03", "2027-06-06", 2, 0, name="Hans Müller")),
    Case("en-mash", "+44785", ("asdfgh",), lang="en", not_keys=("info:", "room_types", "prices", "offers")),
    Case("pt-hoje", "+351922", ("boa noite, há quarto para hoje, uma noite? somos dois", "Miguel Santos, miguel@santos.pt",
         "sim, pode reservar"), Stay("2027-03-10", "2027-03-11", 2, 0, name="Miguel Santos")),
    Case("pt-br-nome-lower", "+55116", ("oi, meu nome é ana paula souza, queria um quarto pra mim e meu filho de 8 anos "
         "de 3 a 5 de julho", "anapaula@gmail.com", "sim"),
         Stay("2027-07-03", "2027-07-05", 1, 1, name="Ana Paula Souza")),
    Case("pt-br-fds", "+55117", ("bom dia! eu e a minha esposa queremos passar o fds do dia 19 com vcs",
         "Ricardo Gomes, ricardo@gomes.com", "sim"), Stay("2027-03-19", "2027-03-21", 2, 0, name="Ricardo Gomes")),
    Case("pt-crianca", "+351923", ("olá, queria reservar de 2 a 4 de maio, somos 2 adultos e uma criança de 3 anos",
         "Sofia Marques, sofia@marques.pt", "sim"), Stay("2027-05-02", "2027-05-04", 2, 1, name="Sofia Marques")),
    Case("pt-br-kkk", "+55118", ("kkkkkk",), lang="pt", not_keys=("info:", "room_types", "prices", "offers")),
    Case("pt-br-ate-o-dia", "+55121", ("oi, vc tem quarto duplo pro dia 15 ate o dia 18?", "2 pessoas",
         "Paulo Roberto Dias, paulo@dias.com", "sim"),
         Stay("2027-03-15", "2027-03-18", 2, 0, "double", "Paulo Roberto Dias")),
    # ---- fourth batch: other languages, gibberish first, off-topic ----
    Case("en-french", "+33613", ("Bonjour, je voudrais réserver une chambre pour deux personnes du 3 au 5 mai",),
         lang="en", says=("english",)),
    Case("en-german", "+49153", ("Hallo, haben Sie ein Zimmer frei für nächste Woche?",), lang="en", says=("english",)),
    Case("en-italian", "+39334", ("Buongiorno, vorrei prenotare una camera matrimoniale per 2 notti",), lang="en",
         says=("english",)),
    Case("es-mash-then-price", "+34614", ("asdkjaskd", "perdón, se me fue el dedo. quería saber el precio de una doble "
         "para el finde"), lang="es"),
    Case("pt-br-marks-then-ask", "+55122", ("????", "oi, tem quarto pra amanhã?"), lang="pt"),
    Case("en-mash-then-parking", "+44786", ("sdfsdf", "sorry! do you have parking?"), lang="en"),
    Case("es-weather", "+34615", ("qué tiempo va a hacer mañana?",), lang="es", not_keys=("info:", "room_types", "prices", "offers")),
    Case("pt-jogo-ontem", "+351924", ("quem ganhou o jogo ontem?",), lang="pt",
         not_keys=("past_date", "info:", "offers")),
    Case("es-419-jaja", "+52157", ("hola", "jajaja ok", "cuánto cuesta la noche?"), lang="es"),
    Case("pt-br-kkk-blz", "+55123", ("kkkkk blz", "qual o valor da diária?"), lang="pt"),
    Case("en-sorry-spanish", "+44787", ("Hola! Sorry my Spanish is bad, do you have a room for 2 tomorrow?",), lang="en"),
    Case("en-hola-english", "+34616", ("hola, do you speak english?",), lang="en"),
    Case("en-hablan-ingles", "+1303555", ("Hola, ¿hablan inglés? I need a room for tonight",), lang="en"),
    Case("es-ok-then-book", "+34617", ("ok", "quiero reservar una habitacion"), lang="es"),
    Case("pt-thumb-then-price", "+351925", ("👍", "queria saber o preço de um quarto duplo"), lang="pt"),
    # ---- fifth batch: other languages then ours, slips, varieties, parties ----
    Case("en-french-then-english", "+33614", ("Bonsoir, avez-vous une chambre pour ce weekend? nous sommes deux",
         "english ok. a double room for 2 this weekend", "Claire Martin, claire.martin@orange.fr", "yes"),
         Stay("2027-03-12", "2027-03-14", 2, 0, "double", "Claire Martin")),
    Case("en-german-then-english", "+49154", ("Hallo! Wir möchten ein Zimmer buchen vom 5. bis 8. Juni",
         "sorry, english: double room for 2 from 5 to 8 june", "Jonas Becker, jonas@becker.de", "yes please"),
         Stay("2027-06-05", "2027-06-08", 2, 0, "double", "Jonas Becker")),
    Case("en-italian-person", "+39335", ("Ciao, avete una camera per stasera?", "can i speak with someone"),
         lang="en", handoff=True),
    Case("es-mash-middle", "+34618", ("hola", "sdkjfhskdjfh", "perdona, era mi hijo. a que hora es el desayuno?"),
         lang="es"),
    Case("pt-br-kkk-middle", "+55124", ("oi", "kkkkkkkkk", "foi mal, meu filho. qual o horário do check-in?"),
         lang="pt", says=("15",)),
    Case("pt-wrong-chat", "+351926", ("liga-me a luz da cozinha", "desculpe, enganei-me na conversa. têm estacionamento?"),
         lang="pt"),
    Case("en-silly-then-book", "+44788", ("hey", "whats ur fav color lol", "ok seriously, do you have a double for "
         "tomorrow night for 2?", "just the one night. Kate Moss, kate@moss.com", "yes"),
         Stay("2027-03-11", "2027-03-12", 2, 0, "double", "Kate Moss")),
    Case("es-419-partido", "+52158", ("quien ganó el partido ayer?", "jaja perdón, me equivoqué de chat. tienen alberca?"),
         lang="es", not_keys=("past_date",)),
    Case("en-pizza", "+1404555", ("Can you order me a pizza?",), lang="en", not_keys=("info:", "room_types", "prices", "offers")),
    Case("en-dutch", "+31624", ("Goedemiddag, heeft u een kamer vrij voor twee personen?",), lang="en",
         says=("english",)),
    Case("en-french-person", "+33615", ("Je voudrais parler à quelqu'un s'il vous plaît",), lang="en"),
    Case("es-419-sale", "+54912", ("hola! cuanto sale la noche en la doble para el 20 y 21 de marzo? somos dos",
         "Lucía Benítez, lucia@benitez.com.ar", "dale"),
         Stay("2027-03-20", "2027-03-22", 2, 0, "double", "Lucía Benítez"), never=("vosotros", "os alojar")),
    Case("pt-br-cafe", "+55125", ("oi, gostaria de saber se vcs tem café da manhã",), lang="pt",
         never=("pequeno-almoco",)),
    Case("pt-pequeno-almoco", "+351927", ("olá, têm pequeno-almoço incluído?",), lang="pt", never=("cafe da manha",)),
    Case("es-419-parqueadero", "+57302", ("buenas, ¿tienen parqueadero?",), lang="es", never=("vosotros", "teneis")),
    Case("es-419-ok-suite", "+52159", ("ok", "cuantas personas caben en la suite?"), lang="es",
         never=("vosotros", "teneis")),
    Case("es-edades", "+34619", ("hola, somos 2 adultos y 2 niños (8 y 11 años), familiar del 1 al 4 de julio",
         "Marta López, marta@lopez.es", "sí"), Stay("2027-07-01", "2027-07-04", 2, 2, "family", "Marta López")),
    Case("en-parents", "+44789", ("double room for my parents, 10 to 12 april, they're both in their 70s",
         "booking under my name, Tom Price, tom@price.com", "yes"),
         Stay("2027-04-10", "2027-04-12", 2, 0, "double", "Tom Price")),
    Case("pt-br-gemeos", "+55126", ("quero reservar um quarto familia pra mim, minha esposa e nossos gêmeos de 5 anos, "
         "8 a 10 de maio", "Diego Alves, diego@alves.com", "sim"),
         Stay("2027-05-08", "2027-05-10", 2, 2, "family", "Diego Alves")),
    Case("es-seis", "+34620", ("habitación para 6 personas del 3 al 5 de mayo",), handoff=True),
    Case("pt-tres-adultos", "+351928", ("quarto familiar, somos 3 adultos, 12 a 14 de junho", "Rui Costa, rui@costa.pt",
         "sim"), Stay("2027-06-12", "2027-06-14", 3, 0, "family", "Rui Costa")),
    Case("en-two-year-old", "+1505555", ("hi, double room for just me and my 2 year old, 3 nights from april 5th",
         "Amy Adams, amy@adams.com", "yes"), Stay("2027-04-05", "2027-04-08", 1, 1, "double", "Amy Adams")),
    Case("es-419-nene", "+54913", ("somos una pareja con un nene de 3, una doble del 15 al 18 de abril",
         "Pablo Gómez, pablo@gomez.com", "si"), Stay("2027-04-15", "2027-04-18", 2, 1, "double", "Pablo Gómez")),
    Case("pt-br-sogra", "+55127", ("quarto familia pra eu, minha mãe e minha sogra, de 20 a 22 de abril",
         "Carla Dias, carla@dias.com", "sim"), Stay("2027-04-20", "2027-04-22", 3, 0, "family", "Carla Dias")),
]  # fmt: skip


@pytest.fixture
def chat(box: tuple[Box, RecordingChannel]) -> Callable[[str], Chat]:
    return chats(box, TODAY, hour=10)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_conversation(
    box: tuple[Box, RecordingChannel], chat: Callable[[str], Chat], case: Case
) -> None:
    g = chat(case.phone)
    for turn in case.turns:
        await g(turn)
    seen = g.transcript()
    lang = case.lang or case.id[:2]
    assert all(r.lang == lang for r in g.replies), seen
    assert not any(r.key.startswith(case.not_keys) for r in g.replies if case.not_keys), seen
    assert g.said(*case.says), seen
    assert not any(g.said(word) for word in case.never), seen
    conversation = await g.conversation()
    assert (conversation["control"] != "bot") == case.handoff, seen
    made = await pms_bookings(box[0])
    if case.stay is None:
        assert not made, seen
        return
    assert len(made) == 1, seen
    b, want = made[0], case.stay
    assert b.status == "confirmed", seen
    assert _one_of(b.check_in.isoformat(), want.check_in), (b, seen)
    assert _one_of(b.check_out.isoformat(), want.check_out), (b, seen)
    if want.adults is not None:
        assert (b.adults, b.children) == (want.adults, want.children), (b, seen)
    if want.total is not None:
        assert b.adults + b.children == want.total, (b, seen)
    if want.room:
        assert b.room_type == want.room, (b, seen)
    if want.name:
        assert fold(b.guest_name) == fold(want.name), (b, seen)


# ---- single messages as guests write them (the probes that failed, and a sample of those that passed) ----
MESSAGES = [
    # (text, phone, what the understanding must hold: entity values, "lang", "flag")
    ("para mí solo, una individual el 20 de marzo, 2 noches", None,
     {"adults": 1, "room_type": "single", "check_in": "2027-03-20", "check_out": "2027-03-22"}),
    ("eu e a patroa, do dia 10 ao 13 de abril", None, {"adults": 2, "check_in": "2027-04-10", "check_out": "2027-04-13"}),
    ("good morning, we are couple, we wish reserve room 1 to 5 may", None, {"adults": 2, "check_in": "2027-05-01"}),
    ("quanto ta a diaria pro casal dia 20 e 21?", None, {"adults": 2, "check_in": "2027-03-20", "check_out": "2027-03-22"}),
    ("boa noite, quero reservar pra daqui 15 dias, 2 noites, casal", None,
     {"adults": 2, "check_in": "2027-03-25", "check_out": "2027-03-27"}),
    ("vamos los 3, mi marido, mi hija de 10 años y yo", None, {"adults": 2, "children": 1}),
    ("quero um quarto familia pra mim, minha esposa e nossos gêmeos de 5 anos", None, {"adults": 2, "children": 2}),
    ("somos 3 + un bebé", None, {"adults": 3, "children": 1}),
    ("me and the wife and our 2 kids, 14-17 april", None,
     {"adults": 2, "children": 2, "check_in": "2027-04-14", "check_out": "2027-04-17"}),
    ("somos 2+1", None, {"adults": 2, "children": 1}),
    ("a las 5 llegamos", None, {"adults": None}),
    ("mejor del 6 al 9 de abril", None, {"adults": None, "check_in": "2027-04-06", "check_out": "2027-04-09"}),
    ("hola che, tienen lugar de hoy a sábado? vamos mi esposa y yo", None,
     {"check_in": "2027-03-10", "check_out": "2027-03-13", "adults": 2}),
    ("room for 2, arriving sat leaving mon", None, {"check_in": "2027-03-13", "check_out": "2027-03-15"}),
    ("q onda, tienen cuartos disponibles pal 15?", None, {"check_in": "2027-03-15"}),
    ("oi! vcs tem vaga pra semana que vem de seg a qua?", None, {"check_in": "2027-03-15", "check_out": "2027-03-17"}),
    ("de quarta a sábado", None, {"check_in": "2027-03-17", "check_out": "2027-03-20"}),
    ("del jueves santo al domingo, somos 2", None, {"check_in": "2027-03-25", "check_out": "2027-03-28"}),
    ("good friday to easter monday", None, {"check_in": "2027-03-26", "check_out": "2027-03-29"}),
    ("queremos passar o fds do dia 19 com vcs", None, {"check_in": "2027-03-19", "check_out": "2027-03-21"}),
    ("hi, yesterday I asked about a room for the 20th to the 22nd", None,
     {"check_in": "2027-03-20", "check_out": "2027-03-22", "flag": "-past_date"}),
    ("quiero reservar para ayer", None, {"flag": "past_date"}),
    ("quero reservar para ontem", None, {"flag": "past_date"}),
    ("book me in 5/4 to 5/8", "+12125551234", {"check_in": "2027-05-04", "check_out": "2027-05-08"}),
    ("book me in 5/4 to 8/4", "+12125551234", {"check_in": "2027-04-05", "check_out": "2027-04-08"}),
    ("book me in 5/4 to 8/4", "+447700900123", {"check_in": "2027-04-05", "check_out": "2027-04-08"}),
    ("las noches del 12 y 13 de abril", None, {"check_in": "2027-04-12", "check_out": "2027-04-14"}),
    ("de hoje a sábado", None, {"check_in": "2027-03-10", "check_out": "2027-03-13"}),
    ("del 3 al 5 del mes que viene", None, {"check_in": "2027-04-03", "check_out": "2027-04-05"}),
    ("Juan Carlos de la Cruz Mendoza, jc@gmail.com", None,
     {"guest_name": "Juan Carlos de la Cruz Mendoza", "email": "jc@gmail.com"}),
    ("nombre: Carlos, apellidos: Pérez Gil", None, {"guest_name": "Carlos Pérez Gil"}),
    ("me llamo Ana y mi apellido es Gómez", None, {"guest_name": "Ana Gómez"}),
    ("sou a Ana Souza, ana.souza@gmail.com", None, {"guest_name": "Ana Souza", "email": "ana.souza@gmail.com"}),
    ("Chamo-me Maria da Conceição Ferreira", None, {"guest_name": "Maria da Conceição Ferreira"}),
    ("solo yo", None, {"lang": "es", "adults": 1}),
    ("ok", "+34611223344", {"lang": "es"}),
    ("ok", "+5511987654321", {"lang": "pt"}),
    ("ok", "+447700900123", {"lang": "en"}),
    ("obrigado", None, {"lang": "pt"}),
    ("Goedemiddag, heeft u een kamer vrij voor twee personen?", None, {"flag": "foreign:nl"}),
    ("Guten Tag, haben Sie ein Zimmer frei?", None, {"flag": "foreign:de"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "phone", "want"), MESSAGES, ids=[m[0][:40] for m in MESSAGES])
def test_single_message(
    understander: Understander, text: str, phone: str | None, want: dict[str, Any]
) -> None:
    u = understander.understand(text, today=TODAY, phone=phone, fallback_lang=phone_language(phone))
    got = {**u.entities, "lang": u.lang}
    for key, value in want.items():
        if key == "flag":
            assert (value.lstrip("-") in u.flags) != value.startswith("-"), (u.flags, got)
        elif key == "guest_name":
            assert fold(str(got.get(key))) == fold(value), got
        else:
            assert got.get(key) == value, (key, got)


@pytest.mark.parametrize(
    ("lang", "text", "phone", "want"),
    [
        ("es", "che, ¿cuánto sale la noche?", None, "es-419"),
        ("es", "qué onda, cuánto cuesta el cuarto", None, "es-419"),
        ("es", "ustedes tienen cuartos libres?", None, "es-419"),
        ("es", "tenéis habitaciones libres?", None, "es-ES"),
        ("es", "hola", "+573001234567", "es-419"),
        ("pt", "oi, vocês têm café da manhã", None, "pt-BR"),
        ("pt", "estou a procurar um quarto", None, "pt-PT"),
        ("pt", "ola", "+5511987654321", "pt-BR"),
    ],
)
def test_variety(lang: str, text: str, phone: str | None, want: str) -> None:
    assert variety(lang, text, phone) == want
