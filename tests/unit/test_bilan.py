"""The owner's bilan (issue 13): what build_bilan says, its wording file, the radar's
geometry, the web page and the PDF. Records are built directly; the data files are the real
ones (questionnaire, figures, catalogue, labels, bilan wording)."""

import dataclasses
import math
import re
import string
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from html import unescape
from io import BytesIO
from pathlib import Path
from typing import Dict, Mapping, Optional, Sequence

import pytest
import yaml
from pypdf import PdfReader

from bot.advice.catalogue import load_catalogue
from bot.advice.figures import load_figures
from bot.datafile import DATA_DIR, DataFileError
from bot.diagnostic.questionnaire import load_questionnaire
from bot.diagnostic.scoring import maturity_level
from bot.labels import load_labels
from bot.report import pdf as pdf_module
from bot.report.bilan import Bilan, build_bilan
from bot.report.page import not_found_page, progress_text, render_page
from bot.report.pdf import FontMissing, font_paths, render_pdf
from bot.report.radar import RINGS, Point, angle, build_radar, label_anchor, line_baselines, point_at, split_label
from bot.report.records import DiagnosticRecord, new_bilan_id
from bot.report.wording import PAGE_CONTRACT, load_wording, parse_wording

Q = load_questionnaire()
FIGURES = load_figures()
CATALOGUE = load_catalogue()
WORDING = load_wording()
DIMENSIONS = [dimension.id for dimension in Q.dimensions]
LABELS = {dimension.id: dimension.label for dimension in Q.dimensions}
PDF_URL = "/bilan/AbCdEfGhIjKlMnOpQrStUv.pdf"
ROOT = Path(__file__).resolve().parents[2]
SENDER = "jean.dupont@example.fr"

# A realistic set of scores, with decimals as stored (rounded on show).
SCORES = {
    "strategy": 50.0,
    "infrastructure": 85.0,
    "online_presence": 62.5,
    "management": 10.0,
    "security": 36.67,
    "skills": 35.0,
    "automation_ai": 22.4,
}
EARLIER = {**SCORES, "online_presence": 36.2, "security": 8.3, "automation_ai": 26.0}


def record(
    scores: Mapping[str, float],
    completed_at: datetime = datetime(2026, 12, 3, 10, 30),
    recommendations: Sequence[str] = (),
    sector: Optional[str] = "retail",
    headcount: Optional[int] = 3,
) -> DiagnosticRecord:
    overall = sum(scores.values()) / len(scores)
    return DiagnosticRecord(
        id=new_bilan_id(),
        sender_id=SENDER,
        started_at=completed_at,
        channel="socketio",
        questionnaire_version=Q.version,
        sector=sector,
        headcount=headcount,
        answered=15,
        completed_at=completed_at,
        score_overall=overall,
        maturity_level=maturity_level(overall),
        dimension_scores=dict(scores),
        recommendations=tuple(recommendations),
    )


def bilan_of(current: DiagnosticRecord, previous: Optional[DiagnosticRecord] = None) -> Bilan:
    return build_bilan(current, Q, FIGURES, CATALOGUE, WORDING, previous)


def with_scores(**changes: float) -> Dict[str, float]:
    return {**{dimension: 60.0 for dimension in DIMENSIONS}, **changes}


EURO_ENTRY = next(
    entry for entry in CATALOGUE.entries if entry.recommendable and entry.cost_note and "€" in entry.cost_note
)


@pytest.fixture(scope="module")
def full_bilan() -> Bilan:
    """Progress since June, a recommendation with € in its cost note, a buyer's guide."""
    previous = record(EARLIER, completed_at=datetime(2026, 6, 12, 15, 0))
    current = record(SCORES, recommendations=("francenum_portal", EURO_ENTRY.id))
    return bilan_of(current, previous)


# --- build_bilan ---------------------------------------------------------------------------

WEAKEST_CASES = [
    # (scores, the two priorities in order)
    (SCORES, ("management", "automation_ai")),
    (with_scores(), ("strategy", "infrastructure")),  # all equal: the questionnaire's order
    (with_scores(security=10, skills=10), ("security", "skills")),
    (with_scores(skills=10, security=10.4), ("skills", "security")),
    (with_scores(online_presence=0), ("online_presence", "strategy")),
]


@pytest.mark.parametrize("scores, expected", WEAKEST_CASES)
def test_numbers_are_the_stored_scores_and_the_two_weakest_come_first(scores, expected):
    bilan = bilan_of(record(scores))
    assert [dimension.id for dimension in bilan.dimensions] == DIMENSIONS
    for dimension in bilan.dimensions:
        assert dimension.score == scores[dimension.id]
        assert dimension.shown == round(scores[dimension.id])
        assert dimension.label == LABELS[dimension.id]
    overall = sum(scores.values()) / len(scores)
    assert bilan.overall == pytest.approx(overall)
    assert bilan.overall_shown == round(overall)
    assert bilan.level == maturity_level(overall)
    assert bilan.level_label == load_labels().levels[bilan.level]
    assert bilan.level_text == WORDING.levels[bilan.level]
    assert bilan.weakest == tuple(LABELS[dimension] for dimension in expected)


PROGRESS_CASES = [
    # (dimension, before, after, points shown)
    ("online_presence", 36.2, 62.5, 26),  # 36 → 62: 62.5 is shown as 62 (round half to even)
    ("security", 8.3, 36.67, 29),
    ("automation_ai", 26.0, 22.4, -4),
    ("strategy", 50.0, 50.0, 0),
    ("infrastructure", 84.6, 85.0, 0),  # both shown as 85
]


@pytest.mark.parametrize("dimension, before, after, points", PROGRESS_CASES)
def test_progress_is_the_change_between_the_rounded_scores(dimension, before, after, points):
    previous = record({**SCORES, dimension: before}, completed_at=datetime(2026, 6, 12))
    bilan = bilan_of(record({**SCORES, dimension: after}), previous)
    assert bilan.progress is not None
    assert bilan.progress.since == datetime(2026, 6, 12)
    summary = next(item for item in bilan.dimensions if item.id == dimension)
    assert summary.change == points
    change = next(item for item in bilan.progress.changes if item.dimension == dimension)
    assert change.points == points


def test_no_previous_diagnostic_means_no_progress():
    bilan = bilan_of(record(SCORES))
    assert bilan.progress is None
    assert all(dimension.change is None for dimension in bilan.dimensions)


GUIDE_CASES = [
    # (first priority, the buyer's guide shown, or None)
    ("management", "buyers_guide_invoicing_software"),
    ("online_presence", "buyers_guide_website_agency"),
    ("security", "buyers_guide_it_maintenance"),
    ("skills", "buyers_guide_it_maintenance"),
    ("infrastructure", "buyers_guide_it_maintenance"),
    ("automation_ai", None),
    ("strategy", None),
]


@pytest.mark.parametrize("weakest, guide", GUIDE_CASES)
def test_the_buyers_guide_is_the_first_prioritys(weakest, guide):
    bilan = bilan_of(record(with_scores(**{weakest: 5})))
    assert bilan.weakest[0] == LABELS[weakest]
    assert (bilan.guide.id if bilan.guide else None) == guide
    if bilan.guide:
        assert bilan.guide.guide is not None and bilan.guide.guide.ask and bilan.guide.guide.warning_signs


BAND_CASES = [
    (0, "basic"),
    (25, "basic"),
    (25.01, "intermediate"),
    (50, "intermediate"),
    (50.01, "advanced"),
    (75, "advanced"),
    (75.01, "leader"),
    (100, "leader"),
]


@pytest.mark.parametrize("score, band", BAND_CASES)
@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_each_dimension_reads_the_text_of_its_own_band(dimension, score, band):
    bilan = bilan_of(record(with_scores(**{dimension: score})))
    summary = next(item for item in bilan.dimensions if item.id == dimension)
    assert summary.text == WORDING.dimensions[dimension][band]


def test_the_stored_recommendations_are_shown_in_their_order_and_a_removed_one_is_skipped():
    bilan = bilan_of(record(SCORES, recommendations=("cybermalveillance_portal_x", EURO_ENTRY.id, "francenum_portal")))
    assert [item.entry.id for item in bilan.recommendations] == [EURO_ENTRY.id, "francenum_portal"]


def test_without_stored_recommendations_the_chats_choice_is_made_again():
    bilan = bilan_of(record(SCORES))
    assert 1 <= len(bilan.recommendations) <= 3
    assert all(item.entry.recommendable for item in bilan.recommendations)


def test_an_unfinished_diagnostic_has_no_bilan():
    unfinished = dataclasses.replace(record(SCORES), completed_at=None, score_overall=None)
    with pytest.raises(ValueError, match="not completed"):
        bilan_of(unfinished)


def test_every_figure_is_cited_once_with_its_source(full_bilan):
    ids = [figure.id for figure in full_bilan.sources]
    assert len(ids) == len(set(ids))
    assert full_bilan.overall_reference is not None and full_bilan.overall_reference in full_bilan.sources
    for dimension in full_bilan.dimensions:
        assert dimension.reference is None or dimension.reference in full_bilan.sources


# --- bot/data/bilan.yml ----------------------------------------------------------------------


def raw_wording() -> dict:
    return yaml.safe_load((DATA_DIR / "bilan.yml").read_text(encoding="utf-8"))


def write(tmp_path: Path, content: dict) -> Path:
    path = tmp_path / "bilan.yml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def without(content: dict, *keys: str) -> dict:
    *parents, last = keys
    node = content
    for key in parents:
        node = node[key]
    del node[last]
    return content


BROKEN_WORDINGS = [
    # (how the file is broken, what the error names)
    (lambda content: without(content, "dimensions", "security", "leader"), r"dimensions\.security\.leader: missing"),
    (lambda content: without(content, "dimensions", "skills"), r"dimensions\.skills"),
    (
        lambda content: {**content, "dimensions": {**content["dimensions"], "marketing": {}}},
        "unknown value 'marketing'",
    ),
    (lambda content: without(content, "levels", "advanced"), r"levels\.advanced: missing"),
    (lambda content: {**content, "levels": {**content["levels"], "expert": "Bravo."}}, "unknown value 'expert'"),
    (lambda content: without(content, "no_reference"), "missing 'no_reference'"),
    (lambda content: without(content, "advisor"), "missing 'advisor'"),
    (lambda content: without(content, "page"), "missing 'page'"),
    (lambda content: {**content, "pages": content["page"]}, "unknown value 'pages'"),
]


def page_text(content: dict, key: str, value: object) -> dict:
    """The page section's text `key` ("table.theme") set to `value`."""
    *groups, last = key.split(".")
    node = content["page"]
    for group in groups:
        node = node[group]
    node[last] = value
    return content


BROKEN_PAGE_TEXTS = [
    # (how the page section is broken, what the error names)
    (lambda content: without(content, "page", "download"), r"missing texts: page\.download$"),
    (lambda content: without(content, "page", "table", "change"), r"missing texts: page\.table\.change$"),
    (lambda content: without(content, "page", "not_found"), r"missing texts: page\.not_found\.heading, "),
    (
        lambda content: page_text(content, "table.colour", "Couleur"),
        r"unknown texts \(the bilan never shows them\): page\.table\.colour$",
    ),
    (
        lambda content: page_text(content, "table.change", "Évolution depuis le {depuis}"),
        r"page\.table\.change: unknown value \{depuis\} \(this message can use: \{since\}\)",
    ),
    (
        lambda content: page_text(content, "download", "Télécharger le PDF de {company}"),
        r"page\.download: unknown value \{company\} \(this message can use: none\)",
    ),
    (
        lambda content: page_text(content, "profile.people", {"one": "{count} personne"}),
        r"page\.profile\.people: a plural needs exactly the forms 'one' and 'other'",
    ),
    (
        lambda content: page_text(content, "profile.people", {"one": "{count} personne", "other": ""}),
        r"page\.profile\.people: expected a non-empty text",
    ),
    (lambda content: page_text(content, "heading", "  "), r"page\.heading: expected a non-empty text"),
    (lambda content: page_text(content, "pdf.page_number", "Page {number"), r"page\.pdf\.page_number: "),
]


@pytest.mark.parametrize("breaking, message", BROKEN_WORDINGS + BROKEN_PAGE_TEXTS)
def test_a_broken_wording_file_is_refused_naming_the_file(tmp_path, breaking, message):
    path = write(tmp_path, breaking(raw_wording()))
    with pytest.raises(DataFileError) as error:
        load_wording(path)
    assert str(path) in str(error.value)
    assert re.search(message, str(error.value))


def test_the_page_section_holds_every_text_the_page_and_the_pdf_show():
    assert {f"page.{key}" for key in WORDING.page} == set(PAGE_CONTRACT)
    assert WORDING.text("profile.people", count=1) == "1 personne"
    assert WORDING.text("profile.people", count=0) == "0 personne"
    assert WORDING.text("profile.people", count=2) == "2 personnes"
    assert WORDING.text("table.change", since="12 juin") == "Évolution depuis le 12 juin"
    assert WORDING.parts("overall.level") == [("Niveau : ", "level")]
    with pytest.raises(TypeError, match="plural"):
        WORDING.text("profile.people")


def test_every_page_text_is_shown_somewhere():
    """Each key of the page section is read by the page, the PDF or the page of a missing bilan."""
    code = "".join((ROOT / "bot" / "report" / name).read_text(encoding="utf-8") for name in ("page.py", "pdf.py"))
    quoted = set(re.findall(r"[\"']([a-z_.]+)[\"']", code))
    unused = sorted(key for key in PAGE_CONTRACT if key.removeprefix("page.") not in quoted)
    assert not unused


def test_no_french_of_the_page_section_is_written_again_in_the_code():
    """A sentence of the page section opening a string literal again in the page, the PDF or
    the bilan's routes would drift from the file (as test_labels checks for the names)."""
    sources = [ROOT / "bot" / "report" / name for name in ("page.py", "pdf.py")]
    sources.append(ROOT / "bot" / "adapters" / "channels" / "bilan_pages.py")
    code = "".join(path.read_text(encoding="utf-8") for path in sources)
    for key, template in WORDING.page.items():
        for form in template.values() if isinstance(template, Mapping) else [template]:
            for literal, _, _, _ in string.Formatter().parse(form):
                if len(literal.strip()) > 3:
                    assert not re.search("[\"']" + re.escape(literal.strip()), code), (key, literal)


REWORDED = [
    # (page text, new wording, what the page then shows, what the PDF then shows)
    ("download", "Enregistrer en PDF", ">Enregistrer en PDF</a>", None),
    ("table.theme", "Domaine", '<th scope="col">Domaine</th>', "Domaine"),
    ("overall.level", "Votre niveau : {level} !", "Votre niveau\u00a0: <strong>", "Votre niveau : Intermédiaire !"),
    ("profile.people", {"one": "{count} salarié", "other": "{count} salariés"}, "<dd>3 salariés</dd>", "3 salariés"),
    ("pdf.page_number", "{number} sur {total}", None, "1 sur "),
    ("sources", "Chiffres : {sources}", "<strong>Chiffres\u00a0:</strong> ", "Chiffres : "),
]


@pytest.mark.parametrize("key, wording, in_page, in_pdf", REWORDED)
def test_a_reworded_page_text_is_shown_on_the_page_and_in_the_pdf(full_bilan, key, wording, in_page, in_pdf):
    words = parse_wording(page_text(raw_wording(), key, wording))
    if in_page:
        assert in_page in render_page(full_bilan, PDF_URL, words)
    if in_pdf:
        reader = PdfReader(BytesIO(render_pdf(full_bilan, words)))
        assert in_pdf in plain(" ".join(page.extract_text() for page in reader.pages))


def test_the_wording_has_every_text_short_and_without_figures_or_links():
    for level, text in WORDING.levels.items():
        assert 40 < len(text) <= 350, level
    for dimension, bands in WORDING.dimensions.items():
        for band, text in bands.items():
            assert 40 < len(text) <= 350, (dimension, band)
            assert not re.search(r"\d|https?:|www\.", text), (dimension, band)
    assert "« je veux parler à un conseiller »" in WORDING.advisor
    assert WORDING.no_reference


# --- the radar's geometry --------------------------------------------------------------------

CENTRE = Point(100.0, 80.0)


@pytest.mark.parametrize("count", [3, 4, 7, 8])
def test_the_first_axis_points_up_and_the_others_follow_clockwise(count):
    ends = [point_at(CENTRE, 50, index, count, 100) for index in range(count)]
    assert ends[0].x == pytest.approx(CENTRE.x) and ends[0].y == pytest.approx(CENTRE.y - 50)
    # Clockwise on a page whose y grows downwards: the second axis is to the right of the first.
    assert ends[1].x > CENTRE.x
    angles = [math.atan2(end.x - CENTRE.x, CENTRE.y - end.y) % (2 * math.pi) for end in ends]
    assert angles == sorted(angles)
    assert angle(1, count) == pytest.approx(2 * math.pi / count)


def test_four_axes_go_up_right_down_left():
    ends = [point_at(CENTRE, 10, index, 4, 100) for index in range(4)]
    expected = [(100, 70), (110, 80), (100, 90), (90, 80)]
    assert [(round(end.x, 6), round(end.y, 6)) for end in ends] == expected


VALUE_CASES = [(100, 40.0), (0, 0.0), (50, 20.0), (25, 10.0), (150, 40.0), (-10, 0.0)]


@pytest.mark.parametrize("value, distance", VALUE_CASES)
@pytest.mark.parametrize("index", range(7))
def test_a_value_sits_at_its_share_of_the_radius(index, value, distance):
    point = point_at(CENTRE, 40, index, 7, value)
    assert math.hypot(point.x - CENTRE.x, point.y - CENTRE.y) == pytest.approx(distance)


def test_the_chart_has_its_rings_axes_polygon_and_labels():
    values = [50, 85, 62.5, 10, 36.67, 35, 22.4]
    radar = build_radar(values, CENTRE, 40, 5)
    assert [ring.value for ring in radar.rings] == list(RINGS) == [25, 50, 75, 100]
    for ring in radar.rings:
        for point in ring.points:
            assert math.hypot(point.x - CENTRE.x, point.y - CENTRE.y) == pytest.approx(40 * ring.value / 100)
    assert radar.axes == radar.rings[-1].points
    assert len(radar.polygon) == len(radar.labels) == 7
    for value, point in zip(values, radar.polygon, strict=True):
        assert math.hypot(point.x - CENTRE.x, point.y - CENTRE.y) == pytest.approx(40 * value / 100)
    assert (radar.labels[0].align, radar.labels[0].vertical) == ("middle", "above")
    assert radar.labels[2].align == "start" and radar.labels[5].align == "end"  # right side, left side
    for anchor in radar.labels:
        assert math.hypot(anchor.point.x - CENTRE.x, anchor.point.y - CENTRE.y) == pytest.approx(45)


def test_label_blocks_sit_above_beside_or_below_their_anchor():
    top = label_anchor(CENTRE, 40, 0, 4, 5)
    bottom = label_anchor(CENTRE, 40, 2, 4, 5)
    side = label_anchor(CENTRE, 40, 1, 4, 5)
    assert (top.vertical, bottom.vertical, side.vertical) == ("above", "below", "middle")
    above = line_baselines(top, 3, 4, 3)
    assert above == sorted(above) and above[-1] <= top.point.y
    below = line_baselines(bottom, 3, 4, 3)
    assert below[0] - 3 == pytest.approx(bottom.point.y)
    beside = line_baselines(side, 2, 4, 3)
    assert (beside[0] - 3 + beside[-1]) / 2 == pytest.approx(side.point.y)


@pytest.mark.parametrize(
    "label, lines",
    [
        ("Outils de gestion", ["Outils de", "gestion"]),
        ("Présence en ligne et vente", ["Présence en", "ligne et vente"]),
        ("IA", ["IA"]),
        ("Données", ["Données"]),
    ],
)
def test_long_labels_go_on_two_even_lines(label, lines):
    assert split_label(label, 12) == lines
    assert " ".join(split_label(label, 12)) == label


# --- the page --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(full_bilan) -> str:
    return render_page(full_bilan, PDF_URL)


def plain(text: str) -> str:
    """Text as read: no-break spaces as spaces, runs of white space as one."""
    return " ".join(text.replace("\u00a0", " ").split())


def read(html: str) -> str:
    """The page's text and markup, its entities decoded."""
    return plain(unescape(html))


def test_the_page_is_a_private_french_page_with_one_stylesheet_and_no_script(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'name="viewport"' in page
    assert "<title>Votre bilan numérique — Conseiller numérique</title>" in page
    assert page.count("<link ") == 1 and '<link rel="stylesheet" href="/bilan/bilan.css">' in page
    assert "<script" not in page and "<style" not in page and " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)  # no event handler attribute


def test_the_page_shows_every_rounded_score_the_level_and_the_dimension_texts(page, full_bilan):
    text = read(page)
    assert f'{full_bilan.overall_shown}<span class="out-of">/100' in page
    assert full_bilan.level_label in text and plain(full_bilan.level_text) in text
    for dimension in full_bilan.dimensions:
        assert f'data-label="Votre score">{dimension.shown}<span' in page
        assert f"{dimension.shown}/100" in text
        assert plain(dimension.text) in text
    assert "62" in text and "63/100" not in text  # 62.5 is shown as Python rounds it, 62


def test_the_page_compares_with_the_figures_and_cites_their_sources(page, full_bilan):
    text = read(page)
    for dimension in full_bilan.dimensions:
        if dimension.reference:
            assert plain(dimension.reference.citation) in text
        else:
            assert plain(full_bilan.no_reference) in text
    for figure in full_bilan.sources:
        assert f"{plain(figure.source)}, {figure.year}" in text


def test_the_page_shows_progress_in_the_table_and_as_a_sentence(page, full_bilan):
    text = read(page)
    assert "Évolution depuis le 12 juin" in text
    assert ">+26<" in page and ">+29<" in page and ">−4<" in page
    sentence = progress_text(full_bilan)
    assert sentence and plain(sentence) in text
    assert "Depuis votre diagnostic du 12 juin" in text


def test_the_page_has_the_profile_but_never_a_contact(page):
    text = read(page)
    assert "Commerce" in text and "3 personnes" in text
    assert SENDER not in page and "@" not in page


@pytest.mark.parametrize("headcount, words", [(1, "1 personne"), (12, "12 personnes")])
def test_the_headcount_is_written_in_words(headcount, words):
    html = render_page(bilan_of(record(SCORES, headcount=headcount)), PDF_URL)
    assert f"<dd>{words}</dd>" in html


def test_the_page_links_the_pdf_the_resources_and_shows_the_buyers_guide(page, full_bilan):
    assert f'<a class="button" href="{PDF_URL}" download>Télécharger le PDF</a>' in page
    for item in full_bilan.recommendations:
        assert f'href="{item.entry.url}"' in page
    text = read(page)
    assert "Guide d'achat : choisir" in text
    assert full_bilan.guide is not None and full_bilan.guide.guide is not None
    for question in full_bilan.guide.guide.ask:
        assert plain(question) in text
    for sign in full_bilan.guide.guide.warning_signs:
        assert plain(sign) in text
    assert plain(full_bilan.advisor_text) in text
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert all(href.startswith(("https://", "http://")) or href in (PDF_URL, "/bilan/bilan.css") for href in hrefs)


def test_the_radar_is_an_accessible_vector_image(page, full_bilan):
    svg = ElementTree.fromstring(page[page.index("<svg") : page.index("</svg>") + len("</svg>")])
    assert svg.get("role") == "img"
    label = svg.get("aria-label") or ""
    for dimension in full_bilan.dimensions:
        assert f"{dimension.label} {dimension.shown} sur 100" in label
    namespace = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{namespace}circle")) == 7
    assert len(svg.findall(f"{namespace}polygon")) == 5  # four rings and the scores
    assert svg.findall(f"{namespace}image") == []


def test_a_missing_bilan_gets_a_private_french_page_in_the_words_of_the_file():
    html = not_found_page()
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "<title>Bilan introuvable — Conseiller numérique</title>" in html
    assert "<h1>Ce bilan est introuvable</h1>" in html
    assert plain(unescape(WORDING.text("not_found.reason"))) in read(html)
    assert "<script" not in html and " style=" not in html
    words = parse_wording(page_text(raw_wording(), "not_found.heading", "<b>Perdu</b> ?"))
    assert "<h1>&lt;b&gt;Perdu&lt;/b&gt;\u00a0?</h1>" in not_found_page(words)


HOSTILE = "<script>alert('x')</script>"


def test_every_inserted_text_is_escaped(full_bilan):
    hostile_entry = dataclasses.replace(
        full_bilan.recommendations[0].entry, title=HOSTILE, organisation=HOSTILE, url="javascript:alert(1)"
    )
    hostile = dataclasses.replace(
        full_bilan,
        sector_label=HOSTILE,
        level_text=HOSTILE,
        level_label=HOSTILE,
        questionnaire_version=HOSTILE,
        advisor_text=HOSTILE,
        no_reference=HOSTILE,
        weakest=(HOSTILE, HOSTILE),
        dimensions=tuple(
            dataclasses.replace(dimension, label=HOSTILE, text=HOSTILE, reference=None)
            for dimension in full_bilan.dimensions
        ),
        recommendations=(
            dataclasses.replace(full_bilan.recommendations[0], entry=hostile_entry, dimension_label=HOSTILE),
        ),
    )
    html = render_page(hostile, '/bilan/x.pdf"><script>')
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in html


# --- the PDF ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_bytes(full_bilan) -> bytes:
    return render_pdf(full_bilan)


@pytest.fixture(scope="module")
def reader(pdf_bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf_bytes))


@pytest.fixture(scope="module")
def pdf_text(reader) -> str:
    return plain(" ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_is_a_valid_a4_document_with_its_metadata(pdf_bytes, reader):
    assert pdf_bytes.startswith(b"%PDF-")
    assert len(reader.pages) >= 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert reader.metadata is not None
    assert reader.metadata.title == "Votre bilan numérique — Conseiller numérique"
    assert reader.metadata.creator == "Conseiller numérique"
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_the_pdf_says_the_scores_the_level_and_the_labels(pdf_text, full_bilan, reader):
    assert f"{full_bilan.overall_shown} /100" in pdf_text or f"{full_bilan.overall_shown}/100" in pdf_text
    assert full_bilan.level_label in pdf_text
    for dimension in full_bilan.dimensions:
        assert dimension.label in pdf_text
        assert f"{dimension.shown}/100" in pdf_text
    assert f"Page 1/{len(reader.pages)}" in pdf_text


def test_the_pdf_has_the_progress_the_guillemets_euros_and_the_minus_sign(pdf_text, full_bilan):
    sentence = progress_text(full_bilan)
    assert sentence and plain(sentence) in pdf_text
    assert "−4" in pdf_text  # a real minus sign
    assert "« je veux parler à un conseiller »" in pdf_text
    assert EURO_ENTRY.cost_note and plain(EURO_ENTRY.cost_note) in pdf_text
    assert "€" in pdf_text
    for figure in full_bilan.sources:
        assert f"{plain(figure.source)}, {figure.year}" in pdf_text


def test_the_pdf_never_holds_a_contact(pdf_bytes, pdf_text):
    assert SENDER not in pdf_text and SENDER.encode() not in pdf_bytes


def test_the_pdf_embeds_dejavu_sans_as_truetype(reader):
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for reference in fonts.values():
            font = reference.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000
            seen.add(str(font["/BaseFont"]).split("+")[-1])
    assert seen == {"DejaVuSansBook", "DejaVuSansBold"}  # regular and bold


def test_the_pdf_draws_the_radar_as_vectors_and_links_the_resources(reader, full_bilan):
    for page in reader.pages:
        assert "/XObject" not in page["/Resources"]  # no image
    uris = {
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    }
    for item in full_bilan.recommendations:
        if item.entry.url:
            assert item.entry.url in uris


def test_a_bilan_without_profile_progress_or_guide_still_renders():
    bilan = bilan_of(record(with_scores(automation_ai=5), sector=None, headcount=None))
    assert bilan.guide is None and bilan.progress is None
    text = plain(" ".join(page.extract_text() for page in PdfReader(BytesIO(render_pdf(bilan))).pages))
    assert "EFFECTIF" not in text and "Évolution" not in text
    assert "Votre bilan numérique" in text
    html = render_page(bilan, PDF_URL)
    assert "<dl" not in html and "Évolution" not in html


def test_a_missing_font_is_named_in_the_error(monkeypatch):
    font_paths.cache_clear()
    monkeypatch.setattr(pdf_module.importlib.util, "find_spec", lambda name: None)
    try:
        with pytest.raises(FontMissing, match="DejaVuSans.ttf"):
            font_paths()
    finally:
        font_paths.cache_clear()
