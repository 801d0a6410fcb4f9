"""What a bilan says, built from a stored diagnostic: one value that the page, the PDF and the
tests all read, so that the three cannot disagree on a number."""

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Tuple

from bot.advice.catalogue import Catalogue, Entry
from bot.advice.figures import Figure, ReferenceFigures
from bot.advice.recommendations import recommend
from bot.diagnostic.questionnaire import Questionnaire
from bot.diagnostic.scoring import DiagnosticResult
from bot.labels import load_labels
from bot.report.progress import Progress, progress_between
from bot.report.records import DiagnosticRecord
from bot.report.wording import BilanWording


@dataclass(frozen=True)
class DimensionSummary:
    id: str
    label: str
    score: float  # 0–100, unrounded as stored; shown rounded
    text: str  # two or three plain sentences for this score
    reference: Optional[Figure]  # the French SME figure set beside it, if there is one
    change: Optional[int]  # whole points since the previous diagnostic

    @property
    def shown(self) -> int:
        return round(self.score)


@dataclass(frozen=True)
class RecommendedEntry:
    entry: Entry
    dimension_label: str


@dataclass(frozen=True)
class Bilan:
    id: str
    completed_at: datetime
    questionnaire_version: str
    sector_label: Optional[str]
    headcount: Optional[int]
    overall: float
    level: str
    level_label: str
    level_text: str
    dimensions: Tuple[DimensionSummary, ...]  # in the questionnaire's order (the radar's axes)
    weakest: Tuple[str, ...]  # labels of the two priorities
    overall_reference: Optional[Figure]
    no_reference: str
    recommendations: Tuple[RecommendedEntry, ...]
    guide: Optional[Entry]  # the buyer's guide for the first priority
    progress: Optional[Progress]
    advisor_text: str

    @property
    def overall_shown(self) -> int:
        return round(self.overall)

    @property
    def sources(self) -> Tuple[Figure, ...]:
        """Every figure cited, once each, for the sources line."""
        figures = [self.overall_reference] + [dimension.reference for dimension in self.dimensions]
        unique = {figure.id: figure for figure in figures if figure is not None}
        return tuple(unique.values())


def buyers_guide_for(catalogue: Catalogue, dimension: str) -> Optional[Entry]:
    return next(
        (
            entry
            for entry in catalogue.entries
            if entry.kind == "buyers_guide" and entry.recommendable and dimension in entry.dimensions
        ),
        None,
    )


def build_bilan(
    record: DiagnosticRecord,
    questionnaire: Questionnaire,
    figures: ReferenceFigures,
    catalogue: Catalogue,
    wording: BilanWording,
    previous: Optional[DiagnosticRecord] = None,
) -> Bilan:
    if not record.completed or record.completed_at is None or record.score_overall is None:
        raise ValueError(f"diagnostic {record.id} is not completed: it has no bilan")
    scores = {dimension.id: float(record.dimension_scores[dimension.id]) for dimension in questionnaire.dimensions}
    order = [dimension.id for dimension in questionnaire.dimensions]
    weakest = sorted(order, key=lambda dimension_id: (scores[dimension_id], order.index(dimension_id)))[:2]
    level = record.maturity_level or ""
    progress = None
    if previous is not None and previous.completed_at is not None and previous.score_overall is not None:
        progress = progress_between(
            previous.completed_at, previous.dimension_scores, previous.score_overall, scores, record.score_overall
        )
    changes = {change.dimension: change.points for change in progress.changes} if progress else {}
    dimensions = tuple(
        DimensionSummary(
            id=dimension.id,
            label=dimension.label,
            score=scores[dimension.id],
            text=wording.dimension_text(dimension.id, scores[dimension.id]),
            reference=figures.comparison_for(dimension.id),
            change=changes.get(dimension.id),
        )
        for dimension in questionnaire.dimensions
    )
    labels = load_labels()
    shown = [catalogue.entry(entry_id) for entry_id in record.recommendations if _known(catalogue, entry_id)]
    if not shown:  # stored before recommendations were kept: the same choice as in the chat
        result = DiagnosticResult(scores, record.score_overall, level, weakest)
        shown = [item.entry for item in recommend(catalogue, result)]
    recommendations = tuple(RecommendedEntry(entry, _dimension_label(questionnaire, entry, weakest)) for entry in shown)
    return Bilan(
        id=record.id,
        completed_at=record.completed_at,
        questionnaire_version=record.questionnaire_version or questionnaire.version,
        sector_label=labels.sectors.get(record.sector) if record.sector else None,
        headcount=record.headcount,
        overall=record.score_overall,
        level=level,
        level_label=labels.levels[level],
        level_text=wording.levels[level],
        dimensions=dimensions,
        weakest=tuple(questionnaire.dimension(dimension_id).label for dimension_id in weakest),
        overall_reference=figures.comparison_for("overall"),
        no_reference=wording.no_reference,
        recommendations=recommendations,
        guide=buyers_guide_for(catalogue, weakest[0]),
        progress=progress,
        advisor_text=wording.advisor,
    )


def _known(catalogue: Catalogue, entry_id: str) -> bool:
    try:
        catalogue.entry(entry_id)
    except KeyError:
        return False  # an entry since removed from the catalogue
    return True


def _dimension_label(questionnaire: Questionnaire, entry: Entry, weakest: list) -> str:
    """The dimension the entry was recommended for: a priority it serves, else its first."""
    dimension = next((item for item in weakest if item in entry.dimensions), entry.dimensions[0])
    return questionnaire.dimension(dimension).label
