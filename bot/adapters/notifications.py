"""Telling advisors that a new handoff ticket waits: a webhook and/or an e-mail.

Configured from the environment only (addresses and passwords are secrets):
- ADVISOR_WEBHOOK_URL: receives a JSON POST (Slack/Teams/Mattermost-style `text` field plus
  the ticket's summary fields);
- SMTP_HOST, SMTP_PORT (587, or 465 with SMTP_TLS=ssl), SMTP_USER, SMTP_PASSWORD, SMTP_FROM and
  ADVISOR_EMAIL_TO (comma-separated): an e-mail to the advisors;
- SMTP_TLS: `starttls` (the default; port 465 defaults to `ssl`) requires STARTTLS, `ssl` is
  implicit TLS, `off` sends in clear (for a relay on 127.0.0.1 only; SMTP_STARTTLS=0, the older
  name, means the same). The server's certificate is always verified, against the system's
  authorities or SMTP_CA_FILE;
- CONSOLE_PUBLIC_URL: the console's address, put in both so advisors can click through.

Notifications leave the organisation (chat services, mailboxes): they carry only what the
assistant itself chose (reason, sector, headcount, scores, level, needs, a button's preferred
time), never what the owner typed (contact details, place, a preferred time in their own
words). Advisors read those in the console, behind login.
Every attempt is recorded on the ticket (kind `notified` or `notification_failed`).
"""

import json
import logging
import os
import re
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Dict, List, Mapping, Optional

from bot.adapters import storage
from bot.handover.records import TicketRepository
from bot.labels import load_labels

logger = logging.getLogger(__name__)

# The buttons of action_ask_preferred_time, and what "peu importe" is stored as: anything
# else is the owner's own words, which stay in the console.
PREFERRED_TIME_CHOICES = (
    "En matinée",
    "En début d'après-midi",
    "En fin de journée",
    "Peu importe",
    "pas de préférence",
)
PREFERRED_TIME_IN_CONSOLE = "précisé dans la console"
TLS_MODES = ("starttls", "ssl", "off")
TIMEOUT_SECONDS = 10
_DIMENSION_ID = re.compile(r"[a-z_]{1,40}")


class SmtpSecurityError(RuntimeError):
    """The SMTP server offers no TLS, or one whose certificate does not check out: nothing was
    sent. The message is in French: it is shown on the ticket's history."""


@dataclass(frozen=True)
class NotificationConfig:
    webhook_url: Optional[str]
    smtp_host: Optional[str]
    smtp_port: int
    smtp_user: Optional[str]
    smtp_password: Optional[str]
    smtp_tls: str  # one of TLS_MODES
    mail_from: Optional[str]
    mail_to: List[str]
    console_url: Optional[str]
    smtp_ca_file: Optional[str] = None

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> "NotificationConfig":
        tls = _tls_mode(env)
        return cls(
            webhook_url=env.get("ADVISOR_WEBHOOK_URL") or None,
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT") or (465 if tls == "ssl" else 587)),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_tls=tls,
            mail_from=env.get("SMTP_FROM") or None,
            mail_to=[address.strip() for address in (env.get("ADVISOR_EMAIL_TO") or "").split(",") if address.strip()],
            console_url=(env.get("CONSOLE_PUBLIC_URL") or "").rstrip("/") or None,
            smtp_ca_file=env.get("SMTP_CA_FILE") or None,
        )


def _tls_mode(env: Mapping[str, str]) -> str:
    """SMTP_TLS if valid; else `off` for the older SMTP_STARTTLS=0, `ssl` on port 465, `starttls`."""
    wanted = (env.get("SMTP_TLS") or "").strip().lower()
    if wanted in TLS_MODES:
        return wanted
    fallback = (
        "off" if env.get("SMTP_STARTTLS", "").strip() == "0" else "ssl" if env.get("SMTP_PORT") == "465" else "starttls"
    )
    if wanted:
        logger.warning("SMTP_TLS=%s is not one of %s: using %s", wanted, ", ".join(TLS_MODES), fallback)
    return fallback


def preferred_time_label(value: Any) -> Optional[str]:
    """A button's choice as it is; the owner's own words are replaced by a pointer to the console."""
    if not value:
        return None
    text = str(value).strip().casefold()
    return next((choice for choice in PREFERRED_TIME_CHOICES if choice.casefold() == text), PREFERRED_TIME_IN_CONSOLE)


def shareable_fields(fields: Mapping) -> Dict[str, Any]:
    """The ticket's fields that may leave the organisation: values the assistant chose from its
    own lists or computed, never a text the owner typed (an allow-list: a new field stays out)."""
    headcount = fields.get("headcount")
    score = fields.get("score_overall")
    dimensions = fields.get("dimension_scores") if isinstance(fields.get("dimension_scores"), Mapping) else {}
    labels = load_labels()
    return {
        "reason": fields.get("reason") if fields.get("reason") in labels.reasons else None,
        "sector": fields.get("sector") if fields.get("sector") in labels.sectors else None,
        "headcount": int(headcount)
        if isinstance(headcount, (int, float)) and not isinstance(headcount, bool) and headcount >= 1
        else None,
        "score_overall": round(float(score), 1)
        if isinstance(score, (int, float)) and not isinstance(score, bool)
        else None,
        "maturity_level": fields.get("maturity_level") if fields.get("maturity_level") in labels.levels else None,
        "dimension_scores": {
            key: round(float(value), 1)
            for key, value in dimensions.items()
            if isinstance(key, str)
            and _DIMENSION_ID.fullmatch(key)
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        },
        "needs": [need for need in fields.get("needs") or [] if need in labels.needs],
        "preferred_time": preferred_time_label(fields.get("preferred_time")),
    }


def ticket_summary_lines(fields: Mapping) -> List[str]:
    """What an advisor needs to decide whether to pick the ticket up, without personal data."""
    shared = shareable_fields(fields)
    labels = load_labels()
    profile = ", ".join(
        part
        for part in (
            labels.sectors.get(shared["sector"] or "", ""),
            f"{shared['headcount']} personne(s)" if shared["headcount"] else "",
        )
        if part
    )
    lines = [f"Motif : {labels.reasons.get(shared['reason'] or '', 'autre')}"]
    if profile:
        lines.append(f"Entreprise : {profile}")
    if shared["score_overall"] is not None:
        level = labels.levels.get(shared["maturity_level"] or "", "non déterminé")
        lines.append(f"Diagnostic : {round(shared['score_overall'])}/100, niveau {level}")
    if shared["needs"]:
        lines.append(f"Besoins : {', '.join(labels.needs[need] for need in shared['needs'])}")
    if shared["preferred_time"]:
        lines.append(f"Moment souhaité : {shared['preferred_time']}")
    return lines


def notify_new_ticket(
    ticket_id: int,
    fields: Mapping,
    config: Optional[NotificationConfig] = None,
    tickets: Optional[TicketRepository] = None,
) -> Dict[str, bool]:
    """Sends what is configured; returns {"webhook": ok, "email": ok} for what was tried,
    each attempt recorded on the ticket in `tickets` (by default the configured database's)."""
    config = config or NotificationConfig.from_environment()
    title = f"Nouvelle demande n° {ticket_id} pour un conseiller numérique"
    lines = ticket_summary_lines(fields)
    link = f"{config.console_url}/console/#ticket-{ticket_id}" if config.console_url else None
    results: Dict[str, bool] = {}
    if config.webhook_url:
        payload = {
            "text": "\n".join([title, *lines] + ([link] if link else [])),
            "ticket_id": ticket_id,
            **shareable_fields(fields),
            "console_url": link,
        }
        results["webhook"] = _attempt(ticket_id, "webhook", lambda: _post_json(config.webhook_url, payload), tickets)
    if config.smtp_host and config.mail_to:
        body = "\n".join(
            [
                "Bonjour,",
                "",
                f"{title}.",
                "",
                *lines,
                "",
                f"La demande complète (contact, lieu, résumé, conversation) : {link}"
                if link
                else "La demande complète (contact, lieu, résumé, conversation) est dans la console des conseillers.",
            ]
        )
        results["email"] = _attempt(ticket_id, "e-mail", lambda: _send_mail(config, title, body), tickets)
    return results


def _attempt(ticket_id: int, how: str, send, tickets: Optional[TicketRepository]) -> bool:
    tickets = tickets or storage.ticket_repository()
    try:
        send()
    except SmtpSecurityError as error:
        logger.error("Notification %s for ticket %s refused, nothing sent: %s", how, ticket_id, error)
        tickets.add_event(ticket_id, "notification_failed", "assistant", f"{how} : {error}")
        return False
    except Exception as error:  # a notification must never break the owner's conversation
        logger.warning("Notification %s for ticket %s failed: %s", how, ticket_id, error)
        tickets.add_event(ticket_id, "notification_failed", "assistant", f"{how} : {error}")
        return False
    tickets.add_event(ticket_id, "notified", "assistant", how)
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
    if config.smtp_tls == "off":  # the deployer's explicit choice, for a relay on the same machine
        if config.smtp_host not in ("127.0.0.1", "::1", "localhost"):
            logger.warning("SMTP_TLS=off: the e-mail to advisors goes to %s in clear", config.smtp_host)
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            _deliver(smtp, config, message)
        return
    context = ssl.create_default_context(cafile=config.smtp_ca_file)
    try:
        if config.smtp_tls == "ssl":
            with smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, timeout=TIMEOUT_SECONDS, context=context) as smtp:
                _deliver(smtp, config, message)
            return
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise SmtpSecurityError(
                    f"le serveur SMTP {config.smtp_host}:{config.smtp_port} ne propose pas STARTTLS, rien n'a été "
                    "envoyé en clair (SMTP_TLS=ssl pour un serveur en TLS direct, SMTP_TLS=off seulement pour un "
                    "relais sur la même machine)"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
            _deliver(smtp, config, message)
    except ssl.SSLCertVerificationError as error:
        raise SmtpSecurityError(
            f"certificat du serveur SMTP {config.smtp_host} refusé ({error.verify_message}), rien n'a été envoyé "
            "(SMTP_CA_FILE peut désigner le certificat de l'autorité qui l'a signé)"
        ) from error
    except ssl.SSLError as error:
        raise SmtpSecurityError(
            f"connexion TLS impossible avec le serveur SMTP {config.smtp_host} ({error.reason or error}), "
            "rien n'a été envoyé"
        ) from error


def _deliver(smtp: smtplib.SMTP, config: NotificationConfig, message: EmailMessage) -> None:
    if config.smtp_user:
        smtp.login(config.smtp_user, config.smtp_password or "")
    smtp.send_message(message)
