"""The catalogue of resources (SPEC section 6), loaded from bot/data/catalogue.yml."""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.datafile import DATA_DIR, DataFileError, check_known, load_yaml, require
from bot.diagnostic.questionnaire import SPEC_CONTRACT
from bot.labels import COSTS, LEVELS, NEEDS

KINDS = ("guide", "mooc", "workshop", "diagnostic", "funding", "directory", "label", "tool", "buyers_guide")
# The ids come with their French names from bot.labels (bot/data/labels.yml).
LEVEL_IDS = LEVELS
STATUSES = ("active", "closed", "unverified")
NEED_INTENTS = NEEDS  # SPEC section 2, the need_* intents


@dataclass(frozen=True)
class BuyersGuide:
    provider: str
    ask: Tuple[str, ...]
    compare: Tuple[str, ...]
    warning_signs: Tuple[str, ...]
    related: Tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    organisation: str
    kind: str
    url: Optional[str]
    description: str
    why: str
    dimensions: Tuple[str, ...]
    levels: Tuple[str, ...]
    format: str
    duration: str
    cost: str
    status: str
    cost_note: Optional[str] = None
    region: Optional[str] = None
    guide: Optional[BuyersGuide] = None

    @property
    def recommendable(self) -> bool:
        """Closed schemes and unverified ones are never put forward."""
        return self.status == "active"


@dataclass(frozen=True)
class NeedTopic:
    """A narrower subject of a need ("factures" within management tools)."""

    id: str
    words: Tuple[str, ...]
    advice: str
    entries: Tuple[str, ...]
    guide: Optional[str] = None


@dataclass(frozen=True)
class Need:
    intent: str
    intro: str
    entries: Tuple[str, ...]
    topics: Tuple[NeedTopic, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    entries: Tuple[Entry, ...]
    needs: Dict[str, Need] = field(hash=False, compare=False)

    def entry(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    def buyers_guides(self) -> List[Entry]:
        return [entry for entry in self.entries if entry.kind == "buyers_guide"]


def _strings(raw: object, where: str) -> Tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(item, str) and item.strip() for item in raw):
        raise DataFileError(f"{where}: expected a non-empty list of texts")
    return tuple(raw)


def _parse_entry(raw: dict, where: str) -> Entry:
    entry_id = require(raw, "id", where)
    where = f"{where}({entry_id})"
    kind = require(raw, "kind", where)
    check_known([kind], KINDS, f"{where}.kind")
    dimensions = _strings(raw.get("dimensions"), f"{where}.dimensions")
    check_known(dimensions, SPEC_CONTRACT, f"{where}.dimensions")
    levels = _strings(raw.get("levels"), f"{where}.levels")
    check_known(levels, LEVEL_IDS, f"{where}.levels")
    cost = require(raw, "cost", where)
    check_known([cost], COSTS, f"{where}.cost")
    status = require(raw, "status", where)
    check_known([status], STATUSES, f"{where}.status")
    url = raw.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise DataFileError(f"{where}.url: expected an address starting with https:// (found {url!r})")
    guide = None
    if kind == "buyers_guide":
        body = require(raw, "body", where, dict)
        guide = BuyersGuide(
            provider=require(raw, "provider", where),
            ask=_strings(body.get("ask"), f"{where}.body.ask"),
            compare=_strings(body.get("compare"), f"{where}.body.compare"),
            warning_signs=_strings(body.get("warning_signs"), f"{where}.body.warning_signs"),
            related=tuple(body.get("related") or raw.get("related") or ()),
        )
    elif url is None and status == "active":
        raise DataFileError(f"{where}: an active resource needs a url")
    return Entry(
        id=entry_id,
        title=require(raw, "title", where),
        organisation=require(raw, "organisation", where),
        kind=kind,
        url=url,
        description=require(raw, "description", where),
        why=require(raw, "why", where),
        dimensions=dimensions,
        levels=levels,
        format=require(raw, "format", where),
        duration=require(raw, "duration", where),
        cost=cost,
        status=status,
        cost_note=raw.get("cost_note"),
        region=raw.get("region"),
        guide=guide,
    )


def parse_catalogue(content: dict, source: str = "catalogue.yml") -> Catalogue:
    entries = tuple(
        _parse_entry(raw, f"{source}: entries[{index}]")
        for index, raw in enumerate(require(content, "entries", source, list))
    )
    ids = [entry.id for entry in entries]
    duplicates = sorted({entry_id for entry_id in ids if ids.count(entry_id) > 1})
    if duplicates:
        raise DataFileError(f"{source}: duplicate ids {', '.join(duplicates)}")
    for entry in entries:
        if entry.guide:
            for related in entry.guide.related:
                if related not in ids:
                    raise DataFileError(f"{source}: {entry.id}.related names unknown entry '{related}'")
    needs = {}
    raw_needs = require(content, "needs", source, dict)
    for intent in NEED_INTENTS:
        where = f"{source}: needs.{intent}"
        raw = raw_needs.get(intent)
        if raw is None:
            raise DataFileError(f"{where}: missing (every need_* intent of SPEC section 2 needs an answer)")
        need_entries = _strings(raw.get("entries"), f"{where}.entries")
        for entry_id in need_entries:
            if entry_id not in ids:
                raise DataFileError(f"{where}.entries: unknown entry '{entry_id}'")
            if not entries[ids.index(entry_id)].recommendable:
                raise DataFileError(f"{where}.entries: '{entry_id}' is not active and cannot be recommended")
        topics = tuple(
            _parse_topic(raw_topic, f"{where}.topics[{index}]", entries, ids)
            for index, raw_topic in enumerate(raw.get("topics") or [])
        )
        needs[intent] = Need(intent=intent, intro=require(raw, "intro", where), entries=need_entries, topics=topics)
    unknown = sorted(set(raw_needs) - set(NEED_INTENTS))
    if unknown:
        raise DataFileError(f"{source}: needs names unknown intents {', '.join(unknown)}")
    return Catalogue(entries=entries, needs=needs)


def _parse_topic(raw: dict, where: str, entries: Tuple[Entry, ...], ids: List[str]) -> NeedTopic:
    topic_entries = _strings(require(raw, "entries", where, list), f"{where}.entries")
    guide = raw.get("guide")
    for entry_id in topic_entries + ((guide,) if guide else ()):
        if entry_id not in ids:
            raise DataFileError(f"{where}: unknown entry '{entry_id}'")
        if not entries[ids.index(entry_id)].recommendable:
            raise DataFileError(f"{where}: '{entry_id}' is not active and cannot be recommended")
    if guide and entries[ids.index(guide)].kind != "buyers_guide":
        raise DataFileError(f"{where}.guide: '{guide}' is not a buyer's guide")
    return NeedTopic(
        id=require(raw, "id", where),
        words=_strings(require(raw, "words", where, list), f"{where}.words"),
        advice=require(raw, "advice", where),
        entries=topic_entries,
        guide=guide,
    )


@lru_cache(maxsize=4)
def load_catalogue(path: Path = DATA_DIR / "catalogue.yml") -> Catalogue:
    return parse_catalogue(load_yaml(path), source=str(path))
