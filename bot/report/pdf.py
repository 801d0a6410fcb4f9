"""The owner's bilan as an A4 PDF (/bilan/<id>.pdf), drawn with fpdf2.

The same content as the web page (bot/report/page.py, whose text helpers it shares), in the
same words (the page section of bot/data/bilan.yml, bot/report/wording.py), the radar drawn
as vector graphics from the same geometry (bot/report/radar.py). The fonts are
DejaVu Sans, embedded as TrueType subsets (accents, « », €, the minus sign), taken from
matplotlib's package data (matplotlib is a dependency of Rasa) without importing matplotlib.
"""

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos
from fpdf.fonts import FontFace

from bot.report.bilan import Bilan
from bot.report.page import (
    change_text,
    diagnostic_line,
    french_spacing,
    overall_change_text,
    overall_reference_text,
    profile_facts,
    progress_text,
    reference_text,
    resource_meta,
    safe_url,
    since_label,
    source_citations,
    table_heads,
)
from bot.report.radar import Point, build_radar, line_baselines, split_label
from bot.report.wording import BilanWording, load_wording

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

Colour = Tuple[int, int, int]
NAVY: Colour = (23, 50, 82)
TEAL: Colour = (13, 116, 128)
TEAL_LIGHT: Colour = (204, 232, 235)
INK: Colour = (33, 41, 54)
MUTED: Colour = (96, 108, 124)
RULE: Colour = (214, 220, 228)
PANEL: Colour = (242, 245, 248)
WHITE: Colour = (255, 255, 255)
UP: Colour = (22, 120, 60)
DOWN: Colour = (176, 52, 40)

MARGIN = 18.0  # mm, left, right and top
BAND = 36.0  # height of the title band on the first page
PT = 0.3528  # mm per point
RADAR_FONT = 7.0  # pt
RADAR_LINE = RADAR_FONT * PT * 1.25  # mm
RADAR_ASCENT = RADAR_FONT * PT * 0.72  # mm: the height of capitals
RADAR_GAP = 3.0  # mm between an axis's end and its label
RADAR_LABEL_CHARS = 16


class FontMissing(FileNotFoundError):
    """The DejaVu Sans files the PDF embeds are not where matplotlib keeps them."""


@lru_cache(maxsize=1)
def font_paths() -> Tuple[Tuple[str, Path], ...]:
    """(style, path) of the regular and bold DejaVu Sans, located once per process."""
    spec = importlib.util.find_spec("matplotlib")
    locations = list(spec.submodule_search_locations or []) if spec else []
    folder = Path(locations[0]) / "mpl-data" / "fonts" / "ttf" if locations else None
    paths = []
    for style, name in FONT_FILES.items():
        path = folder / name if folder else Path(name)
        if not path.is_file():
            raise FontMissing(
                f"The bilan's PDF needs the font {name}, looked for at {path}: install matplotlib "
                "(a dependency of Rasa, pinned in requirements.txt)"
            )
        paths.append((style, path))
    return tuple(paths)


class BilanPDF(FPDF):
    """An A4 page with a footer « Page 1/2 » and, after the first page, a running title."""

    def __init__(self, words: BilanWording, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.words = words
        self.footer_text = footer_text
        for style, path in font_paths():
            self.add_font(FONT, style, str(path))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = 0  # text starts exactly at the margin; the table has its own padding
        self.set_auto_page_break(True, margin=20)

    def normalize_text(self, text: str) -> str:
        """Every text drawn, with French spacing (see page.french_spacing)."""
        return super().normalize_text(french_spacing(text))

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.set_xy(MARGIN, 9)
        self.cell(0, 4, self.words.text("pdf.running_title"), align=Align.L)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, 14.5, self.w - MARGIN, 14.5)
        self.set_y(MARGIN + 2)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, self.get_y() - 2, self.w - MARGIN, self.get_y() - 2)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.footer_text, align=Align.L)
        self.set_x(MARGIN)
        page_number = self.words.text("pdf.page_number", number=self.page_no(), total=self.str_alias_nb_pages)
        self.cell(0, 4, page_number, align=Align.R)


# --- building blocks ---------------------------------------------------------------------


def _measure(pdf: FPDF, width: float, line_height: float, text: str) -> float:
    """The height a left-aligned paragraph will take in the current font, without drawing it."""
    height = pdf.multi_cell(width, line_height, text, align=Align.L, dry_run=True, output=MethodReturnValue.HEIGHT)
    if not isinstance(height, (int, float)):
        raise TypeError(f"fpdf2 measured a paragraph as {height!r}")
    return float(height)


def _text(pdf: FPDF, text: str, size: float = 10, bold: bool = False, colour: Colour = INK) -> None:
    """A paragraph across the text width, then on to the next line."""
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(0, size * PT * 1.45, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, text: str, room: float = 30) -> None:
    """A section title, kept with at least `room` mm of what follows it."""
    if pdf.will_page_break(room + 12):
        pdf.add_page()
    else:
        pdf.ln(5)
    pdf.start_section(text)
    pdf.set_font(FONT, "B", 13.5)
    pdf.set_text_color(*NAVY)
    pdf.set_x(pdf.l_margin)
    pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*TEAL)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + 14, pdf.get_y() + 0.5)
    pdf.ln(3.5)


BULLET_SIZE = 9.0  # pt
BULLET_LINE = BULLET_SIZE * PT * 1.4  # mm
BULLET_GAP = 1.2  # mm between items


def _bullet_heights(pdf: FPDF, items: Sequence[str], width: float) -> List[float]:
    pdf.set_font(FONT, "", BULLET_SIZE)
    return [_measure(pdf, width - 5, BULLET_LINE, item) for item in items]


def _bullets(
    pdf: FPDF, items: Sequence[str], heights: Sequence[float], x: float, width: float, mark: str, colour: Colour
) -> None:
    """A list in a column starting at `x`, from the current y, each item `heights` high (see
    _bullet_heights). The caller makes sure the column fits on the page: it does not break."""
    y = pdf.get_y()
    for item, height in zip(items, heights, strict=True):
        pdf.set_font(FONT, "B", BULLET_SIZE)
        pdf.set_text_color(*colour)
        pdf.text(x + 0.8, y + BULLET_SIZE * PT * 0.95, mark)
        pdf.set_font(FONT, "", BULLET_SIZE)
        pdf.set_text_color(*INK)
        pdf.set_xy(x + 5, y)
        pdf.multi_cell(width - 5, BULLET_LINE, item, align=Align.L)
        y += height + BULLET_GAP


def _title_band(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    """The first page's band: the title and date on the left, the company on the right."""
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, pdf.w, BAND, style="F")
    pdf.set_fill_color(*TEAL)
    pdf.rect(0, BAND, pdf.w, 1.2, style="F")
    pdf.set_font(FONT, "B", 8)
    pdf.set_text_color(*TEAL_LIGHT)
    pdf.set_char_spacing(1)
    pdf.text(MARGIN, 12, words.text("brand").upper())
    pdf.set_char_spacing(0)
    pdf.set_font(FONT, "B", 21)
    pdf.set_text_color(*WHITE)
    pdf.text(MARGIN, 22.5, words.text("heading"))
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*TEAL_LIGHT)
    pdf.text(MARGIN, 29.5, diagnostic_line(bilan, words))
    right = pdf.w - MARGIN
    for name, value in reversed(profile_facts(bilan, words)):
        pdf.set_font(FONT, "B", 10.5)
        value_width = pdf.get_string_width(value)
        pdf.set_font(FONT, "B", 7)
        pdf.set_char_spacing(0.8)
        name_width = pdf.get_string_width(name.upper())
        width = max(value_width, name_width)
        pdf.set_text_color(*TEAL_LIGHT)
        pdf.text(right - width, 22.5 - 6, name.upper())
        pdf.set_char_spacing(0)
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_text_color(*WHITE)
        pdf.text(right - width, 22.5, value)
        right -= width + 10
    pdf.set_y(BAND + 8)


def _radar_labels(bilan: Bilan) -> List[List[str]]:
    """Each axis's label lines, its score last."""
    return [split_label(dimension.label, RADAR_LABEL_CHARS) + [str(dimension.shown)] for dimension in bilan.dimensions]


def _radar_extent(pdf: FPDF, bilan: Bilan, radius: float) -> Tuple[float, float, float, float]:
    """The chart's bounding box around a centre at (0, 0): left, top, right, bottom."""
    radar = build_radar([dimension.score for dimension in bilan.dimensions], Point(0, 0), radius, RADAR_GAP)
    left, top, right, bottom = -radius, -radius, radius, radius
    for lines, anchor in zip(_radar_labels(bilan), radar.labels, strict=True):
        baselines = line_baselines(anchor, len(lines), RADAR_LINE, RADAR_ASCENT)
        pdf.set_font(FONT, "B", RADAR_FONT)
        width = max(pdf.get_string_width(line) for line in lines)
        start = anchor.point.x - {"start": 0.0, "middle": width / 2, "end": width}[anchor.align]
        left, right = min(left, start), max(right, start + width)
        top, bottom = min(top, baselines[0] - RADAR_ASCENT), max(bottom, baselines[-1] + 0.8)
    return left, top, right, bottom


def _radar(pdf: FPDF, bilan: Bilan, centre: Point, radius: float) -> None:
    """The radar, drawn with lines and polygons from the same geometry as the page's SVG."""
    radar = build_radar([dimension.score for dimension in bilan.dimensions], centre, radius, RADAR_GAP)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    for ring in radar.rings:
        pdf.polygon([point.as_tuple() for point in ring.points], style="D")
    for axis in radar.axes:
        pdf.line(centre.x, centre.y, axis.x, axis.y)
    pdf.set_font(FONT, "", 5.5)
    pdf.set_text_color(*MUTED)
    for ring in radar.rings[:-1]:
        tick = ring.points[0]
        pdf.text(tick.x + 0.8, tick.y - 0.6, str(ring.value))
    polygon = [point.as_tuple() for point in radar.polygon]
    with pdf.local_context(fill_opacity=0.25):
        pdf.set_fill_color(*TEAL)
        pdf.polygon(polygon, style="F")
    pdf.set_draw_color(*TEAL)
    pdf.set_line_width(0.6)
    pdf.polygon(polygon, style="D")
    pdf.set_fill_color(*TEAL)
    for point in radar.polygon:
        pdf.circle(point.x, point.y, 0.8, style="F")
    for lines, anchor in zip(_radar_labels(bilan), radar.labels, strict=True):
        baselines = line_baselines(anchor, len(lines), RADAR_LINE, RADAR_ASCENT)
        for index, (text, baseline) in enumerate(zip(lines, baselines, strict=True)):
            is_value = index == len(lines) - 1
            pdf.set_font(FONT, "B", RADAR_FONT + 1 if is_value else RADAR_FONT)
            pdf.set_text_color(*(TEAL if is_value else INK))
            width = pdf.get_string_width(text)
            pdf.text(anchor.point.x - {"start": 0.0, "middle": width / 2, "end": width}[anchor.align], baseline, text)


def _summary(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    """The overall score and level in a panel on the left, the radar on the right."""
    top = pdf.get_y()
    left = pdf.l_margin
    panel_width = 62.0
    inner = panel_width - 12
    chart_left = left + panel_width + 5
    chart_width = pdf.w - pdf.r_margin - chart_left
    # The panel's content, measured first.
    pdf.set_font(FONT, "", 9)
    body = _measure(pdf, inner, 9 * PT * 1.45, bilan.level_text)
    content = 37 + body + 7
    # The chart's size: as large as the column allows, its labels included.
    radius = 28.0
    extent = _radar_extent(pdf, bilan, radius)
    while extent[2] - extent[0] > chart_width - 8 and radius > 15:
        radius -= 0.5
        extent = _radar_extent(pdf, bilan, radius)
    caption = 9.0  # the chart's caption, above it
    chart_height = caption + extent[3] - extent[1] + 6
    height = max(content, chart_height)
    # The panel.
    pdf.set_fill_color(*PANEL)
    pdf.rect(left, top, panel_width, height, style="F", round_corners=True, corner_radius=2.5)
    pdf.set_fill_color(*TEAL)
    pdf.rect(left, top + 2.5, 1.4, height - 5, style="F")
    x = left + 7
    pdf.set_font(FONT, "B", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.set_char_spacing(0.8)
    pdf.text(x, top + 9, words.text("overall.caption").upper())
    pdf.set_char_spacing(0)
    value = str(bilan.overall_shown)
    pdf.set_font(FONT, "B", 36)
    pdf.set_text_color(*NAVY)
    pdf.text(x - 0.6, top + 24, value)
    value_width = pdf.get_string_width(value)
    pdf.set_font(FONT, "", 13)
    pdf.set_text_color(*MUTED)
    pdf.text(x + value_width + 0.6, top + 24, "/100")
    pdf.set_xy(x, top + 28)
    for literal, name in words.parts("overall.level"):  # the level in bold
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*MUTED)
        if literal:
            pdf.write(6, literal)
        if name:
            pdf.set_font(FONT, "B", 12)
            pdf.set_text_color(*TEAL)
            pdf.write(6, bilan.level_label)
    pdf.set_xy(x, top + 37)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*INK)
    pdf.multi_cell(inner, 9 * PT * 1.45, bilan.level_text, align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT)
    # The chart, centred in its column.
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.rect(chart_left, top, chart_width, height, style="D", round_corners=True, corner_radius=2.5)
    pdf.set_font(FONT, "B", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.set_char_spacing(0.8)
    pdf.text(chart_left + 6, top + 9, words.text("themes.chart").upper())
    pdf.set_char_spacing(0)
    centre = Point(
        chart_left + chart_width / 2 - (extent[0] + extent[2]) / 2,
        top + caption + (height - caption) / 2 - (extent[1] + extent[3]) / 2,
    )
    _radar(pdf, bilan, centre, radius)
    pdf.set_y(top + height + 1)


def _scores_table(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    since = since_label(bilan)
    heads = table_heads(bilan, words)
    widths: Tuple[float, ...] = (42, 17, 21, 94) if since else (46, 19, 109)
    headings = FontFace(family=FONT, emphasis="BOLD", size_pt=7.5, color=WHITE, fill_color=NAVY)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*WHITE)  # the rows between the shaded ones
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        headings_style=headings,
        line_height=7.5 * PT * 1.4,
        padding=(1.4, 2, 1.4, 2),
        text_align=("LEFT", "CENTER", "CENTER", "LEFT") if since else ("LEFT", "CENTER", "LEFT"),
        borders_layout="HORIZONTAL_LINES",
        cell_fill_color=PANEL,
        cell_fill_mode="ROWS",
        v_align="MIDDLE",
    ) as table:
        table.row(heads)
        for dimension in bilan.dimensions:
            row = table.row()
            row.cell(dimension.label, style=FontFace(emphasis="BOLD"))
            row.cell(f"{dimension.shown}/100", style=FontFace(emphasis="BOLD", color=NAVY))
            if since:
                colour = MUTED if not dimension.change else (UP if dimension.change > 0 else DOWN)
                row.cell(change_text(dimension), style=FontFace(emphasis="BOLD", color=colour))
            muted = dimension.reference is None
            row.cell(reference_text(bilan, dimension), style=FontFace(color=MUTED if muted else INK, size_pt=7.5))
        total = table.row(style=FontFace(emphasis="BOLD", color=NAVY, fill_color=TEAL_LIGHT))
        total.cell(words.text("table.overall"))
        total.cell(f"{bilan.overall_shown}/100")
        if since:
            total.cell(overall_change_text(bilan))
        total.cell(overall_reference_text(bilan), style=FontFace(emphasis="", color=INK, size_pt=7.5))


def _dimension_texts(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    _heading(pdf, words.text("details_title"))
    for dimension in bilan.dimensions:
        pdf.set_font(FONT, "", 9.5)
        needed = _measure(pdf, pdf.epw, 9.5 * PT * 1.45, dimension.text)
        needed += 8
        if pdf.will_page_break(needed):
            pdf.add_page()
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_text_color(*NAVY)
        pdf.cell(pdf.epw - 20, 6, dimension.label)
        pdf.set_text_color(*TEAL)
        pdf.cell(20, 6, f"{dimension.shown}/100", align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _text(pdf, dimension.text, size=9.5)
        pdf.ln(2.5)


def _priorities(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    _heading(pdf, words.text("priorities_title"), room=16)
    for number, label in enumerate(bilan.weakest, start=1):
        top = pdf.get_y()
        pdf.set_fill_color(*TEAL)
        pdf.circle(pdf.l_margin + 3, top + 3, 3, style="F")
        pdf.set_font(FONT, "B", 9)
        pdf.set_text_color(*WHITE)
        pdf.set_xy(pdf.l_margin, top)
        pdf.cell(6, 6, str(number), align=Align.C)
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_text_color(*INK)
        pdf.set_xy(pdf.l_margin + 9, top)
        pdf.cell(0, 6, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)


def _resources(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    if not bilan.recommendations:
        return
    _heading(pdf, words.text("resources.title"), room=40)
    for item in bilan.recommendations:
        entry = item.entry
        url = safe_url(entry.url)
        if pdf.will_page_break(36):
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_x(pdf.l_margin + 5)
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_text_color(*NAVY)
        pdf.multi_cell(
            pdf.epw - 5,
            10.5 * PT * 1.4,
            entry.title,
            link=url or None,
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(0.6)
        for text, size, colour in (
            (
                words.text("resources.for_theme", organisation=entry.organisation, dimension=item.dimension_label),
                8.5,
                MUTED,
            ),
            (entry.description, 9.5, INK),
            (resource_meta(entry), 8.5, TEAL),
        ):
            pdf.set_x(pdf.l_margin + 5)
            pdf.set_font(FONT, "B" if colour == TEAL else "", size)
            pdf.set_text_color(*colour)
            pdf.multi_cell(pdf.epw - 5, size * PT * 1.45, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(0.6)
        if entry.cost_note:
            pdf.set_x(pdf.l_margin + 5)
            pdf.set_font(FONT, "", 8.5)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(
                pdf.epw - 5, 8.5 * PT * 1.45, entry.cost_note, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.ln(0.6)
        if url:
            pdf.set_x(pdf.l_margin + 5)
            pdf.set_font(FONT, "", 8.5)
            pdf.set_text_color(*TEAL)
            pdf.multi_cell(
                pdf.epw - 5, 8.5 * PT * 1.45, url, link=url, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        bottom = pdf.get_y()
        if bottom > top:
            pdf.set_fill_color(*TEAL_LIGHT)
            pdf.rect(pdf.l_margin, top, 1.2, bottom - top, style="F")
        pdf.ln(4)


def _guide(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    """The buyer's guide of the first priority: the questions to ask beside the warning signs."""
    entry = bilan.guide
    if entry is None or entry.guide is None:
        return
    guide = entry.guide
    _heading(pdf, entry.title, room=60)
    _text(pdf, words.text("guide.provider", provider=guide.provider), size=8.5, colour=MUTED)
    pdf.ln(0.5)
    _text(pdf, entry.description, size=9.5)
    pdf.ln(3)
    gap = 8.0
    width = (pdf.epw - gap) / 2
    columns = (
        (words.text("guide.questions"), guide.ask, "?", TEAL, pdf.l_margin),
        (words.text("guide.warnings"), guide.warning_signs, "!", DOWN, pdf.l_margin + width + gap),
    )
    heights = [_bullet_heights(pdf, items, width) for _, items, _, _, _ in columns]
    height = max(sum(column) + BULLET_GAP * len(column) for column in heights)
    if pdf.will_page_break(height + 8):
        pdf.add_page()
    top = pdf.get_y()
    for (title, items, mark, colour, x), column in zip(columns, heights, strict=True):
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_text_color(*NAVY)
        pdf.text(x, top + 4, title)
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.4)
        pdf.line(x, top + 5.8, x + width, top + 5.8)
        pdf.set_y(top + 8)
        _bullets(pdf, items, column, x, width, mark, colour)
    pdf.set_y(top + 8 + height)


def _advisor_and_sources(pdf: FPDF, bilan: Bilan, words: BilanWording) -> None:
    pdf.set_font(FONT, "", 10)
    body = _measure(pdf, pdf.epw - 12, 10 * PT * 1.45, bilan.advisor_text)
    citations = " ; ".join(source_citations(bilan.sources))
    sources = words.text("sources", sources=citations) if citations else ""
    personal = words.text("personal")
    title = words.text("advisor_title")
    pdf.set_font(FONT, "", 7.5)
    notes = _measure(pdf, pdf.epw, 7.5 * PT * 1.45, f"{sources}\n{personal}")
    if pdf.will_page_break(6 + body + 17 + 6 + notes + 3):  # the closing block stays together
        pdf.add_page()
    else:
        pdf.ln(6)
    pdf.start_section(title)
    top = pdf.get_y()
    height = body + 17
    pdf.set_fill_color(*NAVY)
    pdf.rect(pdf.l_margin, top, pdf.epw, height, style="F", round_corners=True, corner_radius=2.5)
    pdf.set_xy(pdf.l_margin + 6, top + 5)
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(*WHITE)
    pdf.cell(0, 6, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(1.5)
    pdf.set_x(pdf.l_margin + 6)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*WHITE)
    pdf.multi_cell(pdf.epw - 12, 10 * PT * 1.45, bilan.advisor_text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(top + height + 6)
    if citations:
        pdf.set_x(pdf.l_margin)
        pdf.set_text_color(*MUTED)
        for literal, name in words.parts("sources"):  # the words before the list in bold
            pdf.set_font(FONT, "B" if name else "", 7.5)
            if literal:
                pdf.write(7.5 * PT * 1.45, literal)
            if name:
                pdf.set_font(FONT, "", 7.5)
                pdf.write(7.5 * PT * 1.45, citations)
        pdf.ln(7.5 * PT * 1.45 + 1.5)
    _text(pdf, personal, size=7.5, colour=MUTED)


# --- the document ------------------------------------------------------------------------


def render_pdf(bilan: Bilan, wording: Optional[BilanWording] = None) -> bytes:
    """The bilan as the bytes of an A4 PDF, in the words of bot/data/bilan.yml unless
    `wording` is given."""
    words = wording or load_wording()
    pdf = BilanPDF(words, footer_text=diagnostic_line(bilan, words))
    pdf.set_title(words.text("title"))
    pdf.set_subject(words.text("pdf.subject"))
    pdf.set_author(words.text("brand"))
    pdf.set_creator(words.text("brand"))
    pdf.set_lang("fr")
    pdf.set_display_mode(zoom="fullwidth", layout="continuous")
    pdf.add_page()
    _title_band(pdf, bilan, words)
    pdf.start_section(words.text("overall.bookmark"))
    _summary(pdf, bilan, words)
    _heading(pdf, words.text("themes.pdf_title"), room=60)
    progress: Optional[str] = progress_text(bilan)
    if progress:
        _text(pdf, progress, size=9.5, bold=True, colour=TEAL)
        pdf.ln(2)
    _scores_table(pdf, bilan, words)
    _dimension_texts(pdf, bilan, words)
    _priorities(pdf, bilan, words)
    _resources(pdf, bilan, words)
    _guide(pdf, bilan, words)
    _advisor_and_sources(pdf, bilan, words)
    return bytes(pdf.output())
