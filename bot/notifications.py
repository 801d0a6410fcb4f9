"""Telling advisors that a new handoff ticket waits: a webhook and/or an e-mail.

Configured from the environment only (addresses and passwords are secrets):
- ADVISOR_WEBHOOK_URL: receives a JSON POST (Slack/Teams/Mattermost-style `text` field plus
  the ticket's summary fields);
- SMTP_HOST, SMTP_PORT (587), SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS (on unless "0"),
  SMTP_FROM and ADVISOR_EMAIL_TO (comma-separated): an e-mail to the advisors;
- CONSOLE_PUBLIC_URL: the console's address, put in both so advisors can click through.

The owner's contact details are not sent: advisors read them in the console, behind login.
Every attempt is recorded on the ticket (kind `notified` or `notification_failed`).
"""
import json
import logging
import os
import smtplib
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Dict, List, Mapping, Optional

from bot import storage
from bot.profile import SECTOR_LABELS
from bot.scoring import LEVEL_LABELS

logger = logging.getLogger(__name__)

REASON_LABELS = {
    "requested": "demande de l'entrepreneur",
    "basic_level": "niveau débutant au diagnostic",
    "security_low": "cybersécurité faible au diagnostic",
    "not_understood": "l'assistant n'a pas compris",
}
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class NotificationConfig:
    webhook_url: Optional[str]
    smtp_host: Optional[str]
    smtp_port: int
    smtp_user: Optional[str]
    smtp_password: Optional[str]
    smtp_starttls: bool
    mail_from: Optional[str]
    mail_to: List[str]
    console_url: Optional[str]

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> "NotificationConfig":
        return cls(
            webhook_url=env.get("ADVISOR_WEBHOOK_URL") or None,
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT") or 587),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=env.get("SMTP_STARTTLS", "1") != "0",
            mail_from=env.get("SMTP_FROM") or None,
            mail_to=[address.strip() for address in (env.get("ADVISOR_EMAIL_TO") or "").split(",") if address.strip()],
            console_url=(env.get("CONSOLE_PUBLIC_URL") or "").rstrip("/") or None,
        )


def ticket_summary_lines(fields: Mapping) -> List[str]:
    """What an advisor needs to decide whether to pick the ticket up, without personal data."""
    profile = ", ".join(part for part in (
        SECTOR_LABELS.get(fields.get("sector") or "", ""),
        f"{fields['headcount']} personne(s)" if fields.get("headcount") else "",
        fields.get("location") or "",
    ) if part)
    lines = [f"Motif : {REASON_LABELS.get(fields.get('reason'), fields.get('reason'))}"]
    if profile:
        lines.append(f"Entreprise : {profile}")
    if fields.get("score_overall") is not None:
        level = LEVEL_LABELS.get(fields.get("maturity_level"), fields.get("maturity_level"))
        lines.append(f"Diagnostic : {round(fields['score_overall'])}/100, niveau {level}")
    if fields.get("preferred_time"):
        lines.append(f"Moment souhaité : {fields['preferred_time']}")
    return lines


def notify_new_ticket(ticket_id: int, fields: Mapping, config: Optional[NotificationConfig] = None,
                      database_url: Optional[str] = None) -> Dict[str, bool]:
    """Sends what is configured; returns {"webhook": ok, "email": ok} for what was tried."""
    config = config or NotificationConfig.from_environment()
    title = f"Nouvelle demande n° {ticket_id} pour un conseiller numérique"
    lines = ticket_summary_lines(fields)
    link = f"{config.console_url}/console/#ticket-{ticket_id}" if config.console_url else None
    results: Dict[str, bool] = {}
    if config.webhook_url:
        payload = {
            "text": "\n".join([title, *lines] + ([link] if link else [])),
            "ticket_id": ticket_id, "reason": fields.get("reason"), "sector": fields.get("sector"),
            "headcount": fields.get("headcount"), "location": fields.get("location"),
            "score_overall": fields.get("score_overall"), "maturity_level": fields.get("maturity_level"),
            "console_url": link,
        }
        results["webhook"] = _attempt(ticket_id, "webhook", lambda: _post_json(config.webhook_url, payload), database_url)
    if config.smtp_host and config.mail_to:
        body = "\n".join(["Bonjour,", "", f"{title}.", "", *lines, "",
                          f"La demande complète (contact, résumé, conversation) : {link}" if link
                          else "La demande complète (contact, résumé, conversation) est dans la console des conseillers."])
        results["email"] = _attempt(ticket_id, "e-mail", lambda: _send_mail(config, title, body), database_url)
    return results


def _attempt(ticket_id: int, how: str, send, database_url: Optional[str]) -> bool:
    try:
        send()
    except Exception as error:  # a notification must never break the owner's conversation
        logger.warning("Notification %s for ticket %s failed: %s", how, ticket_id, error)
        storage.add_event(ticket_id, "notification_failed", "assistant", f"{how} : {error}", url=database_url)
        return False
    storage.add_event(ticket_id, "notified", "assistant", how, url=database_url)
    return True


def _post_json(url: str, payload: dict) -> None:
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        if response.status >= 300:
            raise RuntimeError(f"HTTP {response.status}")


def _send_mail(config: NotificationConfig, subject: str, body: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.mail_from or "conseiller-numerique@localhost"
    message["To"] = ", ".join(config.mail_to)
    message.set_content(body)
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.ehlo()
        if config.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
        smtp.send_message(message)
