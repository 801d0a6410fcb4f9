"""NLU pipeline component: entity values in the canonical forms of SPEC section 2.

Runs after the CRF tagger, the regex extractor and the synonym mapper. It turns "moi et deux
salariés" into 3, "+33 6 12 34 56 78" into "0612345678", "boulangère" (or a typo of it)
into "crafts", removes duplicates found by two extractors, and finds a trade the
classifier missed in an `inform` message.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.entities import (
    CANONICAL_VALUES,
    EMAIL_PATTERN,
    NOT_A_COUNT,
    PHONE_PATTERN,
    canonical_value,
    find_headcount,
    find_in_text,
    find_spoken_phone,
    normalize_email,
    normalize_phone,
    normalize_postcode,
    parse_headcount,
)
from bot.language.entity_contract import contract_value
from bot.language.text import normalize
from bot.language.vocabulary import PLACES_WITH_ARTICLE, Vocabulary, learn_vocabulary
from rasa_addons.stored_component import StoredComponent

VOCABULARY_FILE = "vocabulary.json"
PREFERRED_EXTRACTORS = ("RegexEntityExtractor", "StoredCRFEntityExtractor", "CRFEntityExtractor")
NAME = "EntityNormalizer"
SAME_WORD_GROUP = re.compile(r"[\s\-'’]*|\s+(de|du|des|d'|à|a)\s+", re.I)
JOINS = {"headcount": re.compile(r"[\s\-'’]*|\s*(et|\+|,)\s*", re.I)}
# "3 jours", "10 minutes", "12 chambres": figures that are not a number of people.
NOT_PEOPLE = re.compile(
    r"^\s*(jours?|j|ans?|années?|mois|semaines?|heures?|h|minutes?|min|fois|€|euros?|%|chambres?|km|m2|mb|mega|go|ko|tables?|couverts?|lits?|places?)\b",
    re.I,
)
# Social networks and connection types are named in any message; found by their exact
# written forms when the tagger missed them ("pas de connexion", "pinterest").
SCANNED_EVERYWHERE = ("social_network", "connection_type")
ARTICLE_BEFORE = re.compile(r"\b(la|le|les)\s+$|\bl'$", re.I)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class EntityNormalizer(StoredComponent, EntityExtractorMixin):
    state_file = VOCABULARY_FILE

    def restore(self, state: Optional[Vocabulary]) -> None:
        self.vocabulary: Vocabulary = state or {entity: {} for entity in CANONICAL_VALUES}

    def encode(self) -> bytes:
        return json.dumps(self.vocabulary, ensure_ascii=False).encode("utf-8")

    @staticmethod
    def decode(data: bytes) -> Vocabulary:
        return json.loads(data.decode("utf-8"))

    def train(self, training_data: TrainingData) -> Resource:
        """Learns every written form of each canonical value from the training data."""
        synonyms = [(None, text, value) for text, value in training_data.entity_synonyms.items()]
        annotated = [
            (entity["entity"], example.get(TEXT)[entity["start"] : entity["end"]], str(entity.get("value")))
            for example in training_data.entity_examples
            for entity in example.get(ENTITIES, [])
        ]
        locations = [
            name
            for table in training_data.lookup_tables
            if table.get("name") == "location"
            for name in table.get("elements", [])
        ]
        self.vocabulary = learn_vocabulary(synonyms + annotated, locations)
        return self.persist()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = self.normalized(message.get(TEXT) or "", message.get(ENTITIES, []))
            intent = (message.get(INTENT) or {}).get("name")
            entities += self.missed_names(message.get(TEXT) or "", entities)
            entities += self.missed_contacts(message.get(TEXT) or "", entities)
            if intent == "inform":
                entities += self.missed_profile_facts(message.get(TEXT) or "", entities)
            entities = self.trades_over_places(entities)
            message.set(ENTITIES, sorted(entities, key=lambda entity: entity.get("start", 0)), add_to_output=True)
        return messages

    def missed_names(self, text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        added = []
        for kind in SCANNED_EVERYWHERE:
            if any(entity["entity"] == kind for entity in entities):
                continue
            for item in find_in_text(kind, text, self.vocabulary, fuzzy=False):
                if len(item.text) >= 3 and not any(self._overlaps(item, entity) for entity in entities):
                    added.append(
                        self.add_processor_name(
                            {
                                "entity": kind,
                                "start": item.start,
                                "end": item.end,
                                "value": item.value,
                                "confidence_entity": 1.0,
                                "extractor": NAME,
                            }
                        )
                    )
        return added

    def missed_contacts(self, text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """An e-mail or a phone number the taggers missed: an address in capitals or with
        hyphens, a number dictated in words ("zéro six trente-neuf…")."""
        kinds = {entity["entity"] for entity in entities}
        found = []
        if "email" not in kinds:
            for match in EMAIL_PATTERN.finditer(text):
                value = normalize_email(match.group(0))
                if value:
                    found.append(("email", value, match.start(), match.end()))
                    break
        if "phone" not in kinds:
            match = PHONE_PATTERN.search(text)
            spoken = None if match else find_spoken_phone(text)
            if match and normalize_phone(match.group(0)):
                found.append(("phone", normalize_phone(match.group(0)), match.start(), match.end()))
            elif spoken:
                found.append(("phone", spoken.value, spoken.start, spoken.end))
        return [
            self.add_processor_name(
                {
                    "entity": kind,
                    "start": start,
                    "end": end,
                    "value": value,
                    "confidence_entity": 1.0,
                    "extractor": NAME,
                }
            )
            for kind, value, start, end in found
            if not any(entity.get("start", 0) < end and start < entity.get("end", 0) for entity in entities)
        ]

    @staticmethod
    def _overlaps(item, entity: Dict[str, Any]) -> bool:
        return item.start < entity.get("end", 0) and entity.get("start", 0) < item.end

    def missed_profile_facts(self, text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """A trade or a headcount the classifier missed in a message that gives facts."""
        kinds = {entity["entity"] for entity in entities}
        found = []
        if "sector" not in kinds:
            found += [("sector", item.value, item) for item in find_in_text("sector", text, self.vocabulary)[:1]]
        if "headcount" not in kinds:
            headcount = find_headcount(text)
            if headcount:
                found.append(("headcount", int(headcount.value), headcount))
        return [
            self.add_processor_name(
                {
                    "entity": kind,
                    "start": item.start,
                    "end": item.end,
                    "value": value,
                    "confidence_entity": 1.0,
                    "extractor": NAME,
                }
            )
            for kind, value, item in found
        ]

    @staticmethod
    def merged(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Joins the pieces of one entity that the tagger split: "Clermont" + "Ferrand",
        "magasin" + "de vélos", "deux associés" + "et une secrétaire"."""
        ordered = sorted(entities, key=lambda entity: (entity.get("start", 0), entity.get("end", 0)))
        result: List[Dict[str, Any]] = []
        for entity in ordered:
            previous = result[-1] if result else None
            if previous and previous["entity"] == entity["entity"] and "start" in entity and "end" in previous:
                gap = text[previous["end"] : entity["start"]]
                joinable = JOINS.get(entity["entity"], SAME_WORD_GROUP)
                if previous["end"] <= entity["start"] and joinable.fullmatch(gap):
                    result[-1] = {**previous, "end": entity["end"], "value": text[previous["start"] : entity["end"]]}
                    continue
            result.append(entity)
        return result

    def normalized(self, text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        kept: List[Dict[str, Any]] = []
        entities = self.merged(text, entities)
        ranked = sorted(
            entities,
            key=lambda entity: (
                PREFERRED_EXTRACTORS.index(entity.get("extractor"))
                if entity.get("extractor") in PREFERRED_EXTRACTORS
                else len(PREFERRED_EXTRACTORS)
            ),
        )
        for entity in ranked:
            value = self.value_of(text, entity)
            value = contract_value(entity["entity"], value) if value is not None else None
            if value is None or any(self._clash(entity, other) for other in kept):
                continue
            kept.append(self.add_processor_name({**entity, "value": value}))
        return kept

    @classmethod
    def trades_over_places(cls, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """A word that is a trade of the vocabulary is not also a place ("Santé" typed alone,
        capitalised like a town): trades are a closed list, places an open one."""
        trades = [entity for entity in entities if entity["entity"] == "sector"]
        return [
            entity
            for entity in entities
            if entity["entity"] != "location" or not any(cls._overlapping(entity, trade) for trade in trades)
        ]

    @staticmethod
    def _overlapping(entity: Dict[str, Any], other: Dict[str, Any]) -> bool:
        return entity.get("start", 0) < other.get("end", 0) and other.get("start", 0) < entity.get("end", 0)

    @staticmethod
    def _clash(entity: Dict[str, Any], other: Dict[str, Any]) -> bool:
        overlap = EntityNormalizer._overlapping(entity, other)
        same_kind = entity["entity"] == other["entity"]
        digits_inside_contact = entity["entity"] == "postcode" and other["entity"] in ("phone", "email")
        return overlap and (same_kind or digits_inside_contact)

    def value_of(self, text: str, entity: Dict[str, Any]) -> Any:
        kind = entity["entity"]
        start, end = entity.get("start"), entity.get("end")
        written = text[start:end] if start is not None and end is not None else str(entity.get("value"))
        value = str(entity.get("value"))
        if kind == "headcount":
            if NOT_PEOPLE.match(text[end:] if end is not None else ""):
                return None
            if start is not None and end is not None and NOT_A_COUNT.search(text[max(0, start - 7) : end + 4]):
                return None  # "2,5 salariés", "moins 3", "1 000 000": not a count of people
            if value.isdigit() and int(value) >= 1:
                return int(value)
            before = text[max(0, (start or 0) - 8) : start or 0]
            if "moi" in normalize(before) and "moi" not in normalize(written):
                written = "moi et " + written
            return parse_headcount(written)
        if kind == "phone":
            return normalize_phone(written) or normalize_phone(value)
        if kind == "email":
            return normalize_email(written)
        if kind == "postcode":
            return normalize_postcode(written)
        if kind in CANONICAL_VALUES:
            # An unknown word is dropped rather than guessed; "other" comes from the data
            # ("association", "artiste"…), and inform messages are scanned afterwards.
            return canonical_value(kind, written, self.vocabulary) or canonical_value(kind, value, self.vocabulary)
        if kind == "location":
            before = ARTICLE_BEFORE.search(text[:start]) if start is not None else None
            if before and normalize(before.group(0) + written) in self.vocabulary.get(PLACES_WITH_ARTICLE, {}):
                written = before.group(0) + written  # "La Rochelle", "Le Mans": the tagger often leaves out the article
            return written.strip(" .,;!?") or None
        return entity.get("value")
