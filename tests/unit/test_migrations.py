"""The schema of our tables comes from the Alembic migrations (bot/adapters/migrations), on the
embedded SQLite and on the real PostgreSQL: a new database, one an older version made without
migrations, servers starting together, and the models and the migrations in agreement."""

import multiprocessing
import os
import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
)

from bot.adapters import dashboard, migrations, storage
from bot.adapters.storage import REPO_ROOT

# What the version before migrations lacked in a database it had made: the newest nullable
# columns (create_all never altered a table), and the dashboard's indexes until its first use.
LEGACY_MISSING_COLUMNS = {"handoff_tickets": {"advisor_id"}, "advisor_accounts": {"role"}}


def model_tables():
    return {name: table for metadata in migrations.target_metadata() for name, table in metadata.tables.items()}


def differences(url):
    """What Alembic's autogenerate would change for the models to match the database (`alembic check`)."""
    bind = create_engine(url, future=True)
    try:
        with bind.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": migrations.include_name, "compare_type": True}
            )
            return compare_metadata(context, migrations.target_metadata())
    finally:
        bind.dispose()


def schema_of(url):
    """{table: (columns, index names)} of the database, and its Alembic revisions."""
    bind = create_engine(url, future=True)
    try:
        with bind.connect() as connection:
            inspector = inspect(connection)
            tables = {
                name: (
                    {column["name"] for column in inspector.get_columns(name)},
                    {index["name"] for index in inspector.get_indexes(name)},
                )
                for name in inspector.get_table_names()
            }
            return tables, migrations.current_revisions(connection)
    finally:
        bind.dispose()


def assert_at_head_with_every_table_and_index(url):
    tables, revisions = schema_of(url)
    assert revisions == migrations.heads()
    for name, table in model_tables().items():
        assert name in tables, name
        columns, indexes = tables[name]
        assert columns == {column.name for column in table.columns}, name
        assert {index.name for index in table.indexes} <= indexes, name
    assert {index.name for index in dashboard.INDEXES} <= {i for _, indexes in tables.values() for i in indexes}
    assert differences(url) == []


def test_a_new_database_gets_every_table_and_index_at_head(database_url):
    storage.engine(database_url)
    assert_at_head_with_every_table_and_index(database_url)


def test_the_models_and_the_migrations_agree(database_url):
    """`alembic check`: a change to a model needs its migration (alembic revision --autogenerate)."""
    storage.engine(database_url)
    assert differences(database_url) == []
    # Revision 0001 declares the dashboard's indexes and the per-dimension score columns too.
    assert {"score_security", "score_automation_ai"} <= schema_of(database_url)[0]["diagnostic_runs"][0]


def test_a_database_of_the_version_before_migrations_is_upgraded_and_keeps_its_rows(database_url):
    legacy = MetaData()
    index_names = {index.name for index in dashboard.INDEXES}
    for name, table in model_tables().items():
        missing = LEGACY_MISSING_COLUMNS.get(name, set())
        copy = Table(
            name,
            legacy,
            *[column._copy() for column in table.columns if column.name not in missing],
            *[
                ForeignKeyConstraint([key.parent.name], [key.target_fullname], ondelete=key.ondelete)
                for key in table.foreign_keys
            ],
        )
        assert not index_names & {index.name for index in copy.indexes}  # as before the dashboard's first use
    old = create_engine(database_url, future=True)
    legacy.create_all(old)
    with old.begin() as connection:
        connection.execute(
            legacy.tables["handoff_tickets"]
            .insert()
            .values(
                id=7,
                sender_id="owner-old",
                status="live",
                reason="requested",
                advisor="Équipe A",
                created_at=storage.utcnow(),
                updated_at=storage.utcnow(),
            )
        )
        connection.execute(
            legacy.tables["handoff_ticket_events"].insert().values(ticket_id=7, kind="taken", at=storage.utcnow())
        )
        connection.execute(
            legacy.tables["advisor_accounts"]
            .insert()
            .values(email="a@exemple.fr", name="A", password_hash="x", active=True, created_at=storage.utcnow())
        )
    old.dispose()
    tables, revisions = schema_of(database_url)
    assert revisions == set() and "advisor_id" not in tables["handoff_tickets"][0]

    tickets = storage.ticket_repository(database_url)  # the first use upgrades the database
    ticket = tickets.get_with_events(7)
    assert (ticket.sender_id, ticket.status, ticket.advisor, ticket.advisor_id) == (
        "owner-old",
        "live",
        "Équipe A",
        None,
    )
    assert [event.kind for event in ticket.events] == ["taken"]
    assert_at_head_with_every_table_and_index(database_url)
    with storage.engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT email, role FROM advisor_accounts")).all() == [("a@exemple.fr", None)]


def test_another_application_s_tables_are_left_alone(database_url):
    """Rasa's tracker store may share the database: its `events` table is neither changed nor
    reported, and the downgrade removes our tables only."""
    foreign = MetaData()
    Table("events", foreign, Column("id", Integer, primary_key=True), Column("sender_id", String(255)))
    bind = create_engine(database_url, future=True)
    foreign.create_all(bind)
    storage.engine(database_url)
    assert differences(database_url) == []
    with migrations.exclusive(bind) as connection:
        command.downgrade(migrations.config(connection), "base")
    tables, revisions = schema_of(database_url)
    assert set(tables) - {"alembic_version"} == {"events"} and revisions == set()
    with migrations.exclusive(bind) as connection:
        command.upgrade(migrations.config(connection), "head")
    bind.dispose()
    assert_at_head_with_every_table_and_index(database_url)


def test_a_database_at_head_costs_a_look_at_its_revision_and_no_lock(database_url):
    storage.engine(database_url)
    bind = create_engine(database_url, future=True)
    statements = []
    event.listen(bind, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        migrations.upgrade_to_head(bind)
    finally:
        bind.dispose()
    assert not any("advisory" in statement or "CREATE" in statement.upper() for statement in statements)
    assert len(statements) <= 2, statements  # is there an alembic_version table, and what it holds


def _start_server_process(url, barrier):
    """One server process starting: its first use of the database, at the same moment as the others'."""
    barrier.wait()
    with storage.engine(url).connect() as connection:
        assert connection.execute(select(storage.Ticket.id)).all() == []


def test_servers_starting_together_on_one_database_upgrade_it_once(database_url):
    processes = 4  # two Rasa servers and two action servers
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(processes)
    started = [spawn.Process(target=_start_server_process, args=(database_url, barrier)) for _ in range(processes)]
    for process in started:
        process.start()
    for process in started:
        process.join(120)
    assert [process.exitcode for process in started] == [0] * processes
    bind = create_engine(database_url, future=True)
    with bind.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0001"]
    bind.dispose()
    assert_at_head_with_every_table_and_index(database_url)


def test_a_deployer_migrates_with_the_alembic_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'deployed.db'}"
    environment = {**os.environ, "CONSEILLER_DATABASE_URL": url}

    def alembic(*arguments):
        return subprocess.run(
            [sys.executable, "-m", "alembic", *arguments],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    upgraded = alembic("upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Running upgrade  -> 0001" in upgraded.stderr
    checked = alembic("check")
    assert checked.returncode == 0 and "No new upgrade operations detected" in checked.stdout, checked.stderr
    current = alembic("current")
    assert current.returncode == 0 and "0001 (head)" in current.stdout
    assert_at_head_with_every_table_and_index(url)
