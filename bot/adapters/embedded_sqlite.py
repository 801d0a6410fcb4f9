"""The embedded SQLite databases (`make run`'s default), set up for a server's steady writes.

SQLAlchemy 1.4 opens a new connection to an SQLite file for every session, and SQLite, by
default, waits for the disk at every commit (journal mode DELETE, synchronous FULL). The Rasa
server and the action server commit at every message, on their event loop: under load, that
wait was about a tenth of each server's time. Here the file is in write-ahead-log mode, synced
at checkpoints rather than at every commit, through pooled connections (SQLAlchemy 2.0's
default for files). A crash of a process loses nothing; a power cut may lose the last
messages' writes. PostgreSQL, for production, is left as it is.
"""

from typing import Any, Dict

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url


def is_sqlite_file(url: Any) -> bool:
    parsed = make_url(str(url)) if not isinstance(url, sa.engine.URL) else url
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")


def engine_options(url: Any) -> Dict[str, Any]:
    """Extra `create_engine` arguments for an SQLite file (none for another database)."""
    if not is_sqlite_file(url):
        return {}
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


def use_write_ahead_log(engine: Engine) -> Engine:
    """Every new connection of an SQLite file's engine in WAL mode, synced at checkpoints."""
    if is_sqlite_file(engine.url):
        sa.event.listen(engine, "connect", _write_ahead_log)
    return engine


def _write_ahead_log(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
