"""The web widget and the advisor console in a real Chromium (Debian's), through Playwright.

One owner and one advisor, each in their own browser context, against the real servers:
diagnostic with clicks and typed answers, reload, advisor request, live takeover both ways,
hand back, and the refusals of the console. Screenshots go to results/screenshots/.
"""

import pytest

from bot.adapters import advisors, storage
from bot.diagnostic.questionnaire import load_questionnaire
from bot.labels import load_labels
from ops.servers import REPO_ROOT
from tests.e2e.conftest import tracker
from tests.helpers import CONSOLE, FREE_TEXT_ANSWERS, call

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

Q = load_questionnaire()
SCREENSHOTS = REPO_ROOT / "results" / "screenshots"
ADVISOR_EMAIL, ADVISOR_PASSWORD, ADVISOR_NAME = "equipe@cci-exemple.fr", "mot de passe de test", "Équipe numérique"
HOSTILE = "<img src=x onerror=alert(1)>"
TIMEOUT = 20_000


@pytest.fixture(scope="module")
def advisor_account(databases):
    advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"]).create_account(
        ADVISOR_EMAIL, ADVISOR_NAME, ADVISOR_PASSWORD
    )


def no_dialogs(page):
    """Fails the test if anything on the page ever runs alert() (an injected script would)."""
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran on the page: {dialog.message}"))
    return page


class WidgetOwner:
    def __init__(self, page, url):
        self.page = no_dialogs(page)
        self.url = url
        self.messages = page.locator(".cn-messages .cn-message")

    def open(self):
        self.page.goto(self.url + "/demo/")
        self.page.locator(".cn-launcher").click()
        expect(self.page.locator(".cn-input")).to_be_focused()

    def bot_count(self):
        return self.page.locator(
            ".cn-messages .cn-from-bot, .cn-messages .cn-from-advisor, .cn-messages .cn-notice"
        ).count()

    def says(self, text, expect_reply=True):
        before = self.bot_count()
        self.page.locator(".cn-input").fill(text)
        self.page.locator(".cn-input").press("Enter")
        if expect_reply:
            self.wait_reply(before)

    def clicks(self, title):
        before = self.bot_count()
        self.page.locator(".cn-quick-replies").get_by_role("button", name=title, exact=True).click()
        self.wait_reply(before)

    def wait_reply(self, before):
        self.page.wait_for_function(
            "n => document.querySelectorAll('.cn-messages .cn-from-bot, .cn-messages .cn-from-advisor, "
            ".cn-messages .cn-notice').length > n",
            arg=before,
            timeout=TIMEOUT,
        )
        expect(self.page.locator(".cn-typing")).to_be_hidden(timeout=TIMEOUT)

    def sees(self, text):
        expect(self.page.locator(".cn-messages")).to_contain_text(text, timeout=TIMEOUT)

    @property
    def session_id(self):
        """The conversation's id: the signed token the widget keeps is "<id>.<signature>"."""
        return self.page.evaluate("localStorage.getItem('conseiller-session-id')").split(".")[0]


def tracker_slots(url, sender):
    return tracker(url, sender)["slots"]


def api_status(url, path, cookie=None, method="GET"):
    status, body, _ = call(url, path, {} if method == "POST" else None, CONSOLE, cookie)
    return status, body


def log_in(page, url, password=ADVISOR_PASSWORD):
    page.goto(url + "/console/")
    page.locator("#cn-login input[name=email]").fill(ADVISOR_EMAIL)
    page.locator("#cn-login input[name=password]").fill(password)
    page.locator("#cn-login-submit").click()


def test_owner_diagnostic_reload_advisor_takeover_hand_back_and_restart(
    browser, server, running_assistant, databases, advisor_account, webhook_inbox, mail_inbox
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    owner_context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
    owner = WidgetOwner(owner_context.new_page(), server)
    owner.open()
    owner.says("bonjour")
    owner.clicks("Faire le diagnostic")
    owner.clicks("Artisanat")
    owner.says("moi et deux salariés")
    owner.says("à Nantes")
    # Half the questions by click (first option), half typed in free text.
    expected = {}
    for number, question in enumerate(Q.questions):
        owner.sees(question.text)
        if number % 2 == 0:
            option = question.options[0]
            expected[question.id] = [option.id] if question.is_multi else option.id
            owner.clicks(option.label)
        else:
            text, question_id, value = FREE_TEXT_ANSWERS[number]
            assert question_id == question.id
            expected[question.id] = value
            owner.says(text)
    card = owner.page.locator(".cn-result")
    expect(card).to_be_visible(timeout=TIMEOUT)
    slots = tracker_slots(server, owner.session_id)
    assert {question_id: slots[question_id] for question_id in expected} == expected
    assert slots["sector"] == "crafts" and slots["headcount"] == 3
    expect(card).to_contain_text(f"{round(slots['score_overall'])}/100")
    expect(card.locator(":scope *", has_text="axe prioritaire")).not_to_have_count(0)
    for dimension in Q.dimensions:
        expect(card).to_contain_text(dimension.label)
    card.scroll_into_view_if_needed()
    owner.page.screenshot(path=str(SCREENSHOTS / "widget-desktop.png"))

    # A reload, and a second tab, find the whole conversation.
    count = owner.messages.count()
    owner.page.reload()
    owner.page.locator(".cn-launcher").click()
    expect(owner.messages).to_have_count(count, timeout=TIMEOUT)
    expect(owner.page.locator(".cn-result")).to_be_visible()
    second_tab = owner_context.new_page()
    second_tab.goto(server + "/demo/")
    second_tab.locator(".cn-launcher").click()
    expect(second_tab.locator(".cn-messages .cn-message")).to_have_count(count, timeout=TIMEOUT)
    second_tab.close()

    # The advisor logs in (a wrong password first) and is online.
    advisor_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    console = no_dialogs(advisor_context.new_page())
    log_in(console, server, password="pas le bon")
    expect(console.locator("#cn-alert")).to_contain_text("E-mail ou mot de passe incorrect")
    log_in(console, server)
    expect(console.locator("#cn-advisor-name")).to_have_text(ADVISOR_NAME, timeout=TIMEOUT)

    # The owner asks for an advisor, with the whole handover dialogue in the widget.
    owner.says("je voudrais parler à un conseiller")
    owner.clicks("Oui, j'accepte")
    owner.says("contact@boulangerie-exemple.fr")
    owner.clicks("En matinée")
    [ticket] = storage.ticket_repository(databases["CONSEILLER_DATABASE_URL"]).for_sender(owner.session_id)
    owner.sees(f"n° {ticket.id}")
    owner.sees("Un conseiller est disponible en ce moment")

    # Advisors are notified: the webhook and the e-mail reach the local servers.
    assert webhook_inbox.wait_for(lambda payload: payload["ticket_id"] == ticket.id)
    assert mail_inbox.wait_for(
        lambda message: (
            f"n° {ticket.id}".encode() in message.content or f"n=C2=B0 {ticket.id}".encode() in message.content
        )
    )

    # The advisor sees the ticket with its summary, takes it.
    console.reload()
    item = console.locator(f".cn-ticket[data-ticket-id='{ticket.id}']")
    item.click()
    detail = console.locator("#cn-ticket-detail")
    expect(detail).to_contain_text("contact@boulangerie-exemple.fr", timeout=TIMEOUT)
    expect(detail).to_contain_text("Artisanat")
    expect(detail).to_contain_text(f"{round(slots['score_overall'])}")
    for dimension in Q.dimensions:
        expect(detail).to_contain_text(dimension.label)
    expect(console.locator("#cn-conversation")).to_contain_text("je voudrais parler à un conseiller")
    console.locator("#cn-take").click()
    owner.sees(f"{ADVISOR_NAME}, conseiller, a rejoint la conversation")
    assert tracker_slots(server, owner.session_id)["handoff_status"] == "live"

    # Messages both ways, in real time, shown as text whoever types markup.
    console.locator("#cn-reply").fill("Bonjour, je regarde votre diagnostic avec vous.")
    console.locator("#cn-send-reply").click()
    advisor_line = owner.page.locator(".cn-messages .cn-from-advisor").last
    expect(advisor_line).to_contain_text("Bonjour, je regarde votre diagnostic avec vous.", timeout=TIMEOUT)
    expect(advisor_line).to_contain_text(ADVISOR_NAME)
    expect(advisor_line).to_contain_text("Conseiller")
    console.locator("#cn-reply").fill(HOSTILE)
    console.locator("#cn-send-reply").click()
    expect(owner.page.locator(".cn-messages .cn-from-advisor").last).to_contain_text(HOSTILE, timeout=TIMEOUT)
    assert owner.page.locator(".cn-messages img").count() == 0

    bot_messages = owner.page.locator(".cn-messages .cn-from-bot").count()
    owner.says(HOSTILE, expect_reply=False)
    owner.says("on recommence", expect_reply=False)  # Rasa would answer `restart` even when paused
    expect(console.locator("#cn-conversation .cn-line-user").last).to_contain_text("on recommence", timeout=TIMEOUT)
    expect(console.locator("#cn-conversation")).to_contain_text(HOSTILE)
    assert console.locator("#cn-conversation img").count() == 0
    owner.page.wait_for_timeout(1500)
    assert owner.page.locator(".cn-messages .cn-from-bot").count() == bot_messages, "the bot spoke during the takeover"
    console.screenshot(path=str(SCREENSHOTS / "console.png"), full_page=True)

    # Handed back: the bot answers again; everything is recorded on the ticket.
    console.locator("#cn-handback").click()
    owner.sees("Le conseiller vous a rendu la main")
    # The ticket's history names its events as bot/data/labels.yml does: the console fetched them.
    history = console.locator("#cn-detail-history")
    history.locator("summary").click()
    for kind in ("created", "taken", "handed_back"):
        expect(history).to_contain_text(load_labels().events[kind], timeout=TIMEOUT)
    owner.says("merci")
    assert owner.page.locator(".cn-messages .cn-from-bot").count() > bot_messages
    recorded = storage.ticket_repository(databases["CONSEILLER_DATABASE_URL"]).get_with_events(ticket.id)
    kinds = [event.kind for event in recorded.events]
    assert kinds[:1] == ["created"] and {"notified", "taken", "advisor_message", "owner_message", "handed_back"} <= set(
        kinds
    )
    assert recorded.status == "queued" and tracker_slots(server, owner.session_id)["handoff_status"] == "queued"
    count = owner.messages.count()
    saved = owner_context.storage_state()  # the widget's session id, as the browser keeps it
    owner_context.close()
    advisor_context.close()

    # Every process restarts: the owner's conversation and the advisor's ticket are all there.
    running_assistant.restart()
    owner_context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR", storage_state=saved)
    owner = WidgetOwner(owner_context.new_page(), server)
    owner.open()
    expect(owner.messages).to_have_count(count, timeout=TIMEOUT)
    expect(owner.page.locator(".cn-messages .cn-from-advisor").first).to_contain_text("je regarde votre diagnostic")
    advisor_context = browser.new_context(locale="fr-FR")
    console = no_dialogs(advisor_context.new_page())
    log_in(console, server)
    console.locator("#cn-status-filter").select_option("all")
    console.locator(f".cn-ticket[data-ticket-id='{ticket.id}']").click()
    expect(console.locator("#cn-conversation")).to_contain_text("on recommence", timeout=TIMEOUT)
    expect(console.locator("#cn-conversation")).to_contain_text("Bonjour, je regarde votre diagnostic avec vous.")
    owner_context.close()
    advisor_context.close()


def test_the_widget_fits_a_phone_screen(browser, server):
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    owner = WidgetOwner(context.new_page(), server)
    owner.open()
    owner.says("salut, je suis fleuriste à Lyon")
    panel = owner.page.locator(".cn-panel").bounding_box()
    assert panel["width"] <= 375 and panel["x"] >= 0
    assert owner.page.evaluate("document.documentElement.scrollWidth") <= 375
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    owner.page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))
    # Keyboard only: Escape closes and gives the focus back to the launcher.
    owner.page.keyboard.press("Escape")
    expect(owner.page.locator(".cn-launcher")).to_be_focused()
    context.close()


def test_the_console_refuses_wrong_passwords_expired_sessions_and_anonymous_calls(
    browser, server, databases, advisor_account
):
    assert api_status(server, "/console/api/tickets")[0] == 401
    assert api_status(server, "/console/api/tickets/1/take", method="POST")[0] == 401
    context = browser.new_context()
    page = no_dialogs(context.new_page())
    log_in(page, server)
    expect(page.locator("#cn-advisor-name")).to_have_text(ADVISOR_NAME, timeout=TIMEOUT)
    [cookie] = [c for c in context.cookies() if c["name"] == "conseiller_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert api_status(server, "/console/api/me", cookie=f"conseiller_console={cookie['value']}")[0] == 200
    advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"]).expire_session(cookie["value"])
    status, body = api_status(server, "/console/api/me", cookie=f"conseiller_console={cookie['value']}")
    assert status == 401 and "session" in body["error"]
    page.reload()
    expect(page.locator("#cn-login")).to_be_visible(timeout=TIMEOUT)
    context.close()
