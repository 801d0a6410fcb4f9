"""The deployer's dashboard in a real Chromium (Debian's), against the running servers: a manager
opens it, narrows the period and the sector, the figures follow, and a table downloads as the
CSV file Excel reads; an advisor sees no dashboard. Screenshot in results/screenshots/."""

import uuid
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.adapters import advisors, storage
from bot.adapters.diagnostics import SCORE_COLUMNS, ConversationSignal, DiagnosticRun
from bot.adapters.storage import Ticket, TicketEvent
from bot.handover.office_hours import MONTH_NAMES
from bot.labels import load_labels
from ops.servers import REPO_ROOT
from tests.helpers import CONSOLE, call

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "results" / "screenshots"
PASSWORD = "mot de passe du responsable"
MANAGER = "direction-tableau@cci-exemple.fr"
ADVISOR = "conseil-tableau@cci-exemple.fr"
TIMEOUT = 20_000
# A month no other test writes in (their conversations happen today), within the retention
# period (the servers purge older rows): the month before last.
_LAST_MONTH_END = datetime.utcnow().date().replace(day=1) - timedelta(days=1)
MONTH_END = _LAST_MONTH_END.replace(day=1) - timedelta(days=1)
MONTH_START = MONTH_END.replace(day=1)
NOON = datetime.combine(MONTH_START, time(12))


def seed(url):
    """That month: three craftsmen (two completed: basic and intermediate; one stopped at the
    backup question) and two shopkeepers (one completed: advanced; one stopped at the town)."""
    runs = [
        ("crafts", 3, 2, None, "basic", 20.0),
        ("crafts", 5, 3, None, "intermediate", 40.0),
        ("crafts", 2, 4, "q_backup", None, None),
        ("retail", 1, 5, None, "advanced", 65.0),
        ("retail", 8, 6, "location", None, None),
    ]
    with Session(storage.engine(url)) as session:
        for sector, headcount, day, last, level, overall in runs:
            started = NOON + timedelta(days=day)
            run = DiagnosticRun(
                bilan_id=uuid.uuid4().hex[:22],
                sender_id=f"dashboard-{uuid.uuid4().hex[:8]}",
                channel="socketio",
                sector=sector,
                headcount=headcount,
                started_at=started,
                updated_at=started,
                last_question=last,
                completed_at=started + timedelta(minutes=7) if level else None,
                maturity_level=level,
                score_overall=overall,
            )
            for column in SCORE_COLUMNS.values():
                setattr(run, column, overall)
            session.add(run)
        for value, sector in [("need_visibility", "crafts"), ("need_visibility", "crafts"), ("need_funding", "retail")]:
            session.add(
                ConversationSignal(
                    at=NOON, sender_id="dashboard-needs", channel="socketio", sector=sector, kind="need", value=value
                )
            )
        # Closed: the other tests' consoles list the open tickets.
        ticket = Ticket(
            sender_id="dashboard-ticket",
            channel="socketio",
            status="closed",
            reason="requested",
            sector="crafts",
            headcount=3,
        )
        ticket.created_at = ticket.updated_at = NOON
        ticket.events.append(TicketEvent(at=NOON + timedelta(minutes=10), kind="advisor_message", actor="Camille"))
        session.add(ticket)
        session.commit()


@pytest.fixture(scope="module")
def accounts(databases):
    url = databases["CONSEILLER_DATABASE_URL"]
    repository = advisors.advisor_repository(url)
    repository.create_account(MANAGER, "Claire (direction)", PASSWORD, role="manager")
    repository.create_account(ADVISOR, "Camille", PASSWORD)
    seed(url)


def log_in(page, url, email):
    page.goto(url + "/console/")
    page.locator("#cn-login input[name=email]").fill(email)
    page.locator("#cn-login input[name=password]").fill(PASSWORD)
    page.locator("#cn-login-submit").click()
    expect(page.locator("#cn-app")).to_be_visible(timeout=TIMEOUT)


def test_a_manager_filters_the_dashboard_and_downloads_a_table(browser, server, accounts):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran on the page: {dialog.message}"))
    log_in(page, server, MANAGER)
    page.locator("#cn-tab-dashboard").click()
    status = page.locator("#cn-dash-status")
    expect(status).to_contain_text("mis à jour", timeout=TIMEOUT)  # the last 30 days at first

    page.locator("#cn-dash-from").fill(MONTH_START.isoformat())
    page.locator("#cn-dash-to").fill(MONTH_END.isoformat())
    month = f"{MONTH_NAMES[MONTH_START.month - 1]} {MONTH_START.year}"
    expect(status).to_contain_text(f"du 1 {month} au {MONTH_END.day} {month}", timeout=TIMEOUT)
    expect(page.locator("#cn-dash-started")).to_have_text("5")
    expect(page.locator("#cn-dash-completed")).to_have_text("3")
    funnel = page.locator("#cn-dash-dropout")
    # Cells: number, bar, reached, stopped there, rate (the question is the row's header).
    expect(funnel.locator("tr[data-slot='location'] td").nth(3)).to_have_text("1")
    expect(funnel.locator("tr[data-slot='sector'] td").nth(2)).to_have_text("5")
    expect(page.locator("#cn-dash-needs tbody tr").first).to_contain_text(load_labels().needs["need_visibility"])
    expect(page.locator("#cn-dash-median")).to_have_text("10 min")

    # The sector's names come from the server; choosing one changes the figures.
    page.locator("#cn-dash-sector").select_option(label=load_labels().sectors["crafts"])
    expect(page.locator("#cn-dash-started")).to_have_text("3", timeout=TIMEOUT)
    expect(page.locator("#cn-dash-completed")).to_have_text("2")
    expect(funnel.locator("tr[data-slot='q_backup'] td").nth(3)).to_have_text("1")
    expect(funnel.locator("tr[data-slot='location'] td").nth(3)).to_have_text("0")
    assert page.locator("#cn-dash-levels svg[aria-hidden='true']").count() == 4  # one bar per level

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    link = page.locator("#cn-dash-levels a.cn-dash-csv")
    expect(link).to_contain_text("Télécharger (CSV)")
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == f"tableau-de-bord-niveaux-{MONTH_START}-{MONTH_END}.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    names = load_labels().levels
    assert content.decode("utf-8-sig").splitlines() == [
        "Niveau;Diagnostics terminés;Part (%)",
        f"{names['basic']};1;50",
        f"{names['intermediate']};1;50",
        f"{names['advanced']};0;0",
        f"{names['leader']};0;0",
    ]
    context.close()


def test_an_advisor_has_no_dashboard(browser, server, accounts):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, server, ADVISOR)
    expect(page.locator("#cn-advisor-name")).to_have_text("Camille", timeout=TIMEOUT)
    expect(page.locator("#cn-tab-dashboard")).to_be_hidden()
    [cookie] = [c for c in context.cookies() if c["name"] == "conseiller_console"]
    refused = call(server, "/console/api/dashboard", headers=CONSOLE, cookie=f"conseiller_console={cookie['value']}")
    assert refused.status == 403 and "réservé aux responsables" in refused.body["error"]
    context.close()
