"""The written forms of each canonical entity value, learnt once from the NLU training data.

One vocabulary serves both readers: the NLU component (rasa_addons/entity_normalizer.py)
learns it from the training data Rasa hands it, and the core (the diagnostic form reading a
free-text answer) from the same files on disk. Both go through `learn_vocabulary`, so
"boulangère", "insta" or "la fibre" mean the same thing wherever they are read; a test
checks that the two sources give the same table.
"""

import json
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from bot.labels import SECTORS
from bot.language.text import normalize

NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"

# The entities whose values are a closed list (SPEC section 2).
CANONICAL_VALUES: Dict[str, Tuple[str, ...]] = {
    "sector": SECTORS,
    "social_network": (
        "facebook",
        "instagram",
        "linkedin",
        "tiktok",
        "x",
        "youtube",
        "pinterest",
        "google_business",
    ),
    "connection_type": ("none", "mobile", "adsl", "fiber", "cable"),
}
# Place names of the `location` lookup table that begin with an article ("Le Mans").
PLACES_WITH_ARTICLE = "location_with_article"
_ARTICLE = re.compile(r"^(la|le|les|l')\s*\S", re.I)

Vocabulary = Dict[str, Dict[str, str]]
# (entity or None for a synonym of any entity, written form, canonical value)
WrittenForm = Tuple[Optional[str], str, str]


def learn_vocabulary(forms: Iterable[WrittenForm], location_names: Iterable[str] = ()) -> Vocabulary:
    """entity -> {normalised written form -> canonical value}, plus the places with an article."""
    vocabulary: Vocabulary = {entity: {} for entity in CANONICAL_VALUES}
    for entity, written, value in forms:
        for kind, values in CANONICAL_VALUES.items():
            if (entity is None or entity == kind) and value in values and normalize(written):
                vocabulary[kind][normalize(written)] = value
    vocabulary[PLACES_WITH_ARTICLE] = {normalize(name): name for name in location_names if _ARTICLE.match(name)}
    return vocabulary


# An annotated entity in a Rasa training example: [texte](entity) or [texte]{"entity": …}.
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<attributes>\{[^}]*\}))")


def _examples(block: dict) -> List[str]:
    return [
        line.strip()[2:].strip() for line in str(block.get("examples", "")).splitlines() if line.strip()[:2] == "- "
    ]


def read_training_files(directory: Path = NLU_DIR) -> Tuple[List[WrittenForm], List[str]]:
    """The written forms and location names of Rasa's YAML training files, read without Rasa:
    synonyms (in synonym blocks and in annotations with a value) and annotated examples."""
    synonyms: List[WrittenForm] = []
    annotated: List[WrittenForm] = []
    locations: List[str] = []
    for path in sorted(directory.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu") or []:
            if "synonym" in block:
                value = str(block["synonym"])
                synonyms += [(None, written, value) for written in _examples(block)]
            elif block.get("lookup") == "location":
                locations += _examples(block)
            elif "intent" in block:
                for example in _examples(block):
                    for match in _ANNOTATION.finditer(example):
                        text, entity = match.group("text"), match.group("entity")
                        value = text
                        if match.group("attributes"):
                            attributes = json.loads(match.group("attributes"))
                            entity, value = attributes.get("entity"), str(attributes.get("value", text))
                        if entity:
                            annotated.append((entity, text, value))
                            if value != text:
                                synonyms.append((None, text, value))  # Rasa makes it a synonym
    # As the NLU component learns them: synonyms first, then the annotated examples.
    return synonyms + annotated, locations


def vocabulary_from_files(directory: Path = NLU_DIR) -> Vocabulary:
    forms, locations = read_training_files(directory)
    return learn_vocabulary(forms, locations)
