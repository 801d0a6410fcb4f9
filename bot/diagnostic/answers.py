"""Reading a free-text (or button) answer to a diagnostic question as option ids.

The rule is SPEC section 4: map the text to an option, ask a short clarifying question
when the answer is ambiguous, and never store an answer the owner did not give.

Exact rules come first, for what is certain: a button's title or payload, option numbers
("1 et 3"), a connection speed in Mb/s, a bare "oui"/"non" where the question says what it
means, the social networks named. Everything else is read by the trained reader
(bot/diagnostic/answer_reader.py), whose probabilities decide between storing, clarifying between the
two options that compete, and asking again.
"""

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Set, Tuple, Union

from bot.diagnostic.answer_reader import NONE_OF_THEM, NOT_AN_ANSWER, SOME, AnswerReader, Reading, load_reader
from bot.diagnostic.questionnaire import DONT_KNOW, Question
from bot.language.entities import find_in_text
from bot.language.text import normalize
from bot.messages import message

ANSWER = "answer"
AMBIGUOUS = "ambiguous"
NOT_UNDERSTOOD = "not_understood"

# The two buttons every question has besides its options (messages file, `buttons`).
DONT_KNOW_LABEL = message("buttons.dont_know")
NONE_LABEL = message("buttons.none_of_these")
# Probability above which the reader's top reading is stored as the answer.
STORE_THRESHOLD = 0.4
# Two options compete when together they hold this much and the second this much alone.
PAIR_THRESHOLD = 0.6
SECOND_THRESHOLD = 0.2
# A single-choice answer that hesitates between two options ("papier ou excel, ça dépend")
# is clarified when the second option holds at least this much.
MIXED_SECOND_THRESHOLD = 0.15
ALTERNATIVE = re.compile(r"\b(ou|ou bien|soit|ca depend|selon les|des fois|tantot)\b")
# An answer must be made mostly of words met in the examples (typos allowed): random keys
# can otherwise look like an option to character n-grams.
KNOWN_WORDS_SHARE = 0.5
# A multiple-choice option is chosen above this probability.
OPTION_THRESHOLD = 0.5
YES_WORDS = frozenset({"oui", "ouais", "ouaip", "yes", "yep", "ok", "oui oui", "bien sur", "tout a fait", "absolument"})
NO_WORDS = frozenset({"non", "nan", "nope", "no", "non non", "pas du tout", "non merci", "du tout"})
# Readings of a connection speed written in figures: "8 mega", "100 Mb/s", "1 giga".
# "4g"/"5g" are mobile networks, not speeds: a bare "g" or "m" is not read as a unit; "go"
# and "mo" are volumes of data ("un forfait 100 go"), not speeds either.
SPEED = re.compile(
    r"\b(?:(moins de|en dessous de|sous les|inferieur a|pas plus de)\s+)?"
    r"(\d+(?:[.,]\d+)?)\s*(mb|mbs|mbps|mbit|mbits|mega|megas|gb|gbs|gbps|giga|gigas)\b"
)
NEGATED_BEFORE = re.compile(r"\b(pas|plus|sans|ni|aucun|aucune|jamais)\b(\s+\w+){0,2}\s*$")

Value = Union[str, List[str]]


@dataclass(frozen=True)
class Interpretation:
    kind: str
    value: Optional[Value] = None
    candidates: Tuple[str, ...] = field(default_factory=tuple)
    confidence: float = 1.0  # 1.0 for an exact rule; the reader's probability otherwise

    @property
    def understood(self) -> bool:
        return self.kind == ANSWER


def _not_understood(confidence: float = 0.0) -> Interpretation:
    return Interpretation(NOT_UNDERSTOOD, confidence=confidence)


def _numbers_as_choices(text: str, count: int) -> Optional[List[int]]:
    """ "2" or "1 et 3" or "1,3" -> [2] / [1, 3] when the text is only choice numbers."""
    norm = normalize(text)
    if not re.fullmatch(r"(\d+)((\s|et|,|\+|puis)+\d+)*", norm.replace(",", " ")):
        return None
    numbers = [int(number) for number in re.findall(r"\d+", norm)]
    if not numbers or any(number < 1 or number > count for number in numbers):
        return None
    return sorted(set(numbers))


def connection_from_speed(text: str) -> Optional[str]:
    match = SPEED.search(normalize(text).replace(" s ", " "))
    if not match:
        return None
    below, amount, unit = match.group(1), float(match.group(2).replace(",", ".")), match.group(3)
    mbps = amount * 1000 if unit.startswith("g") else amount
    if mbps <= 0:
        return None
    if below:  # "moins de 30 mega" is slow; "moins de 100 mega" could be either
        return "slow" if mbps <= 30 else None
    return "fast" if mbps >= 30 else "slow"


def _label_match(question: Question, text: str) -> Optional[Value]:
    norm = normalize(text)
    if norm == normalize(DONT_KNOW_LABEL):
        return DONT_KNOW
    if question.is_multi and norm == normalize(NONE_LABEL):
        return []
    for option in question.options:
        if norm == normalize(option.label) or norm == normalize(option.id.replace("_", " ")):
            return complete_multi(question, [option.id]) if question.is_multi else option.id
    return None


def complete_multi(question: Question, chosen: Iterable[str]) -> List[str]:
    """Orders the chosen options as in the question; several networks imply one network."""
    selected = set(chosen)
    if "several_social_networks" in selected:
        selected.add("social_network")
    return [option_id for option_id in question.option_ids if option_id in selected]


def is_button(question: Question, text: str) -> bool:
    """True when the text is exactly a button of the question (clicked, not typed)."""
    return _label_match(question, text) is not None or _numbers_as_choices(text, len(question.options)) is not None


def _networks_named(text: str, entities: Sequence[dict]) -> Set[str]:
    """Distinct social networks named and not negated ("pas de tiktok" does not count)."""
    norm = normalize(text)
    named: Set[str] = set()
    for found in find_in_text("social_network", text):
        before = norm[: norm.find(normalize(found.text))] if normalize(found.text) in norm else ""
        if not NEGATED_BEFORE.search(before):
            named.add(found.value)
    named |= {
        entity["value"]
        for entity in entities
        if entity.get("entity") == "social_network" and entity.get("value") is not None
    }
    return named


def interpret(
    question: Question,
    text: str,
    intent: Optional[str] = None,
    entities: Sequence[dict] = (),
    reader: Optional[AnswerReader] = None,
) -> Interpretation:
    """Reads the owner's answer to one question.

    intent and entities are what the NLU understood of the same message; a confident
    "je ne sais pas" intent and entity values such as a connection type help when the
    reader is unsure.
    """
    norm = normalize(text)
    if not norm:
        return _not_understood()
    by_label = _label_match(question, text)
    if by_label is not None:
        return Interpretation(ANSWER, by_label)
    numbers = _numbers_as_choices(text, len(question.options))
    if numbers is not None:
        chosen = [question.options[number - 1].id for number in numbers]
        if question.is_multi:
            return Interpretation(ANSWER, complete_multi(question, chosen))
        if len(chosen) == 1:
            return Interpretation(ANSWER, chosen[0])
        return Interpretation(AMBIGUOUS, candidates=tuple(chosen))
    if norm in NO_WORDS and (question.no or question.is_multi):
        return Interpretation(ANSWER, question.no if not question.is_multi else [])
    if norm in YES_WORDS and question.yes:
        return Interpretation(ANSWER, question.yes)
    reading = (reader or load_reader()).read(question.id, text)
    if reading.known_share < KNOWN_WORDS_SHARE:
        result = _not_understood()
    elif question.is_multi:
        result = _decide_multi(question, reading, text, entities)
    else:
        result = _decide_single(question, reading, text)
    if result.kind == NOT_UNDERSTOOD and intent == DONT_KNOW:
        return Interpretation(ANSWER, DONT_KNOW, confidence=result.confidence)
    if result.kind == NOT_UNDERSTOOD and norm in YES_WORDS:
        positive = tuple(option_id for option_id in question.option_ids if option_id != question.no)
        return Interpretation(
            AMBIGUOUS, candidates=positive[-2:] if not question.is_multi else tuple(question.option_ids)
        )
    return result


def _decide_single(question: Question, reading: Reading, text: str) -> Interpretation:
    if question.id == "q_connection":
        certain = connection_from_speed(text)
        if certain:
            return Interpretation(ANSWER, certain)
    ranked = reading.ranked()
    (top, first), (second, runner_up) = ranked[0], ranked[1]
    if top == NOT_AN_ANSWER:
        return _not_understood(first)
    two_options = top in question.option_ids and second in question.option_ids
    mixed = two_options and runner_up >= MIXED_SECOND_THRESHOLD and bool(ALTERNATIVE.search(normalize(text)))
    torn = (
        two_options
        and first < STORE_THRESHOLD
        and first + runner_up >= PAIR_THRESHOLD
        and runner_up >= SECOND_THRESHOLD
    )
    if mixed or torn:
        ordered = tuple(option_id for option_id in question.option_ids if option_id in (top, second))
        return Interpretation(AMBIGUOUS, candidates=ordered, confidence=first)
    if first >= STORE_THRESHOLD:
        return Interpretation(ANSWER, top, confidence=first)
    return _not_understood(first)


def _decide_multi(question: Question, reading: Reading, text: str, entities: Sequence[dict]) -> Interpretation:
    ranked = reading.ranked()
    top, first = ranked[0]
    if first < STORE_THRESHOLD or top == NOT_AN_ANSWER:
        return _not_understood(first)
    if top == DONT_KNOW:
        return Interpretation(ANSWER, DONT_KNOW, confidence=first)
    if top == NONE_OF_THEM:
        return Interpretation(ANSWER, [], confidence=first)
    assert top == SOME
    chosen = [option_id for option_id, probability in reading.options.items() if probability >= OPTION_THRESHOLD]
    if question.id == "q_online_presence":
        chosen = _networks_rule(chosen, _networks_named(text, entities))
    if not chosen:
        best = max(reading.options, key=lambda option_id: reading.options[option_id])
        if reading.options[best] < OPTION_THRESHOLD / 2:
            return _not_understood(first)
        chosen = [best]
    return Interpretation(ANSWER, complete_multi(question, chosen), confidence=first)


def _networks_rule(chosen: List[str], networks: Set[str]) -> List[str]:
    """The networks named decide between one and several; a Google listing is a listing."""
    selected = set(chosen)
    if "google_business" in networks:
        selected.add("business_listing")
        networks = networks - {"google_business"}
    if networks:
        selected.add("social_network")
        if len(networks) >= 2:
            selected.add("several_social_networks")
        elif "several_social_networks" in selected and len(networks) == 1:
            selected.discard("several_social_networks")
    return sorted(selected)


# What the owner reads back after a typed answer ("Noté : …"), so a misreading shows.
def noted_text(question: Question, value: Value) -> str:
    if value == DONT_KNOW:
        return message("diagnostic.noted_dont_know")
    if isinstance(value, list):
        if not value:
            return message("diagnostic.noted", answer=question.noted_none)
        parts = [
            question.option(option_id).noted
            for option_id in value
            if not (option_id == "social_network" and "several_social_networks" in value)
        ]
        return message("diagnostic.noted", answer=_join(parts))
    return message("diagnostic.noted", answer=question.option(value).noted)


def _join(parts: List[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]
