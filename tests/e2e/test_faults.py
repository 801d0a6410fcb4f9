"""Faults the assistant survives, against its own servers (started here, so that a test can
stop one): the action server stopping mid-diagnostic, the Rasa server restarting, the
database going away for a while, and 50 conversations of 40 messages at once.

The conversations and tickets are in PostgreSQL, as in production, reached through a proxy
the test can cut. The REST channel requires its token, as in production."""

import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from bot.adapters import storage
from bot.language.inbound import reply
from ops.servers import free_port, server_environment, start_action_server, start_rasa_server, stop
from tests.e2e.conftest import ALWAYS_OPEN, MODEL, TOKEN, tracker
from tests.fault_proxy import CuttableProxy
from tests.helpers import reply_text
from tests.unit.conftest import POSTGRES_URL

REST_TOKEN = "rest-channel-token-for-the-fault-tests"
FAULT = reply("technical_fault")
PER_CONVERSATION = 45


class Servers:
    def __init__(self, environment, logs):
        self.rasa_port, self.action_port = free_port(), free_port()
        self.env = server_environment(self.action_port, environment)
        self.logs = logs
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.actions = start_action_server(self.env, self.action_port, logs)
        self.rasa = start_rasa_server(self.env, MODEL, self.rasa_port, TOKEN, logs)

    def restart_actions(self, running: bool):
        if running:
            self.actions = start_action_server(self.env, self.action_port, self.logs)
        else:
            stop(self.actions)

    def restart_rasa(self):
        stop(self.rasa)
        self.rasa = start_rasa_server(self.env, MODEL, self.rasa_port, TOKEN, self.logs)

    def stop(self):
        stop(self.rasa)
        stop(self.actions)


@pytest.fixture(scope="module")
def postgres_schema():
    schema = f"faults_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def proxy():
    port = int(POSTGRES_URL.split("@127.0.0.1:")[1].split("/")[0])
    return CuttableProxy(port)


@pytest.fixture(scope="module")
def servers(tmp_path_factory, postgres_schema, proxy):
    base = POSTGRES_URL.replace(POSTGRES_URL.split("@")[1].split("/")[0], f"127.0.0.1:{proxy.port}")
    database = f"{base}?options=-csearch_path%3D{postgres_schema}"
    settings = tmp_path_factory.mktemp("fault-settings") / "settings.yml"
    # People's pace: 45 messages a minute per conversation (the busy test sends about 15).
    settings.write_text(
        ALWAYS_OPEN.replace(
            "messages_per_minute_per_conversation: 1000000", f"messages_per_minute_per_conversation: {PER_CONVERSATION}"
        ),
        encoding="utf-8",
    )
    running = Servers(
        {
            "TRACKER_DB_URL": database,
            "CONSEILLER_DATABASE_URL": database,
            "CONSEILLER_SETTINGS_FILE": str(settings),
            "REST_CHANNEL_TOKEN": REST_TOKEN,
            "SMTP_HOST": "",
            "ADVISOR_WEBHOOK_URL": "",
        },
        tmp_path_factory.mktemp("fault-logs"),
    )
    running.database = database
    yield running
    running.stop()


def send(url, sender, message, metadata=None, token=REST_TOKEN):
    body = {"sender": sender, "message": message, **({"metadata": metadata} if metadata else {})}
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_rest_channel_requires_its_token_in_production(servers):
    status, answer = send(servers.url, "no-token", "bonjour", token=None)
    assert status == 401 and "Jeton" in answer["error"]
    status, answer = send(servers.url, "bad-token", "bonjour", token="guess")
    assert status == 401
    status, answer = send(servers.url, "with-token", "bonjour")
    assert status == 200 and "bonjour" in reply_text(answer).lower()


def test_the_action_server_stopping_mid_diagnostic_gets_an_apology_and_the_diagnostic_resumes(servers):
    sender = f"actions-down-{uuid.uuid4().hex[:8]}"
    send(servers.url, sender, "je veux faire le diagnostic")
    send(servers.url, sender, "je suis plombier")
    assert tracker(servers.url, sender)["slots"]["requested_slot"] == "headcount"
    servers.restart_actions(running=False)
    try:
        status, answer = send(servers.url, sender, "on est 4")
        assert status == 200 and FAULT in reply_text(answer)
    finally:
        servers.restart_actions(running=True)
    status, answer = send(servers.url, sender, "on est 4")
    slots = tracker(servers.url, sender)["slots"]
    assert status == 200 and FAULT not in reply_text(answer)
    assert (slots["sector"], slots["headcount"], slots["requested_slot"]) == ("construction", 4, "location")


def test_a_restarted_rasa_server_resumes_the_conversation(servers):
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    send(servers.url, sender, "je veux faire le diagnostic")
    send(servers.url, sender, "je suis fleuriste")
    servers.restart_rasa()
    status, answer = send(servers.url, sender, "seule")
    slots = tracker(servers.url, sender)["slots"]
    assert status == 200 and (slots["sector"], slots["headcount"], slots["requested_slot"]) == ("retail", 1, "location")


def test_the_database_going_away_fails_cleanly_and_no_ticket_is_lost(servers, proxy):
    sender = f"db-down-{uuid.uuid4().hex[:8]}"
    send(servers.url, sender, "je voudrais parler à un conseiller")
    send(servers.url, sender, "oui")
    send(servers.url, sender, "06 39 98 45 67")
    proxy.cut()
    try:
        for _ in range(2):
            status, answer = send(servers.url, sender, "en fin de journée")
            assert status == 200 and reply_text(answer) == FAULT
    finally:
        proxy.restore()
    answers = [send(servers.url, sender, "en fin de journée") for _ in range(3)]
    # A connection the pool held may fail once more; then the request goes through.
    recovered = next(reply_text(answer) for status, answer in answers if FAULT not in reply_text(answer))
    assert "recontacter" in recovered or "demande" in recovered
    [ticket] = storage.ticket_repository(servers.database).for_sender(sender)
    assert ticket.phone == "0639984567"


def test_fifty_conversations_of_forty_messages_at_once_lose_duplicate_and_cross_nothing(servers):
    conversations = [f"busy-{number:02d}-{uuid.uuid4().hex[:6]}" for number in range(50)]

    def converse(sender):
        answers = []
        for number in range(40):
            status, answer = send(
                servers.url, sender, "/thank" if number % 4 else "/greet", metadata={"marker": f"{sender}/{number}"}
            )
            answers.append((status, len(answer), reply_text(answer)))
        return answers

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = dict(zip(conversations, pool.map(converse, conversations), strict=True))
    for sender, answers in results.items():
        failed = [
            (number, status, count, text[:80])
            for number, (status, count, text) in enumerate(answers)
            if status != 200 or count < 1 or FAULT in text
        ]
        assert failed == [], f"{sender}: {failed}"
        markers = [
            event["metadata"].get("marker")
            for event in tracker(servers.url, sender)["events"]
            if event["event"] == "user"
        ]
        assert markers == [f"{sender}/{number}" for number in range(40)]


def test_a_conversation_sending_faster_than_a_person_is_asked_to_wait(servers):
    sender = f"fast-{uuid.uuid4().hex[:8]}"
    answers = [reply_text(send(servers.url, sender, "/thank")[1]) for _ in range(PER_CONVERSATION + 1)]
    assert reply("too_fast") not in answers[:PER_CONVERSATION] and answers[-1] == reply("too_fast")
    # Other conversations are not slowed down.
    assert reply_text(send(servers.url, f"calm-{uuid.uuid4().hex[:8]}", "/greet")[1]) != reply("too_fast")
