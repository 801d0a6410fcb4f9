"""The deployer's dashboard without its database: the filter and its French refusals, the size
bands of companies, the drop-out funnel, percentiles, the tables as people read them (French
names from bot/data/labels.yml, question texts from the questionnaire, national figures from
sme_figures.yml) and their CSV files for Excel.

bot.adapters.dashboard counts in the database and hands its aggregates to the functions here.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from bot.advice.figures import Figure, load_figures
from bot.diagnostic.questionnaire import load_questionnaire
from bot.labels import CHANNELS, DIMENSIONS, LEVELS, NEEDS, OBJECTIONS, REASONS, SECTORS, SIZES, load_labels

DEFAULT_DAYS = 30  # the period shown at first: the last 30 days, today included
PROFILE_THEME = "Profil de l'entreprise"  # the dashboard's name for the profile questions
# A percentile as a fraction of whole numbers, so that the database and Python pick the same
# ranks without rounding: the median and the 90th percentile.
MEDIAN, P90 = (1, 2), (9, 10)

Cell = Union[str, int, float, None]
Table = Dict[str, Any]


# Size bands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeBand:
    id: str
    lowest: int
    highest: Optional[int]  # None: no upper bound

    def holds(self, headcount: Optional[int]) -> bool:
        return (
            headcount is not None and headcount >= self.lowest and (self.highest is None or headcount <= self.highest)
        )


SIZE_BANDS: Tuple[SizeBand, ...] = (
    SizeBand("solo", 1, 1),
    SizeBand("from_2_to_9", 2, 9),
    SizeBand("from_10_to_49", 10, 49),
    SizeBand("from_50", 50, None),
)


def size_band(size_id: str) -> SizeBand:
    for band in SIZE_BANDS:
        if band.id == size_id:
            return band
    raise KeyError(size_id)


def size_of(headcount: Optional[int]) -> Optional[str]:
    """The band of a headcount, None when unknown (or below 1)."""
    return next((band.id for band in SIZE_BANDS if band.holds(headcount)), None)


# The filter -----------------------------------------------------------------------------


class FilterError(ValueError):
    """A dashboard parameter that cannot be read, with a French message for the console."""


@dataclass(frozen=True)
class DashboardFilter:
    """A period of whole days (end included) and, optionally, one sector, size band and channel."""

    start: date
    end: date
    sector: Optional[str] = None
    size: Optional[str] = None
    channel: Optional[str] = None
    zone: tzinfo = field(default=timezone.utc, compare=False)  # where the days begin and end

    def bounds(self) -> Tuple[datetime, datetime]:
        """[first moment, moment after the last) as the database stores times (naive UTC): from
        midnight of `start` to midnight after `end`, in the deployment's time zone."""

        def utc(day: date) -> datetime:
            return datetime.combine(day, time(), tzinfo=self.zone).astimezone(timezone.utc).replace(tzinfo=None)

        return utc(self.start), utc(self.end + timedelta(days=1))

    @property
    def band(self) -> Optional[SizeBand]:
        return size_band(self.size) if self.size else None

    def as_json(self) -> Dict[str, Optional[str]]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "sector": self.sector,
            "size": self.size,
            "channel": self.channel,
        }


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _day(value: str, name: str) -> date:
    if not _DAY.fullmatch(value):
        raise FilterError(f"La date « {value[:40]} » ({name}) doit s'écrire AAAA-MM-JJ, par exemple 2026-03-31.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"La date « {value} » ({name}) n'existe pas.") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # 0001-01-01 would overflow with the time zone
        raise FilterError(f"La date « {value} » ({name}) doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}.")
    return day


def _choice(value: Optional[str], ids: Sequence[str], unknown: str) -> Optional[str]:
    if value is None or value.strip() == "":
        return None  # « Tous »
    value = value.strip()
    if value not in ids:
        raise FilterError(f"{unknown} : « {value[:40]} » (valeurs possibles : {', '.join(ids)}).")
    return value


def parse_filter(args: Mapping[str, Optional[str]], today: date, zone: tzinfo = timezone.utc) -> DashboardFilter:
    """The filter of a request's parameters (from, to, sector, size, channel); the last
    DEFAULT_DAYS days up to `today` when no period is given; days begin at midnight in `zone`.
    Raises FilterError with a French message."""
    raw_end, raw_start = (args.get("to") or "").strip(), (args.get("from") or "").strip()
    end = _day(raw_end, "fin") if raw_end else today
    start = _day(raw_start, "début") if raw_start else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise FilterError("La date de début de la période doit précéder sa date de fin.")
    return DashboardFilter(
        start=start,
        end=end,
        sector=_choice(args.get("sector"), SECTORS, "Secteur inconnu"),
        size=_choice(args.get("size"), SIZES, "Taille d'entreprise inconnue"),
        channel=_choice(args.get("channel"), CHANNELS, "Canal inconnu"),
        zone=zone,
    )


def choices() -> Dict[str, List[Dict[str, str]]]:
    """What the console's filters offer, with their French names."""
    labels = load_labels()
    return {
        kind: [{"id": key, "label": name} for key, name in labels.of(kind).items()]
        for kind in ("sectors", "sizes", "channels")
    }


# Arithmetic -----------------------------------------------------------------------------


def share(part: int, whole: int) -> Optional[float]:
    """part / whole in percent, one decimal; None when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else None


def percentile_rank(count: int, fraction: Tuple[int, int]) -> Tuple[int, float]:
    """The 0-based rank of the value below the percentile among `count` sorted values, and the
    weight of the next one: linear interpolation, as PostgreSQL's percentile_cont. The database
    computes the same rank as ((count - 1) * numerator) / denominator in whole numbers."""
    if count < 1:
        raise ValueError("no value")
    numerator, denominator = fraction
    lower, remainder = divmod((count - 1) * numerator, denominator)
    return lower, remainder / denominator


def interpolated(sorted_values: Mapping[int, float], count: int, fraction: Tuple[int, int]) -> Optional[float]:
    """The percentile of `count` sorted values, given those at the two ranks it needs (0-based)."""
    if count < 1:
        return None
    lower, weight = percentile_rank(count, fraction)
    below = sorted_values[lower]
    if not weight:
        return below
    return below + weight * (sorted_values[lower + 1] - below)


# The tables ----------------------------------------------------------------------------------


def summary_table(started: int, completed: int, restarted: int) -> Table:
    stopped = started - completed - restarted
    return {
        "started": started,
        "completed": completed,
        "completion_rate": share(completed, started),
        "restarted": restarted,
        "stopped": stopped,
    }


@dataclass(frozen=True)
class FunnelStep:
    slot: str
    reached: int  # runs that got to this question (asked it, or went further)
    stopped: int  # of which stopped here without completing


def dropout_funnel(slots: Sequence[str], stopped_at: Mapping[str, int], completed: int) -> List[FunnelStep]:
    """Per slot, in the order asked: a completed run reached every slot, a run that stopped at
    slot k reached slots 1 to k."""
    steps: List[FunnelStep] = []
    still_going = completed
    for slot in reversed(slots):
        still_going += stopped_at.get(slot, 0)
        steps.append(FunnelStep(slot, still_going, stopped_at.get(slot, 0)))
    return list(reversed(steps))


def dropout_table(stopped_at: Mapping[Optional[str], int], completed: int, restarted: int) -> Table:
    """The drop-out funnel of the runs not restarted. `stopped_at`: runs not completed, by the
    last slot they were asked (a slot the questionnaire no longer has counts as unknown)."""
    questionnaire = load_questionnaire()
    labels = load_labels()
    slots = questionnaire.slot_order
    known = {slot: count for slot, count in stopped_at.items() if slot in slots}
    unknown = sum(count for slot, count in stopped_at.items() if slot not in known)
    themes = {question.id: labels.dimensions[question.dimension] for question in questionnaire.questions}
    texts = {item.id: item.text for item in questionnaire.profile}
    texts.update({question.id: question.text for question in questionnaire.questions})
    rows = [
        {
            "slot": step.slot,
            "number": number,
            "label": texts[step.slot],
            "theme": themes.get(step.slot, PROFILE_THEME),
            "reached": step.reached,
            "stopped": step.stopped,
            "stop_rate": share(step.stopped, step.reached),
        }
        for number, step in enumerate(dropout_funnel(slots, known, completed), start=1)
    ]
    return {"completed": completed, "restarted": restarted, "unknown": unknown, "rows": rows}


def levels_table(counts: Mapping[Optional[str], int]) -> Table:
    names = load_labels().levels
    total = sum(counts.get(level, 0) for level in LEVELS)
    rows = [
        {
            "level": level,
            "label": names[level],
            "count": counts.get(level, 0),
            "share": share(counts.get(level, 0), total),
        }
        for level in LEVELS
    ]
    return {"completed": total, "rows": rows}


def _reference(figure: Optional[Figure]) -> Optional[Dict[str, Any]]:
    if figure is None:
        return None
    return {"text": figure.text, "source": figure.source, "year": figure.year, "value": figure.value}


def _mean(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(float(value), 1)


def dimensions_table(means: Mapping[str, Optional[float]], overall: Optional[float], completed: int) -> Table:
    """Mean score per dimension (0-100) of the completed runs, beside the national figure that the
    owners' results cite for it (sme_figures.yml, `comparisons`), when there is one."""
    names = load_labels().dimensions
    figures = load_figures()
    rows = [
        {
            "dimension": dimension,
            "label": names[dimension],
            "mean": _mean(means.get(dimension)),
            "reference": _reference(figures.comparison_for(dimension)),
        }
        for dimension in DIMENSIONS
    ]
    return {
        "completed": completed,
        "rows": rows,
        "overall": {"mean": _mean(overall), "reference": _reference(figures.comparison_for("overall"))},
    }


def signals_table(kind: str, counts: Mapping[str, Tuple[int, int]]) -> Table:
    """Needs (kind "needs") or objections ("objections") raised, most frequent first (the
    order of the labels between equals): mentions and conversations that raised them."""
    ids = {"needs": NEEDS, "objections": OBJECTIONS}[kind]
    names = load_labels().of(kind)
    raised = [key for key in ids if counts.get(key, (0, 0))[0] > 0]
    raised.sort(key=lambda key: -counts[key][0])  # stable: the labels' order between equals
    rows = [
        {"id": key, "label": names[key], "count": counts[key][0], "conversations": counts[key][1]} for key in raised
    ]
    return {"total": sum(counts[key][0] for key in raised), "rows": rows}


def handovers_table(counts: Mapping[Optional[str], int]) -> Table:
    names = load_labels().reasons
    total = sum(counts.values())
    rows = [
        {
            "reason": reason,
            "label": names[reason],
            "count": counts.get(reason, 0),
            "share": share(counts.get(reason, 0), total),
        }
        for reason in REASONS
    ]
    other = total - sum(counts.get(reason, 0) for reason in REASONS)  # a reason this version does not know
    return {"total": total, "other": other, "rows": rows}


def first_reply_table(tickets: int, replied: int, median: Optional[float], p90: Optional[float]) -> Table:
    """Seconds from a ticket's creation to the first advisor's message."""
    return {
        "tickets": tickets,
        "replied": replied,
        "median_seconds": None if median is None else round(median),
        "p90_seconds": None if p90 is None else round(p90),
    }


# CSV ---------------------------------------------------------------------------------------

TABLES = ("summary", "dropout", "levels", "dimensions", "needs", "objections", "handovers", "first_reply")
# The name of each table's file: tableau-de-bord-<name>-<from>-<to>.csv
FILE_NAMES = {
    "summary": "synthese",
    "dropout": "abandons",
    "levels": "niveaux",
    "dimensions": "themes",
    "needs": "besoins",
    "objections": "objections",
    "handovers": "demandes-conseiller",
    "first_reply": "delai-premiere-reponse",
}


def _minutes(seconds: Optional[float]) -> Optional[float]:
    return None if seconds is None else round(seconds / 60.0, 1)


def table_rows(name: str, table: Table) -> Tuple[List[str], List[List[Cell]]]:
    """A table as the CSV file holds it: French headers, then one list of cells per row."""
    rows: List[List[Cell]]
    if name == "summary":
        headers = ["Indicateur", "Valeur"]
        rows = [
            ["Diagnostics commencés", table["started"]],
            ["Diagnostics terminés", table["completed"]],
            ["Taux de diagnostics terminés (%)", table["completion_rate"]],
            ["Diagnostics recommencés à zéro", table["restarted"]],
            ["Diagnostics arrêtés en cours de route", table["stopped"]],
        ]
    elif name == "dropout":
        headers = [
            "N°",
            "Question",
            "Thème",
            "Arrivés à cette question",
            "Arrêtés à cette question",
            "Taux d'arrêt (%)",
        ]
        rows = [
            [row["number"], row["label"], row["theme"], row["reached"], row["stopped"], row["stop_rate"]]
            for row in table["rows"]
        ]
    elif name == "levels":
        headers = ["Niveau", "Diagnostics terminés", "Part (%)"]
        rows = [[row["label"], row["count"], row["share"]] for row in table["rows"]]
    elif name == "dimensions":
        headers = ["Thème", "Score moyen (sur 100)", "Chiffre national", "Source", "Année"]
        overall = {"label": "Score global", **table["overall"]}
        rows = []
        for row in [*table["rows"], overall]:
            reference = row["reference"] or {}
            rows.append(
                [row["label"], row["mean"], reference.get("text"), reference.get("source"), reference.get("year")]
            )
    elif name in ("needs", "objections"):
        headers = ["Besoin" if name == "needs" else "Objection", "Mentions", "Conversations"]
        rows = [[row["label"], row["count"], row["conversations"]] for row in table["rows"]]
    elif name == "handovers":
        headers = ["Motif", "Demandes", "Part (%)"]
        rows = [[row["label"], row["count"], row["share"]] for row in table["rows"]]
    elif name == "first_reply":
        headers = ["Indicateur", "Valeur"]
        rows = [
            ["Demandes créées", table["tickets"]],
            ["Demandes ayant reçu une réponse d'un conseiller", table["replied"]],
            ["Délai médian avant la première réponse (minutes)", _minutes(table["median_seconds"])],
            ["Délai avant la première réponse, 90e centile (minutes)", _minutes(table["p90_seconds"])],
        ]
    else:
        raise KeyError(name)
    return headers, rows


def _cell(value: Cell) -> str:
    """French Excel reads 12,5 as a number, not 12.5."""
    if value is None:
        return ""
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)).replace(".", ",")
    return str(value)


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte order mark (so that Excel reads the accents), `;` between cells, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_file_name(name: str, period: DashboardFilter) -> str:
    return f"tableau-de-bord-{FILE_NAMES[name]}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
