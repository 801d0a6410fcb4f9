"""The advisor console's defences against the real Rasa server (and its socket.io server),
with accounts changed from another process, as `make advisor` does."""

import queue
import threading
import uuid

import pytest
import socketio

from bot.adapters import advisors, storage
from bot.adapters.channels.live import SOCKET_CHECK_SECONDS
from tests.helpers import CONSOLE, PASSWORD, call, log_in


def account(databases, name="Équipe numérique", password=PASSWORD):
    email = f"conseil-{uuid.uuid4().hex[:8]}@cci-exemple.fr"
    advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"]).create_account(email, name, password)
    return email


class LiveConsole:
    """The console's real-time connection (namespace /advisor), with what it hears."""

    def __init__(self, server, cookie, origin=None, headers=None):
        self.updates, self.closed = queue.Queue(), threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("ticket_updated", self.updates.put, namespace="/advisor")
        self.client.on("disconnect", self.closed.set, namespace="/advisor")
        self.client.connect(
            server,
            namespaces=["/advisor"],
            transports=["polling"],
            socketio_path="/socket.io",
            headers={"Cookie": cookie, **({"Origin": origin} if origin else {}), **(headers or {})},
            wait_timeout=10,
        )

    def watch(self, ticket_id):
        """Returns once the server has acknowledged (it answers after handling the event)."""
        self.client.call("watch", {"ticket_id": ticket_id}, namespace="/advisor", timeout=10)

    def close(self):
        if self.client.connected:
            self.client.disconnect()


def test_another_sites_page_cannot_log_in(server, databases):
    email = account(databases)
    credentials = {"email": email, "password": PASSWORD}
    # A sibling subdomain is same-site: the SameSite cookie would go; the origin check stops it.
    status, body, _ = call(
        server, "/console/api/login", credentials, {**CONSOLE, "Origin": "http://voisin.cci-exemple.fr"}
    )
    assert status == 403 and "ne vient pas de la console" in body["error"]
    assert call(server, "/console/api/login", credentials)[0] == 403  # a form: no console header
    # Proxy headers from a client are not believed (TRUSTED_PROXY is not set on this server).
    port = server.rsplit(":", 1)[1]
    assert (
        call(
            server,
            "/console/api/login",
            credentials,
            {**CONSOLE, "X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{port}"},
        )[0]
        == 403
    )
    status, _, headers = call(server, "/console/api/login", credentials, {**CONSOLE, "X-Forwarded-Proto": "https"})
    assert status == 200 and "secure" not in headers["Set-Cookie"].lower()


def test_another_sites_page_cannot_open_the_consoles_live_connection(server, databases):
    cookie = log_in(server, account(databases))
    port = server.rsplit(":", 1)[1]
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveConsole(server, cookie, origin="http://voisin.cci-exemple.fr")
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveConsole(server, cookie, origin=f"https://127.0.0.1:{port}", headers={"X-Forwarded-Proto": "https"})
    own = LiveConsole(server, cookie, origin=server)  # the console's own page
    assert own.client.connected
    own.close()


def test_a_new_password_or_a_deactivation_closes_the_sessions_and_live_connections(server, databases):
    accounts = advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"])
    email, colleague = account(databases), account(databases, name="Permanence")
    ticket_id = storage.ticket_repository(databases["CONSEILLER_DATABASE_URL"]).create(
        {"sender_id": f"owner-{uuid.uuid4().hex[:10]}", "reason": "requested", "channel": "rest"}
    )
    stolen = log_in(server, email)
    live = LiveConsole(server, stolen, origin=server)
    live.watch(ticket_id)

    # `make advisor` again, from another process: the API refuses the old session at once and
    # the server closes its live connection (at the latest at its next periodic check).
    accounts.create_account(email, "Équipe numérique", "un tout nouveau mot de passe")
    status, body, _ = call(server, "/console/api/me", cookie=stolen)
    assert status == 401 and "connectez-vous" in body["error"]
    assert live.closed.wait(SOCKET_CHECK_SECONDS + 10), "the live connection outlived the password reset"
    assert live.updates.empty()

    # Deactivated: the API refuses the session, and the next event for consoles is not sent to
    # its connection, which is closed.
    current = log_in(server, email, "un tout nouveau mot de passe")
    live, other = LiveConsole(server, current, origin=server), LiveConsole(server, log_in(server, colleague))
    accounts.deactivate_account(email)
    assert call(server, "/console/api/me", cookie=current)[0] == 401
    assert call(server, f"/console/api/tickets/{ticket_id}/take", {}, CONSOLE, cookie=current)[0] == 401
    colleague_cookie = log_in(server, colleague)
    assert call(server, f"/console/api/tickets/{ticket_id}/take", {}, CONSOLE, cookie=colleague_cookie)[0] == 200
    assert other.updates.get(timeout=10) == {"ticket_id": ticket_id, "status": "live"}
    assert live.closed.wait(5), "a deactivated advisor's connection stayed open"
    assert live.updates.empty(), "a deactivated advisor's connection still received ticket updates"
    other.close()


def test_two_accounts_showing_the_same_name_each_keep_their_own_tickets(server, databases, owner):
    tickets = storage.ticket_repository(databases["CONSEILLER_DATABASE_URL"])
    first, second = account(databases, name="Équipe partagée"), account(databases, name="Équipe partagée")
    ticket_id = tickets.create({"sender_id": owner.sender, "reason": "requested", "channel": "rest"})
    holder, namesake = log_in(server, first), log_in(server, second)
    assert call(server, f"/console/api/tickets/{ticket_id}/take", {}, CONSOLE, cookie=holder)[0] == 200
    for path, body in [("take", {}), ("handback", {}), ("close", {}), ("message", {"text": "Je prends la suite."})]:
        status, answer, _ = call(server, f"/console/api/tickets/{ticket_id}/{path}", body, CONSOLE, cookie=namesake)
        assert status == 409, (path, answer)
    assert (
        call(server, f"/console/api/tickets/{ticket_id}/message", {"text": "Je suis là."}, CONSOLE, cookie=holder)[0]
        == 200
    )
    # The owner sees the advisor's name, as before.
    said = [event for event in owner.tracker()["events"] if event["event"] == "bot"]
    assert said[-1]["text"] == "Je suis là." and said[-1]["metadata"]["advisor"] == {"name": "Équipe partagée"}
    assert tickets.get(ticket_id).status == storage.LIVE


def test_failed_logins_counted_by_another_process_lock_that_address_only(server, databases):
    accounts = advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"])
    email = account(databases)
    for _ in range(advisors.LOGIN_ATTEMPTS):  # another process (or server) saw these failures
        assert accounts.log_in(email, "mauvais mot de passe", 8, address="127.0.0.1") is None
    status, body, _ = call(server, "/console/api/login", {"email": email, "password": PASSWORD}, CONSOLE)
    assert status == 429 and "quart d'heure" in body["error"]
    assert accounts.log_in(email, PASSWORD, 8, address="192.0.2.50")  # the advisor, elsewhere
