"""Handoff tickets in a SQL database: SQLite by default, PostgreSQL in production.

The database address comes from the environment (CONSEILLER_DATABASE_URL), never from
the repository. The advisor console reads and updates the same tables; every status
change and every message exchanged with an advisor is a TicketEvent (time, kind, actor).
"""

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

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
    inspect,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, declarative_base, relationship

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'conseiller.db'}"

Base = declarative_base()

QUEUED, LIVE, CLOSED = "queued", "live", "closed"


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
    # column existed (add_missing_columns adds it), which are then matched by name.
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
    url = url or database_url()
    if url in _engines:
        return _engines[url]
    with _engines_lock:  # the first requests arrive together, each in its own thread
        if url not in _engines:
            if url.startswith("sqlite:///"):
                Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
            created = create_engine(url, future=True, pool_pre_ping=True)
            try:
                Base.metadata.create_all(created)
            except (IntegrityError, ProgrammingError, OperationalError):
                # Another process (the action server, another server) created the tables at
                # the same moment: they exist now.
                Base.metadata.create_all(created)
            add_missing_columns(created)
            _engines[url] = created
    return _engines[url]


def add_missing_columns(bind: Engine, metadata=Base.metadata) -> List[str]:
    """Adds the nullable columns a newer version introduced to tables an older one created
    (create_all never alters an existing table), so an upgrade keeps every ticket."""
    inspector = inspect(bind)
    added = []
    with bind.begin() as connection:
        for table in metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=bind.dialect)
                    connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
                    added.append(f"{table.name}.{column.name}")
    return added


def create_ticket(fields: Dict[str, Any], url: Optional[str] = None) -> int:
    with Session(engine(url)) as session:
        ticket = Ticket(**fields)
        ticket.events.append(TicketEvent(kind="created", actor="assistant", detail=fields.get("reason")))
        session.add(ticket)
        session.commit()
        return ticket.id


def tickets_created_since(sender_id: str, since: datetime, url: Optional[str] = None) -> int:
    with Session(engine(url)) as session:
        return (
            session.scalar(
                select(func.count(Ticket.id)).where(Ticket.sender_id == sender_id, Ticket.created_at >= since)
            )
            or 0
        )


def tickets_for(sender_id: str, url: Optional[str] = None) -> List[Ticket]:
    with Session(engine(url), expire_on_commit=False) as session:
        return list(session.scalars(select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id)))


def get_ticket(ticket_id: int, url: Optional[str] = None) -> Optional[Ticket]:
    with Session(engine(url), expire_on_commit=False) as session:
        return session.get(Ticket, ticket_id)


def delete_for_sender(sender_id: str, url: Optional[str] = None) -> int:
    """Erases every ticket of a conversation (SPEC 9: delete_my_data)."""
    with Session(engine(url)) as session:
        ids = list(session.scalars(select(Ticket.id).where(Ticket.sender_id == sender_id)))
        if ids:
            session.execute(delete(TicketEvent).where(TicketEvent.ticket_id.in_(ids)))
            session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
        session.commit()
        return len(ids)


def purge_older_than(days: int, url: Optional[str] = None) -> int:
    """Deletes tickets not updated for `days` days (SPEC 9: retention period)."""
    limit = utcnow() - timedelta(days=days)
    with Session(engine(url)) as session:
        ids = list(session.scalars(select(Ticket.id).where(Ticket.updated_at < limit)))
        if ids:
            session.execute(delete(TicketEvent).where(TicketEvent.ticket_id.in_(ids)))
            session.execute(delete(Ticket).where(Ticket.id.in_(ids)))
        session.commit()
        return len(ids)


class TicketStateError(ValueError):
    """A status change that the ticket's current state does not allow (French message)."""


OPEN_STATUSES = (QUEUED, LIVE)


def list_tickets(status: str = "open", url: Optional[str] = None) -> List[Ticket]:
    """Newest first; status is queued, live, closed, open (queued + live) or all."""
    query = select(Ticket).order_by(Ticket.id.desc())
    if status == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif status != "all":
        query = query.where(Ticket.status == status)
    with Session(engine(url), expire_on_commit=False) as session:
        return list(session.scalars(query))


def ticket_with_events(ticket_id: int, url: Optional[str] = None) -> Optional[Ticket]:
    with Session(engine(url), expire_on_commit=False) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            list(ticket.events)  # loaded while the session is open
        return ticket


def live_ticket_for(sender_id: str, url: Optional[str] = None) -> Optional[Ticket]:
    with Session(engine(url), expire_on_commit=False) as session:
        return session.scalar(
            select(Ticket).where(Ticket.sender_id == sender_id, Ticket.status == LIVE).order_by(Ticket.id.desc())
        )


def add_event(
    ticket_id: int, kind: str, actor: str, detail: Optional[str] = None, url: Optional[str] = None
) -> TicketEvent:
    with Session(engine(url), expire_on_commit=False) as session:
        event = TicketEvent(ticket_id=ticket_id, kind=kind, actor=actor, detail=detail)
        session.add(event)
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            ticket.updated_at = utcnow()
        session.commit()
        return event


def held_by(ticket: Ticket, advisor_id: int, advisor_name: str) -> bool:
    """Whether this advisor account holds the ticket (live with them)."""
    if ticket.status != LIVE:
        return False
    if ticket.advisor_id is not None:
        return ticket.advisor_id == advisor_id
    return ticket.advisor == advisor_name  # taken before advisor ids were recorded


def _change(
    ticket_id: int, advisor_id: int, advisor: str, allowed, new_status: str, kind: str, url: Optional[str]
) -> Ticket:
    with Session(engine(url), expire_on_commit=False) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise TicketStateError(f"La demande n° {ticket_id} n'existe pas (ou a été effacée).")
        if not allowed(ticket):
            raise TicketStateError(_refusal(ticket, advisor))
        ticket.status = new_status
        if new_status == LIVE:
            ticket.advisor, ticket.advisor_id = advisor, advisor_id
        ticket.events.append(TicketEvent(kind=kind, actor=advisor))
        session.commit()
        list(ticket.events)
        return ticket


def _refusal(ticket: Ticket, advisor: str) -> str:
    if ticket.status == CLOSED:
        return f"La demande n° {ticket.id} est clôturée."
    if ticket.status == LIVE and ticket.advisor == advisor:
        return f"La demande n° {ticket.id} est déjà prise en charge par un autre compte nommé « {advisor} »."
    if ticket.status == LIVE:
        return f"La demande n° {ticket.id} est déjà prise en charge par {ticket.advisor}."
    if ticket.status == QUEUED:
        return f"La demande n° {ticket.id} n'est pas prise en charge : prenez-la d'abord."
    return f"La demande n° {ticket.id} ne permet pas cette action."


# The advisor is named by account id (who may act) and display name (what the owner and the
# ticket's history show).


def take(ticket_id: int, advisor_id: int, advisor: str, url: Optional[str] = None) -> Ticket:
    return _change(
        ticket_id,
        advisor_id,
        advisor,
        lambda t: t.status == QUEUED or held_by(t, advisor_id, advisor),
        LIVE,
        "taken",
        url,
    )


def hand_back(ticket_id: int, advisor_id: int, advisor: str, url: Optional[str] = None) -> Ticket:
    """The bot answers again; the ticket waits in the queue for any follow-up."""
    return _change(
        ticket_id, advisor_id, advisor, lambda t: held_by(t, advisor_id, advisor), QUEUED, "handed_back", url
    )


def close(ticket_id: int, advisor_id: int, advisor: str, url: Optional[str] = None) -> Ticket:
    return _change(
        ticket_id,
        advisor_id,
        advisor,
        lambda t: t.status == QUEUED or held_by(t, advisor_id, advisor),
        CLOSED,
        "closed",
        url,
    )
