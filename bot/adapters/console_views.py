"""What the advisor console and the widget's history show, built from tickets and trackers."""

from typing import Any, Dict, List, Optional

from bot.diagnostic.questionnaire import load_questionnaire
from bot.handover.handoff import messages_from_events, transcript_from_events
from bot.handover.records import TicketRecord
from bot.labels import load_labels

# The widget's names for who speaks (docs/web-contract.md).
WIDGET_SPEAKERS = {"owner": "user", "assistant": "bot", "advisor": "advisor"}


def iso(moment) -> Optional[str]:
    return moment.isoformat() + "Z" if moment is not None else None


def ticket_summary(ticket: TicketRecord) -> Dict[str, Any]:
    labels = load_labels()
    return {
        "id": ticket.id,
        "status": ticket.status,
        "status_label": labels.statuses.get(ticket.status, ticket.status),
        "reason_label": labels.reasons.get(ticket.reason or "", ticket.reason),
        "created_at": iso(ticket.created_at),
        "sector_label": labels.sectors.get(ticket.sector or "", None),
        "headcount": ticket.headcount,
        "location": ticket.location,
        "level_label": labels.levels.get(ticket.maturity_level or "", None),
        "score_overall": round(ticket.score_overall) if ticket.score_overall is not None else None,
        "advisor": ticket.advisor,
        "advisor_id": ticket.advisor_id,  # which account: two may show the same name
        "channel": ticket.channel,
        "channel_label": labels.channels.get(ticket.channel or "", ticket.channel),
    }


def ticket_detail(ticket: TicketRecord, conversation_events: Optional[List[Dict[str, Any]]]) -> Dict[str, Any]:
    """The summary plus contact, diagnostic, needs, transcript and history (a ticket read
    with its events).

    The transcript comes from the live conversation when the server has it (it then holds
    what was said after the ticket was created); otherwise from the copy in the ticket.
    """
    questionnaire = load_questionnaire()
    scores = ticket.dimension_scores or {}
    dimensions = [
        {"id": d.id, "label": d.label, "score": round(scores[d.id])}
        for d in questionnaire.dimensions
        if scores.get(d.id) is not None
    ]
    weakest = [d["label"] for d in sorted(dimensions, key=lambda d: d["score"])[:2]] if dimensions else []
    transcript = transcript_from_events(conversation_events) if conversation_events else (ticket.transcript or [])
    return {
        **ticket_summary(ticket),
        "email": ticket.email,
        "phone": ticket.phone,
        "preferred_time": ticket.preferred_time,
        "needs": [load_labels().needs.get(need, need) for need in ticket.needs or []],
        "dimensions": dimensions,
        "weakest": weakest,
        "transcript": [
            {**line, "from": WIDGET_SPEAKERS.get(line.get("from"), line.get("from"))} for line in transcript
        ],
        "events": [{"at": iso(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail} for e in ticket.events],
    }


def history_messages(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The widget's conversation after a reload, in the shape of docs/web-contract.md.

    A bot text is cut at blank lines, as Rasa's socket.io channel cuts it when it is sent
    live, so that a reload shows the same bubbles; buttons go with the last piece.
    """
    history: List[Dict[str, Any]] = []
    offered: Dict[str, str] = {}  # payload -> title of the buttons last shown
    for message in messages_from_events(events):
        speaker = WIDGET_SPEAKERS[message["from"]]
        if speaker == "user":  # a click shows the button's title, as it did live
            history.append({"from": "user", "text": offered.get(message["text"], message["text"])})
            continue
        if message.get("buttons"):
            offered = {b["payload"]: b["title"] for b in message["buttons"] if b.get("payload") and b.get("title")}
        pieces = message["text"].strip().split("\n\n") if speaker == "bot" and message["text"] else [message["text"]]
        for number, piece in enumerate(pieces):
            entry: Dict[str, Any] = {"from": speaker, "text": piece}
            if message.get("advisor"):
                entry["advisor"] = {"name": message["advisor"]}
            if message.get("notice"):
                entry["notice"] = True
            if number == len(pieces) - 1:
                for key in ("buttons", "custom"):
                    if key in message:
                        entry[key] = message[key]
            history.append(entry)
    return history
