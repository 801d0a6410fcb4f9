"""Finding known phrases in what owners type, tolerant of small typos.

Used where the words are a closed list (yes/no to an offer, "no preference", the topic of a
correction); diagnostic answers are read by the trained reader instead.
"""

from typing import Iterable, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz

from bot.language.text import normalize

DONT_KNOW_PHRASES = (
    "je ne sais pas",
    "je sais pas",
    "sais pas",
    "ne sais pas",
    "aucune idee",
    "pas d idee",
    "je ne suis pas sur",
    "pas sur",
    "pas sure",
    "je ne saurais pas dire",
    "je ne me rends pas compte",
    "bonne question",
    "ne sait pas",
    "nsp",
    "idk",
    "sans idee",
)
NEGATIONS = {"pas", "sans", "aucun", "aucune", "ni", "jamais", "plus", "non"}
IGNORED = "_ignored"


def _find_keyword(words: List[str], used: List[bool], keyword: List[str], first: int = 0) -> Optional[int]:
    """Start index, from `first` on, of the keyword as consecutive unused words (long keywords
    tolerate typos)."""
    size = len(keyword)
    target = " ".join(keyword)
    for start in range(first, len(words) - size + 1):
        if any(used[start : start + size]):
            continue
        window = " ".join(words[start : start + size])
        if window == target or (len(target) >= 6 and fuzz.ratio(window, target) >= 88):
            return start
    return None


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
        start = 0
        while True:
            # Each search goes on after the previous match: one pass over the words per keyword.
            found = _find_keyword(words, used, keyword, start)
            if found is None:
                break
            start = found
            for index in range(start, start + len(keyword)):
                used[index] = True
            negated = negation_aware and any(word in NEGATIONS for word in words[max(0, start - 3) : start])
            if not negated and name != IGNORED and name not in matched:
                matched.append(name)
            start += len(keyword)
    return matched
