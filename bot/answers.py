"""Reading a free-text (or button) answer to a diagnostic question as option ids.

The rule is SPEC section 4: map the text to an option, ask a short clarifying question
when the answer is ambiguous, and never store an answer the owner did not give.
"""
import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Set, Tuple, Union

from rapidfuzz import fuzz

from bot.entities import find_in_text
from bot.questionnaire import DONT_KNOW, Question
from bot.text import normalize

ANSWER = "answer"
AMBIGUOUS = "ambiguous"
NOT_UNDERSTOOD = "not_understood"

DONT_KNOW_LABEL = "Je ne sais pas"
NONE_LABEL = "Aucun de ceux-là"
DONT_KNOW_PHRASES = (
    "je ne sais pas", "je sais pas", "sais pas", "ne sais pas", "aucune idee", "pas d idee",
    "je ne suis pas sur", "pas sur", "pas sure", "je ne saurais pas dire", "aucune idee",
    "je ne me rends pas compte", "bonne question", "ne sait pas", "nsp", "idk", "sans idee",
)
DEFAULT_NONE_KEYWORDS = ("aucun", "aucune", "rien", "rien de tout ca", "aucun de ceux la", "non aucun", "non rien", "nada", "que dalle")
DEFAULT_ALL_KEYWORDS = ("tous", "toutes", "tout", "tout ca", "les trois", "les 3", "tous les trois", "l ensemble", "tout a la fois", "un peu tout")
NEGATIONS = {"pas", "sans", "aucun", "aucune", "ni", "jamais", "plus", "non"}
# Readings of a connection speed written in figures: "8 mega", "100 Mb/s", "1 giga".
# "4g"/"5g" are mobile networks, not speeds: a bare "g" or "m" is not read as a unit.
SPEED = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(mb|mbs|mbps|mbit|mbits|mega|megas|mo|gb|gbs|gbps|giga|gigas|go)\b")

Value = Union[str, List[str]]


@dataclass(frozen=True)
class Interpretation:
    kind: str
    value: Optional[Value] = None
    candidates: Tuple[str, ...] = field(default_factory=tuple)

    @property
    def understood(self) -> bool:
        return self.kind == ANSWER


def _not_understood() -> Interpretation:
    return Interpretation(NOT_UNDERSTOOD)


def _find_keyword(words: List[str], used: List[bool], keyword: List[str]) -> Optional[int]:
    """Start index of the keyword as consecutive unused words (long keywords tolerate typos)."""
    size = len(keyword)
    target = " ".join(keyword)
    for start in range(0, len(words) - size + 1):
        if any(used[start:start + size]):
            continue
        window = " ".join(words[start:start + size])
        if window == target or (len(target) >= 6 and fuzz.ratio(window, target) >= 88):
            return start
    return None


IGNORED = "_ignored"
DESCRIBED_NONE = "_described_none"  # multi-choice: "le même mot de passe partout" means none


def match_keywords(text: str, groups: Sequence[Tuple[str, Iterable[str]]], negation_aware: bool = False) -> List[str]:
    """Names of the groups whose keywords occur in the text, longest keywords first.

    A matched stretch of words is consumed, so "pas de sauvegarde" (one group) hides the
    "sauvegarde" of another. With negation_aware, a keyword right after "pas", "sans"…
    is consumed but does not count.
    """
    words = normalize(text).split()
    used = [False] * len(words)
    ordered = sorted(
        ((normalize(keyword).split(), name) for name, keywords in groups for keyword in keywords),
        key=lambda item: -len(" ".join(item[0])),
    )
    matched: List[str] = []
    for keyword, name in ordered:
        if not keyword:
            continue
        while True:
            start = _find_keyword(words, used, keyword)
            if start is None:
                break
            for index in range(start, start + len(keyword)):
                used[index] = True
            negated = negation_aware and any(word in NEGATIONS for word in words[max(0, start - 3):start])
            if not negated and name != IGNORED and name not in matched:
                matched.append(name)
    return matched


def _numbers_as_choices(text: str, count: int) -> Optional[List[int]]:
    """ "2" or "1 et 3" or "1,3" -> [2] / [1, 3] when the text is only choice numbers."""
    norm = normalize(text)
    if not re.fullmatch(r"(\d+)((\s|et|,|\+|puis)+\d+)*", norm.replace(",", " ")):
        return None
    numbers = [int(number) for number in re.findall(r"\d+", norm)]
    if not numbers or any(number < 1 or number > count for number in numbers):
        return None
    return sorted(set(numbers))


def _connection_from_speed(text: str) -> Optional[str]:
    match = SPEED.search(normalize(text).replace(" s ", " "))
    if not match:
        return None
    amount = float(match.group(1).replace(",", "."))
    unit = match.group(2)
    mbps = amount * 1000 if unit.startswith("g") else amount
    if mbps <= 0:
        return None
    return "fast" if mbps >= 30 else "slow"


CONNECTION_TYPES = {"none": "none", "mobile": "mobile_only", "adsl": "slow", "fiber": "fast", "cable": "fast"}


def _is_dont_know(text: str, intent: Optional[str]) -> bool:
    norm = normalize(text)
    return intent == DONT_KNOW or any(re.search(rf"\b{phrase}\b", norm) for phrase in DONT_KNOW_PHRASES)


def _label_match(question: Question, text: str) -> Optional[Value]:
    norm = normalize(text)
    if norm == normalize(DONT_KNOW_LABEL):
        return DONT_KNOW
    if question.is_multi and norm == normalize(NONE_LABEL):
        return []
    for option in question.options:
        if norm == normalize(option.label):
            return _complete_multi(question, [option.id]) if question.is_multi else option.id
    return None


def _complete_multi(question: Question, chosen: Iterable[str]) -> List[str]:
    """Orders the chosen options as in the question; several networks imply one network."""
    chosen: Set[str] = set(chosen)
    if "several_social_networks" in chosen:
        chosen.add("social_network")
    return [option_id for option_id in question.option_ids if option_id in chosen]


def interpret(
    question: Question,
    text: str,
    intent: Optional[str] = None,
    entities: Sequence[dict] = (),
) -> Interpretation:
    """Reads the owner's answer to one question.

    intent and entities are what the NLU understood of the same message; they help with
    "oui"/"non"/"je ne sais pas" and with entity values such as connection types.
    """
    if not normalize(text):
        return _not_understood()
    by_label = _label_match(question, text)
    if by_label is not None:
        return Interpretation(ANSWER, by_label)
    numbers = _numbers_as_choices(text, len(question.options))
    if numbers is not None:
        chosen = [question.options[number - 1].id for number in numbers]
        if question.is_multi:
            return Interpretation(ANSWER, _complete_multi(question, chosen))
        if len(chosen) == 1:
            return Interpretation(ANSWER, chosen[0])
        return Interpretation(AMBIGUOUS, candidates=tuple(chosen))
    if question.is_multi:
        return _interpret_multi(question, text, intent, entities)
    return _interpret_single(question, text, intent, entities)


def _interpret_single(question: Question, text: str, intent: Optional[str], entities: Sequence[dict]) -> Interpretation:
    groups = [(option.id, option.keywords) for option in question.options] + [
        (IGNORED, question.ignore_keywords), (DONT_KNOW, DONT_KNOW_PHRASES)]
    # "je ne sais pas" phrases take part in the matching so that "aucune idée" is not
    # read as the "aucune" of an option; an option named as well wins over them.
    matched = [name for name in match_keywords(text, groups) if name != DONT_KNOW]
    if question.id == "q_connection":
        for extra in (_connection_from_speed(text),) + tuple(
            CONNECTION_TYPES.get(entity.get("value")) for entity in entities if entity.get("entity") == "connection_type"
        ):
            if extra and extra not in matched:
                matched.append(extra)
    if len(matched) == 1:
        return Interpretation(ANSWER, matched[0])
    if len(matched) > 1:
        ordered = tuple(option_id for option_id in question.option_ids if option_id in matched)
        return Interpretation(AMBIGUOUS, candidates=ordered)
    if _is_dont_know(text, intent):
        return Interpretation(ANSWER, DONT_KNOW)
    if intent == "affirm" or match_keywords(text, [("yes", ("oui", "ouais", "yes", "bien sur", "evidemment", "tout a fait"))]):
        if question.yes:
            return Interpretation(ANSWER, question.yes)
        positive = tuple(option_id for option_id in question.option_ids if option_id != question.no)
        return Interpretation(AMBIGUOUS, candidates=positive)
    if intent == "deny" or match_keywords(text, [("no", ("non", "nan", "pas du tout", "nope"))]):
        if question.no:
            return Interpretation(ANSWER, question.no)
    return _not_understood()


def _interpret_multi(question: Question, text: str, intent: Optional[str], entities: Sequence[dict]) -> Interpretation:
    groups = [(option.id, option.keywords) for option in question.options] + [
        (DESCRIBED_NONE, question.ignore_keywords), (DONT_KNOW, DONT_KNOW_PHRASES)]
    matched = [name for name in match_keywords(text, groups, negation_aware=True) if name != DONT_KNOW]
    described_none = DESCRIBED_NONE in matched
    matched = [name for name in matched if name != DESCRIBED_NONE]
    if question.id == "q_online_presence":
        networks = {found.value for found in find_in_text("social_network", text)}
        networks |= {entity.get("value") for entity in entities if entity.get("entity") == "social_network"}
        listing = "google_business" in networks
        networks.discard("google_business")
        if listing and "business_listing" not in matched:
            matched.append("business_listing")
        if networks and "social_network" not in matched:
            matched.append("social_network")
        if len(networks) >= 2:
            matched.append("several_social_networks")
    if matched:
        return Interpretation(ANSWER, _complete_multi(question, matched))
    if described_none:
        return Interpretation(ANSWER, [])
    if _is_dont_know(text, intent):
        return Interpretation(ANSWER, DONT_KNOW)
    all_keywords = question.all_keywords or DEFAULT_ALL_KEYWORDS
    none_keywords = question.none_keywords or DEFAULT_NONE_KEYWORDS
    special = match_keywords(text, [("all", all_keywords), ("none", none_keywords)])
    if special == ["all"]:
        return Interpretation(ANSWER, _complete_multi(question, question.option_ids))
    if special == ["none"]:
        return Interpretation(ANSWER, [])
    if intent == "deny" or match_keywords(text, [("no", ("non", "nan", "pas du tout", "nope"))]):
        return Interpretation(ANSWER, [])
    if intent == "affirm":
        return Interpretation(AMBIGUOUS, candidates=tuple(question.option_ids))
    return _not_understood()
