"""What the widget shows after a reload and what the console shows of a ticket."""

from datetime import datetime

from bot.adapters.console_views import history_messages, ticket_detail
from bot.handover.records import TicketEventRecord, TicketRecord

EVENTS = [
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "bonjour", "timestamp": 1.0},
    {
        "event": "bot",
        "text": "Bonjour !\n\nQue voulez-vous faire ?",
        "timestamp": 2.0,
        "data": {"buttons": [{"title": "Faire le diagnostic", "payload": "/start_diagnostic"}]},
    },
    {"event": "user", "text": "/start_diagnostic", "timestamp": 3.0},
    {"event": "bot", "text": None, "data": {"custom": {"type": "diagnostic_result", "overall": 51}}, "timestamp": 4.0},
    {"event": "bot", "text": "Équipe numérique, conseiller, a rejoint la conversation.", "metadata": {"notice": True}},
    {"event": "bot", "text": "Bonjour, je suis là.", "metadata": {"advisor": {"name": "Équipe numérique"}}},
    {"event": "user", "text": "<b>merci</b>", "timestamp": 5.0},
]


def test_the_history_shows_what_the_owner_saw_live():
    assert history_messages(EVENTS) == [
        {"from": "user", "text": "bonjour"},
        {"from": "bot", "text": "Bonjour !"},  # cut at the blank line, as the socket.io channel sends it
        {
            "from": "bot",
            "text": "Que voulez-vous faire ?",
            "buttons": [{"title": "Faire le diagnostic", "payload": "/start_diagnostic"}],
        },
        {"from": "user", "text": "Faire le diagnostic"},  # the clicked button's title, not its payload
        {"from": "bot", "text": "", "custom": {"type": "diagnostic_result", "overall": 51}},
        {"from": "bot", "text": "Équipe numérique, conseiller, a rejoint la conversation.", "notice": True},
        {"from": "advisor", "text": "Bonjour, je suis là.", "advisor": {"name": "Équipe numérique"}},
        {"from": "user", "text": "<b>merci</b>"},
    ]


def test_the_ticket_detail_names_scores_weakest_themes_needs_and_speakers():
    ticket = TicketRecord(
        id=7,
        sender_id="owner-7",
        status="live",
        reason="security_low",
        sector="crafts",
        headcount=3,
        location="Nantes",
        score_overall=41.6,
        maturity_level="intermediate",
        advisor="Équipe numérique",
        dimension_scores={
            "strategy": 65,
            "infrastructure": 85,
            "online_presence": 36.7,
            "management": 50,
            "security": 20,
            "skills": 55,
            "automation_ai": 30,
        },
        needs=["need_cybersecurity"],
        email="contact@exemple.fr",
        transcript=[],
        created_at=datetime(2026, 3, 2, 9, 30),
        events=(TicketEventRecord(at=datetime(2026, 3, 2, 9, 30), kind="created", actor="assistant"),),
    )
    detail = ticket_detail(ticket, EVENTS)
    assert (detail["status_label"], detail["reason_label"], detail["level_label"]) == (
        "En direct",
        "cybersécurité faible au diagnostic",
        "Intermédiaire",
    )
    assert detail["sector_label"] == "Artisanat" and detail["score_overall"] == 42
    assert detail["weakest"] == ["Données et cybersécurité", "IA et automatisation"]
    assert detail["needs"] == ["Se protéger (cybersécurité, sauvegardes)"]
    assert [(line["from"], line.get("advisor")) for line in detail["transcript"]] == [
        ("user", None),
        ("bot", None),
        ("user", None),
        ("bot", None),
        ("advisor", "Équipe numérique"),
        ("user", None),
    ]
    assert detail["events"] == [{"at": "2026-03-02T09:30:00Z", "kind": "created", "actor": "assistant", "detail": None}]
