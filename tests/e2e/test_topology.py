"""The production topology of ops/topology.py: two Rasa servers, two action servers and nginx
(started here, with a configuration in a temporary folder), the conversations and tickets in
PostgreSQL (a throwaway schema), the locks and socket.io's messages in Redis (a key prefix and
channel of this run only; nothing else in Redis is touched).

- one conversation written to by both servers keeps one tracker, and the Rasa servers reach the
  action servers through nginx's internal address, both of them taking calls;
- a live takeover works with the owner's widget on one server and the advisor's console on the
  other, both connected through nginx (the widget by WebSocket, the console by long polling);
- a Rasa server killed mid-conversation loses no message sent after it died: the REST owner's
  messages go to the other server, the widget's owner reconnects through nginx to the other
  server and goes on with the same conversation.

The figures (durations, latencies, counts) are printed (`pytest -s`) and written to
results/topology.json.
"""

import asyncio
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import List, NamedTuple
from urllib.parse import urlsplit

import aiohttp
import pytest
import redis
import socketio
from sqlalchemy import create_engine, text

from bot.adapters import advisors, storage
from bot.language.inbound import reply
from ops.servers import REPO_ROOT, free_port
from ops.topology import topology
from tests.e2e.conftest import ALWAYS_OPEN, MODEL, TOKEN
from tests.helpers import CONSOLE, FREE_TEXT_ANSWERS, PASSWORD, call, reply_text
from tests.postgres import postgres_url

REST_TOKEN = "rest-channel-token-for-the-topology-test"
FAULT = reply("technical_fault")
RESULTS = REPO_ROOT / "results" / "topology.json"
# A Redis database of its own, by default; the run's keys and channels also carry its own prefix.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
OWNER_ADDRESS = "127.0.0.1"  # where the test's clients connect from, unless said otherwise
figures: dict = {}
# The user messages each Rasa server handled outside nginx's access log (sent to it directly,
# or through a socket.io connection it held), by server name.
handled: Counter = Counter()


# The services the topology needs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def nginx_installed():
    """Debian's nginx, installed by `make nginx` when missing (never the system's service: the
    topology starts its own process)."""
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        subprocess.run(["make", "--no-print-directory", "nginx"], cwd=REPO_ROOT, check=True)


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """The machine's Redis (TEST_REDIS_URL), else a throwaway redis-server in a temporary folder."""
    if redis_answers(REDIS_URL):
        yield REDIS_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("No Redis at TEST_REDIS_URL and no redis-server to start one: apt-get install redis-server")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    until(lambda: redis_answers(url), 10, "the throwaway Redis did not start")
    yield url
    server.terminate()
    server.wait()


@pytest.fixture(scope="module")
def database():
    """A throwaway schema of the machine's PostgreSQL (tests/postgres.py), for both databases."""
    base = postgres_url()
    schema = f"topology_{uuid.uuid4().hex[:10]}"
    url = f"{base}?options=-csearch_path%3D{schema}"
    admin = create_engine(base, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield url
    engine = storage._engines.pop(url, None)
    if engine is not None:
        engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, database, redis_url, nginx_installed):
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL.relative_to(REPO_ROOT)}: `make test` trains it (or `make train`).")
    prefix = f"topo{uuid.uuid4().hex[:10]}"
    settings = tmp_path_factory.mktemp("topology-settings") / "settings.yml"
    settings.write_text(ALWAYS_OPEN, encoding="utf-8")
    logs = tmp_path_factory.mktemp("topology-logs")
    started = time.monotonic()
    try:
        with topology(
            MODEL,
            rasa_servers=2,
            action_servers=2,
            auth_token=TOKEN,
            log_dir=logs,
            extra_env={
                "TRACKER_DB_URL": database,
                "CONSEILLER_DATABASE_URL": database,
                "REDIS_URL": redis_url,
                "REDIS_KEY_PREFIX": prefix,
                "CONSEILLER_SETTINGS_FILE": str(settings),
                "REST_CHANNEL_TOKEN": REST_TOKEN,
                "WIDGET_SESSION_SECRET": uuid.uuid4().hex,
                "SMTP_HOST": "",
                "ADVISOR_WEBHOOK_URL": "",
            },
        ) as running:
            figures["start_seconds"] = round(time.monotonic() - started, 1)
            running.database = database
            running.names = {
                f"127.0.0.1:{server.port}": f"rasa-{number}" for number, server in enumerate(running.rasa, 1)
            }
            tests_started = time.monotonic()
            yield running
            figures["tests_seconds"] = round(time.monotonic() - tests_started, 1)
            figures["messages_per_server"] = messages_per_server(running)
            stopping = time.monotonic()
        figures["stop_seconds"] = round(time.monotonic() - stopping, 1)
        figures["total_seconds"] = round(time.monotonic() - started, 1)
    finally:
        leftover = redis.Redis.from_url(redis_url)
        for key in leftover.scan_iter(f"{prefix}:*"):  # this run's keys only
            leftover.delete(key)
        figures["logs"] = str(logs)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(
            f"\nTopology figures ({RESULTS.relative_to(REPO_ROOT)}):\n{json.dumps(figures, indent=2, ensure_ascii=False)}"
        )


# Helpers -----------------------------------------------------------------------------------------


def until(condition, seconds, failure):
    """Polls `condition` (for what sends no event: a file, a database) until it is true or the
    deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(failure)


def send(url, sender, message, marker):
    """One REST message (with the production token); (status, bot messages, seconds)."""
    body = json.dumps({"sender": sender, "message": message, "metadata": {"marker": marker}}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {REST_TOKEN}"}
    started = time.monotonic()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(f"{url}/webhooks/rest/webhook", body, headers), timeout=60
        ) as answer:
            return answer.status, json.loads(answer.read()), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), time.monotonic() - started


def tracker(url, sender):
    with urllib.request.urlopen(f"{url}/conversations/{sender}/tracker?token={TOKEN}", timeout=30) as answer:
        return json.loads(answer.read())


def markers(state):
    return [event.get("metadata", {}).get("marker") for event in state["events"] if event["event"] == "user"]


def message_answered(status, answer):
    return status == 200 and isinstance(answer, list) and answer and FAULT not in reply_text(answer)


class Logged(NamedTuple):
    """One request as nginx logged it (deploy/nginx/conseiller.conf, log_format conseiller)."""

    client: str
    method: str
    path: str
    status: int
    upstreams: List[str]  # the servers tried, in order ("127.0.0.1:port" each)


LOG_LINE = re.compile(r'^(\S+) \[[^\]]*\] "(\S*) (\S*)" (\d{3}) \S+ upstream=(.*)$')


def logged(deployment) -> List[Logged]:
    entries = []
    for line in deployment.nginx_access_log.read_text(encoding="utf-8").splitlines():
        match = LOG_LINE.match(line)
        if match:
            client, method, path, status, upstream = match.groups()
            entries.append(Logged(client, method, path, int(status), re.findall(r"\d+\.\d+\.\d+\.\d+:\d+", upstream)))
    return entries


def logged_since(deployment, start, count, where):
    """The requests logged after the first `start` that match `where`, once there are `count` of
    them (nginx writes a request's line just after answering it)."""

    def found():
        matching = [entry for entry in logged(deployment)[start:] if where(entry)]
        return matching if len(matching) >= count else None

    return until(found, 10, f"nginx did not log {count} such requests")


def is_message(entry):
    return entry.method == "POST" and entry.path == "/webhooks/rest/webhook"


def messages_per_server(deployment):
    """Every user message each Rasa server handled: through nginx (its log), or directly."""
    counts = Counter(handled)
    for entry in logged(deployment):
        if is_message(entry) and entry.status == 200:
            counts[deployment.names[entry.upstreams[-1]]] += 1
    return dict(sorted(counts.items()))


def server_for_address(deployment, source):
    """The Rasa server nginx hands the socket.io connections of client address `source` to (its
    hash of the address): one request engine.io refuses (it leaves nothing behind), whose log line
    names the server that answered it."""
    start = len(logged(deployment))
    address = urlsplit(deployment.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10, source_address=(source, 0))
    try:
        connection.request("GET", "/socket.io/?EIO=4&transport=none")
        assert connection.getresponse().status == 400
    finally:
        connection.close()
    [probe] = logged_since(
        deployment, start, 1, lambda entry: (entry.client, entry.path, entry.status) == (source, "/socket.io/", 400)
    )
    return next(server for server in deployment.rasa if probe.upstreams[-1] == f"127.0.0.1:{server.port}")


class Socket:
    """A socket.io client connecting from the local address `source` (nginx hashes it to choose
    the server), over one transport: "websocket" as the widget does, "polling" as the console
    (and rasa-webchat) start. It runs on an event loop of its own, in a thread; the test calls it
    from its own, and reads what it heard from a queue."""

    def __init__(self, url, events, namespace="/", headers=None, transport="websocket", source=OWNER_ADDRESS):
        self.namespace = namespace
        self.heard: queue.Queue = queue.Queue()
        self.closed = threading.Event()
        self.client = self.session = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        try:
            self.run(self.connect(url, events, headers or {}, transport, source))
        except BaseException:
            self.close()
            raise

    def run(self, coroutine, timeout=20):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def connect(self, url, events, headers, transport, source):
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(local_addr=(source, 0)), cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        self.client = socketio.AsyncClient(reconnection=False, http_session=self.session)
        for event in events:
            self.client.on(
                event, lambda data, event=event: self.heard.put((event, data, time.monotonic())), self.namespace
            )
        self.client.on("disconnect", self.closed.set, namespace=self.namespace)
        await self.client.connect(
            url,
            headers=headers,
            transports=[transport],
            namespaces=[self.namespace],
            socketio_path="/socket.io",
            wait_timeout=10,
        )

    def emit(self, event, data):
        self.run(self.client.emit(event, data, namespace=self.namespace))

    def call(self, event, data):
        return self.run(self.client.call(event, data, namespace=self.namespace, timeout=10))

    def next(self, event, timeout=15, where=lambda data: True):
        """The next `event` matching `where` (others heard meanwhile are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                heard, data, at = self.heard.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no {event} heard within {timeout} s")
            if heard == event and where(data):
                return data, at

    def close(self):
        if not self.loop.is_closed():
            try:
                if self.client is not None and self.client.connected:
                    self.run(self.client.disconnect(), timeout=10)
                if self.session is not None:
                    self.run(self.session.close(), timeout=10)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
                self.thread.join(10)
                self.loop.close()


def widget_session(owner, token=None):
    """The widget's first words on a connection: its session, new or resumed; the signed token."""
    owner.emit("session_request", {"session_id": token})
    confirmed, _ = owner.next("session_confirm")
    return confirmed


# The diagnostic's first steps, each with the question asked next (and the slot it filled).
STEPS = [
    ("je veux faire le diagnostic", "sector", None),
    ("je suis plombier", "headcount", ("sector", "construction")),
    ("on est 4", "location", ("headcount", 4)),
    ("à Lille", "q_digital_plan", ("location", "Lille")),
] + [
    (answer, FREE_TEXT_ANSWERS[number + 1][1], (question, value))
    for number, (answer, question, value) in enumerate(FREE_TEXT_ANSWERS[:-1])
]


def widget_turn(owner, token, server_url, number):
    """STEPS[number] typed in the widget: its first reply and how long it took, once the
    conversation (read from `server_url`) asks the next question with the slot filled."""
    message, asked_next, filled = STEPS[number]
    sent = time.monotonic()
    owner.emit("user_uttered", {"message": message, "session_id": token, "metadata": {"marker": number}})
    heard, at = owner.next("bot_uttered")
    sender = token.split(".")[0]

    def answered():
        slots = tracker(server_url, sender)["slots"]
        return slots["requested_slot"] == asked_next and (filled is None or slots[filled[0]] == filled[1])

    until(answered, 15, f"the widget's message {message!r} was not answered")
    return heard, at - sent


# a) One conversation, both servers ---------------------------------------------------------------


def test_a_conversation_sent_to_both_servers_keeps_one_tracker(deployment):
    one, two = deployment.rasa
    targets = [("rasa-1", one.url), ("rasa-2", two.url), ("nginx", deployment.url)]
    sender = f"both-{uuid.uuid4().hex[:8]}"
    latencies, start = [], len(logged(deployment))
    for number, (message, asked_next, filled) in enumerate(STEPS[:10]):
        name, url = targets[number % len(targets)]
        status, answer, seconds = send(url, sender, message, number)
        latencies.append(seconds)
        assert message_answered(status, answer), (name, message, status, answer)
        if name != "nginx":
            handled[name] += 1
        # Both servers read the same conversation: every message once, in order, the same slots.
        first, second = tracker(one.url, sender), tracker(two.url, sender)
        assert markers(first) == markers(second) == list(range(number + 1)), (name, message)
        assert first["slots"] == second["slots"]
        assert first["slots"]["requested_slot"] == asked_next, (name, message, reply_text(answer))
        if filled:
            assert first["slots"][filled[0]] == filled[1], (name, message)
    through_nginx = logged_since(deployment, start, 3, is_message)
    servers = {f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"}
    assert len(through_nginx) == 3 and {entry.upstreams[-1] for entry in through_nginx} <= servers
    # The Rasa servers call the actions through nginx's internal address (ACTION_SERVER_URL), never
    # an action server directly: both action servers take calls, in turn.
    action_servers = {f"127.0.0.1:{server.port}" for server in deployment.actions}
    assert deployment.action_url.startswith("http://127.0.0.1:") and deployment.action_url.endswith("/webhook")
    assert urlsplit(deployment.action_url).port not in {server.port for server in deployment.actions}
    calls = logged_since(deployment, start, 2, lambda entry: entry.path == "/webhook")
    assert all(entry.status == 200 for entry in calls), calls
    assert {entry.upstreams[-1] for entry in calls} == action_servers
    figures["a_messages"] = len(latencies)
    figures["a_servers_answering_through_nginx"] = [deployment.names[entry.upstreams[-1]] for entry in through_nginx]
    figures["a_action_calls_per_action_server"] = dict(
        sorted(Counter(f"actions-{sorted(action_servers).index(e.upstreams[-1]) + 1}" for e in calls).items())
    )
    figures["a_median_reply_seconds"] = round(sorted(latencies)[len(latencies) // 2], 3)


def test_behind_nginx_the_servers_count_the_client_nginx_saw_not_nginx_nor_a_claimed_address(deployment):
    """The login throttle counts failures per client address. The client here connects from
    127.0.0.2 and claims 203.0.113.7; nginx reaches the servers from 127.0.0.1: they must count
    127.0.0.2 (the last X-Forwarded-For entry, appended by nginx)."""
    email = f"inconnu-{uuid.uuid4().hex[:6]}@cci-exemple.fr"
    address = urlsplit(deployment.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30, source_address=("127.0.0.2", 0))
    connection.request(
        "POST",
        "/console/api/login",
        json.dumps({"email": email, "password": "pas le bon"}),
        {**CONSOLE, "Content-Type": "application/json", "Origin": deployment.url, "X-Forwarded-For": "203.0.113.7"},
    )
    assert connection.getresponse().status == 401
    connection.close()
    with storage.engine(deployment.database).connect() as database:
        addresses = database.execute(
            text("SELECT address FROM advisor_login_attempts WHERE email = :email"), {"email": email}
        ).scalars()
        assert list(addresses) == ["127.0.0.2"]


# c) Live takeover across servers --------------------------------------------------------------


def test_a_takeover_with_the_owner_on_one_server_and_the_advisor_on_the_other(deployment):
    # nginx hashes the client's address: the owner's widget (from 127.0.0.1) lands on one server,
    # the advisor's console connects from an address nginx hashes to the other one.
    owners_server = server_for_address(deployment, OWNER_ADDRESS)
    [advisors_server] = [server for server in deployment.rasa if server is not owners_server]
    console_address = next(
        (
            f"127.0.0.{number}"
            for number in range(3, 40)
            if server_for_address(deployment, f"127.0.0.{number}") is advisors_server
        ),
        None,
    )
    assert console_address, "nginx hashed no local address to the other server"
    tickets = storage.ticket_repository(deployment.database)
    email = f"permanence-{uuid.uuid4().hex[:6]}@cci-exemple.fr"
    advisors.advisor_repository(deployment.database).create_account(email, "Permanence numérique", PASSWORD)
    start = len(logged(deployment))

    # The owner, through nginx by WebSocket as the widget, asks for an advisor.
    owner = Socket(deployment.url, ["session_confirm", "bot_uttered"])
    consoles = []
    try:
        token = widget_session(owner)
        sender = token.split(".")[0]
        for message in ("je voudrais parler à un conseiller", "oui", "06 12 34 56 78", "peu importe"):
            owner.emit("user_uttered", {"message": message, "session_id": token})
            owner.next("bot_uttered")
            handled[deployment.names[f"127.0.0.1:{owners_server.port}"]] += 1
        [ticket] = until(lambda: tickets.for_sender(sender), 15, "no ticket for the owner's request")

        # The advisor logs in and opens the console through nginx (long polling first, as the
        # console's page does), from the address hashed to the other server; a second console of
        # theirs is open from the owner's address, so on the owner's server.
        login = call(
            deployment.url,
            "/console/api/login",
            {"email": email, "password": PASSWORD},
            {**CONSOLE, "Origin": deployment.url},
        )
        assert login.status == 200, login.body
        cookie = login.cookie.split(";")[0]
        console_headers = {"Cookie": cookie, "Origin": deployment.url}
        console = Socket(
            deployment.url,
            ["owner_message", "advisor_message", "ticket_updated"],
            "/advisor",
            console_headers,
            transport="polling",
            source=console_address,
        )
        consoles.append(console)
        other_console = Socket(deployment.url, ["ticket_updated"], "/advisor", console_headers, transport="polling")
        consoles.append(other_console)
        console.call("watch", {"ticket_id": ticket.id})
        # The console's actions on the advisor's server (straight to it, so that the pushes
        # they cause must cross to the owner's server through Redis).
        server, headers = advisors_server.url, {**CONSOLE, "Origin": advisors_server.url}
        assert call(server, f"/console/api/tickets/{ticket.id}/take", {}, headers, cookie).status == 200
        assert console.next("ticket_updated")[0] == {"ticket_id": ticket.id, "status": "live"}
        assert other_console.next("ticket_updated")[0] == {"ticket_id": ticket.id, "status": "live"}
        owner.next("bot_uttered", where=lambda data: "a rejoint la conversation" in data.get("text", ""))

        # The advisor writes on their server: the owner hears it on the other.
        sent = time.monotonic()
        status = call(
            server, f"/console/api/tickets/{ticket.id}/message", {"text": "Bonjour, je suis là."}, headers, cookie
        )
        assert status.status == 200, status.body
        heard, at = owner.next("bot_uttered", where=lambda data: data.get("text") == "Bonjour, je suis là.")
        assert heard["metadata"]["advisor"] == {"name": "Permanence numérique"}
        figures["c_advisor_to_owner_seconds"] = round(at - sent, 3)

        # The owner answers on theirs: the advisor's console on the other server hears it.
        sent = time.monotonic()
        owner.emit("user_uttered", {"message": "Merci, c'est pour la facture électronique.", "session_id": token})
        heard, at = console.next("owner_message")
        assert (heard["ticket_id"], heard["text"]) == (ticket.id, "Merci, c'est pour la facture électronique.")
        figures["c_owner_to_advisor_seconds"] = round(at - sent, 3)
        assert tickets.get(ticket.id).status == storage.LIVE
        assert tracker(owners_server.url, sender)["slots"]["handoff_status"] == "live"

        # Logged out on the advisor's server: its connection there closes at once; the one on the
        # owner's server hears nothing more and closes at that server's next check.
        logged_out = time.monotonic()
        assert call(server, "/console/api/logout", {}, headers, cookie).status == 200
        assert console.closed.wait(5), "the console's connection outlived the logout on its server"
        figures["c_logout_closes_same_server_seconds"] = round(time.monotonic() - logged_out, 3)
        assert other_console.closed.wait(15), "the other server kept a logged-out console open"
        figures["c_logout_closes_other_server_seconds"] = round(time.monotonic() - logged_out, 3)
        assert other_console.heard.empty()
    finally:
        for client in [owner, *consoles]:
            client.close()

    # Every connection went through nginx, each to the server its address is hashed to: the
    # widget's by WebSocket (logged when it closed, status 101), the consoles' by long polling.
    def through(client, status=None):
        return lambda entry: entry.client == client and entry.path == "/socket.io/" and status in (None, entry.status)

    [widget] = logged_since(deployment, start, 1, through(OWNER_ADDRESS, 101))
    assert widget.upstreams == [f"127.0.0.1:{owners_server.port}"]
    polled = logged_since(deployment, start, 2, through(console_address))
    assert {entry.upstreams[-1] for entry in polled} == {f"127.0.0.1:{advisors_server.port}"}
    figures["c_owner_server"] = deployment.names[widget.upstreams[0]]
    figures["c_advisor_server"] = deployment.names[polled[0].upstreams[-1]]


# b) A Rasa server killed mid-conversation ---------------------------------------------------------


def test_a_rasa_server_killed_mid_conversation_loses_no_message(deployment):
    """Two owners are mid-diagnostic: one on the REST channel through nginx (both servers take
    turns), one in the widget, whose connection the server about to be killed holds."""
    doomed = server_for_address(deployment, OWNER_ADDRESS)
    [survivor] = [server for server in deployment.rasa if server is not doomed]
    dead, live = f"127.0.0.1:{doomed.port}", f"127.0.0.1:{survivor.port}"
    rest_sender = f"killed-{uuid.uuid4().hex[:8]}"
    rest_steps = iter(enumerate(STEPS))
    for number, (message, _asked, _) in rest_steps:
        status, answer, _ = send(deployment.url, rest_sender, message, number)
        assert message_answered(status, answer), (message, status, answer)
        if number == 5:
            break
    before = tracker(survivor.url, rest_sender)["slots"]

    owner = Socket(deployment.url, ["session_confirm", "bot_uttered"])
    try:
        token = widget_session(owner)
        widget_sender = token.split(".")[0]
        for number in range(2):
            widget_turn(owner, token, survivor.url, number)
            handled[deployment.names[dead]] += 1

        widget_start = len(logged(deployment))
        killed = time.monotonic()
        os.killpg(doomed.process.pid, signal.SIGKILL)
        doomed.process.wait(timeout=10)
        with pytest.raises(OSError):  # dead: its port refuses
            socket.create_connection(("127.0.0.1", doomed.port), timeout=1).close()
        assert owner.closed.wait(10), "the widget did not notice its server died"
    finally:
        owner.close()
    # The widget's first connection, through nginx to the server now dead, is logged as it closed.
    [first] = logged_since(deployment, widget_start, 1, lambda entry: entry.status == 101)
    assert first.upstreams == [dead]
    start = len(logged(deployment))

    # The widget reconnects, as it does by itself, through nginx, to the other server, and resumes
    # its signed session: the same conversation goes on.
    lost, errors, widget_after, rest_after = [], [], [], []
    owner = Socket(deployment.url, ["session_confirm", "bot_uttered"])
    try:
        assert widget_session(owner, token) == token
        figures["b_widget_back_seconds"] = round(time.monotonic() - killed, 3)
        for number in range(2, 4):
            heard, seconds = widget_turn(owner, token, survivor.url, number)
            widget_after.append(seconds)
            handled[deployment.names[live]] += 1
            if FAULT in (heard.get("text") or ""):
                errors.append(("widget", number, heard.get("text")))
    finally:
        owner.close()
    widget_state = tracker(survivor.url, widget_sender)
    lost += [("widget", number) for number in range(4) if number not in markers(widget_state)]
    assert markers(widget_state) == [0, 1, 2, 3]

    # The REST owner goes on through nginx: every message reaches the surviving server.
    for number, (message, asked_next, filled) in rest_steps:
        status, answer, seconds = send(deployment.url, rest_sender, message, number)
        rest_after.append(seconds)
        if not message_answered(status, answer):
            errors.append(("rest", number, status, str(answer)[:120]))
            continue
        state = tracker(survivor.url, rest_sender)
        assert state["slots"]["requested_slot"] == asked_next, (message, reply_text(answer))
        assert state["slots"][filled[0]] == filled[1], message
    rest_state = tracker(survivor.url, rest_sender)
    lost += [("rest", number) for number in range(len(STEPS)) if number not in markers(rest_state)]

    messages = logged_since(deployment, start, len(STEPS) - 6, is_message)
    sockets = logged_since(deployment, start, 1, lambda entry: entry.path == "/socket.io/" and entry.status == 101)
    figures["b_killed_server"] = deployment.names[dead]
    after = widget_after + rest_after
    figures["b_messages_after_kill"] = {"widget": len(widget_after), "rest": len(rest_after)}
    figures["b_messages_lost"] = len(lost)
    figures["b_errors_after_kill"] = errors
    figures["b_requests_nginx_sent_to_the_dead_server_first"] = sum(
        dead in entry.upstreams for entry in messages + sockets
    )
    figures["b_first_widget_reply_after_kill_seconds"] = round(widget_after[0], 3)
    figures["b_first_rest_reply_after_kill_seconds"] = round(rest_after[0], 3)
    figures["b_median_reply_after_kill_seconds"] = round(sorted(after)[len(after) // 2], 3)
    assert errors == [] and lost == []
    assert all(entry.upstreams[-1] == live and entry.status == 200 for entry in messages)
    assert [entry.upstreams[-1] for entry in sockets] == [live]
    # Nothing lost, nothing doubled; the answers given before the kill are still there.
    assert markers(rest_state) == list(range(len(STEPS)))
    assert {name: rest_state["slots"][name] for name in ("sector", "headcount", "location")} == {
        name: before[name] for name in ("sector", "headcount", "location")
    }
