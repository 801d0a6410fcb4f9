"""Alembic's entry point, for `alembic …` (alembic.ini) and for the servers (storage.engine()).

The connection is the one the caller gave (config.attributes["connection"]), else one to
CONSEILLER_DATABASE_URL taken under the same lock as the servers' upgrade. Only our tables are
compared and generated: Rasa's tracker store may share the database.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine

from bot.adapters import storage
from bot.adapters.migrations import exclusive, include_name, target_metadata

config = context.config
if config.config_file_name is not None:  # the alembic command: its own log lines (alembic.ini)
    fileConfig(config.config_file_name, disable_existing_loggers=False)

OPTIONS = {
    "target_metadata": target_metadata(),
    "include_name": include_name,
    "compare_type": True,
    "render_as_batch": True,  # SQLite alters a table by copying it: let autogenerate write that
}


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: the SQL for an empty database, printed, not run."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or storage.database_url(),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        context.configure(connection=given, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    bind = create_engine(config.get_main_option("sqlalchemy.url") or storage.database_url(), future=True)
    try:
        with exclusive(bind) as connection:
            context.configure(connection=connection, **OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        bind.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
