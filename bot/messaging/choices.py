"""Reading an owner's reply against the choices last offered in the conversation.

On a platform where buttons are numbered lines, or too short to show a whole option, owners
answer "2", "le 2", "n°2", "la deuxième" or type the option's words, often with a slip. A reply
that is clearly one choice is read as that choice's payload, exactly as a click; anything else
(None) goes on to the NLU unchanged. In particular several numbers ("1 et 3", "les deux") are
not one choice: the diagnostic's own reader (bot/diagnostic/answers.py) reads them.
"""

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from rapidfuzz.distance import Levenshtein

from bot.language.text import normalize

KEY_PREFIX = "c:"


@dataclass(frozen=True)
class Choice:
    """One option as offered: its number in the message, full title and payload.

    `key` is what the platform sends back when the option is tapped (a WhatsApp button or row
    id, Telegram callback data, a Messenger quick reply payload): the payload itself when it
    fits, else the short key "c:<number>". `label` is the title as shown on the button, maybe
    shortened ("Un budget…").
    """

    number: int
    title: str
    payload: str
    key: str
    label: str


def short_key(number: int) -> str:
    return f"{KEY_PREFIX}{number}"


_WORD_NUMBERS: Dict[str, int] = {
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
}
_ORDINALS: Dict[str, int] = {
    "premier": 1,
    "premiere": 1,
    "second": 2,
    "seconde": 2,
    "deuxieme": 2,
    "troisieme": 3,
    "quatrieme": 4,
    "cinquieme": 5,
    "sixieme": 6,
    "septieme": 7,
    "huitieme": 8,
    "neuvieme": 9,
    "dixieme": 10,
    "onzieme": 11,
    "douzieme": 12,
    "treizieme": 13,
    "quatorzieme": 14,
    "quinzieme": 15,
    "seizieme": 16,
}
_LAST = frozenset({"dernier", "derniere"})

# One choice named by its number, the whole reply (after bot.language.text.normalize):
# "2", "le 2", "n 2" (n°2), "la 2eme", "choix 3", "c est le 2", "la deuxieme svp".
_NUMBER_REPLY = re.compile(
    r"(?:(?:c est|je prends|je choisis|plutot)\s+)?"
    r"(?:(?:le|la|l)\s+)?"
    r"(?:(?:choix|reponse|option|proposition|numero|num|no|n)\s+)?"
    r"(?P<ref>\d{1,2}(?:e|eme|ieme|er|ere|re|nd|nde)?|[a-z]+)"
    r"(?:\s+(?:svp|stp|merci|s il vous plait|s il te plait))?"
)
_DIGITS = re.compile(r"\d+")
# Words that turn an option into its opposite: a typed answer must agree on them all.
_POLARITY = frozenset({"non", "pas", "oui", "jamais", "aucun", "aucune", "ni", "sans", "plus", "ne", "n", "rien"})


def number_of(reply: str, count: int) -> Optional[int]:
    """The one choice number (1..count) the reply names, else None.

    "2", "le 2", "n°2", "2.", "deux", "la deuxième", "le dernier" -> 2 (of 2); "1 et 3",
    "les deux" or a number beyond the choices -> None.
    """
    match = _NUMBER_REPLY.fullmatch(normalize(reply))
    if match is None:
        return None
    ref = match.group("ref")
    number: Optional[int]
    digits = _DIGITS.match(ref)
    if digits is not None:
        number = int(digits.group())
    elif ref in _LAST:
        number = count
    else:
        number = _WORD_NUMBERS.get(ref, _ORDINALS.get(ref))
    if number is None or not 1 <= number <= count:
        return None
    return number


def _edit_budget(size: int) -> int:
    """Typing slips allowed in an option of `size` characters: none in a short word."""
    if size < 5:
        return 0
    if size < 10:
        return 1
    if size < 20:
        return 2
    return 3


def _distance(reply: str, option: str) -> Optional[int]:
    """Edits between a typed reply and an option (both normalised), None if they differ in kind.

    The reply must name the same figures ("30 Mb/s" is not "8 Mb/s") and the same yes, no and
    negation words ("pas un site internet" is not "un site internet").
    """
    if _DIGITS.findall(reply) != _DIGITS.findall(option):
        return None
    if set(reply.split()) & _POLARITY != set(option.split()) & _POLARITY:
        return None
    return min(
        Levenshtein.distance(reply, option),
        Levenshtein.distance(reply.replace(" ", ""), option.replace(" ", "")),
    )


def _by_words(reply: str, choices: Sequence[Choice]) -> Optional[Choice]:
    typed = normalize(reply)
    if not typed:
        return None
    exact = [choice for choice in choices if typed in {normalize(choice.title), normalize(choice.label)}]
    if exact:
        return exact[0] if len(exact) == 1 else None  # two options that read the same: neither
    near: List[Tuple[int, Choice]] = []
    for choice in choices:
        option = normalize(choice.title)
        distance = _distance(typed, option)
        if distance is not None and distance <= _edit_budget(len(option)):
            near.append((distance, choice))
    near.sort(key=lambda pair: pair[0])
    if not near or (len(near) > 1 and near[1][0] == near[0][0]):
        return None
    return near[0][1]


def read_choice(reply: str, choices: Sequence[Choice]) -> Optional[str]:
    """The payload of the one choice the reply names, else None (the reply goes to the NLU).

    In order: a button's key or payload sent back by the platform, exactly; a choice number
    ("2", "le 2", "la deuxième"); the option's words, typed with or without accents, in any
    case, with a slip or two.
    """
    if not choices or not reply or not reply.strip():
        return None
    raw = reply.strip()
    for choice in choices:
        if raw == choice.key:
            return choice.payload
    for choice in choices:
        if raw == choice.payload:
            return choice.payload
    number = number_of(raw, len(choices))
    if number is not None:
        return sorted(choices, key=lambda choice: choice.number)[number - 1].payload
    chosen = _by_words(raw, choices)
    return chosen.payload if chosen is not None else None
