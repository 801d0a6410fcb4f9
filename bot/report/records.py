"""A diagnostic as it is stored, and what its store promises.

One record per diagnostic an owner goes through: started when its first question is asked,
completed when it is scored. Its id is the bilan's address (/bilan/<id>): at least 128
random bits, so that nobody finds someone else's bilan by trying addresses.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Optional, Protocol, Sequence, Tuple

# 16 random bytes = 128 bits, written in 22 URL-safe characters.
BILAN_ID_BYTES = 16


def new_bilan_id() -> str:
    return secrets.token_urlsafe(BILAN_ID_BYTES)


def looks_like_bilan_id(value: str) -> bool:
    """Cheap check before any lookup: the right length and alphabet."""
    return len(value) == 22 and all(char.isalnum() or char in "-_" for char in value)


@dataclass(frozen=True)
class DiagnosticRecord:
    id: str  # the bilan id
    sender_id: str
    started_at: datetime
    channel: Optional[str] = None
    questionnaire_version: Optional[str] = None
    sector: Optional[str] = None
    headcount: Optional[int] = None
    last_question: Optional[str] = None  # the last slot asked (profile or question)
    answered: int = 0  # questions of the questionnaire answered (profile excluded)
    completed_at: Optional[datetime] = None
    score_overall: Optional[float] = None
    maturity_level: Optional[str] = None
    dimension_scores: Mapping[str, float] = field(default_factory=dict)
    answers: Mapping[str, Any] = field(default_factory=dict)
    recommendations: Tuple[str, ...] = ()  # catalogue entry ids, in the order shown

    @property
    def completed(self) -> bool:
        return self.completed_at is not None and self.score_overall is not None


class DiagnosticRepository(Protocol):
    """Where diagnostics are kept (bot.adapters.diagnostics, over SQL)."""

    def question_asked(
        self,
        bilan_id: str,
        sender_id: str,
        slot: str,
        answered: int,
        channel: Optional[str],
        questionnaire_version: str,
        sector: Optional[str],
        headcount: Optional[int],
    ) -> None: ...

    def complete(
        self,
        bilan_id: str,
        sender_id: str,
        channel: Optional[str],
        questionnaire_version: str,
        sector: Optional[str],
        headcount: Optional[int],
        answers: Mapping[str, Any],
        score_overall: float,
        maturity_level: str,
        dimension_scores: Mapping[str, float],
        recommendations: Sequence[str],
    ) -> DiagnosticRecord: ...

    def restarted(self, bilan_id: str) -> None: ...

    def completed_bilan(self, bilan_id: str) -> Optional[DiagnosticRecord]: ...

    def previous_completed(self, record: DiagnosticRecord) -> Optional[DiagnosticRecord]: ...

    def delete_for_sender(self, sender_id: str) -> int: ...

    def purge_older_than(self, days: int) -> int: ...
