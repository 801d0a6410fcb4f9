"""Live takeover seen from the REST channel and the console's API, without a browser:
while an advisor holds the conversation the bot says nothing, not even to `restart`."""

import json
import queue
import time
import urllib.error
import urllib.request

import socketio

from bot.adapters import advisors, storage


class ConsoleClient:
    def __init__(self, url):
        self.url, self.cookie = url, None

    def call(self, path, body=None):
        request = urllib.request.Request(
            self.url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Requested-With": "conseiller-console",  # as the console's page
                **({"Cookie": self.cookie} if self.cookie else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:
                if "Set-Cookie" in answer.headers:
                    self.cookie = answer.headers["Set-Cookie"].split(";")[0]
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())


def test_a_rest_owner_is_taken_over_then_handed_back(owner, server, databases):
    advisors.create_account(
        "permanence@cci-exemple.fr",
        "Permanence numérique",
        "mot de passe de test",
        databases["CONSEILLER_DATABASE_URL"],
    )
    owner.says("je veux parler à un conseiller")
    owner.says("oui")
    owner.says("06 12 34 56 78")
    owner.says("peu importe")
    [ticket] = owner.tickets()
    console = ConsoleClient(server)
    assert console.call("/console/api/login", {"email": "permanence@cci-exemple.fr", "password": "faux"})[0] == 401
    assert (
        console.call("/console/api/login", {"email": "permanence@cci-exemple.fr", "password": "mot de passe de test"})[
            0
        ]
        == 200
    )
    status, listed = console.call("/console/api/tickets?status=queued")
    assert status == 200 and ticket.id in [t["id"] for t in listed["tickets"]]
    # The console's live channel: it watches this ticket and hears each status change once.
    updates = queue.Queue()
    live = socketio.Client(reconnection=False)
    live.on("ticket_updated", lambda data: updates.put(data), namespace="/advisor")
    live.connect(
        server,
        namespaces=["/advisor"],
        headers={"Cookie": console.cookie},
        transports=["polling"],
        socketio_path="/socket.io",
        wait_timeout=10,
    )
    live.emit("watch", {"ticket_id": ticket.id}, namespace="/advisor")
    time.sleep(0.5)
    assert console.call(f"/console/api/tickets/{ticket.id}/take", {})[0] == 200
    assert owner.slots["handoff_status"] == "live"
    assert updates.get(timeout=10) == {"ticket_id": ticket.id, "status": "live"}
    time.sleep(1)
    assert updates.empty(), "a status change must reach a console once"
    live.disconnect()

    assert owner.says("on recommence") == "" and owner.replies == []
    assert owner.says("vous êtes là ?") == ""
    assert console.call(f"/console/api/tickets/{ticket.id}/message", {"text": "Oui, je vous écoute."}) == (
        200,
        {"ok": True},
    )
    _, detail = console.call(f"/console/api/tickets/{ticket.id}")
    lines = [(line["from"], line["text"]) for line in detail["ticket"]["transcript"]]
    assert ("user", "on recommence") in lines and ("advisor", "Oui, je vous écoute.") in lines
    assert owner.slots["q_digital_plan"] is None and owner.slots["handoff_status"] == "live"  # nothing was reset

    status, refused = console.call(f"/console/api/tickets/{ticket.id}/take", {})
    assert status == 200  # the same advisor may take it again; another may not (unit tests)
    assert console.call(f"/console/api/tickets/{ticket.id}/handback", {})[0] == 200
    assert owner.says("bonjour") != ""
    assert storage.get_ticket(ticket.id, databases["CONSEILLER_DATABASE_URL"]).status == "queued"
    assert console.call(f"/console/api/tickets/{ticket.id}/close", {})[0] == 200
    assert owner.slots["handoff_status"] == "closed"
    assert console.call("/console/api/logout", {})[0] == 200
    assert console.call("/console/api/tickets")[0] == 401
