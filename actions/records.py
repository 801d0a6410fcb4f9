"""What the actions write down besides the conversation: each diagnostic's progress and
scores (the bilan and the dashboard), the needs and objections raised, and the messages the
assistant did not understand (the console's inbox).

Recording is secondary to answering: a database fault here is logged and the owner still
gets their reply (the bilan link is then left out).
"""

import logging
import os
from typing import Any, List, Mapping, Optional, Sequence

from rasa_sdk import Tracker

from actions.common import answers, latest_intent, questionnaire, retrieval_response
from bot.adapters import inbox
from bot.adapters.diagnostics import NEED, OBJECTION, diagnostic_repository
from bot.advice.catalogue import NEED_INTENTS
from bot.diagnostic.scoring import DiagnosticResult
from bot.report.records import DiagnosticRecord, new_bilan_id

logger = logging.getLogger(__name__)

# The Rasa server's public address (README, "Configuration"): where owners open their bilan,
# and advisors the console.
PUBLIC_URL_VARIABLE = "CONSOLE_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:5005"


def public_url() -> str:
    return (os.environ.get(PUBLIC_URL_VARIABLE) or DEFAULT_PUBLIC_URL).rstrip("/")


def bilan_urls(bilan_id: str) -> tuple:
    page = f"{public_url()}/bilan/{bilan_id}"
    return page, f"{page}.pdf"


def channel_of(tracker: Tracker) -> Optional[str]:
    return tracker.get_latest_input_channel()


def _headcount(tracker: Tracker) -> Optional[int]:
    value = tracker.get_slot("headcount")
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def answered_count(tracker: Tracker) -> int:
    return sum(1 for value in answers(tracker).values() if value is not None)


def question_asked(tracker: Tracker, slot: str) -> Optional[str]:
    """Notes that the diagnostic reached this slot; returns the bilan id when it is new (the
    diagnostic's first question), for the caller to keep in the `bilan_id` slot."""
    bilan_id = tracker.get_slot("bilan_id")
    created = None
    if not bilan_id:
        bilan_id = created = new_bilan_id()
    try:
        diagnostic_repository().question_asked(
            bilan_id,
            tracker.sender_id,
            slot,
            answered_count(tracker),
            channel_of(tracker),
            questionnaire().version,
            tracker.get_slot("sector"),
            _headcount(tracker),
        )
    except Exception:
        logger.exception("Could not record the diagnostic's progress")
    return created


def diagnostic_completed(
    tracker: Tracker, result: DiagnosticResult, recommendations: Sequence[str]
) -> Optional[DiagnosticRecord]:
    """Stores the scores under the conversation's bilan id (made now if the diagnostic had
    none); returns the stored diagnostic, or None if it could not be stored."""
    bilan_id = tracker.get_slot("bilan_id") or new_bilan_id()
    try:
        return diagnostic_repository().complete(
            bilan_id,
            tracker.sender_id,
            channel_of(tracker),
            questionnaire().version,
            tracker.get_slot("sector"),
            _headcount(tracker),
            answers(tracker),
            result.overall,
            result.level,
            result.dimension_scores,
            list(recommendations),
        )
    except Exception:
        logger.exception("Could not store the diagnostic's scores: no bilan link this time")
        return None


def previous_diagnostic(record: DiagnosticRecord) -> Optional[DiagnosticRecord]:
    try:
        return diagnostic_repository().previous_completed(record)
    except Exception:
        logger.exception("Could not read the owner's previous diagnostic")
        return None


def completed_bilan(tracker: Tracker) -> Optional[DiagnosticRecord]:
    bilan_id = tracker.get_slot("bilan_id")
    if not bilan_id:
        return None
    try:
        return diagnostic_repository().completed_bilan(bilan_id)
    except Exception:
        logger.exception("Could not read the bilan")
        return None


def diagnostic_restarted(tracker: Tracker) -> None:
    bilan_id = tracker.get_slot("bilan_id")
    if bilan_id:
        try:
            diagnostic_repository().restarted(bilan_id)
        except Exception:
            logger.exception("Could not note the restart")


def signals_of(intent: Optional[str], selected: Optional[str]) -> List[tuple]:
    """(kind, value) of a message: a need_* intent, or an objection and its sub-key."""
    if intent in NEED_INTENTS:
        return [(NEED, intent)]
    if intent == "objection" and selected and "/" in selected:
        return [(OBJECTION, selected.split("/", 1)[1])]
    return []


def record_signals(tracker: Tracker) -> None:
    for kind, value in signals_of(latest_intent(tracker), retrieval_response(tracker)):
        try:
            diagnostic_repository().record_signal(
                tracker.sender_id, kind, value, channel_of(tracker), tracker.get_slot("sector"), _headcount(tracker)
            )
        except Exception:
            logger.exception("Could not record a need or an objection")


def not_understood(tracker: Tracker, texts: Sequence[str], reason: str, question_id: Optional[str] = None) -> None:
    """Puts the owner's messages in the console's inbox (their contact details masked)."""
    for text in texts:
        if not text or text.startswith("/"):  # a button's payload is never misunderstood language
            continue
        try:
            inbox.record_not_understood(tracker.sender_id, text, reason, channel_of(tracker), question_id)
        except Exception:
            logger.exception("Could not put a message in the inbox")


def earlier_unread_tries(events: Sequence[Mapping[str, Any]], slot: str) -> List[str]:
    """The owner's earlier messages that counted as unread tries at this question (those after
    which `question_attempts` went up), oldest first; not those that answered a clarifying
    question (the inbox has them already), nor digressions that got their answer."""
    tries: List[str] = []
    latest: Optional[str] = None  # the latest message, until its turn shows what it was
    clarifying_now = answers_clarification = False
    for event in events:
        kind, name, value = event.get("event"), event.get("name"), event.get("value")
        if kind == "user":
            latest = event.get("text") or ""
            answers_clarification, clarifying_now = clarifying_now, False
        elif kind != "slot":
            continue
        elif name == "pending_clarification" and value == slot:
            clarifying_now = True
        elif name == "question_attempts" and latest is not None:
            if isinstance(value, (int, float)) and value >= 1 and not answers_clarification:
                tries.append(latest)
            latest = None
        elif (name == "requested_slot" and value not in (None, slot)) or (name == slot and value is not None):
            tries = []  # another question, or this one answered: later tries start afresh
    return tries


def clarified_last_turn(events: Sequence[Mapping[str, Any]], slot: str) -> bool:
    """True when the assistant's previous turn was a clarifying question on this slot."""
    users = 0
    for event in reversed(events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return False
        elif users == 1 and event.get("event") == "slot" and event.get("name") == "pending_clarification":
            if event.get("value") == slot:
                return True
    return False
