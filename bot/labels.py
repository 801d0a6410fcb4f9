"""The French names of the assistant's identifiers, from bot/data/labels.yml.

One registry for what people read instead of an id: sectors, maturity levels, dimensions,
needs, costs, handover reasons, ticket statuses and ticket events, channels, and for the
deployer's dashboard the size bands of companies and the objections owners raise. The Python code reads it
here; the advisor console fetches it from the server as JSON (`as_json`). The ids of each
list are the contract below (SPEC sections 2 to 7): loading fails, naming the list and the
id, when the file misses one or adds one.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, Mapping, Optional, Tuple

from bot.datafile import DATA_DIR, DataFileError, load_yaml

LABELS_FILE = DATA_DIR / "labels.yml"

SECTORS = (  # SPEC section 2, entity `sector`
    "retail",
    "food_service",
    "crafts",
    "construction",
    "services",
    "health",
    "agriculture",
    "industry",
    "tourism",
    "other",
)
LEVELS = ("basic", "intermediate", "advanced", "leader")  # SPEC section 5, `maturity_level`
DIMENSIONS = (  # SPEC section 4, in the questionnaire's order
    "strategy",
    "infrastructure",
    "online_presence",
    "management",
    "security",
    "skills",
    "automation_ai",
)
NEEDS = (  # SPEC section 2, the need_* intents
    "need_online_sales",
    "need_visibility",
    "need_cybersecurity",
    "need_management_tools",
    "need_connectivity",
    "need_training",
    "need_funding",
    "need_ai",
    "need_gdpr",
    "need_provider",
)
COSTS = ("free", "paid", "co-financed")  # a catalogue entry's `cost` (SPEC section 6)
REASONS = ("requested", "basic_level", "security_low", "not_understood")  # SPEC section 7's triggers
STATUSES = ("queued", "live", "closed")  # SPEC section 3, `handoff_status` of a ticket
EVENTS = (  # the kinds of event a ticket's history records
    "created",
    "notified",
    "notification_failed",
    "taken",
    "owner_message",
    "advisor_message",
    "handed_back",
    "closed",
)
# The channels an owner writes on, by their name in Rasa (credentials.yml).
CHANNELS = ("socketio", "rest", "whatsapp", "facebook", "telegram", "twilio")
# Companies by headcount, for the dashboard's filter (bounds in bot/report/dashboard.py):
# 1 person, 2 to 9, 10 to 49, 50 and more.
SIZES = ("solo", "from_2_to_9", "from_10_to_49", "from_50")
OBJECTIONS = ("cost", "time", "complexity", "usefulness", "security_fear")  # SPEC section 2, objection/*

CONTRACT: Dict[str, Tuple[str, ...]] = {
    "sectors": SECTORS,
    "levels": LEVELS,
    "dimensions": DIMENSIONS,
    "needs": NEEDS,
    "costs": COSTS,
    "reasons": REASONS,
    "statuses": STATUSES,
    "events": EVENTS,
    "channels": CHANNELS,
    "sizes": SIZES,
    "objections": OBJECTIONS,
}
# What the owner's side may read (the widget): nothing about tickets or advisors' work.
PUBLIC_LISTS = ("sectors", "levels", "dimensions", "needs")
# A sector's name is also a button of the diagnostic's first question.
MAX_SECTOR_LABEL_CHARS = 38


@dataclass(frozen=True)
class Labels:
    """Each list maps an id to its French name, in the contract's order (read-only)."""

    sectors: Mapping[str, str]
    levels: Mapping[str, str]
    dimensions: Mapping[str, str]
    needs: Mapping[str, str]
    costs: Mapping[str, str]
    reasons: Mapping[str, str]
    statuses: Mapping[str, str]
    events: Mapping[str, str]
    channels: Mapping[str, str]
    sizes: Mapping[str, str]
    objections: Mapping[str, str]

    def of(self, kind: str) -> Mapping[str, str]:
        """The list named `kind` ("sectors", "levels"…)."""
        if kind not in CONTRACT:
            raise KeyError(f"no list of labels named '{kind}'")
        found: Mapping[str, str] = getattr(self, kind)
        return found

    def as_json(self, public_only: bool = False) -> Dict[str, Dict[str, str]]:
        """Every list, as the console receives it; or only what the owner's side may read."""
        return {kind: dict(self.of(kind)) for kind in (PUBLIC_LISTS if public_only else CONTRACT)}


def label(kind: str, identifier: Optional[str], default: Optional[str] = None) -> Optional[str]:
    """The French name of one id of the shipped file's list `kind`, or `default`."""
    return load_labels().of(kind).get(identifier or "", default)


def parse_labels(content: Dict[str, Any], source: str = "labels.yml") -> Labels:
    unknown = [kind for kind in content if kind not in CONTRACT]
    if unknown:
        raise DataFileError(f"{source}: unknown list '{unknown[0]}' (the lists are: {', '.join(CONTRACT)})")
    lists: Dict[str, Mapping[str, str]] = {}
    for kind, ids in CONTRACT.items():
        lists[kind] = MappingProxyType(_parse_list(content.get(kind), kind, ids, source))
    for sector, name in lists["sectors"].items():
        if len(name) > MAX_SECTOR_LABEL_CHARS:
            raise DataFileError(
                f"{source}: sectors.{sector}: a button holds {MAX_SECTOR_LABEL_CHARS} characters at most"
            )
    return Labels(**lists)


def _parse_list(raw: Any, kind: str, ids: Tuple[str, ...], source: str) -> Dict[str, str]:
    where = f"{source}: {kind}"
    if raw is None:
        raise DataFileError(f"{where}: missing (expected the names of {', '.join(ids)})")
    if not isinstance(raw, dict):
        raise DataFileError(f'{where}: expected a mapping of id: "name", found {type(raw).__name__}')
    for identifier in raw:
        if identifier not in ids:
            raise DataFileError(f"{where}: unknown id '{identifier}' (the ids are: {', '.join(ids)})")
    names: Dict[str, str] = {}
    for identifier in ids:
        name = raw.get(identifier)
        if name is None or name == "":
            raise DataFileError(f"{where}.{identifier}: missing")
        if not isinstance(name, str):
            raise DataFileError(
                f"{where}.{identifier}: expected a text between double quotes, found {type(name).__name__}"
            )
        name = name.strip()
        if not name:
            raise DataFileError(f"{where}.{identifier}: missing")
        if name.casefold() in (other.casefold() for other in names.values()):
            raise DataFileError(f"{where}.{identifier}: '{name}' already names another id of the list")
        names[identifier] = name
    return names


@lru_cache(maxsize=4)
def load_labels(path: Path = LABELS_FILE) -> Labels:
    return parse_labels(load_yaml(path), source=str(path))
