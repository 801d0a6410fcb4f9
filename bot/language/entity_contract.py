"""The values an entity may carry (SPEC section 2), whatever produced it.

The NLU pipeline (rasa_addons/entity_normalizer.py) and button payloads typed or forged by a
client (bot/language/inbound.py) both pass their entities through `contract_value`: a value outside
the contract is dropped, never stored in a slot.
"""

import math
import re
from typing import Any, Optional

from bot.language.entities import CANONICAL_VALUES, normalize_email, normalize_phone, normalize_postcode

# More people than any small business, and than any French company has: a typo or a forgery.
MAX_HEADCOUNT = 100_000
MAX_LOCATION_CHARS = 80
OFFER_CHOICES = ("guide", "more")
# Letters (any accent), spaces, apostrophes, hyphens, digits (arrondissements, postcodes in
# brackets) and a few separators: what French place names are written with.
_PLACE = re.compile(r"[\w\s'’\-().,/]+")


def contract_value(entity: str, value: Any) -> Optional[Any]:
    """The canonical value of an entity, or None when the value is outside the contract."""
    if isinstance(value, bool) or value is None:
        return None
    if entity == "headcount":
        return _headcount(value)
    if isinstance(value, (dict, list, tuple)):
        return None
    text = str(value)
    if len(text) > 320:  # the longest e-mail address; anything longer is not an entity
        return None
    if entity in CANONICAL_VALUES:
        return text if text in CANONICAL_VALUES[entity] else None
    if entity == "email":
        return normalize_email(text) if "@" in text else None
    if entity == "phone":
        return normalize_phone(text) if len(re.sub(r"\D", "", text)) <= 15 else None
    if entity == "postcode":
        return normalize_postcode(text)
    if entity == "location":
        place = " ".join(text.split())
        if (
            not place
            or len(place) > MAX_LOCATION_CHARS
            or not _PLACE.fullmatch(place)
            or not re.search(r"[^\W\d_]", place)
        ):
            return None
        return place
    if entity == "offer_choice":
        return text if text in OFFER_CHOICES else None
    return None


def _headcount(value: Any) -> Optional[int]:
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return None
        value = int(value)
    elif isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 6:
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_HEADCOUNT else None
