"""The owner's bilan end to end: the result's link opens a page and a PDF holding the scores the
conversation stored, a second diagnostic shows the progress, and erasure takes the bilan away."""

import io
import re

import pytest
from pypdf import PdfReader

from bot.diagnostic.questionnaire import load_questionnaire
from tests.helpers import fetch

Q = load_questionnaire()
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/bilan/[A-Za-z0-9_-]{22})\n")


def diagnostic_by_buttons(owner, option_index: int) -> str:
    """The whole diagnostic, each question answered with the same button; the bilan's address."""
    owner.says("/start_diagnostic")
    if owner.slots["requested_slot"] == "sector":
        owner.clicks("Santé")
        owner.clicks("Je travaille seul(e)")
        owner.says("Lille")
    for question in Q.questions:
        owner.clicks(question.options[option_index].label)
    [url] = LINK.findall(owner.text)
    return url


def test_the_result_links_to_a_private_page_and_a_pdf_holding_the_stored_scores(owner):
    url = diagnostic_by_buttons(owner, -1)
    slots = owner.slots
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["X-Robots-Tag"] == "noindex, nofollow" and "no-store" in headers["Cache-Control"]
    assert headers["Referrer-Policy"] == "no-referrer"
    page = body.decode("utf-8")
    assert 'name="robots" content="noindex' in page and f"{url.rsplit('/', 1)[1]}.pdf" in page
    assert f"{round(slots['score_overall'])}" in page and "Leader" in page
    for dimension in Q.dimensions:
        assert dimension.label in page
    assert "Lille" not in page  # no place, no contact: only the sector and the size
    status, headers, body = fetch(url + ".pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(body)).pages)
    assert f"{round(slots['score_overall'])}" in text
    for dimension_id, score in slots["dimension_scores"].items():
        label = next(d.label for d in Q.dimensions if d.id == dimension_id)
        assert label in " ".join(text.split()) and str(round(score)) in text


def test_a_second_diagnostic_shows_the_progress_and_erasure_removes_both_bilans(owner):
    first = diagnostic_by_buttons(owner, 0)
    owner.says("on recommence tout depuis le début")
    owner.says("oui")
    second = diagnostic_by_buttons(owner, -1)
    assert second != first
    assert re.search(r"Depuis votre diagnostic du \d+ \w+ : \+\d+ points en ", owner.text)
    status, _, body = fetch(second)
    assert status == 200 and "+" in body.decode("utf-8")
    owner.says("supprimez mes données")
    owner.says("oui")
    for address in (first, first + ".pdf", second, second + ".pdf"):
        status, headers, body = fetch(address)
        assert status == 404 and "introuvable" in body.decode("utf-8"), address
        assert headers["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("name", ["AAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAA.pdf", "court", "..%2f..%2fetc"])
def test_an_unknown_bilan_gets_a_french_404(server, name):
    status, _, body = fetch(f"{server}/bilan/{name}")
    assert status == 404 and "Ce bilan est introuvable" in body.decode("utf-8")
