"""What the test folders share: a baker's typed answers and the best answers, the scripts as
modules, the advisor console's HTTP API as a client calls it, tickets and databases as earlier
versions left them, and the text of the bot's replies."""

import importlib.util
import json
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, NamedTuple

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


def fetch(url, cookie=None):
    """A plain GET (a page, a PDF, a CSV): (status, headers, body bytes), refusals included."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read()


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


@contextmanager
def console_app_server(name: str) -> Iterator[str]:
    """The console's routes (the blueprint the Rasa server mounts) on a real Sanic server, in a
    thread, without a model; yields its address. (Sanic and Rasa's channels are imported here,
    not for every test that uses these helpers.)"""
    import uuid

    from sanic import Sanic

    from bot.adapters.channels.console import ConsoleInput

    app = Sanic(f"{name}_{uuid.uuid4().hex[:8]}")  # Sanic refuses a name already used in the process

    async def no_messages(_message):
        raise AssertionError("the console receives no owner messages")

    channel = ConsoleInput()
    app.blueprint(channel.blueprint(no_messages), url_prefix=channel.url_prefix())  # as Rasa mounts it
    with sanic_app_server(app, "the console's server") as address:
        yield address


@contextmanager
def sanic_app_server(app, what: str) -> Iterator[str]:
    """Serves a Sanic app on a free port of 127.0.0.1, in a thread; yields its address."""
    import asyncio
    import threading
    from unittest.mock import patch

    from sanic.touchup.service import TouchUp

    from ops.servers import free_port

    # Sanic 21.12 rewrites some of its own methods when the first app of a process starts
    # ("touch-up"), and a second app fails on the rewritten ones. When another server of this
    # process started first, this one keeps the methods as they are; otherwise it puts the
    # originals back when it stops, for the next one.
    touched_before = any(getattr(target, "__touched__", False) for target, _ in TouchUp._registry)
    originals = {(target, method): getattr(target, method) for target, method in TouchUp._registry}
    port = free_port()
    loop = asyncio.new_event_loop()
    ready, stopped = threading.Event(), threading.Event()
    holder = {}

    async def serve():
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        with patch.object(TouchUp, "_registry", set() if touched_before else TouchUp._registry):
            await server.startup()
        await server.before_start()
        await server.after_start()
        await server.start_serving()
        holder["server"] = server
        ready.set()

    async def shut_down():
        server = holder["server"]
        await server.before_stop()
        await server.close()
        await server.after_stop()

    def run():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(serve())
        loop.run_forever()
        loop.run_until_complete(shut_down())
        stopped.set()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(30), f"{what} did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        stopped.wait(30)
        if not touched_before:
            for (target, method), original in originals.items():
                setattr(target, method, original)
                target.__touched__ = False
