"""The deployer's dashboard on SQLite and PostgreSQL: a small database whose every figure is
known, each table under each filter, the CSV files, and the manager role that opens it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, create_engine, inspect
from sqlalchemy.orm import Session

from bot.adapters import advisors, dashboard, storage
from bot.adapters.diagnostics import SCORE_COLUMNS, ConversationSignal, DiagnosticRun, diagnostic_repository
from bot.adapters.storage import Ticket, TicketEvent
from bot.diagnostic.questionnaire import load_questionnaire
from bot.handover.records import AccountError
from bot.labels import DIMENSIONS, SIZES, load_labels
from bot.report.dashboard import (
    MEDIAN,
    P90,
    SIZE_BANDS,
    TABLES,
    DashboardFilter,
    FilterError,
    csv_bytes,
    dropout_funnel,
    interpolated,
    parse_filter,
    percentile_rank,
    size_of,
    table_rows,
)
from tests.helpers import CONSOLE, PASSWORD, call, fetch, log_in

MARCH = DashboardFilter(date(2026, 3, 1), date(2026, 3, 31))
SLOTS = load_questionnaire().slot_order


def at(day, hour=12, minute=0, second=0, month=3):
    return datetime(2026, month, day, hour, minute, second)


def scores(*values):
    return dict(zip(DIMENSIONS, values, strict=True))


# The diagnostics: (sector, headcount, channel, started, last question, completed?, restarted?,
# level, overall, scores per dimension).
RUNS = [
    ("crafts", 3, "socketio", at(2), None, True, False, "basic", 15.0, scores(20, 30, 10, 20, 10, 20, 0)),
    ("crafts", 12, "whatsapp", at(3), None, True, False, "intermediate", 40.0, scores(40, 50, 60, 30, 40, 50, 20)),
    ("retail", 1, "socketio", at(4), None, True, False, "advanced", 60.0, scores(70, 80, 60, 60, 70, 50, 40)),
    ("retail", 60, "socketio", at(5), None, True, False, "intermediate", 45.0, scores(50, 40, 40, 50, 30, 60, 30)),
    ("crafts", 5, "socketio", at(6), "q_connection", False, False, None, None, None),
    ("retail", 1, "whatsapp", at(7), "q_connection", False, False, None, None, None),
    (None, None, "socketio", at(8), "sector", False, False, None, None, None),
    ("services", 8, "telegram", at(9), "q_automation", False, False, None, None, None),
    ("crafts", 3, "socketio", at(10), "q_backup", False, True, None, None, None),  # restarted from zero
    ("crafts", None, "socketio", at(11), "headcount", False, False, None, None, None),
    ("industry", 20, "facebook", at(31, 23, 59, 59), "q_reviews", False, False, None, None, None),  # last second
    # Outside March (UTC): the day before, the first second of April, and late on 28 February
    # (already 1 March in Paris).
    ("crafts", 3, "socketio", at(27, month=2), None, True, False, "basic", 10.0, scores(10, 10, 10, 10, 10, 10, 10)),
    ("crafts", 3, "socketio", at(1, 0, 0, 0, month=4), "q_digital_plan", False, False, None, None, None),
    ("other", 2, "socketio", at(28, 23, 30, month=2), "location", False, False, None, None, None),
]

# Needs and objections: (kind, value, sender, sector, headcount, channel, when).
OWNERS = {
    "s1": ("crafts", 3, "socketio"),
    "s2": ("retail", 1, "whatsapp"),
    "s3": ("crafts", 3, "socketio"),
    "s4": ("services", 8, "telegram"),
    "s5": ("crafts", 12, "socketio"),
    "s6": ("retail", 60, "socketio"),
    "s7": ("crafts", 3, "socketio"),
}
SIGNALS = [
    ("need", "need_online_sales", "s1", at(2)),
    ("need", "need_online_sales", "s1", at(2, 13)),
    ("need", "need_online_sales", "s2", at(3)),
    ("need", "need_visibility", "s1", at(4)),
    ("need", "need_visibility", "s3", at(5)),
    ("need", "need_visibility", "s4", at(6)),
    ("need", "need_funding", "s5", at(7)),
    ("need", "need_ai", "s2", at(8)),
    ("need", "need_ai", "s6", at(9)),
    *[("need", "need_training", "s7", at(20, month=2)) for _ in range(5)],  # February
    ("objection", "cost", "s1", at(10)),
    ("objection", "cost", "s2", at(11)),
    ("objection", "time", "s3", at(12)),
    ("objection", "security_fear", "s1", at(13)),
    ("objection", "security_fear", "s4", at(14)),
    ("objection", "security_fear", "s6", at(15)),
]

# Tickets: (reason, sender, created, [(event kind, minutes after creation)]).
TICKETS = [
    (
        "requested",
        "s1",
        at(10, 10),
        [("owner_message", 1), ("taken", 2), ("advisor_message", 5), ("advisor_message", 30)],
    ),
    ("basic_level", "s5", at(11, 9), [("notified", 0), ("taken", 1), ("advisor_message", 20)]),
    ("requested", "s2", at(12, 14), [("taken", 50), ("advisor_message", 60)]),
    ("security_low", "s6", at(13, 8), [("notified", 0)]),  # not answered yet
    ("requested", "s4", at(14, 12), [("advisor_message", 10)]),
    ("requested", "s7", at(20, 12, month=2), [("advisor_message", 0.2)]),  # February
]


def seed(url):
    bind = storage.engine(url)
    with Session(bind) as session:
        for number, row in enumerate(RUNS):
            sector, headcount, channel, started, last, completed, restarted, level, overall, per_dimension = row
            run = DiagnosticRun(
                bilan_id=f"bilan-{number}",
                sender_id=f"run-{number}",
                channel=channel,
                sector=sector,
                headcount=headcount,
                started_at=started,
                updated_at=started,
                last_question=last,
                answered=0,
                completed_at=started + timedelta(minutes=8) if completed else None,
                restarted_at=started + timedelta(minutes=3) if restarted else None,
                maturity_level=level,
                score_overall=overall,
                dimension_scores=per_dimension,
            )
            for dimension, score in (per_dimension or {}).items():
                setattr(run, SCORE_COLUMNS[dimension], score)
            session.add(run)
        for kind, value, sender, when in SIGNALS:
            sector, headcount, channel = OWNERS[sender]
            session.add(
                ConversationSignal(
                    at=when,
                    sender_id=sender,
                    channel=channel,
                    sector=sector,
                    headcount=headcount,
                    kind=kind,
                    value=value,
                )
            )
        for reason, sender, created, events in TICKETS:
            sector, headcount, channel = OWNERS[sender]
            ticket = Ticket(
                sender_id=sender,
                channel=channel,
                reason=reason,
                sector=sector,
                headcount=headcount,
                created_at=created,
                updated_at=created,
            )
            ticket.events.append(TicketEvent(at=created, kind="created", actor="assistant"))
            for kind, minutes in events:
                ticket.events.append(TicketEvent(at=created + timedelta(minutes=minutes), kind=kind, actor="Camille"))
            session.add(ticket)
        session.commit()


@pytest.fixture
def seeded(database_url):
    seed(database_url)
    return database_url


def march(**filters):
    return DashboardFilter(date(2026, 3, 1), date(2026, 3, 31), **filters)


# 1. Diagnostics ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, (11, 4, 36.4, 1, 6)),
        ({"sector": "crafts"}, (5, 2, 40.0, 1, 2)),
        ({"size": "solo"}, (2, 1, 50.0, 0, 1)),
        ({"size": "from_2_to_9"}, (4, 1, 25.0, 1, 2)),
        ({"size": "from_10_to_49"}, (2, 1, 50.0, 0, 1)),
        ({"size": "from_50"}, (1, 1, 100.0, 0, 0)),
        ({"channel": "whatsapp"}, (2, 1, 50.0, 0, 1)),
        ({"sector": "retail", "channel": "socketio"}, (2, 2, 100.0, 0, 0)),
        ({"sector": "health"}, (0, 0, None, 0, 0)),
    ],
)
def test_diagnostics_started_completed_restarted_and_stopped(seeded, filters, expected):
    found = dashboard.summary(march(**filters), seeded)
    assert (
        found["started"],
        found["completed"],
        found["completion_rate"],
        found["restarted"],
        found["stopped"],
    ) == expected


def test_the_period_is_whole_days_of_the_deployment_time_zone(seeded):
    paris = ZoneInfo("Europe/Paris")
    # In Paris, 31 March 23:59:59 UTC is already April, and 28 February 23:30 UTC is 1 March.
    in_paris = DashboardFilter(date(2026, 3, 1), date(2026, 3, 31), zone=paris)
    assert dashboard.summary(in_paris, seeded)["started"] == 11
    assert dashboard.dropout(in_paris, seeded)["rows"][SLOTS.index("location")]["stopped"] == 1
    assert dashboard.dropout(in_paris, seeded)["rows"][SLOTS.index("q_reviews")]["stopped"] == 0
    one_day = DashboardFilter(date(2026, 3, 31), date(2026, 3, 31))
    assert dashboard.summary(one_day, seeded)["started"] == 1
    assert dashboard.summary(DashboardFilter(date(2026, 4, 1), date(2026, 4, 30)), seeded)["started"] == 1


def funnel(table):
    return {row["slot"]: (row["reached"], row["stopped"]) for row in table["rows"]}


def test_where_owners_drop_out_question_by_question(seeded):
    table = dashboard.dropout(MARCH, seeded)
    assert [row["slot"] for row in table["rows"]] == SLOTS
    assert [row["number"] for row in table["rows"]] == list(range(1, 19))
    assert (table["completed"], table["restarted"], table["unknown"]) == (4, 1, 0)
    expected = {slot: (5, 0) for slot in SLOTS}  # the 4 completed and the one who stopped at the last
    expected.update({"q_automation": (5, 1)})
    expected.update({slot: (6, 0) for slot in SLOTS[SLOTS.index("q_cloud_services") : SLOTS.index("q_reviews")]})
    expected.update({"q_reviews": (6, 1)})
    expected.update({slot: (8, 0) for slot in ("location", "q_digital_plan", "q_digital_benefit")})
    expected.update({"q_connection": (8, 2), "headcount": (9, 1), "sector": (10, 1)})
    assert funnel(table) == expected
    row = table["rows"][SLOTS.index("q_connection")]
    assert row["stop_rate"] == 25.0
    assert row["label"] == load_questionnaire().question("q_connection").text
    assert row["theme"] == load_labels().dimensions["infrastructure"]
    assert table["rows"][0]["theme"] == "Profil de l'entreprise"
    assert table["rows"][0]["label"] == load_questionnaire().profile_question("sector").text


def test_the_drop_out_funnel_under_a_filter(seeded):
    crafts = funnel(dashboard.dropout(march(sector="crafts"), seeded))
    assert crafts["sector"] == (4, 0) and crafts["headcount"] == (4, 1)
    assert crafts["q_connection"] == (3, 1) and crafts["q_cloud_services"] == (2, 0)
    assert crafts["q_automation"] == (2, 0)
    table = dashboard.dropout(march(size="from_2_to_9"), seeded)
    assert table["restarted"] == 1 and table["completed"] == 1
    assert funnel(table)["q_connection"] == (3, 1) and funnel(table)["q_automation"] == (2, 1)


def test_a_slot_the_questionnaire_no_longer_asks_is_counted_apart(seeded):
    with Session(storage.engine(seeded)) as session:
        session.add(DiagnosticRun(bilan_id="old", sender_id="old", started_at=at(15), last_question="q_fax"))
        session.commit()
    table = dashboard.dropout(MARCH, seeded)
    assert table["unknown"] == 1 and funnel(table)["sector"] == (10, 1)


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, {"basic": 1, "intermediate": 2, "advanced": 1, "leader": 0}),
        ({"sector": "crafts"}, {"basic": 1, "intermediate": 1, "advanced": 0, "leader": 0}),
        ({"size": "solo"}, {"basic": 0, "intermediate": 0, "advanced": 1, "leader": 0}),
        ({"channel": "telegram"}, {"basic": 0, "intermediate": 0, "advanced": 0, "leader": 0}),
    ],
)
def test_the_distribution_of_maturity_levels(seeded, filters, expected):
    table = dashboard.levels(march(**filters), seeded)
    assert [row["level"] for row in table["rows"]] == ["basic", "intermediate", "advanced", "leader"]
    assert {row["level"]: row["count"] for row in table["rows"]} == expected
    assert table["completed"] == sum(expected.values())


def test_level_shares_and_names(seeded):
    rows = dashboard.levels(MARCH, seeded)["rows"]
    assert [row["share"] for row in rows] == [25.0, 50.0, 25.0, 0.0]
    assert [row["label"] for row in rows] == list(load_labels().levels.values())


def test_mean_score_per_dimension_beside_the_national_figure(seeded):
    table = dashboard.dimensions(MARCH, seeded)
    assert table["completed"] == 4
    means = {row["dimension"]: row["mean"] for row in table["rows"]}
    assert means == {
        "strategy": 45.0,
        "infrastructure": 50.0,
        "online_presence": 42.5,
        "management": 40.0,
        "security": 37.5,
        "skills": 45.0,
        "automation_ai": 22.5,
    }
    assert table["overall"]["mean"] == 40.0
    from bot.advice.figures import load_figures

    figures = load_figures()
    for row in table["rows"]:
        figure = figures.comparison_for(row["dimension"])
        if figure is None:
            assert row["reference"] is None
        else:
            assert row["reference"] == {
                "text": figure.text,
                "source": figure.source,
                "year": figure.year,
                "value": figure.value,
            }
    assert any(row["reference"] for row in table["rows"])
    crafts = dashboard.dimensions(march(sector="crafts"), seeded)
    assert crafts["completed"] == 2 and crafts["rows"][0]["mean"] == 30.0 and crafts["overall"]["mean"] == 27.5
    nobody = dashboard.dimensions(march(sector="health"), seeded)
    assert nobody["completed"] == 0 and {row["mean"] for row in nobody["rows"]} == {None}


def test_a_completed_diagnostic_fills_the_score_columns(database_url):
    repository = diagnostic_repository(database_url)
    repository.question_asked("bilan-x", "owner-x", "q_automation", 14, "rest", "2026.1", "crafts", 4)
    repository.complete(
        "bilan-x",
        "owner-x",
        "rest",
        "2026.1",
        "crafts",
        4,
        {},
        47.5,
        "intermediate",
        scores(10, 20, 30, 40, 50, 60, 70),
        [],
    )
    today = datetime.utcnow().date()
    table = dashboard.dimensions(DashboardFilter(today - timedelta(days=1), today + timedelta(days=1)), database_url)
    assert [row["mean"] for row in table["rows"]] == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0]
    assert table["overall"]["mean"] == 47.5


# 2. Needs, objections -----------------------------------------------------------------------------


def ranking(table):
    return [(row["id"], row["count"], row["conversations"]) for row in table["rows"]]


def test_the_most_frequent_needs_and_objections(seeded):
    needs = dashboard.needs(MARCH, seeded)
    # Equal counts keep the order of labels.yml: online sales before visibility.
    assert ranking(needs) == [
        ("need_online_sales", 3, 2),
        ("need_visibility", 3, 3),
        ("need_ai", 2, 2),
        ("need_funding", 1, 1),
    ]
    assert needs["total"] == 9
    assert needs["rows"][0]["label"] == load_labels().needs["need_online_sales"]
    assert ranking(dashboard.needs(march(sector="crafts"), seeded)) == [
        ("need_online_sales", 2, 1),
        ("need_visibility", 2, 2),
        ("need_funding", 1, 1),
    ]
    assert ranking(dashboard.needs(march(channel="whatsapp"), seeded)) == [
        ("need_online_sales", 1, 1),
        ("need_ai", 1, 1),
    ]
    assert ranking(dashboard.needs(march(size="from_50"), seeded)) == [("need_ai", 1, 1)]
    assert ranking(dashboard.needs(DashboardFilter(date(2026, 2, 1), date(2026, 2, 28)), seeded)) == [
        ("need_training", 5, 1)
    ]
    assert ranking(dashboard.objections(MARCH, seeded)) == [("security_fear", 3, 3), ("cost", 2, 2), ("time", 1, 1)]
    assert dashboard.objections(MARCH, seeded)["rows"][0]["label"] == load_labels().objections["security_fear"]
    assert ranking(dashboard.objections(march(sector="crafts"), seeded)) == [
        ("cost", 1, 1),
        ("time", 1, 1),
        ("security_fear", 1, 1),
    ]


# 3. Handovers and the first reply ---------------------------------------------------------------


def test_handover_requests_by_reason(seeded):
    table = dashboard.handovers(MARCH, seeded)
    assert table["total"] == 5 and table["other"] == 0
    assert [(row["reason"], row["count"], row["share"]) for row in table["rows"]] == [
        ("requested", 3, 60.0),
        ("basic_level", 1, 20.0),
        ("security_low", 1, 20.0),
        ("not_understood", 0, 0.0),
    ]
    crafts = dashboard.handovers(march(sector="crafts"), seeded)
    assert {row["reason"]: row["count"] for row in crafts["rows"]} == {
        "requested": 1,
        "basic_level": 1,
        "security_low": 0,
        "not_understood": 0,
    }


@pytest.mark.parametrize(
    "filters, expected",
    [
        # 5, 10, 20 and 60 minutes: the median between 10 and 20, the 90th percentile at 0.7 of 20 → 60.
        ({}, (5, 4, 900, 2880)),
        ({"sector": "crafts"}, (2, 2, 750, 1110)),  # 5 and 20 minutes
        ({"channel": "telegram"}, (1, 1, 600, 600)),
        ({"sector": "retail", "size": "from_50"}, (1, 0, None, None)),  # not answered yet
        ({"channel": "facebook"}, (0, 0, None, None)),
    ],
)
def test_time_to_the_first_advisor_reply(seeded, filters, expected):
    found = dashboard.first_reply(march(**filters), seeded)
    assert (found["tickets"], found["replied"], found["median_seconds"], found["p90_seconds"]) == expected


def test_the_first_reply_percentiles_on_many_tickets(database_url):
    """Delays of 1 to 11 minutes and one of 2 hours: the database picks the ranks Python expects."""
    minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 120]
    with Session(storage.engine(database_url)) as session:
        for number, delay in enumerate(minutes):
            ticket = Ticket(sender_id=f"o{number}", reason="requested", created_at=at(5, 9), updated_at=at(5, 9))
            ticket.events.append(TicketEvent(at=at(5, 9) + timedelta(minutes=delay), kind="advisor_message"))
            session.add(ticket)
        session.commit()
    found = dashboard.first_reply(MARCH, database_url)
    seconds = sorted(60.0 * m for m in minutes)
    ranks = dict(enumerate(seconds))
    assert found["median_seconds"] == round(interpolated(ranks, 12, MEDIAN)) == 390
    assert found["p90_seconds"] == round(interpolated(ranks, 12, P90)) == 654


def test_every_table_at_once(seeded):
    everything = dashboard.dashboard(MARCH, seeded)
    assert tuple(everything["tables"]) == TABLES == tuple(dashboard.QUERIES)
    for name in TABLES:
        assert everything["tables"][name] == dashboard.QUERIES[name](MARCH, seeded), name
    assert everything["filter"] == {
        "from": "2026-03-01",
        "to": "2026-03-31",
        "sector": None,
        "size": None,
        "channel": None,
    }
    assert [choice["id"] for choice in everything["choices"]["sizes"]] == list(SIZES)


def test_the_indexes_the_queries_need_exist(seeded):
    dashboard.prepared(seeded)
    inspector = inspect(storage.engine(seeded))
    names = {
        index["name"]
        for table in ("diagnostic_runs", "conversation_signals", "handoff_tickets", "handoff_ticket_events")
        for index in inspector.get_indexes(table)
    }
    assert {index.name for index in dashboard.INDEXES} <= names


# 4. CSV files ------------------------------------------------------------------------------------


def lines(name, table):
    content = csv_bytes(*table_rows(name, table))
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    text = content.decode("utf-8")[1:]
    assert text.endswith("\r\n")
    return text.split("\r\n")[:-1]


def test_each_table_as_a_csv_file_for_excel(seeded):
    everything = dashboard.dashboard(MARCH, seeded)["tables"]
    assert lines("levels", everything["levels"]) == [
        "Niveau;Diagnostics terminés;Part (%)",
        "Débutant;1;25",
        "Intermédiaire;2;50",
        "Avancé;1;25",
        "Leader;0;0",
    ]
    dropout = lines("dropout", everything["dropout"])
    assert dropout[0] == "N°;Question;Thème;Arrivés à cette question;Arrêtés à cette question;Taux d'arrêt (%)"
    assert len(dropout) == 19
    question = load_questionnaire().question("q_connection").text
    assert dropout[6] == f"6;{question};{load_labels().dimensions['infrastructure']};8;2;25"
    assert lines("summary", everything["summary"]) == [
        "Indicateur;Valeur",
        "Diagnostics commencés;11",
        "Diagnostics terminés;4",
        "Taux de diagnostics terminés (%);36,4",
        "Diagnostics recommencés à zéro;1",
        "Diagnostics arrêtés en cours de route;6",
    ]
    dimensions = lines("dimensions", everything["dimensions"])
    assert dimensions[0] == "Thème;Score moyen (sur 100);Chiffre national;Source;Année"
    assert dimensions[3].startswith("Présence en ligne et vente;42,5;")
    assert dimensions[-1].startswith("Score global;40;")
    assert lines("needs", everything["needs"])[:2] == [
        "Besoin;Mentions;Conversations",
        "Vendre ou prendre des réservations en ligne;3;2",
    ]
    assert lines("objections", everything["objections"])[1] == "Peur des risques (piratage, données);3;3"
    assert lines("handovers", everything["handovers"])[1] == "demande de l'entrepreneur;3;60"
    assert lines("first_reply", everything["first_reply"]) == [
        "Indicateur;Valeur",
        "Demandes créées;5",
        "Demandes ayant reçu une réponse d'un conseiller;4",
        "Délai médian avant la première réponse (minutes);15",
        "Délai avant la première réponse, 90e centile (minutes);48",
    ]


def test_a_cell_with_the_separator_or_quotes_stays_one_cell():
    content = csv_bytes(["A;B", "C"], [['il a dit "non"; puis oui', 1.25], [None, 3]]).decode("utf-8")
    assert content == '\ufeff"A;B";C\r\n"il a dit ""non""; puis oui";1,25\r\n;3\r\n'


# 5. Pure helpers ----------------------------------------------------------------------------------


def test_the_size_bands():
    assert tuple(band.id for band in SIZE_BANDS) == SIZES == tuple(load_labels().sizes)
    assert [size_of(n) for n in (None, 0, 1, 2, 9, 10, 49, 50, 5000)] == [
        None,
        None,
        "solo",
        "from_2_to_9",
        "from_2_to_9",
        "from_10_to_49",
        "from_10_to_49",
        "from_50",
        "from_50",
    ]


def test_percentiles_interpolate_as_postgresql_does():
    assert percentile_rank(1, MEDIAN) == (0, 0.0)
    assert percentile_rank(4, MEDIAN) == (1, 0.5)
    assert percentile_rank(4, P90) == (2, 0.7)
    assert percentile_rank(11, P90) == (9, 0.0)
    assert interpolated({}, 0, MEDIAN) is None
    assert interpolated({0: 300.0, 1: 600.0}, 2, MEDIAN) == 450.0


def test_the_funnel_counts_each_run_at_every_question_it_reached():
    steps = dropout_funnel(["a", "b", "c"], {"a": 1, "c": 2}, completed=3)
    assert [(step.slot, step.reached, step.stopped) for step in steps] == [("a", 6, 1), ("b", 5, 0), ("c", 5, 2)]


TODAY = date(2026, 3, 31)


def test_the_filter_of_a_request():
    assert parse_filter({}, TODAY) == DashboardFilter(date(2026, 3, 2), TODAY)  # the last 30 days
    assert parse_filter({"from": "2026-01-01", "to": "2026-01-31", "sector": "", "size": None}, TODAY) == (
        DashboardFilter(date(2026, 1, 1), date(2026, 1, 31))
    )
    assert parse_filter({"sector": "crafts", "size": "from_50", "channel": "twilio"}, TODAY) == DashboardFilter(
        date(2026, 3, 2), TODAY, "crafts", "from_50", "twilio"
    )
    assert parse_filter({"to": "2026-02-28"}, TODAY).start == date(2026, 1, 30)


@pytest.mark.parametrize(
    "args, message",
    [
        ({"from": "01/03/2026"}, r"doit s'écrire AAAA-MM-JJ"),
        ({"to": "2026-02-30"}, r"« 2026-02-30 » \(fin\) n'existe pas"),
        ({"from": "0001-01-01"}, r"« 0001-01-01 » \(début\) doit être comprise entre 2000 et 2100"),
        ({"to": "9999-12-31"}, r"« 9999-12-31 » \(fin\) doit être comprise entre 2000 et 2100"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, r"La date de début de la période doit précéder sa date de fin"),
        ({"sector": "bakery"}, r"Secteur inconnu : « bakery »"),
        ({"size": "2-9"}, r"Taille d'entreprise inconnue : « 2-9 »"),
        ({"channel": "fax"}, r"Canal inconnu : « fax »"),
    ],
)
def test_a_parameter_that_cannot_be_read_is_refused_in_french(args, message):
    with pytest.raises(FilterError, match=message):
        parse_filter(args, TODAY)


# 6. The manager role and the console's API -----------------------------------------------------------


def test_accounts_are_advisors_unless_made_managers(database_url):
    accounts = advisors.advisor_repository(database_url)
    assert accounts.create_account("a@exemple.fr", "Camille", PASSWORD).role == "advisor"
    manager = accounts.create_account("m@exemple.fr", "Dominique", PASSWORD, role="manager")
    assert manager.role == "manager" and manager.is_manager
    # A new password without a role keeps the role; a role given changes it.
    assert accounts.create_account("m@exemple.fr", "Dominique", PASSWORD + "!").role == "manager"
    assert accounts.create_account("a@exemple.fr", "Camille", PASSWORD, role="manager").role == "manager"
    assert accounts.set_role("a@exemple.fr", "advisor") and not accounts.set_role("x@exemple.fr", "advisor")
    token = accounts.log_in("a@exemple.fr", PASSWORD, 8)
    assert accounts.advisor_for(token).role == "advisor"
    with pytest.raises(AccountError, match="Rôle inconnu"):
        accounts.create_account("b@exemple.fr", "B", PASSWORD, role="admin")


def test_an_older_database_gains_the_role_column_and_its_accounts_are_advisors(database_url):
    legacy = MetaData()
    Table(
        "advisor_accounts",
        legacy,
        Column("id", Integer, primary_key=True),
        Column("email", String(320), unique=True, nullable=False),
        Column("name", String(120), nullable=False),
        Column("password_hash", String(200), nullable=False),
        Column("active", Boolean, nullable=False),
        Column("created_at", DateTime, nullable=False),
    )
    old = create_engine(database_url, future=True)
    legacy.create_all(old)
    with old.begin() as connection:
        connection.execute(
            legacy.tables["advisor_accounts"]
            .insert()
            .values(
                email="ancien@exemple.fr",
                name="Ancien",
                password_hash=advisors.hash_password(PASSWORD),
                active=True,
                created_at=datetime.utcnow(),
            )
        )
    old.dispose()
    accounts = advisors.advisor_repository(database_url)
    token = accounts.log_in("ancien@exemple.fr", PASSWORD, 8)
    assert accounts.advisor_for(token).role == "advisor"
    assert "role" in {
        column["name"] for column in inspect(storage.engine(database_url)).get_columns("advisor_accounts")
    }


def raw_get(url, path, cookie):
    return fetch(url + path, cookie)


def test_only_managers_get_the_dashboard_over_http(console_server, seeded, monkeypatch):
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", seeded)
    accounts = advisors.advisor_repository(seeded)
    accounts.create_account("conseil@exemple.fr", "Camille", PASSWORD)
    accounts.create_account("direction@exemple.fr", "Dominique", PASSWORD, role="manager")
    query = "/console/api/dashboard?from=2026-03-01&to=2026-03-31"

    assert call(console_server, query).status == 401
    advisor = log_in(console_server, "conseil@exemple.fr")
    assert call(console_server, "/console/api/me", cookie=advisor).body["advisor"]["role"] == "advisor"
    refused = call(console_server, query, headers=CONSOLE, cookie=advisor)
    assert refused.status == 403 and "réservé aux responsables" in refused.body["error"]
    assert raw_get(console_server, "/console/api/dashboard/levels.csv", advisor)[0] == 403

    manager = log_in(console_server, "direction@exemple.fr")
    assert call(console_server, "/console/api/me", cookie=manager).body["advisor"]["role"] == "manager"
    answer = call(console_server, query + "&sector=crafts", headers=CONSOLE, cookie=manager)
    assert answer.status == 200, answer.body
    assert answer.body["tables"]["summary"]["started"] == 5
    assert answer.body["tables"]["levels"]["completed"] == 2
    assert answer.body["filter"]["sector"] == "crafts"
    # Days begin at midnight in Paris (settings.yml): 28 February 23:30 UTC is in March,
    # 31 March 23:59:59 UTC is not.
    everyone = call(console_server, query, headers=CONSOLE, cookie=manager).body["tables"]
    assert everyone["summary"]["started"] == 11 and everyone["first_reply"]["median_seconds"] == 900

    bad = call(console_server, "/console/api/dashboard?from=2026-13-01", headers=CONSOLE, cookie=manager)
    assert bad.status == 400 and "n'existe pas" in bad.body["error"]
    assert call(console_server, "/console/api/dashboard?size=xl", headers=CONSOLE, cookie=manager).status == 400

    status, headers, body = raw_get(
        console_server, "/console/api/dashboard/levels.csv?from=2026-03-01&to=2026-03-31&channel=whatsapp", manager
    )
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert 'filename="tableau-de-bord-niveaux-2026-03-01-2026-03-31.csv"' in headers["Content-Disposition"]
    assert body.decode("utf-8") == (
        "\ufeffNiveau;Diagnostics terminés;Part (%)\r\nDébutant;0;0\r\nIntermédiaire;1;100\r\nAvancé;0;0\r\nLeader;0;0\r\n"
    )
    for name in TABLES:
        status, headers, body = raw_get(console_server, f"/console/api/dashboard/{name}.csv", manager)
        assert status == 200 and body.startswith(b"\xef\xbb\xbf"), name
    assert raw_get(console_server, "/console/api/dashboard/colours.csv", manager)[0] == 404
    assert raw_get(console_server, "/console/api/dashboard/levels.csv?to=hier", manager)[0] == 400
