"""What the test folders share: a baker's typed answers and the best answers, the scripts as
modules, the advisor console's HTTP API as a client calls it, tickets and databases as earlier
versions left them, and the text of the bot's replies."""

import importlib.util
import json
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from sqlalchemy import MetaData, Table, create_engine

from bot.adapters import storage
from bot.diagnostic.questionnaire import Questionnaire

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"

# A baker in Nantes answers the whole diagnostic in free text, as typed in the end-to-end tests
# (answer typed, question id, value stored); the unit tests read the same answers.
FREE_TEXT_ANSWERS = [
    ("on a juste une idée, pas de budget", "q_digital_plan", "idea"),
    ("oui clairement", "q_digital_benefit", "clearly"),
    ("on a la fibre", "q_connection", "fast"),
    ("une messagerie pro et google drive", "q_cloud_services", ["pro_email", "shared_storage"]),
    ("facebook et un site", "q_online_presence", ["social_network", "website"]),
    ("non, on vend seulement en boutique", "q_online_sales", "no"),
    ("de temps en temps", "q_reviews", "sometimes"),
    ("avec un logiciel de facturation", "q_invoicing", "software"),
    ("dans un cahier", "q_customer_file", "spreadsheet"),
    ("sur une clé usb que je ramène chez moi", "q_backup", "occasional"),
    ("antivirus et mises à jour", "q_security_measures", ["antivirus", "auto_updates"]),
    ("des tutos youtube", "q_training", "self_taught"),
    ("un prestataire quand ya un souci", "q_it_support", "provider"),
    ("chatgpt de temps en temps", "q_ai_use", "testing"),
    ("aucune", "q_automation", "none"),
]


def best_answers(questionnaire: Questionnaire) -> dict:
    """Every question answered with its best option (every option of a multiple-choice one): 100/100."""
    return {
        q.id: (q.option_ids if q.is_multi else max(q.options, key=lambda o: o.points).id)
        for q in questionnaire.questions
    }


def load_script(name: str) -> ModuleType:
    """A fresh copy of one of scripts/*.py, imported as a module (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The header the console's own page sends with every call (a form of another site cannot).
CONSOLE = {"X-Requested-With": "conseiller-console"}
PASSWORD = "un mot de passe long"


class Answer(NamedTuple):
    """One answer of the console's API: `status, body, headers = call(…)` or `call(…).status`."""

    status: int
    body: Any
    headers: Any

    @property
    def cookie(self) -> str:
        return self.headers.get("Set-Cookie", "")


def call(url, path, body=None, headers=None, cookie=None, method=None, timeout=30) -> Answer:
    """A JSON request to the console's API (a POST when there is a body), without the console's
    header unless `headers` has it: refusals answer too, with their status."""
    request = urllib.request.Request(
        url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", **(headers or {}), **({"Cookie": cookie} if cookie else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Answer(answer.status, json.loads(answer.read()), answer.headers)
    except urllib.error.HTTPError as refused:
        return Answer(refused.code, json.loads(refused.read()), refused.headers)


def log_in(url, email, password=PASSWORD) -> str:
    """Logs in as the console's own page does; the session cookie ("name=value") to send back."""
    answer = call(url, "/console/api/login", {"email": email, "password": password}, {**CONSOLE, "Origin": url})
    assert answer.status == 200, answer.body
    return answer.cookie.split(";")[0]


def new_ticket(url, sender="owner-1") -> int:
    """An owner's request for an advisor, queued; its id."""
    return storage.ticket_repository(url).create({"sender_id": sender, "reason": "requested", "channel": "socketio"})


def legacy_ticket(url, missing_column: str, **row) -> None:
    """The ticket table as a version without `missing_column` created it, holding one ticket."""
    legacy = MetaData()
    Table(
        "handoff_tickets",
        legacy,
        *[column._copy() for column in storage.Ticket.__table__.columns if column.name != missing_column],
    )
    old = create_engine(url, future=True)
    legacy.create_all(old)
    with old.begin() as connection:
        connection.execute(legacy.tables["handoff_tickets"].insert().values(**row))
    old.dispose()


def reply_text(messages) -> str:
    """The text of the bot's messages of one turn, one line each (messages without text: empty lines)."""
    return "\n".join(message.get("text") or "" for message in messages)
