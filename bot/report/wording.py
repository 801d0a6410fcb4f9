"""The bilan's own sentences (bot/data/bilan.yml): what each level and each dimension's band
means in plain French, how to reach an advisor, and every heading, label and sentence of the
page, its PDF and the page of a missing bilan. Validated at load like every data file; the
page's texts exactly like the chat's messages (bot/messages.py): a missing or unknown key, a
value the code does not give or a plural without both forms is refused, naming the file."""

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Tuple

from bot.datafile import DATA_DIR, DataFileError, check_known, load_yaml, require
from bot.diagnostic.questionnaire import SPEC_CONTRACT
from bot.diagnostic.scoring import maturity_level
from bot.labels import LEVELS
from bot.messages import Template, check_templates, fill, flatten

PAGE_SECTION = "page"
SECTIONS = ("levels", "dimensions", "no_reference", "advisor", PAGE_SECTION)

# Every text of the page section and the values it may use ("count" chooses a plural's form).
PAGE_CONTRACT: Dict[str, FrozenSet[str]] = {
    f"{PAGE_SECTION}.{key}": frozenset(values)
    for key, values in {
        "title": (),
        "brand": (),
        "heading": (),
        "diagnostic": ("date", "version"),
        "download": (),
        "personal": (),
        "profile.label": (),
        "profile.sector": (),
        "profile.headcount": (),
        "profile.people": ("count",),
        "overall.title": (),
        "overall.bookmark": (),
        "overall.caption": (),
        "overall.level": ("level",),
        "themes.title": (),
        "themes.pdf_title": (),
        "themes.chart": (),
        "themes.chart_summary": ("scores",),
        "themes.chart_score": ("dimension", "score"),
        "table.caption": (),
        "table.theme": (),
        "table.score": (),
        "table.change": ("since",),
        "table.reference": (),
        "table.overall": (),
        "details_title": (),
        "priorities_title": (),
        "resources.title": (),
        "resources.for_theme": ("organisation", "dimension"),
        "guide.provider": ("provider",),
        "guide.questions": (),
        "guide.warnings": (),
        "advisor_title": (),
        "sources": ("sources",),
        "pdf.running_title": (),
        "pdf.page_number": ("number", "total"),
        "pdf.subject": (),
        "not_found.title": (),
        "not_found.heading": (),
        "not_found.reason": (),
        "not_found.next_step": (),
        "unavailable.title": (),
        "unavailable.heading": (),
        "unavailable.reason": (),
        "unavailable.next_step": (),
    }.items()
}


@dataclass(frozen=True)
class BilanWording:
    levels: Mapping[str, str]  # level id → what the overall level means
    dimensions: Mapping[str, Mapping[str, str]]  # dimension id → band (a level id) → 2–3 sentences
    no_reference: str  # beside a dimension with no national figure
    advisor: str  # how to reach an advisor
    page: Mapping[str, Template]  # "table.theme" → a heading, label or sentence of the page (PAGE_CONTRACT)

    def dimension_text(self, dimension: str, score: float) -> str:
        """The sentences for this dimension's score, banded like the overall level (25/50/75)."""
        return self.dimensions[dimension][maturity_level(score)]

    def text(self, key: str, **values: object) -> str:
        """The page's text `key` ("table.theme"), its {values} filled in; a plural is chosen by `count`."""
        return fill(self.page[key], values, f"{PAGE_SECTION}.{key}")

    def parts(self, key: str) -> List[Tuple[str, Optional[str]]]:
        """The page's text `key` as its literal pieces, each with the name of the {value} that
        follows it (None after the last): for a value shown in its own style, such as bold."""
        template = self.page[key]
        if not isinstance(template, str):
            raise TypeError(f"{PAGE_SECTION}.{key} is a plural: use text(…, count=<int>)")
        return [(literal, name) for literal, name, _, _ in string.Formatter().parse(template)]


def _texts(raw: object, keys: tuple, where: str) -> Dict[str, str]:
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: expected one text for each of {', '.join(keys)}")
    check_known(raw, list(keys), where)
    texts = {}
    for key in keys:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise DataFileError(f"{where}.{key}: missing text")
        texts[key] = " ".join(value.split())
    return texts


def parse_wording(content: dict, source: str = "bilan.yml") -> BilanWording:
    check_known(content, SECTIONS, source)
    levels = _texts(require(content, "levels", source, dict), LEVELS, f"{source}: levels")
    raw_dimensions = require(content, "dimensions", source, dict)
    check_known(raw_dimensions, list(SPEC_CONTRACT), f"{source}: dimensions")
    dimensions = {
        dimension: _texts(raw_dimensions.get(dimension), LEVELS, f"{source}: dimensions.{dimension}")
        for dimension in SPEC_CONTRACT
    }
    return BilanWording(
        levels=levels,
        dimensions=dimensions,
        no_reference=" ".join(require(content, "no_reference", source).split()),
        advisor=" ".join(require(content, "advisor", source).split()),
        page=_page_texts(require(content, PAGE_SECTION, source, dict), source),
    )


def _page_texts(raw: Mapping, source: str) -> Dict[str, Template]:
    """The page section, checked like the chat's messages; keyed without the "page." prefix."""
    texts = check_templates(
        flatten(raw, f"{PAGE_SECTION}."), PAGE_CONTRACT, source, what="texts", unused="the bilan never shows them"
    )
    return {key[len(PAGE_SECTION) + 1 :]: template for key, template in texts.items()}


@lru_cache(maxsize=4)
def load_wording(path: Path = DATA_DIR / "bilan.yml") -> BilanWording:
    return parse_wording(load_yaml(path), source=str(path))
