"""Reference figures on French SMEs (SPEC section 5), from bot/data/sme_figures.yml."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional, Tuple

from bot.datafile import DATA_DIR, DataFileError, check_known, load_yaml, require
from bot.diagnostic.questionnaire import SPEC_CONTRACT


@dataclass(frozen=True)
class Figure:
    id: str
    text: str
    value: float
    year: int
    source: str
    dimension: str

    @property
    def citation(self) -> str:
        return f"{self.text.rstrip('. ')} ({self.source}, {self.year})."


@dataclass(frozen=True)
class ReferenceFigures:
    figures: Tuple[Figure, ...]
    comparisons: Tuple[Tuple[str, str], ...]  # (dimension or "overall", figure id)

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures)

    def comparison_for(self, dimension: str) -> Optional[Figure]:
        figure_id = dict(self.comparisons).get(dimension)
        return next((figure for figure in self.figures if figure.id == figure_id), None)


def parse_figures(content: dict, source: str = "sme_figures.yml") -> ReferenceFigures:
    figures = []
    for index, raw in enumerate(require(content, "figures", source, list)):
        where = f"{source}: figures[{index}]"
        dimension = require(raw, "dimension", where)
        check_known([dimension], list(SPEC_CONTRACT) + ["overall"], f"{where}.dimension")
        year = raw.get("year")
        if not isinstance(year, int):
            raise DataFileError(f"{where}: 'year' must be a year such as 2025 (every figure cites its year)")
        value = raw.get("value")
        if not isinstance(value, (int, float)):
            raise DataFileError(f"{where}: 'value' must be a number")
        figures.append(
            Figure(
                id=require(raw, "id", where),
                text=require(raw, "text", where),
                value=float(value),
                year=year,
                source=require(raw, "source", where),
                dimension=dimension,
            )
        )
    ids = [figure.id for figure in figures]
    comparisons = content.get("comparisons") or {}
    if not isinstance(comparisons, dict):
        raise DataFileError(f"{source}: 'comparisons' must map a dimension to a figure id")
    check_known(comparisons, list(SPEC_CONTRACT) + ["overall"], f"{source}: comparisons")
    for dimension, figure_id in comparisons.items():
        if figure_id not in ids:
            raise DataFileError(f"{source}: comparisons.{dimension} names unknown figure '{figure_id}'")
    return ReferenceFigures(tuple(figures), tuple(comparisons.items()))


@lru_cache(maxsize=4)
def load_figures(path: Path = DATA_DIR / "sme_figures.yml") -> ReferenceFigures:
    return parse_figures(load_yaml(path), source=str(path))
