"""The owner's bilan as a standalone French web page (/bilan/<id>), and the page of a bilan
that cannot be found.

The page links one stylesheet, /bilan/bilan.css, and holds no script, no <style> and no
style attribute: the server's Content-Security-Policy forbids them. Its words come from the
page section of bot/data/bilan.yml (bot/report/wording.py); every text, the wording's and
the values inserted, is HTML-escaped. The small text helpers here are shared with the PDF
(bot/report/pdf.py) so that both say the same thing in the same words.
"""

from html import escape
from typing import List, Optional, Sequence, Tuple

from bot.advice.catalogue import Entry
from bot.advice.figures import Figure
from bot.labels import load_labels
from bot.report.bilan import Bilan, DimensionSummary
from bot.report.progress import french_date, local, points_text, progress_sentence
from bot.report.progress import since_label as progress_since
from bot.report.radar import Point, build_radar, line_baselines, split_label
from bot.report.wording import BilanWording, load_wording

STYLESHEET = "/bilan/bilan.css"

# The SVG radar's frame, in its own units (it scales with the page).
SVG_WIDTH = 540
SVG_HEIGHT = 400
SVG_RADIUS = 108
SVG_GAP = 14
SVG_LINE = 18  # the labels are 15px (bilan.css)
SVG_ASCENT = 11
LABEL_CHARS = 16  # longer labels go on two lines


NBSP = "\u00a0"
FRENCH_SPACES = tuple((f" {mark}", f"{NBSP}{mark}") for mark in "?!:;»%€") + (("« ", f"«{NBSP}"),)

# --- words shared with the PDF ----------------------------------------------------------


def french_spacing(text: str) -> str:
    """French typography: no line break before ?, !, :, ;, %, € or a closing », nor after an
    opening «: the space there becomes a no-break space."""
    for before, after in FRENCH_SPACES:
        text = text.replace(before, after)
    return text


def diagnostic_line(bilan: Bilan, words: BilanWording) -> str:
    return words.text("diagnostic", date=french_date(local(bilan.completed_at)), version=bilan.questionnaire_version)


def profile_facts(bilan: Bilan, words: BilanWording) -> List[Tuple[str, str]]:
    """What the bilan says of the company: its sector and size, never a contact."""
    facts = []
    if bilan.sector_label:
        facts.append((words.text("profile.sector"), bilan.sector_label))
    if bilan.headcount is not None:
        facts.append((words.text("profile.headcount"), words.text("profile.people", count=bilan.headcount)))
    return facts


def since_label(bilan: Bilan) -> Optional[str]:
    return None if bilan.progress is None else progress_since(bilan.progress, bilan.completed_at)


def progress_text(bilan: Bilan) -> Optional[str]:
    """The chat's sentence on what changed since the previous diagnostic."""
    return None if bilan.progress is None else progress_sentence(bilan.progress, bilan.completed_at)


def change_text(dimension: DimensionSummary) -> str:
    return "—" if dimension.change is None else points_text(dimension.change)


def reference_text(bilan: Bilan, dimension: DimensionSummary) -> str:
    return dimension.reference.citation if dimension.reference else bilan.no_reference


def overall_change_text(bilan: Bilan) -> str:
    return "—" if bilan.progress is None else points_text(bilan.progress.overall_points)


def overall_reference_text(bilan: Bilan) -> str:
    return bilan.overall_reference.citation if bilan.overall_reference else bilan.no_reference


def resource_meta(entry: Entry) -> str:
    """ "Formation en ligne · 4 heures · gratuit"."""
    return " · ".join((entry.format, entry.duration, load_labels().costs[entry.cost]))


def safe_url(url: Optional[str]) -> Optional[str]:
    """A link is only ever made to a web address."""
    return url if url and url.startswith(("https://", "http://")) else None


def source_citations(figures: Sequence[Figure]) -> List[str]:
    """ "Baromètre France Num 2025 (DGE / Crédoc), 2025", once per source and year."""
    citations: List[str] = []
    for figure in figures:
        citation = f"{figure.source}, {figure.year}"
        if citation not in citations:
            citations.append(citation)
    return citations


def radar_summary(bilan: Bilan, words: BilanWording) -> str:
    scores = ", ".join(
        words.text("themes.chart_score", dimension=dimension.label, score=dimension.shown)
        for dimension in bilan.dimensions
    )
    return words.text("themes.chart_summary", scores=scores)


def table_heads(bilan: Bilan, words: BilanWording) -> List[str]:
    """The scores table's column headings, the change since the previous diagnostic if any."""
    since = since_label(bilan)
    heads = [words.text("table.theme"), words.text("table.score")]
    if since:
        heads.append(words.text("table.change", since=since))
    heads.append(words.text("table.reference"))
    return heads


# --- the page ----------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape(french_spacing(str(value)), quote=True)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _points(points: Sequence[Point]) -> str:
    return " ".join(f"{_f(point.x)},{_f(point.y)}" for point in points)


def _styled(words: BilanWording, key: str, value_html: str) -> str:
    """The text `key` escaped, its one {value} replaced by `value_html` (markup, escaped by the caller)."""
    return "".join(_e(literal) + (value_html if name else "") for literal, name in words.parts(key))


def radar_svg(bilan: Bilan, words: BilanWording) -> str:
    centre = Point(SVG_WIDTH / 2, SVG_HEIGHT / 2)
    radar = build_radar([dimension.score for dimension in bilan.dimensions], centre, SVG_RADIUS, SVG_GAP)
    summary = radar_summary(bilan, words)
    parts = [
        f'<svg class="radar" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" aria-label="{_e(summary)}"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    for ring in radar.rings:
        parts.append(f'<polygon class="radar-ring" points="{_points(ring.points)}"/>')
    for axis in radar.axes:
        parts.append(
            f'<line class="radar-axis" x1="{_f(centre.x)}" y1="{_f(centre.y)}" x2="{_f(axis.x)}" y2="{_f(axis.y)}"/>'
        )
    for ring in radar.rings[:-1]:  # the ring's value, along the first (upward) axis
        tick = ring.points[0]
        parts.append(f'<text class="radar-tick" x="{_f(tick.x + 4)}" y="{_f(tick.y - 3)}">{ring.value}</text>')
    parts.append(f'<polygon class="radar-score" points="{_points(radar.polygon)}"/>')
    for point in radar.polygon:
        parts.append(f'<circle class="radar-dot" cx="{_f(point.x)}" cy="{_f(point.y)}" r="4"/>')
    anchors = {"start": "start", "middle": "middle", "end": "end"}
    for dimension, anchor in zip(bilan.dimensions, radar.labels, strict=True):
        lines = split_label(dimension.label, LABEL_CHARS)
        baselines = line_baselines(anchor, len(lines) + 1, SVG_LINE, SVG_ASCENT)
        parts.append(f'<text class="radar-label" text-anchor="{anchors[anchor.align]}">')
        for line, baseline in zip(lines, baselines[: len(lines)], strict=True):
            parts.append(f'<tspan x="{_f(anchor.point.x)}" y="{_f(baseline)}">{_e(line)}</tspan>')
        parts.append(
            f'<tspan class="radar-value" x="{_f(anchor.point.x)}" y="{_f(baselines[-1])}">{dimension.shown}</tspan>'
        )
        parts.append("</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _scores_table(bilan: Bilan, words: BilanWording) -> str:
    since = since_label(bilan)
    heads = table_heads(bilan, words)
    score_head, reference_head = _e(heads[1]), _e(heads[-1])
    rows = [
        '<table class="scores">',
        f"<caption>{_e(words.text('table.caption'))}</caption>",
        "<thead><tr>" + "".join(f'<th scope="col">{_e(head)}</th>' for head in heads) + "</tr></thead>",
        "<tbody>",
    ]
    for dimension in bilan.dimensions:
        cells = [
            f'<th scope="row">{_e(dimension.label)}</th>',
            f'<td class="score" data-label="{score_head}">{dimension.shown}<span class="out-of">/100</span></td>',
        ]
        if since:
            kind = "none" if not dimension.change else ("up" if dimension.change > 0 else "down")
            cells.append(
                f'<td class="change change-{kind}" data-label="{_e(heads[2])}">{_e(change_text(dimension))}</td>'
            )
        reference_class = "reference" if dimension.reference else "reference missing"
        cells.append(
            f'<td class="{reference_class}" data-label="{reference_head}">{_e(reference_text(bilan, dimension))}</td>'
        )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append("</tbody>")
    total = [
        f'<th scope="row">{_e(words.text("table.overall"))}</th>',
        f'<td class="score" data-label="{score_head}">{bilan.overall_shown}<span class="out-of">/100</span></td>',
    ]
    if since:
        total.append(f'<td class="change" data-label="{_e(heads[2])}">{_e(overall_change_text(bilan))}</td>')
    total.append(f'<td class="reference" data-label="{reference_head}">{_e(overall_reference_text(bilan))}</td>')
    rows.append("<tfoot><tr>" + "".join(total) + "</tr></tfoot></table>")
    return "\n".join(rows)


def _link(url: Optional[str], text: str) -> str:
    target = safe_url(url)
    return f'<a href="{_e(target)}">{_e(text)}</a>' if target else _e(text)


def _resources(bilan: Bilan, words: BilanWording) -> str:
    if not bilan.recommendations:
        return ""
    items = []
    for item in bilan.recommendations:
        entry = item.entry
        for_theme = words.text("resources.for_theme", organisation=entry.organisation, dimension=item.dimension_label)
        lines = [
            '<li class="resource">',
            f"<h3>{_link(entry.url, entry.title)}</h3>",
            f'<p class="resource-org">{_e(for_theme)}</p>',
            f"<p>{_e(entry.description)}</p>",
            f'<p class="resource-meta">{_e(resource_meta(entry))}</p>',
        ]
        if entry.cost_note:
            lines.append(f'<p class="resource-note">{_e(entry.cost_note)}</p>')
        target = safe_url(entry.url)
        if target:
            lines.append(f'<p class="resource-url"><a href="{_e(target)}">{_e(target)}</a></p>')
        lines.append("</li>")
        items.append("\n".join(lines))
    return (
        '<section class="resources" aria-labelledby="resources-title">\n'
        f'<h2 id="resources-title">{_e(words.text("resources.title"))}</h2>\n'
        '<ul class="resource-list">\n' + "\n".join(items) + "\n</ul>\n</section>"
    )


def _guide(bilan: Bilan, words: BilanWording) -> str:
    entry = bilan.guide
    if entry is None or entry.guide is None:
        return ""
    guide = entry.guide
    ask = "".join(f"<li>{_e(question)}</li>" for question in guide.ask)
    warnings = "".join(f"<li>{_e(sign)}</li>" for sign in guide.warning_signs)
    return (
        '<section class="guide" aria-labelledby="guide-title">\n'
        f'<h2 id="guide-title">{_e(entry.title)}</h2>\n'
        f'<p class="guide-provider">{_e(words.text("guide.provider", provider=guide.provider))}</p>\n'
        f"<p>{_e(entry.description)}</p>\n"
        '<div class="guide-columns">\n'
        f'<div><h3>{_e(words.text("guide.questions"))}</h3><ul class="checklist">{ask}</ul></div>\n'
        f'<div><h3>{_e(words.text("guide.warnings"))}</h3><ul class="warnings">{warnings}</ul></div>\n'
        "</div>\n</section>"
    )


def _sources(bilan: Bilan, words: BilanWording) -> str:
    """The sources line, the words before the list in bold; empty when no figure is cited."""
    citations = " ; ".join(_e(citation) for citation in source_citations(bilan.sources))
    if not citations:
        return ""
    parts = []
    for literal, name in words.parts("sources"):
        if name is None:
            parts.append(_e(literal))
            continue
        lead = literal.rstrip()
        parts.append((f"<strong>{_e(lead)}</strong>" if lead else "") + literal[len(lead) :] + citations)
    return f'<p class="sources">{"".join(parts)}</p>'


def _head(title: str) -> str:
    """The <head> of the bilan's pages: private, out of search engines, one stylesheet."""
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{_e(title)}</title>
<link rel="stylesheet" href="{_e(STYLESHEET)}">
</head>
"""


def render_page(bilan: Bilan, pdf_url: str, wording: Optional[BilanWording] = None) -> str:
    """The complete HTML5 page of this bilan; `pdf_url` is where its PDF is downloaded. Its
    words are those of bot/data/bilan.yml unless `wording` is given."""
    words = wording or load_wording()
    facts = "".join(
        f"<div><dt>{_e(name)}</dt><dd>{_e(value)}</dd></div>" for name, value in profile_facts(bilan, words)
    )
    profile = f'<dl class="facts" aria-label="{_e(words.text("profile.label"))}">{facts}</dl>' if facts else ""
    progress = progress_text(bilan)
    progress_block = f'<p class="progress">{_e(progress)}</p>' if progress else ""
    details = "\n".join(
        '<li class="dimension">'
        f'<h3><span>{_e(dimension.label)}</span> <span class="dimension-score">{dimension.shown}/100</span></h3>'
        f"<p>{_e(dimension.text)}</p></li>"
        for dimension in bilan.dimensions
    )
    priorities = "".join(f"<li>{_e(label)}</li>" for label in bilan.weakest)
    level = _styled(words, "overall.level", f"<strong>{_e(bilan.level_label)}</strong>")
    body = f"""{_head(words.text("title"))}<body>
<header class="masthead">
<div class="masthead-inner">
<div class="title">
<p class="brand">{_e(words.text("brand"))}</p>
<h1>{_e(words.text("heading"))}</h1>
<p class="meta">{_e(diagnostic_line(bilan, words))}</p>
</div>
{profile}
</div>
</header>
<main class="content">
<p class="download"><a class="button" href="{_e(pdf_url)}" download>{_e(words.text("download"))}</a></p>
<section class="overall" aria-labelledby="overall-title">
<h2 id="overall-title" class="visually-hidden">{_e(words.text("overall.title"))}</h2>
<div class="overall-score"><span class="overall-value">{bilan.overall_shown}</span><span class="out-of">/100</span></div>
<div class="overall-text">
<p class="level level-{_e(bilan.level)}">{level}</p>
<p>{_e(bilan.level_text)}</p>
</div>
</section>
<section class="themes" aria-labelledby="themes-title">
<h2 id="themes-title">{_e(words.text("themes.title"))}</h2>
{progress_block}
<div class="chart-and-table">
<figure class="chart">
{radar_svg(bilan, words)}
</figure>
{_scores_table(bilan, words)}
</div>
</section>
<section class="details" aria-labelledby="details-title">
<h2 id="details-title">{_e(words.text("details_title"))}</h2>
<ul class="dimension-list">
{details}
</ul>
</section>
<section class="priorities" aria-labelledby="priorities-title">
<h2 id="priorities-title">{_e(words.text("priorities_title"))}</h2>
<ol class="priority-list">{priorities}</ol>
</section>
{_resources(bilan, words)}
{_guide(bilan, words)}
<section class="advisor" aria-labelledby="advisor-title">
<h2 id="advisor-title">{_e(words.text("advisor_title"))}</h2>
<p>{_e(bilan.advisor_text)}</p>
</section>
</main>
<footer class="page-footer">
{_sources(bilan, words)}
<p>{_e(words.text("personal"))}</p>
</footer>
</body>
</html>
"""
    return body


def not_found_page(wording: Optional[BilanWording] = None) -> str:
    """The page of an address with no bilan (unknown, unfinished or erased diagnostic)."""
    words = wording or load_wording()
    keys = ("not_found.title", "not_found.heading", "not_found.reason", "not_found.next_step")
    return _notice_page(*(words.text(key) for key in keys))


def unavailable_page(wording: Optional[BilanWording] = None) -> str:
    """The page shown while the bilan cannot be read (the database does not answer)."""
    words = wording or load_wording()
    keys = ("unavailable.title", "unavailable.heading", "unavailable.reason", "unavailable.next_step")
    return _notice_page(*(words.text(key) for key in keys))


def _notice_page(title: str, heading: str, reason: str, next_step: str) -> str:
    return f"""{_head(title)}<body>
<main class="bilan-missing">
<h1>{_e(heading)}</h1>
<p>{_e(reason)}</p>
<p>{_e(next_step)}</p>
</main>
</body>
</html>
"""
