"""The dashboard's queries on 100,000 conversations in PostgreSQL: each under one second?

Seeds a fresh schema (dropped at the end) of the machine's PostgreSQL with a year of
conversations: diagnostic runs with a realistic drop-out (about 60 % completed, 5 % restarted,
the rest stopped along the questions), the needs and objections they raised, and handover
tickets with their events (advisors' replies from minutes to days later). The rows go in with
COPY (executemany on SQLite). Then each query function behind the console's dashboard
endpoints (bot.adapters.dashboard: the JSON of every table, and each table's CSV) is timed:
median of 5 runs, over the whole year and the last 30 days, with and without a sector filter.

    .venv/bin/python scripts/benchmark_dashboard.py [--url postgresql://postgres@127.0.0.1:5432/test]
        [--conversations 100000] [--runs 5] [--keep]
"""

import argparse
import csv
import io
import json
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.adapters import dashboard, storage  # noqa: E402
from bot.adapters.diagnostics import SCORE_COLUMNS, ConversationSignal, DiagnosticRun  # noqa: E402
from bot.adapters.storage import Ticket, TicketEvent  # noqa: E402
from bot.diagnostic.questionnaire import load_questionnaire  # noqa: E402
from bot.diagnostic.scoring import LEVELS  # noqa: E402
from bot.labels import CHANNELS, DIMENSIONS, NEEDS, OBJECTIONS, SECTORS  # noqa: E402
from bot.report.dashboard import DashboardFilter  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_SECONDS = 1.0
DAYS = 365

SECTOR_WEIGHTS = [14, 12, 16, 12, 18, 7, 5, 5, 7, 4]
CHANNEL_WEIGHTS = [55, 5, 20, 8, 7, 5]
# Where owners who stop do stop: more at the first questions and at the harder ones.
STOP_WEIGHTS = {
    "sector": 9,
    "headcount": 6,
    "location": 8,
    "q_digital_plan": 7,
    "q_digital_benefit": 4,
    "q_connection": 3,
    "q_cloud_services": 8,
    "q_online_presence": 5,
    "q_online_sales": 4,
    "q_reviews": 3,
    "q_invoicing": 4,
    "q_customer_file": 5,
    "q_backup": 5,
    "q_security_measures": 9,
    "q_training": 3,
    "q_it_support": 3,
    "q_ai_use": 4,
    "q_automation": 3,
}
# Owners are surer of themselves online than about their data or AI (points added to the
# company's overall ability, per dimension), and some trades more than others.
DIMENSION_OFFSETS = {
    "strategy": 0,
    "infrastructure": 14,
    "online_presence": 8,
    "management": 4,
    "security": -12,
    "skills": -6,
    "automation_ai": -22,
}
SECTOR_OFFSETS = {
    "retail": 0,
    "food_service": -4,
    "crafts": -6,
    "construction": -8,
    "services": 9,
    "health": 3,
    "agriculture": -10,
    "industry": 5,
    "tourism": 2,
    "other": 0,
}
NEED_WEIGHTS = [18, 22, 10, 14, 3, 8, 12, 9, 4, 5]  # in the order of bot.labels.NEEDS
OBJECTION_WEIGHTS = [35, 28, 18, 12, 7]  # cost, time, complexity, usefulness, security_fear


def headcount(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.38:
        return 1
    if roll < 0.82:
        return rng.randint(2, 9)
    if roll < 0.96:
        return rng.randint(10, 49)
    return rng.randint(50, 250)


def level_of(overall: float) -> str:
    return next(level for bound, level in LEVELS if overall <= bound)


Rows = Dict[str, List[tuple]]


def generate(conversations: int, today: datetime, seed: int = 13) -> Tuple[Rows, Dict[str, Sequence[str]]]:
    """Rows for the four tables, as tuples in the order of `columns`."""
    rng = random.Random(seed)
    slots = load_questionnaire().slot_order
    stop_slots, stop_weights = list(STOP_WEIGHTS), list(STOP_WEIGHTS.values())
    columns = {
        "diagnostic_runs": [
            "id",
            "bilan_id",
            "sender_id",
            "channel",
            "questionnaire_version",
            "sector",
            "headcount",
            "started_at",
            "updated_at",
            "last_question",
            "answered",
            "restarted_at",
            "completed_at",
            "score_overall",
            "maturity_level",
            "dimension_scores",
            *SCORE_COLUMNS.values(),
        ],
        "conversation_signals": ["sender_id", "at", "channel", "sector", "headcount", "kind", "value"],
        "handoff_tickets": [
            "id",
            "sender_id",
            "channel",
            "status",
            "reason",
            "created_at",
            "updated_at",
            "sector",
            "headcount",
        ],
        "handoff_ticket_events": ["ticket_id", "at", "kind", "actor", "detail"],
    }
    rows: Rows = {name: [] for name in columns}
    ticket_id = 0
    for number in range(1, conversations + 1):
        sender = f"web-{number:07d}"
        sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
        size = headcount(rng)
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        started = today - timedelta(seconds=rng.randint(0, DAYS * 86400))
        roll = rng.random()
        completed = restarted = None
        last: Optional[str] = None
        overall = level = scores = None
        if roll < 0.60:
            completed = started + timedelta(seconds=rng.randint(240, 1500))
            ability = rng.gauss(44 + SECTOR_OFFSETS[sector], 16)
            scores = {
                d: round(min(100.0, max(0.0, rng.gauss(ability + DIMENSION_OFFSETS[d], 14))), 1) for d in DIMENSIONS
            }
            overall = sum(scores.values()) / len(scores)
            level = level_of(overall)
        else:
            last = rng.choices(stop_slots, stop_weights)[0]
            if roll < 0.65:
                restarted = started + timedelta(seconds=rng.randint(30, 900))
        answered = len(slots) - 3 if completed else max(0, slots.index(last) - 3)
        rows["diagnostic_runs"].append(
            (
                number,
                uuid.UUID(int=rng.getrandbits(128)).hex[:22],
                sender,
                channel,
                "2026.1",
                None if last == "sector" else sector,
                None if last in ("sector", "headcount") else size,
                started,
                completed or restarted or started,
                last,
                answered,
                restarted,
                completed,
                overall,
                level,
                json.dumps(scores) if scores else None,
                *[scores[d] if scores else None for d in DIMENSIONS],
            )
        )
        for _ in range(rng.choices([0, 1, 2, 3], [30, 40, 20, 10])[0]):
            kind = "need" if rng.random() < 0.75 else "objection"
            if kind == "need":
                value = rng.choices(NEEDS, NEED_WEIGHTS)[0]
            else:
                value = rng.choices(OBJECTIONS, OBJECTION_WEIGHTS)[0]
            at = started + timedelta(seconds=rng.randint(0, 1800))
            rows["conversation_signals"].append((sender, at, channel, sector, size, kind, value))
        wants_advisor = rng.random() < (0.25 if level == "basic" else 0.06)
        if wants_advisor:
            ticket_id += 1
            created = (completed or started) + timedelta(seconds=rng.randint(5, 600))
            if level == "basic" and rng.random() < 0.6:
                reason = "basic_level"
            elif scores and scores["security"] < 25 and rng.random() < 0.5:
                reason = "security_low"
            else:
                reason = "requested" if rng.random() < 0.85 else "not_understood"
            events = [
                (ticket_id, created, "created", "assistant", reason),
                (ticket_id, created, "notified", "assistant", ""),
            ]
            status = "queued"
            if rng.random() < 0.85:
                taken = created + timedelta(minutes=rng.lognormvariate(3.5, 1.2))
                events.append((ticket_id, taken, "taken", "Camille", None))
                for reply in range(rng.randint(1, 4)):
                    events.append(
                        (ticket_id, taken + timedelta(minutes=1 + 3 * reply), "advisor_message", "Camille", "…")
                    )
                    events.append((ticket_id, taken + timedelta(minutes=2 + 3 * reply), "owner_message", "owner", "…"))
                status = "closed" if rng.random() < 0.8 else "live"
            rows["handoff_tickets"].append((ticket_id, sender, channel, status, reason, created, created, sector, size))
            rows["handoff_ticket_events"].extend(events)
    return rows, columns


def load_postgresql(url: str, rows: Rows, columns: Dict[str, Sequence[str]]) -> None:
    bind = storage.engine(url)
    connection = bind.raw_connection()
    try:
        cursor = connection.cursor()
        for table, values in rows.items():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in values:
                writer.writerow(["\\N" if cell is None else cell for cell in row])
            buffer.seek(0)
            names = ", ".join(columns[table])
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('handoff_tickets', 'id'), (SELECT max(id) FROM handoff_tickets))"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('diagnostic_runs', 'id'), (SELECT max(id) FROM diagnostic_runs))"
        )
        connection.commit()
        cursor.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()


def load_other(url: str, rows: Rows, columns: Dict[str, Sequence[str]]) -> None:
    tables = {
        "diagnostic_runs": DiagnosticRun.__table__,
        "conversation_signals": ConversationSignal.__table__,
        "handoff_tickets": Ticket.__table__,
        "handoff_ticket_events": TicketEvent.__table__,
    }
    with storage.engine(url).begin() as connection:
        for table, values in rows.items():
            names = columns[table]
            for start in range(0, len(values), 20000):
                chunk = [dict(zip(names, row, strict=True)) for row in values[start : start + 20000]]
                for row in chunk:
                    if row.get("dimension_scores"):
                        row["dimension_scores"] = json.loads(row["dimension_scores"])
                connection.execute(tables[table].insert(), chunk)


def timed(function: Callable[[], object], runs: int) -> float:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL database (a schema is made in it)")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the schema (its name is printed)")
    args = parser.parse_args(argv)

    postgresql = args.url.startswith("postgresql")
    schema = f"bench_dashboard_{uuid.uuid4().hex[:10]}"
    url = args.url
    admin = None
    if postgresql:
        admin = create_engine(args.url, future=True)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.url}{'&' if '?' in args.url else '?'}options=-csearch_path%3D{schema}"
    try:
        today = datetime.utcnow().replace(microsecond=0)
        started = time.perf_counter()
        rows, columns = generate(args.conversations, today)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        dashboard.prepared(url)  # the tables and the dashboard's indexes
        (load_postgresql if postgresql else load_other)(url, rows, columns)
        loaded = time.perf_counter() - started
        counts = ", ".join(f"{table} {len(values):,}" for table, values in rows.items())
        print(f"{'PostgreSQL' if postgresql else url}, schema {schema if postgresql else '-'}")
        print(f"Generated in {generated:.1f} s, loaded in {loaded:.1f} s: {counts}")

        end = today.date()
        periods = {
            "year": DashboardFilter(end - timedelta(days=DAYS), end),
            "year, crafts": DashboardFilter(end - timedelta(days=DAYS), end, sector="crafts"),
            "30 days": DashboardFilter(end - timedelta(days=29), end),
            "30 d, crafts+2-9": DashboardFilter(end - timedelta(days=29), end, sector="crafts", size="from_2_to_9"),
        }
        endpoints: Dict[str, Callable[[DashboardFilter], object]] = {
            "GET /console/api/dashboard (all tables)": lambda period: dashboard.dashboard(period, url)
        }
        for name, query in dashboard.QUERIES.items():
            endpoints[f"GET /console/api/dashboard/{name}.csv"] = lambda period, query=query: query(period, url)
        summary = dashboard.summary(periods["year"], url)
        print(
            f"Over the year: {summary['started']:,} diagnostics started, {summary['completed']:,} completed "
            f"({summary['completion_rate']} %), {summary['restarted']:,} restarted"
        )
        for function in endpoints.values():
            function(periods["year"])  # warm-up: connection pool, labels, questionnaire
        width = max(len(name) for name in endpoints)
        print(f"\nMedian of {args.runs} runs, milliseconds (target: under {TARGET_SECONDS * 1000:.0f} ms)")
        print(f"{'endpoint':<{width}} | " + " | ".join(f"{name:>16}" for name in periods))
        print("-" * width + "-+-" + "-+-".join("-" * 16 for _ in periods))
        slowest = 0.0
        for name, function in endpoints.items():
            medians = [
                timed(lambda period=period, function=function: function(period), args.runs)
                for period in periods.values()
            ]
            slowest = max(slowest, *medians)
            print(f"{name:<{width}} | " + " | ".join(f"{median * 1000:>16.1f}" for median in medians))
        verdict = "under" if slowest < TARGET_SECONDS else "OVER"
        print(f"\nSlowest: {slowest * 1000:.1f} ms, {verdict} the {TARGET_SECONDS:.0f} s target.")
        return 0 if slowest < TARGET_SECONDS else 1
    finally:
        created = storage._engines.pop(url, None)  # close its connections before the schema goes
        if created is not None:
            created.dispose()
        if admin is not None:
            if args.keep:
                print(f"Schema kept: {schema}")
            else:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
