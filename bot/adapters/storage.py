"""Handoff tickets in a SQL database: SQLite by default, PostgreSQL in production.

The database address comes from the environment (CONSEILLER_DATABASE_URL), never from
the repository. The advisor console reads and updates the same tables; every status
change and every message exchanged with an advisor is a TicketEvent (time, kind, actor).

Callers use `ticket_repository()`, a SqlTicketRepository for the configured database (the
TicketRepository of bot.handover.records): its methods open and close their own session and
return TicketRecord and TicketEventRecord dataclasses, never the ORM rows defined here.
"""

import dataclasses
import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, relationship

from bot.adapters import embedded_sqlite
from bot.handover.records import (
    CLOSE,
    CLOSED,
    HAND_BACK,
    LIVE,
    OPEN_STATUSES,
    QUEUED,
    TAKE,
    TicketEventRecord,
    TicketRecord,
    TicketStateError,
    Transition,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'conseiller.db'}"

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Ticket(Base):
    __tablename__ = "handoff_tickets"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), index=True, nullable=False)
    channel = Column(String(64))
    status = Column(String(16), nullable=False, default=QUEUED)
    reason = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    consent_at = Column(DateTime)
    email = Column(String(320))
    phone = Column(String(16))
    preferred_time = Column(String(255))
    sector = Column(String(32))
    headcount = Column(Integer)
    location = Column(String(255))
    score_overall = Column(Float)
    maturity_level = Column(String(16))
    dimension_scores = Column(JSON)
    needs = Column(JSON)
    transcript = Column(JSON)
    advisor = Column(String(120))  # the advisor who took the ticket, as shown to the owner
    # Who that is: two accounts may show the same name. Empty on tickets taken before the
    # column existed (migration 0001 adds it to an older database), which are then matched by name.
    advisor_id = Column(Integer)

    events = relationship("TicketEvent", cascade="all, delete-orphan", order_by="TicketEvent.id")


class TicketEvent(Base):
    """A status change or message on a ticket, with time and actor."""

    __tablename__ = "handoff_ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id", ondelete="CASCADE"), index=True, nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    kind = Column(String(32), nullable=False)
    actor = Column(String(255))
    detail = Column(Text)


def database_url() -> str:
    return os.environ.get("CONSEILLER_DATABASE_URL") or DEFAULT_DATABASE_URL


_engines: Dict[str, Engine] = {}


_engines_lock = threading.Lock()


def engine(url: Optional[str] = None) -> Engine:
    """The engine of the database at `url` (by default CONSEILLER_DATABASE_URL), its schema
    brought to the newest migration on first use in this process (bot/adapters/migrations):
    a new database gets every table, an older one what it lacks. Later calls cost a lookup."""
    url = url or database_url()
    if url in _engines:
        return _engines[url]
    with _engines_lock:  # the first requests arrive together, each in its own thread
        if url not in _engines:
            if url.startswith("sqlite:///"):
                Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
            # hide_parameters: a logged fault never shows the values (a bilan id opens a bilan).
            created = embedded_sqlite.use_write_ahead_log(
                create_engine(
                    url, future=True, pool_pre_ping=True, hide_parameters=True, **embedded_sqlite.engine_options(url)
                )
            )
            from bot.adapters import migrations  # Alembic: loaded by the processes that use a database

            try:
                # Other processes (the action server, other servers) may start on the same
                # database at the same moment: the upgrade takes a lock, the others wait.
                migrations.upgrade_to_head(created)
            except BaseException:
                created.dispose()  # the database is unreachable: the next call tries again
                raise
            _engines[url] = created
    return _engines[url]


_TICKET_FIELDS = [field.name for field in dataclasses.fields(TicketRecord) if field.name != "events"]


def _record(row: Ticket, with_events: bool = False) -> TicketRecord:
    """A plain copy of the row (and of its events when asked), readable once the session closes."""
    return TicketRecord(
        **{name: getattr(row, name) for name in _TICKET_FIELDS},
        events=tuple(_event_record(event) for event in row.events) if with_events else None,
    )


def _event_record(row: TicketEvent) -> TicketEventRecord:
    return TicketEventRecord(at=row.at, kind=row.kind, actor=row.actor, detail=row.detail)


class SqlTicketRepository:
    """The tickets of one database (TicketRepository). Each method is its own session.

    Building one touches nothing: the engine and the tables are made on first use, in the
    thread of the first call (the servers call from worker threads, never the event loop)."""

    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def engine(self) -> Engine:
        return engine(self.url)

    def create(self, fields: Mapping[str, Any]) -> int:
        with Session(self.engine) as session:
            ticket = Ticket(**fields)
            ticket.events.append(TicketEvent(kind="created", actor="assistant", detail=fields.get("reason")))
            session.add(ticket)
            session.commit()
            return ticket.id

    def count_created_since(self, sender_id: str, since: datetime) -> int:
        with Session(self.engine) as session:
            return (
                session.scalar(
                    select(func.count(Ticket.id)).where(Ticket.sender_id == sender_id, Ticket.created_at >= since)
                )
                or 0
            )

    def for_sender(self, sender_id: str) -> List[TicketRecord]:
        return self._records(select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id))

    def get(self, ticket_id: int) -> Optional[TicketRecord]:
        with Session(self.engine) as session:
            ticket = session.get(Ticket, ticket_id)
            return _record(ticket) if ticket is not None else None

    def get_with_events(self, ticket_id: int) -> Optional[TicketRecord]:
        with Session(self.engine) as session:
            ticket = session.get(Ticket, ticket_id)
            return _record(ticket, with_events=True) if ticket is not None else None

    def live_for(self, sender_id: str) -> Optional[TicketRecord]:
        found = self._records(
            select(Ticket).where(Ticket.sender_id == sender_id, Ticket.status == LIVE).order_by(Ticket.id.desc())
        )
        return found[0] if found else None

    def by_status(self, status: str = "open") -> List[TicketRecord]:
        """Newest first; status is queued, live, closed, open (queued + live) or all."""
        query = select(Ticket).order_by(Ticket.id.desc())
        if status == "open":
            query = query.where(Ticket.status.in_(OPEN_STATUSES))
        elif status != "all":
            query = query.where(Ticket.status == status)
        return self._records(query)

    def add_event(self, ticket_id: int, kind: str, actor: str, detail: Optional[str] = None) -> TicketEventRecord:
        with Session(self.engine, expire_on_commit=False) as session:
            event = TicketEvent(ticket_id=ticket_id, kind=kind, actor=actor, detail=detail)
            session.add(event)
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None:
                ticket.updated_at = utcnow()
            session.commit()
            return _event_record(event)

    def take(self, ticket_id: int, advisor_id: int, advisor_name: str) -> TicketRecord:
        return self._change(ticket_id, advisor_id, advisor_name, TAKE)

    def hand_back(self, ticket_id: int, advisor_id: int, advisor_name: str) -> TicketRecord:
        return self._change(ticket_id, advisor_id, advisor_name, HAND_BACK)

    def close(self, ticket_id: int, advisor_id: int, advisor_name: str) -> TicketRecord:
        return self._change(ticket_id, advisor_id, advisor_name, CLOSE)

    def delete_for_sender(self, sender_id: str) -> int:
        """Erases every ticket of a conversation (SPEC 9: delete_my_data)."""
        return self._delete(Ticket.sender_id == sender_id)

    def purge_older_than(self, days: int) -> int:
        """Deletes tickets not updated for `days` days (SPEC 9: retention period)."""
        return self._delete(Ticket.updated_at < utcnow() - timedelta(days=days))

    def _records(self, query) -> List[TicketRecord]:
        with Session(self.engine) as session:
            return [_record(ticket) for ticket in session.scalars(query)]

    def _delete(self, condition) -> int:
        with Session(self.engine) as session:
            ids = list(session.scalars(select(Ticket.id).where(condition)))
            if ids:
                session.execute(delete(TicketEvent).where(TicketEvent.ticket_id.in_(ids)))
                session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
            session.commit()
            return len(ids)

    def _change(self, ticket_id: int, advisor_id: int, advisor_name: str, change: Transition) -> TicketRecord:
        with Session(self.engine, expire_on_commit=False) as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise TicketStateError(f"La demande n° {ticket_id} n'existe pas (ou a été effacée).")
            before = _record(ticket)
            if not change.allowed(before, advisor_id, advisor_name):
                raise TicketStateError(_refusal(before, advisor_name))
            ticket.status = change.status
            if change.status == LIVE:
                ticket.advisor, ticket.advisor_id = advisor_name, advisor_id
            ticket.events.append(TicketEvent(kind=change.kind, actor=advisor_name))
            session.commit()
            return _record(ticket, with_events=True)


def _refusal(ticket: TicketRecord, advisor: str) -> str:
    if ticket.status == CLOSED:
        return f"La demande n° {ticket.id} est clôturée."
    if ticket.status == LIVE and ticket.advisor == advisor:
        return f"La demande n° {ticket.id} est déjà prise en charge par un autre compte nommé « {advisor} »."
    if ticket.status == LIVE:
        return f"La demande n° {ticket.id} est déjà prise en charge par {ticket.advisor}."
    if ticket.status == QUEUED:
        return f"La demande n° {ticket.id} n'est pas prise en charge : prenez-la d'abord."
    return f"La demande n° {ticket.id} ne permet pas cette action."


_repositories: Dict[str, SqlTicketRepository] = {}


def ticket_repository(url: Optional[str] = None) -> SqlTicketRepository:
    """The tickets of the database at `url`, by default the configured one
    (CONSEILLER_DATABASE_URL): one repository, and one engine, per database."""
    url = url or database_url()
    repository = _repositories.get(url)
    if repository is None:
        repository = _repositories.setdefault(url, SqlTicketRepository(url))
    return repository
