"""The diagnostic questionnaire (SPEC section 4), loaded from bot/data/questionnaire.yml.

Wording, button labels and explanations come from the YAML file; the ids and
points are the public contract of SPEC section 4 and are checked against it at load.
The dimensions' names come from bot/data/labels.yml (bot.labels), with the other labels.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.datafile import DATA_DIR, DataFileError, check_known, load_yaml, require
from bot.labels import load_labels

DONT_KNOW = "dont_know"
PROFILE_SLOTS = ("sector", "headcount", "location")

# SPEC section 4: dimension -> question -> option -> points (None for multi-choice
# options, whose points come from the question's scoring method).
SPEC_CONTRACT: Dict[str, Dict[str, Dict[str, Optional[int]]]] = {
    "strategy": {
        "q_digital_plan": {"none": 0, "idea": 3, "one_off_budget": 6, "costed_plan": 10},
        "q_digital_benefit": {"no": 0, "not_sure": 3, "somewhat": 7, "clearly": 10},
    },
    "infrastructure": {
        "q_connection": {"none": 0, "mobile_only": 3, "slow": 5, "fast": 10},
        "q_cloud_services": {"pro_email": None, "shared_storage": None, "online_software": None},
    },
    "online_presence": {
        "q_online_presence": {
            "business_listing": None,
            "social_network": None,
            "several_social_networks": None,
            "website": None,
        },
        "q_online_sales": {"no": 0, "planned": 2, "via_platform": 6, "own_site": 10},
        "q_reviews": {"never": 0, "sometimes": 5, "regularly": 10},
    },
    "management": {
        "q_invoicing": {"paper": 0, "spreadsheet": 3, "software": 7, "einvoicing_ready": 10},
        "q_customer_file": {"none": 0, "spreadsheet": 3, "crm": 7, "connected": 10},
    },
    "security": {
        "q_backup": {"none": 0, "occasional": 4, "automatic": 10},
        "q_security_measures": {
            "antivirus": None,
            "auto_updates": None,
            "strong_passwords": None,
            "two_factor": None,
            "phishing_awareness": None,
            "incident_plan": None,
        },
    },
    "skills": {
        "q_training": {"none": 0, "self_taught": 4, "short_course": 7, "training_plan": 10},
        "q_it_support": {"nobody": 0, "myself": 3, "provider": 7, "contract_or_inhouse": 10},
    },
    "automation_ai": {
        "q_ai_use": {"no": 0, "considering": 2, "testing": 6, "regular": 10},
        "q_automation": {"none": 0, "one": 5, "several": 10},
    },
}

MULTI_SCORING: Dict[str, Dict[str, Any]] = {
    "q_cloud_services": {"method": "count", "points": [0, 4, 7, 10]},
    "q_online_presence": {
        "method": "sum_capped",
        "cap": 10,
        "points": {
            "business_listing": 2,
            "social_network": 3,
            "several_social_networks": 2,
            "website": 3,
        },
    },
    "q_security_measures": {"method": "proportional"},
}


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    noted: str  # read back to the owner after a typed answer: "Noté : <noted>."
    points: Optional[int] = None


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str
    why: str
    type: str  # "single" or "multi"
    options: Tuple[Option, ...]
    yes: Optional[str] = None
    no: Optional[str] = None
    scoring: Dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    noted_none: str = ""  # multiple choice: read back for "none of them"

    @property
    def is_multi(self) -> bool:
        return self.type == "multi"

    @property
    def option_ids(self) -> List[str]:
        return [option.id for option in self.options]

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"{self.id} has no option '{option_id}'")

    def label_of(self, option_id: str) -> str:
        return self.option(option_id).label


@dataclass(frozen=True)
class ProfileQuestion:
    id: str
    text: str
    why: str


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    questions: Tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    profile: Tuple[ProfileQuestion, ...]
    dimensions: Tuple[Dimension, ...]
    version: str = ""  # printed on the bilan

    @property
    def questions(self) -> List[Question]:
        return [question for dimension in self.dimensions for question in dimension.questions]

    @property
    def question_ids(self) -> List[str]:
        return [question.id for question in self.questions]

    @property
    def slot_order(self) -> List[str]:
        """The order in which the diagnostic form asks its slots."""
        return [item.id for item in self.profile] + self.question_ids

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def profile_question(self, slot: str) -> ProfileQuestion:
        for item in self.profile:
            if item.id == slot:
                return item
        raise KeyError(slot)

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    def number_of(self, slot: str) -> int:
        """1-based position of a slot among the questions asked (profile included)."""
        return self.slot_order.index(slot) + 1


def _parse_question(raw: dict, dimension_id: str, where: str) -> Question:
    question_id = require(raw, "id", where)
    where = f"{where}({question_id})"
    contract = SPEC_CONTRACT[dimension_id].get(question_id)
    if contract is None:
        raise DataFileError(f"{where}: question '{question_id}' is not in dimension '{dimension_id}' of SPEC section 4")
    kind = require(raw, "type", where)
    check_known([kind], ["single", "multi"], f"{where}.type")
    expected_kind = "multi" if question_id in MULTI_SCORING else "single"
    if kind != expected_kind:
        raise DataFileError(f"{where}.type: SPEC makes this question '{expected_kind}'")
    options = []
    for index, raw_option in enumerate(require(raw, "options", where, list)):
        option_where = f"{where}.options[{index}]"
        option_id = require(raw_option, "id", option_where)
        if option_id not in contract:
            raise DataFileError(
                f"{option_where}: option '{option_id}' is not in SPEC (expected one of {', '.join(contract)})"
            )
        points = raw_option.get("points")
        if kind == "single" and points != contract[option_id]:
            raise DataFileError(
                f"{option_where}: '{option_id}' is worth {contract[option_id]} points in SPEC, found {points}"
            )
        options.append(
            Option(
                id=option_id,
                label=require(raw_option, "label", option_where),
                noted=require(raw_option, "noted", option_where),
                points=points if kind == "single" else None,
            )
        )
    found = [option.id for option in options]
    if sorted(found) != sorted(contract):
        raise DataFileError(f"{where}: options must be exactly {', '.join(contract)}; found {', '.join(found)}")
    labels = [option.label.strip().lower() for option in options]
    if len(set(labels)) != len(labels):
        raise DataFileError(f"{where}: two options share the same label")
    for answer in ("yes", "no"):
        if raw.get(answer) is not None:
            check_known([raw[answer]], contract, f"{where}.{answer}")
    return Question(
        id=question_id,
        dimension=dimension_id,
        text=require(raw, "text", where),
        why=require(raw, "why", where),
        type=kind,
        options=tuple(options),
        yes=raw.get("yes"),
        no=raw.get("no"),
        scoring=MULTI_SCORING.get(question_id, {}),
        noted_none=require(raw, "noted_none", where) if kind == "multi" else "",
    )


def parse_questionnaire(content: dict, source: str = "questionnaire.yml") -> Questionnaire:
    profile = []
    for index, raw in enumerate(require(content, "profile", source, list)):
        where = f"{source}: profile[{index}]"
        profile.append(
            ProfileQuestion(
                id=require(raw, "id", where), text=require(raw, "text", where), why=require(raw, "why", where)
            )
        )
    if tuple(item.id for item in profile) != PROFILE_SLOTS:
        raise DataFileError(f"{source}: profile must ask {', '.join(PROFILE_SLOTS)} in this order")
    dimensions = []
    for index, raw in enumerate(require(content, "dimensions", source, list)):
        where = f"{source}: dimensions[{index}]"
        dimension_id = require(raw, "id", where)
        if dimension_id not in SPEC_CONTRACT:
            raise DataFileError(f"{where}: unknown dimension '{dimension_id}'")
        if "label" in raw:
            raise DataFileError(f"{where}.label: a dimension's name is in labels.yml (dimensions.{dimension_id})")
        questions = tuple(
            _parse_question(raw_question, dimension_id, f"{where}.questions[{position}]")
            for position, raw_question in enumerate(require(raw, "questions", where, list))
        )
        if sorted(question.id for question in questions) != sorted(SPEC_CONTRACT[dimension_id]):
            raise DataFileError(
                f"{where}: dimension '{dimension_id}' must hold exactly {', '.join(SPEC_CONTRACT[dimension_id])}"
            )
        label = load_labels().dimensions[dimension_id]  # its name, from labels.yml
        dimensions.append(Dimension(id=dimension_id, label=label, questions=questions))
    if sorted(dimension.id for dimension in dimensions) != sorted(SPEC_CONTRACT):
        raise DataFileError(f"{source}: the dimensions must be exactly {', '.join(SPEC_CONTRACT)}")
    version = content.get("version")
    if not isinstance(version, str) or not version.strip():
        raise DataFileError(f'{source}: version must be a text between double quotes, such as "2026.1"')
    return Questionnaire(profile=tuple(profile), dimensions=tuple(dimensions), version=version.strip())


@lru_cache(maxsize=4)
def load_questionnaire(path: Path = DATA_DIR / "questionnaire.yml") -> Questionnaire:
    return parse_questionnaire(load_yaml(path), source=str(path))
