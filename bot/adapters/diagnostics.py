"""Diagnostics and what owners asked for, in the tickets' database (SQLite or PostgreSQL).

`diagnostic_runs` holds one row per diagnostic: its progress question by question (where
owners drop out), then its scores once completed (the bilan, /bilan/<id>).
`conversation_signals` holds the needs and objections owners raise, with the channel and
profile known at that moment, for the deployer's dashboard. Neither holds contact details.
"""

from datetime import datetime, timedelta
from typing import Any, Dict, Mapping, Optional, Sequence

from sqlalchemy import JSON, Column, DateTime, Float, Integer, String, delete, select, update
from sqlalchemy.orm import Session

from bot.adapters.storage import Base, database_url, engine, utcnow
from bot.labels import DIMENSIONS
from bot.report.records import DiagnosticRecord


class DiagnosticRun(Base):
    __tablename__ = "diagnostic_runs"

    id = Column(Integer, primary_key=True)
    bilan_id = Column(String(32), unique=True, nullable=False)
    sender_id = Column(String(255), index=True, nullable=False)
    channel = Column(String(64))
    questionnaire_version = Column(String(32))
    sector = Column(String(32))
    headcount = Column(Integer)
    started_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    last_question = Column(String(64))
    answered = Column(Integer, nullable=False, default=0)
    restarted_at = Column(DateTime)  # the owner started again from zero: this run ends here
    completed_at = Column(DateTime, index=True)
    score_overall = Column(Float)
    maturity_level = Column(String(16))
    dimension_scores = Column(JSON)
    # The same scores, one column per dimension, for the dashboard's means (bot.adapters.dashboard):
    # averaging inside a JSON value is not portable between SQLite and PostgreSQL.
    score_strategy = Column(Float)
    score_infrastructure = Column(Float)
    score_online_presence = Column(Float)
    score_management = Column(Float)
    score_security = Column(Float)
    score_skills = Column(Float)
    score_automation_ai = Column(Float)
    answers = Column(JSON)
    recommendations = Column(JSON)


# The column of each dimension's score (the dimensions of bot.labels.DIMENSIONS).
SCORE_COLUMNS = {dimension: f"score_{dimension}" for dimension in DIMENSIONS}


class ConversationSignal(Base):
    """A need or an objection an owner raised, for the dashboard."""

    __tablename__ = "conversation_signals"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    sender_id = Column(String(255), index=True, nullable=False)
    channel = Column(String(64))
    sector = Column(String(32))
    headcount = Column(Integer)
    kind = Column(String(16), nullable=False)  # need | objection
    value = Column(String(64), nullable=False)  # a need_* intent or an objection sub-key


NEED, OBJECTION = "need", "objection"


def _record(row: DiagnosticRun) -> DiagnosticRecord:
    return DiagnosticRecord(
        id=row.bilan_id,
        sender_id=row.sender_id,
        started_at=row.started_at,
        channel=row.channel,
        questionnaire_version=row.questionnaire_version,
        sector=row.sector,
        headcount=row.headcount,
        last_question=row.last_question,
        answered=row.answered or 0,
        completed_at=row.completed_at,
        score_overall=row.score_overall,
        maturity_level=row.maturity_level,
        dimension_scores=dict(row.dimension_scores or {}),
        answers=dict(row.answers or {}),
        recommendations=tuple(row.recommendations or ()),
    )


class SqlDiagnosticRepository:
    """The diagnostics of one database (DiagnosticRepository). Each method is its own session."""

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url

    @property
    def engine(self):
        return engine(self.url)

    def _run(self, session: Session, bilan_id: str) -> Optional[DiagnosticRun]:
        return session.scalars(select(DiagnosticRun).where(DiagnosticRun.bilan_id == bilan_id)).first()

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
    ) -> None:
        with Session(self.engine) as session:
            run = self._run(session, bilan_id)
            if run is None:
                run = DiagnosticRun(
                    bilan_id=bilan_id,
                    sender_id=sender_id,
                    channel=channel,
                    questionnaire_version=questionnaire_version,
                )
                session.add(run)
            run.last_question, run.answered = slot, answered
            run.sector, run.headcount = sector, headcount
            run.updated_at = utcnow()
            session.commit()

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
    ) -> DiagnosticRecord:
        """Records the scores (again, after a correction: the bilan follows the answers)."""
        with Session(self.engine, expire_on_commit=False) as session:
            run = self._run(session, bilan_id)
            if run is None:
                run = DiagnosticRun(bilan_id=bilan_id, sender_id=sender_id, channel=channel)
                session.add(run)
            now = utcnow()
            run.questionnaire_version, run.sector, run.headcount = questionnaire_version, sector, headcount
            run.answers, run.answered, run.last_question = dict(answers), len(answers), None
            run.score_overall, run.maturity_level = score_overall, maturity_level
            run.dimension_scores, run.recommendations = dict(dimension_scores), list(recommendations)
            for dimension, column in SCORE_COLUMNS.items():
                score = dimension_scores.get(dimension)
                setattr(run, column, None if score is None else float(score))
            run.completed_at = run.completed_at or now
            run.updated_at = now
            session.commit()
            return _record(run)

    def restarted(self, bilan_id: str) -> None:
        with Session(self.engine) as session:
            session.execute(
                update(DiagnosticRun)
                .where(DiagnosticRun.bilan_id == bilan_id, DiagnosticRun.completed_at.is_(None))
                .values(restarted_at=utcnow())
            )
            session.commit()

    def completed_bilan(self, bilan_id: str) -> Optional[DiagnosticRecord]:
        with Session(self.engine) as session:
            run = self._run(session, bilan_id)
            return _record(run) if run is not None and run.completed_at is not None else None

    def previous_completed(self, record: DiagnosticRecord) -> Optional[DiagnosticRecord]:
        """The latest diagnostic of the same conversation completed before this one.

        Only the same conversation (on WhatsApp, Telegram or SMS: the same number or account;
        on the website: the same browser). An e-mail an owner types is not proof that it is
        theirs: comparing by it would show anyone who types another owner's address that
        owner's scores."""
        with Session(self.engine) as session:
            run = session.scalars(
                select(DiagnosticRun)
                .where(
                    DiagnosticRun.sender_id == record.sender_id,
                    DiagnosticRun.bilan_id != record.id,
                    DiagnosticRun.completed_at.is_not(None),
                    DiagnosticRun.completed_at < record.completed_at,
                )
                .order_by(DiagnosticRun.completed_at.desc())
                .limit(1)
            ).first()
            return _record(run) if run is not None else None

    def record_signal(
        self,
        sender_id: str,
        kind: str,
        value: str,
        channel: Optional[str],
        sector: Optional[str],
        headcount: Optional[int],
    ) -> None:
        with Session(self.engine) as session:
            session.add(
                ConversationSignal(
                    sender_id=sender_id, kind=kind, value=value, channel=channel, sector=sector, headcount=headcount
                )
            )
            session.commit()

    def delete_for_sender(self, sender_id: str) -> int:
        """delete_my_data: the conversation's diagnostics (their bilans with them) and signals."""
        with Session(self.engine) as session:
            removed = session.execute(delete(DiagnosticRun).where(DiagnosticRun.sender_id == sender_id)).rowcount
            session.execute(delete(ConversationSignal).where(ConversationSignal.sender_id == sender_id))
            session.commit()
            return int(removed or 0)

    def purge_older_than(self, days: int) -> int:
        """The retention period: diagnostics not touched for `days` days, and older signals."""
        limit: datetime = utcnow() - timedelta(days=days)
        with Session(self.engine) as session:
            removed = session.execute(delete(DiagnosticRun).where(DiagnosticRun.updated_at < limit)).rowcount
            session.execute(delete(ConversationSignal).where(ConversationSignal.at < limit))
            session.commit()
            return int(removed or 0)


_repositories: Dict[str, SqlDiagnosticRepository] = {}


def diagnostic_repository(url: Optional[str] = None) -> SqlDiagnosticRepository:
    url = url or database_url()
    return _repositories.setdefault(url, SqlDiagnosticRepository(url))
