"""Choosing catalogue entries for an owner (SPEC section 6)."""

from dataclasses import dataclass
from typing import Iterable, List, Optional

from bot.advice.catalogue import Catalogue, Entry, Need, NeedTopic
from bot.diagnostic.scoring import LEVELS, DiagnosticResult
from bot.language.keywords import match_keywords
from bot.language.text import normalize

KIND_PREFERENCE = ("guide", "diagnostic", "mooc", "tool", "workshop", "label", "buyers_guide", "funding", "directory")
LEVEL_ORDER = [level for _, level in LEVELS]


@dataclass(frozen=True)
class Recommendation:
    entry: Entry
    dimension: str


def _serves_region(entry: Entry, location: Optional[str]) -> bool:
    if not entry.region:
        return True
    return bool(location and normalize(entry.region) in normalize(location))


def _rank(entry: Entry, dimension: str, level: str) -> tuple:
    level_distance = min(abs(LEVEL_ORDER.index(level) - LEVEL_ORDER.index(other)) for other in entry.levels)
    return (
        level_distance,
        0 if entry.dimensions[0] == dimension else 1,
        0 if entry.cost == "free" else 1,
        KIND_PREFERENCE.index(entry.kind),
    )


def candidates_for(catalogue: Catalogue, dimension: str, level: str, location: Optional[str] = None) -> List[Entry]:
    """Active entries serving a dimension, the best fit for the level first."""
    fitting = [
        entry
        for entry in catalogue.entries
        if entry.recommendable and dimension in entry.dimensions and _serves_region(entry, location)
    ]
    return sorted(fitting, key=lambda entry: _rank(entry, dimension, level))


def recommend(
    catalogue: Catalogue,
    result: DiagnosticResult,
    already_shown: Iterable[str] = (),
    limit: int = 3,
    location: Optional[str] = None,
) -> List[Recommendation]:
    """At most `limit` entries, weakest dimensions first, one per dimension per round."""
    order = sorted(result.dimension_scores, key=lambda dimension: result.dimension_scores[dimension])
    order = result.weakest + [dimension for dimension in order if dimension not in result.weakest]
    shown = set(already_shown)
    chosen: List[Recommendation] = []
    queues = {dimension: candidates_for(catalogue, dimension, result.level, location) for dimension in order}
    while len(chosen) < limit and any(queues.values()):
        for dimension in order:
            queue = queues[dimension]
            while queue and queue[0].id in shown:
                queue.pop(0)
            if queue and len(chosen) < limit:
                entry = queue.pop(0)
                shown.add(entry.id)
                chosen.append(Recommendation(entry, dimension))
    return chosen


@dataclass(frozen=True)
class NeedAnswer:
    """What to tell an owner who states a need: short advice and one resource now; a
    buyer's guide and more resources behind buttons."""

    intent: str
    topic: Optional[str]
    advice: str
    resource: Optional[Entry]
    guide: Optional[Entry]
    more: List[Entry]


def topic_of(need: Need, text: str) -> Optional[NeedTopic]:
    """The narrower subject the message names ("mes factures" → invoicing), if any."""
    found = match_keywords(text, [(topic.id, topic.words) for topic in need.topics])
    return next((topic for topic in need.topics if topic.id == found[0]), None) if found else None


def answer_need(
    catalogue: Catalogue, intent: str, text: str = "", location: Optional[str] = None, topic_id: Optional[str] = None
) -> NeedAnswer:
    need = catalogue.needs[intent]
    topic = next((item for item in need.topics if item.id == topic_id), None) if topic_id else topic_of(need, text)
    ids = list(dict.fromkeys((topic.entries if topic else ()) + need.entries))
    entries = [catalogue.entry(entry_id) for entry_id in ids]
    guide_id = (
        topic.guide
        if topic and topic.guide
        else next((entry.id for entry in entries if entry.kind == "buyers_guide"), None)
    )
    resources = [entry for entry in entries if entry.kind != "buyers_guide" and _serves_region(entry, location)]
    return NeedAnswer(
        intent=intent,
        topic=topic.id if topic else None,
        advice=topic.advice if topic else need.intro,
        resource=resources[0] if resources else None,
        guide=catalogue.entry(guide_id) if guide_id else None,
        more=resources[1:3],
    )
