"""The deployer's dashboard, counted in the database (SQLite or PostgreSQL).

Every figure is an aggregate computed by the database (COUNT, AVG, GROUP BY, a window for the
percentiles): a query returns a handful of rows whatever the number of conversations. The
pure side (bot.report.dashboard) names the rows in French and writes the CSV files.

What each table counts, for a DashboardFilter (period of whole days; sector, size band,
channel as recorded with each row):
- diagnostics (summary, dropout, levels, dimensions): those *started* in the period; the
  drop-out funnel leaves out the runs the owner restarted from zero, counted apart;
- needs and objections: those raised in the period (conversation_signals);
- handovers and first reply: the tickets created in the period; the first reply is the first
  `advisor_message` event of the ticket (bot.adapters.channels.live), whenever it came.
"""

from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import Index, and_, case, func, literal_column, or_, select
from sqlalchemy.engine import Engine

from bot.adapters.diagnostics import NEED, OBJECTION, SCORE_COLUMNS, ConversationSignal, DiagnosticRun
from bot.adapters.storage import Ticket, TicketEvent, engine
from bot.labels import DIMENSIONS
from bot.report.dashboard import (
    MEDIAN,
    P90,
    DashboardFilter,
    Table,
    choices,
    dimensions_table,
    dropout_table,
    first_reply_table,
    handovers_table,
    interpolated,
    levels_table,
    signals_table,
    summary_table,
)

ADVISOR_MESSAGE = "advisor_message"  # the ticket event of an advisor's message to the owner

# The indexes these queries need, beside those the tables declare. Declared here, on the
# models' tables; created by the migrations (bot/adapters/migrations, revision 0001).
INDEXES = (
    Index("ix_diagnostic_runs_sector_started", DiagnosticRun.sector, DiagnosticRun.started_at),
    Index("ix_diagnostic_runs_channel_started", DiagnosticRun.channel, DiagnosticRun.started_at),
    Index("ix_conversation_signals_kind_at", ConversationSignal.kind, ConversationSignal.at),
    Index("ix_handoff_tickets_created_at", Ticket.created_at),
    Index("ix_handoff_ticket_events_kind_ticket", TicketEvent.kind, TicketEvent.ticket_id, TicketEvent.at),
)

_COMPLETED, _RESTARTED = literal_column("'+completed'"), literal_column("'+restarted'")


def prepared(url: Optional[str] = None) -> Engine:
    """The database's engine, its schema (the dashboard's indexes included) at the newest migration."""
    return engine(url)


def _matching(period: DashboardFilter, at, sector, headcount, channel) -> List[Any]:
    start, end = period.bounds()
    conditions = [at >= start, at < end]
    if period.sector:
        conditions.append(sector == period.sector)
    band = period.band
    if band is not None:
        conditions.append(headcount >= band.lowest)
        if band.highest is not None:
            conditions.append(headcount <= band.highest)
    if period.channel:
        conditions.append(channel == period.channel)
    return conditions


def _runs(period: DashboardFilter) -> List[Any]:
    run = DiagnosticRun
    return _matching(period, run.started_at, run.sector, run.headcount, run.channel)


def _tickets(period: DashboardFilter) -> List[Any]:
    return _matching(period, Ticket.created_at, Ticket.sector, Ticket.headcount, Ticket.channel)


def _run_states(period: DashboardFilter, url: Optional[str]) -> Dict[Optional[str], int]:
    """The runs started in the period: completed, restarted, or else by the last slot asked."""
    state = case(
        (DiagnosticRun.completed_at.is_not(None), _COMPLETED),
        (DiagnosticRun.restarted_at.is_not(None), _RESTARTED),
        else_=DiagnosticRun.last_question,
    ).label("state")
    query = select(state, func.count()).where(*_runs(period)).group_by(state)
    with prepared(url).connect() as connection:
        return {found: count for found, count in connection.execute(query)}


def _split(states: Dict[Optional[str], int]):
    completed, restarted = states.pop("+completed", 0), states.pop("+restarted", 0)
    return completed, restarted, states


def summary(period: DashboardFilter, url: Optional[str] = None) -> Table:
    """Diagnostics started in the period, completed, restarted from zero, stopped on the way."""
    completed, restarted, stopped = _split(_run_states(period, url))
    return summary_table(completed + restarted + sum(stopped.values()), completed, restarted)


def dropout(period: DashboardFilter, url: Optional[str] = None) -> Table:
    """Per question, in the order asked: the runs that reached it, and those that stopped there."""
    completed, restarted, stopped = _split(_run_states(period, url))
    return dropout_table(stopped, completed, restarted)


def levels(period: DashboardFilter, url: Optional[str] = None) -> Table:
    query = (
        select(DiagnosticRun.maturity_level, func.count())
        .where(*_runs(period), DiagnosticRun.completed_at.is_not(None))
        .group_by(DiagnosticRun.maturity_level)
    )
    with prepared(url).connect() as connection:
        return levels_table({level: count for level, count in connection.execute(query)})


def dimensions(period: DashboardFilter, url: Optional[str] = None) -> Table:
    means = [func.avg(getattr(DiagnosticRun, SCORE_COLUMNS[dimension])) for dimension in DIMENSIONS]
    query = select(func.count(), func.avg(DiagnosticRun.score_overall), *means).where(
        *_runs(period), DiagnosticRun.completed_at.is_not(None)
    )
    with prepared(url).connect() as connection:
        completed, overall, *values = connection.execute(query).one()
    found = {
        dimension: None if value is None else float(value) for dimension, value in zip(DIMENSIONS, values, strict=True)
    }
    return dimensions_table(found, None if overall is None else float(overall), completed)


def _signals(kind: str, period: DashboardFilter, url: Optional[str]) -> Table:
    signal = ConversationSignal
    # Per value and conversation first, then per value: a hash aggregate, quicker than COUNT(DISTINCT).
    per_sender = (
        select(signal.value, func.count().label("mentions"))
        .where(signal.kind == (NEED if kind == "needs" else OBJECTION))
        .where(*_matching(period, signal.at, signal.sector, signal.headcount, signal.channel))
        .group_by(signal.value, signal.sender_id)
        .subquery()
    )
    query = select(per_sender.c.value, func.sum(per_sender.c.mentions), func.count()).group_by(per_sender.c.value)
    with prepared(url).connect() as connection:
        counts = {value: (int(mentions), senders) for value, mentions, senders in connection.execute(query)}
    return signals_table(kind, counts)


def needs(period: DashboardFilter, url: Optional[str] = None) -> Table:
    return _signals("needs", period, url)


def objections(period: DashboardFilter, url: Optional[str] = None) -> Table:
    return _signals("objections", period, url)


def handovers(period: DashboardFilter, url: Optional[str] = None) -> Table:
    query = select(Ticket.reason, func.count()).where(*_tickets(period)).group_by(Ticket.reason)
    with prepared(url).connect() as connection:
        return handovers_table({reason: count for reason, count in connection.execute(query)})


def _seconds_between(later, earlier, dialect: str):
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def first_reply(period: DashboardFilter, url: Optional[str] = None) -> Table:
    """Tickets created in the period, those an advisor answered, and the median and 90th
    percentile of the time to that first answer (seconds)."""
    bind = prepared(url)
    delay = _seconds_between(func.min(TicketEvent.at), Ticket.created_at, bind.dialect.name).label("delay")
    delays = (
        select(delay)
        .select_from(Ticket)
        .join(TicketEvent, and_(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == ADVISOR_MESSAGE))
        .where(*_tickets(period))
        .group_by(Ticket.id, Ticket.created_at)
        .subquery()
    )
    ranked = select(
        delays.c.delay,
        func.row_number().over(order_by=delays.c.delay).label("rank"),
        func.count().over().label("replied"),
    ).subquery()

    def around(fraction):
        # The ranks (1-based) of the two values a percentile lies between, in whole numbers:
        # position p = rank - 1 is wanted when (p - 1) * d <= (n - 1) * k < (p + 1) * d.
        numerator, denominator = fraction
        target = (ranked.c.replied - 1) * numerator
        return and_((ranked.c.rank - 2) * denominator <= target, target < ranked.c.rank * denominator)

    query = select(ranked.c.rank, ranked.c.delay, ranked.c.replied).where(or_(around(MEDIAN), around(P90)))
    count = select(func.count()).select_from(Ticket).where(*_tickets(period))
    with bind.connect() as connection:
        tickets = connection.execute(count).scalar_one()
        found = connection.execute(query).all()
    replied = found[0].replied if found else 0
    values = {rank - 1: float(value) for rank, value, _ in found}
    return first_reply_table(
        tickets, replied, interpolated(values, replied, MEDIAN), interpolated(values, replied, P90)
    )


QUERIES: Dict[str, Callable[[DashboardFilter, Optional[str]], Table]] = {
    "summary": summary,
    "dropout": dropout,
    "levels": levels,
    "dimensions": dimensions,
    "needs": needs,
    "objections": objections,
    "handovers": handovers,
    "first_reply": first_reply,
}


def dashboard(period: DashboardFilter, url: Optional[str] = None) -> Dict[str, Any]:
    """Every table of the dashboard (the diagnostics' states counted once for two tables)."""
    completed, restarted, stopped = _split(_run_states(period, url))
    tables: Dict[str, Any] = {
        "summary": summary_table(completed + restarted + sum(stopped.values()), completed, restarted),
        "dropout": dropout_table(stopped, completed, restarted),
    }
    for name, query in QUERIES.items():
        if name not in tables:
            tables[name] = query(period, url)
    return {"filter": period.as_json(), "choices": choices(), "tables": tables}
