"""When to hand the owner over to a human advisor, and what the ticket holds (SPEC 7)."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional

from bot.diagnostic.scoring import DiagnosticResult
from bot.handover.office_hours import when_text
from bot.messages import message

if TYPE_CHECKING:  # bot.settings reads office hours from this package: no import at run time
    from bot.settings import Settings

FAILED_UNDERSTANDINGS_LIMIT = 2
SECURITY_ALERT_BELOW = 25.0

REASON_REQUESTED = "requested"
REASON_BASIC_LEVEL = "basic_level"
REASON_SECURITY = "security_low"
REASON_NOT_UNDERSTOOD = "not_understood"


def automatic_reason(result: DiagnosticResult) -> Optional[str]:
    """Why the diagnostic itself calls for an advisor, if it does."""
    if result.level == "basic":
        return REASON_BASIC_LEVEL
    if result.dimension_scores.get("security", 100.0) < SECURITY_ALERT_BELOW:
        return REASON_SECURITY
    return None


def too_many_failures(failed_in_a_row: int) -> bool:
    return failed_in_a_row >= FAILED_UNDERSTANDINGS_LIMIT


def messages_from_events(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The messages of a Rasa tracker's events (as dicts), oldest first.

    Each: from (owner, assistant or advisor), text, at (Unix time), and when present the
    buttons, the custom payload, the advisor's name, or notice (a status line).
    """
    messages = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        data = event.get("data") or {}
        metadata = event.get("metadata") or {}
        if not event.get("text") and not data.get("custom"):
            continue
        message: Dict[str, Any] = {
            "from": "owner" if kind == "user" else "assistant",
            "text": event.get("text") or "",
            "at": event.get("timestamp"),
        }
        if kind == "bot":
            if isinstance(metadata.get("advisor"), dict):
                message["from"] = "advisor"
                message["advisor"] = metadata["advisor"].get("name")
            if metadata.get("notice"):
                message["notice"] = True
            if data.get("buttons"):
                message["buttons"] = [{"title": b.get("title"), "payload": b.get("payload")} for b in data["buttons"]]
            if data.get("custom"):
                message["custom"] = data["custom"]
        messages.append(message)
    return messages


def transcript_from_events(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Who said what and when, for the ticket: text messages only."""
    keep = ("from", "text", "at", "advisor")
    return [
        {key: message[key] for key in keep if key in message}
        for message in messages_from_events(events)
        if message["text"]
    ]


def ticket_fields(
    sender_id: str,
    channel: Optional[str],
    reason: str,
    slots: Dict[str, Any],
    needs: Iterable[str],
    transcript: List[Dict[str, Any]],
) -> Dict[str, Any]:
    headcount = slots.get("headcount")
    return {
        "sender_id": sender_id,
        "channel": channel,
        "reason": reason,
        "email": slots.get("email"),
        "phone": slots.get("phone"),
        "preferred_time": slots.get("preferred_time"),
        "sector": slots.get("sector"),
        "headcount": int(headcount) if isinstance(headcount, (int, float)) else None,
        "location": slots.get("location"),
        "score_overall": slots.get("score_overall"),
        "maturity_level": slots.get("maturity_level"),
        "dimension_scores": slots.get("dimension_scores"),
        "needs": sorted(set(needs)),
        "transcript": transcript,
    }


def what_happens_next(
    ticket_id: int, how: str, when: str, settings: "Settings", advisors_online: int, now: datetime
) -> str:
    """The owner's message once the ticket exists: live help now, or when to expect contact."""
    hours = settings.office_hours
    done = message("handoff.sent", ticket=ticket_id, team=settings.team_name)
    recap = message("handoff.recap", how=how, when=when.lower())
    if hours.is_open(now) and advisors_online > 0:
        return f"{done} {message('handoff.advisor_available', delay=settings.response_delay)} {recap}"
    opening = hours.next_opening(now)
    local_now = hours.local(now)
    if hours.is_open(now):
        waiting = message("handoff.nobody_online")
    elif opening is not None:
        waiting = message("handoff.closed_until", hours=hours.summary(), opening=when_text(opening, local_now))
    else:
        waiting = message("handoff.closed")
    return f"{done} {waiting} {message('handoff.will_call', delay=settings.response_delay)} {recap}"
