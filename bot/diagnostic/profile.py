"""Reading the company profile (SPEC section 3): sector, headcount, location."""

import re
from typing import Optional, Sequence

from bot.labels import load_labels
from bot.language.entities import canonical_value, find_in_text, parse_headcount, stated_total
from bot.language.entity_contract import contract_value
from bot.language.text import normalize
from bot.messages import message

_LOCATION_PREFIX = re.compile(
    r"^\s*(?:(?:je suis|on est|nous sommes|j'habite|je travaille|c'est|c est|ça se passe|situ[ée]e?s?)\s+)?"
    r"(?:à|a|au|aux|sur|dans le|dans la|dans les|dans l'|dans|en|près de|pres de|à côté de|a cote de|vers)\s+",
    re.IGNORECASE,
)


def read_sector(text: str, entities: Sequence[dict] = ()) -> Optional[str]:
    norm = normalize(text)
    sectors = load_labels().sectors  # their names are the question's buttons
    for value, label in sectors.items():
        if norm == normalize(label):
            return value
    for entity in entities:
        if entity.get("entity") == "sector" and entity.get("value") in sectors and entity["value"] != "other":
            return str(entity["value"])  # a key of `sectors`: already a text
    found = find_in_text("sector", text)
    if found:
        return found[0].value
    return canonical_value("sector", text) if len(norm.split()) <= 3 else None


def read_headcount(text: str, entities: Sequence[dict] = ()) -> Optional[int]:
    """The headcount the owner gave, within the contract (1 to MAX_HEADCOUNT), else None."""
    return contract_value("headcount", _read_headcount(text, entities))


def _read_headcount(text: str, entities: Sequence[dict]) -> Optional[int]:
    total = stated_total(text)
    if total:
        return total
    for entity in entities:
        if entity.get("entity") == "headcount":
            value: Optional[int] = contract_value("headcount", entity.get("value"))
            if value is not None:
                return value
    if normalize(text) in (normalize(message("buttons.works_alone")), "moi", "moi meme", "juste moi"):
        return 1  # an answer to "combien êtes-vous ?"
    return parse_headcount(text)


def read_location(text: str, entities: Sequence[dict] = ()) -> Optional[str]:
    """The place as written; a short free text is taken as it is, minus "à", "dans le"…"""
    places = [entity.get("value") for entity in entities if entity.get("entity") == "location" and entity.get("value")]
    postcode = next((entity.get("value") for entity in entities if entity.get("entity") == "postcode"), None)
    if places:
        return contract_value("location", f"{places[0]} ({postcode})" if postcode else str(places[0]))
    stripped = _LOCATION_PREFIX.sub("", text or "").strip(" .!?,;")
    if stripped and len(stripped.split()) <= 5 and not re.search(r"[?@]", stripped):
        return contract_value("location", stripped)
    return None


def known_profile_text(sector: Optional[str], headcount: Optional[int], location: Optional[str]) -> str:
    """ "Je note : Bâtiment, 4 personnes, Lille. " for facts given before the diagnostic."""
    facts = []
    sectors = load_labels().sectors
    if sector is not None and sector in sectors:
        facts.append(message("diagnostic.known_sector", sector=sectors[sector]))
    if isinstance(headcount, (int, float)) and headcount >= 1:
        alone = int(headcount) == 1
        facts.append(
            message("diagnostic.known_alone") if alone else message("diagnostic.known_people", count=int(headcount))
        )
    if location:
        facts.append(str(location))
    if not facts:
        return ""
    return message("diagnostic.known_profile", facts=", ".join(facts))
