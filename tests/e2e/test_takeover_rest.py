"""Live takeover seen from the REST channel and the console's API, without a browser:
while an advisor holds the conversation the bot says nothing, not even to `restart`."""

import queue

import socketio

from bot.adapters import advisors, storage
from tests.helpers import CONSOLE, PASSWORD, call

GREETING = (
    "Bonjour et bienvenue ! Je suis le conseiller numérique, un assistant virtuel pour les petites entreprises. "
    "Je peux évaluer en 5 minutes où en est votre entreprise avec le numérique, répondre à vos questions (site, "
    "vente en ligne, cybersécurité, facture électronique, aides…) et vous mettre en relation avec un conseiller. "
    "Par quoi commence-t-on ?"
)


class ConsoleClient:
    """The console's page: its header on every call, and the session cookie it was last given."""

    def __init__(self, url):
        self.url, self.cookie = url, None

    def call(self, path, body=None):
        answer = call(self.url, path, body, CONSOLE, self.cookie)
        if answer.status == 200 and answer.cookie:
            self.cookie = answer.cookie.split(";")[0]
        return answer.status, answer.body


def test_a_rest_owner_is_taken_over_then_handed_back(owner, server, databases):
    advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"]).create_account(
        "permanence@cci-exemple.fr", "Permanence numérique", PASSWORD
    )
    owner.says("je veux parler à un conseiller")
    owner.says("oui")
    owner.says("06 12 34 56 78")
    owner.says("peu importe")
    [ticket] = owner.tickets()
    console = ConsoleClient(server)
    assert console.call("/console/api/login", {"email": "permanence@cci-exemple.fr", "password": "faux"})[0] == 401
    assert console.call("/console/api/login", {"email": "permanence@cci-exemple.fr", "password": PASSWORD})[0] == 200
    status, listed = console.call("/console/api/tickets?status=queued")
    assert status == 200 and ticket.id in [t["id"] for t in listed["tickets"]]
    # The console's live channel: it watches this ticket and hears each status change once, in order.
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
    live.call("watch", {"ticket_id": ticket.id}, namespace="/advisor", timeout=10)  # returns once the server watches
    assert console.call(f"/console/api/tickets/{ticket.id}/take", {})[0] == 200
    assert owner.slots["handoff_status"] == "live"
    assert updates.get(timeout=10) == {"ticket_id": ticket.id, "status": "live"}

    assert owner.says("on recommence") == "" and owner.replies == []
    assert owner.says("vous êtes là ?") == ""
    assert console.call(f"/console/api/tickets/{ticket.id}/message", {"text": "Oui, je vous écoute."}) == (
        200,
        {"ok": True},
    )
    _, detail = console.call(f"/console/api/tickets/{ticket.id}")
    lines = [(line["from"], line["text"]) for line in detail["ticket"]["transcript"]]
    assert lines[-4:] == [
        ("bot", "Permanence numérique, conseiller, a rejoint la conversation : vous pouvez lui écrire ici."),
        ("user", "on recommence"),
        ("user", "vous êtes là ?"),
        ("advisor", "Oui, je vous écoute."),
    ]
    assert owner.slots["q_digital_plan"] is None and owner.slots["handoff_status"] == "live"  # nothing was reset

    status, refused = console.call(f"/console/api/tickets/{ticket.id}/take", {})
    assert status == 200  # the same advisor may take it again; another may not (unit tests)
    # Each status change is heard once and in order: "live" again (taken again), then the hand-back's
    # "queued" and the closing's "closed"; a repeated one would come in their place.
    assert updates.get(timeout=10) == {"ticket_id": ticket.id, "status": "live"}
    assert console.call(f"/console/api/tickets/{ticket.id}/handback", {})[0] == 200
    assert updates.get(timeout=10) == {"ticket_id": ticket.id, "status": "queued"}
    assert owner.says("bonjour") == GREETING  # the bot answers again, as to anyone
    assert storage.ticket_repository(databases["CONSEILLER_DATABASE_URL"]).get(ticket.id).status == "queued"
    assert console.call(f"/console/api/tickets/{ticket.id}/close", {})[0] == 200
    assert updates.get(timeout=10) == {"ticket_id": ticket.id, "status": "closed"}
    live.call("watch", {"ticket_id": ticket.id}, namespace="/advisor", timeout=10)  # answered after all sent before
    assert updates.empty(), "a status change must reach a console once"
    live.disconnect()
    assert owner.slots["handoff_status"] == "closed"
    assert console.call("/console/api/logout", {})[0] == 200
    assert console.call("/console/api/tickets")[0] == 401
