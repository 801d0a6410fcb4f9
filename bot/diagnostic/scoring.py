"""Scoring of a completed diagnostic (SPEC section 5)."""

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping

from bot.diagnostic.questionnaire import DONT_KNOW, Question, Questionnaire
from bot.labels import load_labels

LEVELS = (  # (upper bound of the unrounded overall score, level id)
    (25.0, "basic"),
    (50.0, "intermediate"),
    (75.0, "advanced"),
    (100.0, "leader"),
)


class InvalidAnswer(ValueError):
    """An answer that is not one of the question's option ids."""


def question_score(question: Question, answer: Any) -> float:
    """Points (0-10) for one answer: an option id, a list of option ids, or dont_know."""
    if answer == DONT_KNOW:
        return 0.0
    if not question.is_multi:
        if answer not in question.option_ids:
            raise InvalidAnswer(f"{question.id}: '{answer}' is not an option")
        points = question.option(answer).points
        assert points is not None, "load_questionnaire gives every single-choice option its SPEC points"
        return float(points)
    if not isinstance(answer, (list, tuple)):
        raise InvalidAnswer(f"{question.id}: expected a list of options, found {answer!r}")
    chosen = set(answer)
    unknown = chosen - set(question.option_ids)
    if unknown:
        raise InvalidAnswer(f"{question.id}: unknown options {sorted(unknown)}")
    method = question.scoring["method"]
    if method == "count":
        points = question.scoring["points"]
        return float(points[min(len(chosen), len(points) - 1)])
    if method == "sum_capped":
        total = sum(question.scoring["points"][option] for option in chosen)
        return float(min(total, question.scoring["cap"]))
    if method == "proportional":
        return 10.0 * len(chosen) / len(question.options)
    raise ValueError(f"{question.id}: unknown scoring method {method}")


def maturity_level(overall: float) -> str:
    for bound, level in LEVELS:
        if overall <= bound:
            return level
    return "leader"


@dataclass(frozen=True)
class DiagnosticResult:
    dimension_scores: Dict[str, float]
    overall: float
    level: str
    weakest: List[str]

    @property
    def level_label(self) -> str:
        return load_labels().levels[self.level]


def missing_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> List[str]:
    return [question_id for question_id in questionnaire.question_ids if answers.get(question_id) is None]


def score(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> DiagnosticResult:
    """Scores a complete set of answers; raises InvalidAnswer on a missing or bad one."""
    missing = missing_answers(questionnaire, answers)
    if missing:
        raise InvalidAnswer(f"unanswered: {', '.join(missing)}")
    dimension_scores = {}
    for dimension in questionnaire.dimensions:
        points = [question_score(question, answers[question.id]) for question in dimension.questions]
        dimension_scores[dimension.id] = sum(points) / len(points) * 10
    overall = sum(dimension_scores.values()) / len(dimension_scores)
    order = [dimension.id for dimension in questionnaire.dimensions]
    weakest = sorted(order, key=lambda dimension_id: (dimension_scores[dimension_id], order.index(dimension_id)))[:2]
    return DiagnosticResult(dimension_scores, overall, maturity_level(overall), weakest)
