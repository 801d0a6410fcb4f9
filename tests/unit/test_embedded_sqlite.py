"""The embedded SQLite files commit without waiting for the disk each time (WAL mode), for our
own database and for Rasa's conversations; other databases get no SQLite options."""

import pytest
from rasa.shared.core.domain import Domain
from sqlalchemy import text

from bot.adapters import embedded_sqlite, storage
from rasa_addons.tracker_store import PrivacyAwareSQLTrackerStore
from tests.unit.conftest import dispose_engine


@pytest.mark.parametrize(
    "url, expected",
    [
        ("sqlite:////tmp/conseiller.db", True),
        ("sqlite:///var/rasa-tracker.db", True),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("postgresql://postgres@127.0.0.1:5432/test", False),
    ],
)
def test_which_databases_are_embedded_files(url, expected):
    assert embedded_sqlite.is_sqlite_file(url) is expected
    assert bool(embedded_sqlite.engine_options(url)) is expected


def journal_and_sync(engine) -> tuple:
    with engine.connect() as connection:
        return (
            connection.execute(text("PRAGMA journal_mode")).scalar(),
            connection.execute(text("PRAGMA synchronous")).scalar(),
        )


def test_our_database_file_is_in_write_ahead_log_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'conseiller.db'}"
    try:
        assert journal_and_sync(storage.engine(url)) == ("wal", 1)  # 1: NORMAL
    finally:
        dispose_engine(url)


def test_the_conversations_file_is_in_write_ahead_log_mode(tmp_path):
    store = PrivacyAwareSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        assert journal_and_sync(store.engine) == ("wal", 1)
    finally:
        store.engine.dispose()
