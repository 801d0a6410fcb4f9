"""Progress between two diagnostics of the same owner: per dimension, in whole points."""

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Tuple

from bot.handover.office_hours import MONTH_NAMES, day_number
from bot.labels import load_labels
from bot.messages import message
from bot.settings import load_settings


@dataclass(frozen=True)
class DimensionChange:
    dimension: str
    before: float
    after: float

    @property
    def points(self) -> int:
        """The change the owner sees: between the two rounded scores they were shown."""
        return round(self.after) - round(self.before)


@dataclass(frozen=True)
class Progress:
    since: datetime  # when the earlier diagnostic was completed
    overall_before: float
    overall_after: float
    changes: Tuple[DimensionChange, ...]  # in the questionnaire's order

    @property
    def overall_points(self) -> int:
        return round(self.overall_after) - round(self.overall_before)


def progress_between(
    since: datetime,
    before: Mapping[str, float],
    overall_before: float,
    after: Mapping[str, float],
    overall_after: float,
) -> Progress:
    changes = tuple(
        DimensionChange(dimension, float(before[dimension]), float(after[dimension]))
        for dimension in after
        if dimension in before
    )
    return Progress(since, float(overall_before), float(overall_after), changes)


def french_date(moment: datetime) -> str:
    """ "3 décembre 2026", "1er mars 2026"."""
    return f"{day_number(moment)} {MONTH_NAMES[moment.month - 1]} {moment.year}"


def since_text(moment: datetime, today: datetime) -> str:
    """ "12 mars", or "12 mars 2025" when that was another year."""
    text = f"{day_number(moment)} {MONTH_NAMES[moment.month - 1]}"
    return text if moment.year == today.year else f"{text} {moment.year}"


def points_text(points: int) -> str:
    """+15, −5 (a real minus sign), 0."""
    if points > 0:
        return f"+{points}"
    if points < 0:
        return f"−{-points}"
    return "0"


def _in_dimension(dimension: str) -> str:
    """ "en cybersécurité": the label, its first letter lowered unless it is an acronym."""
    label = load_labels().dimensions[dimension]
    if len(label) > 1 and label[1].islower():
        label = label[0].lower() + label[1:]
    return label


def change_phrase(change: DimensionChange) -> str:
    return message(
        "results.progress_change",
        count=abs(change.points),
        points=points_text(change.points),
        dimension=_in_dimension(change.dimension),
    )


def local(moment: datetime) -> datetime:
    """A stored moment (naive UTC) in the deployment's time zone (the advisors' one), so that
    the chat, the page and the PDF name the same day."""
    return load_settings().office_hours.local(moment)


def since_label(progress: Progress, now: datetime) -> str:
    """ "12 mars" (or "12 mars 2025"): the previous diagnostic's day, both moments stored UTC."""
    return since_text(local(progress.since), local(now))


def progress_sentence(progress: Progress, now: datetime, largest: int = 3) -> str:
    """The chat's one sentence, `now` and the progress's moments stored UTC: the largest changes
    first ("+15 points en données et cybersécurité, −4 points en outils de gestion"), or that
    nothing moved."""
    moved = sorted((change for change in progress.changes if change.points), key=lambda change: -abs(change.points))[
        :largest
    ]
    since = since_label(progress, now)
    if not moved:
        return message("results.progress_unchanged", since=since)
    changes = ", ".join(change_phrase(change) for change in moved)
    return message("results.progress", since=since, changes=changes, overall=points_text(progress.overall_points))
