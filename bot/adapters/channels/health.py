"""GET /health and GET /ready on the Rasa server, for a load balancer or an orchestrator.

- /health (liveness): the process answers. Always 200 {"status": "ok"}.
- /ready (readiness): 200 only when the model is loaded, our database (CONSEILLER_DATABASE_URL)
  answers a SELECT 1 with its schema at the newest migration, and Redis answers PING when
  REDIS_URL is set; else 503. The body names each check and its state, nothing more: no address,
  no error text, no traceback. Neither needs the API token; neither changes anything.

Registered as a Rasa input channel (credentials.yml), like the console, to add routes to Rasa's
own server; it receives no messages. It is also where the Rasa server's log lines become JSON
once Rasa has set up its logging (LOG_FORMAT=json, bot.adapters.json_logs).
"""

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import text

from bot.adapters import json_logs, storage

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0  # seconds for each check; a load balancer's own timeout is usually 5 s
OK, NOT_LOADED, UNREACHABLE, TIMEOUT, NOT_CONFIGURED = "ok", "not_loaded", "unreachable", "timeout", "not_configured"
HEALTHY = (OK, NOT_CONFIGURED)
NO_STORE = {"Cache-Control": "no-store"}


def redis_url() -> Optional[str]:
    return os.environ.get("REDIS_URL") or None


def model_state(app: Any) -> str:
    agent = getattr(app.ctx, "agent", None)
    return OK if agent is not None and agent.is_ready() else NOT_LOADED


def database_answers() -> None:
    """SELECT 1 on our database (its first use in the process also brings it to the newest migration)."""
    with storage.engine().connect() as connection:
        connection.execute(text("SELECT 1"))


async def redis_answers(url: str) -> None:
    from redis.asyncio import from_url  # only where Redis is configured

    client = from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        await client.ping()
    finally:
        await client.close()


class Readiness:
    """The checks of /ready. The database is checked from a worker thread, one check at a time:
    while a database does not answer, the calls that come meanwhile wait for the same check
    instead of tying up one more thread each. A check that fails, and one that recovers, is
    logged once (the kind of fault only: its text may hold an address)."""

    def __init__(self) -> None:
        self._database_check: Optional["asyncio.Future[None]"] = None
        self._last: Dict[str, str] = {}
        self._faults: Dict[str, str] = {}

    async def states(self, app: Any) -> Dict[str, str]:
        database, redis = await asyncio.gather(self._database(), self._redis())
        states = {"model": model_state(app), "database": database, "redis": redis}
        for name, state in states.items():
            before = self._last.get(name)
            if state == before or (before is None and state in HEALTHY):
                continue
            if state in HEALTHY:
                logger.info("Readiness: %s %s again", name, state)
            else:
                fault = self._faults.pop(name, None)
                logger.warning("Readiness: %s %s%s", name, state, f" ({fault})" if fault else "")
        self._last = states
        return states

    async def _database(self) -> str:
        if self._database_check is None or self._database_check.done():
            self._database_check = asyncio.ensure_future(asyncio.to_thread(database_answers))
            # Its failure is read here, even when every call waiting for it gave up on a timeout.
            self._database_check.add_done_callback(lambda done: done.cancelled() or done.exception())
        return await self._outcome("database", asyncio.shield(self._database_check))

    async def _redis(self) -> str:
        url = redis_url()
        if url is None:
            return NOT_CONFIGURED
        return await self._outcome("redis", redis_answers(url))

    async def _outcome(self, name: str, check: Awaitable[None]) -> str:
        try:
            await asyncio.wait_for(check, CHECK_TIMEOUT)
            return OK
        except asyncio.TimeoutError:
            return TIMEOUT
        except Exception as failure:
            self._faults[name] = type(failure).__name__
            return UNREACHABLE


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "health"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        json_logs.install_if_enabled()  # Rasa has set up its logging by now (coloured logs)
        return cls()

    def url_prefix(self) -> Text:
        return "/"  # Rasa joins it to /webhooks/: an absolute path puts the routes at the root

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("conseiller_health", __name__)
        readiness = Readiness()
        json_logs.install_if_enabled()  # Sanic's loggers exist by now

        @blueprint.listener("before_server_start")
        async def json_logs_once_serving(_app: Any, _loop: asyncio.AbstractEventLoop) -> None:
            json_logs.install_if_enabled()  # and whatever Rasa set up since

        @blueprint.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"}, headers=NO_STORE)

        @blueprint.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            checks = await readiness.states(request.app)
            ready = all(state in HEALTHY for state in checks.values())
            return response.json(
                {"status": "ready" if ready else "not_ready", "checks": checks},
                status=200 if ready else 503,
                headers=NO_STORE,
            )

        return blueprint
