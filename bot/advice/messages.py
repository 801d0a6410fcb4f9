"""The French messages the owner reads, built from data (questions, results, resources)."""

from typing import Dict, List, Optional, Sequence, Tuple

from bot.advice.catalogue import Entry
from bot.advice.figures import ReferenceFigures
from bot.advice.recommendations import Recommendation
from bot.diagnostic.answers import DONT_KNOW_LABEL, NONE_LABEL
from bot.diagnostic.questionnaire import Question, Questionnaire
from bot.diagnostic.scoring import DiagnosticResult
from bot.labels import load_labels
from bot.messages import message

Button = Dict[str, str]


def buttons_for(question: Question) -> List[Button]:
    """Every option as a button whose payload is its label (typing it works the same)."""
    labels = [option.label for option in question.options]
    if question.is_multi:
        labels.append(NONE_LABEL)
    labels.append(DONT_KNOW_LABEL)
    return [{"title": label, "payload": label} for label in labels]


def question_text(questionnaire: Questionnaire, question: Question) -> str:
    number = questionnaire.question_ids.index(question.id) + 1
    total = len(questionnaire.question_ids)
    dimension = questionnaire.dimension(question.dimension).label
    text = (
        message("diagnostic.question_heading", number=number, total=total, dimension=dimension) + "\n" + question.text
    )
    if question.is_multi:
        choices = "\n".join(f"{index}. {option.label}" for index, option in enumerate(question.options, 1))
        text += f"\n{choices}\n" + message("diagnostic.several_answers")
    return text


def clarify_text(question: Question, candidates: Sequence[str]) -> Tuple[str, List[Button]]:
    """A short question naming exactly the options that compete, as its buttons."""
    labels = [question.label_of(option_id) for option_id in candidates]
    buttons = [{"title": label, "payload": label} for label in labels]
    if question.is_multi:
        return message("diagnostic.clarify_several"), buttons
    named = ", ".join(f"« {label} »" for label in labels[:-1]) + f" ou « {labels[-1]} »"
    return message("diagnostic.clarify_one", options=named), buttons


def score_line(value: float) -> str:
    return f"{round(value)}/100"


def result_text(questionnaire: Questionnaire, result: DiagnosticResult, figures: ReferenceFigures) -> str:
    weakest = [questionnaire.dimension(dimension_id).label for dimension_id in result.weakest]
    lines = [
        message("results.headline", score=score_line(result.overall), level=result.level_label),
        "",
        message("results.by_dimension"),
    ]
    for dimension in questionnaire.dimensions:
        lines.append(f"• {dimension.label} : {score_line(result.dimension_scores[dimension.id])}")
    lines += ["", message("results.priorities", first=weakest[0], second=weakest[1])]
    compared = [
        figure.citation
        for figure in (figures.comparison_for(key) for key in ["overall"] + list(result.weakest))
        if figure is not None
    ]
    if compared:
        lines += ["", message("results.compared")] + [f"• {line}" for line in compared]
    return "\n".join(lines)


def result_card(questionnaire: Questionnaire, result: DiagnosticResult) -> Dict:
    """The result as data, for channels that draw it (the web widget's score card)."""
    return {
        "type": "diagnostic_result",
        "overall": round(result.overall),
        "level": result.level_label,
        "dimensions": [
            {"id": d.id, "label": d.label, "score": round(result.dimension_scores[d.id])}
            for d in questionnaire.dimensions
        ],
        "weakest": list(result.weakest),
    }


def entry_text(entry: Entry, reason: Optional[str] = None) -> str:
    cost = load_labels().costs[entry.cost]
    if entry.cost_note:
        cost = f"{cost} ({entry.cost_note})"
    lines = [f"« {entry.title} » — {entry.organisation}"]
    lines.append(reason or entry.description)
    lines.append(f"{entry.format} · {entry.duration} · {cost}")
    if entry.url:
        lines.append(entry.url)
    return "\n".join(lines)


def resource_text(entry: Entry, lead: Optional[str] = None) -> str:
    """One resource in two short lines: title, publisher and cost; then the link."""
    lead = lead or message("recommendations.resource_lead")
    line = f"{lead} : « {entry.title} » ({entry.organisation}, {load_labels().costs[entry.cost]})"
    return f"{line}\n{entry.url}" if entry.url else line


def buyers_guide_text(entry: Entry, items: int = 2) -> str:
    """The heart of a buyer's guide, sized for a chat: the first questions and red flags."""
    guide = entry.guide
    if guide is None:  # the catalogue gives every buyers_guide entry its guide
        raise ValueError(f"{entry.id} is not a buyer's guide")
    lines = [
        message("recommendations.guide_title", provider=guide.provider),
        message("recommendations.guide_questions"),
    ]
    lines += [f"• {item}" for item in guide.ask[:items]]
    lines += [message("recommendations.guide_warnings")] + [f"• {item}" for item in guide.warning_signs[:2]]
    return "\n".join(lines)


def more_resources_text(entries: Sequence[Entry]) -> str:
    return "\n\n".join(resource_text(entry, message("recommendations.also_lead")) for entry in entries)


def recommendations_text(
    questionnaire: Questionnaire, recommendations: Sequence[Recommendation], first: bool = True
) -> str:
    if not recommendations:
        return message("recommendations.none_left")
    intro = message("recommendations.first" if first else "recommendations.more")
    blocks = [intro]
    for index, recommendation in enumerate(recommendations, 1):
        dimension = questionnaire.dimension(recommendation.dimension).label
        reason = message("recommendations.why_for_dimension", dimension=dimension, why=recommendation.entry.why)
        blocks.append(f"{index}. {entry_text(recommendation.entry, reason)}")
    return "\n\n".join(blocks)
