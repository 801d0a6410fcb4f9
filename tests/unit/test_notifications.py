"""Advisors are notified of a new ticket through a real local HTTP server and real local SMTP
servers (in clear, with STARTTLS, in implicit TLS, with a certificate made here)."""

import json
import logging

import pytest

from bot.adapters import storage
from bot.adapters.notifications import NotificationConfig, notify_new_ticket
from ops.servers import free_port
from tests.local_services import MailInbox, WebhookInbox, self_signed_certificate

FIELDS = {
    "reason": "basic_level",
    "sector": "crafts",
    "headcount": 3,
    "location": "Nantes",
    "score_overall": 18.4,
    "maturity_level": "basic",
    "email": "contact@boulangerie-exemple.fr",
    "phone": "0612345678",
    "preferred_time": "En matinée",
    "needs": ["need_visibility"],
    "dimension_scores": {"strategy": 20.0, "security": 12.5},
}
# What an owner may type in their own words: none of it may leave in a notification.
TYPED = {
    **FIELDS,
    "preferred_time": "mardi après 18h chez Mme Dupont, ou appelez le 06 39 98 12 34",
    "location": "12 rue des Lilas, Nantes — jean.dupont@gmail.com",
}
TYPED_FRAGMENTS = (
    "mardi",
    "Dupont",
    "dupont",
    "Lilas",
    "Nantes",
    "06 39 98 12 34",
    "0639981234",
    "gmail",
    "contact@",
    "0612345678",
    "06 12 34 56 78",
)


@pytest.fixture
def webhook():
    inbox = WebhookInbox()
    yield inbox
    inbox.stop()


@pytest.fixture
def certificate(tmp_path):
    return self_signed_certificate(tmp_path)


@pytest.fixture
def mailbox(certificate):
    """An SMTP server that offers STARTTLS (and requires it) with a self-signed certificate."""
    inbox = MailInbox(tls="starttls", certificate=certificate)
    yield inbox
    inbox.stop()


@pytest.fixture
def ticket(tmp_path):
    tickets = storage.ticket_repository(f"sqlite:///{tmp_path / 'db.sqlite'}")
    return tickets, tickets.create({"sender_id": "owner", **TYPED})


@pytest.fixture
def smtp_environment(monkeypatch):
    """The deployer's SMTP settings, as the action server reads them (nothing else set)."""
    for name in ("ADVISOR_WEBHOOK_URL", "SMTP_USER", "SMTP_PASSWORD", "SMTP_TLS", "SMTP_STARTTLS", "SMTP_CA_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_FROM", "conseiller@exemple.fr")
    monkeypatch.setenv("ADVISOR_EMAIL_TO", "equipe@cci-exemple.fr")
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "https://conseil.exemple.fr")
    return monkeypatch


@pytest.fixture
def verified_mailbox(mailbox, certificate, smtp_environment):
    """`mailbox` as the deployer's SMTP server, its certificate trusted (SMTP_CA_FILE)."""
    smtp_environment.setenv("SMTP_PORT", str(mailbox.port))
    smtp_environment.setenv("SMTP_CA_FILE", str(certificate[0]))
    return mailbox


def config(**overrides):
    values = dict(
        webhook_url=None,
        smtp_host=None,
        smtp_port=25,
        smtp_user=None,
        smtp_password=None,
        smtp_tls="starttls",
        mail_from="conseiller@exemple.fr",
        mail_to=[],
        console_url="https://conseil.exemple.fr",
    )
    values.update(overrides)
    return NotificationConfig(**values)


def kinds(ticket_id, tickets):
    return [e.kind for e in tickets.get_with_events(ticket_id).events]


def mail_text(envelope) -> str:
    from email import message_from_bytes, policy

    return message_from_bytes(envelope.content, policy=policy.default).get_body().get_content()


def test_the_webhook_receives_the_ticket_summary_without_personal_contact(webhook, tmp_path):
    tickets = storage.ticket_repository(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ticket_id = tickets.create({"sender_id": "owner", **FIELDS})
    assert notify_new_ticket(ticket_id, FIELDS, config(webhook_url=webhook.url), tickets) == {"webhook": True}
    [(content_type, payload)] = webhook.received
    assert content_type == "application/json"
    assert (
        payload["ticket_id"] == ticket_id and payload["maturity_level"] == "basic" and payload["score_overall"] == 18.4
    )
    assert payload["needs"] == ["need_visibility"] and payload["dimension_scores"] == {
        "strategy": 20.0,
        "security": 12.5,
    }
    assert (
        f"Nouvelle demande n° {ticket_id}" in payload["text"]
        and "Entreprise : Artisanat, 3 personne(s)" in payload["text"]
    )
    assert "Moment souhaité : En matinée" in payload["text"] and payload["preferred_time"] == "En matinée"
    assert "Besoins : Être visible en ligne" in payload["text"]
    assert payload["console_url"] == f"https://conseil.exemple.fr/console/#ticket-{ticket_id}"
    assert not any(fragment in json.dumps(payload, ensure_ascii=False) for fragment in TYPED_FRAGMENTS)
    assert kinds(ticket_id, tickets) == ["created", "notified"]


def test_what_the_owner_typed_stays_out_of_the_webhook(webhook, ticket):
    tickets, ticket_id = ticket
    assert notify_new_ticket(ticket_id, TYPED, config(webhook_url=webhook.url), tickets) == {"webhook": True}
    [(_, payload)] = webhook.received
    sent = json.dumps(payload, ensure_ascii=False)
    assert [fragment for fragment in TYPED_FRAGMENTS if fragment in sent] == []
    assert "location" not in payload and "email" not in payload and "phone" not in payload
    assert payload["preferred_time"] == "précisé dans la console"
    assert "Moment souhaité : précisé dans la console" in payload["text"]
    # What the advisor needs to pick the ticket up is still there.
    assert "Entreprise : Artisanat, 3 personne(s)" in payload["text"] and "18/100" in payload["text"]


def test_what_the_owner_typed_stays_out_of_the_email(verified_mailbox, ticket):
    tickets, ticket_id = ticket
    assert notify_new_ticket(ticket_id, TYPED, tickets=tickets) == {"email": True}
    [envelope] = verified_mailbox.messages
    text = mail_text(envelope)
    assert [fragment for fragment in TYPED_FRAGMENTS if fragment in text] == []
    assert "Moment souhaité : précisé dans la console" in text and "Entreprise : Artisanat, 3 personne(s)" in text
    assert f"https://conseil.exemple.fr/console/#ticket-{ticket_id}" in text


def test_a_button_choice_for_the_preferred_time_is_sent_as_it_is(webhook, ticket):
    tickets, ticket_id = ticket
    for choice in ("En début d'après-midi", "En fin de journée", "pas de préférence", "Peu importe"):
        notify_new_ticket(ticket_id, {**TYPED, "preferred_time": choice}, config(webhook_url=webhook.url), tickets)
    assert [payload["preferred_time"] for _, payload in webhook.received] == [
        "En début d'après-midi",
        "En fin de journée",
        "pas de préférence",
        "Peu importe",
    ]


def test_the_advisors_receive_an_email_over_verified_starttls(verified_mailbox, ticket):
    tickets, ticket_id = ticket
    assert notify_new_ticket(ticket_id, FIELDS, tickets=tickets) == {"email": True}
    [envelope] = verified_mailbox.messages
    assert envelope.encrypted and envelope.rcpt_tos == ["equipe@cci-exemple.fr"]
    text = mail_text(envelope)
    assert f"Nouvelle demande n° {ticket_id}" in text and "18/100, niveau" in text
    assert kinds(ticket_id, tickets) == ["created", "notified"]


def test_an_unverifiable_certificate_stops_the_email(mailbox, ticket, smtp_environment, caplog):
    tickets, ticket_id = ticket
    smtp_environment.setenv("SMTP_PORT", str(mailbox.port))  # no SMTP_CA_FILE: the system's authorities
    with caplog.at_level(logging.ERROR, logger="bot.adapters.notifications"):
        assert notify_new_ticket(ticket_id, FIELDS, tickets=tickets) == {"email": False}
    assert mailbox.messages == []
    events = tickets.get_with_events(ticket_id).events
    assert [e.kind for e in events] == ["created", "notification_failed"]
    assert "certificat du serveur SMTP 127.0.0.1 refusé" in events[-1].detail and "SMTP_CA_FILE" in events[-1].detail
    assert any(record.levelno == logging.ERROR and "refused" in record.getMessage() for record in caplog.records)


def test_a_server_without_starttls_gets_nothing_unless_tls_is_turned_off(ticket, smtp_environment, caplog):
    tickets, ticket_id = ticket
    plain = MailInbox()
    try:
        smtp_environment.setenv("SMTP_PORT", str(plain.port))
        with caplog.at_level(logging.ERROR, logger="bot.adapters.notifications"):
            assert notify_new_ticket(ticket_id, FIELDS, tickets=tickets) == {"email": False}
        assert plain.messages == []
        failure = tickets.get_with_events(ticket_id).events[-1]
        assert failure.kind == "notification_failed" and "ne propose pas STARTTLS" in failure.detail
        assert any(record.levelno == logging.ERROR and "STARTTLS" in record.getMessage() for record in caplog.records)

        smtp_environment.setenv("SMTP_TLS", "off")  # a relay on the same machine
        assert notify_new_ticket(ticket_id, FIELDS, tickets=tickets) == {"email": True}
        [envelope] = plain.messages
        assert not envelope.encrypted

        smtp_environment.delenv("SMTP_TLS")
        smtp_environment.setenv("SMTP_STARTTLS", "0")  # the older name of the same choice
        assert notify_new_ticket(ticket_id, FIELDS, tickets=tickets) == {"email": True}
        assert len(plain.messages) == 2
    finally:
        plain.stop()
    assert kinds(ticket_id, tickets) == ["created", "notification_failed", "notified", "notified"]


def test_implicit_tls_is_used_with_smtp_tls_ssl(certificate, ticket, smtp_environment):
    tickets, ticket_id = ticket
    implicit = MailInbox(tls="ssl", certificate=certificate)
    try:
        smtp_environment.setenv("SMTP_PORT", str(implicit.port))
        smtp_environment.setenv("SMTP_TLS", "ssl")
        smtp_environment.setenv("SMTP_CA_FILE", str(certificate[0]))
        assert notify_new_ticket(ticket_id, FIELDS, tickets=tickets) == {"email": True}
        [envelope] = implicit.messages
        assert envelope.encrypted
    finally:
        implicit.stop()


def test_a_failed_notification_is_recorded_and_does_not_raise(tmp_path):
    tickets = storage.ticket_repository(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ticket_id = tickets.create({"sender_id": "owner", **FIELDS})
    closed_port = free_port()
    assert notify_new_ticket(ticket_id, FIELDS, config(webhook_url=f"http://127.0.0.1:{closed_port}/"), tickets) == {
        "webhook": False
    }
    events = tickets.get_with_events(ticket_id).events
    assert [e.kind for e in events] == ["created", "notification_failed"] and "webhook" in events[-1].detail


def test_nothing_is_sent_when_nothing_is_configured(tmp_path):
    assert (
        notify_new_ticket(
            1, FIELDS, config(console_url=None), storage.ticket_repository(f"sqlite:///{tmp_path / 'db.sqlite'}")
        )
        == {}
    )


def test_configuration_comes_from_the_environment():
    found = NotificationConfig.from_environment(
        {
            "ADVISOR_WEBHOOK_URL": "https://hooks.exemple.fr/x",
            "SMTP_HOST": "smtp.exemple.fr",
            "SMTP_PORT": "2525",
            "ADVISOR_EMAIL_TO": "a@exemple.fr, b@exemple.fr",
            "SMTP_CA_FILE": "/etc/ssl/ca-interne.pem",
            "CONSOLE_PUBLIC_URL": "https://c.exemple.fr/",
        }
    )
    assert found.webhook_url == "https://hooks.exemple.fr/x" and found.smtp_port == 2525
    assert found.smtp_tls == "starttls" and found.smtp_ca_file == "/etc/ssl/ca-interne.pem"
    assert found.mail_to == ["a@exemple.fr", "b@exemple.fr"] and found.console_url == "https://c.exemple.fr"


@pytest.mark.parametrize(
    "environment, tls, port",
    [
        ({}, "starttls", 587),
        ({"SMTP_PORT": "465"}, "ssl", 465),
        ({"SMTP_TLS": "ssl"}, "ssl", 465),
        ({"SMTP_TLS": "STARTTLS", "SMTP_PORT": "465"}, "starttls", 465),
        ({"SMTP_TLS": "off", "SMTP_PORT": "25"}, "off", 25),
        ({"SMTP_STARTTLS": "0"}, "off", 587),
        ({"SMTP_TLS": "non"}, "starttls", 587),  # a typo never means "in clear"
    ],
)
def test_tls_is_required_unless_explicitly_turned_off(environment, tls, port):
    found = NotificationConfig.from_environment({"SMTP_HOST": "smtp.exemple.fr", **environment})
    assert (found.smtp_tls, found.smtp_port) == (tls, port)
