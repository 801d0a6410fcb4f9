"""The schema of our own tables (tickets, advisors, diagnostics, inbox, deliveries), as Alembic
migrations in `versions/`. Rasa's tracker store (its `events` table) is Rasa's: never touched here.

`storage.engine()` brings its database to the newest revision ("head") on first use, so a new
machine needs no step; a deployer may also run `alembic upgrade head` from the repository's folder
(alembic.ini; the database is CONSEILLER_DATABASE_URL). Servers starting together on one
database take turns: on PostgreSQL an advisory lock held for the upgrade's transaction, on
SQLite a lock on a file next to the database; the others then find the schema up to date.

A database made by a version before migrations (its tables created by `create_all`, perhaps
without the newest columns, and no `alembic_version` table) is upgraded by the first revision
like an empty one: it creates only what is missing and keeps every row.

A new revision: change the models, then `alembic revision --autogenerate -m "…"` against a
database at head, read and correct what it wrote; tests/unit/test_migrations.py checks that
the models and the migrations agree.
"""

import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, List, Mapping, Optional, Set

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import Connection, Engine

try:
    import fcntl
except ImportError:  # Windows: no lock between the processes sharing one SQLite file
    fcntl = None  # type: ignore[assignment]

MIGRATIONS = Path(__file__).resolve().parent
# The key of the PostgreSQL advisory lock held while the schema is upgraded (any constant
# number: advisory locks are per database, and only our processes take this one).
ADVISORY_LOCK_KEY = 7_411_002_614
_thread_lock = threading.Lock()  # flock is per open file: threads of one process queue here first


def config(connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration without alembic.ini (the servers, the tests): the scripts of this
    package, and the connection to work on when one is given (else CONSEILLER_DATABASE_URL)."""
    settings = Config()
    settings.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        settings.attributes["connection"] = connection
    return settings


@lru_cache(maxsize=1)
def heads() -> Set[str]:
    return set(ScriptDirectory.from_config(config()).get_heads())


def current_revisions(connection: Connection) -> Set[str]:
    """The database's revisions (empty for a new database or one made before migrations)."""
    return set(MigrationContext.configure(connection).get_current_heads())


def upgrade_to_head(bind: Engine) -> None:
    """Brings the database to the newest revision, once among the processes starting together.
    A database already there costs a look at its revision (two queries), without the lock."""
    with bind.connect() as connection:
        if current_revisions(connection) == heads():
            return
    with exclusive(bind) as connection:
        # Nothing to do if another process upgraded it meanwhile; Alembic logs each step it runs.
        command.upgrade(config(connection), "head")


@contextmanager
def exclusive(bind: Engine) -> Iterator[Connection]:
    """A connection to migrate with, in a transaction committed at the end (rolled back on a
    failure), no other process migrating the same database meanwhile.

    PostgreSQL: the transaction holds an advisory lock (and PostgreSQL's DDL is transactional:
    an upgrade that fails leaves nothing half done). SQLite: an exclusive lock on the file
    `<database>.migration-lock` next to the database."""
    if bind.dialect.name == "postgresql":
        with bind.connect() as connection, connection.begin():
            connection.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            yield connection
        return
    database = bind.url.database if bind.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:") or fcntl is None:
        with bind.connect() as connection, connection.begin():
            yield connection
        return
    lock_path = Path(database).resolve().with_name(Path(database).name + ".migration-lock")
    with _thread_lock, open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # waits for the process migrating, if any
        try:
            with bind.connect() as connection, connection.begin():
                yield connection
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def target_metadata() -> List[MetaData]:
    """The models, as the migrations must build them: every module declaring a table, and the
    dashboard's indexes (bot.adapters.dashboard.INDEXES)."""
    from bot.adapters import advisors, dashboard, deliveries, diagnostics, inbox, storage  # noqa: F401

    return [storage.Base.metadata, deliveries.Base.metadata]


def our_tables() -> Set[str]:
    return {name for metadata in target_metadata() for name in metadata.tables}


def include_name(name: Optional[str], type_: str, parent_names: Mapping[str, Optional[str]]) -> bool:
    """Alembic compares and generates our tables only: not Rasa's tracker store in the same database."""
    if type_ == "table":
        return name in our_tables()
    return True
