"""End-to-end: the trained model, the action server and the Rasa server, talked to
through the REST channel as a website or a phone would."""

import json
import secrets
import shutil
import subprocess
import urllib.request
import uuid
from contextlib import ExitStack

import pytest

from bot.adapters import storage
from ops.servers import BIN, REPO_ROOT, assistant, free_port, rest_message
from tests.helpers import reply_text
from tests.local_services import MailInbox, PlatformApis, WebhookInbox

MODEL = REPO_ROOT / "models" / "conseiller.tar.gz"
TOKEN = "e2e-test-token"


# Advisors are at work around the clock in these tests, so that the answers do not depend
# on when the tests run (office hours have their own unit tests).
ALWAYS_OPEN = """
handoff:
  response_delay: "dans les deux jours ouvrés"
  team_name: "l'équipe de conseillers numériques"
advisors:
  timezone: Europe/Paris
  office_hours: {%s}
  session_hours: 8
privacy:
  retention_days: 365
limits:
  message_max_chars: 2000
  # Test owners type faster than people, all from 127.0.0.1: the limits have their own
  # tests (tests/e2e/test_faults.py, on servers of their own).
  messages_per_minute_per_conversation: 1000000
  messages_per_minute_per_address: 1000000
  tickets_per_day_per_conversation: 3
""" % ", ".join(
    f"{day}: ['00:00-23:59']" for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)


# The messaging platforms' settings, as a deployer would set them, in each platform's format
# but made afresh for each run (no secret-looking literal in the repository); their API
# addresses point at the local stand-in (`platform_apis`).
CHANNEL_SETTINGS = {
    "WHATSAPP_ACCESS_TOKEN": "EAA" + secrets.token_urlsafe(40),
    "WHATSAPP_PHONE_NUMBER_ID": str(secrets.randbelow(9 * 10**14) + 10**14),
    "WHATSAPP_APP_SECRET": secrets.token_hex(16),
    "WHATSAPP_VERIFY_TOKEN": secrets.token_urlsafe(16),
    "MESSENGER_PAGE_ACCESS_TOKEN": "EAA" + secrets.token_urlsafe(40),
    "MESSENGER_APP_SECRET": secrets.token_hex(16),
    "MESSENGER_VERIFY_TOKEN": secrets.token_urlsafe(16),
    "TELEGRAM_BOT_TOKEN": f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(26)}",
    "TELEGRAM_BOT_NAME": "conseiller_numerique_test_bot",
    "TELEGRAM_SECRET_TOKEN": secrets.token_urlsafe(24),
    "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
    "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
    "TWILIO_NUMBER": "+33757000000",
}


def tracker(url: str, sender: str) -> dict:
    """A conversation as the Rasa server holds it (its HTTP API, with the server's token)."""
    with urllib.request.urlopen(f"{url}/conversations/{sender}/tracker?token={TOKEN}", timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser), for one test module."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed for the browser tests: apt-get install chromium (make test does it)"
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    return {
        "TRACKER_DB_URL": f"sqlite:///{folder / 'tracker.db'}",
        "CONSEILLER_DATABASE_URL": f"sqlite:///{folder / 'tickets.db'}",
    }


@pytest.fixture(scope="session")
def webhook_inbox():
    inbox = WebhookInbox()
    yield inbox
    inbox.stop()


@pytest.fixture(scope="session")
def mail_inbox():
    inbox = MailInbox()
    yield inbox
    inbox.stop()


@pytest.fixture(scope="session")
def platform_apis():
    apis = PlatformApis()
    yield apis
    apis.stop()


class RunningAssistant:
    """Both servers on fixed ports, which a test can restart (same databases, same ports)."""

    def __init__(self, environment, port, action_port, logs):
        self.environment, self.port, self.action_port, self.logs = environment, port, action_port, logs
        self.url = f"http://127.0.0.1:{port}"
        self._stack = None

    def start(self):
        self._stack = ExitStack()
        self._stack.enter_context(
            assistant(MODEL, self.port, self.action_port, TOKEN, self.logs, extra_env=self.environment)
        )

    def stop(self):
        self._stack.close()

    def restart(self):
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def trained_model():
    if not MODEL.exists():  # `make test` trains it; a bare `pytest` trains it here
        subprocess.run(
            [str(BIN / "rasa"), "train", "--fixed-model-name", "conseiller", "--out", "models"],
            cwd=REPO_ROOT,
            check=True,
        )
    return MODEL


@pytest.fixture(scope="session")
def running_assistant(trained_model, databases, webhook_inbox, mail_inbox, platform_apis, tmp_path_factory):
    settings = tmp_path_factory.mktemp("settings") / "settings.yml"
    settings.write_text(ALWAYS_OPEN, encoding="utf-8")
    port = free_port()
    environment = {
        **databases,
        "CONSEILLER_SETTINGS_FILE": str(settings),
        "ADVISOR_WEBHOOK_URL": webhook_inbox.url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail_inbox.port),
        "SMTP_TLS": "off",
        "SMTP_FROM": "conseiller@exemple.fr",
        "ADVISOR_EMAIL_TO": "equipe@cci-exemple.fr",
        "CONSOLE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **CHANNEL_SETTINGS,
        **{f"{name.upper()}_API_URL": platform_apis.url_of(name) for name in PlatformApis.PLATFORMS},
    }
    running = RunningAssistant(environment, port, free_port(), tmp_path_factory.mktemp("logs"))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def server(running_assistant):
    return running_assistant.url


class Owner:
    """One business owner chatting through the REST channel."""

    def __init__(self, url: str, database_url: str):
        self.url = url
        self.database_url = database_url
        self.sender = f"owner-{uuid.uuid4().hex[:10]}"
        self.replies: list = []

    def says(self, text: str) -> str:
        self.replies = rest_message(self.url, self.sender, text)
        return self.text

    @property
    def text(self) -> str:
        return reply_text(self.replies)

    @property
    def buttons(self) -> list:
        return [button for message in self.replies for button in message.get("buttons") or []]

    def clicks(self, title: str) -> str:
        [button] = [button for button in self.buttons if button["title"] == title]
        return self.says(button["payload"])

    def tracker(self) -> dict:
        return tracker(self.url, self.sender)

    @property
    def slots(self) -> dict:
        return self.tracker()["slots"]

    def tickets(self):
        return storage.ticket_repository(self.database_url).for_sender(self.sender)


@pytest.fixture
def owner(server, databases):
    return Owner(server, databases["CONSEILLER_DATABASE_URL"])


@pytest.fixture
def owner_factory(server, databases):
    """For tests that need several owners (one conversation each)."""
    return lambda: Owner(server, databases["CONSEILLER_DATABASE_URL"])
