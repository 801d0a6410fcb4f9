"""Messages of the inbox as plain data, as the database adapter (bot.adapters.inbox) hands them out."""

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Tuple, Union

# Why a message landed in the inbox.
FALLBACK = "fallback"  # nothing understood, outside the diagnostic
CLARIFICATION_FAILED = "clarification_failed"  # the answer to a clarifying question was not read either
ANSWER_GIVEN_UP = "answer_given_up"  # recorded as dont_know after three unread tries
REASONS = (FALLBACK, CLARIFICATION_FAILED, ANSWER_GIVEN_UP)

# What an advisor made of it.
NEW, LABELLED, DISMISSED = "new", "labelled", "dismissed"
STATUSES = (NEW, LABELLED, DISMISSED)

# An answer label: an option id or dont_know (single choice); a tuple of option ids, possibly
# empty (= none of them), or dont_know (multiple choice).
AnswerLabel = Union[str, Tuple[str, ...]]


@dataclass(frozen=True)
class InboxRecord:
    """One message the assistant did not understand, its contact details already masked."""

    id: int
    at: datetime
    text: str
    reason: str
    status: str = NEW
    question_id: Optional[str] = None  # the diagnostic question being asked, if any
    channel: Optional[str] = None
    intent: Optional[str] = None  # the label: an intent (faq/… and objection/… included) …
    answer: Optional[AnswerLabel] = None  # … or an answer to the question
    labelled_by: Optional[str] = None
    labelled_at: Optional[datetime] = None
