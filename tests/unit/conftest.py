"""Databases for the ticket and advisor stores: the embedded SQLite and the real PostgreSQL."""

import uuid

import pytest
from sqlalchemy import create_engine, text

from bot.adapters import storage
from tests.helpers import console_app_server
from tests.postgres import postgres_url

POSTGRES_URL = postgres_url()  # the machine's, or a throwaway one (tests/postgres.py)


def dispose_engine(url: str) -> None:
    """The test's database is gone: so are its engine and pooled connections (the PostgreSQL
    server, shared with other runs, keeps connections to spare)."""
    engine = storage._engines.pop(url, None)
    if engine is not None:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind the product supports."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'conseiller.db'}"
        yield url
        dispose_engine(url)
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    yield url
    dispose_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def console_server():
    """The console's routes on a real Sanic server, in a thread (no model: no conversation)."""
    with console_app_server("console_tests") as url:
        yield url


@pytest.fixture
def console(console_server, database_url, monkeypatch):
    """The console's server working on this test's database, no proxy trusted."""
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", database_url)
    monkeypatch.delenv("TRUSTED_PROXY", raising=False)
    return console_server
