"""Advisors are notified of a new ticket through a real local HTTP server and SMTP server."""
import json

import pytest

from bot import storage
from bot.notifications import NotificationConfig, notify_new_ticket
from ops.servers import free_port
from tests.local_services import MailInbox, WebhookInbox

FIELDS = {"reason": "basic_level", "sector": "crafts", "headcount": 3, "location": "Nantes",
          "score_overall": 18.4, "maturity_level": "basic", "email": "contact@boulangerie-exemple.fr",
          "phone": "0612345678", "preferred_time": "En matinée"}


@pytest.fixture
def webhook():
    inbox = WebhookInbox()
    yield inbox
    inbox.stop()


@pytest.fixture
def mailbox():
    inbox = MailInbox()
    yield inbox
    inbox.stop()


def config(**overrides):
    values = dict(webhook_url=None, smtp_host=None, smtp_port=25, smtp_user=None, smtp_password=None,
                  smtp_starttls=True, mail_from="conseiller@exemple.fr", mail_to=[], console_url="https://conseil.exemple.fr")
    values.update(overrides)
    return NotificationConfig(**values)


def test_the_webhook_receives_the_ticket_summary_without_personal_contact(webhook, tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    ticket_id = storage.create_ticket({"sender_id": "owner", **FIELDS}, url)
    assert notify_new_ticket(ticket_id, FIELDS, config(webhook_url=webhook.url), url) == {"webhook": True}
    [(content_type, payload)] = webhook.received
    assert content_type == "application/json"
    assert payload["ticket_id"] == ticket_id and payload["maturity_level"] == "basic"
    assert f"Nouvelle demande n° {ticket_id}" in payload["text"] and "Artisanat, 3 personne(s), Nantes" in payload["text"]
    assert payload["console_url"] == f"https://conseil.exemple.fr/console/#ticket-{ticket_id}"
    assert "0612345678" not in json.dumps(payload) and "contact@" not in json.dumps(payload)
    assert [e.kind for e in storage.ticket_with_events(ticket_id, url).events] == ["created", "notified"]


def test_the_advisors_receive_an_email(mailbox, tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    ticket_id = storage.create_ticket({"sender_id": "owner", **FIELDS}, url)
    sent = notify_new_ticket(ticket_id, FIELDS, config(smtp_host="127.0.0.1", smtp_port=mailbox.port,
                                                       mail_to=["equipe@cci-exemple.fr"]), url)
    assert sent == {"email": True}
    [envelope] = mailbox.messages
    assert envelope.rcpt_tos == ["equipe@cci-exemple.fr"]
    content = envelope.content.decode()
    assert f"Nouvelle demande n=C2=B0 {ticket_id}" in content or f"Nouvelle demande n° {ticket_id}" in content
    assert "18/100" in content


def test_a_failed_notification_is_recorded_and_does_not_raise(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    ticket_id = storage.create_ticket({"sender_id": "owner", **FIELDS}, url)
    closed_port = free_port()
    assert notify_new_ticket(ticket_id, FIELDS, config(webhook_url=f"http://127.0.0.1:{closed_port}/"), url) == {"webhook": False}
    events = storage.ticket_with_events(ticket_id, url).events
    assert [e.kind for e in events] == ["created", "notification_failed"] and "webhook" in events[-1].detail


def test_nothing_is_sent_when_nothing_is_configured(tmp_path):
    assert notify_new_ticket(1, FIELDS, config(console_url=None), f"sqlite:///{tmp_path / 'db.sqlite'}") == {}


def test_configuration_comes_from_the_environment():
    found = NotificationConfig.from_environment({
        "ADVISOR_WEBHOOK_URL": "https://hooks.exemple.fr/x", "SMTP_HOST": "smtp.exemple.fr", "SMTP_PORT": "465",
        "ADVISOR_EMAIL_TO": "a@exemple.fr, b@exemple.fr", "SMTP_STARTTLS": "0", "CONSOLE_PUBLIC_URL": "https://c.exemple.fr/",
    })
    assert found.webhook_url == "https://hooks.exemple.fr/x" and found.smtp_port == 465 and not found.smtp_starttls
    assert found.mail_to == ["a@exemple.fr", "b@exemple.fr"] and found.console_url == "https://c.exemple.fr"
