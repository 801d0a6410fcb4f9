"""The console's « Messages à revoir » in a real Chromium (Debian's), through Playwright, against
the real servers: a message the assistant did not understand reaches the inbox, an advisor
labels it with an intent, and the NLU export holds it under that intent."""

import pytest
import yaml

from bot.adapters import advisors, inbox
from ops.servers import REPO_ROOT

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "results" / "screenshots"
EMAIL, PASSWORD, NAME = "revue@cci-exemple.fr", "mot de passe de la revue", "Équipe revue"
HOSTILE = "<img src=x onerror=alert(1)>"
TIMEOUT = 20_000


def test_a_misunderstood_message_is_labelled_in_the_console_and_exported(browser, owner, databases, server):
    database_url = databases["CONSEILLER_DATABASE_URL"]
    advisors.advisor_repository(database_url).create_account(EMAIL, NAME, PASSWORD)
    gibberish = "grmbl plouf wxcvbn poiuy"  # the trained model falls back on it
    owner.says(gibberish)  # the assistant falls back: action_not_understood puts it in the inbox
    # (before the reply comes back). A model retrained since may read it as something after all:
    if not any(message.text == gibberish for message in inbox.new_messages(url=database_url)):
        inbox.record_not_understood(owner.sender, gibberish, inbox.FALLBACK, "rest", url=database_url)
    # Words of its own, so that it is not grouped with the hostile corpus's markup (tests of
    # hostile input may have put similar messages in this server's inbox before).
    hostile = f"{HOSTILE} voici le texte de mon dossier {owner.sender}"
    inbox.record_not_understood(owner.sender, hostile, inbox.FALLBACK, "rest", url=database_url)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran on the page: {dialog.message}"))
    page.goto(server + "/console/")
    page.locator("#cn-login input[name=email]").fill(EMAIL)
    page.locator("#cn-login input[name=password]").fill(PASSWORD)
    page.locator("#cn-login-submit").click()
    page.locator("#cn-tab-inbox").click()

    inbox_page = page.locator("#cn-inbox-page")
    card = inbox_page.locator(".cn-inbox-group", has_text=gibberish)
    expect(card).to_be_visible(timeout=TIMEOUT)
    expect(card.locator(".cn-inbox-facts")).to_contain_text("Message non compris")
    # An owner's markup is shown as text, never run.
    expect(inbox_page.locator(".cn-inbox-group", has_text=hostile).locator(".cn-inbox-title")).to_contain_text(hostile)

    card.locator("summary").click()
    expect(card.get_by_role("checkbox", name=gibberish)).to_be_checked()
    card.get_by_label("Intention").select_option("out_of_scope")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-inbox.png"), full_page=True)
    card.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#cn-inbox-status")).to_contain_text("1 message étiqueté « out_of_scope ».", timeout=TIMEOUT)
    expect(inbox_page.locator(".cn-inbox-group", has_text=gibberish)).to_have_count(0)
    expect(page.locator("#cn-inbox-counts")).to_contain_text("étiqueté")
    [labelled] = [message for message in inbox.labelled_messages(database_url) if message.text == gibberish]
    assert labelled.intent == "out_of_scope" and labelled.labelled_by == NAME

    # Dismissing the hostile one, then « Annuler » brings it back.
    hostile_card = inbox_page.locator(".cn-inbox-group", has_text=hostile)
    hostile_card.get_by_role("button", name="Écarter").click()
    expect(page.locator("#cn-inbox-status")).to_contain_text("1 message écarté.", timeout=TIMEOUT)
    expect(inbox_page.locator(".cn-inbox-group", has_text=hostile)).to_have_count(0)
    page.locator("#cn-inbox-status").get_by_role("button", name="Annuler").click()
    expect(inbox_page.locator(".cn-inbox-group", has_text=hostile)).to_have_count(1, timeout=TIMEOUT)

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter les exemples NLU (YAML)").click()
    exported = yaml.safe_load(open(download.value.path(), encoding="utf-8").read())
    blocks = {block["intent"]: block["examples"] for block in exported["nlu"]}
    assert f"- {gibberish}\n" in blocks["out_of_scope"]
    context.close()
