"""The bilan's routes on the console's real Sanic server, without a model: what an owner gets when
the database is down, and for an address that holds no bilan."""

import html

import pytest

from bot.adapters.diagnostics import SqlDiagnosticRepository
from tests.helpers import fetch


def fetch_page(url):
    """(status, headers, the page's text as read: entities decoded, no-break spaces as spaces)."""
    status, headers, body = fetch(url)
    return status, headers, html.unescape(body.decode("utf-8")).replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_with_the_database_down_the_owner_is_told_to_come_back_later(console_server, monkeypatch, suffix):
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", "postgresql://conseiller@127.0.0.1:9/absent")  # nothing listens
    status, headers, page = fetch_page(f"{console_server}/bilan/{'A' * 22}{suffix}")
    assert status == 503 and headers["Retry-After"] == "120" and "no-store" in headers["Cache-Control"]
    assert "momentanément indisponible" in page and "n'est pas perdu" in page


def test_a_stored_bilan_opens_and_an_unfinished_one_does_not(console, database_url):
    repository = SqlDiagnosticRepository(database_url)
    scores = {
        "strategy": 10.0,
        "infrastructure": 20.0,
        "online_presence": 30.0,
        "management": 40.0,
        "security": 50.0,
        "skills": 60.0,
        "automation_ai": 70.0,
    }
    repository.complete("B" * 22, "owner-1", "rest", "2026.1", "retail", 2, {}, 40.0, "intermediate", scores, [])
    repository.question_asked("C" * 22, "owner-2", "q_backup", 5, "rest", "2026.1", None, None)
    status, headers, page = fetch_page(f"{console}/bilan/{'B' * 22}")
    assert status == 200 and headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "40" in page and "Commerce" in page and "2 personnes" in page
    status, _, page = fetch_page(f"{console}/bilan/{'C' * 22}")
    assert status == 404 and "Ce bilan est introuvable" in page
