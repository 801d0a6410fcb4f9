"""The bilan's PDF as a person sees it: its first page drawn to an image (PDFium, from its wheel),
checked for what the eye finds first, and saved in results/screenshots/ at every test run so that
anyone can look at it."""

from pathlib import Path

import pypdfium2

from bot.report.pdf import NAVY, TEAL, render_pdf
from tests.helpers import load_script

SCREENSHOTS = Path(__file__).resolve().parents[2] / "results" / "screenshots"
DPI = 100


def near(pixel, colour, tolerance=40):
    return all(abs(channel - wanted) <= tolerance for channel, wanted in zip(pixel, colour, strict=True))


def share(image, box, colour):
    """The share of the pixels of `box` (left, top, right, bottom, as fractions) close to `colour`."""
    width, height = image.size
    region = image.crop((int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height)))
    pixels = list(region.get_flattened_data())
    return sum(1 for pixel in pixels if near(pixel, colour)) / len(pixels)


def test_the_first_page_is_an_a4_page_with_its_title_band_score_and_radar():
    pdf = render_pdf(load_script("benchmark_pdf").sample_bilan())
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) >= 2
    image = document[0].render(scale=DPI / 72).to_pil().convert("RGB")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / "bilan-pdf-page1.png")
    width, height = image.size
    assert abs(width / height - 210 / 297) < 0.01  # A4, portrait
    assert share(image, (0, 0.01, 1, 0.10), NAVY) > 0.8  # the title band across the top
    radar = (0.4, 0.15, 0.92, 0.45)
    assert share(image, radar, TEAL) > 0.003  # the polygon's outline, its dots, the scores
    assert share(image, radar, (180, 215, 220)) > 0.03  # the polygon's light fill
    # Below the band the page is light: text on white, not a dark or empty page.
    body = image.crop((0, int(0.5 * height), width, int(0.9 * height))).convert("L")
    darkness = sum(1 for value in body.get_flattened_data() if value < 128) / (body.size[0] * body.size[1])
    assert 0.01 < darkness < 0.35
    document.close()
