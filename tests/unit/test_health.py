"""/health and /ready (bot.adapters.channels.health) on a real Sanic server, with the real
database of each kind, the machine's Redis, and unreachable ones (a closed port)."""

import json
import os
import uuid
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from rasa.core.agent import Agent
from sanic import Sanic

from bot.adapters.channels.health import HealthInput
from ops.servers import free_port
from tests.helpers import fetch, sanic_app_server
from tests.unit.conftest import dispose_engine

# The machine's Redis, as tests/e2e/test_topology.py finds it; /ready only sends it a PING.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@contextmanager
def health_server():
    """The channel's blueprint on a bare Sanic app, mounted as Rasa mounts it, in a thread;
    yields (address, app). Served by tests.helpers.sanic_app_server."""
    app = Sanic(f"health_tests_{uuid.uuid4().hex[:8]}")
    channel = HealthInput.from_credentials(None)

    async def no_messages(_message):
        raise AssertionError("the health channel receives no messages")

    app.blueprint(channel.blueprint(no_messages), url_prefix=channel.url_prefix())
    with sanic_app_server(app, "the health server") as address:
        yield address, app


@pytest.fixture(scope="module")
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.fail(f"No Redis answers at {REDIS_URL} (TEST_REDIS_URL): apt-get install redis-server")
    return REDIS_URL


@pytest.fixture(scope="module")
def server():
    with health_server() as (url, app):
        yield url, app


def loaded_agent():
    """Rasa's Agent as `rasa run` leaves it once the model is loaded. No model is trained for
    unit tests: Agent.is_ready() asks for a processor, which stands in for the loaded model."""
    agent = Agent()
    agent.processor = SimpleNamespace()
    return agent


def get(url, path):
    status, headers, body = fetch(url + path)
    return status, headers, json.loads(body)


@pytest.fixture
def no_agent(server):
    _, app = server
    app.ctx.agent = None
    yield app
    app.ctx.agent = None


def unreachable_postgres(password="mot-de-passe-secret"):
    return f"postgresql://conseiller:{password}@127.0.0.1:{free_port()}/conseiller"


def test_health_answers_without_a_token_whatever_the_rest(server, no_agent, monkeypatch):
    url, _ = server
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", unreachable_postgres())
    status, headers, body = get(url, "/health")
    assert (status, body) == (200, {"status": "ok"})
    assert headers["Cache-Control"] == "no-store"


def test_ready_when_the_model_the_database_and_redis_answer(server, no_agent, database_url, redis_url, monkeypatch):
    url, app = server
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    app.ctx.agent = loaded_agent()
    assert get(url, "/ready")[::2] == (
        200,
        {"status": "ready", "checks": {"model": "ok", "database": "ok", "redis": "ok"}},
    )
    monkeypatch.delenv("REDIS_URL")  # one server, no Redis: nothing to check
    assert get(url, "/ready")[::2] == (
        200,
        {"status": "ready", "checks": {"model": "ok", "database": "ok", "redis": "not_configured"}},
    )


def test_not_ready_until_the_model_is_loaded(server, no_agent, database_url, monkeypatch):
    url, app = server
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    checks = {"model": "not_loaded", "database": "ok", "redis": "not_configured"}
    assert get(url, "/ready")[::2] == (503, {"status": "not_ready", "checks": checks})
    app.ctx.agent = Agent()  # Rasa's agent before (or without) a model
    assert get(url, "/ready")[::2] == (503, {"status": "not_ready", "checks": checks})


def test_not_ready_without_the_database_and_nothing_told_of_it(server, no_agent, redis_url, monkeypatch, caplog):
    url, app = server
    database = unreachable_postgres()
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", database)
    monkeypatch.setenv("REDIS_URL", redis_url)
    app.ctx.agent = loaded_agent()
    with caplog.at_level("INFO", logger="bot.adapters.channels.health"):
        status, _, body = get(url, "/ready")
        assert get(url, "/ready")[::2] == (status, body)  # the same again, logged once
    dispose_engine(database)
    assert (status, body) == (
        503,
        {"status": "not_ready", "checks": {"model": "ok", "database": "unreachable", "redis": "ok"}},
    )
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warnings == ["Readiness: database unreachable (OperationalError)"]
    assert "mot-de-passe-secret" not in caplog.text and database.split("@")[1] not in caplog.text


def test_not_ready_without_redis(server, no_agent, database_url, monkeypatch):
    url, app = server
    monkeypatch.setenv("CONSEILLER_DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", f"redis://:mot-de-passe-secret@127.0.0.1:{free_port()}/0")
    app.ctx.agent = loaded_agent()
    status, _, body = get(url, "/ready")
    assert (status, body) == (
        503,
        {"status": "not_ready", "checks": {"model": "ok", "database": "ok", "redis": "unreachable"}},
    )


def test_the_routes_are_at_the_root_of_rasa_s_server():
    """Rasa mounts a channel at urljoin("/webhooks/", url_prefix()): "/" puts /health and /ready at the root."""
    from urllib.parse import urljoin

    assert urljoin("/webhooks/", HealthInput().url_prefix()) == "/"
    assert HealthInput.name() == "health"
