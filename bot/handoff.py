"""When to hand the owner over to a human advisor, and what the ticket holds (SPEC 7)."""
from typing import Any, Dict, Iterable, List, Optional

from bot.scoring import DiagnosticResult

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


def transcript_from_events(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The messages of a Rasa tracker's events, oldest first: who, text, time."""
    transcript = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        transcript.append({"from": "owner" if kind == "user" else "assistant", "text": event["text"], "at": event.get("timestamp")})
    return transcript


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
